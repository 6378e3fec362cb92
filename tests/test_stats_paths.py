"""The statistics give the same floats on small samples without numpy as with it.

Small samples are handled on lists so that a verdict does not import numpy; these tests force
each function down the numpy path (thresholds set to zero) on the same inputs and compare the
results for equality, not approximately.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reportgen import stats

ROOT = Path(__file__).resolve().parent.parent


def _clear_caches() -> None:
    stats._mann_whitney_null_cdf.cache_clear()
    stats._exact_rank.cache_clear()


def _samples(seed: int, n: int, kind: str) -> list[float]:
    rng = random.Random(seed)
    if kind == "continuous":
        return [0.004 * math.exp(rng.gauss(0.0, 0.3)) for _ in range(n)]
    if kind == "quantised":  # a 1 ms timer: many ties
        return [round(rng.uniform(0.002, 0.009), 3) for _ in range(n)]
    if kind == "zeros":  # below a 1 us resolution now and then
        return [0.0 if rng.random() < 0.2 else rng.uniform(1e-7, 5e-6) for _ in range(n)]
    assert kind == "gauge"  # negative values allowed
    return [rng.gauss(0.0, 2.0) for _ in range(n)]


SIZES = (1, 2, 3, 7, 8, 9, 10, 20, 37, 129, 300)
KINDS = ("continuous", "quantised", "zeros", "gauge")


def _both(fn: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """(result on the list path, result on the numpy path); exceptions compared by text."""

    def run() -> Any:
        _clear_caches()
        try:
            out = fn()
        except ValueError as exc:
            return ("ValueError", str(exc))
        return dataclasses.astuple(out) if dataclasses.is_dataclass(out) else out

    small = run()
    with monkeypatch.context() as patch:
        patch.setattr(stats, "_PURE_MAX_VALUES", 0)
        patch.setattr(stats, "_PURE_MAX_PAIRS", 0)
        large = run()
    _clear_caches()
    return small, large


def _same(a: Any, b: Any) -> bool:
    """Equal, NaN equal to NaN (tuples compared item by item)."""
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b) and type(a) is type(b)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", SIZES)
def test_sum_mean_and_variance_are_numpys_bit_for_bit(kind: str, n: int) -> None:
    values = _samples(n, n, kind)
    arr = np.asarray(values)
    assert stats._sum(values) == float(np.sum(arr))
    assert stats._mean(values) == float(np.mean(arr))
    if n > 1:
        assert stats._var(values) == float(np.var(arr, ddof=1))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", SIZES)
def test_one_sample_statistics_agree(kind: str, n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    values = _samples(100 + n, n, kind)
    kw = {"resolution": 1e-6, "quantum": 0.001 if kind == "quantised" else 0.0}
    calls: list[Callable[[], Any]] = [
        lambda: stats.detect_quantum(values),
        lambda: tuple(stats.recorded_values(values, **kw)),
        lambda: stats.serial_inflation(values),
    ]
    for side in ("upper", "lower"):
        for fn in (stats.mean_bound, stats.stdev_bound, stats.cv_bound, stats.decile_cv_bound):
            calls.append(lambda fn=fn, side=side: fn(values, 0.95, side, **kw))
    for call in calls:
        small, large = _both(call, monkeypatch)
        assert _same(small, large), (small, large)
    lows, highs = stats.recorded_range(values, **kw)
    assert stats.recorded_values(values, **kw) == (lows.tolist(), highs.tolist())


PAIRS = ((3, 3), (5, 7), (10, 10), (12, 30), (20, 20), (30, 30), (40, 60))


@pytest.mark.parametrize("kind", ("continuous", "quantised", "zeros"))
@pytest.mark.parametrize(("m", "n"), PAIRS)
def test_baseline_comparison_agrees(
    kind: str, m: int, n: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = _samples(m * 7, m, kind)
    cur = [v * 1.04 for v in _samples(n * 11, n, kind)]
    quantum = (
        (stats.detect_quantum(base) or 0.0, stats.detect_quantum(cur) or 0.0)
        if kind == "quantised"
        else (0.0, 0.0)
    )
    kw: dict[str, Any] = {"resolution": (1e-6, 1e-6), "quantum": quantum}
    calls: list[Callable[[], Any]] = [lambda: stats.ratio_bounds(base, cur, 0.95, **kw)]
    for edge in (0.9, 1.0, 1.05):
        for above in (True, False):
            calls.append(
                lambda edge=edge, above=above: stats.ratio_beyond_p(
                    base, cur, edge, above=above, **kw
                )
            )
    for call in calls:
        small, large = _both(call, monkeypatch)
        assert _same(small, large), (small, large)


@pytest.mark.parametrize(("m", "n"), ((1, 1), (1, 9), (6, 4), (10, 10), (20, 20), (25, 31)))
def test_exact_null_distribution_is_the_counting_recursion(m: int, n: int) -> None:
    """The q-binomial product gives the counts of the textbook recursion on (m, n), exactly."""
    # N(i, j, u) = N(i, j - 1, u - i) + N(i - 1, j, u): the largest value is in the second
    # sample (it beats all i of the first) or in the first (it beats none).
    prev = [[1] for _ in range(n + 1)]
    for i in range(1, m + 1):
        cur = [[1]]
        for j in range(1, n + 1):
            row = [0] * (i * j + 1)
            for u, c in enumerate(cur[j - 1]):
                row[u + i] += c
            for u, c in enumerate(prev[j]):
                row[u] += c
            cur.append(row)
        prev = cur
    total = math.comb(m + n, m)
    expected = tuple(c / total for c in itertools.accumulate(prev[n]))
    stats._mann_whitney_null_cdf.cache_clear()
    assert stats._mann_whitney_null_cdf(m, n) == expected
    assert expected[-1] == 1.0


def test_the_list_path_is_taken_below_the_thresholds() -> None:
    """The sample verdict's sizes stay on lists; what is beyond the thresholds does not."""
    assert stats._small([1.0] * 20, [1.0] * 20)
    assert stats._small([1.0] * stats._PURE_MAX_VALUES)
    assert not stats._small([1.0] * (stats._PURE_MAX_VALUES + 1))
    assert not stats._small([1.0] * 300, [1.0] * 300)  # 90,000 pairs


def test_verdict_on_the_sample_does_not_import_numpy() -> None:
    """The README's quick start verdict runs without numpy or scipy loaded."""
    sample = ROOT / "samples" / "phase4-websocket"
    code = (
        "import sys, io, contextlib\n"
        "from reportgen.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main(['verdict', '-c', {str(sample / 'criteria.yaml')!r}, '--baseline', "
        f"{str(sample / 'baseline')!r}, {str(sample / 'results')!r}])\n"
        "print(code, sorted(m for m in ('numpy', 'scipy') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split(None, 1) == ["1", "[]\n"]
