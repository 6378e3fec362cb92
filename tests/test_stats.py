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


def _binomial_pmf_exact(n: int, q: float) -> list[Fraction]:
    # P(Binom(n, q) = j) with exact rational arithmetic (q read as its exact binary value).
    qf = Fraction(q)
    return [comb(n, j) * qf**j * (1 - qf) ** (n - j) for j in range(n + 1)]


def _brute_force_upper_rank(n: int, q: float, c: float) -> int | None:
    # Smallest r with P(Binom(n, q) <= r - 1) >= c.
    pmf = _binomial_pmf_exact(n, q)
    cum = Fraction(0)
    for r in range(1, n + 1):
        cum += pmf[r - 1]
        if cum >= Fraction(c):
            return r
    return None


def _brute_force_lower_rank(n: int, q: float, c: float) -> int | None:
    # Largest r with P(Binom(n, q) >= r) >= c.
    pmf = _binomial_pmf_exact(n, q)
    tail = Fraction(0)
    for r in range(n, 0, -1):
        tail += pmf[r]
        if tail >= Fraction(c):
            return r
    return None


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


# --- Hodges–Lehmann ratio with the inverted Mann–Whitney CI -----------------------------------


def _lognormal_quantiles(median: float, sigma: float, n: int, offset: float = 0.5) -> list[float]:
    """Deterministic 'sample': the lognormal's quantiles at (i + offset) / n."""
    return [median * math.exp(sigma * scipy.stats.norm.ppf((i + offset) / n)) for i in range(n)]


def test_hl_detects_a_25_percent_regression() -> None:
    base = _lognormal_quantiles(1.2, 0.05, 30)
    cur = _lognormal_quantiles(1.5, 0.05, 30)
    r = stats.hodges_lehmann_ratio(base, cur)
    assert r.ratio == pytest.approx(1.25, rel=1e-3)
    assert r.low is not None and r.high is not None
    assert 1.05 < r.low < r.ratio < r.high < 1.5
    assert r.method == "exact"
    assert (r.n_baseline, r.n_current, r.confidence) == (30, 30, 0.95)
    assert r.p_value is not None and r.p_value < 1e-6


def test_hl_same_distribution_contains_one() -> None:
    base = _lognormal_quantiles(1.2, 0.1, 30, offset=0.3)
    cur = _lognormal_quantiles(1.2, 0.1, 30, offset=0.7)
    r = stats.hodges_lehmann_ratio(base, cur)
    assert r.low is not None and r.high is not None
    assert r.low < 1.0 < r.high
    assert r.p_value is not None and r.p_value > 0.05


def test_hl_three_versus_three_has_no_interval_at_95() -> None:
    # P(U = 0) = 1 / C(6, 3) = 0.05 > 0.025: not even the widest interval reaches 95%.
    r = stats.hodges_lehmann_ratio([1.0, 1.1, 1.2], [1.3, 1.4, 1.5])
    assert r.low is None and r.high is None
    assert r.ratio == pytest.approx(
        math.exp(np.median(np.log([1.3, 1.4, 1.5])[:, None] - np.log([1.0, 1.1, 1.2])))
    )
    # At 90% it exists: P(U = 0) = 0.05 <= 0.05, interval = [min diff, max diff].
    r90 = stats.hodges_lehmann_ratio([1.0, 1.1, 1.2], [1.3, 1.4, 1.5], confidence=0.9)
    assert r90.low == pytest.approx(1.3 / 1.2) and r90.high == pytest.approx(1.5 / 1.0)
    # Four each at 95%: P(U = 0) = 1/70 = 0.014, so the full range of differences.
    r4 = stats.hodges_lehmann_ratio([1.0, 1.1, 1.2, 1.25], [1.3, 1.4, 1.5, 1.6])
    assert r4.low == pytest.approx(1.3 / 1.25) and r4.high == pytest.approx(1.6 / 1.0)


