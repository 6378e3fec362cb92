"""Executions, not merged names; the same evidence once; one test id across formats.

Every input here comes from running the real harness in the test (pytest with
pytest-rerunfailures and pytest-json-report, `node --test`) or from a committed fixture whose
README names the command that made it.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import IntegrityKind, Outcome, is_absolute_path
from tests.conftest import go_module, run_cli
from tests.ingest.json_ingest_support import FIXTURES, run_pytest_suite

RERUN_SUITE = textwrap.dedent(
    """
    import pytest

    CALLS = {}

    def test_always_fails():
        assert False, "fails every time"

    def test_passes_on_rerun():
        CALLS["n"] = CALLS.get("n", 0) + 1
        assert CALLS["n"] >= 2, "first attempt fails"

    def test_ok():
        pass

    @pytest.mark.parametrize("flow", ["flow3", "a[1]"])
    def test_flow(flow):
        pass
    """
)

MAX_FAILED_0 = "version: 1\ncriteria:\n  - id: no-failures\n    tests: {max_failed: 0}\n"


def _criteria(tmp_path: Path, text: str = MAX_FAILED_0) -> str:
    path = tmp_path / "criteria.yaml"
    path.write_text(text)
    return str(path)


@pytest.fixture(scope="module")
def rerun_reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(JUnit XML, pytest-json-report) of one real pytest run with `--reruns 2`."""
    pytest.importorskip("pytest_rerunfailures", reason="pytest-rerunfailures is not installed")
    pytest.importorskip("pytest_jsonreport", reason="pytest-json-report is not installed")
    work = tmp_path_factory.mktemp("reruns")
    (work / "pytest.ini").write_text("[pytest]\n")
    (work / "test_reruns.py").write_text(RERUN_SUITE)
    junit, report = work / "junit.xml", work / "report.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "--reruns",
            "2",
            f"--junitxml={junit}",
            "--json-report",
            f"--json-report-file={report}",
            "test_reruns.py",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout[-2000:]  # test_always_fails fails, as written
    return junit, report


# --- item 1: executions ----------------------------------------------------------------------


def test_unmarked_reruns_in_junit_each_count(rerun_reports: tuple[Path, Path]) -> None:
    # pytest-rerunfailures writes every attempt as a plain testcase of the same id: three
    # executions of test_always_fails, the last one failing. It is a failure, never
    # "passed, flaky".
    junit, _ = rerun_reports
    run = load([str(junit)])
    always = [t for t in run.tests if t.id == "test_reruns::test_always_fails"]
    assert len(always) == 3
    assert Outcome.FAILED in {t.outcome for t in always}
    assert not any(t.flaky for t in always)
    assert [t.position for t in run.tests] == list(range(len(run.tests)))


def test_unmarked_reruns_fail_the_gate(tmp_path: Path, rerun_reports: tuple[Path, Path]) -> None:
    junit, _ = rerun_reports
    proc = run_cli("verdict", "-c", _criteria(tmp_path), str(junit))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "test_reruns::test_always_fails" in proc.stdout


def test_one_rerun_session_written_by_two_reporters_counts_once(
    rerun_reports: tuple[Path, Path],
) -> None:
    # JUnit lists every rerun as a testcase, pytest-json-report folds them into one test with
    # attempts: the executions differ, but the files hold the same tests. Reading both must not
    # add trials the run never made, and which copy is read must not depend on the order the
    # files are named in: JUnit's, whose failed attempts are failing executions (fail closed).
    junit, report = rerun_reports
    alone = load([str(report)])
    for order in ([junit, report], [report, junit]):
        both = load([str(p) for p in order])
        assert len(both.tests) == len(load([str(junit)]).tests)
        assert len(both.tests) != len(alone.tests) + len(load([str(junit)]).tests)
        (dropped,) = [i for i in both.inputs if i.duplicate_of is not None]
        assert dropped.path == str(report) and dropped.duplicate_of == str(junit)
        (kept,) = [i for i in both.inputs if i.duplicate_of is None]
        assert kept.integrity == ()  # both copies end every test the same way


