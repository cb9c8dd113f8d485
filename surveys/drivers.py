"""The driver question's statistics: per choice, how often detractors,
passives and promoters chose it, and the NPS of those who did."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from . import stats
from .models import DriverChoice, Survey

_COUNTS = {
    "detractors": Count("category", filter=Q(category=stats.DETRACTOR)),
    "passives": Count("category", filter=Q(category=stats.PASSIVE)),
    "promoters": Count("category", filter=Q(category=stats.PROMOTER)),
}


@dataclass(frozen=True)
class DriverRow:
    choice: DriverChoice
    summary: stats.DriverSummary

    def as_dict(self, language: str = "en") -> dict:
        return {
            "key": self.choice.key,
            "label": self.choice.label_for(language),
            "active": self.choice.active,
            **self.summary.as_dict(),
        }


def driver_report(*, survey: Survey, responses: QuerySet) -> list[DriverRow]:
    """Every choice of ``survey``'s driver question (inactive ones too, for
    the answers they still hold) with its counts among ``responses`` (answers
    of that survey, already narrowed to a period or segment), in the choices'
    order. Answers excluded from statistics are left out. One GROUP BY."""
    # Every caller passes answers of Response.objects (a ResponseQuerySet).
    counted = responses.counted().filter(  # type: ignore[attr-defined]
        survey=survey, driver__isnull=False
    )
    rows = {
        row["driver"]: row
        for row in counted.values("driver").annotate(**_COUNTS).order_by("driver")
    }
    answered = _summary({group: sum(row[group] for row in rows.values()) for group in stats.GROUPS})
    empty = dict.fromkeys(stats.GROUPS, 0)
    return [
        DriverRow(choice, stats.DriverSummary(_summary(rows.get(choice.pk, empty)), answered))
        for choice in DriverChoice.objects.filter(survey=survey)
        if choice.active or choice.pk in rows
    ]


def _summary(counts: dict) -> stats.NpsSummary:
    return stats.NpsSummary(
        promoters=counts["promoters"],
        passives=counts["passives"],
        detractors=counts["detractors"],
        min_sample=settings.NPS_MIN_SAMPLE,
    )
