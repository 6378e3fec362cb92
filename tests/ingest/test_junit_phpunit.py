"""PHPUnit's JUnit: the tests PHPUnit 9 did not run and wrote as a `<warning>` with no
assertion are not passes (committed real file, see tests/fixtures/junit-phpunit)."""

from __future__ import annotations

from pathlib import Path

from reportgen.ingest import load
from reportgen.model import Outcome
from tests.conftest import REPO, gate_verdict

WARNINGS = REPO / "tests" / "fixtures" / "junit-phpunit" / "phpunit9-warnings.xml"


def test_tests_phpunit_did_not_run_are_not_passes() -> None:
    run = load([str(WARNINGS)])
    outcomes = {t.id: t.outcome for t in run.tests}
    assert outcomes == {
        "DepTest::testA": Outcome.PASSED,
        "DepTest::testB": Outcome.PASSED,
        # Ran, with a deprecation warning: a pass.
        "DepTest::testDeprecatedAssert": Outcome.PASSED,
        # `@depends testGone`, which does not exist: never run.
        "DepTest::testC": Outcome.SKIPPED,
        # "No tests found in class": PHPUnit's stand-in testcase for the class.
        "w2 › NoTestsTest::Warning": Outcome.SKIPPED,
    }
    dependent = next(t for t in run.tests if t.name == "testC")
    assert (
        dependent.message
        == 'not run: This test depends on "DepTest::testGone" which does not exist.'
    )
    # The suites count these under `warnings`, not `skipped`: no count warning.
    assert not run.warnings


def test_a_required_test_phpunit_did_not_run_is_not_ready(tmp_path: Path) -> None:
    # Before: "the required test DepTest::testC passed", READY (exit 0).
    code, out = gate_verdict(
        tmp_path,
        str(WARNINGS),
        criteria="version: 1\ncriteria:\n  - id: req\n    tests: {require: [DepTest::testC]}\n",
    )
    assert code == 3, out
    assert "DepTest::testC" in out
