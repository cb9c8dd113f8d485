"""The case pages' tags: the list's date hierarchy (without reading every case
for its years), people by name, and timeline lines in the reader's language."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.db import connections
from django.db.models import Max, Min
from django.utils import timezone

from followups.cases.timeline import event_line
from followups.cases.workflow import person_name

register = template.Library()


def years_with_rows(queryset, field: str, years: range) -> list[int]:
    """The ``years`` in which ``queryset`` has a row: one query of an ``EXISTS``
    probe per year along the field's index (not a ``UNION`` of ``LIMIT 1``
    probes: SQLite allows no ``LIMIT`` in the parts of a compound statement)."""
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
        .values("pk")
        .query.get_compiler(queryset.db)
        .as_sql()
        for year in years
    ]
    sql = "SELECT " + ", ".join(f"EXISTS ({probe})" for probe, _ in probes)
    params = [param for _, probe_params in probes for param in probe_params]
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    return [year for year, exists in zip(years, found, strict=True) if exists]


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


@register.filter
def person(user) -> str:
    """A person as the case pages show them: full name, else user name."""
    return person_name(user)


@register.filter
def timeline_line(event) -> str:
    """What a timeline event says, in the reader's language and date format."""
    return event_line(event)
