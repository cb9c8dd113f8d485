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
