"""NPS statistics: classification, the score, and its confidence interval.

Pure functions over counts, so they can be tested exhaustively and fed from a
single SQL aggregate. The interval is the adjusted-Wald interval of Rocks
(2016, The American Statistician 70(3)): add 3/4 of an answer to the promoter
and detractor counts and 3 to n, then use the Wald formula for a difference of
two proportions of one multinomial sample. It keeps its nominal coverage at
small n, where the plain Wald interval is far too narrow.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

DETRACTOR = "detractor"
PASSIVE = "passive"
PROMOTER = "promoter"

Z_95 = 1.959963984540054  # two-sided 95% quantile of the standard normal
ADJUSTED_WALD_COUNT = 0.75
ADJUSTED_WALD_N = 3
DEFAULT_MIN_SAMPLE = 30


def classify(score: int) -> str:
    """0-6 detractor, 7-8 passive, 9-10 promoter; anything else is an error."""
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise ValueError(f"An NPS score is a whole number from 0 to 10, not {score!r}.")
    if score <= 6:
        return DETRACTOR
    if score <= 8:
        return PASSIVE
    return PROMOTER


def _margin(promoter_share: float, detractor_share: float, n: float, z: float) -> float:
    # Variance of (P - D) for one multinomial sample: p + d - (p - d)^2, over n.
    variance = (promoter_share + detractor_share - (promoter_share - detractor_share) ** 2) / n
    return z * math.sqrt(max(variance, 0.0))


@dataclass(frozen=True, slots=True)
class NpsSummary:
    """Counts and everything derived from them. NPS figures are in points
    (-100..100), shares in percent (0..100)."""

    promoters: int
    passives: int
    detractors: int
    min_sample: int = DEFAULT_MIN_SAMPLE

    def __post_init__(self) -> None:
        for name in ("promoters", "passives", "detractors"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} cannot be negative.")

    @property
    def total(self) -> int:
        return self.promoters + self.passives + self.detractors

    def _share(self, count: int) -> float | None:
        return 100.0 * count / self.total if self.total else None

    @property
    def promoter_pct(self) -> float | None:
        return self._share(self.promoters)

    @property
    def passive_pct(self) -> float | None:
        return self._share(self.passives)

    @property
    def detractor_pct(self) -> float | None:
        return self._share(self.detractors)

    @property
    def nps(self) -> float | None:
        """% promoters - % detractors; None when nobody answered."""
        if not self.total:
            return None
        return 100.0 * (self.promoters - self.detractors) / self.total

    @property
    def wald_margin(self) -> float | None:
        """Plain Wald 95% margin of error, in points."""
        if not self.total:
            return None
        n = self.total
        return 100.0 * _margin(self.promoters / n, self.detractors / n, n, Z_95)

    @property
    def adjusted_nps(self) -> float:
        """The centre of the adjusted-Wald interval, in points."""
        n = self.total + ADJUSTED_WALD_N
        p = (self.promoters + ADJUSTED_WALD_COUNT) / n
        d = (self.detractors + ADJUSTED_WALD_COUNT) / n
        return 100.0 * (p - d)

    @property
    def adjusted_wald_margin(self) -> float:
        n = self.total + ADJUSTED_WALD_N
        p = (self.promoters + ADJUSTED_WALD_COUNT) / n
        d = (self.detractors + ADJUSTED_WALD_COUNT) / n
        return 100.0 * _margin(p, d, n, Z_95)

    @property
    def confidence_interval(self) -> tuple[float, float] | None:
        """95% adjusted-Wald interval, clipped to the possible range; None
        when nobody answered (the interval would only restate the prior)."""
        if not self.total:
            return None
        centre, margin = self.adjusted_nps, self.adjusted_wald_margin
        return max(-100.0, centre - margin), min(100.0, centre + margin)

    @property
    def is_sample_too_small(self) -> bool:
        return self.total < self.min_sample

    @property
    def warning(self) -> str | None:
        if not self.total:
            return "No answers in this selection: there is no NPS to report."
        if self.is_sample_too_small:
            return (
                f"Only {self.total} answer{'s' if self.total != 1 else ''}: fewer than "
                f"{self.min_sample}, so this NPS is too uncertain to act on; "
                "read the interval, not the score."
            )
        return None

    def as_dict(self) -> dict:
        low, high = self.confidence_interval or (None, None)
        return {
            "total": self.total,
            "promoters": self.promoters,
            "passives": self.passives,
            "detractors": self.detractors,
            "promoter_pct": _round(self.promoter_pct),
            "passive_pct": _round(self.passive_pct),
            "detractor_pct": _round(self.detractor_pct),
            "nps": _round(self.nps),
            "confidence_interval": {
                "level": 0.95,
                "method": "adjusted-wald",
                "low": _round(low),
                "high": _round(high),
            },
            "wald_margin": _round(self.wald_margin),
            "sample_too_small": self.is_sample_too_small,
            "warning": self.warning,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def difference_is_significant(before: NpsSummary, after: NpsSummary) -> bool:
    """Whether the change between two independent samples is larger than the
    noise: the 95% interval of the difference (adjusted-Wald on both sides,
    variances added) excludes zero."""
    if not before.total or not after.total:
        return False
    diff = after.adjusted_nps - before.adjusted_nps
    margin = math.hypot(before.adjusted_wald_margin, after.adjusted_wald_margin)
    return abs(diff) > margin


def false_discoveries_controlled(p_values: list[float | None], rate: float = 0.05) -> list[bool]:
    """Which of many tests to call significant so that, of those called, the
    expected share of false ones stays at most ``rate`` (Benjamini and
    Hochberg, 1995): with the m p-values sorted, every test up to the largest
    rank k whose p-value is at most k/m x rate. None (no test) is never called."""
    tested = sorted((p, index) for index, p in enumerate(p_values) if p is not None)
    m = len(tested)
    called = 0
    for rank, (p, _index) in enumerate(tested, start=1):
        if p <= rank / m * rate:
            called = rank
    chosen = {index for _p, index in tested[:called]}
    return [index in chosen for index in range(len(p_values))]


# --- Driver questions ("what is the main reason") ------------------------------

GROUPS = ("detractors", "passives", "promoters")


@dataclass(frozen=True, slots=True)
class DriverSummary:
    """One choice of a driver question: ``chosen`` counts, by category, the
    answers that chose it; ``answered`` counts, by category, every answer
    that chose any choice of the question. Its share among detractors is
    chosen.detractors / answered.detractors (and so on), and the NPS of those
    who chose it is ``chosen.nps``, with its interval."""

    chosen: NpsSummary
    answered: NpsSummary

    def share(self, group: str) -> float | None:
        """Percent of ``group`` (detractors, passives, promoters) who chose it."""
        of = getattr(self.answered, group)
        return 100.0 * getattr(self.chosen, group) / of if of else None

    def share_interval(self, group: str) -> tuple[float, float] | None:
        """The 95% interval of ``share`` (Agresti-Coull, as any ``Rate``)."""
        return Rate(getattr(self.chosen, group), getattr(self.answered, group)).confidence_interval

    def as_dict(self) -> dict:
        groups = {}
        for group in GROUPS:
            low, high = self.share_interval(group) or (None, None)
            groups[group] = {
                "count": getattr(self.chosen, group),
                "of": getattr(self.answered, group),
                "share_pct": _round(self.share(group)),
                "share_interval": {"low": _round(low), "high": _round(high)},
            }
        nps = self.chosen.as_dict()
        return {
            "count": self.chosen.total,
            "share_pct": _round(
                100.0 * self.chosen.total / self.answered.total if self.answered.total else None
            ),
            **groups,
            "nps": nps["nps"],
            "confidence_interval": nps["confidence_interval"],
            "sample_too_small": nps["sample_too_small"],
        }


# --- Rates: a share of a group, and two groups compared --------------------------


@dataclass(frozen=True, slots=True)
class Rate:
    """``hits`` of ``n`` (answered of invited), in percent, with the 95%
    adjusted-Wald interval of Agresti and Coull (1998): add z²/2 hits and z²
    trials, then the Wald formula. Like Rocks' interval for NPS, it keeps its
    coverage at small n and at rates near 0 or 100%."""

    hits: int
    n: int

    def __post_init__(self) -> None:
        if self.n < 0 or not 0 <= self.hits <= self.n:
            raise ValueError("A rate needs 0 <= hits <= n.")

    @property
    def pct(self) -> float | None:
        return 100.0 * self.hits / self.n if self.n else None

    @property
    def confidence_interval(self) -> tuple[float, float] | None:
        if not self.n:
            return None
        n = self.n + Z_95**2
        p = (self.hits + Z_95**2 / 2) / n
        margin = Z_95 * math.sqrt(p * (1 - p) / n)
        return 100.0 * max(0.0, p - margin), 100.0 * min(1.0, p + margin)

    def as_dict(self) -> dict:
        low, high = self.confidence_interval or (None, None)
        return {
            "n": self.n,
            "hits": self.hits,
            "pct": _round(self.pct),
            "confidence_interval": {
                "level": 0.95,
                "method": "agresti-coull",
                "low": _round(low),
                "high": _round(high),
            },
        }


def rate_difference(a: Rate, b: Rate) -> dict:
    """``a`` minus ``b`` in percentage points, with the 95% interval of Agresti
    and Caffo (2000): one hit and one miss added to each group, then the Wald
    interval of the difference. ``significant``: the interval excludes zero.
    Empty figures when either group is empty."""
    if not a.n or not b.n:
        return {"points": None, "low": None, "high": None, "significant": False}
    pa, pb = (a.hits + 1) / (a.n + 2), (b.hits + 1) / (b.n + 2)
    margin = Z_95 * math.sqrt(pa * (1 - pa) / (a.n + 2) + pb * (1 - pb) / (b.n + 2))
    centre = pa - pb
    low, high = max(-1.0, centre - margin), min(1.0, centre + margin)
    return {
        "points": _round(100.0 * (a.hits / a.n - b.hits / b.n)),
        "low": _round(100.0 * low),
        "high": _round(100.0 * high),
        "significant": low > 0 or high < 0,
    }


def stratified_rate_difference(strata: Sequence[tuple[Rate, Rate]]) -> dict:
    """``a`` minus ``b`` over several strata (waves) at once, in percentage
    points: the Mantel-Haenszel risk difference, each stratum's difference
    weighted by n_a n_b / (n_a + n_b), with the variance of Greenland and
    Robins (1985), sum of w² (p_a q_a / n_a + p_b q_b / n_b) over (sum of w)².
    Pooling the raw counts instead would compare strata as much as arms when
    the strata split their members between the arms at different shares and
    differ in their base rates (Simpson's paradox). A stratum missing either
    arm says nothing of the difference and weighs nothing. Empty figures when
    no stratum has both."""
    weights = numerator = variance = 0.0
    for a, b in strata:
        if not a.n or not b.n:
            continue
        w = a.n * b.n / (a.n + b.n)
        pa, pb = a.hits / a.n, b.hits / b.n
        weights += w
        numerator += w * (pa - pb)
        variance += w * w * (pa * (1 - pa) / a.n + pb * (1 - pb) / b.n)
    if not weights:
        return {"points": None, "low": None, "high": None, "significant": False}
    centre = numerator / weights
    margin = Z_95 * math.sqrt(variance) / weights
    low, high = max(-1.0, centre - margin), min(1.0, centre + margin)
    return {
        "points": _round(100.0 * centre),
        "low": _round(100.0 * low),
        "high": _round(100.0 * high),
        "significant": low > 0 or high < 0,
    }


@dataclass(frozen=True, slots=True)
class NpsDifference:
    """``a`` minus ``b``, two independent samples (a department and the rest of
    the company, say), in points: the plain difference of their NPS, and the
    test of it on the adjusted-Wald estimates (the variance of each NPS is the
    multinomial one, p + d - (p - d)^2 over n, with Rocks' 3/4 and 3 added; the
    two variances add). Beyond the noise when |z| > 1.96, the same call as
    ``difference_is_significant``; ``p_value`` is two-sided (normal
    approximation). All None without answers on either side."""

    difference: float | None
    standard_error: float | None
    z: float | None
    p_value: float | None

    @property
    def is_significant(self) -> bool:
        return self.z is not None and abs(self.z) > Z_95


def nps_difference(a: NpsSummary, b: NpsSummary) -> NpsDifference:
    if not a.total or not b.total:
        return NpsDifference(None, None, None, None)
    error = math.hypot(a.adjusted_wald_margin, b.adjusted_wald_margin) / Z_95
    centre = a.adjusted_nps - b.adjusted_nps
    z = (centre / error) if error else (0.0 if centre == 0 else math.copysign(math.inf, centre))
    return NpsDifference(
        difference=a.nps - b.nps,  # type: ignore[operator]  # both have answers
        standard_error=error,
        z=z,
        p_value=math.erfc(abs(z) / math.sqrt(2)),
    )


def summary_without(whole: NpsSummary, part: NpsSummary) -> NpsSummary:
    """The answers of ``whole`` that are not in ``part`` (the rest of the company)."""
    return NpsSummary(
        promoters=whole.promoters - part.promoters,
        passives=whole.passives - part.passives,
        detractors=whole.detractors - part.detractors,
        min_sample=whole.min_sample,
    )
