"""Units of benchmark metrics against thresholds and baselines, on real harness output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen import units
from reportgen.ingest import load
from tests.conftest import go_bench, run_cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GO_BENCH = FIXTURES / "gobench" / "bench.txt"  # real go 1.19 output: BenchmarkAlloc [MB/s]


def _criteria(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "criteria.yaml"
    path.write_text("version: 1\ndefaults: {min_samples: 3}\ncriteria:\n" + body)
    return path


def _throughput(tmp_path: Path, threshold: str) -> Path:
    return _criteria(
        tmp_path,
        '  - id: copy-speed\n    metric: "BenchmarkAlloc [MB/s]"\n    stat: min\n'
        f"    min: {threshold}\n",
    )


def test_plain_number_on_go_mb_per_second_is_refused(tmp_path: Path) -> None:
    """Go prints `MB/s` and names the metric so, but its values are kept in bytes per second:
    `min: 100` was held against 100 B/s, so any throughput at all passed it."""
    proc = run_cli("verdict", "-c", str(_throughput(tmp_path, "100")), str(GO_BENCH))
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "write 100kB/s or 100MB/s" in proc.stderr


@pytest.mark.parametrize(
    ("threshold", "code", "shown"),
    [
        ("100MB/s", 0, "≥ 100 MB/s"),  # every sample is above 749,085 MB/s
        ("2000000MB/s", 1, "≥ 2e+03 GB/s"),
        ("2TB/s", 4, "unknown unit"),
        ("200GB/s", 0, "≥ 200 GB/s"),
        ("1300GB/s", 1, "≥ 1.3e+03 GB/s"),
        # The slowest sample, 749 GB/s, is 1024 B over 1.367 ns/op, timed to 1 µs / 2000
        # iterations = 0.5 ns: it stands for anything from 1024 B / 1.617 ns (633 GB/s) to
        # 1024 B / 1.117 ns (917 GB/s), so 700 GB/s is not decided.
        ("700GB/s", 3, "≥ 700 GB/s"),
    ],
)
def test_rate_of_bytes_threshold_with_its_unit(
    tmp_path: Path, threshold: str, code: int, shown: str
) -> None:
    proc = run_cli("verdict", "-c", str(_throughput(tmp_path, threshold)), str(GO_BENCH))
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert shown in proc.stdout + proc.stderr


def test_kb_per_second_must_say_which_kilobyte() -> None:
    with pytest.raises(units.UnitError, match="ambiguous"):
        units.read_quantity("5KB/s")
    assert units.read_quantity("5KiB/s").value == 5 * 1024.0
    assert units.read_quantity("5 kB/s").kind == "B/s"


def test_metrics_file_in_mb_per_second_compares_with_go_baseline(tmp_path: Path) -> None:
    """A rate of bytes is one dimension whatever multiple a harness prints: a metrics file in
    MB/s and a Go baseline in MB/s (kept as B/s) are compared, not refused as other units."""
    samples = [1000000.0, 1010000.0, 990000.0, 1005000.0]
    current = tmp_path / "metrics.json"
    current.write_text(
        json.dumps(
            {
                "version": 1,
                "metrics": [{"name": "BenchmarkAlloc [MB/s]", "unit": "MB/s", "samples": samples}],
            }
        )
    )
    crit = _criteria(
        tmp_path,
        '  - id: speed\n    metric: "BenchmarkAlloc [MB/s]"\n    stat: min\n    min: 900GB/s\n'
        '  - id: speed-kept\n    metric: "BenchmarkAlloc [MB/s]"\n    compare: baseline\n'
        "    max_regression: 90%\n",
    )
    proc = run_cli("verdict", "-c", str(crit), "--baseline", str(GO_BENCH), str(current))
    assert "990 GB/s" in proc.stdout
    assert "in B/s now but" not in proc.stdout and "in MB/s now" not in proc.stdout
    # 4 and 3 samples cannot bound a ratio of medians: insufficient, but compared.
    assert "speed-kept" in proc.stdout and "regressed by -5.4%" in proc.stdout


# --- Go's B/op and allocs/op are rounded down -----------------------------------------------

POOLED = FIXTURES / "gobench" / "pooled.txt"  # real go 1.19: 0.016 allocs/op printed as 0
POOLED_CRITERIA = """\
  - id: zero-allocs
    metric: "BenchmarkPooled [allocs/op]"
    stat: max
    max: 0
