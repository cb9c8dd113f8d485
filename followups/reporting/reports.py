"""Figures for managers: NPS with its interval, trends, segments and how fast
the loop closes. Each function is one aggregate query (percentiles are one
ordered-set aggregate on PostgreSQL), plus, for the case panels grouped by
owner or root cause, one lookup of the dozen names; nothing loops over rows in
Python except the percentile fallback on the embedded SQLite database.

``bench.reporting`` times every one of them against a hand-written query that
computes the same numbers over the same rows (target: at most 1.25x)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
)
from django.db.models.aggregates import Aggregate
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from followups.incentives.tracking import rewards_with_tracking
from followups.models import (
    FollowUpCase,
    GrantStatus,
    LinkClick,
    OfferGrant,
    ReferralUse,
    Reward,
    RewardGrant,
    RootCause,
)
from surveys import stats
from surveys.models import Invitation, Response, Survey

# Counting ``category`` (never NULL), not the id, lets PostgreSQL answer from
# the response_report index alone (measured: 2.6x faster on a million rows).
CATEGORY_COUNTS = {
    "promoters": Count("category", filter=Q(category=stats.PROMOTER)),
    "passives": Count("category", filter=Q(category=stats.PASSIVE)),
    "detractors": Count("category", filter=Q(category=stats.DETRACTOR)),
}


# The days a report period may start or end on: wider than any real answer,
# and narrow enough that a period and the one before it (``previous``) stay
# inside Python's calendar, where 0001-01-01 or 9999-12-31 would overflow.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2199, 12, 31)


def out_of_range_message(day: date) -> str | None:
    """Why ``day`` cannot bound a report, or None when it can."""
    if FIRST_DAY <= day <= LAST_DAY:
        return None
    return _("%(day)s is out of the range reports cover (%(first)s to %(last)s).") % {
        "day": day.isoformat(),
        "first": FIRST_DAY.isoformat(),
        "last": LAST_DAY.isoformat(),
    }


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day``, in the current time zone; ValueError
    when ``day`` is outside FIRST_DAY..LAST_DAY."""
    problem = out_of_range_message(day)
    if problem:
        raise ValueError(problem)
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Selection:
    """What a report is about: one survey, a half-open period, maybe a segment."""

    survey: Survey
    start: datetime
    end: datetime
    segment: str = ""

    def previous(self) -> Selection:
        """The period of the same length just before this one."""
        length = self.end - self.start
        return Selection(self.survey, self.start - length, self.start, self.segment)

    def responses(self) -> QuerySet:
        queryset = Response.objects.counted().filter(
            survey=self.survey, submitted_at__gte=self.start, submitted_at__lt=self.end
        )
        return queryset.filter(segment=self.segment) if self.segment else queryset

    def cases(self) -> QuerySet:
        queryset = FollowUpCase.objects.filter(
            survey=self.survey, created_at__gte=self.start, created_at__lt=self.end
        )
        return queryset.filter(response__segment=self.segment) if self.segment else queryset


def _summary(counts: dict) -> stats.NpsSummary:
    return stats.NpsSummary(
        promoters=counts["promoters"],
        passives=counts["passives"],
        detractors=counts["detractors"],
        min_sample=settings.NPS_MIN_SAMPLE,
    )


# --- NPS --------------------------------------------------------------------


@dataclass(frozen=True)
class NpsPanel:
    current: stats.NpsSummary
    previous: stats.NpsSummary
    benchmark: int | None

    @property
    def change(self) -> float | None:
        if self.current.nps is None or self.previous.nps is None:
            return None
        return self.current.nps - self.previous.nps

    @property
    def change_is_significant(self) -> bool:
        return stats.difference_is_significant(self.previous, self.current)


