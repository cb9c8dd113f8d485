"""Segments flagged as different from the rest: one p-value per segment, and the
Benjamini-Hochberg procedure over all of them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.stats import (
    NpsSummary,
    difference_is_significant,
    false_discoveries_controlled,
    nps_difference,
)


def test_the_bh_procedure_on_the_textbook_example():
    # Benjamini & Hochberg (1995): 15 p-values, q = 0.05 rejects the first 4.
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
         0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0]  # fmt: skip
    assert false_discoveries_controlled(p) == [True] * 4 + [False] * 11


def test_bh_keeps_the_input_order_and_skips_untested_groups():
    assert false_discoveries_controlled([0.5, None, 0.001, 0.04]) == [False, False, True, False]
    assert false_discoveries_controlled([None, None]) == [False, False]
    assert false_discoveries_controlled([]) == []
    # A step-up procedure: a p-value above its own threshold is still called
    # when a larger one meets its threshold.
    assert false_discoveries_controlled([0.03, 0.04]) == [True, True]


@given(st.lists(st.one_of(st.none(), st.floats(0, 1)), max_size=30))
def test_bh_calls_no_more_than_each_test_alone_would_at_the_same_rate(p_values):
    called = false_discoveries_controlled(p_values)
    for p, flag in zip(p_values, called, strict=True):
        if flag:
            assert p is not None and p <= 0.05


counts = st.integers(0, 400)


@given(counts, counts, counts, counts, counts, counts)
def test_the_p_value_agrees_with_the_95_percent_test(p1, n1, d1, p2, n2, d2):
    a, b = NpsSummary(p1, n1, d1), NpsSummary(p2, n2, d2)
    p = nps_difference(a, b).p_value
    if not a.total or not b.total:
        assert p is None
        return
    assert 0 <= p <= 1
    if abs(p - 0.05) > 1e-9:
        assert (p < 0.05) == difference_is_significant(a, b)


def test_the_same_answers_twice_do_not_differ():
    same = NpsSummary(40, 30, 30)
    assert nps_difference(same, same).p_value == pytest.approx(1.0)
