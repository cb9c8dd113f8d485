"""Charts drawn as SVG on the server: no JavaScript, no CDN, crisp in print.
Every data mark carries its value in a ``data-`` attribute and a <title>, so a
screen reader (and a test) can read the numbers behind the picture."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Number

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

DETRACTOR, PASSIVE, PROMOTER = "#cf222e", "#bf8700", "#1a7f37"
LINE, BAND, GRID, TEXT = "#0969da", "#0969da", "#d0d7de", "#57606a"


def format_html(template: str, *args, **kwargs) -> SafeString:
    """Like Django's format_html, but numbers keep their format specs ({:.1f})."""

    def safe(value):
        return value if isinstance(value, Number) else conditional_escape(value)

    return mark_safe(  # noqa: S308 - every argument is escaped or a number
        template.format(*map(safe, args), **{k: safe(v) for k, v in kwargs.items()})
    )


def format_html_join(separator: str, template: str, rows) -> SafeString:
    return mark_safe(separator.join(format_html(template, *row) for row in rows))  # noqa: S308


def _svg(width: int, height: int, title: str, parts: list[SafeString]) -> SafeString:
    """A chart: ``parts`` are SVG elements, each escaped by whoever made it."""
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg">{}</svg>',
        width,
        height,
        title,
        mark_safe("".join(parts)),  # noqa: S308 - each part escaped by its maker
    )


def _y(value: float, top: float, height: float) -> float:
    """NPS -100..100 to a y coordinate (100 at the top)."""
    return top + (100 - value) / 200 * height


def _axis(width: int, left: int, top: int, height: float) -> SafeString:
    lines = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" stroke="{}" stroke-width="{}"/>'
        '<text x="{}" y="{:.1f}" font-size="11" fill="{}" text-anchor="end">{}</text>',
        (
            (
                left,
                width - 10,
                _y(v, top, height),
                _y(v, top, height),
                GRID,
                2 if v == 0 else 1,
                left - 6,
                _y(v, top, height) + 4,
                TEXT,
                v,
            )
            for v in (-100, -50, 0, 50, 100)
        ),
    )
    return lines


# Text widths for layout, in the charts' units: 11 px digits and letters of the
# fonts the admin uses are at most this wide on average (measured in Chromium).
CHAR_W = 6.6
MIN_GAP = 8  # between two labels on one line


def spaced(positions: Sequence[float], width: float) -> set[int]:
    """Which of the labels centred at ``positions`` (ascending) to draw so that
    labels ``width`` wide never touch: the last one (the latest period), then
    each one far enough left of the last drawn."""
    shown: set[int] = set()
    edge = math.inf
    for index in range(len(positions) - 1, -1, -1):
        if edge - positions[index] >= width + MIN_GAP:
            shown.add(index)
            edge = positions[index]
    return shown


def _trend_marks(drawn, xs: dict, top: int, plot_h: float, labelled: set[str]) -> SafeString:
    """A dot per period with its value and interval in the <title>; the value
    printed above the dots in ``labelled``."""
    marks = []
    for label, nps, low, high in drawn:
        marks.append(
            format_html(
                '<circle cx="{:.1f}" cy="{:.1f}" r="4" fill="{}" data-period="{}" '
                'data-nps="{:.1f}" data-low="{:.1f}" data-high="{:.1f}"><title>{}: NPS {:+.1f} '
                "(95% CI {:+.1f} to {:+.1f})</title></circle>",
                xs[label],
                _y(nps, top, plot_h),
                LINE,
                label,
                nps,
                low,
                high,
                label,
                nps,
                low,
                high,
            )
        )
        if label in labelled:
            marks.append(
                format_html(
                    '<text x="{:.1f}" y="{:.1f}" font-size="11" fill="{}" '
                    'text-anchor="middle" data-value-label="{}">{:+.0f}</text>',
                    xs[label],
                    _y(nps, top, plot_h) - 9,
                    TEXT,
                    label,
                    nps,
                )
            )
    return mark_safe("".join(marks))  # noqa: S308 - each mark escaped by format_html


