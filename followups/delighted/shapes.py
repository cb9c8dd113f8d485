"""Delighted's shapes: what its clients send (input serializers) and what
they read back (people, survey responses, metrics), with times as Unix
timestamps and ids as strings, as Delighted had them."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from nps_project.numbers import whole_number
from surveys.models import Customer, Response
from surveys.stats import NpsSummary

# Unix timestamps a datetime can hold (up to the end of year 9999).
MAX_TIMESTAMP = 253402300799
MAX_PER_PAGE = 100
# Ids are PostgreSQL bigints: a larger number names nothing (and must not reach a query).
MAX_ID = 2**63 - 1
DEFAULT_PER_PAGE = 20


def timestamp(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": MAX_TIMESTAMP})
class TimestampField(serializers.Field):
    """A Unix timestamp (whole seconds) in, an aware datetime out."""

    default_error_messages = {
        "invalid": f"Give a Unix timestamp: whole seconds from 0 to {MAX_TIMESTAMP}.",
    }

    def to_internal_value(self, data):
        seconds = serializers.IntegerField(min_value=0, max_value=MAX_TIMESTAMP)
        try:
            value = seconds.run_validation(data)
        except serializers.ValidationError:
            self.fail("invalid")
        return datetime.fromtimestamp(value, tz=UTC)

    def to_representation(self, value):
        return timestamp(value)


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
    }
)
class PropertiesField(serializers.DictField):
    """Free-form properties: names to text, numbers or booleans."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.JSONField(), required=False, default=dict, **kwargs)

    def to_internal_value(self, data):
        properties = super().to_internal_value(data)
        nested = sorted(k for k, v in properties.items() if isinstance(v, dict | list))
        if nested:
            raise serializers.ValidationError(
                f"Properties are names with simple values; these are not: {', '.join(nested)}."
            )
        return properties


class PersonInSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    phone_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    delay = serializers.IntegerField(required=False, min_value=0, max_value=10 * 365 * 86400)
    send = serializers.BooleanField(required=False, default=True)
    channel = serializers.ChoiceField(choices=["email", "sms"], required=False, default="email")
    properties = PropertiesField()
    last_sent_at = TimestampField(required=False)

    def validate(self, attrs):
        if not (attrs.get("email") or attrs.get("phone_number")):
            raise serializers.ValidationError(
                {"email": ["An email or a phone_number is required."]}
            )
        return attrs


class ResponseInSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    score = serializers.IntegerField(min_value=0, max_value=10)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    person_properties = PropertiesField()
    created_at = TimestampField(required=False)


class UnsubscribeInSerializer(serializers.Serializer):
    person_email = serializers.EmailField(max_length=254)


class PeriodSerializer(serializers.Serializer):
    per_page = serializers.IntegerField(
        required=False, default=DEFAULT_PER_PAGE, min_value=1, max_value=MAX_PER_PAGE
    )
    since = TimestampField(required=False)
    until = TimestampField(required=False)


class PageSerializer(PeriodSerializer):
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=1_000_000)


class PeopleQuerySerializer(PeriodSerializer):
    page_info = serializers.IntegerField(required=False, min_value=0, max_value=MAX_ID)
    email = serializers.EmailField(required=False, max_length=254)
    phone_number = serializers.CharField(required=False, max_length=40)


ORDERS = {
    "asc": ("submitted_at", "pk"),
    "desc": ("-submitted_at", "-pk"),
    "asc:updated_at": ("created_at", "pk"),
    "desc:updated_at": ("-created_at", "-pk"),
}


class ResponsesQuerySerializer(PageSerializer):
    updated_since = TimestampField(required=False)
    updated_until = TimestampField(required=False)
    trend = serializers.CharField(required=False, max_length=80)
    person_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    person_email = serializers.EmailField(required=False, max_length=254)
    order = serializers.ChoiceField(choices=list(ORDERS), required=False, default="asc")
    expand = serializers.ListField(
        child=serializers.ChoiceField(choices=["person", "notes"]), required=False, default=list
    )


class MetricsQuerySerializer(serializers.Serializer):
    since = TimestampField(required=False)
    until = TimestampField(required=False)
    trend = serializers.CharField(required=False, max_length=80)


def person_dict(customer: Customer) -> dict:
    """A person as Delighted's list and expansions show one; the
    ``last_sent_at`` ... annotations come from ``selectors.people``."""
    return {
        "id": str(customer.pk),
        "email": customer.email,
        "name": customer.name or None,
        "phone_number": customer.phone,
        "created_at": timestamp(customer.created_at),
        "last_sent_at": timestamp(getattr(customer, "last_sent_at", None)),
        "last_responded_at": timestamp(getattr(customer, "last_responded_at", None)),
        "next_survey_scheduled_at": timestamp(getattr(customer, "next_scheduled_at", None)),
    }


def response_dict(response: Response, *, request, person: Customer | None = None) -> dict:
    """A survey response; ``person`` given: expanded (``expand[]=person``)."""
    permalink = reverse("admin:surveys_response_change", args=[response.pk])
    return {
        "id": str(response.pk),
        "person": person_dict(person) if person is not None else str(response.customer_id),
        "survey_type": "nps",
        "score": response.score,
        "comment": response.comment or None,
        "permalink": request.build_absolute_uri(permalink),
        "created_at": timestamp(response.submitted_at),
        "updated_at": timestamp(max(response.created_at, response.submitted_at)),
        "person_properties": response.properties or {},
        "notes": [],
        "tags": [],
        "additional_answers": additional_answers(response),
    }


def additional_answers(response: Response) -> list[dict]:
    """The answer to the survey's driver question as Delighted lists an
    answer to a select-one question: the choice's key and label, and the
    question (its id names the survey's driver question). Label and question
    are worded as the customer was asked them: in the answer's language
    (theirs, else the survey's default), English where the survey has no
    translation."""
    driver = response.driver
    if driver is None:
        return []
    survey = response.survey
    language = response.locale or survey.default_locale
    return [
        {
            "id": f"driver-{response.pk}",
            "value": {
                "free_response": None,
                "scale": None,
                "select_one": {"id": driver.key, "text": driver.label_for(language)},
                "select_many": None,
            },
            "question": {
                "id": f"enum_driver_{response.survey_id}",
                "type": "select_one",
                "text": survey.driver_question_for(language),
            },
        }
    ]


def _whole(value: float | None) -> int:
    """Rounded half away from zero (12.5 -> 13, -12.5 -> -13), not to even."""
    if value is None:
        return 0
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def metrics_dict(summary: NpsSummary) -> dict:
    """Delighted's metrics (whole-number NPS, percents to one decimal), with
    this product's 95% interval and sample warning as extra fields."""
    report = summary.as_dict()

    def percent(value: float | None) -> float:
        return round(value or 0.0, 1)

    return {
        "nps": _whole(summary.nps),
        "promoter_count": summary.promoters,
        "promoter_percent": percent(summary.promoter_pct),
        "passive_count": summary.passives,
        "passive_percent": percent(summary.passive_pct),
        "detractor_count": summary.detractors,
        "detractor_percent": percent(summary.detractor_pct),
        "response_count": summary.total,
        "nps_exact": report["nps"],
        "confidence_interval": report["confidence_interval"],
        "sample_too_small": report["sample_too_small"],
        "warning": report["warning"],
    }


def id_from(text: str) -> int | None:
    """The id a path names, or None when it cannot name a row."""
    return whole_number(text, maximum=MAX_ID)
