"""Nothing dropped in silence: every file under a results path is read or listed with why, and
inputs that say they are incomplete carry integrity flags. Results come from real harness runs
(pytest with --junitxml and pytest-json-report, Perl's Test::More) or the corpus."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import shutil
import subprocess
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

from reportgen.errors import DetectionError, ExitCode, InputError
from reportgen.ingest import _archive, load
from reportgen.ingest._scan import IgnoreRules, looks_like_results
from reportgen.model import IntegrityKind, Outcome, SkipKind
from tests.conftest import counts, harness_tool, run_cli, run_pytest

SUITE = """
def test_one():
    assert True

def test_two():
    assert 1 == 2, "one is not two"
"""


def pytest_suite(
    where: Path, *report_args: str, body: str = SUITE
) -> subprocess.CompletedProcess[str]:
    """Run the real pytest on a small suite written into `where`."""
    where.mkdir(parents=True, exist_ok=True)
    (where / "test_sample.py").write_text(textwrap.dedent(body), encoding="utf-8")
    return run_pytest(
        where,
        *report_args,
        str(where),
    )


@pytest.fixture(scope="module")
def pytest_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One real pytest run written as JUnit XML and as pytest-json-report."""
    where = tmp_path_factory.mktemp("harness")
    junit, js = where / "junit.xml", where / "report.json"
    proc = pytest_suite(
        where / "suite", f"--junitxml={junit}", "--json-report", f"--json-report-file={js}"
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return {"junit": junit, "json": js}


def test_every_file_is_read_or_listed_with_its_reason(
    tmp_path: Path, pytest_reports: dict[str, Path]
) -> None:
    results = tmp_path / "results"
    (results / "logs").mkdir(parents=True)
    shutil.copy(pytest_reports["junit"], results / "junit.xml")
    (results / "results.xml").write_bytes(b"")  # the harness died before writing
    (results / "notes.md").write_text("# how this run was made\n")
    (results / "logs" / "run.log").write_text("started\nfinished\n")
    (results / "package.json").write_text('{"name": "app", "version": "1.0.0"}\n')
    (results / "stray.txt").write_text('<coverage line-rate="0.8"></coverage>\n')
    (results / ".cache").mkdir()
    (results / ".cache" / "x.xml").write_text("<a/>")
    (results / ".DS_Store").write_bytes(b"\x00\x01")

    run = load([str(results)])
    assert [Path(i.path).name for i in run.inputs] == ["junit.xml"]
    listed = {Path(s.path).name: (s.kind, s.evidence) for s in run.skipped}
    assert listed == {
        ".cache": (SkipKind.HIDDEN, False),
        ".DS_Store": (SkipKind.HIDDEN, False),
        "results.xml": (SkipKind.EMPTY, True),
        "notes.md": (SkipKind.UNRECOGNISED, False),
        "run.log": (SkipKind.UNRECOGNISED, False),
        "package.json": (SkipKind.UNRECOGNISED, True),
        "stray.txt": (SkipKind.UNRECOGNISED, True),  # XML by content, whatever its name
    }
    empty = next(s for s in run.skipped if s.path.endswith("results.xml"))
    assert empty.reason == "file is empty"


def test_ignore_globs_say_what_is_not_evidence(tmp_path: Path) -> None:
    results = tmp_path / "results"
    (results / "node_modules" / "pkg").mkdir(parents=True)
    (results / "package.json").write_text("{}\n")
    (results / "node_modules" / "pkg" / "package.json").write_text("{}\n")
    (results / "empty.xml").write_bytes(b"")
    run = load([str(results)], ignore=["package.json", "node_modules/**"])
    kinds = {s.path.removeprefix(str(results) + "/"): (s.kind, s.reason) for s in run.skipped}
    assert kinds == {
        "empty.xml": (SkipKind.EMPTY, "file is empty"),
        "node_modules/pkg/package.json": (SkipKind.IGNORED, "ignored: matches 'package.json'"),
        "package.json": (SkipKind.IGNORED, "ignored: matches 'package.json'"),
    }
    assert [s.evidence for s in run.skipped if s.kind is SkipKind.IGNORED] == [False, False]


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        ("*.xml", "a/b/c.xml", True),  # no slash: the file name
        ("a/*.xml", "a/b/c.xml", False),  # `*` stays within a segment
        ("a/**/c.xml", "a/b/c.xml", True),
        ("a/**/c.xml", "a/c.xml", True),
        ("**/tmp/", "x/tmp/y.json", True),
        ("c[1].xml", "c[1].xml", True),  # brackets are literal
        ("c[1].xml", "c1.xml", False),
        ("c?.xml", "c1.xml", True),
    ],
)
def test_ignore_glob_semantics(glob: str, path: str, matches: bool) -> None:
    assert (IgnoreRules([glob]).match(f"results/{path}", path) is not None) is matches