def test_hl_hand_computed_like_r_wilcox_test() -> None:
    # R: wilcox.test(Y, X, conf.int = TRUE) on these log values gives estimate 0.7,
    # CI (-0.3, 2.0) and p = 0.09524, worked by hand:
    # the 25 sorted differences Y - X are -.8 -.4 -.3 -.3 .1 .1 .2 .3 .3 .5 .6 .6 .7 .8 .8
    # 1.0 1.1 1.1 1.2 1.4 1.6 1.7 2.0 2.2 2.5; for m = n = 5 the counts of U = 0..4 are
    # 1 1 2 3 5 (of 252), so P(U <= 2) = 4/252 <= .025 < P(U <= 3) = 7/252 and k = 3:
    # CI = (d_(3), d_(23)), estimate d_(13). U = 21 positive differences, so
    # p = 2 P(U <= 25 - 21) = 2 * 12/252.
    lx = [0.0, 0.3, 0.5, 0.9, 1.4]
    ly = [0.6, 1.0, 1.1, 1.7, 2.5]
    r = stats.hodges_lehmann_ratio(np.exp(lx), np.exp(ly))
    assert r.method == "exact"
    assert math.log(r.ratio) == pytest.approx(0.7)
    assert r.low is not None and r.high is not None
    assert math.log(r.low) == pytest.approx(-0.3)
    assert math.log(r.high) == pytest.approx(2.0)
    assert r.p_value == pytest.approx(24 / 252)


def _null_pmf_by_enumeration(m: int, n: int) -> dict[int, Fraction]:
    # Every way to choose which of the m + n pooled ranks belong to the baseline.
    total = comb(m + n, m)
    counts: dict[int, int] = {}
    for xs in itertools.combinations(range(m + n), m):
        xset = set(xs)
        ys = [r for r in range(m + n) if r not in xset]
        u = sum(1 for yr in ys for xr in xs if yr > xr)
        counts[u] = counts.get(u, 0) + 1
    return {u: Fraction(c, total) for u, c in counts.items()}


def _brute_force_ci(
    lx: list[float], ly: list[float], confidence: float
) -> tuple[float, float] | None:
    """Invert the exact two-sided test by scanning shifts between consecutive differences."""
    m, n = len(lx), len(ly)
    pmf = _null_pmf_by_enumeration(m, n)
    alpha = Fraction(1) - Fraction(confidence).limit_denominator(1000)

    def accepted(shift: float) -> bool:
        u = sum(1 for y in ly for x in lx if y - shift > x)
        lower_tail = sum((p for v, p in pmf.items() if v <= u), Fraction(0))
        upper_tail = sum((p for v, p in pmf.items() if v >= u), Fraction(0))
        return min(1, 2 * min(lower_tail, upper_tail)) > alpha

    d = sorted({y - x for y in ly for x in lx})
    probes = [d[0] - 1.0] + [(a + b) / 2 for a, b in itertools.pairwise(d)] + [d[-1] + 1.0]
    ok = [accepted(s) for s in probes]
    if ok[0] or ok[-1]:
        return None  # the acceptance region is unbounded: no interval at this confidence
    first = ok.index(True)
    last = len(ok) - 1 - ok[::-1].index(True)
    return d[first - 1], d[last]


@pytest.mark.parametrize(
    ("m", "n", "confidence"),
    [
        (3, 3, 0.95),
        (3, 3, 0.9),
        (4, 4, 0.95),
        (4, 6, 0.95),
        (5, 5, 0.95),
        (6, 5, 0.9),
        (7, 7, 0.99),
        (2, 9, 0.9),
        (6, 7, 0.8),
    ],
)
def test_hl_ci_matches_brute_force_permutation_inversion(m: int, n: int, confidence: float) -> None:
    # Irrational-looking spacings keep all values and all pairwise differences distinct.
    lx = [math.sqrt(2) * i % 1.7 for i in range(1, m + 1)]
    ly = [0.4 + math.sqrt(3) * i % 1.9 for i in range(1, n + 1)]
    r = stats.hodges_lehmann_ratio(np.exp(lx), np.exp(ly), confidence)
    assert r.method == "exact"
    expected = _brute_force_ci(lx, ly, confidence)
    if expected is None:
        assert r.low is None and r.high is None
    else:
        assert r.low is not None and r.high is not None
        assert math.log(r.low) == pytest.approx(expected[0], abs=1e-12)
        assert math.log(r.high) == pytest.approx(expected[1], abs=1e-12)
    # HL estimate by its definition.
    assert math.log(r.ratio) == pytest.approx(float(np.median([y - x for y in ly for x in lx])))


