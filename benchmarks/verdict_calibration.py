"""Calibration of the verdict by simulation: how often each case passes, fails or stays open.

Usage: python3 benchmarks/verdict_calibration.py [--replicates N] [--seed S]

Each case draws fresh samples (lognormal timings, optionally rounded to a timer's step) for
the baseline and the current run, judges them through the public API (`evaluate()` with a
criteria file), and counts the outcomes over N replicates (default 300). Cases where the truth
is beyond the tolerance must pass at most 5% of the time (false READY); the no-change case of
50 vs 50 samples (sigma 0.1) within a 5% tolerance should pass at least 60% of the time.
Seeded: the same seed prints the same table.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from reportgen.criteria import CriteriaFile
from reportgen.evaluate import evaluate
from reportgen.model import InputFile, Metric, Run


@dataclass(frozen=True)
class Case:
    """One simulated situation and the share of passes it may show."""

    name: str
    criterion: dict[str, Any]
    n_base: int
    n_cur: int
    median: float
    ratio: float  # true current/baseline ratio of medians (or of means for stat: mean)
    sigma_base: float
    sigma_cur: float
    step: float | None = None  # timer step the values are rounded to
    max_pass: float | None = None  # at most this share may pass (false READY)
    min_pass: float | None = None  # at least this share should pass (power)
    baseline: bool = True


_REGRESSION = {"id": "c", "metric": "t", "compare": "baseline", "max_regression": "5%"}

CASES = (
    Case("1 ms timer, +8%, 20 vs 20", _REGRESSION, 20, 20, 0.0025, 1.08, 0.1, 0.1, 0.001, 0.05),
    Case("1 ms timer, +25%, 200 vs 10", _REGRESSION, 200, 10, 0.0025, 1.25, 0.1, 0.1, 0.001, 0.05),
    Case("tight base, noisy current, +8%", _REGRESSION, 200, 10, 0.1, 1.08, 0.05, 0.3, None, 0.05),
    Case(
        "stat: mean, max 10ms, mean 1% over, n 12",
        {"id": "c", "metric": "t", "stat": "mean", "max": "10ms"},
        0,
        12,
        0.0101,
        1.0,
        0.0,
        0.1,
        None,
        0.05,
        baseline=False,
    ),
    Case("at the tolerance: +5%, 50 vs 50", _REGRESSION, 50, 50, 0.1, 1.05, 0.1, 0.1, None, 0.05),
    Case("at the tolerance, 1 ms timer", _REGRESSION, 50, 50, 0.0025, 1.05, 0.1, 0.1, 0.001, 0.05),
    Case("no change, 50 vs 50, sigma 0.1", _REGRESSION, 50, 50, 0.1, 1.0, 0.1, 0.1, min_pass=0.6),
    Case("no change, 1 ms timer, 20 vs 20", _REGRESSION, 20, 20, 0.0025, 1.0, 0.1, 0.1, 0.001),
    Case("no change, 200 vs 200, sigma 0.1", _REGRESSION, 200, 200, 0.1, 1.0, 0.1, 0.1),
)


def _run(path: str, samples: np.ndarray) -> Run:
    return Run(
        inputs=(InputFile(path=path, format="sim", sha256="0" * 64, size=0, records=0),),
        metrics=(Metric(name="t", unit="s", samples=tuple(samples.tolist())),),
    )


def _draw(
    rng: np.random.Generator, median: float, sigma: float, n: int, step: float | None
) -> np.ndarray:
    values = median * np.exp(rng.normal(0.0, sigma, n))
    if step is not None:
        values = np.maximum(np.round(values / step), 0) * step
    return values


def simulate(case: Case, replicates: int, rng: np.random.Generator) -> Counter[str]:
    criteria = CriteriaFile.model_validate({"version": 1, "criteria": [case.criterion]})
    outcomes: Counter[str] = Counter()
    for _ in range(replicates):
        if case.baseline:
            drawn = _draw(rng, case.median, case.sigma_base, case.n_base, case.step)
            base = _run("base.json", drawn)
            cur_median = case.median * case.ratio
        else:
            base = None
            # A mean 1% over 10 ms: lognormal with that mean.
            cur_median = case.median * np.exp(-(case.sigma_cur**2) / 2)
        cur = _run("cur.json", _draw(rng, cur_median, case.sigma_cur, case.n_cur, case.step))
        outcomes[evaluate(cur, criteria, base).criteria[0].status.value] += 1
    return outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    width = max(len(c.name) for c in CASES)
    print(f"{'case':<{width}}  {'pass':>6}  {'fail':>6}  {'insuff':>6}  target")
    ok = True
    for case in CASES:
        counts = simulate(case, args.replicates, rng)
        share = {k: counts[k] / args.replicates for k in ("pass", "fail", "insufficient")}
        target = ""
        if case.max_pass is not None:
            met = share["pass"] <= case.max_pass
            target = f"pass <= {case.max_pass:.0%}: {'ok' if met else 'MISSED'}"
            ok &= met
        elif case.min_pass is not None:
            met = share["pass"] >= case.min_pass
            target = f"pass >= {case.min_pass:.0%}: {'ok' if met else 'MISSED'}"
            ok &= met
        print(
            f"{case.name:<{width}}  {share['pass']:>6.1%}  {share['fail']:>6.1%}  "
            f"{share['insufficient']:>6.1%}  {target}"
        )
    print(f"{args.replicates} replicates per case, seed {args.seed}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