"""


def test_zero_allocs_printed_by_go_is_not_zero(tmp_path: Path) -> None:
    """The testing package prints allocs/op as total / N in integer division: a benchmark that
    allocates on one call in 64 prints `0 allocs/op`, which was read as exactly 0 and passed a
    zero-allocation gate."""
    proc = run_cli("verdict", "-c", str(_criteria(tmp_path, POOLED_CRITERIA)), str(POOLED))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "0 allocs/op to 1 allocs/op" in proc.stdout
    assert "rounded down" in proc.stdout


@pytest.mark.parametrize(
    ("body", "code", "why"),
    [
        # 1 B/op printed is at least 1 B: a fail, on the lowest value it stands for.
        ("stat: max\n    max: 0B", 1, "even its lowest recorded bound 1 B is above 0B"),
        # ...and below 2 B: within 2 B, and so is its mean.
        ("stat: max\n    max: 2B", 0, "highest recorded bound 2 B"),
        ("stat: mean\n    max: 3B", 0, "is within <= 3B"),
        ("stat: mean\n    max: 1B", 3, "(1 B to 2 B) straddle 1B"),
    ],
)
def test_bytes_per_op_stand_for_their_whole_step(
    tmp_path: Path, body: str, code: int, why: str
) -> None:
    crit = _criteria(tmp_path, f'  - id: bytes\n    metric: "BenchmarkPooled [B/op]"\n    {body}\n')
    proc = run_cli("verdict", "-c", str(crit), str(POOLED))
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert why in proc.stdout


def test_real_go_zero_allocs_is_not_zero(tmp_path: Path) -> None:
    """Runs go on the same benchmark: whatever this machine prints, a zero-allocation gate on
    a benchmark that allocates is never READY."""
    pooled = (FIXTURES / "gobench" / "pooled_test.go.txt").read_text()
    out = go_bench(tmp_path, "alloc", pooled, "-count=10", "-benchmem", "-benchtime=6400x")
    assert b"0 allocs/op" in out.read_bytes()
    proc = run_cli("verdict", "-c", str(_criteria(tmp_path, POOLED_CRITERIA)), str(out))
    assert proc.returncode == 3, proc.stdout + proc.stderr


# --- one benchmark at several GOMAXPROCS (`-cpu 1,2`) ---------------------------------------

CPU_1_2 = FIXTURES / "gobench" / "cpu-1-2.txt"  # real go 1.19: -count 5 -cpu 1,2


@pytest.mark.parametrize("pattern", ["BenchmarkLocked", "BenchmarkLocked*"])
def test_gomaxprocs_settings_are_not_pooled(tmp_path: Path, pattern: str) -> None:
    """`-count 5 -cpu 1,2` is five samples of each of two settings. They were pooled into one
    metric `BenchmarkLocked` of ten samples, which met min_samples 10 and passed (READY):
    samples of one setting counted for another."""
    crit = _criteria(
        tmp_path, f'  - id: locked\n    metric: "{pattern}"\n    stat: mean\n    max: 10us\n'
    ).read_text()
    path = tmp_path / "c.yaml"
    path.write_text(crit.replace("min_samples: 3", "min_samples: 10"))
    proc = run_cli("verdict", "-c", str(path), str(CPU_1_2))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    if "*" in pattern:
        assert "(BenchmarkLocked-1, BenchmarkLocked-2)" in proc.stdout
        assert "at least 10 samples needed; 5 observed" in proc.stdout
    else:
        assert "BenchmarkLocked-1" in proc.stdout and "BenchmarkLocked-2" in proc.stdout


def test_each_gomaxprocs_setting_is_its_own_metric() -> None:
    from reportgen.ingest import load

    run = load([str(CPU_1_2)])
    by_name = {m.name: m for m in run.metrics}
    assert sorted(by_name) == ["BenchmarkLocked-1", "BenchmarkLocked-2"]
    assert by_name["BenchmarkLocked-1"].samples == pytest.approx(
        (623.0e-9, 628.4e-9, 620.0e-9, 624.6e-9, 621.6e-9)
    )
    assert by_name["BenchmarkLocked-2"].properties["procs"] == "2"
    assert by_name["BenchmarkLocked-2"].iterations == 20000


# --- sub-benchmark names that end in `-digits` ------------------------------------------------

SIZES = """package enc

