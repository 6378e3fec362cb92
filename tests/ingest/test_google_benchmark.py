"""Google Benchmark JSON: corpus files, real 1.7.1 output, aggregates and broken files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import detect, load
from reportgen.model import WORK_PER_OP, Direction, IntegrityKind
from tests.conftest import REPO, run_cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "google-benchmark"


def test_real_repetitions_become_samples() -> None:
    path = FIXTURES / "repetitions.json"
    raw = json.loads(path.read_text())["benchmarks"]
    run = load([str(path)])
    assert run.inputs[0].format == "google-benchmark"
    by_name = {m.name: m for m in run.metrics}
    assert list(by_name) == [
        "BM_StringCopy/64", "BM_StringCopy/64 [cpu]", "BM_StringCopy/64 [bytes_per_second]",
        "BM_StringCopy/4096", "BM_StringCopy/4096 [cpu]", "BM_StringCopy/4096 [bytes_per_second]",
        "BM_Loop", "BM_Loop [cpu]", "BM_Loop [widgets]",
    ]  # fmt: skip
    # Aggregates (_mean, _median, _stddev, _cv) are not metrics and add no samples.
    reps = [b for b in raw if b["name"] == "BM_StringCopy/64"]
    copy64 = by_name["BM_StringCopy/64"]
    assert copy64.samples == pytest.approx(tuple(b["real_time"] * 1e-9 for b in reps))
    assert by_name["BM_StringCopy/64 [cpu]"].samples == pytest.approx(
        tuple(b["cpu_time"] * 1e-9 for b in reps)
    )
    # time_unit "us" honoured.
    loops = [b for b in raw if b["name"] == "BM_Loop"]
    assert by_name["BM_Loop"].samples == pytest.approx(tuple(b["real_time"] * 1e-6 for b in loops))
    throughput = by_name["BM_StringCopy/4096 [bytes_per_second]"]
    assert throughput.unit == "B/s" and throughput.direction is Direction.HIGHER_IS_BETTER
    assert copy64.direction is Direction.LOWER_IS_BETTER and copy64.n == 3
    # Each repetition is an average over its iterations; the unit is the file's own.
    assert copy64.iterations == min(b["iterations"] for b in reps)
    assert copy64.input_unit == reps[0]["time_unit"]
    assert by_name["BM_Loop"].input_unit == "us"
    assert run.inputs[0].timestamp is not None


def test_aggregates_only_are_point_estimates() -> None:
    path = FIXTURES / "aggregates-only.json"
    raw = {b["name"]: b for b in json.loads(path.read_text())["benchmarks"]}
    run = load([str(path)])
    assert [m.name for m in run.metrics] == ["BM_StringCopy/64", "BM_StringCopy/4096", "BM_Loop"]
    loop = run.metrics[2]
    assert loop.samples is None and loop.n == 3
    assert loop.stats["mean"] == pytest.approx(raw["BM_Loop_mean"]["real_time"] * 1e-6)
    assert loop.stats["stdev"] == pytest.approx(raw["BM_Loop_stddev"]["real_time"] * 1e-6)
    assert loop.stats["cv"] == pytest.approx(raw["BM_Loop_cv"]["real_time"])


def test_corpus_real_output(corpus: Path) -> None:
    run = load([str(corpus / "google-benchmark" / "gab-googlecpp-real.json")])
    assert [m.name for m in run.metrics] == ["fib_10", "fib_10 [cpu]", "fib_20", "fib_20 [cpu]"]
    assert run.metrics[0].samples == pytest.approx((2.1498980114547953e2 * 1e-9,))
    assert run.metrics[2].properties["iterations"] == "23968"


def test_corpus_compare_fixtures(corpus: Path) -> None:
    folder = corpus / "google-benchmark"
    run = load([str(folder / "gbench-compare-test1_run1.json")])
    names = [m.name for m in run.metrics]
    # BigO / RMS aggregates are recognised, not metrics.
    assert not any("BigO" in n or "RMS" in n or "MyComplexity" in n for n in names)
    assert len(names) == 2 * 14
    by_name = {m.name: m for m in run.metrics}
    assert by_name["BM_NotBadTimeUnit"].samples == (0.4,)  # time_unit "s"
    assert by_name["BM_NotBadTimeUnit [cpu]"].samples == (0.5,)
    assert by_name["BM_hasLabel"].properties["label"] == "a label"
    run = load([str(folder / "gbench-compare-test3_run0.json")])
    by_name = {m.name: m for m in run.metrics}
    assert set(by_name) == {"BM_Two", "BM_Two [cpu]", "medium", "medium [cpu]"}
    assert by_name["BM_Two"].samples == pytest.approx((9e-9, 8e-9))
    run = load([str(folder / "gbench-compare-test4_run.json")])
    assert run.metrics == ()  # no timing fields at all: warned, not invented
    # One warning per row, and one that the file holds nothing (no evidence for READY).
    assert len(run.warnings) == 9
    assert [f.kind for f in run.inputs[0].integrity] == [IntegrityKind.NO_RESULTS]


def test_sniff_does_not_take_pytest_benchmark(corpus: Path) -> None:
    for path in (corpus / "pytest-benchmark").iterdir():
        ingester = detect(path.read_bytes()[:8192], str(path))
        assert ingester is not None and ingester.name == "pytest-benchmark"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ('{"name": "a", "real_time": -1, "cpu_time": 1, "time_unit": "ns"}', "real_time: negative"),
        ('{"name": "a", "real_time": "x", "cpu_time": 1, "time_unit": "ns"}', "expected a number"),
        (
            '{"name": "a", "real_time": 1, "cpu_time": 1, "time_unit": "fortnights"}',
            "unknown unit 'fortnights'",
        ),
        ('{"real_time": 1}', "benchmarks[0].name"),
    ],
)
def test_broken_files(tmp_path: Path, row: str, expected: str) -> None:
    path = tmp_path / "g.json"
    path.write_text('{"context": {"num_cpus": 2, "mhz_per_cpu": 1}, "benchmarks": [' + row + "]}")
    with pytest.raises(InputError) as info:
        load([str(path)])
    assert str(path) in str(info.value) and expected in str(info.value)


def test_errored_benchmark_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    path.write_text(
        '{"context": {"num_cpus": 2}, "benchmarks": [{"name": "a", "run_type": "iteration", '
        '"error_occurred": true, "error_message": "boom"}]}'
    )
    run = load([str(path)])
    assert run.metrics == () and "boom" in run.warnings[0].message


def test_a_user_counters_name_does_not_give_it_a_unit_or_direction() -> None:
    # `parse_per_second` is kIsRate | kInvert in counters.cc: seconds per item, lower is better.
    # The JSON carries no flags, so no unit or direction is read from the name; the counters
    # the library writes itself keep theirs (see the bytes_per_second test above).
    run = load([str(FIXTURES / "counters.json")])
    by_name = {m.name: m for m in run.metrics}
    for counter in ("parse_per_second", "items_per_second_custom"):
        metric = by_name[f"BM_Parse/repeats:12 [{counter}]"]
        assert (metric.unit, metric.direction) == ("", None), metric
    assert by_name["BM_Parse/repeats:12"].direction is Direction.LOWER_IS_BETTER


def test_rates_carry_the_timer_resolution_of_the_time_they_come_from(tmp_path: Path) -> None:
    # Real Google Benchmark 1.7.1 output of rates.cc: a 64-byte copy timed over one iteration
    # (its rates come from a time at the timer's resolution), once by CPU time, once by wall
    # time (UseRealTime), and once over millions of iterations.
    path = FIXTURES / "rates.json"
    raw = [b for b in json.loads(path.read_text())["benchmarks"] if b["run_type"] == "iteration"]
    by_name = {m.name: m for m in load([str(path)]).metrics}
    one_cpu, one_real = (
        "BM_Copy/iterations:1/repeats:12",
        "BM_Copy/iterations:1/repeats:12/real_time",
    )
    for name, column in ((one_cpu, "cpu_time"), (one_real, "real_time")):
        rows = [b for b in raw if b["run_name"] == name]
        # bytes_per_second is the bytes over the time the runner judged the run by: times that
        # time per iteration, it gives back the 64 bytes of SetBytesProcessed, for every row.
        assert {round(b["bytes_per_second"] * b[column] * 1e-9, 6) for b in rows} == {64.0}
        rate = by_name[f"{name} [bytes_per_second]"]
        assert float(rate.properties[WORK_PER_OP]) == pytest.approx(64.0)
        assert rate.iterations == 1
        items = by_name[f"{name} [items_per_second]"]
        assert float(items.properties[WORK_PER_OP]) == pytest.approx(1.0)
    # Times, and counters the library does not make rates of, carry no work.
    assert WORK_PER_OP not in by_name[one_cpu].properties
    (tmp_path / "crit.yaml").write_text(
        "version: 1\ncriteria:\n"
        f'  - {{id: cpu, metric: "{one_cpu} [bytes_per_second]", stat: median, min: 1MB/s}}\n'
        f'  - {{id: real, metric: "{one_real} [items_per_second]", stat: median, min: 1000}}\n'
        # Its 12 repetitions drift (the serial inflation reads 5), too few for a bound on the
        # median; the observed minimum needs none.
        '  - {id: many, metric: "BM_CopyMany/repeats:12 [bytes_per_second]", stat: min, '
        "min: 1MB/s}\n"
    )
    done = run_cli(
        "verdict", "-c", "crit.yaml", str(path), cwd=tmp_path, env={"PYTHONPATH": str(REPO)}
    )
    # The one-iteration rates have no upper bound (both were READY, exit 0); the rate over
    # millions of iterations is a measurement still.
    assert done.returncode == 3, done.stdout + done.stderr
    rows = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines()[2:5]}
    assert rows == {"cpu": "INSUFFICIENT", "real": "INSUFFICIENT", "many": "PASS"}
    assert "worked out from per-operation times at or below the timer resolution" in done.stdout
