"""reportgen.special against scipy.special as the independent reference, over a seeded grid."""

from __future__ import annotations

import decimal
import math
import random

import pytest
import scipy.special
import scipy.stats

from reportgen import special


def _grid(count: int, top: float, seed: int) -> list[tuple[float, float, float]]:
    """(a, b, x): log-uniform shapes up to `top` (a third of them integers, as binomial counts
    give), x within five standard deviations of the mean, where the values are neither 0 nor 1."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        a = math.exp(rng.uniform(math.log(0.3), math.log(top)))
        b = math.exp(rng.uniform(math.log(0.3), math.log(top)))
        if rng.random() < 0.3:
            a, b = float(round(a) + 1), float(round(b) + 1)
        mean = a / (a + b)
        sd = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
        out.append((a, b, min(max(mean + rng.uniform(-5, 5) * sd, 1e-12), 1 - 1e-12)))
    return out


def _conditioning(a: float, b: float, x: float) -> float:
    """Relative rounding any double-precision I_x(a, b) carries: x^a (1-x)^b is formed from
    a ln x + b ln(1 - x), each term rounded to one part in 2**53 of its size."""
    return 2.3e-16 * (a * abs(math.log(x)) + b * abs(math.log1p(-x)))


@pytest.mark.parametrize("top", [1e4, 3e5])
def test_betainc_matches_scipy(top: float) -> None:
    for a, b, x in _grid(1500, top, seed=int(top)):
        expected = float(scipy.special.betainc(a, b, x))
        if expected < 1e-250:
            continue
        rel = (2e-12 if top <= 1e4 else 1e-10) + _conditioning(a, b, x)
        assert special.betainc(a, b, x) == pytest.approx(expected, rel=rel, abs=1e-300), (a, b, x)


@pytest.mark.parametrize(("top", "rel"), [(1e4, 1e-12), (3e5, 1e-10)])
def test_betaincinv_matches_scipy(top: float, rel: float) -> None:
    rng = random.Random(7)
    for a, b, _ in _grid(1500, top, seed=int(top) + 1):
        p = rng.choice([0.001, 0.01, 0.025, 0.05, 0.5, 0.95, 0.975, 0.99, rng.random()])
        expected = float(scipy.special.betaincinv(a, b, p))
        assert special.betaincinv(a, b, p) == pytest.approx(expected, rel=rel), (a, b, p)


def test_betaincinv_inverts_betainc() -> None:
    for a, b, _ in _grid(300, 1e4, seed=3):
        for p in (0.05, 0.5, 0.95):
            x = special.betaincinv(a, b, p)
            rel = 2e-12 + 2 * _conditioning(a, b, x)
            # x itself is only known to one ulp: near a steep density that moves I_x.
            slack = 2.3e-16 * x * float(scipy.stats.beta.pdf(x, a, b))
            assert special.betainc(a, b, x) == pytest.approx(p, rel=rel, abs=slack), (a, b, p)


def test_edges() -> None:
    assert special.betainc(2.0, 3.0, 0.0) == 0.0
    assert special.betainc(2.0, 3.0, 1.0) == 1.0
    assert special.betaincinv(2.0, 3.0, 0.0) == 0.0
    assert special.betaincinv(2.0, 3.0, 1.0) == 1.0
    # 10/10 at 95%: the Clopper-Pearson lower bound is 0.05 ** (1/10).
    assert special.betaincinv(10.0, 1.0, 0.05) == pytest.approx(0.05**0.1, rel=1e-15)
    with pytest.raises(ValueError):
        special.betainc(0.0, 1.0, 0.5)
    with pytest.raises(ValueError):
        special.betaincinv(1.0, 1.0, 1.5)
    with pytest.raises(ValueError):
        special.t_quantile(3.0, 1.0)


def _exact_binom_cdfs(n: int, p: float) -> list[float]:
    """P(Binomial(n, p) <= k) for k = 0 .. n, summed in 60-digit decimals (the float p is
    exact), each term from the one before: t(j+1) = t(j) (n - j) / (j + 1) p / (1 - p)."""
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        q = decimal.Decimal(p)
        odds = q / (1 - q)
        term = (1 - q) ** n
        total = term
        out = [float(total)]
        for j in range(n):
            term = term * (n - j) / (j + 1) * odds
            total += term
            out.append(float(total))
        return out


@pytest.mark.parametrize("n", [1, 7, 59, 300, 1000, 20000])
def test_binom_cdf_matches_exact_sums(n: int) -> None:
    # Against exact sums rather than scipy: scipy's bdtr is itself off by up to 1e-11 at
    # n = 20000 (and 1e-12 at (899, 1000, 0.9)).
    for q in (0.01, 0.5, 0.9, 0.95, 0.99):
        exact = _exact_binom_cdfs(n, q)
        for k in sorted({0, 1, n // 3, int(n * q) - 1, int(n * q), int(n * q) + 1, n - 1, n}):
            if k < 0:
                continue
            expected = exact[k]
            got = special.binom_cdf(k, n, q)
            assert got == pytest.approx(expected, rel=1e-12, abs=1e-300), (k, n, q)


def test_student_t_matches_scipy() -> None:
    rng = random.Random(11)
    for _ in range(1500):
        df = math.exp(rng.uniform(math.log(0.5), math.log(1e5)))
        t = rng.uniform(-8.0, 8.0)
        p = rng.choice([0.6, 0.9, 0.95, 0.975, 0.99, 0.05, rng.random()])
        assert special.t_sf(df, t) == pytest.approx(float(scipy.special.stdtr(df, -t)), rel=1e-11)
        assert special.t_quantile(df, p) == pytest.approx(
            float(scipy.special.stdtrit(df, p)), rel=1e-11
        ), (df, p)
