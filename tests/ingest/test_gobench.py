"""go test -bench text: real go 1.19 output, -count repeats as samples, units, broken lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import detect, load
from reportgen.ingest.gobench import parse_bench_line
from reportgen.model import Direction

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
