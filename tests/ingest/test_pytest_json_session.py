"""pytest-json-report sessions: skipped collectors are read, and stopped sessions are flagged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import IntegrityKind, Outcome, Run
from tests.conftest import run_cli
from tests.ingest.json_ingest_support import read, run_pytest_suite
from tests.ingest.test_pytest_json_columns import _read_both

#: Passes, a failure when FAIL=1, a test that passes on its rerun when FLAKY=1, a skip, an
#: xfail, an xpass and parameters: every ending of a session that ran to the end.
CORE = """
import os

import pytest

_tries = {"n": 0}


def test_ok():
    pass


def test_fail():
    assert os.environ.get("FAIL") != "1", "told to fail"


def test_flaky():
    _tries["n"] += 1
    assert os.environ.get("FLAKY") != "1" or _tries["n"] > 1


@pytest.mark.skip(reason="not today")
def test_skip():
    pass


@pytest.mark.xfail(reason="known")
def test_xfail():
    assert False


@pytest.mark.xfail(reason="fixed")
def test_xpass():
    pass


@pytest.mark.parametrize("n", range(4))
def test_param(n):
    pass
"""
#: A module pytest skips while collecting it: no test of it is in the report's `tests`.
OPTIONAL = """
import pytest

pytest.importorskip("reportgen_test_no_such_module")


def test_needs_it():
    pass
"""
#: A module that fails to import: a collection error.
BROKEN = "import reportgen_test_no_such_module\n"
#: A plugin that skips the collection of class `TestSkipped` (pytest then skips the class node).
SKIP_CLASS_CONFTEST = """
import pytest


def pytest_pycollect_makeitem(collector, name, obj):
    if isinstance(collector, pytest.Class) and collector.name == "TestSkipped":
        pytest.skip("class not collected here")
"""
WITH_CLASS = """
class TestSkipped:
    def test_in_class(self):
        pass


def test_beside():
    pass
