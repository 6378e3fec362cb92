"""Statistics for verdicts: small pure functions, each naming its test, bound and assumption.

Too little data returns None (or an explicit "insufficient" marker), never a guess. Nothing
here is random: no bootstrap, no seeds. scipy is imported inside the functions that need it so
that the verdict path starts fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RateBounds:
    """One-sided exact (Clopper–Pearson) bounds for a binomial proportion."""

    successes: int
    n: int
    estimate: float  # successes / n (nan when n == 0)
    lower: float  # one-sided lower bound at `confidence` (0.0 when successes == 0)
    upper: float  # one-sided upper bound at `confidence` (1.0 when successes == n)
    confidence: float


@dataclass(frozen=True)
class PercentileBound:
    """Distribution-free one-sided confidence bound for a quantile from order statistics."""

    q: float  # quantile, e.g. 0.95
    n: int
    estimate: float  # point value (linear interpolation, numpy's default)
    bound: float | None  # the order statistic bounding the quantile; None when n < min_n
    rank: int | None  # 1-based rank of the order statistic used
    side: str  # "upper" or "lower"
    confidence: float
    min_n: int  # smallest n for which a bound exists


@dataclass(frozen=True)
class RatioEstimate:
    """Hodges–Lehmann shift of log values, read as a ratio of medians current/baseline."""

    ratio: float  # exp(HL estimate of log(current) - log(baseline))
    low: float | None  # two-sided CI at `confidence` (None when n too small for it)
    high: float | None
    confidence: float
    n_baseline: int
    n_current: int
    method: str  # "exact" or "normal"
    p_value: float | None  # two-sided Mann–Whitney p-value for "no shift"


def clopper_pearson(successes: int, n: int, confidence: float = 0.95) -> RateBounds:
    """Exact one-sided Clopper–Pearson bounds (beta quantiles). 10/10 at 0.95 -> lower 0.7411."""
    raise NotImplementedError


def min_consecutive_successes(target: float, confidence: float = 0.95) -> int:
    """Smallest n such that n/n successes give a lower bound >= target: ceil(ln(1-c)/ln(target)).

    0.99 at 0.95 -> 299.
    """
    raise NotImplementedError


def min_samples_for_percentile(q: float, confidence: float = 0.95) -> int:
    """Smallest n for a one-sided order-statistic bound on the q-quantile: ceil(ln(1-c)/ln(q)).

    p95 at 0.95 -> 59; p99 -> 299.
    """
    raise NotImplementedError


def percentile_bound(
    samples: Sequence[float], q: float, confidence: float = 0.95, side: str = "upper"
) -> PercentileBound:
    """Order-statistic confidence bound for the q-quantile (binomial argument, no assumptions
    beyond independent samples from a continuous distribution)."""
    raise NotImplementedError


def percentile(samples: Sequence[float], q: float) -> float:
    """Point estimate of the q-quantile (linear interpolation)."""
    raise NotImplementedError


def hodges_lehmann_ratio(
    baseline: Sequence[float], current: Sequence[float], confidence: float = 0.95
) -> RatioEstimate:
    """Hodges–Lehmann shift of log values with the distribution-free CI from the inverted
    Mann–Whitney test (exact null distribution for small samples without ties, normal
    approximation with tie correction otherwise). Values must be > 0."""
    raise NotImplementedError


def samples_to_decide(estimate: RatioEstimate, threshold_ratio: float) -> int | None:
    """About how many samples per side would make the CI exclude `threshold_ratio`, assuming
    the width shrinks like 1/sqrt(n) and the estimate stays; None when it cannot (estimate on
    the threshold)."""
    raise NotImplementedError


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values (step-down, monotone, capped at 1), input order kept."""
    raise NotImplementedError


def cv(samples: Sequence[float]) -> float | None:
    """Plain coefficient of variation: sample stdev (ddof=1) / mean; None for n < 2 or mean 0."""
    raise NotImplementedError


def robust_cv(samples: Sequence[float]) -> float | None:
    """Robust CV: 1.4826 * MAD / median; None for n < 2 or median 0."""
    raise NotImplementedError


def below_resolution(samples: Sequence[float], resolution: float) -> bool:
    """True when the samples are not a measurement: every value <= resolution (which includes
    all-identical zeros)."""
    raise NotImplementedError