import (
\t"fmt"
\t"testing"
)

func work(n int) int {
\ts := 0
\tfor i := 0; i < n; i++ {
\t\ts += i * i
\t}
\treturn s
}

func BenchmarkEncode(b *testing.B) {
\tfor _, size := range []int{512, 1024} {
\t\tb.Run(fmt.Sprintf("size-%d", size), func(b *testing.B) {
\t\t\tfor i := 0; i < b.N; i++ {
\t\t\t\twork(size)
\t\t\t}
\t\t})
\t}
}
"""


def _sizes(tmp_path: Path, cpu: str) -> Path:
    """The real `go test -bench` of sub-benchmarks `size-512` and `size-1024` at `-cpu`."""
    where = tmp_path / f"cpu{cpu}"
    where.mkdir()
    return go_bench(where, "enc", SIZES, "-benchtime", "200x", "-count", "2", "-cpu", cpu)


def test_a_sub_benchmark_name_ending_in_digits_is_no_gomaxprocs(tmp_path: Path) -> None:
    """At GOMAXPROCS 1 go adds no `-N`, so `size-1024` is the sub-benchmark's own name; read as
    a suffix, `-cpu 1,2` gave two metrics `BenchmarkEncode/size-512` (GOMAXPROCS 1 and 2) that
    pooled into one of 4 samples: READY on min_samples 4 (exit 0)."""
    one = load([str(_sizes(tmp_path, "1"))])
    assert {m.name: m.sample_count for m in one.metrics} == {
        "BenchmarkEncode/size-512": 2,
        "BenchmarkEncode/size-1024": 2,
    }
    assert all("procs" not in m.properties for m in one.metrics)
    both_path = _sizes(tmp_path, "1,2")
    both = load([str(both_path)])
    assert {m.name: (m.sample_count, m.properties["procs"]) for m in both.metrics} == {
        "BenchmarkEncode/size-512-1": (2, "1"),
        "BenchmarkEncode/size-1024-1": (2, "1"),
        "BenchmarkEncode/size-512-2": (2, "2"),
        "BenchmarkEncode/size-1024-2": (2, "2"),
    }
    crit = tmp_path / "c.yaml"
    crit.write_text(
        "version: 1\ndefaults: {min_samples: 4}\ncriteria:\n"
        '  - {id: enc, metric: "BenchmarkEncode/size-512*", stat: max, max: 1s}\n'
    )
    proc = run_cli("verdict", "-c", str(crit), str(both_path))
    assert proc.returncode == 3, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        # GOMAXPROCS 8 alone: every name ends in -8, the sub-benchmark's own -1024 kept.
        (["X/size-512-8", "X/size-1024-8"], {"X/size-512": 8, "X/size-1024": 8}),
        # GOMAXPROCS 1: a top-level name without a suffix says so for the whole binary.
        (["Y", "X/size-512", "X/size-1024"], {"Y": None, "X/size-512": None, "X/size-1024": None}),
        # GOMAXPROCS 1 and sub-benchmarks alone: no reading shows a suffix; kept as printed.
        (["X/size-512", "X/size-1024"], {"X/size-512": None, "X/size-1024": None}),
        # -cpu 1,2,4: every X beside.
        (["X/n-3", "X/n-3-2", "X/n-3-4"], {"X/n-3-1": 1, "X/n-3-2": 2, "X/n-3-4": 4}),
        # GOMAXPROCS 2 over n and n-2, or -cpu 1,2 over n-2: both fit, so kept apart as printed.
        (["X/n-2", "X/n-2-2"], {"X/n-2": None, "X/n-2-2": None}),
    ],
)
def test_which_dash_n_is_gomaxprocs(
    tmp_path: Path, names: list[str], expected: dict[str, int | None]
) -> None:
    text = "".join(f"Benchmark{name}  \t100\t  10 ns/op\n" for name in names) + "PASS\n"
    path = tmp_path / "bench.txt"
    path.write_text("pkg: example.com/x\n" + text)
    metrics = load([str(path)]).metrics
    procs = {m.name.removeprefix("Benchmark"): m.properties.get("procs") for m in metrics}
    got = {name: None if p is None else int(p) for name, p in procs.items()}
    assert got == expected


# --- what a missing bound on a CV needs -----------------------------------------------------

MOSTLY_BELOW_TIMER = """\
import itertools
import time

