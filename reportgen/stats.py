"""Statistics for verdicts: small pure functions, each naming its test, bound and assumption.

Too little data returns None (or an explicit "insufficient" marker), never a guess. Nothing
here is random: no bootstrap, no seeds. scipy is imported inside the functions that need it so
that the verdict path starts fast.
"""

from __future__ import annotations

import math
import statistics
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


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")


def clopper_pearson(successes: int, n: int, confidence: float = 0.95) -> RateBounds:
    """Exact one-sided Clopper–Pearson bounds (beta quantiles). 10/10 at 0.95 -> lower 0.7411.

    Test: exact binomial test, inverted. Bounds: lower = Beta(1 - c; s, n - s + 1) and upper =
    Beta(c; s + 1, n - s), each one-sided at `confidence` (so lower and upper together form a
    two-sided interval at 2c - 1). Assumption: the n trials are independent with one common
    success probability. n == 0 carries no evidence: estimate nan, bounds [0, 1].
    """
    _check_confidence(confidence)
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes}/{n}")
    if n == 0:
        return RateBounds(successes, n, math.nan, 0.0, 1.0, confidence)
    from scipy.special import betaincinv

    alpha = 1.0 - confidence
    lower = 0.0 if successes == 0 else float(betaincinv(successes, n - successes + 1, alpha))
    upper = 1.0 if successes == n else float(betaincinv(successes + 1, n - successes, confidence))
    return RateBounds(successes, n, successes / n, lower, upper, confidence)


def _min_n_all_hits(p: float, confidence: float) -> int:
    """Smallest n with p**n <= 1 - confidence, i.e. ceil(ln(1-c)/ln(p)) computed robustly."""
    _check_confidence(confidence)
    if not 0.0 < p < 1.0:
        raise ValueError(f"target must be in (0, 1), got {p!r}")
    alpha = 1.0 - confidence
    n = max(1, math.ceil(math.log(alpha) / math.log(p)))
    # The logarithm ratio can land a hair above an exact integer; settle on the exact condition.
    while n > 1 and p ** (n - 1) <= alpha:
        n -= 1
    while p**n > alpha:
        n += 1
    return n


def min_consecutive_successes(target: float, confidence: float = 0.95) -> int:
    """Smallest n such that n/n successes give a lower bound >= target: ceil(ln(1-c)/ln(target)).

    0.99 at 0.95 -> 299. The Clopper–Pearson lower bound for n/n is (1-c)^(1/n), so this is
    the smallest n with target^n <= 1 - c. Raises ValueError unless 0 < target < 1 (a target
    of 1.0 can never be shown by any finite number of trials).
    """
    return _min_n_all_hits(target, confidence)


def min_samples_for_percentile(q: float, confidence: float = 0.95, side: str = "upper") -> int:
    """Smallest n for a one-sided order-statistic bound on the q-quantile: ceil(ln(1-c)/ln(q)).

    p95 at 0.95 -> 59; p99 -> 299. The upper bound uses the maximum, which exceeds the
    q-quantile with probability 1 - q^n. For side="lower" the minimum is used instead and the
    count is ceil(ln(1-c)/ln(1-q)). Assumption: independent samples, continuous distribution.
    """
    if side == "upper":
        return _min_n_all_hits(q, confidence)
    if side == "lower":
        return _min_n_all_hits(1.0 - q, confidence)
    raise ValueError(f"side must be 'upper' or 'lower', got {side!r}")


