"""Benchmark: `reportgen summary --json` on a million-testcase JUnit file against bare lxml.

Usage: python3 benchmarks/ingest_junit.py [--tests N] [--rounds N] [--no-junitparser]

Generates (once, under benchmarks/.data/) a JUnit XML file of N testcases (default 1,000,000,
about 110 MB): 1% failures with a message, a stack trace and captured output, 2% skipped, the
rest passed, in suites of 200. Then runs, alternating, in separate processes so that each one's
peak RSS is its own (`os.wait4`):

- reportgen: `python -m reportgen summary --json FILE` (interpreter start and imports included);
- floor: a bare `lxml.etree.iterparse` loop that only counts outcomes and frees what it read;
- junitparser: `JUnitXml.fromfile` and a loop over its cases (skip with --no-junitparser).

Every command is pinned to one core (the first this process may use, as `taskset -c N`), so
that the ratio compares the same hardware on any machine. Prints the best wall time (with the
CPU time it took) and the peak RSS of each, and reportgen/floor.
Targets: reportgen <= 1.5x the floor's wall time and <= 250 MB peak RSS. Exits 1 when a
target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / ".data"
REPO = Path(__file__).resolve().parent.parent

TARGET_RATIO = 1.5
TARGET_RSS_MB = 250.0
#: The one core every measured command runs on.
CORE = min(os.sched_getaffinity(0))

FLOOR = r"""
import sys
from lxml import etree
counts = {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
for _, case in etree.iterparse(sys.argv[1], events=("end",), tag="testcase"):
    outcome = "passed"
    for child in case:
        if child.tag == "failure":
            outcome = "failed"
            break
        if child.tag == "error":
            outcome = "error"
            break
        if child.tag == "skipped":
            outcome = "skipped"
            break
    counts[outcome] += 1
    case.getparent().remove(case)  # free what was read, as a streaming reader must
print(sum(counts.values()))
"""

JUNITPARSER = r"""
import sys
from junitparser import JUnitXml, TestSuite
xml = JUnitXml.fromfile(sys.argv[1])
suites = [xml] if isinstance(xml, TestSuite) else list(xml)
total = 0
for suite in suites:
    for case in suite:
        case.result  # what a reader needs per case: its outcome
        total += 1
print(total)
"""

FAILURE_BODY = "".join(
    f"\tat com.example.service.Component{i}.call(Component{i}.java:{40 + i})\n" for i in range(10)
)
OUTPUT = "".join(f"2026-11-27 06:00:{i:02d} INFO request {i} handled\n" for i in range(12))


def make_junit(path: Path, tests: int) -> None:
    """Write the benchmark input: suites of 200 testcases, 1% failed, 2% skipped."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    per_suite = 200
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(f'<testsuites name="bench" tests="{tests}">\n')
        written = 0
        suite_no = 0
        while written < tests:
            size = min(per_suite, tests - written)
            cls = f"com.example.mod{suite_no % 40}.Feature{suite_no}Test"
            failures = sum(1 for i in range(written, written + size) if i % 100 == 7)
            skipped = sum(1 for i in range(written, written + size) if i % 50 == 3)
            out.write(
                f'  <testsuite name="{cls}" tests="{size}" failures="{failures}" errors="0" '
                f'skipped="{skipped}" time="12.5" timestamp="2026-11-27T06:00:00">\n'
            )
            for i in range(written, written + size):
                seconds = (i % 997) / 1000
                head = f'    <testcase classname="{cls}" name="test_{i}_ok" time="{seconds:.3f}"'
                if i % 100 == 7:
                    out.write(
                        f'{head}>\n      <failure message="expected 1 but was 2" '
                        'type="java.lang.AssertionError">java.lang.AssertionError: expected 1 '
                        f"but was 2\n{FAILURE_BODY}</failure>\n"
                        f"      <system-out>{OUTPUT}</system-out>\n    </testcase>\n"
                    )
                elif i % 50 == 3:
                    out.write(
                        f'{head}>\n      <skipped message="not run here"/>\n    </testcase>\n'
                    )
                else:
                    out.write(f"{head}/>\n")
            out.write("  </testsuite>\n")
            written += size
            suite_no += 1
        out.write("</testsuites>\n")
    tmp.replace(path)


def measure(argv: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (with its own children's), peak RSS (MB) and stdout of one
    child process.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        preexec_fn=lambda: os.sched_setaffinity(0, {CORE}),
    )
    assert proc.stdout is not None and proc.stderr is not None
    stdout = proc.stdout.read()
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{argv[:4]} failed ({proc.returncode}): {stderr.decode()[-2000:]}")
    # ru_maxrss is in KiB on Linux.
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, stdout.decode()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tests", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-junitparser", action="store_true")
    args = parser.parse_args()

    path = DATA / f"junit-{args.tests}.xml"
    print("generating input (cached under benchmarks/.data/) ...", flush=True)
    make_junit(path, args.tests)
    print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB, {args.tests} testcases", flush=True)

    # A pip install byte-compiles the package; an editable checkout under
    # PYTHONDONTWRITEBYTECODE=1 (as on CI machines) would recompile every module on each run
    # instead. Compile once so both sides start from bytecode, as installed code does.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "reportgen")], check=True)

    runners: dict[str, list[str]] = {
        "reportgen": [sys.executable, "-m", "reportgen", "summary", "--json", str(path)],
        "floor": [sys.executable, "-c", FLOOR, str(path)],
    }
    if not args.no_junitparser:
        try:
            import junitparser  # noqa: F401
        except ImportError:
            print("junitparser is not installed: skipped (pip install junitparser)")
        else:
            runners["junitparser"] = [sys.executable, "-c", JUNITPARSER, str(path)]

    best = {name: float("inf") for name in runners}
    cpu_at_best = dict.fromkeys(runners, 0.0)
    rss = dict.fromkeys(runners, 0.0)
    for round_no in range(args.rounds):
        for name, argv in runners.items():  # alternate so machine drift hits all alike
            wall, cpu, peak, out = measure(argv)
            if name == "reportgen":
                total = json.loads(out)["total"]
            else:
                total = int(out.strip().splitlines()[-1])
            if total != args.tests:
                raise SystemExit(f"{name} counted {total} tests, expected {args.tests}")
            if wall < best[name]:
                best[name], cpu_at_best[name] = wall, cpu
            rss[name] = max(rss[name], peak)
            print(
                f"  round {round_no + 1} {name:12} {wall:6.2f} s  cpu {cpu:6.2f} s  {peak:7.0f} MB",
                flush=True,
            )

    print()
    for name in runners:
        print(
            f"{name:12} best {best[name]:6.2f} s (cpu {cpu_at_best[name]:6.2f} s)   "
            f"peak RSS {rss[name]:7.0f} MB"
        )
    ratio = best["reportgen"] / best["floor"]
    # On a shared machine the wall times also hold other processes' turns on the core; the
    # CPU times of the same runs show whether the ratio moved because of them.
    cpu_ratio = cpu_at_best["reportgen"] / cpu_at_best["floor"]
    print(
        f"on core {CORE}: reportgen {best['reportgen']:.2f} s, floor {best['floor']:.2f} s, "
        f"reportgen/floor {ratio:.2f}x (target <= {TARGET_RATIO}x; CPU time {cpu_ratio:.2f}x); "
        f"reportgen peak RSS {rss['reportgen']:.0f} MB (target <= {TARGET_RSS_MB:.0f} MB)"
    )
    return 0 if ratio <= TARGET_RATIO and rss["reportgen"] <= TARGET_RSS_MB else 1


if __name__ == "__main__":
    sys.exit(main())
