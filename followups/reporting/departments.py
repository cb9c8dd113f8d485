"""The departments side by side: each one's NPS with its interval, how fast its
loop closes and its top root causes, and whether its NPS differs from the
other departments' together beyond the noise.

Only what the reader sees takes part (surveys.departments): a manager of two
departments compares those two (and the shared surveys), never a third. The
NPS is one query grouped by department, the root causes another; the loop's
figures one aggregate per department (a handful: the query count depends on
the departments, never on the answers)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from followups.cases import access
from followups.reporting import reports
from surveys import stats
from surveys.departments import department_filter, visible_departments
from surveys.models import Department, Response, Survey

TOP_CAUSES = 3


@dataclass(frozen=True)
class DepartmentFigures:
    department: Department | None  # None: the surveys of no department
    summary: stats.NpsSummary
    versus_rest: stats.NpsDifference  # this department minus all the others
    apart: str  # "above", "below" or "" (within the noise), false discoveries controlled
    kpis: reports.LoopKpis
    root_causes: list[dict]
    links: dict

    @property
    def key(self) -> str:
        return str(self.department.pk) if self.department else "shared"


def _department_q(department_id: int | None, path: str) -> Q:
    if department_id is None:
        return Q(**{f"{path}__isnull": True})
    return Q(**{path: department_id})


def _links(department_id: int | None, start: datetime, end: datetime, segment: str) -> dict:
    key = (
        {"survey__department__isnull": "True"}
        if department_id is None
        else {"survey__department__id__exact": department_id}
    )
    answers = {
        **key,
        "submitted_at__gte": start.isoformat(),
        "submitted_at__lt": end.isoformat(),
        "exclusion_reason__exact": "",
    }
    cases = {**key, "created_at__gte": start.isoformat(), "created_at__lt": end.isoformat()}
    if segment:
        answers["segment__exact"] = segment
        cases["segment"] = segment
    answer_list = reverse("admin:surveys_response_changelist")
    case_list = reverse("admin:followups_followupcase_changelist")
    return {
        "answers": f"{answer_list}?{urlencode(answers)}",
        "open": f"{case_list}?{urlencode({**cases, 'queue': 'open'})}",
        "overdue": f"{case_list}?{urlencode({**cases, 'queue': 'overdue'})}",
    }


def _period_rows(
    user, *, start: datetime, end: datetime, segment: str
) -> tuple[QuerySet, QuerySet]:
    """The answers and the cases of the period the reader may count: customer
    surveys only (employee surveys have a report of their own, eNPS), in the
    reader's departments; staff count only their own cases."""
    answers = Response.objects.counted().filter(
        department_filter(user, "survey__department"),
        survey__kind=Survey.Kind.CUSTOMER,
        submitted_at__gte=start,
        submitted_at__lt=end,
    )
    cases: QuerySet = access.visible_cases(user).filter(
        created_at__gte=start, created_at__lt=end, survey__kind=Survey.Kind.CUSTOMER
    )
    if segment:
        answers = answers.filter(segment=segment)
        cases = cases.filter(response__segment=segment)
    if not access.is_manager(user):
        cases = cases.filter(owner=user)
    return answers, cases


def departments_compared(
    *, user, start: datetime, end: datetime, segment: str = "", now: datetime | None = None
) -> list[DepartmentFigures]:
    """One row per department the reader sees, by name, then the shared
    surveys (when they have answers or cases); staff count only their own cases."""
    now = now or timezone.now()
    answers, cases = _period_rows(user, start=start, end=end, segment=segment)
    counts = {
        row["survey__department"]: reports.summary_of(row)
        for row in answers.values("survey__department")
        .annotate(**reports.CATEGORY_COUNTS)
        .order_by()
    }
    causes: dict[int | None, list[dict]] = defaultdict(list)
    for row in reports.cause_counts(cases, "survey__department"):
        causes[row["survey__department"]].append(row)
    departments: list[Department | None] = list(visible_departments(user))
    case_departments = set(cases.values_list("survey__department", flat=True).distinct())
    if None in counts or None in case_departments:
        departments.append(None)
    empty = stats.NpsSummary(0, 0, 0, min_sample=settings.NPS_MIN_SAMPLE)
    summaries = [counts.get(d.pk if d else None, empty) for d in departments]
    named = [
        (str(d.pk) if d else "", summary) for d, summary in zip(departments, summaries, strict=True)
    ]
    apart = reports.segments_apart(named)
    everyone = stats.NpsSummary(
        promoters=sum(s.promoters for s in summaries),
        passives=sum(s.passives for s in summaries),
        detractors=sum(s.detractors for s in summaries),
        min_sample=settings.NPS_MIN_SAMPLE,
    )
    rows = []
    for department, summary, call in zip(departments, summaries, apart, strict=True):
        department_id = department.pk if department else None
        own_cases = cases.filter(_department_q(department_id, "survey__department"))
        top = sorted(causes[department_id], key=lambda r: (-r["count"], r["root_cause__name"]))
        rows.append(
            DepartmentFigures(
                department=department,
                summary=summary,
                versus_rest=stats.nps_difference(summary, stats.summary_without(everyone, summary)),
                apart=call,
                kpis=reports.loop_kpis(None, cases=own_cases, now=now),
                root_causes=top[:TOP_CAUSES],
                links=_links(department_id, start, end, segment),
            )
        )
    return rows