def test_what_looks_like_results() -> None:
    assert looks_like_results("out.trx", b"garbage")
    assert looks_like_results("x", b"TAP version 14\nok 1\n")
    assert looks_like_results("x", b"=== RUN   TestA\n--- PASS: TestA\n")
    assert looks_like_results("noext", b'  {"tests": []}')
    assert not looks_like_results("report.html", b"<!DOCTYPE html><html></html>")
    assert not looks_like_results("README.md", b"# readme\n")
    # prove without -v: a line per test file and its summary, which may say one failed.
    assert looks_like_results("prove.log", b"t/a.t .. ok\nt/b.t .. \nFailed 1/3 subtests\n")
    assert looks_like_results("prove.log", b"Files=2, Tests=5,  0 wallclock secs ( 0.02 usr\n")
    assert not looks_like_results("build.log", b"setup .. ok\n")
    # `go test` without -json: its lines are results, a log line that says ok is not.
    assert looks_like_results("go.log", b"ok  \texample.com/a\t0.012s\n")
    assert looks_like_results("go.log", b"--- FAIL: TestX (0.00s)\n")
    assert not looks_like_results("deploy.log", b"ok all good\nFAIL-safe mode off\n")
    # Blank lines (any line ending) and indentation before the first result line.
    assert looks_like_results("x", b"\n\r\n  \n\t ok 1 - a\n")
    assert looks_like_results("x", b"\r\n" * 1000 + b"1..4\r\n")
    assert not looks_like_results("x", b" \n" * 4000)
    # Empty: a redirected output, an archive or a compressed results file is where results
    # may have been lost (a harness that wrote nothing, a failed download); a note is not.
    for name in ("bench.txt", "go-test.out", "test-results.zip", "shards.tar.gz", "junit.xml.gz"):
        assert looks_like_results(name, b""), name
    assert not looks_like_results("notes.md", b"")
    assert not looks_like_results("server.log", b"")
    # A standard error capture beside the output is empty in a clean run.
    for name in ("robot_stderr.out", "stderr.txt", "go-test.stderr.out", "ci/stderr.out.gz"):
        assert not looks_like_results(name, b""), name
    assert looks_like_results("nostderr.txt", b"")


def test_a_json_array_looks_like_results_and_a_bracketed_log_does_not() -> None:
    for head in (b"[]", b' [\n  {"name": "a"}', b"[1, 2]", b"[ null ]", b"[", b"[12"):
        assert looks_like_results("x", head), head
    for head in (b"[INFO]    Initialized logging\n", b"[2026-12-01 19:05:07] start\n", b"[x]"):
        assert not looks_like_results("x", head), head


def test_an_explicitly_named_empty_file_stays_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "results.xml"
    path.write_bytes(b"")
    with pytest.raises(DetectionError, match="file is empty"):
        load([str(path)])


@pytest.mark.parametrize(
    ("suffix", "pack"),
    [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)],
)
def test_compressed_results_are_read_like_the_plain_file(
    tmp_path: Path, pytest_reports: dict[str, Path], suffix: str, pack: object
) -> None:
    assert callable(pack)
    results = tmp_path / "results"
    results.mkdir()
    for key, name in (("junit", "junit.xml"), ("json", "report.json")):
        (results / f"{name}{suffix}").write_bytes(pack(pytest_reports[key].read_bytes()))
    packed = load([str(results)])
    assert not packed.skipped
    assert sorted(i.format for i in packed.inputs) == ["junit", "pytest-json"]
    plain = load([str(pytest_reports["junit"]), str(pytest_reports["json"])])
    # One pytest run written twice: the same evidence, counted once from either form.
    assert counts(packed) == counts(plain) == (2, 1, 1, 0, 0)
    # Provenance names and hashes the file as given, not the temporary copy.
    junit = next(i for i in packed.inputs if i.format == "junit")
    assert junit.path == str(results / f"junit.xml{suffix}")
    assert junit.size == (results / f"junit.xml{suffix}").stat().st_size


def test_a_truncated_archive_is_invalid_input(
    tmp_path: Path, pytest_reports: dict[str, Path]
) -> None:
    data = gzip.compress(pytest_reports["junit"].read_bytes())
    path = tmp_path / "junit.xml.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as info:
        load([str(tmp_path)])
    assert str(info.value).startswith(f"{path}: cannot decompress")
    assert info.value.exit_code is ExitCode.INVALID_INPUT


# --- integrity flags -----------------------------------------------------------------------


