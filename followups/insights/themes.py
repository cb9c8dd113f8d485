"""Themes of customers' comments, per survey and period: computed from the
period's comments (``theme_clusters``), joined to the themes of earlier
periods, stored with their figures, and read back for the dashboard, the
report API, the digest and the exports.

What is learned from what: only the comments of one survey's period, each
time afresh; nothing leaves the database, and ``NPS_THEMES_ENABLED=False``
stops the computation and hides every view of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from followups.insights.theme_clusters import Cluster, cluster_comments, similarity
from followups.models import ResponseTheme, Theme, ThemeComputation, ThemePeriod
from followups.publish import tasks_publish_on_commit
from followups.webhooks.emit import Event, webhook_event_emit
from surveys import stats
from surveys.departments import in_departments
from surveys.models import Response, Survey

COMPUTE_SURVEY_THEMES = "followups.compute_survey_themes"
WEEK = ThemePeriod.Kind.WEEK
MONTH = ThemePeriod.Kind.MONTH
_WEEK_NAME = re.compile(r"^(\d{4})-W(\d{2})$", re.ASCII)
_MONTH_NAME = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)


def enabled() -> bool:
    return bool(settings.NPS_THEMES_ENABLED)


@dataclass(frozen=True)
class Period:
    """A calendar week (ISO, Monday first) or month: ``start`` inclusive,
    ``end`` the first day after it."""

    kind: str
    start: date
    end: date

    @classmethod
    def containing(cls, day: date, kind: str) -> Period:
        if kind == MONTH:
            start = day.replace(day=1)
            end = (start + timedelta(days=32)).replace(day=1)
            return cls(MONTH, start, end)
        start = day - timedelta(days=day.weekday())
        return cls(WEEK, start, start + timedelta(days=7))

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026-W09`` (an ISO week) or ``2026-03`` (a month); ValueError
        saying what is expected otherwise."""
        text = text.strip()
        year = text[:4]
        try:
            if not year.isascii() or not year.isdecimal() or not 1900 <= int(year) <= 2999:
                raise ValueError(year)
            if match := _WEEK_NAME.match(text):
                day = date.fromisocalendar(int(match[1]), int(match[2]), 1)
                return cls.containing(day, WEEK)
            if match := _MONTH_NAME.match(text):
                return cls.containing(date(int(match[1]), int(match[2]), 1), MONTH)
        except ValueError:
            pass
        raise ValueError(
            f"“{text}” is not a period: write a week as 2026-W09 or a month as 2026-03."
        )

    @property
    def name(self) -> str:
        if self.kind == MONTH:
            return f"{self.start:%Y-%m}"
        year, week, _day = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def previous(self) -> Period:
        return Period.containing(self.start - timedelta(days=1), self.kind)

    def bounds(self) -> tuple[datetime, datetime]:
        """Midnight at its start and end, in the current time zone."""
        return tuple(  # type: ignore[return-value]  # exactly two
            timezone.make_aware(datetime.combine(day, time.min)) for day in (self.start, self.end)
        )


def period_kind() -> str:
    return MONTH if settings.NPS_THEMES_PERIOD == MONTH else WEEK


def last_closed_period(*, now: datetime, kind: str | None = None) -> Period:
    return Period.containing(timezone.localdate(now), kind or period_kind()).previous()


def comments_of(survey: Survey, period: Period):
    """The answers whose comments make a period's themes: with a comment, of a
    customer not erased, counted in statistics, in the period."""
    start, end = period.bounds()
    return (
        Response.objects.counted()
        .filter(
            survey=survey,
            survey__kind=Survey.Kind.CUSTOMER,  # employees' comments stay in their report
            submitted_at__gte=start,
            submitted_at__lt=end,
        )
        .exclude(comment="")
        .filter(customer__erased_at__isnull=True)
        .order_by("pk")
    )


def _centroid_json(centroid: dict[int, float]) -> dict:
    return {"i": list(centroid), "v": [round(value, 5) for value in centroid.values()]}


def _centroid(stored: dict) -> dict[int, float]:
    return dict(zip(stored.get("i", []), stored.get("v", []), strict=True))