def nps_panel(selection: Selection) -> NpsPanel:
    """This period and the one before, in one query."""
    before = selection.previous()
    window = Response.objects.counted().filter(
        survey=selection.survey, submitted_at__gte=before.start, submitted_at__lt=selection.end
    )
    if selection.segment:
        window = window.filter(segment=selection.segment)
    now_q, then_q = Q(submitted_at__gte=selection.start), Q(submitted_at__lt=selection.start)
    row = window.aggregate(
        **{
            f"{when}_{key}": Count("category", filter=count.filter & period)
            for when, period in (("now", now_q), ("then", then_q))
            for key, count in CATEGORY_COUNTS.items()
        }
    )
    return NpsPanel(
        current=_summary({k: row[f"now_{k}"] for k in CATEGORY_COUNTS}),
        previous=_summary({k: row[f"then_{k}"] for k in CATEGORY_COUNTS}),
        benchmark=selection.survey.benchmark_nps,
    )


def distribution(selection: Selection) -> list[int]:
    """How many answers gave each score 0..10: one ``GROUP BY score`` (read
    from the ``response_report`` index), not a filtered count per score, which
    evaluates eleven filters on every row."""
    counts = dict(selection.responses().values_list("score").annotate(n=Count("*")).order_by())
    return [counts.get(score, 0) for score in range(11)]


def response_rate(selection: Selection) -> dict:
    """Invitations sent in the period, and how many of them were answered."""
    invitations = Invitation.objects.filter(
        survey=selection.survey, created_at__gte=selection.start, created_at__lt=selection.end
    )
    if selection.segment:
        invitations = invitations.filter(customer__segment=selection.segment)
    row = invitations.aggregate(invited=Count("*"), answered=Count("responded_at"))
    row["rate"] = 100.0 * row["answered"] / row["invited"] if row["invited"] else None
    return row


def trend(selection: Selection, *, by: str = "month") -> list[tuple[datetime, stats.NpsSummary]]:
    """NPS per month (or week), each with its interval."""
    trunc = {"month": TruncMonth, "week": TruncWeek}[by]("submitted_at")
    rows = (
        selection.responses()
        .annotate(period=trunc)
        .values("period")
        .annotate(**CATEGORY_COUNTS)
        .order_by("period")
    )
    return [(row["period"], _summary(row)) for row in rows]


def by_segment(selection: Selection) -> list[tuple[str, stats.NpsSummary]]:
    """NPS per segment at answer time ("" for answers without one)."""
    rows = selection.responses().values("segment").annotate(**CATEGORY_COUNTS).order_by("segment")
    return [(row["segment"], _summary(row)) for row in rows]


def segments_apart(
    segments: list[tuple[str, stats.NpsSummary]], *, rate: float = 0.05
) -> list[str]:
    """For each segment, "above" or "below" when its NPS differs from the
    other segments' together beyond the noise, else "". With many segments
    some would differ by chance alone, so the calls control the false-discovery
    rate (Benjamini-Hochberg at ``rate``) over all of them."""
    everyone = [sum(getattr(s, part) for _n, s in segments) for part in _PARTS]
    p_values, directions = [], []
    for _name, summary in segments:
        rest = stats.NpsSummary(
            *(total - getattr(summary, part) for total, part in zip(everyone, _PARTS, strict=True))
        )
        p_values.append(stats.nps_difference(summary, rest).p_value)
        directions.append("above" if summary.adjusted_nps > rest.adjusted_nps else "below")
    called = stats.false_discoveries_controlled(p_values, rate)
    return [direction if flag else "" for direction, flag in zip(directions, called, strict=True)]


_PARTS = ("promoters", "passives", "detractors")


# --- The loop -----------------------------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate: percentile_cont(p) WITHIN GROUP."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


class Epoch(Func):
    """Seconds in an interval (PostgreSQL)."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def _interpolated(values: list[float], fraction: float) -> float | None:
    """percentile_cont's definition: linear between the two nearest ranks."""
    if not values:
        return None
    values = sorted(values)
    position = (len(values) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)


