"""Failures outside any test that JUnit writers spell as testcases: Surefire's nameless class
errors (committed real reports, tests/fixtures/junit-surefire) and ctest's `Not Run` tests
(real ctest run in the test)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from reportgen.ingest import load
from reportgen.model import Outcome
from tests.conftest import REPO, run_cli, run_ctest

SUREFIRE = REPO / "tests" / "fixtures" / "junit-surefire"


def _criteria(tmp_path: Path, body: str) -> str:
    path = tmp_path / "criteria.yaml"
    path.write_text(f"version: 1\ncriteria:\n{body}")
    return str(path)


def test_a_failing_after_all_counts_against_the_tests_of_its_class(tmp_path: Path) -> None:
    run = load([str(SUREFIRE / "TEST-demo.AfterAllTest.xml")])
    by_id = {t.id: t for t in run.tests}
    error = by_id["demo.AfterAllTest::[suite error]"]
    assert (error.outcome, error.unattributed) == (Outcome.ERROR, True)
    assert error.message == "connection pool leaked"
    assert not any("without a name" in w.message for w in run.warnings)
    criteria = _criteria(
        tmp_path, "  - id: one\n    tests: {select: 'demo.AfterAllTest::one', max_failed: 0}\n"
    )
    proc = run_cli("verdict", "-c", criteria, str(SUREFIRE / "TEST-demo.AfterAllTest.xml"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "connection pool leaked" in proc.stdout or "[suite error]" in proc.stdout


def test_a_failing_before_all_is_no_pass_of_another_class(tmp_path: Path) -> None:
    criteria = _criteria(
        tmp_path,
        "  - id: before\n    tests: {select: 'demo.BeforeAllTest::*', max_failed: 0}\n"
        "  - id: after\n    tests: {select: 'demo.AfterAllTest::*', max_failed: 0}\n",
    )
    proc = run_cli("verdict", "-c", criteria, "--json", "-", str(SUREFIRE))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.count('"status": "fail"') == 2


CTEST_PROJECT = """\
cmake_minimum_required(VERSION 3.16)
project(notrun NONE)
enable_testing()
add_test(NAME ok COMMAND true)
add_test(NAME missing_exe COMMAND /nonexistent/run_me)
add_test(NAME setup_db COMMAND false)
set_tests_properties(setup_db PROPERTIES FIXTURES_SETUP db)
add_test(NAME needs_db COMMAND true)
set_tests_properties(needs_db PROPERTIES FIXTURES_REQUIRED db)
add_test(NAME disabled_one COMMAND true)
set_tests_properties(disabled_one PROPERTIES DISABLED TRUE)
add_test(NAME skipper COMMAND sh -c "exit 77")
set_tests_properties(skipper PROPERTIES SKIP_RETURN_CODE 77)
"""


def test_ctests_not_run_tests_are_errors_and_its_disabled_ones_skipped(tmp_path: Path) -> None:
    # ctest reports a test whose executable is missing, or whose fixture failed, as "Not Run"
    # among the FAILED ones; its JUnit writes it as <skipped> with status="notrun".
    report = run_ctest(tmp_path, textwrap.dedent(CTEST_PROJECT))
    cases = {case.name: case for case in load([str(report)]).tests}
    assert cases["ok"].outcome is Outcome.PASSED
    assert cases["missing_exe"].outcome is Outcome.ERROR
    assert "not run" in (cases["missing_exe"].message or "")
    assert cases["needs_db"].outcome is Outcome.ERROR
    assert cases["setup_db"].outcome is Outcome.FAILED
    assert cases["disabled_one"].outcome is Outcome.SKIPPED
    assert cases["skipper"].outcome is Outcome.SKIPPED  # skipped on request, also "notrun"
    criteria = _criteria(tmp_path, "  - id: ok\n    tests: {select: 'ok::*', max_failed: 0}\n")
    assert run_cli("verdict", "-c", criteria, str(report)).returncode == 0
    criteria = _criteria(tmp_path, "  - id: all\n    tests: {select: '**', max_failed: 0}\n")
    assert run_cli("verdict", "-c", criteria, str(report)).returncode == 1
