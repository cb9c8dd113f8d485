"""The NPS statistics module against worked examples and its properties."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys import stats
from surveys.stats import NpsSummary, difference_is_significant


@pytest.mark.parametrize(
    ("score", "category"),
    [
        (0, "detractor"),
        (6, "detractor"),
        (7, "passive"),
        (8, "passive"),
        (9, "promoter"),
        (10, "promoter"),
    ],
)
def test_classify_uses_the_standard_bands(score, category):
    assert stats.classify(score) == category


@pytest.mark.parametrize("bad", [-1, 11, 7.5, "7", None, True])
def test_classify_rejects_anything_but_0_to_10(bad):
    with pytest.raises(ValueError, match="0 to 10"):
        stats.classify(bad)


def test_forty_thirty_thirty_worked_example():
    # 40 promoters, 30 passives, 30 detractors: NPS +10, Wald margin 16.3 points
    # (1.96 * sqrt((0.4 + 0.3 - 0.1^2) / 100) = 16.28).
    summary = NpsSummary(promoters=40, passives=30, detractors=30)
    assert summary.nps == pytest.approx(10.0)
    assert summary.wald_margin == pytest.approx(16.3, abs=0.1)
    # Adjusted Wald: p = 40.75/103, d = 30.75/103, centre 9.71, margin 15.98.
    assert summary.adjusted_nps == pytest.approx(9.71, abs=0.01)
    low, high = summary.confidence_interval
    assert low == pytest.approx(-6.27, abs=0.05)
    assert high == pytest.approx(25.69, abs=0.05)


def test_shares_add_up_and_match_counts():
    summary = NpsSummary(promoters=50, passives=30, detractors=20)
    assert (summary.promoter_pct, summary.passive_pct, summary.detractor_pct) == (50, 30, 20)
    assert summary.nps == pytest.approx(30.0)


def test_all_promoters_in_a_large_sample_is_plus_100_with_a_tight_interval():
    summary = NpsSummary(promoters=1000, passives=0, detractors=0)
    assert summary.nps == 100
    low, high = summary.confidence_interval
    assert 99 < low < 100
    assert high == 100


def test_small_sample_is_flagged_with_a_warning():
    summary = NpsSummary(promoters=5, passives=3, detractors=2, min_sample=30)
    assert summary.is_sample_too_small
    assert "Only 10 answers" in summary.warning
    assert NpsSummary(promoters=20, passives=5, detractors=5).warning is None


def test_empty_selection_has_no_score_and_says_why():
    summary = NpsSummary(promoters=0, passives=0, detractors=0)
    assert summary.nps is None
    assert summary.wald_margin is None
    assert "No answers" in summary.warning
    payload = summary.as_dict()
    assert payload["nps"] is None
    assert summary.confidence_interval is None
    assert payload["confidence_interval"]["low"] is None


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        NpsSummary(promoters=-1, passives=0, detractors=0)


counts = st.integers(min_value=0, max_value=100_000)


@given(counts, counts, counts)
def test_nps_and_interval_stay_within_minus_100_and_100(p, n, d):
    summary = NpsSummary(promoters=p, passives=n, detractors=d)
    if summary.total:
        low, high = summary.confidence_interval
        assert -100 <= low <= high <= 100
        assert -100 <= summary.nps <= 100


@given(counts, counts, counts)
def test_swapping_promoters_and_detractors_mirrors_everything(p, n, d):
    forward = NpsSummary(promoters=p, passives=n, detractors=d)
    mirrored = NpsSummary(promoters=d, passives=n, detractors=p)
    if forward.total:
        assert mirrored.nps == pytest.approx(-forward.nps)
        assert mirrored.wald_margin == pytest.approx(forward.wald_margin)
        low, high = forward.confidence_interval
        m_low, m_high = mirrored.confidence_interval
        assert m_low == pytest.approx(-high)
        assert m_high == pytest.approx(-low)


@given(counts, counts, counts)
def test_interval_contains_the_estimate_from_two_answers_on(p, n, d):
    summary = NpsSummary(promoters=p, passives=n, detractors=d)
    if summary.total >= 2:
        low, high = summary.confidence_interval
        assert low - 1e-9 <= summary.nps <= high + 1e-9


@given(st.integers(1, 5000), st.integers(1, 5000), st.integers(1, 5000))
def test_more_answers_in_the_same_proportions_narrow_the_interval(p, n, d):
    small = NpsSummary(promoters=p, passives=n, detractors=d)
    large = NpsSummary(promoters=4 * p, passives=4 * n, detractors=4 * d)
    assert large.adjusted_wald_margin < small.adjusted_wald_margin


def test_adjusted_wald_keeps_its_coverage_at_small_samples():
    # The reason for the method: at n = 20 the plain Wald interval covers the
    # true NPS far less than 95% of the time; adjusted Wald stays close to it.
    rng = random.Random(2016)
    true_p, true_d, n, runs = 0.6, 0.1, 20, 4000
    true_nps = 100 * (true_p - true_d)
    adjusted_hits = wald_hits = 0
    for _ in range(runs):
        draws = [rng.random() for _ in range(n)]
        p = sum(x < true_p for x in draws)
        d = sum(x >= 1 - true_d for x in draws)
        summary = NpsSummary(promoters=p, passives=n - p - d, detractors=d)
        low, high = summary.confidence_interval
        adjusted_hits += low <= true_nps <= high
        wald_hits += abs(summary.nps - true_nps) <= summary.wald_margin
    assert 0.93 <= adjusted_hits / runs <= 0.985
    assert wald_hits / runs < adjusted_hits / runs


def test_a_change_is_significant_only_beyond_the_noise():
    before = NpsSummary(promoters=400, passives=300, detractors=300)
    assert not difference_is_significant(
        before, NpsSummary(promoters=42, passives=30, detractors=28)
    )
    assert difference_is_significant(
        before, NpsSummary(promoters=600, passives=300, detractors=100)
    )
    assert not difference_is_significant(before, NpsSummary(promoters=0, passives=0, detractors=0))


# --- Rates and their difference (the bonus for non-responders) -------------------


def test_a_rate_has_the_agresti_coull_interval_clipped_to_0_and_100():
    low, high = stats.Rate(0, 10).confidence_interval
    assert low == 0.0 and high == pytest.approx(32.09, abs=0.01)
    low, high = stats.Rate(10, 10).confidence_interval
    assert low == pytest.approx(67.91, abs=0.01) and high == 100.0
    assert stats.Rate(0, 0).confidence_interval is None and stats.Rate(0, 0).pct is None


def test_a_rate_refuses_more_hits_than_trials():
    with pytest.raises(ValueError, match="hits"):
        stats.Rate(3, 2)


def test_the_difference_of_two_rates_has_the_agresti_caffo_interval():
    close = stats.rate_difference(stats.Rate(30, 100), stats.Rate(20, 100))
    assert close["points"] == 10.0
    assert (close["low"], close["high"]) == (
        pytest.approx(-2.08, abs=0.01),
        pytest.approx(21.69, abs=0.01),
    )
    assert close["significant"] is False
    apart = stats.rate_difference(stats.Rate(60, 100), stats.Rate(20, 100))
    assert apart["significant"] is True and apart["low"] > 0
    assert stats.rate_difference(stats.Rate(1, 2), stats.Rate(0, 0))["points"] is None


# --- Several waves at once: the stratified (Mantel-Haenszel) difference ----------

# Simpson's paradox: the bonus does nothing in either wave, but wave B, whose
# customers answer four times as often, put 80% of its reminders in the bonus
# arm and wave A only 20%.
PARADOX = [
    (stats.Rate(2, 20), stats.Rate(8, 80)),  # wave A: 10% in both arms
    (stats.Rate(32, 80), stats.Rate(8, 20)),  # wave B: 40% in both arms
]


def test_pooling_the_paradox_waves_shows_a_gain_the_bonus_never_made():
    pooled = stats.rate_difference(stats.Rate(34, 100), stats.Rate(16, 100))
    assert pooled["points"] == 18.0 and pooled["significant"]


def test_the_stratified_difference_of_the_paradox_waves_is_zero_with_its_interval():
    difference = stats.stratified_rate_difference(PARADOX)

    # Weights 20*80/100 = 16 each; variance (16² (.1*.9/20 + .1*.9/80)
    # + 16² (.4*.6/80 + .4*.6/20)) / 32² = (1.44 + 3.84) / 1024; margin 1.96 * its root.
    margin = 100 * 1.959964 * (5.28 / 1024) ** 0.5
    assert difference["points"] == 0.0
    assert difference["low"] == pytest.approx(-margin, abs=0.01)
    assert difference["high"] == pytest.approx(margin, abs=0.01)
    assert difference["low"] == pytest.approx(-14.07, abs=0.01)
    assert not difference["significant"]


def test_the_stratified_difference_weighs_each_wave_by_its_arms():
    # Wave A +20 points (weight 10*10/20 = 5), wave B +5 points (weight 30*10/40 = 7.5).
    difference = stats.stratified_rate_difference(
        [
            (stats.Rate(5, 10), stats.Rate(3, 10)),
            (stats.Rate(15, 30), stats.Rate(9, 20)),
        ]
    )
    # B's weight is 30*20/50 = 12: (5 * 0.2 + 12 * 0.05) / 17.
    assert difference["points"] == round(100 * (5 * 0.2 + 12 * 0.05) / 17, 2)


def test_a_wave_with_one_arm_only_weighs_nothing_and_none_with_both_gives_nothing():
    alone = (stats.Rate(9, 10), stats.Rate(0, 0))
    assert stats.stratified_rate_difference([alone, *PARADOX]) == (
        stats.stratified_rate_difference(PARADOX)
    )
    assert stats.stratified_rate_difference([alone]) == {
        "points": None,
        "low": None,
        "high": None,
        "significant": False,
    }


def test_one_wave_alone_gives_its_own_plain_difference():
    difference = stats.stratified_rate_difference([(stats.Rate(6, 10), stats.Rate(2, 10))])
    assert difference["points"] == 40.0
    # The Wald interval of one 2x2 table: 1.96 * sqrt(.6*.4/10 + .2*.8/10).
    assert difference["high"] == pytest.approx(40.0 + 100 * 1.959964 * 0.2, abs=0.01)