"""


def _session(
    directory: Path, modules: dict[str, str], *args: str, env: dict[str, str] | None = None
) -> tuple[Path, Path, dict[str, object]]:
    """Run real pytest on `modules` (file name under tests/ -> source) with `args`; returns
    (pytest-json-report, JUnit XML, the report as loaded). The report's exit code is checked
    against the process's, so a test states the session it reads."""
    pytest.importorskip("pytest_jsonreport", reason="pytest-json-report is not installed")
    suite = directory / "suite"
    (suite / "tests").mkdir(parents=True)
    (suite / "pytest.ini").write_text("[pytest]\n")
    for name, source in modules.items():
        (suite / "tests" / name).write_text(textwrap.dedent(source))
    report, junit = directory / "report.json", directory / "junit.xml"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--json-report",
            f"--json-report-file={report}",
            f"--junitxml={junit}",
            *args,
        ],
        cwd=suite,
        env={**os.environ, "FAIL": "", "FLAKY": "", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert report.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    doc = json.loads(report.read_text())
    assert doc["exitcode"] == proc.returncode, proc.stdout[-2000:]
    return report, junit, doc


def _flags(run: Run) -> list[IntegrityKind]:
    return [flag.kind for source in run.inputs for flag in source.integrity]


def _ids(run: Run) -> list[tuple[str, Outcome]]:
    return sorted((t.id, t.outcome) for t in run.tests)


def _verdict(tmp_path: Path, rule: str, *inputs: Path) -> subprocess.CompletedProcess[str]:
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(f"version: 1\ncriteria:\n  - id: gate\n    tests: {{{rule}}}\n")
    return run_cli("verdict", "-c", str(criteria), *map(str, inputs))


# --- collectors skipped while collecting -----------------------------------------------------


def test_a_module_skipped_at_collection_is_a_skip_with_the_junit_id(tmp_path: Path) -> None:
    report, junit, doc = _session(tmp_path, {"test_core.py": CORE, "test_optional.py": OPTIONAL})
    # What the report says: the module is a skipped collector and no test of it is listed.
    assert ("tests/test_optional.py", "skipped") in [
        (c["nodeid"], c["outcome"]) for c in doc["collectors"]
    ]
    assert not any("test_optional" in t["nodeid"] for t in doc["tests"])
    run = read(report)
    skipped = next(t for t in run.tests if "test_optional" in t.id)
    assert (skipped.id, skipped.outcome) == ("pytest::tests.test_optional", Outcome.SKIPPED)
    assert skipped.file == "tests/test_optional.py" and skipped.type == "collection skipped"
    assert skipped.message is not None and "reportgen_test_no_such_module" in skipped.message
    assert _ids(run) == _ids(read(junit))
    assert run.warnings == () and _flags(run) == []
    assert _read_both(report)[0] == _read_both(report)[1]


def test_a_skipped_module_keeps_the_gate_closed_as_from_junit(tmp_path: Path) -> None:
    report, junit, _doc = _session(
        tmp_path, {"test_core.py": CORE, "test_optional.py": OPTIONAL}, "-k", "not xfail"
    )
    for source in (report, junit):
        proc = _verdict(tmp_path, 'select: "**", max_skipped: 1', source)
        # test_skip and the skipped module: two, more than one.
        assert proc.returncode == 1, proc.stdout
        assert "pytest::tests.test_optional" in proc.stdout
    proc = _verdict(tmp_path, 'require: ["pytest::tests.test_optional"]', report)
    assert proc.returncode != 0, proc.stdout


def test_a_class_skipped_at_collection_is_a_skip_with_the_junit_id(tmp_path: Path) -> None:
    report, junit, doc = _session(
        tmp_path, {"conftest.py": SKIP_CLASS_CONFTEST, "test_cls.py": WITH_CLASS}
    )
    assert ("tests/test_cls.py::TestSkipped", "skipped") in [
        (c["nodeid"], c["outcome"]) for c in doc["collectors"]
    ]
    run = read(report)
    assert ("tests.test_cls::TestSkipped", Outcome.SKIPPED) in _ids(run)
    assert _ids(run) == _ids(read(junit))
    assert run.warnings == () and _flags(run) == []


def test_a_collection_error_the_session_went_on_after(tmp_path: Path) -> None:
    # The summary counts tests only: the collector that failed is no "error" it declares.
    report, junit, doc = _session(
        tmp_path,
        {"test_core.py": CORE, "test_broken.py": BROKEN},
        "--continue-on-collection-errors",
    )
    assert doc["exitcode"] == 1 and "error" not in doc["summary"]
    run = read(report)
    broken = next(t for t in run.tests if "test_broken" in t.id)
    assert (broken.id, broken.outcome) == ("pytest::tests.test_broken", Outcome.ERROR)
    assert broken.unattributed
    assert _ids(run) == _ids(read(junit))
    assert run.warnings == () and _flags(run) == []


# --- sessions that ran to the end ------------------------------------------------------------

_FINISHED = {
    "passed": ((), {}),
    "failed": ((), {"FAIL": "1"}),
    "reruns": (("-p", "no:xdist", "--reruns", "2"), {"FLAKY": "1"}),
    "deselected": (("-k", "not param"), {}),
    "xdist": (("-n", "2"), {"FAIL": "1"}),
    "xdist-deselected": (("-n", "2", "-k", "not param"), {}),
}


@pytest.mark.parametrize("case", sorted(_FINISHED))
def test_a_session_that_ran_to_the_end_is_not_flagged(tmp_path: Path, case: str) -> None:
    args, env = _FINISHED[case]
    if case == "reruns":
        pytest.importorskip("pytest_rerunfailures", reason="pytest-rerunfailures is not installed")
    if case.startswith("xdist"):
        pytest.importorskip("xdist", reason="pytest-xdist is not installed")
    else:
        args = ("-p", "no:xdist", *args)
    report, _junit, doc = _session(
        tmp_path, {"test_core.py": CORE, "test_optional.py": OPTIONAL}, *args, env=env
    )
    assert doc["exitcode"] == (1 if env.get("FAIL") else 0)
    if case == "deselected":
        assert doc["summary"]["deselected"] == 4  # the deselection is in the report
    if case == "reruns":
        assert doc["summary"]["rerun"] == 1
    run = read(report)
    # A deselection is named, never judged: the file does not say whether it was meant.
    # Under xdist the report counts only the tests selected, and says nothing of the others.
    deselected = (
        ["4 of 10 collected test(s) were deselected and did not run"]
        if case == "deselected"
        else []
    )
    assert [w.message.split(" (")[0] for w in run.warnings] == deselected
    assert _flags(run) == []
    assert ("pytest::tests.test_optional", Outcome.SKIPPED) in _ids(run)


# --- sessions that stopped early -------------------------------------------------------------

STOPS = """
import os

import pytest


def test_first():
    pass


def test_stop():
    if os.environ.get("STOP") == "exit":
        pytest.exit("stopped by the test")
    assert os.environ.get("STOP") != "fail"


def test_last():
    pass
"""
#: A plugin that breaks while pytest reports a test: pytest ends with an internal error.
INTERNAL_ERROR_CONFTEST = """
def pytest_runtest_logreport(report):
    if report.when == "call" and report.nodeid.endswith("test_stop"):
        raise RuntimeError("plugin bug")
"""


def test_a_collection_error_that_interrupted_the_session(tmp_path: Path) -> None:
    report, _junit, doc = _session(tmp_path, {"test_core.py": CORE, "test_broken.py": BROKEN})
    assert doc["exitcode"] == 2 and doc["tests"] == [] and doc["summary"]["collected"] > 0
    run = read(report)
    assert _flags(run) == [IntegrityKind.ABORTED, IntegrityKind.TESTS_MISSING]
    assert any("code 2 (interrupted)" in w.message for w in run.warnings)
    assert _read_both(report)[0] == _read_both(report)[1]
    # The skip-only and flaky-only gates the collection error itself does not fail.
    for rule in ('select: "**", max_skipped: 5', 'select: "**", max_flaky: 0'):
        proc = _verdict(tmp_path, rule, report)
        assert proc.returncode == 3, proc.stdout
        assert f"{report}: pytest exited with code 2" in proc.stdout


def test_a_session_stopped_by_pytest_exit(tmp_path: Path) -> None:
    report, _junit, _doc = _session(tmp_path, {"test_s.py": STOPS}, env={"STOP": "exit"})
    run = read(report)
    assert _flags(run) == [IntegrityKind.ABORTED, IntegrityKind.TESTS_MISSING]
    # test_stop is listed with its setup only; test_last is not listed at all.
    assert any("3 test(s) collected, but the file holds 2" in w.message for w in run.warnings)
    proc = _verdict(tmp_path, 'select: "**", max_failed: 0', report)
    assert proc.returncode == 3, proc.stdout


#: pytest.exit with code 0 from inside the last test, or from a fixture's teardown: the exit
#: code says the session ended well, and no collected test is missing from the report.
EXIT_ZERO = """
import os

import pytest


@pytest.fixture
def stops_in_teardown():
    yield
    if os.environ.get("STOP") == "teardown":
        pytest.exit("stopped in teardown", returncode=0)


def test_first():
    pass


def test_last(stops_in_teardown):
    if os.environ.get("STOP") == "call":
        pytest.exit("stopped by the test", returncode=0)
        assert False, "never reached"
"""


@pytest.mark.parametrize("where", ["call", "teardown"])
def test_a_session_ended_inside_its_last_test_with_code_0(tmp_path: Path, where: str) -> None:
    report, _junit, doc = _session(tmp_path, {"test_s.py": EXIT_ZERO}, env={"STOP": where})
    assert doc["exitcode"] == 0 and len(doc["tests"]) == doc["summary"]["collected"] == 2
    last = doc["tests"][1]
    assert "teardown" not in last and ("call" in last) == (where == "teardown")
    run = read(report)
    assert _flags(run) == [IntegrityKind.ABORTED]
    assert any(
        "never reached their teardown (tests/test_s.py::test_last)" in w.message
        for w in run.warnings
    )
    # A test whose call never reported is no pass; one that passed its call keeps it.
    ended = Outcome.SKIPPED if where == "call" else Outcome.PASSED
    assert _ids(run) == [
        ("tests.test_s::test_first", Outcome.PASSED),
        ("tests.test_s::test_last", ended),
    ]
    proc = _verdict(tmp_path, 'select: "**", max_failed: 0', report)
    assert proc.returncode == 3, proc.stdout


@pytest.mark.parametrize("mode", ["--setup-only", "--setup-plan"])
def test_a_session_that_ran_setups_only_is_no_pass(tmp_path: Path, mode: str) -> None:
    # No test body runs, the exit code is 0, and both reporters write every test as passed:
    # pytest-json-report with setup and teardown phases and no call, the JUnit XML with no
    # outcome element under a suite that declares tests="0". test_stop would fail.
    report, junit, doc = _session(tmp_path, {"test_s.py": STOPS}, mode, env={"STOP": "fail"})
    assert doc["exitcode"] == 0 and {t["outcome"] for t in doc["tests"]} == {"passed"}
    assert all("call" not in t and "teardown" in t for t in doc["tests"])
    assert 'tests="0"' in junit.read_text()
    assert {outcome for _id, outcome in _ids(read(report))} == {Outcome.SKIPPED}
    assert _flags(read(junit)) == [IntegrityKind.TESTS_UNDECLARED]
    for path in (report, junit):
        proc = _verdict(tmp_path, 'select: "**", max_failed: 0', path)
        assert proc.returncode == 3, proc.stdout


def test_a_session_stopped_at_the_first_failure(tmp_path: Path) -> None:
    # `-x` ends with pytest's code for failures (1), but test_last never ran.
    report, _junit, doc = _session(tmp_path, {"test_s.py": STOPS}, "-x", env={"STOP": "fail"})
    assert doc["exitcode"] == 1
    run = read(report)
    assert _flags(run) == [IntegrityKind.TESTS_MISSING]
    proc = _verdict(tmp_path, 'select: "**", max_skipped: 0', report)
    assert proc.returncode == 3, proc.stdout


def test_a_session_that_only_collected(tmp_path: Path) -> None:
    report, _junit, doc = _session(tmp_path, {"test_s.py": STOPS}, "--collect-only")
    assert doc["exitcode"] == 0 and doc["tests"] == []
    assert _flags(read(report)) == [IntegrityKind.TESTS_MISSING]


def test_a_session_ended_by_an_internal_error(tmp_path: Path) -> None:
    report, _junit, _doc = _session(
        tmp_path, {"conftest.py": INTERNAL_ERROR_CONFTEST, "test_s.py": STOPS}
    )
    run = read(report)
    assert IntegrityKind.ABORTED in _flags(run)
    assert any("code 3 (internal error)" in w.message for w in run.warnings)


def test_a_session_refused_for_its_usage(tmp_path: Path) -> None:
    report, _junit, doc = _session(tmp_path, {"test_s.py": STOPS}, "tests/no_such_file.py")
    assert doc["exitcode"] == 4
    assert _flags(read(report)) == [IntegrityKind.ABORTED]


def test_a_repeated_nodeid_does_not_stand_in_for_a_missing_test(tmp_path: Path) -> None:
    report, _junit, doc = _session(tmp_path, {"test_s.py": STOPS}, "-p", "no:xdist")
    assert _flags(read(report)) == []
    tests = doc["tests"]
    assert isinstance(tests, list) and len(tests) == 3
    tests[2] = tests[0]
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc))
    assert IntegrityKind.TESTS_MISSING in _flags(read(edited))


