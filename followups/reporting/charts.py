"""Charts drawn as SVG on the server: no JavaScript, no CDN, crisp in print.
Every data mark carries its value in a ``data-`` attribute and a <title>, so a
screen reader (and a test) can read the numbers behind the picture."""

from __future__ import annotations

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


def _trend_marks(drawn, xs: dict, top: int, plot_h: float) -> SafeString:
    """A dot per period with its value, its interval in the <title>."""
    return format_html_join(
        "",
        '<circle cx="{:.1f}" cy="{:.1f}" r="4" fill="{}" data-period="{}" data-nps="{:.1f}" '
        'data-low="{:.1f}" data-high="{:.1f}"><title>{}: NPS {:+.1f} (95% CI {:+.1f} to {:+.1f})'
        "</title></circle>"
        '<text x="{:.1f}" y="{:.1f}" font-size="11" fill="{}" text-anchor="middle">{:+.0f}</text>',
        (
            (
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
                xs[label],
                _y(nps, top, plot_h) - 9,
                TEXT,
                nps,
            )
            for label, nps, low, high in drawn
        ),
    )


def _benchmark_line(
    benchmark: int | None, *, left: int, right: int, top: int, plot_h: float
) -> SafeString | str:
    """The dashed line of the benchmark NPS, or nothing without one."""
    if benchmark is None:
        return ""
    y = _y(benchmark, top, plot_h)
    return format_html(
        '<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" stroke="{}" stroke-dasharray="6 4" '
        'data-benchmark="{}"/><text x="{}" y="{:.1f}" font-size="11" fill="{}" '
        'text-anchor="end">benchmark {:+d}</text>',
        left,
        right,
        y,
        y,
        TEXT,
        benchmark,
        right - 2,
        y - 4,
        TEXT,
        benchmark,
    )


def trend_chart(points, *, benchmark: int | None = None, title: str = "") -> SafeString:
    """NPS over time with its 95% interval as a band.

    ``points``: (label, nps, low, high) in time order; nps None for an empty period.
    """
    width, height, left, top, bottom = 720, 230, 44, 16, 30
    plot_h = height - top - bottom
    drawn = [(label, nps, low, high) for label, nps, low, high in points if nps is not None]
    if not drawn:
        return format_html('<p class="chart-empty">{}</p>', "No answers in this period.")
    step = (width - left - 60) / max(len(points) - 1, 1)
    xs = {label: left + 10 + i * step for i, (label, *_rest) in enumerate(points)}
    band_top = " ".join(
        f"{xs[label]:.1f},{_y(high, top, plot_h):.1f}" for label, _, _, high in drawn
    )
    band_bottom = " ".join(
        f"{xs[label]:.1f},{_y(low, top, plot_h):.1f}" for label, _, low, _ in reversed(drawn)
    )
    line = " ".join(f"{xs[label]:.1f},{_y(nps, top, plot_h):.1f}" for label, nps, _, _ in drawn)
    labels = format_html_join(
        "",
        '<text x="{:.1f}" y="{}" font-size="11" fill="{}" text-anchor="middle">{}</text>',
        ((xs[label], height - bottom + 18, TEXT, label) for label, *_rest in points),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}" '
        'xmlns="http://www.w3.org/2000/svg">{axis}'
        '<polygon points="{bt} {bb}" fill="{band}" fill-opacity="0.15"/>'
        '<polyline points="{line}" fill="none" stroke="{lc}" stroke-width="2.5"/>'
        "{bench}{marks}{labels}</svg>",
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
        marks=_trend_marks(drawn, xs, top, plot_h),
        labels=labels,
    )


def distribution_chart(counts: list[int], *, title: str = "") -> SafeString:
    """Answers per score 0..10, coloured by category."""
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
        bars.append(
            format_html(
                '<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}" '
                'data-score="{}" data-count="{}"><title>{}: {}</title></rect>'
                '<text x="{:.1f}" y="{:.1f}" font-size="11" fill="{}" '
                'text-anchor="middle">{}</text>'
                '<text x="{:.1f}" y="{}" font-size="12" fill="{}" text-anchor="middle">{}</text>',
                x + 3,
                y,
                bar_w - 6,
                bar_h,
                colour,
                score,
                count,
                score,
                count,
                x + bar_w / 2,
                y - 4,
                TEXT,
                count,
                x + bar_w / 2,
                height - 8,
                TEXT,
                score,
            )
        )
    return _svg(width, height, title, bars)


def _nps_bar(row, *, y: int, mid: float, scale: float, label_w: int, width: int) -> SafeString:
    """One group's label, bar from zero, interval whisker and value."""
    label, nps, low, high, n = row
    x0, x1 = sorted((mid, mid + nps * scale))
    colour = PROMOTER if nps >= 0 else DETRACTOR
    return format_html(
        '<text x="{}" y="{}" font-size="12" fill="#1f2328" text-anchor="end">{}</text>'
        '<rect x="{:.1f}" y="{}" width="{:.1f}" height="16" fill="{}" fill-opacity="0.8" '
        'data-label="{}" data-nps="{:.1f}" data-n="{}"><title>{}: NPS {:+.1f}, '
        "95% CI {:+.1f} to {:+.1f}, n={}</title></rect>"
        '<line x1="{:.1f}" x2="{:.1f}" y1="{}" y2="{}" stroke="#1f2328" '
        'stroke-width="1.5"/>'
        '<text x="{}" y="{}" font-size="11" fill="{}" '
        'text-anchor="end">{:+.0f} (n={})</text>',
        label_w - 8,
        y + 13,
        label,
        x0,
        y,
        max(x1 - x0, 1),
        colour,
        label,
        nps,
        n,
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
        TEXT,
        nps,
        n,
    )


def nps_bars(rows, *, title: str = "") -> SafeString:
    """One horizontal bar per group (segment, action...) with its interval whisker.

    ``rows``: (label, nps, low, high, n).
    """
    rows = [row for row in rows if row[1] is not None]
    if not rows:
        return format_html('<p class="chart-empty">{}</p>', "No answers in this period.")
    width, row_h, label_w = 360, 28, 84
    height = row_h * len(rows) + 24
    mid = label_w + (width - label_w - 20) / 2
    scale = (width - label_w - 20) / 200
    zero = format_html(
        '<line x1="{:.1f}" x2="{:.1f}" y1="0" y2="{}" stroke="{}" stroke-width="2"/>',
        mid,
        mid,
        height - 20,
        GRID,
    )
    bars = [
        _nps_bar(row, y=i * row_h + 6, mid=mid, scale=scale, label_w=label_w, width=width)
        for i, row in enumerate(rows)
    ]
    return _svg(width, height, title, [zero, *bars])