@pytest.mark.parametrize(("m", "n"), [(4, 4), (5, 7), (8, 8), (10, 12)])
def test_hl_exact_ci_bounds_sit_where_scipy_exact_test_flips(m: int, n: int) -> None:
    # Inside the CI the shifted samples are not significantly different at alpha; just outside
    # they are. Checked with scipy's own exact Mann–Whitney test.
    lx = np.log(_lognormal_quantiles(1.0, 0.2, m, offset=0.37))
    ly = np.log(_lognormal_quantiles(1.1, 0.2, n, offset=0.61))
    r = stats.hodges_lehmann_ratio(np.exp(lx), np.exp(ly))
    assert r.low is not None and r.high is not None
    eps = 1e-9
    for bound, inward in ((math.log(r.low), +eps), (math.log(r.high), -eps)):
        p_in = scipy.stats.mannwhitneyu(ly - (bound + inward), lx, method="exact").pvalue
        p_out = scipy.stats.mannwhitneyu(ly - (bound - inward), lx, method="exact").pvalue
        assert p_in > 0.05 >= p_out


@pytest.mark.parametrize(("m", "n"), [(3, 3), (5, 9), (12, 12), (30, 30), (40, 60)])
def test_hl_p_value_matches_scipy(m: int, n: int) -> None:
    x = _lognormal_quantiles(1.0, 0.3, m, offset=0.41)
    y = _lognormal_quantiles(1.15, 0.3, n, offset=0.53)
    r = stats.hodges_lehmann_ratio(x, y)
    method = "exact" if r.method == "exact" else "asymptotic"
    expected = scipy.stats.mannwhitneyu(np.log(y), np.log(x), method=method).pvalue
    assert r.p_value == pytest.approx(expected, rel=1e-9)
    # And with ties (timer quantised to 10 ms): the normal path with tie correction.
    xt = [max(0.01, round(v, 2)) for v in x]
    yt = [max(0.01, round(v, 2)) for v in y]
    yt[0] = xt[-1]  # at least one tie across the samples, whatever the rounding did
    rt = stats.hodges_lehmann_ratio(xt, yt)
    assert rt.method == "normal"
    expected_t = scipy.stats.mannwhitneyu(np.log(yt), np.log(xt), method="asymptotic").pvalue
    assert rt.p_value == pytest.approx(expected_t, rel=1e-9)


def test_hl_normal_rank_agrees_with_exact_within_one() -> None:
    for m, n in [(10, 10), (20, 25), (30, 30), (45, 50)]:
        exact = stats._exact_rank(m, n, 0.95)
        normal = stats._normal_rank(m, n, [], 0.95)
        assert abs(exact - normal) <= 1, (m, n, exact, normal)


def test_hl_null_distribution_matches_enumeration() -> None:
    for m, n in [(1, 1), (2, 3), (4, 4), (5, 3)]:
        cdf = stats._mann_whitney_null_cdf(m, n)
        pmf = _null_pmf_by_enumeration(m, n)
        running = Fraction(0)
        for u in range(m * n + 1):
            running += pmf.get(u, Fraction(0))
            assert cdf[u] == pytest.approx(float(running), rel=1e-12)


def test_hl_large_tied_samples_use_normal_and_cover() -> None:
    # 100 per side, quantised to 1 ms like a coarse timer: many ties, normal approximation.
    base = [round(v, 3) for v in _lognormal_quantiles(0.020, 0.1, 100)]
    cur = [round(v, 3) for v in _lognormal_quantiles(0.021, 0.1, 100, offset=0.45)]
    r = stats.hodges_lehmann_ratio(base, cur)
    assert r.method == "normal"
    assert r.low is not None and r.high is not None
    assert r.low <= r.ratio <= r.high
    assert r.low <= 1.05 <= r.high  # the true ratio 21 ms / 20 ms
    assert r.ratio == pytest.approx(1.05, rel=0.01)
    # Quantisation costs precision but not validity: the untied CI is narrower and nested.
    untied = stats.hodges_lehmann_ratio(
        _lognormal_quantiles(0.020, 0.1, 100), _lognormal_quantiles(0.021, 0.1, 100, offset=0.45)
    )
    assert untied.low is not None and untied.high is not None
    assert r.low <= untied.low and untied.high <= r.high