def test_a_json_report_that_declares_a_failure_it_does_not_show(
    tmp_path: Path, pytest_reports: dict[str, Path]
) -> None:
    doc = json.loads(pytest_reports["json"].read_text(encoding="utf-8"))
    doc["tests"] = [t for t in doc["tests"] if t["outcome"] != "failed"]
    cut = tmp_path / "report.json"
    cut.write_text(json.dumps(doc), encoding="utf-8")
    run = load([str(cut)])
    assert counts(run) == (1, 1, 0, 0, 0)
    kinds = {f.kind for f in run.inputs[0].integrity}
    assert kinds == {IntegrityKind.FAILURES_MISSING, IntegrityKind.TESTS_MISSING}
    assert all(
        f.fails is (f.kind is IntegrityKind.FAILURES_MISSING) for f in run.inputs[0].integrity
    )
    # The untouched report is whole.
    assert load([str(pytest_reports["json"])]).inputs[0].integrity == ()


def test_collection_errors_belong_to_no_test(tmp_path: Path) -> None:
    where = tmp_path / "suite"
    report = tmp_path / "report.json"
    proc = pytest_suite(
        where,
        "--json-report",
        f"--json-report-file={report}",
        body="import no_such_module_anywhere\n\ndef test_never():\n    pass\n",
    )
    assert proc.returncode == 2, proc.stdout
    run = load([str(report)])
    (row,) = [t for t in run.tests if t.outcome is Outcome.ERROR]
    assert row.unattributed and row.file == "test_sample.py"


PERL_BAIL = """
use Test::More tests => 4;
ok(1, 'first');
ok(1, 'second');
BAIL_OUT('database went away');
ok(1, 'never');
"""


