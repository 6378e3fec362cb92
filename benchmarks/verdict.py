"""Time the verdict: 1,000 metrics x 100 samples (target <= 2 s) and one metric with 100,000
samples per side against its baseline (targets <= 10 s and <= 300 MB peak RSS).

Usage: python3 benchmarks/verdict.py [--metrics N] [--samples N] [--big N] [--cli]

Times `evaluate()` on one criteria file with a Holm-corrected baseline comparison over every
metric (`metric: "bench_*"`), a p95 threshold and a variance check on each, and with --cli also
the whole `reportgen verdict` command on metrics JSON files written to a temporary directory.
The large comparison runs in a child process, so its peak RSS (ru_maxrss) is its own; the
child's RSS right after building its inputs is printed beside it as the reference.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reportgen.criteria import CriteriaFile
from reportgen.evaluate import evaluate
from reportgen.model import InputFile, Metric, Run

CRITERIA = {
    "version": 1,
    "criteria": [
        {
            "id": "no-regression",
            "metric": "bench_*",
            "compare": "baseline",
            "max_regression": "5%",
        },
        {"id": "p95", "metric": "bench_*", "stat": "p95", "max": "10s"},
        {"id": "stable", "metric": "bench_*", "max_cv": "20%"},
    ],
}


def _samples(rng: random.Random, median: float, n: int) -> list[float]:
    return [median * math.exp(rng.gauss(0.0, 0.05)) for _ in range(n)]


def make_metrics(
    n_metrics: int, n_samples: int, seed: int, slower: float
) -> list[dict[str, object]]:
    """Metrics as native metrics JSON entries; every tenth metric is `slower` times slower."""
    rng = random.Random(seed)
    out = []
    for i in range(n_metrics):
        median = 0.001 * (1 + i % 50) * (slower if i % 10 == 0 else 1.0)
        out.append(
            {
                "name": f"bench_{i:04d}",
                "unit": "s",
                "direction": "lower_is_better",
                "samples": _samples(rng, median, n_samples),
            }
        )
    return out


def _run(metrics: list[dict[str, object]], path: str) -> Run:
    return Run(
        inputs=(InputFile(path=path, format="metrics-json", sha256="0" * 64, size=0, records=0),),
        metrics=tuple(
            Metric(name=str(m["name"]), unit="s", samples=tuple(m["samples"]))  # type: ignore[arg-type]
            for m in metrics
        ),
    )


_BIG_CHILD = """
import math, resource, sys, time
import numpy as np
from reportgen.criteria import CriteriaFile
from reportgen.evaluate import evaluate
from reportgen.model import InputFile, Metric, Run

n = int(sys.argv[1])
rng = np.random.default_rng(7)
def run(path, median):
    samples = tuple((median * np.exp(rng.normal(0.0, 0.1, n))).tolist())
    return Run(
        inputs=(InputFile(path=path, format="m", sha256="0" * 64, size=0, records=0),),
        metrics=(Metric(name="big", unit="s", samples=samples),),
    )
base, cur = run("b.json", 0.010), run("c.json", 0.0103)
criteria = CriteriaFile.model_validate({"version": 1, "criteria": [
    {"id": "reg", "metric": "big", "compare": "baseline", "max_regression": "5%"}]})
ready = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
result = evaluate(cur, criteria, base).criteria[0]
elapsed = time.perf_counter() - start
print(f"{elapsed:.2f} {ready:.0f} {result.status.value} {result.reason}")
"""


def big_comparison(n: int) -> None:
    """One metric, n samples per side, in a child process: time and peak RSS."""
    proc = subprocess.run(
        [sys.executable, "-c", _BIG_CHILD, str(n)], capture_output=True, text=True, check=True
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    elapsed, ready, status, reason = proc.stdout.split(" ", 3)
    print(
        f"evaluate: 1 metric, {n:,} vs {n:,} samples vs baseline: {float(elapsed):.2f} s "
        f"(target <= 10 s); peak RSS {peak:.0f} MB (target <= 300 MB; {float(ready):.0f} MB "
        f"with the inputs built, before judging); {status}: {reason.strip()}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=100_000, help="samples per side (0: skip)")
    parser.add_argument("--metrics", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="best of N timings")
    parser.add_argument("--cli", action="store_true", help="also time `reportgen verdict`")
    args = parser.parse_args()

    if args.big:
        big_comparison(args.big)
    current = make_metrics(args.metrics, args.samples, seed=1, slower=1.3)
    baseline = make_metrics(args.metrics, args.samples, seed=2, slower=1.0)
    criteria = CriteriaFile.model_validate(CRITERIA)
    run, base = _run(current, "current.json"), _run(baseline, "baseline.json")

    timings = []
    evaluation = None
    for _ in range(args.repeat):
        start = time.perf_counter()
        evaluation = evaluate(run, criteria, base)
        timings.append(time.perf_counter() - start)
    assert evaluation is not None
    statuses = ", ".join(f"{c.id}={c.status.value}" for c in evaluation.criteria)
    failing = sum(1 for item in evaluation.criteria[0].items if item.status.value == "fail")
    print(
        f"evaluate: {args.metrics} metrics x {args.samples} samples vs baseline, 3 criteria "
        f"(Holm over {args.metrics}): best {min(timings):.2f} s of {args.repeat} "
        f"(target <= 2 s); {statuses}; {failing} regressions found"
    )

    if args.cli:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "current.json").write_text(json.dumps({"version": 1, "metrics": current}))
            (root / "baseline.json").write_text(json.dumps({"version": 1, "metrics": baseline}))
            (root / "criteria.json").write_text(json.dumps(CRITERIA))
            command = [
                sys.executable,
                "-m",
                "reportgen",
                "verdict",
                "-c",
                str(root / "criteria.json"),
                "--baseline",
                str(root / "baseline.json"),
                str(root / "current.json"),
                "--json",
                str(root / "verdict.json"),
            ]
            start = time.perf_counter()
            proc = subprocess.run(command, capture_output=True, text=True, check=False)
            elapsed = time.perf_counter() - start
            print(f"reportgen verdict (whole command, exit {proc.returncode}): {elapsed:.2f} s")
            if proc.returncode not in (0, 1, 3):
                sys.stderr.write(proc.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