def test_hl_all_identical_values() -> None:
    r = stats.hodges_lehmann_ratio([2.0] * 10, [2.0] * 10)
    assert (r.ratio, r.low, r.high, r.p_value) == (1.0, 1.0, 1.0, 1.0)


def test_hl_simulated_coverage_is_near_nominal() -> None:
    # Fixed seed: deterministic. Under a pure shift the 95% CI should cover the true ratio in
    # about 95% of repetitions (exact path >= 95% by construction, normal path approximately).
    rng = np.random.default_rng(20240601)
    for size in (12, 60):
        covered = 0
        trials = 300
        for _ in range(trials):
            x = rng.lognormal(0.0, 0.2, size)
            y = rng.lognormal(math.log(1.1), 0.2, size)
            r = stats.hodges_lehmann_ratio(x, y)
            assert r.low is not None and r.high is not None
            covered += r.low <= 1.1 <= r.high
        assert 0.92 <= covered / trials <= 0.99, (size, covered)


def test_hl_rejects_bad_values() -> None:
    for bad in ([0.0, 1.0], [-1.0, 2.0], [math.nan, 1.0], [math.inf, 1.0], []):
        with pytest.raises(ValueError):
            stats.hodges_lehmann_ratio(bad, [1.0, 2.0])
        with pytest.raises(ValueError):
            stats.hodges_lehmann_ratio([1.0, 2.0], bad)


