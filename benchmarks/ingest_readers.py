"""Benchmark: TAP, CTRF and pytest-json ingest against the floor of reading the same file.

Usage: python3 benchmarks/ingest_readers.py [--tests N] [--rounds N]

Generates (once, under benchmarks/.data/) a TAP stream, a CTRF report and a pytest-json-report
file of N tests each (default 200,000; 2% failures with a message and output, 3% skipped), then
measures, alternating rounds in one process, `reportgen.ingest.load([file])` against its floor:
for TAP a per-line regex loop keeping every test point's groups (target <= 2x), for the JSON formats
`json.loads` of the file's bytes (target <= 1.4x). Prints the best wall time of each, the ratio,
and for TAP the memory per test point the loaded run holds and needed at its peak (tracemalloc).

reportgen pauses the cycle collector while it reads a file; the floors run as they are usually
called, with it on. For a like-for-like view the script also prints the floor measured with the
collector paused and the ratio against that (for information; the targets are the first ratio).
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).resolve().parent / ".data"


def _outcome(i: int) -> str:
    return "failed" if i % 50 == 0 else ("skipped" if i % 33 == 1 else "passed")


def make_tap(path: Path, tests: int) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write(f"TAP version 13\n1..{tests}\n")
        for i in range(1, tests + 1):
            outcome = _outcome(i)
            if outcome == "failed":
                out.write(f"not ok {i} - module{i // 1000} thing {i} works\n")
                out.write(
                    "  ---\n  message: 'expected 1, got 2'\n  severity: fail\n"
                    f"  at:\n    file: test/thing{i // 1000}.js\n    line: {i % 300}\n  ...\n"
                )
            elif outcome == "skipped":
                out.write(f"ok {i} - module{i // 1000} thing {i} works # SKIP not on linux\n")
            else:
                out.write(f"ok {i} - module{i // 1000} thing {i} works\n")


def _ctrf_test(i: int) -> dict[str, object]:
    outcome = _outcome(i)
    test: dict[str, object] = {
        "name": f"thing {i} works",
        "status": outcome,
        "duration": i % 97,
        "suite": ["e2e", f"module{i // 1000}"],
        "filePath": f"tests/thing{i // 1000}.spec.ts",
    }
    if outcome == "failed":
        test["message"] = "expected 1, got 2"
        test["trace"] = f"Error: expected 1, got 2\n    at tests/thing{i // 1000}.spec.ts:{i % 300}"
    return test


def make_ctrf(path: Path, tests: int) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    items = [_ctrf_test(i) for i in range(1, tests + 1)]
    counts = {s: sum(1 for t in items if t["status"] == s) for s in ("passed", "failed", "skipped")}
    doc = {
        "reportFormat": "CTRF",
        "specVersion": "1.0.0",
        "results": {
            "tool": {"name": "playwright"},
            "summary": {
                "tests": tests,
                **counts,
                "pending": 0,
                "other": 0,
                "start": 1764223200000,
                "stop": 1764223260000,
            },
            "tests": items,
        },
    }
    path.write_text(json.dumps(doc), encoding="utf-8")


def _pytest_test(i: int) -> dict[str, object]:
    outcome = _outcome(i)
    nodeid = f"tests/test_mod{i // 1000}.py::test_thing_{i}"
    call: dict[str, object] = {"duration": 0.001 * (i % 7), "outcome": outcome}
    test: dict[str, object] = {
        "nodeid": nodeid,
        "lineno": i % 300,
        "outcome": outcome,
        "keywords": [f"test_thing_{i}", f"test_mod{i // 1000}.py", "tests"],
        "setup": {"duration": 0.0001, "outcome": "passed"},
    }
    if outcome == "skipped":
        test["setup"] = {
            "duration": 0.0001,
            "outcome": "skipped",
            "longrepr": f"('tests/test_mod{i // 1000}.py', {i % 300}, 'Skipped: not on linux')",
        }
    else:
        if outcome == "failed":
            call["crash"] = {
                "path": f"/src/{nodeid}",
                "lineno": i % 300,
                "message": "assert 1 == 2",
            }
            call["longrepr"] = "def test():\n>       assert 1 == 2\nE       assert 1 == 2"
        test["call"] = call
        test["teardown"] = {"duration": 0.0001, "outcome": "passed"}
    return test


def make_pytest_json(path: Path, tests: int) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    items = [_pytest_test(i) for i in range(1, tests + 1)]
    summary = {
        s: sum(1 for t in items if t["outcome"] == s) for s in ("passed", "failed", "skipped")
    }
    doc = {
        "created": 1764223260.0,
        "duration": 60.0,
        "exitcode": 1,
        "root": "/src",
        "environment": {"Python": "3.11.7"},
        "summary": {**summary, "total": tests, "collected": tests},
        "tests": items,
    }
    path.write_text(json.dumps(doc), encoding="utf-8")


# A test point's status, number and description, as any TAP reader must pick them out.
_FLOOR_POINT = re.compile(r"(not\s+)?ok\b(?:\s+(\d+))?(?:\s*-(?=\s|$))?\s*(.*)$")


def floor_tap(path: Path) -> int:
    """Every line matched against the test-point regex, each point kept as its groups."""
    points = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            match = _FLOOR_POINT.match(line)
            if match:
                points.append(match.groups())
    return len(points)


def floor_json(path: Path) -> int:
    return len(json.loads(path.read_bytes()))


def reportgen_load(path: Path, fmt: str) -> int:
    from reportgen.ingest import load

    return len(load([str(path)], format=fmt).tests)


def without_collector(fn: Callable[[], int]) -> Callable[[], int]:
    """`fn` run with the cycle collector paused, as reportgen reads a file."""

    def run() -> int:
        gc.disable()
        try:
            return fn()
        finally:
            gc.enable()

    return run


def best_of(rounds: int, pairs: list[tuple[str, Callable[[], int]]]) -> dict[str, float]:
    best = {name: float("inf") for name, _ in pairs}
    for _ in range(rounds):
        for name, fn in pairs:  # alternate so drift hits both alike
            gc.collect()
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def bytes_per_test(path: Path, fmt: str) -> tuple[float, float]:
    """Bytes per test the loaded run holds, and at the peak while reading (tracemalloc)."""
    from reportgen.ingest import load

    gc.collect()
    tracemalloc.start()
    run = load([str(path)], format=fmt)
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n = max(1, len(run.tests))
    return held / n, peak / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    inputs = {
        "tap": (DATA / f"tap-{args.tests}.tap", make_tap, floor_tap, 2.0),
        "ctrf": (DATA / f"ctrf-{args.tests}.json", make_ctrf, floor_json, 1.4),
        "pytest-json": (DATA / f"pytest-json-{args.tests}.json", make_pytest_json, floor_json, 1.4),
    }
    print("generating inputs (cached under benchmarks/.data/) ...", flush=True)
    for path, make, _floor, _target in inputs.values():
        make(path, args.tests)

    ok = True
    for fmt, (path, _make, floor, target) in inputs.items():
        best = best_of(
            args.rounds,
            [
                ("floor", lambda p=path, f=floor: f(p)),
                ("reportgen", lambda p=path, f=fmt: reportgen_load(p, f)),
                ("floor, collector paused", without_collector(lambda p=path, f=floor: f(p))),
            ],
        )
        paused = best["floor, collector paused"]
        ratio = best["reportgen"] / best["floor"]
        ok = ok and ratio <= target
        extra = ""
        if fmt == "tap":
            held, peak = bytes_per_test(path, fmt)
            extra = f"  {held / 1000:.2f} KB held, {peak / 1000:.2f} KB peak per test point"
        print(
            f"{fmt:12} {path.stat().st_size / 1e6:6.1f} MB  floor {best['floor']:6.2f} s  "
            f"reportgen {best['reportgen']:6.2f} s  ratio {ratio:4.2f}x "
            f"(target <= {target:g}x){extra}",
            flush=True,
        )
        print(
            f"{'':12} {'':9}  floor with the collector paused {paused:6.2f} s: "
            f"ratio {best['reportgen'] / paused:4.2f}x",
            flush=True,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
