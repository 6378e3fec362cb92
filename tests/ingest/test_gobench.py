"""go test -bench text: real go 1.19 output, -count repeats as samples, units, broken lines."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import detect, load
from reportgen.ingest.gobench import parse_bench_line
from reportgen.model import Direction, IntegrityKind, Outcome, Run
from tests.conftest import go_module, run_cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "gobench"


def test_real_output() -> None:
    run = load([str(FIXTURES / "bench.txt")])
    assert run.inputs[0].format == "gobench"
    by_name = {m.name: m for m in run.metrics}
    fib = by_name["BenchmarkFib10"]
    assert fib.samples == pytest.approx((259.4e-9, 264.0e-9, 268.5e-9))
    assert fib.unit == "s" and fib.properties == {"procs": "2", "package": "example.com/fib"}
    assert fib.source == "example.com/fib.BenchmarkFib10"
    # ns/op is an average over the line's iterations: the fewest of them is kept.
    iterations = [
        int(line.split()[1])
        for line in (FIXTURES / "bench.txt").read_text().splitlines()
        if line.startswith("BenchmarkFib10")
    ]
    assert fib.iterations == min(iterations) and fib.input_unit == "ns/op"
    assert by_name["BenchmarkAlloc [MB/s]"].samples == pytest.approx(
        (1129619.42e6, 749085.59e6, 1059493.02e6)
    )
    assert by_name["BenchmarkAlloc [MB/s]"].direction is Direction.HIGHER_IS_BETTER
    assert by_name["BenchmarkAlloc [B/op]"].unit == "B"
    assert by_name["BenchmarkAlloc [allocs/op]"].samples == (0.0, 0.0, 0.0)
    assert by_name["BenchmarkAlloc [widgets/op]"].samples == (3.0, 3.0, 3.0)
    # A custom unit with no dimension that says which way is better: unknown.
    assert by_name["BenchmarkAlloc [widgets/op]"].direction is None
    assert len(run.metrics) == 6


def test_parse_line() -> None:
    assert parse_bench_line("BenchmarkX/sub=1-8  \t 1000\t  1234 ns/op\t  56 B/op") == (
        "BenchmarkX/sub=1",
        8,
        1000,
        [(1234.0, "ns/op"), (56.0, "B/op")],
    )
    assert parse_bench_line("BenchmarkNoProcs 10 5 ns/op") == (
        "BenchmarkNoProcs",
        None,
        10,
        [(5.0, "ns/op")],
    )
    assert parse_bench_line("BenchmarkX") is None
    assert parse_bench_line("--- FAIL: BenchmarkX") is None


def test_not_claimed_when_json_or_other_text() -> None:
    go_json = b'{"Action":"output","Output":"BenchmarkX-8 \\t 10\\t 5 ns/op\\n"}\n'
    detected = detect(go_json, "x.json")
    assert detected is None or detected.name != "gobench"
    from reportgen.ingest.gobench import GoBenchIngester

    assert GoBenchIngester().sniff(b"ok  \texample.com/x\t0.1s\n", "x.txt") == 0.0


def test_two_packages_keep_apart(tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_text("pkg: a\nBenchmarkX-4 10 5 ns/op\npkg: b\nBenchmarkX-4 10 7 ns/op\n")
    names = [m.name for m in load([str(path)]).metrics]
    assert names == ["BenchmarkX", "b.BenchmarkX"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BenchmarkX-8 10 -5 ns/op\n", ":1: BenchmarkX: -5.0 ns/op is not a measurement"),
        ("BenchmarkX-8 10 5 ns/op\nBenchmarkY-8 10 abc ns/op\n", ":2: cannot read"),
        ("BenchmarkX-8 10 5 ns/op\nBenchmarkX-8 10 5 MB/s\n", None),
    ],
)
def test_broken_files(tmp_path: Path, text: str, expected: str | None) -> None:
    path = tmp_path / "b.txt"
    path.write_text(text)
    if expected is None:
        assert len(load([str(path)]).metrics) == 2
        return
    with pytest.raises(InputError) as info:
        load([str(path)])
    assert str(path) in str(info.value) and expected in str(info.value)


def test_no_results(tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_text("PASS\n")
    with pytest.raises(InputError, match="no benchmark result lines"):
        load([str(path)], format="gobench")


# --- output cut before its end, failures -----------------------------------------------------


def test_every_cut_of_real_output_is_flagged(tmp_path: Path) -> None:
    """Cut after a result line and before the closing PASS, the text is never complete."""
    lines = (FIXTURES / "bench.txt").read_text().splitlines(keepends=True)
    closing = lines.index("PASS\n")
    path = tmp_path / "bench.txt"
    for keep in range(closing + 1):
        path.write_text("".join(lines[:keep]))
        if not any(ln.startswith("Benchmark") for ln in lines[:keep]):
            continue  # no result line: an input error, tested in test_no_results
        run = load([str(path)])
        flags = run.inputs[0].integrity
        assert {f.kind for f in flags} == {IntegrityKind.TESTS_MISSING}, keep
        last = lines[keep - 1].split("-", 1)[0]
        assert last in {f.scope for f in flags}  # reaches the criteria on its metrics
        (warning,) = run.warnings
        assert "stops before its final PASS, ok or FAIL line" in warning.message
        assert warning.path == str(path)
    path.write_text("".join(lines[: closing + 1]))
    assert load([str(path)]).inputs[0].integrity == ()
    assert load([str(FIXTURES / "bench.txt")]).warnings == ()


def test_cut_output_is_insufficient_not_ready(tmp_path: Path) -> None:
    lines = (FIXTURES / "sum-v.txt").read_text().splitlines(keepends=True)
    path = tmp_path / "bench.txt"
    path.write_text("".join(lines[:-1]))  # without its closing PASS
    crit = tmp_path / "crit.yaml"
    crit.write_text(
        "version: 1\ncriteria:\n  - id: m\n    metric: BenchmarkSum\n    stat: max\n"
        "    max: 1ms\n    min_samples: 3\n"
    )
    whole = run_cli("verdict", "-c", str(crit), str(FIXTURES / "sum-v.txt"))
    assert whole.returncode == 0, whole.stdout + whole.stderr
    proc = run_cli("verdict", "-c", str(crit), str(path))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "stops before its final PASS" in proc.stdout


def test_failed_benchmark_is_flagged() -> None:
    """Real go 1.19 output (`fails_test.go.txt`, -test.v): BenchmarkFails calls b.Fatal."""
    run = load([str(FIXTURES / "fails-v.txt")])
    (flag,) = run.inputs[0].integrity
    assert flag.kind is IntegrityKind.BENCHMARK_ERRORS and flag.scope == "BenchmarkFails"
    assert "BenchmarkFails failed" in run.warnings[0].message
    assert {m.name for m in run.metrics} >= {"BenchmarkSum", "BenchmarkCopy [MB/s]"}


def test_fail_without_a_failed_benchmark_is_aborted(tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_text(
        "pkg: p\nBenchmarkX-2 \t 10\t 5 ns/op\npanic: boom\n\ngoroutine 1 [running]:\n"
        "exit status 2\nFAIL\tp\t0.01s\n"
    )
    run = load([str(path)])
    (flag,) = run.inputs[0].integrity
    assert flag.kind is IntegrityKind.ABORTED and flag.scope == "BenchmarkX"


# --- one run in two formats ------------------------------------------------------------------


def _metric_keys(run: Run) -> list[tuple[object, ...]]:
    return sorted(
        (m.name, m.unit, m.samples, m.n, m.iterations, m.input_unit, m.direction)
        for m in run.metrics
    )


@pytest.mark.parametrize(
    ("text", "events"), [("sum-v.txt", "sum-v.jsonl"), ("fails-v.txt", "fails-v.jsonl")]
)
def test_both_formats_of_one_run_read_alike(text: str, events: str) -> None:
    """`./x.test -test.bench . -test.v | tee t.txt | go tool test2json -p PKG`: the same
    metrics (names, units, samples, n) from both readers, and the same test rows."""
    a = load([str(FIXTURES / text)])
    b = load([str(FIXTURES / events)])
    assert (a.inputs[0].format, b.inputs[0].format) == ("gobench", "gotest-json")
    assert _metric_keys(a) == _metric_keys(b) and a.metrics


def test_one_run_in_two_formats_is_counted_once(tmp_path: Path) -> None:
    """The run from the report: 6 samples in each file are 6 samples, not 12."""
    crit = tmp_path / "crit.yaml"
    crit.write_text(
        "version: 1\ncriteria:\n  - id: sum-mean\n    metric: BenchmarkSum\n    stat: mean\n"
        "    max: 1ms\n"
    )
    files = [str(FIXTURES / "sum-v.jsonl"), str(FIXTURES / "sum-v.txt")]
    run = load(files)
    assert run.inputs[1].duplicate_of == files[0]
    proc = run_cli("verdict", "-c", str(crit), *files)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "6 samples" in proc.stdout and "n=12" not in proc.stdout


def test_real_go_run_in_two_formats_is_counted_once(tmp_path: Path) -> None:
    """Runs go: one benchmark binary's -test.v output kept as text and as test2json events."""
    go, env = go_module(
        tmp_path, "example.com/bench", {"b_test.go": (FIXTURES / "fails_test.go.txt").read_text()}
    )
    subprocess.run(
        [go, "test", "-c", "-o", "b.test", "."], cwd=tmp_path, env=env, check=True, timeout=300
    )
    bench = subprocess.run(
        [
            "./b.test",
            "-test.run",
            "^$",
            "-test.bench",
            ".",
            "-test.count=3",
            "-test.benchtime=200x",
            "-test.v",
        ],
        cwd=tmp_path,
        capture_output=True,
        env=env,
        timeout=300,
        check=False,
    )
    events = subprocess.run(
        [go, "tool", "test2json", "-p", "example.com/bench"],
        input=bench.stdout,
        capture_output=True,
        env=env,
        timeout=300,
        check=True,
    )
    (tmp_path / "bench.txt").write_bytes(bench.stdout)
    (tmp_path / "gotest.jsonl").write_bytes(events.stdout)
    files = [str(tmp_path / "gotest.jsonl"), str(tmp_path / "bench.txt")]
    text, stream = load([files[1]]), load([files[0]])
    assert _metric_keys(text) == _metric_keys(stream) and text.metrics
    both = load(files)
    # One is read (the first by path, whatever the order given) and the other named its copy.
    assert [i.duplicate_of for i in both.inputs] == [files[1], None]
    assert len(both.metrics) == len(stream.metrics)