def test_a_tap_bail_out_from_test_more_is_an_aborted_run(tmp_path: Path) -> None:
    if shutil.which("perl") is None:
        pytest.skip("perl is not installed")
    script = tmp_path / "bail.t"
    script.write_text(PERL_BAIL, encoding="utf-8")
    proc = subprocess.run(
        ["perl", str(script)], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    tap = tmp_path / "bail.tap"
    tap.write_text(proc.stdout, encoding="utf-8")
    assert "Bail out!" in proc.stdout
    run = load([str(tap)])
    (flag,) = [f for f in run.inputs[0].integrity if f.kind is IntegrityKind.ABORTED]
    assert "database went away" in flag.message and not flag.fails
    (row,) = [t for t in run.tests if t.outcome is Outcome.ERROR]
    assert row.unattributed


def test_a_go_panic_is_an_aborted_run(corpus: Path) -> None:
    run = load([str(corpus / "gotest-json" / "gotestsum-panic-timeout.jsonl")])
    flags = run.inputs[0].integrity
    assert [f.kind for f in flags] == [IntegrityKind.ABORTED]
    assert flags[0].scope == "github.com/mafredri/test"
    assert "panic: test timed out" in flags[0].message


def test_go_build_failures_alone_are_error_executions(tmp_path: Path, corpus: Path) -> None:
    # `go test -json ./... > out.json` with the compiler's output on stderr (Go < 1.24).
    only = tmp_path / "go-test.json"
    only.write_text("FAIL\texample.com/a [build failed]\nFAIL\texample.com/b [setup failed]\n")
    run = load([str(tmp_path)])
    assert not run.skipped
    assert [(t.classname, t.outcome, t.unattributed) for t in run.tests] == [
        ("example.com/a", Outcome.ERROR, True),
        ("example.com/b", Outcome.ERROR, True),
    ]
    built = load([str(corpus / "gotest-json" / "gotestsum-build-failed.jsonl")])
    assert [(t.id, t.unattributed) for t in built.tests] == [
        ("example.com/internal/cacher::[build failed]", True)
    ]


def test_google_benchmark_repetitions_flagged_as_errors(tmp_path: Path, corpus: Path) -> None:
    doc = json.loads((corpus / "google-benchmark" / "gab-googlecpp-real.json").read_text())
    first = doc["benchmarks"][0]
    first["error_occurred"] = True
    first["error_message"] = "allocation failed"
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    run = load([str(path)])
    (flag,) = run.inputs[0].integrity
    assert flag.kind is IntegrityKind.BENCHMARK_ERRORS
    assert flag.scope == first.get("run_name", first["name"])
    assert "allocation failed" in flag.message
    assert (
        load([str(corpus / "google-benchmark" / "gab-googlecpp-real.json")]).inputs[0].integrity
        == ()
    )


TRX_ABORTED = """<?xml version="1.0" encoding="utf-8"?>
<TestRun id="1" xmlns="http://microsoft.com/schemas/visualstudio/teamtest/2010">
  <Results>
    <UnitTestResult testId="a" testName="Passes" outcome="Passed" duration="00:00:01"/>
  </Results>
  <ResultSummary outcome="Aborted">
    <Counters total="3" executed="1" passed="1" failed="0" error="0"/>
  </ResultSummary>
</TestRun>
"""


def test_a_trx_run_marked_aborted(tmp_path: Path) -> None:
    # The shape vstest writes when the test host crashes part-way (ResultSummary outcome).
    path = tmp_path / "run.trx"
    path.write_text(TRX_ABORTED, encoding="utf-8")
    run = load([str(path)])
    assert counts(run) == (1, 1, 0, 0, 0)
    kinds = sorted(f.kind for f in run.inputs[0].integrity)
    assert kinds == [IntegrityKind.ABORTED, IntegrityKind.TESTS_MISSING]


def test_linked_directories_are_read_once_and_broken_links_listed(
    tmp_path: Path, pytest_reports: dict[str, Path]
) -> None:
    shards = tmp_path / "shards" / "one"
    shards.mkdir(parents=True)
    shutil.copy(pytest_reports["junit"], shards / "junit.xml")
    results = tmp_path / "results"
    results.mkdir()
    (results / "one").symlink_to(shards, target_is_directory=True)
    (results / "loop").symlink_to(results, target_is_directory=True)
    (results / "gone.xml").symlink_to(tmp_path / "nowhere.xml")
    run = load([str(results)])
    assert [i.path for i in run.inputs] == [str(results / "one" / "junit.xml")]
    (broken,) = run.skipped
    assert (broken.kind, broken.evidence) == (SkipKind.UNREADABLE, True)


def test_an_archive_past_the_listing_limits_counts_as_holding_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A hostile archive costs a bounded listing: past the limits, what it holds is unseen.
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as out:
        for i in range(20):
            out.writestr(f"shot-{i}.png", b"")
    long = tmp_path / "long.tar"
    with tarfile.open(long, "w") as out:
        out.addfile(tarfile.TarInfo("d/" * 300 + "notes.md"))
    notes = tmp_path / "notes.tar"
    with tarfile.open(notes, "w") as out:
        for i in range(5):
            out.addfile(tarfile.TarInfo(f"notes-{i}.txt"))  # empty: a lost redirect?
    monkeypatch.setattr(_archive, "MAX_MEMBERS", 10)
    monkeypatch.setattr(_archive, "MAX_NAME", 500)
    monkeypatch.setattr(_archive, "MAX_PEEKS", 0)
    skipped = {Path(s.path).name: s for s in load([str(tmp_path)]).skipped}
    for path, why in (
        (many, "more than 10 members"),
        (long, "longer than 500 characters"),
        (notes, "more than 0 members whose name does not tell"),
    ):
        assert skipped[path.name].evidence, skipped[path.name]
        assert why in skipped[path.name].reason


def test_a_test_runners_console_beside_its_report_keeps_the_verdict_from_ready(
    tmp_path: Path,
) -> None:
    # A passing run's JUnit, and the console of a run that failed kept beside it: node's spec
    # reporter (`✖ flaky`) and pytest's (`1 failed`). Before: "not a results file" and READY.
    node = harness_tool("node", "nodejs")
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.test.js").write_text(
        "const test = require('node:test');\nconst assert = require('node:assert');\n"
        "test('adds', () => assert.strictEqual(1 + 1, 2));\n"
        "test('flaky', () => { if (process.env.FAIL) assert.fail('boom'); });\n"
    )
    results = tmp_path / "results"
    results.mkdir()

    def node_test(reporter: str, destination: Path, fail: bool) -> None:
        env = {**os.environ, **({"FAIL": "1"} if fail else {})}
        subprocess.run(
            [node, "--test", f"--test-reporter={reporter}",
             f"--test-reporter-destination={destination}", "t/"],
            cwd=tmp_path, env=env, capture_output=True, timeout=120, check=False,
        )  # fmt: skip

    node_test("junit", results / "junit.xml", fail=False)
    criteria = tmp_path / "crit.yaml"
    criteria.write_text("version: 1\ncriteria:\n  - id: all\n    tests: {max_failed: 0}\n")
    assert run_cli("verdict", "-c", str(criteria), str(results)).returncode == 0
    node_test("spec", results / "spec.txt", fail=True)
    assert "flaky" in (results / "spec.txt").read_text(encoding="utf-8")
    done = run_cli("verdict", "-c", str(criteria), str(results))
    assert done.returncode == 3, done.stdout + done.stderr
    assert "spec.txt: not read: not a results file reportgen recognises" in done.stdout
    (results / "spec.txt").unlink()

    console = pytest_suite(tmp_path / "suite")
    assert console.returncode == 1 and " failed" in console.stdout
    (results / "pytest.log").write_text(console.stdout, encoding="utf-8")
    done = run_cli("verdict", "-c", str(criteria), str(results))
    assert done.returncode == 3, done.stdout + done.stderr
    assert "pytest.log: not read: not a results file reportgen recognises" in done.stdout
