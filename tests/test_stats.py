"""Tests for reportgen.stats against scipy/numpy, brute-force enumeration and hand computation."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from fractions import Fraction
from math import comb

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen import stats

# --- Clopper–Pearson -------------------------------------------------------------------------


def test_clopper_pearson_all_successes_matches_closed_form() -> None:
    b = stats.clopper_pearson(10, 10, 0.95)
    # For n/n the lower bound solves p^n = 1 - c.
    assert b.lower == pytest.approx(0.05 ** (1 / 10), rel=1e-12)
    assert round(b.lower, 4) == 0.7411
    assert b.upper == 1.0
    assert b.estimate == 1.0
    assert (b.successes, b.n, b.confidence) == (10, 10, 0.95)


def test_clopper_pearson_300_of_300_reaches_99_percent() -> None:
    assert stats.clopper_pearson(300, 300).lower >= 0.99
    assert stats.clopper_pearson(299, 299).lower >= 0.99
    assert stats.clopper_pearson(298, 298).lower < 0.99


def test_clopper_pearson_zero_successes() -> None:
    b = stats.clopper_pearson(0, 10, 0.95)
    assert b.lower == 0.0
    assert b.estimate == 0.0
    # For 0/n the upper bound solves (1 - p)^n = 1 - c.
    assert b.upper == pytest.approx(1 - 0.05 ** (1 / 10), rel=1e-12)


def test_clopper_pearson_no_trials_is_no_evidence() -> None:
    b = stats.clopper_pearson(0, 0)
    assert math.isnan(b.estimate)
    assert (b.lower, b.upper) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("k", "n", "c"), [(1, 10, 0.95), (7, 20, 0.9), (45, 50, 0.99), (500, 1000, 0.95)]
)
def test_clopper_pearson_matches_scipy_binomtest(k: int, n: int, c: float) -> None:
    b = stats.clopper_pearson(k, n, c)
    lo = scipy.stats.binomtest(k, n, alternative="greater").proportion_ci(c, "exact").low
    hi = scipy.stats.binomtest(k, n, alternative="less").proportion_ci(c, "exact").high
    assert b.lower == pytest.approx(lo, rel=1e-9)
    assert b.upper == pytest.approx(hi, rel=1e-9)


@pytest.mark.parametrize(("k", "n"), [(3, 10), (9, 12), (1, 5)])
def test_clopper_pearson_bounds_are_where_the_binomial_tail_hits_alpha(k: int, n: int) -> None:
    # Definition of the exact bounds: P(X >= k | lower) = alpha and P(X <= k | upper) = alpha.
    b = stats.clopper_pearson(k, n, 0.95)
    assert scipy.stats.binom.sf(k - 1, n, b.lower) == pytest.approx(0.05, rel=1e-9)
    assert scipy.stats.binom.cdf(k, n, b.upper) == pytest.approx(0.05, rel=1e-9)


def test_clopper_pearson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        stats.clopper_pearson(11, 10)
    with pytest.raises(ValueError):
        stats.clopper_pearson(-1, 10)
    with pytest.raises(ValueError):
        stats.clopper_pearson(1, 10, confidence=1.0)


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(1, 400),
    frac=st.floats(0, 1),
    c=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_clopper_pearson_properties(n: int, frac: float, c: float) -> None:
    k = round(frac * n)
    b = stats.clopper_pearson(k, n, c)
    assert 0.0 <= b.lower <= b.estimate <= b.upper <= 1.0
    if k < n:
        # One more success never lowers either bound.
        nxt = stats.clopper_pearson(k + 1, n, c)
        assert nxt.lower >= b.lower
        assert nxt.upper >= b.upper
    # Higher confidence widens the bounds.
    wider = stats.clopper_pearson(k, n, min(0.999, c + 0.005))
    assert wider.lower <= b.lower + 1e-12
    assert wider.upper >= b.upper - 1e-12


# --- minimum sample counts -------------------------------------------------------------------


def test_min_consecutive_successes_known_values() -> None:
    assert stats.min_consecutive_successes(0.99, 0.95) == 299
    assert stats.min_consecutive_successes(0.95, 0.95) == 59
    assert stats.min_consecutive_successes(0.9, 0.95) == 29
    # Exact case: 0.5^2 == 0.25 == 1 - 0.75, so two successes suffice (not three).
    assert stats.min_consecutive_successes(0.5, 0.75) == 2


@pytest.mark.parametrize("target", [0.5, 0.8, 0.9, 0.95, 0.99, 0.999])
@pytest.mark.parametrize("c", [0.9, 0.95, 0.99])
def test_min_consecutive_successes_is_the_smallest_that_clopper_pearson_accepts(
    target: float, c: float
) -> None:
    n = stats.min_consecutive_successes(target, c)
    assert stats.clopper_pearson(n, n, c).lower >= target * (1 - 1e-12)
    assert stats.clopper_pearson(n - 1, n - 1, c).lower < target


def test_min_consecutive_successes_rejects_unreachable_targets() -> None:
    for target in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError):
            stats.min_consecutive_successes(target)


def test_min_samples_for_percentile_known_values() -> None:
    assert stats.min_samples_for_percentile(0.95, 0.95) == 59
    assert stats.min_samples_for_percentile(0.99, 0.95) == 299
    assert stats.min_samples_for_percentile(0.5, 0.95) == 5  # 0.5^5 = 0.031 <= 0.05 < 0.5^4
    assert stats.min_samples_for_percentile(0.05, 0.95, side="lower") == 59


# --- percentile point value and order-statistic bound ------------------------------------------


@pytest.mark.parametrize("q", [0.0, 0.1, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0])
@pytest.mark.parametrize("n", [1, 2, 7, 60, 101])
def test_percentile_matches_numpy(q: float, n: int) -> None:
    samples = [math.sin(i * 1.7) * 10 + i for i in range(n)]
    assert stats.percentile(samples, q) == np.percentile(samples, q * 100)


def test_percentile_hand_computed() -> None:
    assert stats.percentile([1, 2, 3, 4], 0.5) == 2.5
    assert stats.percentile([10, 20, 30, 40, 50], 0.9) == pytest.approx(46.0)
    assert stats.percentile([5], 0.99) == 5.0
    with pytest.raises(ValueError):
        stats.percentile([], 0.5)
    with pytest.raises(ValueError):
        stats.percentile([1.0], 95)


def _brute_force_upper_rank(n: int, q: float, c: float) -> int | None:
    # P(Binom(n, q) <= r - 1) from the probability mass function with exact fractions.
    qf = Fraction(q)
    cum = Fraction(0)
    for r in range(1, n + 1):
        cum += comb(n, r - 1) * qf ** (r - 1) * (1 - qf) ** (n - r + 1)
        if cum >= Fraction(c):
            return r
    return None


def _brute_force_lower_rank(n: int, q: float, c: float) -> int | None:
    qf = Fraction(q)
    best = None
    for r in range(1, n + 1):
        tail = sum(comb(n, j) * qf**j * (1 - qf) ** (n - j) for j in range(r, n + 1))
        if tail >= Fraction(c):
            best = r
    return best


@pytest.mark.parametrize(
    ("n", "q", "c"),
    [(59, 0.95, 0.95), (60, 0.95, 0.95), (100, 0.95, 0.95), (200, 0.9, 0.95), (10, 0.5, 0.9)],
)
def test_percentile_bound_rank_matches_brute_force_binomial(n: int, q: float, c: float) -> None:
    samples = [float(i) for i in range(n, 0, -1)]  # the value equals the rank, given unsorted
    up = stats.percentile_bound(samples, q, c, "upper")
    assert up.rank == _brute_force_upper_rank(n, q, c)
    assert up.bound == float(up.rank)
    lo = stats.percentile_bound(samples, q, c, "lower")
    assert lo.rank == _brute_force_lower_rank(n, q, c)
    assert lo.bound == float(lo.rank)
    assert lo.bound <= up.estimate <= up.bound


def test_percentile_bound_hand_computed_ranks() -> None:
    # n = 59, p95: only the maximum bounds it (1 - 0.95^59 = 0.9515 >= 0.95).
    b = stats.percentile_bound(range(1, 60), 0.95)
    assert (b.rank, b.bound, b.min_n) == (59, 59.0, 59)
    # n = 100, p95: P(Binom(100, .95) <= 98) = 0.963 but P(<= 97) = 0.882, so rank 99.
    b = stats.percentile_bound(range(1, 101), 0.95)
    assert (b.rank, b.bound) == (99, 99.0)
    assert b.estimate == pytest.approx(95.05)
    # Median of 10 at 90%: P(Binom(10, .5) <= 6) = 0.828, P(<= 7) = 0.945, P(<= 8) = 0.989.
    assert stats.percentile_bound(range(1, 11), 0.5, 0.9).rank == 8


def test_percentile_bound_too_few_samples_is_none() -> None:
    b = stats.percentile_bound([1.0] * 58, 0.95)
    assert b.bound is None and b.rank is None
    assert b.min_n == 59 and b.n == 58
    assert b.estimate == 1.0
    empty = stats.percentile_bound([], 0.99)
    assert empty.bound is None and math.isnan(empty.estimate) and empty.min_n == 299


@settings(max_examples=60, deadline=None)
@given(
    samples=st.lists(st.floats(0.001, 1e6), min_size=1, max_size=400),
    q=st.sampled_from([0.5, 0.9, 0.95, 0.99]),
)
def test_percentile_bound_properties(samples: list[float], q: float) -> None:
    up = stats.percentile_bound(samples, q, 0.95, "upper")
    lo = stats.percentile_bound(samples, q, 0.95, "lower")
    assert (up.bound is None) == (len(samples) < up.min_n)
    if up.bound is not None:
        assert up.bound >= up.estimate
        assert up.bound in samples
    if lo.bound is not None:
        assert lo.bound in samples
        # Not lo.bound <= estimate: for p99 of [1, 2] the 95% lower bound is X_(2) = 2
        # (P(both <= x_.99) = .98) while the interpolated point value is 1.99.
        if up.bound is not None:
            assert lo.rank is not None and up.rank is not None
            assert lo.rank <= up.rank
            assert lo.bound <= up.bound


def test_percentile_bound_coverage_by_enumeration_of_ranks() -> None:
    # Whatever the continuous distribution, the chance that X_(r) >= x_q is the binomial sum,
    # so check the chosen rank's coverage with scipy's binomial cdf.
    for n in (59, 80, 150, 299, 300, 1000):
        for q in (0.9, 0.95, 0.99):
            b = stats.percentile_bound(np.arange(n, dtype=float), q, 0.95)
            if b.rank is None:
                assert n < b.min_n
                continue
            assert scipy.stats.binom.cdf(b.rank - 1, n, q) >= 0.95
            if b.rank > 1:
                assert scipy.stats.binom.cdf(b.rank - 2, n, q) < 0.95


# --- Holm ------------------------------------------------------------------------------------


def test_holm_hand_computed() -> None:
    # Sorted: .005*4 = .02, .01*3 = .03, .03*2 = .06, .04*1 = .04 -> running max .06.
    assert stats.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert stats.holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])
    assert stats.holm([0.02]) == [0.02]
    assert stats.holm([]) == []


def test_holm_matches_the_definition() -> None:
    # Reference: Holm written directly from the definition with explicit maxima.
    ps = [0.001, 0.2, 0.013, 0.04, 0.04, 0.9, 0.0005]
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    expected = [0.0] * m
    for pos, i in enumerate(order):
        expected[i] = min(1.0, max((m - j) * ps[order[j]] for j in range(pos + 1)))
    assert stats.holm(ps) == pytest.approx(expected)


def test_holm_ignores_nan() -> None:
    out = stats.holm([0.01, math.nan, 0.02])
    assert out[0] == pytest.approx(0.02) and out[2] == pytest.approx(0.02)
    assert math.isnan(out[1])


@given(st.lists(st.floats(0, 1), max_size=30))
def test_holm_properties(ps: list[float]) -> None:
    adj = stats.holm(ps)
    assert len(adj) == len(ps)
    for p, a in zip(ps, adj, strict=True):
        assert p <= a <= 1.0
        assert a <= min(1.0, p * len(ps)) + 1e-15  # never worse than Bonferroni
    # Monotone: a smaller p never gets a larger adjusted value.
    pairs = sorted(zip(ps, adj, strict=True))
    assert all(a1 <= a2 for (_, a1), (_, a2) in itertools.pairwise(pairs))


# --- CV and resolution ------------------------------------------------------------------------


def test_cv_matches_numpy() -> None:
    xs = [1.2, 1.25, 1.19, 1.4, 1.22]
    assert stats.cv(xs) == pytest.approx(np.std(xs, ddof=1) / np.mean(xs))
    assert stats.cv([2.0, 4.0]) == pytest.approx(math.sqrt(2) / 3)
    assert stats.cv([1.0]) is None
    assert stats.cv([-1.0, 1.0]) is None


def test_robust_cv_matches_scipy_mad() -> None:
    xs = [1.0, 1.1, 0.9, 1.05, 50.0]
    expected = scipy.stats.median_abs_deviation(xs, scale="normal") / np.median(xs)
    # scipy's "normal" scale is 1/Phi^-1(3/4) = 1.482602..., we use the rounded 1.4826.
    assert stats.robust_cv(xs) == pytest.approx(expected, rel=1e-5)
    # Hand: median 1.05, deviations [.05, .05, .15, 0, 48.95] -> MAD .05.
    assert stats.robust_cv(xs) == pytest.approx(1.4826 * 0.05 / 1.05)
    assert stats.robust_cv([3.0]) is None
    assert stats.robust_cv([0.0, 0.0, 1.0]) is None
    # The outlier that dominates the plain CV hardly moves the robust one.
    assert stats.cv(xs) > 1.0 > 0.1 > stats.robust_cv(xs)


def test_below_resolution() -> None:
    assert stats.below_resolution([0.0] * 20, 1e-6)
    assert stats.below_resolution([0.0] * 20, 0.0)
    assert stats.below_resolution([1e-7, 1e-6, 0.0], 1e-6)
    assert not stats.below_resolution([1e-7, 2e-6], 1e-6)
    assert not stats.below_resolution([0.0, 0.0, 0.5], 0.0)
    assert stats.below_resolution([], 1e-6)
    with pytest.raises(ValueError):
        stats.below_resolution([1.0], -1.0)


def test_import_stays_light() -> None:
    code = (
        "import sys, reportgen.stats; "
        "print(sorted(m for m in ('scipy', 'numpy', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