# Fails in the second of its -count runs only, with b.Error: go still prints `ok`.
SECOND_RUN_FAILS = """package bench

import "testing"

var calls int

func BenchmarkStep(b *testing.B) {
\tcalls++
\tif calls == 2 {
\t\tb.Error("second run broke")
\t}
\tfor i := 0; i < b.N; i++ {
\t}
}
"""


def test_real_go_failure_in_a_later_count_run_is_flagged(tmp_path: Path) -> None:
    """Runs go: without -v the failure of a later -count run ends its name's line
    (`BenchmarkStep-2  \t--- FAIL: BenchmarkStep-2`), and the run still ends in `ok`."""
    go, env = go_module(tmp_path, "example.com/bench", {"b_test.go": SECOND_RUN_FAILS})
    bench = tmp_path / "bench.txt"
    with bench.open("wb") as handle:
        subprocess.run(
            [go, "test", "-run", "^$", "-bench", ".", "-count=8", "-benchtime=100x", "."],
            cwd=tmp_path,
            stdout=handle,
            env=env,
            timeout=300,
            check=False,
        )
    assert b"\t--- FAIL: BenchmarkStep" in bench.read_bytes()
    crit = tmp_path / "crit.yaml"
    crit.write_text(
        "version: 1\ncriteria:\n  - id: step\n    metric: BenchmarkStep\n    stat: median\n"
        "    max: 1s\n    min_samples: 5\n"
    )
    proc = run_cli("verdict", "-c", str(crit), str(bench))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "failed (--- FAIL)" in proc.stdout
    run = load([str(bench)])
    assert [t.outcome for t in run.tests] == [Outcome.FAILED]