def _matches(clusters: list[Cluster], recent: list[ThemePeriod]) -> dict[int, Theme]:
    """Cluster index -> the earlier theme it continues: the most similar
    pairs first, each theme taken once, only above the threshold."""
    pairs = sorted(
        (
            (similarity(cluster.centroid, _centroid(row.centroid)), index, row.theme_id)
            for index, cluster in enumerate(clusters)
            for row in recent
        ),
        key=lambda pair: (-pair[0], pair[1], pair[2]),
    )
    themes = {row.theme_id: row.theme for row in recent}
    chosen: dict[int, Theme] = {}
    for score, index, theme_id in pairs:
        if score < settings.NPS_THEMES_MATCH_SIMILARITY:
            break
        if index in chosen or theme_id in {theme.pk for theme in chosen.values()}:
            continue
        chosen[index] = themes[theme_id]
    return chosen


def _recent_periods(survey: Survey, period: Period) -> list[ThemePeriod]:
    """Each earlier theme's latest period within the matching window."""
    window = period.start - timedelta(
        days=(31 if period.kind == MONTH else 7) * settings.NPS_THEMES_MATCH_PERIODS
    )
    rows = (
        ThemePeriod.objects.filter(
            theme__survey=survey, kind=period.kind, start__lt=period.start, start__gte=window
        )
        .select_related("theme")
        .order_by("theme_id", "-start")
    )
    latest: dict[int, ThemePeriod] = {}
    for row in rows:  # a few themes per period in the window: no DISTINCT ON needed
        latest.setdefault(row.theme_id, row)
    return list(latest.values())


def _is_growing(share: float, before: float) -> bool:
    return (
        share - before >= settings.NPS_THEMES_GROWTH_POINTS
        and share >= settings.NPS_THEMES_GROWTH_RATIO * before
    )


def themes_compute(*, survey: Survey, period: Period, now: datetime | None = None) -> list[int]:
    """Compute (or compute again) ``survey``'s themes of ``period``; returns
    the ids of the stored ``ThemePeriod`` rows. Safe to run twice: the
    survey's row lock orders concurrent runs, and a run replaces the last."""
    if not enabled():
        return []
    now = now or timezone.now()
    answers = list(comments_of(survey, period).values_list("pk", "comment", "category"))
    clustering = cluster_comments(
        [comment for _pk, comment, _category in answers],
        max_themes=settings.NPS_THEMES_MAX,
        min_answers=settings.NPS_THEMES_MIN_ANSWERS,
        max_clustered=settings.NPS_THEMES_MAX_CLUSTERED,
    )
    with transaction.atomic():
        Survey.objects.select_for_update().filter(pk=survey.pk).first()
        ThemePeriod.objects.filter(
            theme__survey=survey, kind=period.kind, start=period.start
        ).delete()
        Theme.objects.filter(survey=survey, name="", periods__isnull=True).delete()
        ResponseTheme.objects.filter(response_id__in=[pk for pk, _c, _k in answers]).delete()
        recent = _recent_periods(survey, period)
        has_history = ThemePeriod.objects.filter(
            theme__survey=survey, kind=period.kind, start__lt=period.start
        ).exists()
        before = {
            row.theme_id: row.share
            for row in ThemePeriod.objects.filter(
                theme__survey=survey, kind=period.kind, start=period.previous().start
            )
        }
        matched = _matches(clustering.clusters, recent)
        rows = []
        for index, cluster in enumerate(clustering.clusters):
            rows.append(
                _period_store(
                    survey=survey,
                    period=period,
                    cluster=cluster,
                    theme=matched.get(index),
                    answers=answers,
                    before=before,
                    has_history=has_history,
                    now=now,
                )
            )
        _, first = ThemeComputation.objects.update_or_create(
            survey=survey,
            kind=period.kind,
            start=period.start,
            defaults={"computed_at": now, "comments": len(answers), "stale": False},
        )
        if first:
            # Once per survey and period: a computation run again (by hand,
            # or after an erasure) updates the rows, not the subscribers.
            _computed_report(survey=survey, period=period, rows=rows, now=now)
    return [row.pk for row in rows]


