"""Each panel of the dashboard as a CSV file: the figures it shows, with the
intervals and sample sizes behind them, for a manager's own slides or sheets."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from surveys import enps
from surveys.exports import BOM, csv_writer

INTERVAL = ("nps", "ci_low", "ci_high", "answers")


def _nps(summary) -> tuple:
    low, high = summary.confidence_interval or (None, None)
    return (_round(summary.nps), _round(low), _round(high), summary.total)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _trend(page: dict) -> Iterator[tuple]:
    yield ("period", *INTERVAL, "promoters", "passives", "detractors")
    for period, summary in page["trend"]:
        counts = (summary.promoters, summary.passives, summary.detractors)
        yield (period.date().isoformat(), *_nps(summary), *counts)


def _distribution(page: dict) -> Iterator[tuple]:
    yield ("score", "answers")
    yield from enumerate(page["distribution"])


def _segments(page: dict) -> Iterator[tuple]:
    yield ("segment", *INTERVAL, "too_few_answers", "apart_from_the_rest")
    for (name, summary), apart in zip(page["segments"], page["apart"], strict=True):
        yield (name, *_nps(summary), summary.is_sample_too_small, apart)


def _causes(page: dict) -> Iterator[tuple]:
    yield ("root_cause", "cases")
    for row in page["root_causes"]:
        yield (row["root_cause__name"], row["count"])


def _owners(page: dict) -> Iterator[tuple]:
    yield ("owner", "open", "overdue", "resolved")
    for row in page["owners"] or ():
        name = " ".join(filter(None, (row["owner__first_name"], row["owner__last_name"])))
        yield (name or row["owner__username"] or "", row["open"], row["overdue"], row["resolved"])


def _actions(page: dict) -> Iterator[tuple]:
    sides = tuple(f"{side}_{column}" for side in ("before", "after") for column in INTERVAL)
    yield ("action", "root_cause", "status", "segment", *sides, "change", "beyond_the_noise")
    for effect in page["actions"]:
        action = effect.action
        yield (
            action.title,
            str(action.root_cause or ""),
            action.status,
            action.target_segment,
            *_nps(effect.before),
            *_nps(effect.after),
            _round(effect.change),
            effect.is_significant,
        )


def _drivers(page: dict) -> Iterator[tuple]:
    """The main reasons: per choice, how many of each group chose it, their
    share of that group with its interval, and the NPS of those who did."""
    groups = tuple(
        f"{group}_{column}"
        for group in ("detractors", "passives", "promoters")
        for column in ("count", "of", "share", "share_ci_low", "share_ci_high")
    )
    yield ("key", "label", "active", "chosen", *groups, *INTERVAL[:3], "too_few_answers")
    for row in page["drivers"]:
        summary = row["summary"]
        shares = []
        for group in ("detractors", "passives", "promoters"):
            low, high = summary.share_interval(group) or (None, None)
            shares += [
                getattr(summary.chosen, group),
                getattr(summary.answered, group),
                _round(summary.share(group)),
                _round(low),
                _round(high),
            ]
        chosen = summary.chosen
        yield (
            row["key"],
            row["label"],
            row["active"],
            chosen.total,
            *shares,
            *_nps(chosen)[:3],
            chosen.is_sample_too_small,
        )


def _bonus(page: dict) -> Iterator[tuple]:
    """The bonus for non-responders: per wave and in all, each arm's rate
    (answered within the window of reminded) with its interval, the
    difference in points with its own, and the bonuses granted."""
    arms = tuple(
        f"{arm}_{column}"
        for arm in ("with", "without")
        for column in ("answered", "reminded", "pct", "ci_low", "ci_high")
    )
    difference = ("difference", "difference_low", "difference_high", "beyond_the_noise")
    yield ("wave", "label", *arms, *difference, "granted")
    for row in page["reminder_bonus"]:
        rates = []
        for rate in (row.with_bonus, row.without_bonus):
            low, high = rate.confidence_interval or (None, None)
            rates += [rate.hits, rate.n, _round(rate.pct), _round(low), _round(high)]
        diff = row.difference
        yield (
            row.wave_id,
            row.label,
            *rates,
            diff["points"],
            diff["low"],
            diff["high"],
            diff["significant"],
            row.granted,
        )


def _overview(page: dict) -> Iterator[tuple]:
    yield ("survey", *INTERVAL, "change", "beyond_the_noise", "open_cases", "overdue_cases")
    for row in page["overview"]:
        panel = row["panel"]
        yield (
            row["survey"].slug,
            *_nps(panel.current),
            _round(panel.change),
            panel.change_is_significant,
            row["kpis"].open,
            row["kpis"].overdue,
        )


def _enps(page: dict) -> Iterable[tuple]:
    return enps.enps_rows(page["enps"])


PANELS: dict[str, Callable[[dict], Iterable[tuple]]] = {
    "trend": _trend,
    "distribution": _distribution,
    "segments": _segments,
    "causes": _causes,
    "owners": _owners,
    "actions": _actions,
    "drivers": _drivers,
    "bonus": _bonus,
    "overview": _overview,
    "enps": _enps,
}


def panel_csv_lines(name: str, page: dict) -> Iterator[str]:
    """The CSV lines of panel ``name`` from the page's context (a BOM first,
    so that spreadsheets read the text as UTF-8)."""

    class Lines:
        def write(self, line: str) -> str:
            return line

    writer = csv_writer(Lines())
    for index, row in enumerate(PANELS[name](page)):
        line = writer.writerow(row)
        yield BOM + line if index == 0 else line
