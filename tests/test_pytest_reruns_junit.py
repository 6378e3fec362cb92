"""pytest-rerunfailures in JUnit XML: a rerun attempt is never a passing trial.

pytest's JUnit writer does not know pytest-rerunfailures' `rerun` outcome: an attempt that is
run again is written as a testcase without a failure, error or skipped element (the shape of
a pass), followed by the next attempt under the same id. Every input here is written by the
real harness in the test (pytest + pytest-rerunfailures + pytest-json-report, with and without
pytest-xdist); the first tests check that shape on the file itself, so that a pytest that
starts writing reruns differently makes them fail rather than pass on stale assumptions.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import IntegrityKind, Outcome
from tests.conftest import run_cli
from tests.ingest.json_ingest_support import FIXTURES

SUITE = textwrap.dedent(
    """
    import os

    import pytest

    HERE = os.path.dirname(os.path.abspath(__file__))


    def _attempt(key):
        # Counted in a file: under xdist a rerun may run in another process than the first.
        path = os.path.join(HERE, ".attempts-" + key)
        n = int(open(path).read()) if os.path.exists(path) else 0
        with open(path, "w") as f:
            f.write(str(n + 1))
        return n + 1


    def test_passes():
        pass


    def test_fails_then_passes():
        assert _attempt("call") >= 2, "fails on the first attempt"


    def test_always_fails():
        assert False, "fails every attempt"


    @pytest.fixture
    def setup_fails_once():
        if _attempt("setup") < 2:
            raise RuntimeError("setup fails on the first attempt")


    def test_setup_error_then_passes(setup_fails_once):
        pass


    @pytest.fixture
    def teardown_fails():
        yield
        raise RuntimeError("teardown fails every attempt")


    def test_teardown_always_errors(teardown_fails):
        pass
    """
)

#: What each id's executions are, in file order, read from the JUnit XML.
EXPECTED = {
    "test_flaky::test_passes": [Outcome.PASSED],
    "test_flaky::test_fails_then_passes": [Outcome.FAILED, Outcome.PASSED],
    "test_flaky::test_always_fails": [Outcome.FAILED, Outcome.FAILED, Outcome.FAILED],
    "test_flaky::test_setup_error_then_passes": [Outcome.FAILED, Outcome.PASSED],
    "test_flaky::test_teardown_always_errors": [Outcome.FAILED, Outcome.FAILED, Outcome.ERROR],
}


def _run(work: Path, *extra: str) -> tuple[Path, Path]:
    """(JUnit XML, pytest-json-report) of one real session with `--reruns 2`."""
    pytest.importorskip("pytest_rerunfailures", reason="pytest-rerunfailures is not installed")
    pytest.importorskip("pytest_jsonreport", reason="pytest-json-report is not installed")
    (work / "pytest.ini").write_text("[pytest]\n")
    (work / "test_flaky.py").write_text(SUITE)
    junit, report = work / "junit.xml", work / "report.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *extra,
            "--reruns",
            "2",
            f"--junitxml={junit}",
            "--json-report",
            f"--json-report-file={report}",
            "test_flaky.py",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    return junit, report


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _run(tmp_path_factory.mktemp("reruns"), "-p", "no:xdist")


@pytest.fixture(scope="module")
def xdist(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    pytest.importorskip("xdist", reason="pytest-xdist is not installed")
    return _run(tmp_path_factory.mktemp("reruns-xdist"), "-n", "2")


def _written(junit: Path) -> dict[str, list[list[str]]]:
    """Per testcase name, the child element tags of each of its testcases, in file order."""
    found: dict[str, list[list[str]]] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        found.setdefault(case.get("name", ""), []).append([child.tag for child in case])
    return found


def _executions(junit: Path) -> dict[str, list[Outcome]]:
    found: dict[str, list[Outcome]] = {}
    for test in load([str(junit)]).tests:
        found.setdefault(test.id, []).append(test.outcome)
    return found


def _criteria(tmp_path: Path, text: str) -> str:
    path = tmp_path / "criteria.yaml"
    path.write_text("version: 1\n" + textwrap.dedent(text))
    return str(path)


def _verdict(*args: str) -> tuple[int, dict[str, dict[str, object]]]:
    proc = run_cli("verdict", "--json", "-", *args)
    assert proc.returncode in (0, 1, 3), proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    return proc.returncode, {c["id"]: c for c in doc["criteria"]}


# --- what pytest writes ----------------------------------------------------------------------


@pytest.mark.parametrize("run", ["serial", "xdist"])
def test_pytest_writes_a_rerun_attempt_as_an_empty_testcase(
    run: str, request: pytest.FixtureRequest
) -> None:
    junit, report = request.getfixturevalue(run)
    written = _written(junit)
    # Every attempt is a testcase of the same name; only the last one carries what happened.
    assert written["test_fails_then_passes"] == [[], []]
    assert written["test_always_fails"] == [[], [], ["failure"]]
    assert written["test_setup_error_then_passes"] == [[], []]
    assert written["test_teardown_always_errors"] == [[], [], ["error"]]
    # pytest-json-report of the same session folds the attempts into one test.
    raw = {t["nodeid"]: t["outcome"] for t in json.loads(report.read_text())["tests"]}
    assert raw["test_flaky.py::test_fails_then_passes"] == "rerun"
    assert raw["test_flaky.py::test_always_fails"] == "failed"


# --- how it is read --------------------------------------------------------------------------


@pytest.mark.parametrize("run", ["serial", "xdist"])
def test_rerun_attempts_read_as_failed_executions(run: str, request: pytest.FixtureRequest) -> None:
    junit, _ = request.getfixturevalue(run)
    assert _executions(junit) == EXPECTED
    loaded = load([str(junit)])
    (first,) = [t for t in loaded.tests if t.id == "test_flaky::test_fails_then_passes"][:1]
    assert first.properties.get("rerun") == "true" and first.type == "rerun"
    assert any("read as failed rerun attempts" in w.message for w in loaded.warnings)


def test_a_test_failing_every_attempt_is_not_mostly_passing(
    tmp_path: Path, serial: tuple[Path, Path]
) -> None:
    # Three attempts that all failed read as "2 of 3 passed" before.
    junit, _ = serial
    code, by_id = _verdict(
        "-c",
        _criteria(
            tmp_path,
            """
            criteria:
              - id: rate
                tests: {select: "*always_fails", min_pass_rate: 10%}
              - id: gate
                tests: {max_failed: 0}
            """,
        ),
        str(junit),
    )
    assert code == 1
    rate = by_id["rate"]
    # Three trials are too few to show 10% either way; what counts is that none passed.
    assert rate["status"] != "pass" and "0 of 3" in str(rate["reason"]), rate["reason"]
    assert by_id["gate"]["status"] == "fail"


def test_a_failed_attempt_counts_under_each_and_makes_the_last_attempt_flaky(
    tmp_path: Path, serial: tuple[Path, Path]
) -> None:
    junit, _ = serial
    text = textwrap.dedent(
        """
        criteria:
          - id: recovered
            tests: {select: ["*fails_then_passes", "*setup_error_then_passes"], max_failed: 0}
          - id: flaky
            tests: {select: ["*fails_then_passes", "*setup_error_then_passes"], max_flaky: 0}
        """
    )
    code, by_id = _verdict("-c", _criteria(tmp_path, text), str(junit))
    # repeats: each (the default): the failed first attempts count as failures.
    assert code == 1 and by_id["recovered"]["status"] == "fail", by_id["recovered"]
    last = tmp_path / "last"
    last.mkdir()
    code, by_id = _verdict(
        "-c", _criteria(last, "defaults: {repeats: last_attempt}\n" + text), str(junit)
    )
    # repeats: last_attempt: the final attempt decides, and passing after a failure is flaky.
    assert by_id["recovered"]["status"] == "pass", by_id["recovered"]
    assert by_id["flaky"]["status"] == "fail", by_id["flaky"]
    assert code == 1


@pytest.mark.parametrize("run", ["serial", "xdist"])
def test_the_session_as_junit_and_json_report_counts_once(
    run: str, request: pytest.FixtureRequest
) -> None:
    junit, report = request.getfixturevalue(run)
    both = load([str(junit), str(report)])
    assert len(both.tests) == sum(len(v) for v in EXPECTED.values())
    (dropped,) = [i for i in both.inputs if i.duplicate_of is not None]
    assert dropped.path == str(report) and dropped.duplicate_of == str(junit)


def test_repeats_from_other_junit_writers_keep_their_passes(tmp_path: Path) -> None:
    # The rule is pytest's: another writer's repeated id with no outcome element (Node,
    # go-junit-report with -count) is a pass each time.
    path = tmp_path / "other.xml"
    path.write_text(
        '<testsuites name="other"><testsuite name="pkg" tests="2">'
        '<testcase classname="pkg" name="TestX" time="0.1"/>'
        '<testcase classname="pkg" name="TestX" time="0.1"/>'
        "</testsuite></testsuites>"
    )
    assert [t.outcome for t in load([str(path)]).tests] == [Outcome.PASSED, Outcome.PASSED]


FLAKY = FIXTURES / "junit-reruns" / "flaky-junit.xml"


def test_the_flaky_plugin_writes_the_same_shape_and_reads_the_same_way() -> None:
    # A committed run of the `flaky` plugin (tests/fixtures/junit-reruns/README.md).
    written = _written(FLAKY)
    assert written["test_fails_then_passes"] == [[], []]
    assert written["test_always_fails"] == [[], [], ["failure"]]
    assert _executions(FLAKY) == {
        "test_flaky_plugin::test_passes": [Outcome.PASSED],
        "test_flaky_plugin::test_fails_then_passes": [Outcome.FAILED, Outcome.PASSED],
        "test_flaky_plugin::test_always_fails": [Outcome.FAILED] * 3,
    }


def test_pytest_before_8_4_is_recognised_by_its_suite_name(tmp_path: Path) -> None:
    # pytest before 8.4 wrote the same file without the root's name (pytest-dev/pytest#13404
    # added it); its one suite is named `pytest` unless junit_suite_name says otherwise.
    older = tmp_path / "older.xml"
    older.write_text(FLAKY.read_text().replace('<testsuites name="pytest tests">', "<testsuites>"))
    assert "pytest tests" not in older.read_text()
    assert _executions(older) == _executions(FLAKY)


def test_a_renamed_suite_merged_into_another_file_is_still_pytest_s(tmp_path: Path) -> None:
    # `-o junit_suite_name=shard-1` renames pytest's suite, and `junitparser merge` (a CI step
    # gathering shards) writes its own root: neither mark of pytest is left, and the failed
    # first attempt read as a pass (max_failed 0 and max_flaky 0: READY, exit 0). The suite's
    # attributes are still pytest's.
    pytest.importorskip("pytest_rerunfailures", reason="pytest-rerunfailures is not installed")
    pytest.importorskip("junitparser", reason="junitparser is not installed")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_shard.py").write_text(
        textwrap.dedent(
            """
            CALLS = {}

            def test_fails_then_passes():
                CALLS["n"] = CALLS.get("n", 0) + 1
                assert CALLS["n"] >= 2, "fails on the first attempt"

            def test_passes():
                pass
            """
        )
    )
    shard, merged = tmp_path / "shard-1.xml", tmp_path / "merged.xml"
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
            "--reruns",
            "1",
            "-o",
            "junit_suite_name=shard-1",
            f"--junitxml={shard}",
            "test_shard.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=True,
    )
    subprocess.run(
        [sys.executable, "-m", "junitparser", "merge", str(shard), str(merged)],
        capture_output=True,
        timeout=120,
        check=True,
    )
    text = merged.read_text()
    assert "pytest" not in text
    assert _executions(merged)["test_shard::test_fails_then_passes"] == [
        Outcome.FAILED,
        Outcome.PASSED,
    ]
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text("version: 1\ncriteria:\n  - id: c\n    tests: {max_failed: 0}\n")
    proc = run_cli("verdict", "-c", str(criteria), str(merged))
    assert proc.returncode == 1, proc.stdout + proc.stderr


RETRY = FIXTURES / "junit-reruns"


def test_pytest_retry_json_report_retried_is_a_marked_retry() -> None:
    # pytest-retry's `retried` outcome was refused as an unknown outcome (exit 4).
    report = load([str(RETRY / "pytest-retry.json")])
    by_id = {t.id: t for t in report.tests}
    retried = by_id["test_pytest_retry::test_fails_then_passes"]
    assert (retried.outcome, retried.flaky) == (Outcome.PASSED, True)
    assert [a.outcome for a in retried.attempts] == [Outcome.FAILED, Outcome.PASSED]
    assert by_id["test_pytest_retry::test_always_fails"].outcome is Outcome.FAILED
    assert not [w for w in report.warnings if "summary" in w.message]
    # Its JUnit holds only final attempts: nothing repeats, nothing is re-read.
    junit = _executions(RETRY / "pytest-retry-junit.xml")
    assert junit == {i: [t.outcome] for i, t in by_id.items()}


# One session of the `flaky` plugin written as pytest-json-report and JUnit XML together: in
# `flaky-session` the decorated test failed once and passed on its rerun; in `flaky-clean` it
# passed at once (tests/fixtures/junit-reruns/README.md).
FLAKY_CRITERIA = """\
version: 1
phases:
  - name: gate
    criteria:
      - id: no-failures
        tests:
          select: ["test_flaky_plugin::test_passes", "test_flaky_plugin::test_fails_then_passes"]
          max_failed: 0
          max_flaky: 0