def _period_store(
    *, survey, period, cluster, theme, answers, before, has_history, now
) -> ThemePeriod:
    categories = [answers[i][2] for i in cluster.members]
    share = 100.0 * len(cluster.members) / len(answers)
    found = theme is None
    if theme is None:
        theme = Theme.objects.create(
            survey=survey, words=cluster.words, words_label=Theme.label_of(cluster.words)
        )
    else:
        theme.words, theme.words_label = cluster.words, Theme.label_of(cluster.words)
        theme.save(update_fields=["words", "words_label"])
    row = ThemePeriod.objects.create(
        theme=theme,
        kind=period.kind,
        start=period.start,
        end=period.end,
        centroid=_centroid_json(cluster.centroid),
        words=cluster.words,
        answers=len(cluster.members),
        share=round(share, 2),
        promoters=categories.count(stats.PROMOTER),
        passives=categories.count(stats.PASSIVE),
        detractors=categories.count(stats.DETRACTOR),
        is_new=has_history and found,
        is_growing=has_history and theme.pk in before and _is_growing(share, before[theme.pk]),
        computed_at=now,
    )
    ResponseTheme.objects.bulk_create(
        ResponseTheme(response_id=answers[i][0], theme=theme, period=row) for i in cluster.members
    )
    return row


def summary_of(row: ThemePeriod) -> stats.NpsSummary:
    return stats.NpsSummary(
        promoters=row.promoters,
        passives=row.passives,
        detractors=row.detractors,
        min_sample=settings.NPS_MIN_SAMPLE,
    )


