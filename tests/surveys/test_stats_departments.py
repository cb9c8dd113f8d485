"""The difference of two departments' NPS and whether it is beyond the noise,
against values worked out by hand."""

from __future__ import annotations

import pytest

from surveys.stats import NpsSummary, nps_difference, summary_without


def test_a_large_difference_is_beyond_the_noise_with_the_hand_worked_numbers():
    # A: 60 promoters, 20 passives, 20 detractors (NPS 40); B: 30/30/40 (NPS -10).
    # Adjusted-Wald: n' = 103; A: p = 60.75/103, d = 20.75/103, centre 38.835,
    # variance (p + d - (p - d)^2) / n' -> standard error 7.8854 points;
    # B: p = 30.75/103, d = 40.75/103, centre -9.7087, standard error 8.1536.
    # Difference of the centres 48.5437, its standard error
    # sqrt(7.8854^2 + 8.1536^2) = 11.3428, z = 4.2797, p = 1.87e-5.
    a, b = NpsSummary(60, 20, 20), NpsSummary(30, 30, 40)

    result = nps_difference(a, b)

    assert result.difference == pytest.approx(50.0)
    assert result.standard_error == pytest.approx(11.3428, abs=1e-4)
    assert result.z == pytest.approx(4.2797, abs=1e-4)
    assert result.p_value == pytest.approx(1.8716e-5, rel=1e-3)
    assert result.is_significant


def test_a_small_difference_between_small_departments_is_within_the_noise():
    # A: 10/5/5 (NPS 25); B: 9/6/5 (NPS 20). n' = 23; centres 21.739 and 17.391;
    # standard errors 17.069 and 16.729; together 23.900; z = 4.348 / 23.900 = 0.1819.
    result = nps_difference(NpsSummary(10, 5, 5), NpsSummary(9, 6, 5))

    assert result.difference == pytest.approx(5.0)
    assert result.standard_error == pytest.approx(23.9002, abs=1e-4)
    assert result.z == pytest.approx(0.1819, abs=1e-4)
    assert not result.is_significant


def test_the_difference_is_antisymmetric():
    a, b = NpsSummary(12, 3, 9), NpsSummary(40, 10, 2)

    forth, back = nps_difference(a, b), nps_difference(b, a)

    assert forth.difference == pytest.approx(-back.difference)
    assert forth.z == pytest.approx(-back.z)
    assert forth.p_value == pytest.approx(back.p_value)


def test_no_answers_on_either_side_means_no_difference_to_call():
    result = nps_difference(NpsSummary(0, 0, 0), NpsSummary(5, 1, 1))

    assert (result.difference, result.standard_error, result.z, result.p_value) == (
        None,
        None,
        None,
        None,
    )
    assert not result.is_significant


def test_the_rest_of_the_company_is_the_whole_minus_the_department():
    rest = summary_without(NpsSummary(100, 50, 30, min_sample=10), NpsSummary(60, 20, 20))

    assert (rest.promoters, rest.passives, rest.detractors, rest.min_sample) == (40, 30, 10, 10)