def test_pytest_json_rerun_outcome_is_a_marked_retry(rerun_reports: tuple[Path, Path]) -> None:
    # pytest-json-report writes `rerun` for a test that passed on a rerun: read, not refused;
    # its last attempt decides and it is flaky.
    _, report = rerun_reports
    raw = {t["nodeid"]: t["outcome"] for t in json.loads(report.read_text())["tests"]}
    assert raw["test_reruns.py::test_passes_on_rerun"] == "rerun"
    run = load([str(report)])
    by_id = {t.id: t for t in run.tests}
    rerun = by_id["test_reruns::test_passes_on_rerun"]
    assert (rerun.outcome, rerun.flaky) == (Outcome.PASSED, True)
    assert [(a.number, a.outcome) for a in rerun.attempts] == [
        (1, Outcome.FAILED),
        (2, Outcome.PASSED),
    ]
    assert by_id["test_reruns::test_always_fails"].outcome is Outcome.FAILED
    assert run.warnings == ()  # the summary's `rerun` count agrees


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (apt-get install nodejs)")
    return node


NODE_SAME_NAME = textwrap.dedent(
    """
    const test = require('node:test');
    const assert = require('node:assert');
    for (const n of [1, 2, 3]) {
      test('same name', () => { assert.notStrictEqual(n, 2); });
    }
    """
)


@pytest.mark.parametrize("reporter", ["tap", "junit"])
def test_node_tests_sharing_a_name_each_count(tmp_path: Path, reporter: str) -> None:
    node = _node()
    (tmp_path / "same.test.js").write_text(NODE_SAME_NAME)
    out = tmp_path / f"same.{'tap' if reporter == 'tap' else 'xml'}"
    with out.open("w") as handle:
        subprocess.run(
            [node, "--test", f"--test-reporter={reporter}", "same.test.js"],
            cwd=tmp_path,
            stdout=handle,
            timeout=120,
            check=False,
        )
    run = load([str(out)])
    same = [t for t in run.tests if t.name == "same name"]
    assert [t.outcome for t in same] == [Outcome.PASSED, Outcome.FAILED, Outcome.PASSED]
    proc = run_cli("verdict", "-c", _criteria(tmp_path), str(out))
    assert proc.returncode == 1, proc.stdout + proc.stderr


# --- item 2: the same evidence once ----------------------------------------------------------