def period_as_dict(row: ThemePeriod) -> dict:
    """One theme's period as the API, the webhook and the exports show it."""
    summary = summary_of(row)
    low, high = summary.confidence_interval or (None, None)
    return {
        "id": row.theme_id,
        "name": row.theme.name,
        "label": row.theme.label,
        "words": row.words,
        "answers": row.answers,
        "share": row.share,
        "nps": _round(summary.nps),
        "confidence_interval": {"low": _round(low), "high": _round(high)},
        "promoters": row.promoters,
        "passives": row.passives,
        "detractors": row.detractors,
        "new": row.is_new,
        "growing": row.is_growing,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _computed_report(*, survey: Survey, period: Period, rows: list[ThemePeriod], now) -> None:
    webhook_event_emit(
        Event(
            "themes.computed",
            f"{survey.pk}:{period.kind}:{period.name}",
            now,
            {
                "survey": survey,
                "period": {
                    "kind": period.kind,
                    "name": period.name,
                    "start": period.start,
                    "end": period.end,
                },
                "themes": [period_as_dict(row) for row in rows],
            },
            survey_id=survey.pk,
        )
    )


def due_surveys(*, period: Period) -> list[int]:
    """The surveys whose ``period`` has comments and no computation yet."""
    done = ThemeComputation.objects.filter(kind=period.kind, start=period.start).values("survey_id")
    # Employee surveys' answers are not Responses, and their themes would
    # bypass the minimum group: customer surveys only.
    return [
        survey.pk
        for survey in Survey.objects.filter(kind=Survey.Kind.CUSTOMER)
        .exclude(status=Survey.Status.DRAFT)
        .exclude(pk__in=done)
        .order_by("pk")
        if comments_of(survey, period).exists()
    ]


def due_themes_compute(*, now: datetime | None = None) -> int:
    """Ask for the last closed period's themes of every survey not yet
    computed for it (beat, daily: a period closes, its themes follow by the
    next run): one task per survey, published on commit. Returns how many."""
    if not enabled():
        return 0
    now = now or timezone.now()
    period = last_closed_period(now=now)
    due = [(survey_id, period.name) for survey_id in due_surveys(period=period)]
    # Periods an erasure took answers out of: computed again without them.
    due += [
        (survey_id, Period.containing(start, kind).name)
        for survey_id, kind, start in ThemeComputation.objects.filter(stale=True)
        .order_by("pk")
        .values_list("survey_id", "kind", "start")
    ]
    if due:
        tasks_publish_on_commit(COMPUTE_SURVEY_THEMES, due, what="theme computation task(s)")
    return len(due)


def survey_themes_compute(*, survey_id: int, period_name: str) -> list[int]:
    """One survey's themes of one period, unless already computed (the
    task's service: safe to run twice)."""
    period = Period.parse(period_name)
    survey = Survey.objects.filter(pk=survey_id, kind=Survey.Kind.CUSTOMER).first()
    if (
        survey is None
        or ThemeComputation.objects.filter(
            survey=survey, kind=period.kind, start=period.start, stale=False
        ).exists()
    ):
        return []
    return themes_compute(survey=survey, period=period)


# Reading -----------------------------------------------------------------


def latest_period(survey: Survey, *, kind: str | None = None, before: date | None = None):
    """The latest computed period of ``survey`` (starting before ``before``), or None."""
    kind = kind or period_kind()
    rows = ThemePeriod.objects.filter(theme__survey=survey, kind=kind)
    if before is not None:
        rows = rows.filter(start__lt=before)
    start = rows.order_by("-start").values_list("start", flat=True).first()
    return Period.containing(start, kind) if start else None


def theme_rows(survey: Survey, period: Period, *, trend_periods: int = 8) -> list[dict]:
    """Each theme of ``survey``'s ``period``, largest first, with its trend:
    its share and NPS in up to ``trend_periods`` periods up to this one."""
    rows = list(
        ThemePeriod.objects.filter(theme__survey=survey, kind=period.kind, start=period.start)
        .select_related("theme")
        .order_by("-share", "theme_id")
    )
    starts = [period.start]
    for _i in range(trend_periods - 1):
        starts.insert(0, Period.containing(starts[0] - timedelta(days=1), period.kind).start)
    history: dict[int, dict[date, ThemePeriod]] = {}
    for past in ThemePeriod.objects.filter(
        theme_id__in=[row.theme_id for row in rows], kind=period.kind, start__in=starts
    ):
        history.setdefault(past.theme_id, {})[past.start] = past
    result = []
    for row in rows:
        summary = summary_of(row)
        seen = history.get(row.theme_id, {})
        result.append(
            {
                "row": row,
                "theme": row.theme,
                "summary": summary,
                "interval": summary.confidence_interval,
                "trend": [(start, seen[start].share if start in seen else 0.0) for start in starts],
                **period_as_dict(row),
            }
        )
    return result


def digest_themes(*, now: datetime, reader=None) -> list[dict]:
    """Per customer survey (of ``reader``'s departments, when given), its
    latest period's new and fast-growing themes."""
    if not enabled():
        return []
    found = []
    surveys = Survey.objects.filter(kind=Survey.Kind.CUSTOMER).exclude(status=Survey.Status.DRAFT)
    if reader is not None:
        surveys = in_departments(reader, surveys)
    for survey in surveys.order_by("name"):
        period = latest_period(survey, before=timezone.localdate(now))
        if period is None or period.end < timezone.localdate(now) - timedelta(days=35):
            continue
        rows = [row for row in theme_rows(survey, period) if row["new"] or row["growing"]]
        if rows:
            found.append({"survey": survey, "period": period, "themes": rows})
    return found


def answers_link(theme_period_id: int) -> str:
    """The admin list of the answers a theme grouped in one period."""
    return (
        reverse("admin:surveys_response_changelist")
        + f"?theme_assignment__period__id__exact={theme_period_id}"
    )


def response_theme(response_id: int) -> dict | None:
    """The theme of one answer (the latest computation that included it)."""
    if not enabled():
        return None
    assignment = (
        ResponseTheme.objects.filter(response_id=response_id).select_related("theme").first()
    )
    return theme_of_assignment(assignment)


def theme_of_assignment(assignment: ResponseTheme | None) -> dict | None:
    if assignment is None:
        return None
    return {"id": assignment.theme_id, "label": assignment.theme.label}


def theme_rename(*, theme: Theme, name: str) -> bool:
    """Give ``theme`` a name (empty: shown by its words again). Returns
    whether the name changed."""
    name = " ".join(name.split())[: Theme._meta.get_field("name").max_length]
    changed = Theme.objects.filter(pk=theme.pk).exclude(name=name).update(name=name)
    theme.name = name
    return bool(changed)