def test_a_run_that_measured_nothing_is_flagged() -> None:
    """Real go output: the `0  NaN ns/op` line of a run cut by a panic is no malformed input,
    and the benchmark's earlier samples are no evidence."""
    run = load([str(FIXTURES / "crash-count.txt")])
    [metric] = run.metrics
    assert metric.name == "BenchmarkCrash" and metric.n == 2
    flags = {(f.kind, f.scope) for f in run.inputs[0].integrity}
    assert (IntegrityKind.BENCHMARK_ERRORS, "BenchmarkCrash") in flags
    assert (IntegrityKind.ABORTED, "BenchmarkCrash") in flags


def test_real_go_benchmark_crash_in_json_reaches_its_metric(tmp_path: Path) -> None:
    """Runs go: a benchmark that panics in a later -count run fails its package with no failing
    test; the samples printed before are no evidence for a metric criterion."""
    go, env = go_module(
        tmp_path, "example.com/bench", {"b_test.go": (FIXTURES / "crash_test.go.txt").read_text()}
    )
    stream = tmp_path / "bench.jsonl"
    with stream.open("wb") as handle:
        subprocess.run(
            [go, "test", "-json", "-run", "^$", "-bench", ".", "-count=8", "-benchtime=100x", "."],
            cwd=tmp_path,
            stdout=handle,
            env=env,
            timeout=300,
            check=False,
        )
    assert b"panic: crash in a later run" in stream.read_bytes()
    crit = tmp_path / "crit.yaml"
    crit.write_text(
        "version: 1\ncriteria:\n  - id: crash\n    metric: BenchmarkCrash\n    stat: max\n"
        "    max: 1s\n    min_samples: 2\n"
    )
    proc = run_cli("verdict", "-c", str(crit), str(stream))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "failed without a failing test" in proc.stdout