_WORK = itertools.cycle([0] * 19 + [1e-4])


def _setup():
    return (next(_WORK),), {}


def _op(pause):
    if pause:
        time.sleep(pause)


def test_mostly_idle(benchmark):
    benchmark.pedantic(_op, setup=_setup, rounds=60, iterations=1)
"""


def test_cv_without_bound_says_why_not_more_samples(tmp_path: Path) -> None:
    """A real pytest-benchmark run of 60 rounds, 19 in 20 far below a 20 µs timer: the robust
    CV has no upper bound because the median's lower bound is 0. The to-decide line asked for
    'at least 39 samples; 60 observed', which more samples could never satisfy."""
    pytest.importorskip("pytest_benchmark")
    (tmp_path / "test_idle.py").write_text(MOSTLY_BELOW_TIMER)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHONPATH"))}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "pytest_benchmark.plugin"]
    command += ["-p", "no:cacheprovider", "test_idle.py", "--benchmark-json=out.json"]
    result = subprocess.run(
        command,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    crit = tmp_path / "criteria.yaml"
    crit.write_text(
        "version: 1\ndefaults: {timer_resolution: 20us}\ncriteria:\n  - id: steady\n"
        '    metric: "test_idle.py::test_mostly_idle"\n    max_cv: 50%\n'
    )
    proc = run_cli("verdict", "-c", str(crit), str(tmp_path / "out.json"))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "samples for a bound" not in proc.stdout
    assert "a median clear of 0: its lower bound is 0" in proc.stdout


# --- a count per second is not throughput ---------------------------------------------------

ERRORS_BASE = FIXTURES / "gobench" / "errors-base.txt"  # real go 1.19: ~15 errors/s
ERRORS_NOW = FIXTURES / "gobench" / "errors-current.txt"  # the same benchmark: ~700 errors/s
ERRORS_CRITERIA = """\
  - id: send-errors
    metric: "BenchmarkSend [errors/s]"
    compare: baseline
    max_regression: 10%