@settings(max_examples=80, deadline=None)
@given(
    x=st.lists(st.floats(0.01, 100), min_size=1, max_size=40),
    y=st.lists(st.floats(0.01, 100), min_size=1, max_size=40),
    scale=st.floats(0.1, 10),
    c=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_hl_properties(x: list[float], y: list[float], scale: float, c: float) -> None:
    r = stats.hodges_lehmann_ratio(x, y, c)
    assert r.p_value is not None and 0.0 <= r.p_value <= 1.0
    if r.low is not None and r.high is not None:
        assert r.low <= r.ratio * (1 + 1e-12) and r.ratio <= r.high * (1 + 1e-12)
    # Swapping the sides inverts everything.
    s = stats.hodges_lehmann_ratio(y, x, c)
    assert s.ratio == pytest.approx(1 / r.ratio, rel=1e-9)
    assert (s.low is None) == (r.high is None)
    if s.low is not None and r.high is not None:
        assert s.low == pytest.approx(1 / r.high, rel=1e-9)
    # Scaling the current side by a factor scales the ratio by it (a shift in log space).
    t = stats.hodges_lehmann_ratio(x, [v * scale for v in y], c)
    assert t.ratio == pytest.approx(r.ratio * scale, rel=1e-6)


# --- samples_to_decide ------------------------------------------------------------------------


def test_samples_to_decide_hand_computed() -> None:
    est = stats.RatioEstimate(1.0, 0.9, 1.1, 0.95, 10, 10, "exact", 0.5)
    # distance ln 1.05 = .04879, half-width ln 1.1 = .09531 on that side:
    # N = 2 / ((1/10 + 1/10) (.04879 / .09531)^2) = 38.2 -> 39.
    assert stats.samples_to_decide(est, 1.05) == 39
    # The lower side is used for a threshold below the estimate: ln .9 = -.10536.
    n_low = stats.samples_to_decide(est, 0.95)
    assert n_low == math.ceil(2 / (0.2 * (math.log(0.95) / math.log(0.9)) ** 2))
    # A closer threshold needs more samples.
    assert stats.samples_to_decide(est, 1.02) > 39


def test_samples_to_decide_on_threshold_and_without_interval() -> None:
    est = stats.RatioEstimate(1.05, 0.9, 1.2, 0.95, 10, 10, "exact", 0.5)
    assert stats.samples_to_decide(est, 1.05) is None
    none_ci = stats.hodges_lehmann_ratio([1.0, 1.1, 1.2], [1.3, 1.4, 1.5])
    # No CI at all: the floor is the smallest equal size with an exact 95% CI (4: 1/70).
    assert stats.samples_to_decide(none_ci, 1.05) == 4
    with pytest.raises(ValueError):
        stats.samples_to_decide(est, 0.0)


def test_samples_to_decide_prediction_roughly_holds() -> None:
    # 15 per side with a 3% shift cannot decide against a 5% tolerance; at the predicted size
    # the CI's upper side should land close to the threshold.
    small = stats.hodges_lehmann_ratio(
        _lognormal_quantiles(1.0, 0.1, 15), _lognormal_quantiles(1.03, 0.1, 15)
    )
    assert small.high is not None and small.high > 1.05
    needed = stats.samples_to_decide(small, 1.05)
    assert needed is not None and needed > 15
    big = stats.hodges_lehmann_ratio(
        _lognormal_quantiles(1.0, 0.1, needed), _lognormal_quantiles(1.03, 0.1, needed)
    )
    assert big.high is not None
    assert 0.7 < math.log(big.high / big.ratio) / math.log(1.05 / big.ratio) < 1.3


# --- counting selection ------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    x=st.lists(st.integers(1, 30), min_size=1, max_size=60),
    y=st.lists(st.integers(1, 30), min_size=1, max_size=60),
)
def test_kth_difference_equals_a_full_sort(x: list[int], y: list[int]) -> None:
    # Small integers force many equal differences: the counting must agree rank for rank.
    lx = np.sort(np.log(np.asarray(x, dtype=float)))
    ly = np.sort(np.log(np.asarray(y, dtype=float)))
    everything = np.sort(np.subtract.outer(ly, lx).ravel())
    for k in sorted({1, len(everything), (len(everything) + 1) // 2, 2, len(everything) - 1}):
        if 1 <= k <= len(everything):
            assert stats._kth_difference(lx, ly, k) == everything[k - 1]


def test_kth_difference_lists_only_a_window_for_large_samples() -> None:
    # 1,500 x 1,500 = 2.25e6 differences: above the listing window, so the halving is exercised.
    rng = np.random.default_rng(7)
    lx = np.sort(rng.normal(0.0, 1.0, 1500))
    ly = np.sort(rng.normal(0.2, 1.0, 1500))
    everything = np.sort(np.subtract.outer(ly, lx).ravel())
    for k in (1, 12345, 1_125_000, 2_249_999, 2_250_000):
        assert stats._kth_difference(lx, ly, k) == everything[k - 1]


# --- what a recorded value stands for -----------------------------------------------------------


def test_detect_quantum() -> None:
    assert stats.detect_quantum([0.003] * 20) == pytest.approx(0.001)
    assert stats.detect_quantum([0.003] * 13 + [0.004] * 7) == pytest.approx(0.001)
    # Gaps of 2 ms and 3 ms: their common divisor is the grid.
    assert stats.detect_quantum([0.010, 0.012, 0.012, 0.015]) == pytest.approx(0.001)
    assert stats.detect_quantum([2.5, 2.5, 3.0]) == pytest.approx(0.5)
    # No repeats: continuous as far as the data show.
    rng = np.random.default_rng(3)
    assert stats.detect_quantum(list(rng.lognormal(0, 0.1, 200))) is None
    assert stats.detect_quantum([]) is None


def test_recorded_range() -> None:
    lows, highs = stats.recorded_range([0.0, 0.0000005, 0.003], resolution=1e-6, quantum=0.001)
    # At or below the resolution: anything from 0 to the resolution (or the quantum's half).
    assert lows.tolist() == [0.0, 0.0, 0.0025]
    assert highs.tolist() == pytest.approx([0.0005, 0.0005005, 0.0035])
    lows, highs = stats.recorded_range([2.0, 0.0], resolution=0.5)
    assert lows.tolist() == [2.0, 0.0] and highs.tolist() == [2.0, 0.5]


# --- ratio bounds ------------------------------------------------------------------------------


def test_ratio_bounds_quantised_tie_case_cannot_pass() -> None:
    # 20 x 3 ms against 13 x 3 ms + 7 x 4 ms on a 1 ms timer: the median did not move, but the
    # true values may have moved by up to a quantum; the bounds straddle a 5% tolerance.
    base = [0.003] * 20
    cur = [0.003] * 13 + [0.004] * 7
    q = (stats.detect_quantum(base) or 0.0, stats.detect_quantum(cur) or 0.0)
    r = stats.ratio_bounds(base, cur, quantum=q)
    assert r.widened
    assert r.high is not None and r.high > 1.05  # no pass
    assert r.low is not None and r.low < 1.05  # no fail either
    assert stats.ratio_beyond_p(base, cur, 1.05, above=True, quantum=q) > 0.05
    assert stats.ratio_beyond_p(base, cur, 1.05, above=False, quantum=q) > 0.05
    # Read as exact values instead, the old collapse: the ties give a point interval at 1.
    sharp = stats.ratio_bounds(base, cur)
    assert sharp.low == 1.0


def test_ratio_bounds_are_the_two_sided_interval_or_wider_without_ties() -> None:
    base = _lognormal_quantiles(1.0, 0.1, 30, offset=0.3)
    cur = _lognormal_quantiles(1.02, 0.1, 30, offset=0.7)
    r = stats.ratio_bounds(base, cur, 0.95)
    two = stats.hodges_lehmann_ratio(base, cur, 0.90)  # one-sided 95% = two-sided 90%
    assert not r.widened
    assert r.ratio == pytest.approx(two.ratio, rel=1e-12)
    assert r.low is not None and two.low is not None and r.low <= two.low
    assert r.high is not None and two.high is not None and r.high >= two.high
    assert (r.low_sharp, r.high_sharp) == (r.low, r.high)
    # The studentised rank never exceeds the exact one; without it they are the same interval.
    k_exact = stats._exact_rank(30, 30, 0.90)
    everything = np.sort(np.subtract.outer(np.log(cur), np.log(base)).ravel())
    assert two.low == pytest.approx(math.exp(everything[k_exact - 1]), rel=1e-12)
    if r.method == "exact":
        assert r.low == pytest.approx(two.low, rel=1e-12)


def test_ratio_bounds_widen_for_a_noisy_small_current_side() -> None:
    # Baseline tight and large, current noisy and small: the shift-only rank is too narrow.
    base = _lognormal_quantiles(1.0, 0.05, 200)
    cur = _lognormal_quantiles(1.0, 0.3, 10)
    r = stats.ratio_bounds(base, cur)
    shift_only = stats.hodges_lehmann_ratio(base, cur, 0.90)
    assert r.method == "studentised"
    assert r.high is not None and shift_only.high is not None and r.high > shift_only.high
    assert r.low is not None and shift_only.low is not None and r.low < shift_only.low


def test_ratio_bounds_values_below_resolution_stand_for_zero_to_it() -> None:
    base = [0.002] * 5 + [0.0] * 10
    cur = [0.002] * 15
    r = stats.ratio_bounds(base, cur, resolution=(1e-3, 1e-3))
    # A baseline that may be 0 leaves the upper bound unbounded: nothing can pass.
    assert r.high == math.inf
    with pytest.raises(ValueError):
        stats.ratio_bounds([0.0, 1.0], [1.0, 1.0])


def test_ratio_beyond_p_exact_small_case() -> None:
    # Every current value beyond 1.05 x every baseline value: U = mn, p = 1 / C(10, 5).
    base = [1.0, 1.1, 1.2, 1.3, 1.4]
    cur = [2.0, 2.1, 2.2, 2.3, 2.4]
    assert stats.ratio_beyond_p(base, cur, 1.05, above=True) == pytest.approx(1 / 252)
    assert stats.ratio_beyond_p(base, cur, 1.05, above=False) == pytest.approx(1.0)
    # A tie counts half and is read towards the null: [2, 4] against [1, 2] at edge 1 has
    # U = 3.5 of 4; P(U >= 3) = P(U <= 1) = 2/6 for 2 vs 2 (U takes 0, 1, 2, 2, 3, 4).
    assert stats.ratio_beyond_p([1.0, 2.0], [2.0, 4.0], 1.0, above=True) == pytest.approx(2 / 6)
    # Mirrored: the baseline beyond the current by the same margin reads as "below".
    assert stats.ratio_beyond_p(cur, base, 1 / 1.05, above=False) == pytest.approx(1 / 252)


# --- mean, stdev, cv ---------------------------------------------------------------------------


def _unsorted(values: list[float]) -> list[float]:
    """The values in an order without serial dependence (sorted, they read as a drift)."""
    n = len(values)
    return [values[i] for i in sorted(range(n), key=lambda i: (i * 0.6180339887498949) % 1)]


def test_mean_bound_matches_scipy_t_interval() -> None:
    # Symmetric samples (no skew) in no particular order: the plain t interval.
    x = _unsorted([1.0 + 0.1 * scipy.stats.norm.ppf((i + 0.5) / 12) for i in range(12)])
    assert stats.serial_inflation(x) == 1.0
    b = stats.mean_bound(x, 0.95, "upper")
    lo, hi = scipy.stats.t.interval(0.90, 11, loc=np.mean(x), scale=scipy.stats.sem(x))
    assert b.bound == pytest.approx(hi, rel=1e-12)
    assert stats.mean_bound(x, 0.95, "lower").bound == pytest.approx(lo, rel=1e-12)
    assert stats.mean_bound([1.0], 0.95).bound is None


def test_mean_bound_widens_towards_the_long_tail() -> None:
    # Right skew: the upper bound takes the Edgeworth term, the lower one stays the plain t.
    x = _unsorted(_lognormal_quantiles(1.0, 0.2, 12))
    g1 = scipy.stats.skew(x, bias=False)
    t = scipy.stats.t.ppf(0.95, 11)
    q = t + g1 * (1 + 2 * t * t) / (6 * math.sqrt(12))
    upper = stats.mean_bound(x, 0.95, "upper")
    assert upper.bound == pytest.approx(np.mean(x) + q * scipy.stats.sem(x), rel=1e-9)
    lo, _ = scipy.stats.t.interval(0.90, 11, loc=np.mean(x), scale=scipy.stats.sem(x))
    assert stats.mean_bound(x, 0.95, "lower").bound == pytest.approx(lo, rel=1e-12)
    # Skew beyond Cochran's rule (n > 25 G1^2): no upper bound, and the n it would need.
    heavy = _unsorted(_lognormal_quantiles(1.0, 1.0, 30))
    g1 = scipy.stats.skew(heavy, bias=False)
    none = stats.mean_bound(heavy, 0.95, "upper")
    assert none.bound is None and none.needs == math.floor(25 * g1 * g1) + 1
    assert stats.mean_bound(heavy, 0.95, "lower").bound is not None


def test_mean_bound_holds_for_every_value_the_records_allow() -> None:
    x = [0.003] * 6 + [0.004] * 6
    b = stats.mean_bound(x, 0.95, "upper", quantum=0.001)
    assert b.bound is not None
    rng = np.random.default_rng(11)
    for _ in range(200):
        true = np.asarray(x) + rng.uniform(-0.0005, 0.0005, len(x))
        hi = np.mean(true) + scipy.stats.t.ppf(0.95, 11) * np.std(true, ddof=1) / math.sqrt(12)
        assert hi <= b.bound


def test_stdev_bound_is_near_chi_square_for_normal_data() -> None:
    x = [scipy.stats.norm.ppf((i + 0.5) / 400) for i in range(400)]
    upper = stats.stdev_bound(x, 0.95, "upper").bound
    chi = math.sqrt(399 * np.var(x, ddof=1) / scipy.stats.chi2.ppf(0.05, 399))
    assert upper is not None and upper == pytest.approx(chi, rel=0.03)
    assert stats.stdev_bound(x[:9], 0.95).bound is None  # below Bonett's floor


def test_mean_bound_takes_serially_dependent_samples_at_their_effective_size() -> None:
    # 20 values of an AR(1) in log (phi 0.8, sigma 0.1, seed 7): true mean exp(0.005). Their
    # rank lag-1 autocorrelation reads an inflation of 4.6, so they hold the evidence of
    # about 4 independent samples: s times its root and t on 20 / 4.6 - 1 df. On n - 1 df the
    # bound was 0.996, below the true mean.
    rng = np.random.default_rng(7)
    log = [rng.normal(0, 0.1)]
    for e in rng.normal(0, 0.1 * math.sqrt(1 - 0.8**2), 20)[1:]:
        log.append(0.8 * log[-1] + e)
    x = [round(math.exp(v), 4) for v in log]
    assert stats.serial_inflation(x) == pytest.approx(4.6115, rel=1e-4)
    bound = stats.mean_bound(x, 0.95, "upper").bound
    assert bound is not None and bound > math.exp(0.005)


def test_cv_bound_exceeds_the_estimate() -> None:
    # 300 values: the upper bound needs n > 25 x the squared deviations' skewness squared
    # (about 2.8 on near-normal values: some 200 samples); 50 of these needed 130.
    x = _unsorted(_lognormal_quantiles(1.0, 0.1, 300))
    b = stats.cv_bound(x, 0.95, "upper")
    assert b.bound is not None and b.bound > b.estimate
    low = stats.cv_bound(x, 0.95, "lower")
    assert low.bound is not None and low.bound < low.estimate


def test_decile_cv_cannot_read_zero_on_two_clusters() -> None:
    x = [10.0] * 7 + [20.0] * 5
    assert stats.robust_cv(x) == 0.0  # MAD reads nothing
    # p90 and p10 by linear interpolation: 20 and 10; median 10.
    span = 2 * scipy.stats.norm.ppf(0.9)
    assert stats.decile_cv(x) == pytest.approx((20 - 10) / span / 10, rel=1e-12)
    assert stats.decile_cv([5.0] * 4) == 0.0
    assert stats.decile_cv([1.0]) is None
    # One stray value in 30 (under 10%) does not move it.
    steady = [1.0 + (i % 5) * 0.01 for i in range(29)]
    assert stats.decile_cv([*steady, 5.0]) == pytest.approx(stats.decile_cv([*steady, 1.04]))


def test_decile_cv_bound_from_order_statistics() -> None:
    # In an order without serial dependence (sorted, they read as a drift: see below).
    x = _unsorted(_lognormal_quantiles(1.0, 0.1, 200))
    assert stats.serial_inflation(x) == 1.0
    up = stats.decile_cv_bound(x, 0.95, "upper")
    low = stats.decile_cv_bound(x, 0.95, "lower")
    assert up.bound is not None and low.bound is not None
    assert low.bound < up.estimate < up.bound
    each = 1 - 0.05 / 3
    p90 = stats.percentile_bound(x, 0.9, each, "upper").bound
    p10 = stats.percentile_bound(x, 0.1, each, "lower").bound
    med = stats.percentile_bound(x, 0.5, each, "lower").bound
    assert p90 is not None and p10 is not None and med is not None
    assert up.bound == pytest.approx((p90 - p10) / (2 * scipy.stats.norm.ppf(0.9)) / med)
    # Too few for the p90 bound at 1 - 0.05/3: no bound.
    assert stats.decile_cv_bound(x[:38], 0.95).bound is None


@pytest.mark.parametrize("df", [1, 2, 3, 4, 7, 10, 29, 100, 999])
@pytest.mark.parametrize("p", [0.05, 0.5, 0.9, 0.95, 0.975, 0.995])
def test_t_quantile_matches_scipy_for_whole_df(df: int, p: float) -> None:
    assert stats.t_quantile(df, p) == pytest.approx(scipy.stats.t.ppf(p, df), rel=1e-10, abs=1e-12)


def test_t_quantile_rounds_fractional_df_down() -> None:
    # A fractional df is read as the whole df below it: a wider bound, never a narrower one.
    assert stats.t_quantile(9.7, 0.95) == stats.t_quantile(9, 0.95)
    assert stats.t_quantile(9.7, 0.95) > scipy.stats.t.ppf(0.95, 9.7)
    assert stats.t_quantile(10**6, 0.95) >= scipy.stats.norm.ppf(0.95)