SET_BYTES = """package rate

import "testing"

var sink int

func BenchmarkCopy(b *testing.B) {
	b.SetBytes(1024)
	for i := 0; i < b.N; i++ {
		sink += i
	}
}
"""


def test_a_rate_from_times_at_the_timer_resolution_is_no_measurement(tmp_path: Path) -> None:
    # `MB/s` is the bytes of b.SetBytes over `ns/op`. With -benchtime=1x each `ns/op` is one
    # operation timed once, far below a 100 µs timer: its rate may be anything above
    # 1024 B / 100 µs. It was judged as it was printed (~1 GB/s against 1 MB/s: READY, exit 0).
    go, env = go_module(tmp_path, "example.com/rate", {"rate_test.go": SET_BYTES})
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\ndefaults: {timer_resolution: 100us}\ncriteria:\n"
        "  - id: copy-rate\n    metric: 'BenchmarkCopy [MB/s]'\n    stat: median\n"
        "    min: 1MB/s\n"
    )
    for benchtime, expected in (("1x", 3), ("100000x", 0)):
        out = tmp_path / f"bench-{benchtime}.txt"
        proc = subprocess.run(
            [go, "test", "-run", "^$", "-bench", ".", f"-benchtime={benchtime}", "-count=20"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        out.write_text(proc.stdout)
        verdict = run_cli("verdict", "-c", str(criteria), str(out))
        at_resolution = "per-operation times at or below the timer resolution" in verdict.stdout
        if expected == 0 and verdict.returncode == 3:
            # Measured, but 20 runs that drift on a loaded machine are serially dependent and
            # hold too few independent ones for the median's bound: not the timer's doing.
            assert "independent" in verdict.stdout and not at_resolution, verdict.stdout
            continue
        assert verdict.returncode == expected, verdict.stdout + verdict.stderr
        assert at_resolution == (expected == 3), verdict.stdout
