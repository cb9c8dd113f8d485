"""The server-drawn charts: labels that cannot collide, small groups marked,
every mark a link to its rows."""

import itertools
import re

import pytest

from followups.reporting import charts


@pytest.mark.parametrize(
    ("positions", "width", "shown"),
    [
        ([0, 100, 200], 50, {0, 1, 2}),  # room for every label
        ([0, 20, 40, 60, 80], 30, {0, 2, 4}),  # every other one, counted from the last
        ([0, 10, 20, 30, 40, 50, 60], 22, {0, 3, 6}),
        ([0, 10, 20, 30, 40, 50, 60], 25, {2, 6}),
        ([5], 500, {0}),  # one label is always drawn
        ([], 10, set()),
    ],
)
def test_spaced_keeps_the_last_label_and_room_between_the_others(positions, width, shown):
    assert charts.spaced(positions, width) == shown
    kept = sorted(positions[i] for i in shown)
    assert all(b - a >= width + charts.MIN_GAP for a, b in itertools.pairwise(kept))


def _texts(svg: str, attribute: str) -> list[str]:
    return re.findall(rf'{attribute}="([^"]+)"', svg)


def test_a_long_weekly_trend_labels_fewer_periods_and_the_benchmark_in_the_legend():
    points = [(f"2026-{1 + i // 4:02d}-{1 + 7 * (i % 4):02d}", 10.0, 0.0, 20.0) for i in range(26)]
    svg = charts.trend_chart(
        points, benchmark=32, texts={"benchmark": "wzorzec %(nps)s", "interval": "95% przedział"}
    )
    labels = _texts(svg, "data-period-label")
    assert labels[-1] == points[-1][0]  # the latest period keeps its label
    assert 3 <= len(labels) < len(points)
    assert len(_texts(svg, "data-value-label")) < len(points)
    assert len(re.findall("<circle ", svg)) == len(points)  # every point still drawn
    assert "wzorzec +32" in svg and "95% przedział" in svg


def test_an_empty_trend_says_so_in_the_readers_words():
    assert "Brak odpowiedzi" in charts.trend_chart(
        [("2026-01", None, None, None)], texts={"empty": "Brak odpowiedzi"}
    )


def test_segment_bars_mark_small_groups_and_link_each_bar():
    rows = [("smb", 40.0, 20.0, 60.0, 120), ("partner", -100.0, -100.0, 10.0, 2)]
    svg = charts.nps_bars(
        rows, min_sample=30, links=["/answers?segment=smb", "/answers?segment=partner"]
    )
    assert _texts(svg, "data-small") == ["false", "true"]
    assert "-100 (n=2, too few)" in svg
    assert re.findall(r'<a href="([^"]+)" data-count="(\d+)"', svg) == [
        ("/answers?segment=smb", "120"),
        ("/answers?segment=partner", "2"),
    ]
    # A small group is drawn pale, not as the biggest red bar.
    assert charts.DETRACTOR not in svg


def test_segment_labels_too_long_for_their_column_are_cut_with_their_full_name_kept():
    name = "enterprise customers in the north-east region"
    svg = charts.nps_bars([(name, 10.0, 0.0, 20.0, 50)])
    assert "…" in svg
    assert f"<title>{name}</title>" in svg


def test_user_text_in_a_chart_is_escaped():
    svg = charts.nps_bars([("<script>x</script>", 10.0, 0.0, 20.0, 50)])
    assert "<script>" not in svg