"""


def test_errors_per_second_have_no_direction_of_their_own(tmp_path: Path) -> None:
    """Every unit per second was read as throughput (higher is better): failed sends going
    from 15/s to 700/s 'improved by +5156%' and the gate was READY."""
    crit = _criteria(tmp_path, ERRORS_CRITERIA)
    proc = run_cli("verdict", "-c", str(crit), "--baseline", str(ERRORS_BASE), str(ERRORS_NOW))
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "neither the input nor its unit (errors/s) says" in proc.stderr
    said = _criteria(tmp_path, ERRORS_CRITERIA + "    direction: lower_is_better\n")
    proc = run_cli("verdict", "-c", str(said), "--baseline", str(ERRORS_BASE), str(ERRORS_NOW))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "regressed by" in proc.stdout


@pytest.mark.parametrize(
    ("unit", "higher"),
    [
        ("B/s", True), ("MB/s", True), ("1/s", True), ("Hz", True), ("ops/s", True),
        ("req/s", True), ("items/s", True), ("msgs/s", True), ("errors/s", False),
        ("misses/s", False), ("GC/s", False), ("s", False),
    ],
)  # fmt: skip
def test_direction_of_rates(unit: str, higher: bool) -> None:
    direction = units.direction_for_unit(units.normalise_unit(1.0, unit)[1])
    assert (direction is not None and direction.value == "higher_is_better") is higher


# --- hyperfine: one name over several parameter values --------------------------------------

SCAN_BASE = FIXTURES / "hyperfine" / "scan-base.json"  # real hyperfine 1.15: -n work -L ms 5
SCAN_NOW = FIXTURES / "hyperfine" / "scan-current.json"  # -n work -L ms 1,5


def test_parameter_settings_of_one_name_are_named_by_their_values(tmp_path: Path) -> None:
    """`-n work -L ms 1,5` gives two results named `work`; they were read as `work` and
    `work #2` by their order, so a baseline run at ms=5 was compared with the current ms=1
    ('improved by -63%', READY) and the current ms=5 with nothing."""
    from reportgen.ingest import load

    names = {m.name for m in load([str(SCAN_NOW)]).metrics}
    assert names == {"work (ms=1)", "work (ms=1) [success]", "work (ms=5)", "work (ms=5) [success]"}
    crit = _criteria(
        tmp_path,
        "  - id: work-kept\n    metric: work\n    compare: baseline\n    max_regression: 10%\n",
    )
    proc = run_cli("verdict", "-c", str(crit), "--baseline", str(SCAN_BASE), str(SCAN_NOW))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "metric work is in no input, though the baseline has work" in proc.stdout


# --- point baselines: one statistic on both sides -------------------------------------------

HYPERFINE = FIXTURES / "hyperfine" / "two-commands.json"  # real hyperfine 1.15, `true` skewed


def test_point_baseline_compares_the_same_statistic(tmp_path: Path) -> None:
    """A baseline that reports only a mean (a summary export) against real hyperfine samples:
    the current median (0.83 ms) was held against the baseline mean (1.2 ms), 'improved by
    -31%' and READY, while the current mean (1.65 ms) is 37% above it."""
    base = tmp_path / "base.json"
    base.write_text(
        json.dumps(
            {
                "version": 1,
                "metrics": [{"name": "true", "unit": "ms", "n": 12, "stats": {"mean": 1.2}}],
            }
        )
    )
    crit = _criteria(
        tmp_path,
        "  - id: true-kept\n    metric: 'true'\n    compare: baseline\n    max_regression: 5%\n"
        "    allow_point_estimates: true\n    min_samples: 10\n",
    )
    proc = run_cli("verdict", "-c", str(crit), "--baseline", str(base), str(HYPERFINE))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "mean 1.2 ms → 1.65 ms" in proc.stdout


# --- one metric name in two units -----------------------------------------------------------


def test_one_metric_in_two_units_decides_nothing(tmp_path: Path) -> None:
    """Real hyperfine samples of `sleep 0.01` (seconds) beside a metrics CSV that records the
    same name as a plain count. The CSV's records were left out with only a warning, and the
    criterion passed on the hyperfine ones: which of the two is meant cannot be known."""
    counts = tmp_path / "counts.csv"
    counts.write_text("name,value\n" + "".join(f"sleep 0.01,{900 + k}\n" for k in range(12)))
    crit = _criteria(
        tmp_path, "  - id: sleep-fast\n    metric: sleep 0.01\n    stat: median\n    max: 1s\n"
    )
    proc = run_cli("verdict", "-c", str(crit), str(HYPERFINE), str(counts))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "sleep 0.01 is recorded in s and in none" in proc.stdout
    # One unit in every input decides as before.
    alone = run_cli("verdict", "-c", str(crit), str(HYPERFINE))
    assert alone.returncode == 0, alone.stdout + alone.stderr


# --- b.ReportMetric in a unit of a known dimension -------------------------------------------

HIT_RATE = """\
package cache

import "testing"

func BenchmarkCache(b *testing.B) {
	hits := 0
	for i := 0; i < b.N; i++ {
		if i%40 != 0 {
			hits++
		}
	}
	b.ReportMetric(100*float64(hits)/float64(b.N), "%")
}
"""


@pytest.mark.parametrize(("threshold", "code"), [("95%", 0), ("99%", 1)])
def test_go_custom_metric_in_percent_is_a_ratio(tmp_path: Path, threshold: str, code: int) -> None:
    """`b.ReportMetric(x, "%")` is read as a ratio, as a metrics file's `%` is, so that a
    percentage threshold holds against it. Before: kept in a unit `%` no threshold fitted,
    `min: 95%` was exit 4 ("needs values that are a ratio or percent, and these are in %")."""
    out = go_bench(tmp_path, "cache", HIT_RATE, "-count=10", "-benchtime=4000x")
    assert b"97.50 %" in out.read_bytes()
    body = f'  - {{id: hits, metric: "BenchmarkCache [%]", stat: mean, min: "{threshold}"}}\n'
    proc = run_cli("verdict", "-c", str(_criteria(tmp_path, body)), str(out))
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "97.5%" in proc.stdout


