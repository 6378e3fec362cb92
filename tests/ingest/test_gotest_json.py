"""go test -json ingester: corpus and Go-generated streams, subtests, build failures, speed."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import Direction, IntegrityKind, Outcome
from tests.conftest import run_cli
from tests.ingest.json_ingest_support import (
    FIXTURES,
    assert_cli_rejects,
    assert_input_error,
    assert_never_claims_foreign,
    counts,
    detected,
    expect,
    invalid_utf8,
    read,
)

GO = FIXTURES / "gotest-json"

CORPUS = {
    # 5 top-level tests + 6 subtests of TestCases (the parent is a container).
    "dorny-golang-json.json": expect(11, 5, 5, 0, 1),
    "gojunitreport-broken-plaintext.txt": expect(1, 0, 0, 1, 0),
    "gotestsum-build-failed.jsonl": expect(1, 0, 0, 1, 0),
    # TestHello reported pass, but the package failed on a timeout panic.
    "gotestsum-panic-timeout.jsonl": expect(2, 1, 0, 1, 0),
}
GENERATED = {
    "go119-calc.jsonl": expect(13, 8, 3, 0, 2),
    "go119-bench.jsonl": expect(0, 0, 0, 0, 0),
    "go119-panic.jsonl": expect(2, 1, 1, 0, 0),
    "go119-timeout.jsonl": expect(2, 1, 0, 1, 0),
    "go119-build-failed.txt": expect(1, 0, 0, 1, 0),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_counts(corpus: Path, name: str) -> None:
    path = corpus / "gotest-json" / name
    assert detected(path) == "gotest-json"
    run = read(path)
    assert counts(run) == CORPUS[name]


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_counts(name: str) -> None:
    path = GO / name
    assert detected(path) == "gotest-json"
    assert counts(read(path)) == GENERATED[name]


def test_never_claims_other_formats(corpus: Path) -> None:
    assert_never_claims_foreign(corpus, "gotest-json")


def test_subtests_and_parents() -> None:
    run = read(GO / "go119-calc.jsonl")
    ids = {t.id: t for t in run.tests}
    pkg = "example.com/sample/calc"
    # Containers are not tests; their leaves are, including names that contain '/'.
    assert f"{pkg}::TestTable" not in ids and f"{pkg}::TestNested/level1" not in ids
    assert ids[f"{pkg}::TestNested/level1/a/b"].outcome is Outcome.PASSED
    assert ids[f"{pkg}::TestTable/2+2"].outcome is Outcome.FAILED
    # A parent whose own body failed after its subtests passed is counted.
    parent = ids[f"{pkg}::TestParentFailsItself"]
    assert parent.outcome is Outcome.FAILED
    assert parent.message is not None and "parent body failed" in parent.message
    failing = ids[f"{pkg}::TestAddFails"]
    assert (failing.file, failing.line) == ("calc_test.go", 18)
    assert failing.output is not None and "expected 1+1 = 3" in failing.output
    skipped = ids[f"{pkg}::TestSkipped"]
    assert skipped.message is not None and "not on this platform" in skipped.message
    # Output of passing tests is not kept.
    assert ids[f"{pkg}::TestAddPasses"].output is None
    assert run.inputs[0].timestamp == "2026-11-27T06:04:33.234027Z"


def test_dorny_subtest_names_with_slashes(corpus: Path) -> None:
    run = read(corpus / "gotest-json" / "dorny-golang-json.json")
    names = {t.name: t.outcome for t in run.tests}
    assert names["TestCases/1_/_2_=_1"] is Outcome.FAILED
    assert names["TestCases/14_/_7_=_2"] is Outcome.PASSED
    assert "TestCases" not in names


def test_timeout_panic_is_a_package_error(corpus: Path) -> None:
    run = read(corpus / "gotest-json" / "gotestsum-panic-timeout.jsonl")
    error = next(t for t in run.tests if t.outcome is Outcome.ERROR)
    assert error.name == "[package failed]" and error.classname == "github.com/mafredri/test"
    assert error.message == "panic: test timed out after 1s"


def test_unfinished_test_is_an_error() -> None:
    run = read(GO / "go119-timeout.jsonl")
    error = next(t for t in run.tests if t.outcome is Outcome.ERROR)
    assert error.name == "TestHangs" and error.message == "panic: test timed out after 1s"


@pytest.mark.parametrize(
    ("where", "name", "message"),
    [
        (
            "corpus",
            "gotestsum-build-failed.jsonl",
            "./directory_test.go:321:10: undefined: assert.foo",
        ),
        (
            "corpus",
            "gojunitreport-broken-plaintext.txt",
            "./main.go:4:6: unused declared but not used",
        ),
        ("fixture", "go119-build-failed.txt", "broken/broken.go:3:28: undefined: undefinedThing"),
    ],
)
def test_build_failures(corpus: Path, where: str, name: str, message: str) -> None:
    path = (corpus / "gotest-json" if where == "corpus" else GO) / name
    run = read(path)
    (case,) = list(run.tests)
    assert case.name == "[build failed]" and case.outcome is Outcome.ERROR
    assert case.message == message
    assert case.output is not None and message in case.output


def test_plain_text_lines_are_a_warning_with_line(corpus: Path) -> None:
    run = read(corpus / "gotest-json" / "gojunitreport-broken-plaintext.txt")
    (warning,) = run.warnings
    assert warning.line == 1 and "not JSON" in warning.message


def test_non_json_line_in_the_middle(tmp_path: Path) -> None:
    lines = (GO / "go119-panic.jsonl").read_text().splitlines()
    lines.insert(3, "some stray stderr text")
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n")
    run = read(path)
    assert counts(run) == expect(2, 1, 1, 0, 0)
    assert [w.line for w in run.warnings] == [4]


def test_benchmarks_become_metrics() -> None:
    run = read(GO / "go119-bench.jsonl")
    metrics = {m.name: m for m in run.metrics}
    assert set(metrics) == {
        "BenchmarkAdd",
        "BenchmarkJoin",
        "BenchmarkJoin [B/op]",
        "BenchmarkJoin [allocs/op]",
    }
    add = metrics["BenchmarkAdd"]
    # One of the two result lines was split over two output events.
    assert add.unit == "s" and add.samples == pytest.approx((0.8110e-9, 0.8160e-9))
    assert add.direction is Direction.LOWER_IS_BETTER and add.properties["procs"] == "2"
    # ns/op averages over each line's iterations; the fewest is what the resolution divides by.
    output = "".join(
        json.loads(line).get("Output", "")
        for line in (GO / "go119-bench.jsonl").read_text().splitlines()
    )
    counts = [int(m) for m in re.findall(r"BenchmarkAdd-2\s+(\d+)\s", output)]
    assert counts and add.iterations == min(counts) and add.input_unit == "ns/op"
    assert metrics["BenchmarkJoin [B/op]"].unit == "B"
    assert metrics["BenchmarkJoin [B/op]"].samples == (22.0, 22.0)


def test_throughput_unit(tmp_path: Path) -> None:
    event = {"Time": "2026-01-01T00:00:00Z", "Action": "output", "Package": "p"}
    lines = [
        {**event, "Output": "BenchmarkCopy-4   \t  500\t  2000 ns/op\t 512.00 MB/s\n"},
        {**event, "Action": "pass", "Elapsed": 1.0},
    ]
    path = tmp_path / "b.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in lines))
    run = read(path)
    speed = next(m for m in run.metrics if m.unit == "B/s")
    assert speed.samples == (512e6,) and speed.direction is Direction.HIGHER_IS_BETTER


def test_escaped_names_take_the_slow_path(tmp_path: Path) -> None:
    """Names that JSON escapes cannot use the raw fast path; they must still work."""
    name = 'TestQuote/"a"<b>'
    base = {"Time": "2026-01-01T00:00:00Z", "Package": "p", "Test": name}
    events = [
        {**base, "Action": "run"},
        {**base, "Action": "output", "Output": "    x_test.go:3: boom\n"},
        {**base, "Action": "fail", "Elapsed": 0.5},
        {"Time": "2026-01-01T00:00:01Z", "Action": "fail", "Package": "p", "Elapsed": 1},
    ]
    path = tmp_path / "esc.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    (case,) = list(read(path).tests)
    assert case.name == name and case.outcome is Outcome.FAILED
    assert case.message == "x_test.go:3: boom" and case.duration == 0.5


VALID = (GO / "go119-panic.jsonl").read_bytes() if (GO / "go119-panic.jsonl").exists() else b""


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        (VALID[: VALID.index(b"\n", 400) + 40], None, "invalid JSON"),
        (b"", None, "empty"),
        (b'{"Time":"2026-01-01T00:00:00Z","Action":5,"Package":"p"}\n', 1, "Action"),
        (
            b'{"Time":"2026-01-01T00:00:00Z","Action":"pass","Package":"p","Elapsed":"x"}\n',
            1,
            "Elapsed",
        ),
        (b"[1, 2]\n", None, "no go test -json events"),
        (invalid_utf8(VALID, b'"Output":"=== RUN'), 2, "UTF-8"),
        (b"just some text\nmore text\n", None, "no go test -json events"),
    ],
    ids=["truncated", "empty", "action-type", "elapsed-type", "not-events", "utf8", "plain-text"],
)
def test_broken_files(tmp_path: Path, content: bytes, line: int | None, fragment: str) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_bytes(content)
    err = assert_input_error(path, "gotest-json", line=line, contains=fragment)
    if fragment == "invalid JSON":
        assert err.line is not None
    if line == 1:
        assert_cli_rejects(path, "gotest-json")


def test_huge_output_is_capped(tmp_path: Path) -> None:
    base = {"Time": "2026-01-01T00:00:00Z", "Package": "p", "Test": "TestBig"}
    events = [
        {**base, "Action": "run"},
        *({**base, "Action": "output", "Output": "y" * 10_000 + "\n"} for _ in range(50)),
        {**base, "Action": "fail", "Elapsed": 0.5},
    ]
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    (case,) = list(read(path).tests)
    assert case.output_truncated > 0


def _benchmark_module() -> object:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "ingest_formats.py"
    spec = importlib.util.spec_from_file_location("ingest_formats_bench", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_stream_reads_every_test(tmp_path: Path) -> None:
    """The benchmark's generated stream (60,000 events) reads completely and consistently.

    The speed figure itself comes from `benchmarks/ingest_formats.py`, not from a test.
    """
    bench = _benchmark_module()
    path = tmp_path / "stream.jsonl"
    bench.make_gotest(path, 60_000)  # type: ignore[attr-defined]
    expected = bench.floor_jsonl(path)  # type: ignore[attr-defined]
    run = load([str(path)])
    assert len(run.tests) == expected
    counts = run.tests.outcome_counts()
    # The generator fails every 100th test and skips every 50th starting at 1.
    assert counts[Outcome.FAILED] == len(range(0, expected, 100))
    assert counts[Outcome.SKIPPED] == len(range(1, expected, 50))


# --- a stream cut before its end -------------------------------------------------------------

COMPLETE = ("go119-calc.jsonl", "go119-bench.jsonl", "go119-panic.jsonl", "go119-timeout.jsonl")


@pytest.mark.parametrize("name", COMPLETE)
def test_every_cut_of_a_real_stream_is_flagged(tmp_path: Path, name: str) -> None:
    """Cut anywhere before the package's final event, real go output is never complete."""
    lines = (GO / name).read_bytes().splitlines(keepends=True)
    final = max(i for i, ln in enumerate(lines) if b'"Action":"output"' not in ln)
    assert b'"Test"' not in lines[final]  # the package's own final event is the last one
    path = tmp_path / name
    for keep in range(1, final):
        path.write_bytes(b"".join(lines[:keep]))
        run = read(path)
        cut = [f for f in run.inputs[0].integrity if f.kind is IntegrityKind.TESTS_MISSING]
        assert cut, f"first {keep} lines read as complete"
        assert cut[0].scope is not None and cut[0].scope.startswith("example.com/sample/")
        assert any("no final pass, fail or skip event" in w.message for w in run.warnings)
        assert all(w.path == str(path) for w in run.warnings)
        # A test cut off has no outcome: it is named, not counted as an error.
        errors = [t for t in run.tests if t.outcome is Outcome.ERROR]
        assert all(t.name.startswith("[") for t in errors), keep


