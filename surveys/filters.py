"""Query-string filters of the REST API (django-filter).

A period is ``from`` / ``to``, each a date (``2025-01-31``) or an ISO 8601
date-time; both ends are inclusive, and a date covers its whole day in the
site's time zone. The same two parameters select answers in the list and in
the NPS report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import extend_schema_field

from .models import Channel, Customer, Response, Survey

_SPACED_OFFSET = re.compile(r"(.+T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)")

INVALID_POINT_IN_TIME = "Enter a date (YYYY-MM-DD) or an ISO 8601 date-time."
OUT_OF_RANGE = "This date is out of range."
END_BEFORE_START = "The end of the period is before its start."


@dataclass(frozen=True)
class PeriodBound:
    """One end of a period: what the client gave, and the instant (UTC) and
    lookup it means."""

    given: date | datetime
    lookup: str  # "gte", "lte" or "lt"
    at: datetime

    def apply(self, queryset: QuerySet, field: str) -> QuerySet:
        return queryset.filter(**{f"{field}__{self.lookup}": self.at})

    def echo(self) -> str:
        if isinstance(self.given, datetime):
            return self.at.isoformat().replace("+00:00", "Z")
        return self.given.isoformat()


class PeriodBoundField(forms.Field):
    def __init__(self, *, end: bool = False, **kwargs):
        self.end = end
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = value.strip()
        if unencoded_plus := _SPACED_OFFSET.fullmatch(value):
            # "+01:00" sent unencoded in a query string arrives as " 01:00".
            value = "+".join(unencoded_plus.groups())
        try:
            day = parse_date(value)
            moment = None if day else parse_datetime(value)
        except ValueError:
            raise forms.ValidationError(INVALID_POINT_IN_TIME, code="invalid") from None
        if day is None and moment is None:
            raise forms.ValidationError(INVALID_POINT_IN_TIME, code="invalid")
        try:
            return self._bound(day or moment)
        except OverflowError:
            raise forms.ValidationError(OUT_OF_RANGE, code="overflow") from None

    def _bound(self, given: date | datetime) -> PeriodBound:
        if isinstance(given, datetime):
            if timezone.is_naive(given):
                given = timezone.make_aware(given)
            return PeriodBound(given, "lte" if self.end else "gte", given.astimezone(UTC))
        if not self.end:
            start = timezone.make_aware(datetime.combine(given, time.min))
            return PeriodBound(given, "gte", start.astimezone(UTC))
        if given == date.max:
            end = timezone.make_aware(datetime.combine(given, time.max))
            return PeriodBound(given, "lte", end.astimezone(UTC))
        next_day = timezone.make_aware(datetime.combine(given + timedelta(days=1), time.min))
        return PeriodBound(given, "lt", next_day.astimezone(UTC))


@extend_schema_field(
    {
        "type": "string",
        "description": "A date (YYYY-MM-DD, its whole day) or an ISO 8601 date-time; "
        "from and to are both inclusive.",
    }
)
class PeriodBoundFilter(django_filters.Filter):
    field_class = PeriodBoundField

    def filter(self, qs, value):
        return qs if value is None else value.apply(qs, self.field_name)


class PeriodForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start is not None and end is not None:
            empty = start.at >= end.at if end.lookup == "lt" else start.at > end.at
            if empty:
                self.add_error("to", END_BEFORE_START)
        return cleaned


def _with_period(filterset: type[django_filters.FilterSet], field: str):
    """Add ``from`` and ``to`` (Python keywords, hence not class attributes)."""
    filterset.base_filters["from"] = PeriodBoundFilter(
        field_name=field,
        label="From (a date or an ISO 8601 date-time, inclusive)",
    )
    filterset.base_filters["to"] = PeriodBoundFilter(
        field_name=field,
        end=True,
        label="To (a date or an ISO 8601 date-time, inclusive; a date covers its whole day)",
    )
    return filterset


ID_MAX = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX, "description": "An id."})
class IdFilter(django_filters.NumberFilter):
    """An id, checked against the column's range: a related-field lookup gets
    no overflow guard from Django, and SQLite cannot bind a larger integer."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=ID_MAX, **kwargs)


PROPERTY_INVALID = "Give a property as name:value (plan:pro)."


class PropertyField(forms.CharField):
    """``name:value`` read as ``(name, value)``."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        name, colon, wanted = value.partition(":")
        if not colon or not name.strip():
            raise forms.ValidationError(PROPERTY_INVALID, code="invalid")
        return name.strip(), wanted


@extend_schema_field({"type": "string", "pattern": "^[^:]+:", "example": "plan:pro"})
class PropertyFilter(django_filters.Filter):
    """``?property=plan:pro``: answers whose property ``plan`` is ``pro``
    (compared as text, so ``seats:12`` and ``trial:true`` match numbers and
    booleans too)."""

    field_class = PropertyField

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "An answer's property, as name:value (plan:pro)")
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        name, wanted = value
        return qs.alias(property_value=KeyTextTransform(name, "properties")).filter(
            property_value=wanted
        )


class ResponseFilter(django_filters.FilterSet):
    survey = django_filters.CharFilter(field_name="survey__slug", label="Survey slug")
    category = django_filters.ChoiceFilter(choices=Response.Category.choices)
    segment = django_filters.CharFilter(label="The customer's segment when they answered")
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    customer = IdFilter(field_name="customer_id", label="Customer id")
    property = PropertyFilter()
    excluded = django_filters.BooleanFilter(
        method="filter_excluded",
        label="true: only answers excluded from statistics; false: only counted ones",
    )

    class Meta:
        model = Response
        fields: list[str] = []
        form = PeriodForm

    def filter_excluded(self, queryset, name, value):
        return queryset.exclude(exclusion_reason="") if value else queryset.counted()


class NpsFilter(django_filters.FilterSet):
    segment = django_filters.CharFilter(label="The customer's segment when they answered")
    property = PropertyFilter()

    class Meta:
        model = Response
        fields: list[str] = []
        form = PeriodForm


class CustomerFilter(django_filters.FilterSet):
    email = django_filters.CharFilter(method="filter_email", label="Email (any case)")
    external_id = django_filters.CharFilter()
    segment = django_filters.CharFilter()
    unsubscribed = django_filters.BooleanFilter(
        field_name="unsubscribed_at", lookup_expr="isnull", exclude=True
    )
    erased = django_filters.BooleanFilter(
        field_name="erased_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Customer
        fields: list[str] = []

    def filter_email(self, queryset, name, value):
        # The unique index's own expression, so the lookup uses it.
        return queryset.alias(email_lower=Lower("email")).filter(
            email_lower=Lower(Value(value.strip()))
        )


class SurveyFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Survey.Status.choices)

    class Meta:
        model = Survey
        fields: list[str] = []


_with_period(ResponseFilter, "submitted_at")
_with_period(NpsFilter, "submitted_at")
