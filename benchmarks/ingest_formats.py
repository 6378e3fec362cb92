"""Benchmark: go test -json and JMeter JTL ingest against a bare parsing loop over the same file.

Usage: python3 benchmarks/ingest_formats.py [--events N] [--jtl-mb N] [--rounds N]

Generates (once, under benchmarks/.data/) a go test -json stream of N events (default
1,000,000) and a JTL CSV of about N MB (default 200), then measures, alternating rounds in one
process: `reportgen.ingest.load([file])` and the floor, a bare `json.loads`-per-line loop
(go test -json) or `csv.reader` loop (JTL) that only counts records. Prints the best wall time
of each and the ratio (target: reportgen <= 2x the floor).
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).resolve().parent / ".data"


def make_gotest(path: Path, events: int) -> None:
    """A test2json stream: per test run/output/pass|fail|skip, some subtests, 1% failures."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    t = 0
    with path.open("w", encoding="utf-8") as out:
        i = 0
        while written < events:
            pkg = f"example.com/mod/pkg{i // 500}"
            name = f"TestThing{i}"
            stamp = f"2026-11-27T06:00:{t % 60:02d}.{t % 1000000:06d}Z"
            t += 1
            action = "fail" if i % 100 == 0 else ("skip" if i % 50 == 1 else "pass")
            lines = [
                {"Time": stamp, "Action": "run", "Package": pkg, "Test": name},
                {
                    "Time": stamp,
                    "Action": "output",
                    "Package": pkg,
                    "Test": name,
                    "Output": f"=== RUN   {name}\n",
                },
            ]
            if action == "fail":
                lines.append(
                    {
                        "Time": stamp,
                        "Action": "output",
                        "Package": pkg,
                        "Test": name,
                        "Output": f"    thing_test.go:{i % 300}: expected 1, got 2\n",
                    }
                )
            lines.append(
                {
                    "Time": stamp,
                    "Action": "output",
                    "Package": pkg,
                    "Test": name,
                    "Output": f"--- {action.upper()}: {name} (0.00s)\n",
                }
            )
            lines.append(
                {
                    "Time": stamp,
                    "Action": action,
                    "Package": pkg,
                    "Test": name,
                    "Elapsed": 0.001 * (i % 7),
                }
            )
            for line in lines:
                out.write(json.dumps(line, separators=(",", ":")) + "\n")
            written += len(lines)
            i += 1


def make_jtl(path: Path, megabytes: int) -> None:
    """A JMeter JTL CSV with the default header; 0.5% failed samples across 20 labels."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,"
        "success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,"
        "IdleTime,Connect\n"
    )
    target = megabytes * 1_000_000
    size = 0
    i = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(header)
        while size < target:
            ok = i % 200 != 0
            row = (
                f"{1764223200000 + i},{100 + (i * 7919) % 900},GET /api/item{i % 20},"
                f"{'200' if ok else '500'},{'OK' if ok else 'Internal Server Error'},"
                f"Thread Group 1-{i % 50},text,{'true' if ok else 'false'},"
                f"{'' if ok else 'Response code 500'},{512 + i % 100},128,50,50,"
                f"http://127.0.0.1:8080/api/item{i % 20},{50 + i % 40},0,{i % 10}\n"
            )
            out.write(row)
            size += len(row)
            i += 1


def floor_jsonl(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            if json.loads(line).get("Action") in ("pass", "fail", "skip"):
                count += 1
    return count


def floor_csv(path: Path) -> int:
    count = 0
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for _row in reader:
            count += 1
    return count


def reportgen_load(path: Path) -> int:
    from reportgen.ingest import load

    run = load([str(path)])
    return len(run.tests) + sum(m.sample_count for m in run.metrics)


def best_of(rounds: int, pairs: list[tuple[str, Callable[[], int]]]) -> dict[str, float]:
    best = {name: float("inf") for name, _ in pairs}
    for _ in range(rounds):
        for name, fn in pairs:  # alternate so drift hits both alike
            gc.collect()
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--jtl-mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    gotest = DATA / f"gotest-{args.events}.jsonl"
    jtl = DATA / f"jmeter-{args.jtl_mb}mb.jtl"
    print("generating inputs (cached under benchmarks/.data/) ...", flush=True)
    make_gotest(gotest, args.events)
    make_jtl(jtl, args.jtl_mb)

    ok = True
    for label, path, floor in (("go test -json", gotest, floor_jsonl), ("JTL CSV", jtl, floor_csv)):
        size = path.stat().st_size / 1e6
        best = best_of(
            args.rounds,
            [
                ("floor", lambda p=path, f=floor: f(p)),
                ("reportgen", lambda p=path: reportgen_load(p)),
            ],
        )
        ratio = best["reportgen"] / best["floor"]
        ok = ok and ratio <= 2.0
        print(
            f"{label:14} {size:7.1f} MB  floor {best['floor']:6.2f} s  "
            f"reportgen {best['reportgen']:6.2f} s  ratio {ratio:4.2f}x (target <= 2x)"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