def test_a_test_cut_off_is_named_and_not_an_error(tmp_path: Path) -> None:
    lines = (GO / "go119-calc.jsonl").read_text().splitlines(keepends=True)
    # Up to the `run` of TestAddFails and its first output: started, no result.
    end = next(i for i, ln in enumerate(lines) if '"Test":"TestAddFails"' in ln) + 2
    path = tmp_path / "cut.jsonl"
    path.write_text("".join(lines[:end]))
    run = read(path)
    assert "example.com/sample/calc::TestAddFails" not in {t.id for t in run.tests}
    messages = [f.message for f in run.inputs[0].integrity]
    assert any("TestAddFails started but the stream ends before its result" in m for m in messages)
    assert any(
        "1 test(s) (TestAddFails) started without a result" in w.message for w in run.warnings
    )


def test_truncated_stream_is_insufficient_not_ready(tmp_path: Path) -> None:
    # The first tests of the real calc run pass; the run as a whole fails (3 failures later).
    lines = (GO / "go119-calc.jsonl").read_text().splitlines(keepends=True)
    end = next(i for i, ln in enumerate(lines) if '"Action":"fail"' in ln)
    path = tmp_path / "go-test.jsonl"
    path.write_text("".join(lines[:end]))
    assert counts(read(path))["failed"] == 0
    crit = tmp_path / "crit.yaml"
    crit.write_text(
        "version: 1\ncriteria:\n  - id: nofail\n    tests: {select: '**', max_failed: 0}\n"
    )
    proc = run_cli("verdict", "-c", str(crit), str(path))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "no final pass, fail or skip event" in proc.stdout


