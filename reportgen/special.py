"""Special functions the statistics need (incomplete beta, binomial and Student t), without scipy.

scipy.special costs ~0.3 s to import, more than the whole verdict on a typical input, for a
handful of calls. These match scipy's betainc, betaincinv, stdtr and stdtrit to ~1e-12 for
shapes up to 1e4, and exact binomial sums to 1e-12 (tests/test_special.py). The continued
fraction below needs about sqrt(max(a, b)) terms; when it has not converged in `_MAX_TERMS`
(parameters in the millions) scipy is imported after all, as the rare case it is.
"""

from __future__ import annotations

import math

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_EPS = 1e-16
_TINY = 1e-300
_MAX_TERMS = 3000


class _NoConvergence(Exception):
    """The continued fraction needs more terms than we are willing to spend in Python."""


def _stirling_delta(z: float) -> float:
    """lgamma(z) minus its Stirling approximation (z - 1/2) ln z - z + ln sqrt(2 pi).

    Kept apart so that ln B(a, b) for large a, b is formed without cancelling huge terms.
    """
    if z >= 10.0:
        r = 1.0 / z
        r2 = r * r
        return r * (
            1.0 / 12.0
            - r2
            * (
                1.0 / 360.0
                - r2
                * (1.0 / 1260.0 - r2 * (1.0 / 1680.0 - r2 * (1.0 / 1188.0 - r2 * 691.0 / 360360.0)))
            )
        )
    return math.lgamma(z) - ((z - 0.5) * math.log(z) - z + _LOG_SQRT_2PI)


def _log_front(a: float, b: float, x: float, y: float) -> float:
    """ln(x^a y^b / B(a, b)) with y = 1 - x given separately (so that x near 1 keeps its
    precision), accurate for large a and b: the lgamma terms of ln B cancel analytically,
    ln B = (a-1/2) ln a + (b-1/2) ln b - (c-1/2) ln c + ln sqrt(2 pi) + Stirling deltas."""
    c = a + b
    log_x = math.log1p(-y) if x > 0.5 else math.log(x)
    log_y = math.log1p(-x) if y > 0.5 else math.log(y)
    return (
        a * log_x
        + b * log_y
        + a * math.log1p(b / a)
        + b * math.log1p(a / b)
        + 0.5 * math.log(a * b / c)
        - _LOG_SQRT_2PI
        - _stirling_delta(a)
        - _stirling_delta(b)
        + _stirling_delta(c)
    )


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b) (modified Lentz), for x < (a + 1) / (a + b + 2)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_TERMS + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            return h
    raise _NoConvergence


def _betainc(a: float, b: float, x: float, y: float | None = None) -> float:
    """I_x(a, b); `y` is 1 - x when the caller knows it more precisely than 1.0 - x."""
    if y is None:
        y = 1.0 - x
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(_log_front(a, b, x, y)) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(_log_front(b, a, y, x)) * _beta_fraction(b, a, y) / b


def betainc(a: float, b: float, x: float, y: float | None = None) -> float:
    """Regularised incomplete beta I_x(a, b) for a, b > 0 and 0 <= x <= 1 (scipy's betainc).

    `y`, when given, is 1 - x computed without rounding away its small digits.
    """
    if not (a > 0.0 and b > 0.0 and 0.0 <= x <= 1.0):
        raise ValueError(f"need a, b > 0 and 0 <= x <= 1, got a={a!r}, b={b!r}, x={x!r}")
    try:
        return _betainc(a, b, x, y)
    except _NoConvergence:
        from scipy.special import betainc as scipy_betainc

        return float(scipy_betainc(a, b, x))


def _initial_guess(a: float, b: float, p: float) -> float:
    """Starting point for inverting I_x(a, b) = p (Numerical Recipes' invbetai guesses)."""
    if a >= 1.0 and b >= 1.0:
        pp = p if p < 0.5 else 1.0 - p
        t = math.sqrt(-2.0 * math.log(pp))
        z = (2.30753 + t * 0.27061) / (1.0 + t * (0.99229 + t * 0.04481)) - t
        if p < 0.5:
            z = -z
        al = (z * z - 3.0) / 6.0
        h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0)) if a + b > 2.0 else 1.0
        w = z * math.sqrt(al + h) / h - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) * (
            al + 5.0 / 6.0 - 2.0 / (3.0 * h)
        )
        return a / (a + b * math.exp(min(2.0 * w, 700.0)))
    lna = math.log(a / (a + b))
    lnb = math.log(b / (a + b))
    t = math.exp(a * lna) / a
    u = math.exp(b * lnb) / b
    w = t + u
    if p < t / w:
        return (a * w * p) ** (1.0 / a)
    return 1.0 - (b * w * (1.0 - p)) ** (1.0 / b)


