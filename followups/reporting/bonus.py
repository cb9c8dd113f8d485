"""Did the bonus for non-responders work: the response rate of reminders with
and without it, per wave and in all, each with its interval, and the
difference with its own.

A reminder counts as answered when its first answer came within its window
(the same window for both arms, so the comparison is fair). The arms are
drawn at random per reminder (``followups.invitations.bonus``), so a wave's
two rates differ by the bonus and by chance alone; the interval of the
difference says how much chance could do."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.db.models import Count
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from followups.models import BonusArm, ReminderBonusAssignment
from followups.reporting import links
from followups.reporting.reports import Selection
from surveys import stats
from surveys.models import Wave


@dataclass(frozen=True)
class BonusComparison:
    """One wave's reminders (or all of them): answered of reminded, by arm."""

    label: str
    wave_id: int | None
    with_bonus: stats.Rate
    without_bonus: stats.Rate
    granted: int
    # The admin lists behind the numbers: {"with": {"reminded", "answered"},
    # "without": {...}, "granted"}.
    links: dict
    # The total's waves, each (with, without): its difference is theirs
    # combined wave by wave, never the pooled rates' (``difference``).
    waves: tuple[tuple[stats.Rate, stats.Rate], ...] = ()

    @property
    def sides(self) -> tuple[tuple[str, stats.Rate, dict], ...]:
        """Each arm: its name, its rate and the lists behind its numbers."""
        return (
            ("with", self.with_bonus, self.links["with"]),
            ("without", self.without_bonus, self.links["without"]),
        )

    @property
    def difference(self) -> dict:
        """With minus without, in points. For the total, stratified by wave
        (Mantel-Haenszel): waves reminded at different shares and answering
        at different base rates would otherwise show a bonus that did
        nothing as a gain (or hide one that worked)."""
        if self.waves:
            return stats.stratified_rate_difference(self.waves)
        return stats.rate_difference(self.with_bonus, self.without_bonus)

    def as_dict(self) -> dict:
        return {
            "wave": self.wave_id,
            "label": self.label,
            "with_bonus": self.with_bonus.as_dict(),
            "without_bonus": self.without_bonus.as_dict(),
            "difference": self.difference,
            "granted": self.granted,
        }


def _assignments(selection: Selection):
    queryset = ReminderBonusAssignment.objects.filter(
        survey=selection.survey,
        reminded_at__gte=selection.start,
        reminded_at__lt=selection.end,
    )
    if selection.segment:
        queryset = queryset.filter(customer__segment=selection.segment)
    return queryset


def reminder_bonus_comparison(selection: Selection) -> list[BonusComparison]:
    """Per wave reminded in the period (newest first; reminders of invitations
    sent outside a wave together), then the total last. Empty when no reminder
    of the period was under a bonus. One grouped query and one for the waves."""
    in_window = ReminderBonusAssignment.answered_in_window_q()
    rows = (
        _assignments(selection)
        .values("wave_id", "arm")
        .annotate(
            reminded=Count("pk"), answered=Count("pk", filter=in_window), granted=Count("grant")
        )
        .order_by()
    )
    counts: dict[int | None, dict[str, tuple[int, int, int]]] = {}
    for row in rows:
        counts.setdefault(row["wave_id"], {})[row["arm"]] = (
            row["answered"],
            row["reminded"],
            row["granted"],
        )
    if not counts:
        return []
    waves: dict[int | None, Wave] = {
        wave.pk: wave
        for wave in Wave.objects.filter(pk__in=[pk for pk in counts if pk is not None])
    }
    # Newest wave first; reminders outside a wave after the waves.
    order = sorted(
        counts, key=lambda pk: (pk is None, -waves[pk].started_at.timestamp() if pk else 0)
    )
    comparisons = [
        _comparison(selection, _label(waves.get(pk)), pk, counts[pk], total=False) for pk in order
    ]
    total: dict[str, tuple[int, int, int]] = {}
    for arms in counts.values():
        for arm, (answered, reminded, granted) in arms.items():
            was = total.get(arm, (0, 0, 0))
            total[arm] = (was[0] + answered, was[1] + reminded, was[2] + granted)
    everything = _comparison(selection, _("All reminders"), None, total, total=True)
    strata = tuple((row.with_bonus, row.without_bonus) for row in comparisons)
    comparisons.append(dataclasses.replace(everything, waves=strata))
    return comparisons


def _label(wave: Wave | None) -> str:
    if wave is None:
        return _("Not in a wave")
    started = formats.date_format(timezone.localtime(wave.started_at), "SHORT_DATE_FORMAT")
    return _("Wave of %(started)s") % {"started": started}


def _comparison(
    selection: Selection, label: str, wave_id, arms: dict[str, tuple[int, int, int]], *, total
) -> BonusComparison:
    answered_with, reminded_with, granted = arms.get(BonusArm.WITH, (0, 0, 0))
    answered_without, reminded_without, _granted = arms.get(BonusArm.WITHOUT, (0, 0, 0))
    return BonusComparison(
        label=label,
        wave_id=wave_id,
        with_bonus=stats.Rate(answered_with, reminded_with),
        without_bonus=stats.Rate(answered_without, reminded_without),
        granted=granted,
        links=_links(selection, wave_id, total=total),
    )


def _links(selection: Selection, wave_id: int | None, *, total: bool) -> dict:
    def rows(**filters) -> str:
        return links.bonus_reminders(selection, wave_id, total=total, **filters)

    return {
        **{
            side: {
                "reminded": rows(arm__exact=arm),
                "answered": rows(arm__exact=arm, answered="in_window"),
            }
            for side, arm in (("with", BonusArm.WITH), ("without", BonusArm.WITHOUT))
        },
        "granted": rows(granted="yes"),
    }