def _benchmark_line(
    benchmark: int | None, *, left: int, right: int, top: int, plot_h: float
) -> SafeString | str:
    """The dashed line of the benchmark NPS, or nothing without one (its
    label is in the legend, where no point's label can be under it)."""
    if benchmark is None:
        return ""
    y = _y(benchmark, top, plot_h)
    return format_html(
        '<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" stroke="{}" stroke-dasharray="6 4" '
        'data-benchmark="{}"/>',
        left,
        right,
        y,
        y,
        TEXT,
        benchmark,
    )


def _legend(*, y: int, left: int, interval: str, benchmark: str | None) -> SafeString:
    """A line under the axis: the band, and the benchmark's dashes with its value."""
    parts = [
        format_html(
            '<rect x="{}" y="{}" width="18" height="10" fill="{}" fill-opacity="0.15"/>'
            '<text x="{}" y="{}" font-size="11" fill="{}" data-legend="interval">{}</text>',
            left,
            y - 9,
            BAND,
            left + 24,
            y,
            TEXT,
            interval,
        )
    ]
    if benchmark:
        x = left + 24 + len(interval) * CHAR_W + 24
        parts.append(
            format_html(
                '<line x1="{:.1f}" x2="{:.1f}" y1="{}" y2="{}" stroke="{}" '
                'stroke-dasharray="6 4"/><text x="{:.1f}" y="{}" font-size="11" fill="{}" '
                'data-legend="benchmark">{}</text>',
                x,
                x + 18,
                y - 4,
                y - 4,
                TEXT,
                x + 24,
                y,
                TEXT,
                benchmark,
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - each part escaped by format_html


def trend_chart(
    points,
    *,
    benchmark: int | None = None,
    title: str = "",
    texts: Mapping[str, str] | None = None,
) -> SafeString:
    """NPS over time with its 95% interval as a band.

    ``points``: (label, nps, low, high) in time order; nps None for an empty
    period. ``texts``: the words the chart prints, in the reader's language
    (``empty``, ``interval``, ``benchmark`` with ``%(nps)s``). Period labels
    and values are thinned so that no two texts overlap, however many periods.
    """
    words = {**TREND_TEXTS, **(texts or {})}
    width, height, left, top, bottom = 720, 250, 44, 18, 50
    plot_h = height - top - bottom
    drawn = [(label, nps, low, high) for label, nps, low, high in points if nps is not None]
    if not drawn:
        return format_html('<p class="chart-empty">{}</p>', words["empty"])
    longest = max(len(label) for label, *_rest in points)
    # Room on the right for half the last period's label, centred under its dot.
    right = max(20, math.ceil(longest * CHAR_W / 2) + 4)
    step = (width - left - 10 - right) / max(len(points) - 1, 1)
    xs = {label: left + 10 + i * step for i, (label, *_rest) in enumerate(points)}
    band_top = " ".join(
        f"{xs[label]:.1f},{_y(high, top, plot_h):.1f}" for label, _, _, high in drawn
    )
    band_bottom = " ".join(
        f"{xs[label]:.1f},{_y(low, top, plot_h):.1f}" for label, _, low, _ in reversed(drawn)
    )
    line = " ".join(f"{xs[label]:.1f},{_y(nps, top, plot_h):.1f}" for label, nps, _, _ in drawn)
    labels = _period_labels(points, xs, y=height - bottom + 18, width=longest * CHAR_W)
    valued = spaced([xs[label] for label, *_rest in drawn], 4 * CHAR_W)
    named = words["benchmark"] % {"nps": f"{benchmark:+d}"} if benchmark is not None else None
    legend = _legend(y=height - 8, left=left, interval=words["interval"], benchmark=named)
    return format_html(
        '<svg class="chart chart-wide" viewBox="0 0 {w} {h}" role="img" aria-label="{t}" '
        'xmlns="http://www.w3.org/2000/svg">{axis}'
        '<polygon points="{bt} {bb}" fill="{band}" fill-opacity="0.15"/>'
        '<polyline points="{line}" fill="none" stroke="{lc}" stroke-width="2.5"/>'
        "{bench}{marks}{labels}{legend}</svg>",
        w=width,
        h=height,
        t=title,
        axis=_axis(width, left, top, plot_h),
        bt=band_top,
        bb=band_bottom,
        band=BAND,
        line=line,
        lc=LINE,
        bench=_benchmark_line(benchmark, left=left, right=width - 10, top=top, plot_h=plot_h),
        marks=_trend_marks(drawn, xs, top, plot_h, {drawn[i][0] for i in valued}),
        labels=labels,
        legend=legend,
    )


def _period_labels(points, xs: Mapping[str, float], *, y: float, width: float) -> SafeString:
    """The periods' names under the axis, thinned so that none overlaps the next."""
    shown = spaced([xs[label] for label, *_rest in points], width)
    return format_html_join(
        "",
        '<text x="{:.1f}" y="{}" font-size="11" fill="{}" text-anchor="middle" '
        'data-period-label="{}">{}</text>',
        (
            (xs[label], y, TEXT, label, label)
            for index, (label, *_rest) in enumerate(points)
            if index in shown
        ),
    )


TREND_TEXTS = {
    "empty": "No answers in this period.",
    "interval": "95% interval",
    "benchmark": "benchmark %(nps)s",
}


def _linked(mark: SafeString, href: str | None, count: int) -> SafeString:
    """``mark`` as a link to the list of the ``count`` rows it stands for."""
    if not href:
        return mark
    return format_html('<a href="{}" data-count="{}">{}</a>', href, count, mark)


def distribution_chart(
    counts: list[int], *, title: str = "", links: Sequence[str] | None = None
) -> SafeString:
    """Answers per score 0..10, coloured by category; ``links[score]`` leads
    to that score's answers."""
    width, height, left, bottom = 360, 170, 6, 22
    top = 16
    peak = max(counts) or 1
    bar_w = (width - 2 * left) / 11
    bars = []
    for score, count in enumerate(counts):
        colour = DETRACTOR if score <= 6 else PASSIVE if score <= 8 else PROMOTER
        bar_h = (height - top - bottom) * count / peak
        x = left + score * bar_w
        y = height - bottom - bar_h
        bar = format_html(
            '<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}" '
            'data-score="{}" data-count="{}"><title>{}: {}</title></rect>'
            '<text x="{:.1f}" y="{:.1f}" font-size="11" fill="{}" '
            'text-anchor="middle">{}</text>',
            x + 3,
            y,
            bar_w - 6,
            max(bar_h, 1 if count else 0),
            colour,
            score,
            count,
            score,
            count,
            x + bar_w / 2,
            y - 4,
            TEXT,
            count,
        )
        bars.append(_linked(bar, links[score] if links else None, count))
        bars.append(
            format_html(
                '<text x="{:.1f}" y="{}" font-size="12" fill="{}" text-anchor="middle">{}</text>',
                x + bar_w / 2,
                height - 8,
                TEXT,
                score,
            )
        )
    return _svg(width, height, title, bars)


def _short(label: str, room: float, size: float = 12) -> str:
    """``label`` cut with an ellipsis to fit ``room`` units at font ``size``."""
    fits = max(int(room / (size * 0.55)), 2)
    return label if len(label) <= fits else label[: fits - 1] + "…"


def _nps_bar(row, *, y: int, geometry: dict, texts: Mapping[str, str]) -> SafeString:
    """One group's label, bar from zero, interval whisker and value; a group
    of fewer answers than the minimum sample is drawn pale and says so."""
    label, nps, low, high, n, small, apart = row
    mid, scale, label_w, width = (geometry[k] for k in ("mid", "scale", "label_w", "width"))
    x0, x1 = sorted((mid, mid + nps * scale))
    colour = SMALL if small else PROMOTER if nps >= 0 else DETRACTOR
    value = texts["few"] % {"nps": f"{nps:+.0f}", "n": n} if small else f"{nps:+.0f} (n={n})"
    value += APART_MARKS.get(apart, "")
    return format_html(
        '<text x="{}" y="{}" font-size="12" fill="#1f2328" text-anchor="end">{}<title>{}</title>'
        "</text>"
        '<rect x="{:.1f}" y="{}" width="{:.1f}" height="16" fill="{}" fill-opacity="0.8" '
        'data-label="{}" data-nps="{:.1f}" data-n="{}" data-small="{}" data-apart="{}">'
        "<title>{}: NPS {:+.1f}, "
        "95% CI {:+.1f} to {:+.1f}, n={}</title></rect>"
        '<line x1="{:.1f}" x2="{:.1f}" y1="{}" y2="{}" stroke="#1f2328" '
        'stroke-width="1.5"/>'
        '<text x="{}" y="{}" font-size="11" fill="{}" text-anchor="end">{}</text>',
        label_w - 8,
        y + 13,
        _short(label, label_w - 12),
        label,
        x0,
        y,
        max(x1 - x0, 1),
        colour,
        label,
        nps,
        n,
        "true" if small else "false",
        apart,
        label,
        nps,
        low,
        high,
        n,
        mid + low * scale,
        mid + high * scale,
        y + 8,
        y + 8,
        width - 4,
        y + 13,
        SMALL_TEXT if small else TEXT,
        value,
    )


def nps_bars(
    rows,
    *,
    title: str = "",
    min_sample: int = 0,
    links: Sequence[str] | None = None,
    apart: Sequence[str] | None = None,
    texts: Mapping[str, str] | None = None,
) -> SafeString:
    """One horizontal bar per group (segment, action...) with its interval
    whisker, its value in a column of its own (no bar runs under it).

    ``rows``: (label, nps, low, high, n); a group with fewer than
    ``min_sample`` answers is pale and marked as too few. ``links[i]`` leads
    to row i's answers; ``apart[i]`` ("above", "below" or "") marks a group
    that differs from the others beyond the noise.
    """
    words = {**BAR_TEXTS, **(texts or {})}
    kept = [(i, row) for i, row in enumerate(rows) if row[1] is not None]
    if not kept:
        return format_html('<p class="chart-empty">{}</p>', words["empty"])
    width, row_h, label_w, value_w = 420, 28, 96, 104
    height = row_h * len(kept) + 12
    plot_w = width - label_w - value_w
    geometry = {
        "mid": label_w + plot_w / 2,
        "scale": plot_w / 200,
        "label_w": label_w,
        "width": width,
    }
    zero = format_html(
        '<line x1="{:.1f}" x2="{:.1f}" y1="0" y2="{}" stroke="{}" stroke-width="2"/>',
        geometry["mid"],
        geometry["mid"],
        height - 8,
        GRID,
    )
    bars = []
    for place, (index, row) in enumerate(kept):
        small = row[4] < min_sample
        mark = apart[index] if apart else ""
        bar = _nps_bar((*row, small, mark), y=place * row_h + 6, geometry=geometry, texts=words)
        bars.append(_linked(bar, links[index] if links else None, row[4]))
    return _svg(width, height, title, [zero, *bars])


BAR_TEXTS = {
    "empty": "No answers in this period.",
    "few": "%(nps)s (n=%(n)s, too few)",
}
SMALL, SMALL_TEXT = "#8c959f", "#8c959f"
APART_MARKS = {"above": " ▲", "below": " ▼"}


def sparkline(points: Sequence[tuple[str, float]], *, title: str) -> SafeString:
    """A small line of shares (percent) over periods, each point with its
    value in a ``data-share`` attribute and a <title>."""
    width, height, pad = 120, 28, 3
    top = max((value for _label, value in points), default=0.0) or 1.0
    step = (width - 2 * pad) / max(len(points) - 1, 1)
    xy = [
        (pad + i * step, height - pad - value / top * (height - 2 * pad))
        for i, (_label, value) in enumerate(points)
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    marks = [
        format_html(
            '<circle cx="{:.1f}" cy="{:.1f}" r="2" fill="{}" data-share="{:.1f}">'
            "<title>{}: {:.1f}%</title></circle>",
            x,
            y,
            LINE,
            value,
            label,
            value,
        )
        for (x, y), (label, value) in zip(xy, points, strict=True)
    ]
    path = format_html(
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="1.5"/>', line, LINE
    )
    return format_html(
        '<svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}" xmlns="http://www.w3.org/2000/svg">{}</svg>',
        width,
        height,
        width,
        height,
        title,
        mark_safe(path + "".join(marks)),  # noqa: S308 - each part escaped by its maker
    )