"""


def test_flaky_plugin_json_report_flags_the_tests_whose_attempts_it_hides() -> None:
    # The report keeps only the last attempt of a test under @flaky: a pass after a failed
    # attempt looks like a clean pass, and only flaky's attribute names in `keywords` show the
    # retry. A test that failed in the end, or that is not decorated, is not flagged.
    report = load([str(RETRY / "flaky-session.json")])
    by_id = {t.id: t for t in report.tests}
    assert by_id["test_flaky_plugin::test_fails_then_passes"].outcome is Outcome.PASSED
    (source,) = report.inputs
    assert [(f.kind, f.scope) for f in source.integrity] == [
        (IntegrityKind.ATTEMPTS_HIDDEN, "test_flaky_plugin")
    ]
    message = source.integrity[0].message
    assert "1 test(s)" in message and "test_fails_then_passes" in message
    assert "test_always_fails" not in message and "test_passes" not in message


@pytest.mark.parametrize(
    ("files", "code"),
    [
        # Before: READY (exit 0), the failed first attempt unseen.
        (["flaky-session.json"], 3),
        (["flaky-session-junit.xml"], 1),
        (["flaky-session.json", "flaky-session-junit.xml"], 1),
        # Nothing was retried, but the JSON report alone cannot say so.
        (["flaky-clean.json"], 3),
        (["flaky-clean-junit.xml"], 0),
        # The JUnit copy of the same session shows every attempt: the JSON's doubt is lifted.
        (["flaky-clean.json", "flaky-clean-junit.xml"], 0),
    ],
)
def test_flaky_plugin_verdicts_rest_on_the_copy_that_shows_every_attempt(
    tmp_path: Path, files: list[str], code: int
) -> None:
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(FLAKY_CRITERIA)
    proc = run_cli("verdict", "-c", str(criteria), *(str(RETRY / f) for f in files))
    assert proc.returncode == code, proc.stdout + proc.stderr
    if code == 3:
        assert "every attempt of the retried tests" in proc.stdout