def _betaincinv(a: float, b: float, p: float) -> float:
    lo, hi = 0.0, 1.0
    x = min(max(_initial_guess(a, b, p), 1e-300), 1.0 - 1e-16)
    for _ in range(200):
        err = _betainc(a, b, x) - p
        if err == 0.0:
            return x
        if err < 0.0:
            lo = x
        else:
            hi = x
        # Newton on I_x(a, b) - p; dI/dx = x^(a-1) (1-x)^(b-1) / B(a, b).
        log_pdf = _log_front(a, b, x, 1.0 - x) - math.log(x) - math.log1p(-x)
        nxt = x - err / math.exp(log_pdf) if log_pdf > -700.0 else math.nan
        if not lo < nxt < hi:
            # Outside the bracket (or no slope to follow): halve it, geometrically near 0.
            nxt = math.sqrt(lo * hi) if lo > 0.0 and hi < 0.5 else 0.5 * (lo + hi)
            if lo == 0.0:
                nxt = hi * 0.5 if hi < 0.5 else 0.5 * (lo + hi)
        if abs(nxt - x) <= 2e-16 * x or nxt == x:
            return nxt
        x = nxt
    return x


def betaincinv(a: float, b: float, p: float) -> float:
    """The x with I_x(a, b) = p, for a, b > 0 and 0 <= p <= 1 (scipy's betaincinv)."""
    if not (a > 0.0 and b > 0.0 and 0.0 <= p <= 1.0):
        raise ValueError(f"need a, b > 0 and 0 <= p <= 1, got a={a!r}, b={b!r}, p={p!r}")
    if p == 0.0:
        return 0.0
    if p == 1.0:
        return 1.0
    try:
        return _betaincinv(a, b, p)
    except _NoConvergence:
        from scipy.special import betaincinv as scipy_betaincinv

        return float(scipy_betaincinv(a, b, p))


def binom_cdf(k: int, n: int, p: float) -> float:
    """P(Binomial(n, p) <= k) (scipy's bdtr): I_(1-p)(n - k, k + 1), with p itself as 1 - x."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return betainc(n - k, k + 1.0, 1.0 - p, p)


def t_sf(df: float, t: float) -> float:
    """P(T > t) for Student's t with `df` > 0 degrees of freedom (scipy's stdtr(df, -t))."""
    if not df > 0.0:
        raise ValueError(f"need df > 0, got {df!r}")
    t2 = t * t
    tail = 0.5 * betainc(0.5 * df, 0.5, df / (df + t2), t2 / (df + t2))
    return tail if t >= 0.0 else 1.0 - tail


def t_quantile(df: float, p: float) -> float:
    """The t with P(T <= t) = p for Student's t with `df` > 0 (scipy's stdtrit)."""
    if not (df > 0.0 and 0.0 < p < 1.0):
        raise ValueError(f"need df > 0 and 0 < p < 1, got df={df!r}, p={p!r}")
    if p == 0.5:
        return 0.0
    tail = p if p < 0.5 else 1.0 - p
    # P(|T| > t) = I_x(df/2, 1/2) = 2 * tail with x = df/(df+t^2); near the centre solve for
    # 1 - x instead (I_(1-x)(1/2, df/2) = 1 - 2 * tail), which keeps small t precise.
    if tail < 0.25:
        x = betaincinv(0.5 * df, 0.5, 2.0 * tail)
        t = math.sqrt(df * (1.0 - x) / x) if x > 0.0 else math.inf
    else:
        z = betaincinv(0.5, 0.5 * df, 1.0 - 2.0 * tail)
        t = math.sqrt(df * z / (1.0 - z))
    return t if p > 0.5 else -t