SUBTESTS_SUITE = textwrap.dedent(
    """
    import unittest

    class TestSums(unittest.TestCase):
        def test_cases(self):
            for i in range(3):
                with self.subTest(i=i):
                    self.assertNotEqual(i, 1)

    def test_ok():
        pass
    """
)
PASSING_SUBTESTS_SUITE = SUBTESTS_SUITE.replace("assertNotEqual(i, 1)", "assertNotEqual(i, 7)")


def test_a_failing_unittest_subtest_keeps_the_gate_closed(tmp_path: Path) -> None:
    # pytest 9 runs unittest subTests as subtests; pytest-json-report then writes the test as
    # "subtests passed" with every phase passed although one subTest failed. The session's
    # exit code (1) is the only trace: the report must not read as all passed.
    report, junit = run_pytest_suite(tmp_path, SUBTESTS_SUITE)
    doc = json.loads(report.read_text())
    assert doc["exitcode"] == 1
    run = load([str(report)])
    failing = [t for t in run.tests if t.outcome in (Outcome.FAILED, Outcome.ERROR)]
    flagged = [f.kind for f in run.inputs[0].integrity]
    assert failing or flagged == [IntegrityKind.FAILURES_MISSING], (failing, flagged)
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\ncriteria:\n  - id: c\n    tests: {select: '**', max_failed: 0}\n"
    )
    for path in (report, junit):
        proc = run_cli("verdict", "-c", str(criteria), str(path))
        assert proc.returncode == 1, proc.stdout + proc.stderr


def test_passing_subtests_read_as_passed(tmp_path: Path) -> None:
    report, _ = run_pytest_suite(tmp_path, PASSING_SUBTESTS_SUITE)
    run = load([str(report)])
    assert [t.outcome for t in run.tests] == [Outcome.PASSED, Outcome.PASSED]
    assert run.inputs[0].integrity == () and run.warnings == ()