@pytest.fixture(scope="module")
def pytest_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(pytest-json-report, JUnit XML) written by one real pytest session."""
    return run_pytest_suite(tmp_path_factory.mktemp("pair"))


def test_json_and_junit_of_one_run_count_once(pytest_pair: tuple[Path, Path]) -> None:
    report, junit = pytest_pair
    alone = load([str(report)])
    for order in ([report, junit], [junit, report]):
        both = load([str(p) for p in order])
        assert len(both.tests) == len(alone.tests)
        assert both.tests.outcome_counts() == alone.tests.outcome_counts()
        # The same executions: the copy first by path is read, whatever the order given.
        (note,) = [w for w in both.warnings if "same evidence" in w.message]
        assert note.path == str(report) and str(junit) in note.message
        (dropped,) = [i for i in both.inputs if i.duplicate_of is not None]
        assert (dropped.path, dropped.duplicate_of) == (str(report), str(junit))


def test_a_conversion_beside_its_source_counts_once(
    tmp_path: Path, pytest_pair: tuple[Path, Path]
) -> None:
    _, junit = pytest_pair
    ctrf = tmp_path / "converted.ctrf.json"
    proc = run_cli("convert", "--to", "ctrf", "-o", str(ctrf), str(junit))
    assert proc.returncode == 0, proc.stderr
    # convert names its source by sha256, so the pair is recognised without comparing tests.
    sources = json.loads(ctrf.read_text())["results"]["extra"]["inputs"]
    assert [s["path"] for s in sources] == [str(junit)]
    both = load([str(junit), str(ctrf)])
    assert len(both.tests) == len(load([str(junit)]).tests)
    assert both.inputs[1].duplicate_of == str(junit)
    assert any("converted from it" in w.message for w in both.warnings)


def test_a_conversion_of_more_than_is_given_keeps_itself(
    tmp_path: Path, pytest_pair: tuple[Path, Path]
) -> None:
    # A CTRF file converted from two inputs, given beside one of them: the source it covers is
    # left out, the conversion (which also holds the other input) is read.
    _, junit = pytest_pair
    mocha = FIXTURES / "mocha-json" / "ids.json"
    ctrf = tmp_path / "both.ctrf.json"
    assert (
        run_cli("convert", "--to", "ctrf", "-o", str(ctrf), str(junit), str(mocha)).returncode == 0
    )
    run = load([str(junit), str(ctrf)])
    assert run.inputs[0].duplicate_of == str(ctrf) and run.inputs[1].duplicate_of is None
    assert len(run.tests) == len(load([str(ctrf)]).tests)
    assert {t.input for t in run.tests} == {1}


def test_a_copy_counts_once_and_the_summary_says_so(
    tmp_path: Path, pytest_pair: tuple[Path, Path]
) -> None:
    _, junit = pytest_pair
    results = tmp_path / "results"
    (results / "shard").mkdir(parents=True)
    shutil.copy(junit, results / "junit.xml")
    shutil.copy(junit, results / "shard" / "junit.xml")
    proc = run_cli("summary", "--json", str(results))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["total"] == len(load([str(junit)]).tests)
    copy = next(f for f in summary["files"] if f["path"].endswith("shard/junit.xml"))
    assert any("same evidence" in w and "the same bytes" in w for w in copy["warnings"])


def test_two_real_runs_both_count(tmp_path: Path, rerun_reports: tuple[Path, Path]) -> None:
    # Two sessions of one suite: same ids and outcomes, different times. Both are evidence.
    _, first = rerun_reports
    second = tmp_path / "report.json"
    data = json.loads(first.read_text())
    for test in data["tests"]:
        for phase in ("setup", "call", "teardown"):
            if phase in test:
                test[phase]["duration"] += 0.01
    second.write_text(json.dumps(data))
    run = load([str(first), str(second)])
    assert len(run.tests) == 2 * len(load([str(first)]).tests)
    assert not any(i.duplicate_of for i in run.inputs)


def test_one_run_without_times_read_twice_counts_once(tmp_path: Path) -> None:
    # Perl's Test::More writes TAP without times. The same stream beside its gzipped copy
    # (other bytes on disk) and a copy with other line endings is one run: counting it three
    # times would triple the trials of `min_pass_rate`.
    perl = shutil.which("perl")
    if perl is None:
        pytest.skip("perl is not installed")
    script = 'use Test::More; ok(1, "case $_") for 1..28; done_testing;'
    tap = subprocess.run([perl, "-e", script], capture_output=True, timeout=60, check=True).stdout
    assert tap.count(b"\nok ") == 27 and b"1..28" in tap
    results = tmp_path / "results"
    results.mkdir()
    (results / "run.tap").write_bytes(tap)
    (results / "run.tap.gz").write_bytes(gzip.compress(tap))
    (results / "crlf.tap").write_bytes(tap.replace(b"\n", b"\r\n"))
    run = load([str(results)])
    assert len(run.tests) == 28
    assert sorted(i.duplicate_of is not None for i in run.inputs) == [False, True, True]
    criteria = _criteria(
        tmp_path,
        "version: 1\ncriteria:\n  - id: rate\n    tests: {select: '**', min_pass_rate: 90%}\n",
    )
    # 28 of 28 cannot show 90% at 95% confidence; 84 "executions" would.
    assert run_cli("verdict", "-c", criteria, str(results)).returncode == 3


def test_baseline_is_never_current_evidence(tmp_path: Path, pytest_pair: tuple[Path, Path]) -> None:
    _, junit = pytest_pair
    results = tmp_path / "results"
    (results / "baseline").mkdir(parents=True)
    passing = tmp_path / "passing.xml"
    passing.write_text(
        '<testsuite name="s" tests="1"><testcase classname="m" name="t" time="0.1"/></testsuite>'
    )
    shutil.copy(passing, results / "current.xml")
    shutil.copy(junit, results / "baseline" / "junit.xml")  # holds failures
    criteria = _criteria(tmp_path)
    # The failing baseline inside the results directory is not read as current results.
    proc = run_cli("verdict", "-c", criteria, str(results), "--baseline", str(results / "baseline"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Without --baseline the same directory holds the failures.
    assert run_cli("verdict", "-c", criteria, str(results)).returncode == 1
    # Naming one path as both is a usage error.
    proc = run_cli(
        "verdict",
        "-c",
        criteria,
        str(results / "baseline" / "junit.xml"),
        "--baseline",
        str(results / "baseline"),
    )
    assert proc.returncode == 2
    assert "both as results and as --baseline" in proc.stderr


def test_a_baseline_that_is_a_copy_of_the_results_is_refused(
    tmp_path: Path, pytest_pair: tuple[Path, Path]
) -> None:
    # A copy under another path (a restored cache, a copied directory) would compare the run
    # with itself: every regression and new-failures check would pass.
    report, _ = pytest_pair
    (tmp_path / "base").mkdir()
    shutil.copy(report, tmp_path / "base" / "copy.json")
    criteria = _criteria(
        tmp_path,
        "version: 1\ncriteria:\n  - id: new\n    tests: {select: '**', new_failures: 0}\n",
    )
    for command in ("verdict", "report"):
        extra = ["-o", str(tmp_path / "out.md")] if command == "report" else []
        proc = run_cli(
            command, "-c", criteria, "--baseline", str(tmp_path / "base"), str(report), *extra
        )
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "same bytes as the current input" in proc.stderr
        assert proc.stderr.count("\n") == 1
    assert not (tmp_path / "out.md").exists()
    # The same through standard input.
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "reportgen",
            "verdict",
            "-c",
            criteria,
            "--baseline",
            "-",
            str(report),
        ],
        input=report.read_bytes(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2 and b"same bytes" in proc.stderr, proc.stderr


# --- item 4: one canonical id ----------------------------------------------------------------


def test_pytest_ids_are_the_same_in_every_format(
    tmp_path: Path, pytest_pair: tuple[Path, Path]
) -> None:
    report, junit = pytest_pair
    inputs = [report, junit]
    for source in (report, junit):
        ctrf = tmp_path / f"{source.stem}.ctrf.json"
        proc = run_cli("convert", "--to", "ctrf", "-o", str(ctrf), str(source))
        assert proc.returncode == 0, proc.stderr
        inputs.append(ctrf)
    ids = [sorted((t.id, t.outcome) for t in load([str(p)]).tests) for p in inputs]
    assert ids[0] == ids[1] == ids[2] == ids[3]
    assert ("tests.test_sample.TestGroup::test_param[a/b::c]", Outcome.PASSED) in ids[0]


def test_mocha_json_and_mocha_junit_reporter_ids_agree() -> None:
    # One Mocha run written by both reporters (see tests/fixtures/mocha-json/README.md).
    json_run = load([str(FIXTURES / "mocha-json" / "ids.json")])
    junit_run = load([str(FIXTURES / "mocha-json" / "ids.junit.xml")])
    expected = [
        ("ids.spec.js › outer inner::adds", Outcome.PASSED),
        ("ids.spec.js › outer inner::fails", Outcome.FAILED),
        ("ids.spec.js › outer::top", Outcome.PASSED),
    ]
    assert sorted((t.id, t.outcome) for t in json_run.tests) == expected
    assert sorted((t.id, t.outcome) for t in junit_run.tests) == expected


def test_ids_hold_no_absolute_checkout_path(corpus: Path) -> None:
    # Jest writes each test file's absolute path; without describe blocks it is the scope.
    for name in ("jesteditor-failing-jest-json.json", "jesteditor-ancestors-each.json"):
        run = load([str(corpus / "jest-json" / name)])
        assert run.tests
        for test in run.tests:
            assert "/Users/" not in test.id and not is_absolute_path(test.id), test.id
            assert test.file is None or not is_absolute_path(test.file)
    go = load([str(corpus / "gotest-json" / "dorny-golang-json.json")])
    assert all("/home/" not in t.id for t in go.tests)


GO_REPEAT = textwrap.dedent(
    """
    package repeat

    import "testing"

    var runs int

    // Run with -count=3: the second run fails, the others pass.
    func TestSometimes(t *testing.T) {
    \truns++
    \tif runs == 2 {
    \t\tt.Fatalf("run %d failed", runs)
    \t}
    }

    func TestSteady(t *testing.T) {}
    """
)


def test_go_count_runs_are_each_a_trial(tmp_path: Path) -> None:
    go, env = go_module(tmp_path, "example.com/repeat", {"repeat_test.go": GO_REPEAT})
    out = tmp_path / "go.jsonl"
    with out.open("w") as handle:
        subprocess.run(
            [go, "test", "-json", "-count=3", "./..."],
            cwd=tmp_path,
            stdout=handle,
            env=env,
            timeout=300,
            check=False,
        )
    run = load([str(out)])
    sometimes = [t for t in run.tests if t.id == "example.com/repeat::TestSometimes"]
    # Three executions in order, the second failed: a failure, not "passed, flaky".
    assert [t.outcome for t in sometimes] == [Outcome.PASSED, Outcome.FAILED, Outcome.PASSED]
    assert len(run.tests) == 6
    proc = run_cli("verdict", "-c", _criteria(tmp_path), str(out))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "TestSometimes" in proc.stdout


NODE_NESTED = textwrap.dedent(
    """
    const { describe, it } = require('node:test');
    const assert = require('node:assert');
    describe('outer', () => {
      describe('inner', () => {
        it('adds', () => { assert.strictEqual(1 + 1, 2); });
        it('fails', () => { assert.strictEqual(1 + 1, 3); });
      });
      it('top', () => {});
    });
    it('alone', () => {});
    """
)


def test_node_tap_and_junit_give_the_same_ids(tmp_path: Path) -> None:
    # Node's JUnit reporter names every class "test"; the describe path is what identifies.
    node = _node()
    (tmp_path / "nested.test.js").write_text(NODE_NESTED)
    ids = []
    for reporter, suffix in (("tap", "tap"), ("junit", "xml")):
        out = tmp_path / f"nested.{suffix}"
        with out.open("w") as handle:
            subprocess.run(
                [node, "--test", f"--test-reporter={reporter}", "nested.test.js"],
                cwd=tmp_path,
                stdout=handle,
                timeout=120,
                check=False,
            )
        ids.append(sorted((t.id, t.outcome) for t in load([str(out)]).tests))
    assert ids[0] == ids[1]
    assert ("outer › inner::fails", Outcome.FAILED) in ids[0]
    assert ("alone", Outcome.PASSED) in ids[0]


# --- one run written by two reporters that disagree ----------------------------------------------

# Each test ends as the environment variable OUTCOMES says: `a=fail,b=pass,c=skip`.
STEERED_SUITE = textwrap.dedent(
    """
    import os
    import pytest

    WANT = dict(part.split("=") for part in os.environ["OUTCOMES"].split(","))

    @pytest.mark.parametrize("name", sorted(WANT))
    def test_case(name):
        if WANT[name] == "skip":
            pytest.skip("not run here")
        assert WANT[name] == "pass", f"{name} fails"
    """
)


def _steered(directory: Path, outcomes: str) -> tuple[Path, Path]:
    """(pytest-json-report, JUnit XML) of a real pytest run whose tests end as `outcomes`."""
    directory.mkdir()
    os.environ["OUTCOMES"] = outcomes
    try:
        return run_pytest_suite(directory, STEERED_SUITE)
    finally:
        del os.environ["OUTCOMES"]


def _verdict(tmp_path: Path, select: str, *inputs: Path) -> subprocess.CompletedProcess[str]:
    criteria = _criteria(
        tmp_path,
        f"version: 1\ncriteria:\n  - id: gate\n    tests: {{select: '{select}', max_failed: 0}}\n",
    )
    return run_cli("verdict", "-c", criteria, *map(str, inputs))


def test_which_copy_of_a_run_is_read_does_not_depend_on_the_order(tmp_path: Path) -> None:
    report, junit = _steered(tmp_path / "run", "a=fail,b=pass")
    kept = set()
    for order in ([junit, report], [report, junit]):
        run = load([str(p) for p in order])
        assert len(run.tests) == 2
        kept |= {i.path for i in run.inputs if i.duplicate_of is None}
    assert len(kept) == 1


def test_a_failure_only_the_copy_left_out_shows_keeps_the_gate_closed(tmp_path: Path) -> None:
    # The same tests from two reporters, ending differently: one copy fails `a`, the other `b`.
    # Counting both would add trials; reading one alone would hide the other's failure. The copy
    # read is flagged, so a gate on `b` cannot pass on the copy where `b` passed.
    _, first_junit = _steered(tmp_path / "first", "a=fail,b=pass")
    second_report, _ = _steered(tmp_path / "second", "a=pass,b=fail")
    for order in ([first_junit, second_report], [second_report, first_junit]):
        run = load([str(p) for p in order])
        assert len(run.tests) == 2  # counted once
        (kept,) = [i for i in run.inputs if i.duplicate_of is None]
        assert [f.kind for f in kept.integrity] == [IntegrityKind.FAILURES_MISSING]
        proc = _verdict(tmp_path, "**b*", *order)
        assert proc.returncode == 1, proc.stdout + proc.stderr
    # Each copy alone: b passes in one of them.
    assert _verdict(tmp_path, "**b*", first_junit).returncode == 0


def test_a_test_only_the_copy_left_out_shows_as_not_run_is_no_pass(tmp_path: Path) -> None:
    # The copy read (more failures) says `b` passed; the other says it was skipped: the run
    # cannot show that `b` passed.
    first_report, _ = _steered(tmp_path / "first", "a=fail,b=pass,c=fail")
    _, second_junit = _steered(tmp_path / "second", "a=fail,b=skip,c=pass")
    run = load([str(first_report), str(second_junit)])
    (kept,) = [i for i in run.inputs if i.duplicate_of is None]
    assert kept.path == str(first_report)
    assert [f.kind for f in kept.integrity] == [IntegrityKind.TESTS_MISSING]
    proc = _verdict(tmp_path, "**b*", first_report, second_junit)
    assert proc.returncode == 3, proc.stdout + proc.stderr


TWO_JOBS_SUITE = textwrap.dedent(
    """
    import os

    CALLS = {}

    def test_x():
        CALLS["n"] = CALLS.get("n", 0) + 1
        assert os.environ.get("FLAKY_X") != "1" or CALLS["n"] >= 2, "first attempt fails"

    def test_y():
        assert os.environ.get("FAIL_Y") != "1", "y fails"
    """
)


def test_a_rerun_failure_in_the_copy_left_out_keeps_the_gate_closed(tmp_path: Path) -> None:
    # Two CI jobs of one suite in two formats look like one run written twice (the same ids):
    # job A (JUnit, --reruns 1) saw test_x fail once; job B (pytest-json-report) saw test_y
    # fail. Whichever is read, the other's failing execution must still count.
    pytest.importorskip("pytest_rerunfailures", reason="pytest-rerunfailures is not installed")
    pytest.importorskip("pytest_jsonreport", reason="pytest-json-report is not installed")
    (tmp_path / "test_jobs.py").write_text(TWO_JOBS_SUITE)
    junit, report = tmp_path / "a.xml", tmp_path / "b.json"
    for env, args in (
        ({"FLAKY_X": "1"}, ["--reruns", "1", f"--junitxml={junit}"]),
        ({"FAIL_Y": "1"}, ["--json-report", f"--json-report-file={report}"]),
    ):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:xdist",
                *args,
                "test_jobs.py",
            ],
            cwd=tmp_path,
            env={**os.environ, **env},
            capture_output=True,
            timeout=120,
            check=False,
        )
    run = load([str(junit), str(report)])
    (kept,) = [i for i in run.inputs if i.duplicate_of is None]
    assert [f.kind for f in kept.integrity] == [IntegrityKind.FAILURES_MISSING]
    assert "test_x" in kept.integrity[0].message
    criteria = _criteria(
        tmp_path,
        "version: 1\ncriteria:\n  - id: x\n    tests: {select: '**test_x', max_failed: 0}\n",
    )
    proc = run_cli("verdict", "-c", criteria, str(junit), str(report))
    assert proc.returncode == 1, proc.stdout + proc.stderr


def test_files_holding_only_errors_of_no_test_are_never_one_run(tmp_path: Path) -> None:
    # A go build failure (real go 1.19 output) and a TAP stream that bailed out (Perl's
    # Test::More) name no test: nothing says they are one run, and each error must count.
    perl = shutil.which("perl")
    if perl is None:
        pytest.skip("perl is not installed")
    tap = subprocess.run(
        [perl, "-MTest::More", "-e", 'plan tests => 3; BAIL_OUT("database unreachable");'],
        capture_output=True,
        timeout=60,
        check=False,
    ).stdout
    assert b"Bail out!" in tap
    (tmp_path / "bail.tap").write_bytes(tap)
    build = FIXTURES / "gotest-json" / "go119-build-failed.txt"
    run = load([str(build), str(tmp_path / "bail.tap")])
    assert not any(i.duplicate_of for i in run.inputs)
    assert run.tests.outcome_counts()[Outcome.ERROR] == 2
