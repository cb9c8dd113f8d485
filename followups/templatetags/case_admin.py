"""The case list's date hierarchy, without reading every case for its years."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.db.models import IntegerField, Max, Min, Value
from django.utils import timezone

register = template.Library()


def years_with_rows(queryset, field: str, years: range) -> list[int]:
    """The ``years`` in which ``queryset`` has a row: one query of a ``LIMIT 1``
    probe per year along the field's index."""
    if not years:
        return []
    zone = timezone.get_current_timezone()
    probes = [
        queryset.filter(
            **{
                f"{field}__gte": datetime(year, 1, 1, tzinfo=zone),
                f"{field}__lt": datetime(year + 1, 1, 1, tzinfo=zone),
            }
        )
        .order_by()
        .values_list(Value(year, output_field=IntegerField()), flat=True)[:1]
        for year in years
    ]
    return sorted(probes[0].union(*probes[1:], all=True))


def case_date_hierarchy(cl):
    """Django's date hierarchy, except on its first level: Django lists the
    years by reading every row of the list for its distinct years; this takes
    the first and last row's (the index's ends) and probes the years between."""
    field = cl.date_hierarchy
    if any(f"{field}__{part}" in cl.params for part in ("year", "month", "day")):
        return date_hierarchy(cl)
    bounds = cl.queryset.aggregate(first=Min(field), last=Max(field))
    if bounds["first"] is None or bounds["last"] is None:
        return date_hierarchy(cl)
    first, last = timezone.localtime(bounds["first"]), timezone.localtime(bounds["last"])
    if first.year == last.year:
        return date_hierarchy(cl)  # Django opens that year's months
    between = years_with_rows(cl.queryset, field, range(first.year + 1, last.year))
    years = [first.year, *between, last.year]
    return {
        "show": True,
        "choices": [
            {
                "link": cl.get_query_string({f"{field}__year": str(year)}, [f"{field}__"]),
                "title": str(year),
            }
            for year in years
        ],
    }


@register.tag(name="case_date_hierarchy")
def case_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=case_date_hierarchy,
        template_name="date_hierarchy.html",
        takes_context=False,
    )
