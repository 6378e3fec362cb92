"""Time the verdict on 1,000 metrics x 100 samples against a baseline (target: <= 2 s).

Usage: python3 benchmarks/verdict.py [--metrics N] [--samples N] [--cli]

Times `evaluate()` on one criteria file with a Holm-corrected baseline comparison over every
metric (`metric: "bench_*"`), a p95 threshold and a variance check on each, and with --cli also
the whole `reportgen verdict` command on metrics JSON files written to a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import math
import random
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metrics", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="best of N timings")
    parser.add_argument("--cli", action="store_true", help="also time `reportgen verdict`")
    args = parser.parse_args()

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