# --- KB in an input: 1000 or 1024 bytes ------------------------------------------------------


def test_kb_in_an_input_is_not_converted_by_a_guess(tmp_path: Path) -> None:
    """GNU time's `%M` is the peak resident set in "Kbytes", which are KiB; a metrics CSV
    that says `KB` was read as 1000 bytes, so 51,572 KiB (50.4 MiB) passed `max: 50MiB`
    (READY, exit 0). KB is kept as written: a threshold in another size unit is exit 4, a
    plain number of KB is held against the values as they are."""
    gnu_time = shutil.which("time")
    if gnu_time is None or not Path(gnu_time).is_file():
        pytest.skip("GNU time is not installed (apt-get install time)")
    rows = ["name,value,unit"]
    for _ in range(10):
        peak = tmp_path / "peak.txt"
        subprocess.run(
            [gnu_time, "-f", "%M", "-o", str(peak), sys.executable, "-c", "b = bytearray(1 << 24)"],
            check=True,
            timeout=60,
        )
        rows.append(f"peak_rss,{peak.read_text().split()[-1]},KB")
    csv = tmp_path / "rss.csv"
    csv.write_text("\n".join(rows) + "\n")
    largest = max(int(row.split(",")[1]) for row in rows[1:])

    body = "  - {id: memory, metric: peak_rss, stat: max, max: 1GiB}\n"
    proc = run_cli("verdict", "-c", str(_criteria(tmp_path, body)), str(csv))
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "give the input's unit as kB or KiB" in proc.stderr
    # Page-sized steps: the values stand for their 4 KB grid (docs/statistics.md).
    for limit, code in ((largest + 100, 0), (largest - 100, 1)):
        body = f"  - {{id: memory, metric: peak_rss, stat: max, max: {limit}}}\n"
        proc = run_cli("verdict", "-c", str(_criteria(tmp_path, body)), str(csv))
        assert proc.returncode == code, proc.stdout + proc.stderr
        assert f"{largest} KB" in proc.stdout


BATCH = """\
package batch

import (
	"testing"
	"time"
)

// Each operation handles 4 items in about 1 ms.
func BenchmarkBatch(b *testing.B) {
	start := time.Now()
	for i := 0; i < b.N; i++ {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(4*b.N), "ns/item")
}
"""


@pytest.mark.parametrize(("threshold", "code"), [("2ms", 0), ("100us", 1)])
def test_go_time_per_item_is_a_duration(tmp_path: Path, threshold: str, code: int) -> None:
    """`b.ReportMetric(x, "ns/item")` is a time per unit of work, as `ns/op` is: read in
    seconds, lower is better. Before: kept in `ns/item`, so `max: 2ms` was exit 4 ("a duration,
    and the values are in ns/item") and a baseline comparison needed a direction."""
    out = go_bench(tmp_path, "batch", BATCH, "-count=12", "-benchtime=20x")
    assert b" ns/item" in out.read_bytes()
    body = f'  - {{id: item, metric: "BenchmarkBatch [ns/item]", stat: max, max: {threshold}}}\n'
    proc = run_cli("verdict", "-c", str(_criteria(tmp_path, body)), str(out))
    assert proc.returncode == code, proc.stdout + proc.stderr
    listing = run_cli("ls", str(out))
    assert "BenchmarkBatch [ns/item]  [unit s, n=12, lower_is_better]" in listing.stdout


@pytest.mark.parametrize(
    ("unit", "seconds"),
    [("ns/op", 1e-9), ("ms/iter", 1e-3), ("sec/op", 1.0), ("µs/item", 1e-6), ("ns/errors", None)],
)
def test_time_per_work_unit(unit: str, seconds: float | None) -> None:
    assert units.time_per_work(unit) == seconds
    if seconds is not None:
        assert units.normalise_unit(2.0, unit) == (2.0 * seconds, "s")