def test_cut_benchmarks_reach_metric_criteria(tmp_path: Path) -> None:
    lines = (GO / "go119-bench.jsonl").read_text().splitlines(keepends=True)
    end = next(i for i, ln in enumerate(lines) if '"Output":"PASS\\n"' in ln)
    path = tmp_path / "bench.jsonl"
    path.write_text("".join(lines[:end]))
    run = read(path)
    scopes = {f.scope for f in run.inputs[0].integrity}
    assert {"example.com/sample/calc", "BenchmarkAdd", "BenchmarkJoin"} <= scopes


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("go119-calc.jsonl", set()),
        ("go119-bench.jsonl", set()),
        ("go119-panic.jsonl", {IntegrityKind.ABORTED}),
        ("go119-timeout.jsonl", {IntegrityKind.ABORTED}),
        ("go119-build-failed.txt", set()),
    ],
)
def test_complete_streams_are_not_flagged_as_cut(name: str, kinds: set[IntegrityKind]) -> None:
    run = read(GO / name)
    assert {f.kind for f in run.inputs[0].integrity} == kinds
    assert not any("no final" in w.message for w in run.warnings)


def test_unfinished_test_of_a_finished_package_is_a_warning() -> None:
    run = read(GO / "go119-timeout.jsonl")
    (warning,) = [w for w in run.warnings if "started but never finished" in w.message]
    assert "TestHangs" in warning.message and warning.path == str(GO / "go119-timeout.jsonl")