def _took(start: str, end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _percentile_aggregates(prefix: str, start: str, end: str, fractions) -> dict:
    """PostgreSQL aggregates for the percentiles of ``end - start`` in seconds.
    Ordered-set aggregates skip NULLs, so rows where either is unset drop out
    without a filter, and these can share a query with other aggregates."""
    seconds = Epoch(_took(start, end))
    return {
        f"{prefix}{i}": PercentileCont(seconds, fraction) for i, fraction in enumerate(fractions)
    }


def _hours(row: dict, prefix: str, fractions) -> list[float | None]:
    values = [row.pop(f"{prefix}{i}") for i in range(len(fractions))]
    return [None if value is None else value / 3600 for value in values]


def duration_percentiles(
    queryset: QuerySet, start: str, end: str, fractions=(0.5, 0.9)
) -> list[float | None]:
    """Percentiles of ``end - start`` in hours over the rows where both are set."""
    if connection.vendor == "postgresql":
        row = queryset.aggregate(**_percentile_aggregates("p", start, end, fractions))
        return _hours(row, "p", fractions)
    rows = queryset.filter(**{f"{start}__isnull": False, f"{end}__isnull": False})
    durations = rows.annotate(took=_took(start, end)).values_list("took", flat=True)
    hours = [took.total_seconds() / 3600 for took in durations]
    return [_interpolated(hours, fraction) for fraction in fractions]


@dataclass(frozen=True)
class LoopKpis:
    cases: int
    contacted: int
    contacted_within_sla: int
    open: int
    overdue: int
    first_contact_hours: list[float | None]  # median, p90
    resolution_hours: list[float | None]  # median, p90

    @property
    def within_sla_pct(self) -> float | None:
        return 100.0 * self.contacted_within_sla / self.cases if self.cases else None


def loop_kpis(
    selection: Selection | None, *, cases: QuerySet | None = None, now: datetime | None = None
) -> LoopKpis:
    """How fast the loop closes. ``cases`` narrows the selection's cases (a
    staff member's own numbers), or stands for them (a department's cases)."""
    now = now or timezone.now()
    if cases is None:
        assert selection is not None  # noqa: S101 - one of the two is given
        cases = selection.cases()
    fractions = (0.5, 0.9)
    aggregates = {
        "cases": Count("pk"),
        "contacted": Count("pk", filter=Q(first_contact_at__isnull=False)),
        "contacted_within_sla": Count("pk", filter=Q(first_contact_at__lte=F("due_at"))),
        "open": Count("pk", filter=FollowUpCase.open_q()),
        "overdue": Count("pk", filter=FollowUpCase.overdue_q(now)),
    }
    if connection.vendor != "postgresql":
        return LoopKpis(
            **cases.aggregate(**aggregates),
            first_contact_hours=duration_percentiles(cases, "created_at", "first_contact_at"),
            resolution_hours=duration_percentiles(cases, "created_at", "resolved_at"),
        )
    # One pass over the cases for the counts and all four percentiles.
    aggregates |= _percentile_aggregates("contact", "created_at", "first_contact_at", fractions)
    aggregates |= _percentile_aggregates("resolution", "created_at", "resolved_at", fractions)
    row = cases.aggregate(**aggregates)
    return LoopKpis(
        first_contact_hours=_hours(row, "contact", fractions),
        resolution_hours=_hours(row, "resolution", fractions),
        **row,
    )


# The case panels count by owner or root cause id, the way a hand-written
# query would (in parallel when PostgreSQL has a spare core), then name the
# dozen groups with one lookup by primary key, rather than joining the user or
# root cause to every case and grouping by its name: that join and the
# grouping on text cost a third of the query on a year of cases. (A name
# subquery per group keeps it one query but makes the aggregate parallel-
# restricted: it measured no faster than the join.) Sorted here, names in
# Python's order, unassigned last.


def _names(model, ids, fields: tuple[str, ...]) -> dict:
    """``fields`` of the rows with these primary keys, in one query even when
    there are none (every group unassigned), so the page's query count does
    not depend on the data: ``pk IS NULL`` is never true but keeps Django from
    answering an empty ``IN`` without asking the database."""
    wanted = sorted({pk for pk in ids if pk is not None})
    rows = model.objects.filter(Q(pk__in=wanted) | Q(pk__isnull=True)).order_by()
    return {row["pk"]: row for row in rows.values("pk", *fields)}


def cases_by_owner(selection: Selection, *, now: datetime | None = None) -> list[dict]:
    """Open, overdue and resolved cases per owner (``owner`` the user's id,
    ``owner__username`` None: unassigned), most overdue first, then most open, then by username."""
    now = now or timezone.now()
    counts = list(
        selection.cases()
        .values("owner")
        .annotate(
            open=Count("pk", filter=FollowUpCase.open_q()),
            overdue=Count("pk", filter=FollowUpCase.overdue_q(now)),
            resolved=Count("resolved_at"),
        )
        .order_by()
    )
    fields = ("username", "first_name", "last_name")
    owners = _names(get_user_model(), [row["owner"] for row in counts], fields)
    nobody = dict.fromkeys(fields)
    rows = [
        {
            "owner": row["owner"],
            **{f"owner__{name}": owners.get(row["owner"], nobody)[name] for name in fields},
            "open": row["open"],
            "overdue": row["overdue"],
            "resolved": row["resolved"],
        }
        for row in counts
    ]
    rows.sort(
        key=lambda row: (
            -row["overdue"],
            -row["open"],
            row["owner__username"] is None,
            row["owner__username"] or "",
        )
    )
    return rows


def _cause_counts(cases: QuerySet, *keys) -> list[dict]:
    """Cases per root cause (and ``keys``), each row with the cause's id
    (``root_cause``) and ``root_cause__name``."""
    counts = list(
        cases.filter(root_cause__isnull=False)
        .values("root_cause", *keys)
        .annotate(count=Count("*"))
        .order_by()
    )
    names = _names(RootCause, {row["root_cause"] for row in counts}, ("name",))
    return [
        {
            **{key: row[key] for key in keys},
            "root_cause": row["root_cause"],
            "root_cause__name": names[row["root_cause"]]["name"],
            "count": row["count"],
        }
        for row in counts
    ]


def root_causes(
    selection: Selection, *, cases: QuerySet | None = None, limit: int = 10
) -> list[dict]:
    """The most frequent root causes of the period's cases, most cases first;
    ``cases`` narrows the selection's cases (a staff member's own)."""
    rows = _cause_counts(selection.cases() if cases is None else cases)
    rows.sort(key=lambda row: (-row["count"], row["root_cause__name"]))
    return rows[:limit]


def root_cause_trend(selection: Selection) -> list[dict]:
    """Cases per month and root cause."""
    rows = _cause_counts(selection.cases().annotate(period=TruncMonth("created_at")), "period")
    rows.sort(key=lambda row: (row["period"], row["root_cause__name"]))
    return rows


def grants(selection: Selection) -> dict:
    """Offers and rewards issued and redeemed for answers in the period, and
    how many were redeemed within their window (by their expiry).

    Grants carry their survey, so without a segment the rows are found by the
    ``*grant_report`` index (survey, created_at, status); "within the window"
    compares two dates of the row, so it reads the rows too."""
    result = {}
    for name, model in (("offers", OfferGrant), ("rewards", RewardGrant)):
        redeemed = Q(status=GrantStatus.REDEEMED)
        result[name] = _grants_of(model, selection).aggregate(
            issued=Count("status"),
            redeemed=Count("status", filter=redeemed),
            # Redeemed before the code expired (checkout refuses later ones;
            # codes marked redeemed by hand before that rule may not be).
            redeemed_in_time=Count("status", filter=redeemed & Q(redeemed_at__lte=F("expires_at"))),
        )
    return result


def _grants_of(model, selection: Selection) -> QuerySet:
    queryset = model.objects.filter(
        survey=selection.survey,
        created_at__gte=selection.start,
        created_at__lt=selection.end,
    )
    if selection.segment:
        queryset = queryset.filter(response__segment=selection.segment)
    return queryset


def reward_tracking(selection: Selection) -> dict:
    """What the period's promoters did with their reward's tracked link and
    referral code: grants clicked at least once, clicks (prefetches by mail
    scanners not counted) and orders placed with their referral codes."""
    grants = _grants_of(RewardGrant, selection)
    return {
        "clicked": grants.filter(first_clicked_at__isnull=False).count(),
        "clicks": LinkClick.objects.filter(grant__in=grants.values("pk"), prefetch="").count(),
        "uses": ReferralUse.objects.filter(grant__in=grants.values("pk")).count(),
    }


def rewards_tracked(selection: Selection) -> list[Reward]:
    """Per reward granted in the period: its grants, grants clicked, clicks
    and referral uses (``rewards_with_tracking``'s figures), most grants first."""
    grants = _grants_of(RewardGrant, selection)
    rewards = Reward.objects.filter(pk__in=grants.values("reward"))
    return list(rewards_with_tracking(rewards, grants).order_by("-grant_count", "name"))


def default_selection(survey: Survey, *, days: int = 90, now: datetime | None = None) -> Selection:
    now = now or timezone.now()
    return Selection(survey=survey, start=now - timedelta(days=days), end=now)


# --- The outer loop -------------------------------------------------------------


@dataclass(frozen=True)
class ActionEffect:
    action: object
    before: stats.NpsSummary
    after: stats.NpsSummary

    @property
    def change(self) -> float | None:
        if self.before.nps is None or self.after.nps is None:
            return None
        return self.after.nps - self.before.nps

    @property
    def is_significant(self) -> bool:
        return stats.difference_is_significant(self.before, self.after)

    @property
    def sides(self) -> tuple[tuple[str, stats.NpsSummary], ...]:
        return (("before", self.before), ("after", self.after))


def action_effects(actions, *, window_days: int = 90, now: datetime | None = None):
    """NPS in the action's target segment for ``window_days`` before and after
    it took effect (the after window ends at ``now`` while it is still open),
    for every action, in one query.

    The query is a ``UNION ALL`` of one small aggregate per window, each a
    range scan of the ``response_report`` (or ``response_report_segment``)
    index, so it reads only the windows' rows, once per window. (One pass over
    every window's rows with a ``FILTER`` per action, window and category costs
    several times as much: PostgreSQL evaluates every filter on every row, and
    JIT-compiles them on each call.) Always computed live: answers excluded as
    spam later, or an edited action, change the figures as they change every
    other panel."""
    now = now or timezone.now()
    actions = [a for a in actions if a.effective_from is not None]
    if not actions:
        return []
    window = timedelta(days=window_days)
    windows = []
    for action in actions:
        scope = Response.objects.counted().filter(survey_id=action.survey_id)
        if action.target_segment:
            scope = scope.filter(segment=action.target_segment)
        periods = (
            ("before", action.effective_from - window, action.effective_from),
            ("after", action.effective_from, min(action.effective_from + window, now)),
        )
        for name, start, end in periods:
            windows.append(
                scope.filter(submitted_at__gte=start, submitted_at__lt=end)
                .annotate(window=Value(f"{action.pk}:{name}"))
                .values("window")
                .annotate(**CATEGORY_COUNTS)
                .order_by()
            )
    rows = {row["window"]: row for row in windows[0].union(*windows[1:], all=True)}
    return [
        ActionEffect(
            action=action,
            before=_summary(rows[f"{action.pk}:before"]),
            after=_summary(rows[f"{action.pk}:after"]),
        )
        for action in actions
    ]


# The same rules, for the departments report (followups.reporting.departments).
summary_of = _summary
cause_counts = _cause_counts