def percentile_bound(
    samples: Sequence[float], q: float, confidence: float = 0.95, side: str = "upper"
) -> PercentileBound:
    """Order-statistic confidence bound for the q-quantile (binomial argument, no assumptions
    beyond independent samples from a continuous distribution).

    The number of samples below the true q-quantile is Binomial(n, q). Upper bound: X_(r) for
    the smallest rank r with P(Binom(n, q) <= r - 1) >= c, so P(X_(r) >= x_q) >= c. Lower bound:
    X_(r) for the largest rank r with P(Binom(n, q) >= r) >= c. When no rank reaches
    `confidence` (n < min_n) the bound and rank are None: the point value alone is not evidence.
    """
    _check_confidence(confidence)
    if not 0.0 < q < 1.0:
        raise ValueError(f"q must be in (0, 1), got {q!r}")
    min_n = min_samples_for_percentile(q, confidence, side)
    ordered = sorted(float(x) for x in samples)
    n = len(ordered)
    estimate = _sorted_percentile(ordered, q) if n else math.nan
    if n < min_n:
        return PercentileBound(q, n, estimate, None, None, side, confidence, min_n)
    import numpy as np
    from scipy.special import bdtr

    # cdf[k] = P(Binom(n, q) <= k) for k = 0 .. n-1.
    cdf = bdtr(np.arange(n), n, q)
    if side == "upper":
        # Smallest r (1-based) with cdf[r - 1] >= c; exists because n >= min_n.
        rank = int(np.argmax(cdf >= confidence)) + 1
    else:
        # P(X_(r) <= x_q) = P(Binom >= r) = 1 - cdf[r - 1]; largest r with that >= c.
        rank = int(np.nonzero(1.0 - cdf >= confidence)[0][-1]) + 1
    return PercentileBound(q, n, estimate, ordered[rank - 1], rank, side, confidence, min_n)


def _sorted_percentile(ordered: Sequence[float], q: float) -> float:
    h = (len(ordered) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(ordered) - 1)
    a, b = ordered[lo], ordered[hi]
    t = h - lo
    # Same lerp as numpy (from the nearer end) so results match to the last bit.
    return b - (b - a) * (1.0 - t) if t >= 0.5 else a + (b - a) * t


def percentile(samples: Sequence[float], q: float) -> float:
    """Point estimate of the q-quantile (linear interpolation).

    Matches numpy.percentile's default ("linear", Hyndman & Fan type 7): q is a fraction in
    [0, 1]. Descriptive, no bound; raises ValueError for no samples.
    """
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q must be in [0, 1], got {q!r}")
    if len(samples) == 0:
        raise ValueError("percentile of no samples")
    return _sorted_percentile(sorted(float(x) for x in samples), q)


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
    """Holm–Bonferroni adjusted p-values (step-down, monotone, capped at 1), input order kept.

    Test: Holm's step-down procedure; the i-th smallest of m p-values is multiplied by
    (m - i + 1), then made monotone by a running maximum. Bound: family-wise error rate <= alpha
    when every adjusted p-value is compared with alpha. Assumption: none about dependence.
    NaN p-values are passed through unchanged and do not count towards m.
    """
    indexed = sorted(
        ((p, i) for i, p in enumerate(p_values) if not math.isnan(p)), key=lambda t: t[0]
    )
    for p, _ in indexed:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p-values must be in [0, 1], got {p!r}")
    m = len(indexed)
    adjusted = [float(p) for p in p_values]
    running = 0.0
    for rank, (p, i) in enumerate(indexed):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    return adjusted


def cv(samples: Sequence[float]) -> float | None:
    """Plain coefficient of variation: sample stdev (ddof=1) / mean; None for n < 2 or mean 0.

    Descriptive, no test. Sensitive to outliers (one slow sample dominates); the mean's absolute
    value is used so that the result is never negative.
    """
    if len(samples) < 2:
        return None
    mean = statistics.fmean(samples)
    if mean == 0.0:
        return None
    return statistics.stdev(samples) / abs(mean)


def robust_cv(samples: Sequence[float]) -> float | None:
    """Robust CV: 1.4826 * MAD / median; None for n < 2 or median 0.

    Descriptive, no test. 1.4826 makes the median absolute deviation a consistent estimate of
    the standard deviation under a normal distribution, so the value is comparable with `cv`
    but insensitive to a few outliers.
    """
    if len(samples) < 2:
        return None
    med = statistics.median(samples)
    if med == 0.0:
        return None
    mad = statistics.median([abs(x - med) for x in samples])
    return 1.4826 * mad / abs(med)


def below_resolution(samples: Sequence[float], resolution: float) -> bool:
    """True when the samples are not a measurement: every value <= resolution (which includes
    all-identical zeros).

    The timer-resolution rule: a value at or below what the clock can resolve says only "too
    fast to see", so a set of them is not evidence for any threshold. Magnitudes are compared
    (a -0.0 counts as zero). No samples at all are not a measurement either.
    """
    if resolution < 0:
        raise ValueError(f"resolution must be >= 0, got {resolution!r}")
    return all(abs(x) <= resolution for x in samples)
