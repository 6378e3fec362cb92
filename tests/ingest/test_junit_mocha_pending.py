"""mocha-junit-reporter's pending tests (committed real reports, tests/fixtures/
junit-mocha-pending): counted in their suite's `tests` and the root's `skipped`, written as no
testcase. They are read as skipped tests while the root's `skipped` covers the suites'
shortfall; any other shortfall is tests missing, as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import ExitCode
from reportgen.ingest import load
from reportgen.model import IntegrityKind
from tests.conftest import REPO, gate_verdict

FIXTURES = REPO / "tests" / "fixtures" / "junit-mocha-pending"


def verdict(tmp_path: Path, results: Path) -> tuple[int, str]:
    return gate_verdict(tmp_path, str(results))


def test_a_clean_run_with_pending_tests_is_ready(tmp_path: Path) -> None:
    # Before: INSUFFICIENT (3), "suite 'calc' declares 3 test(s) but contains 1".
    run = load([str(FIXTURES / "green.xml")])
    assert not any(f.integrity for f in run.inputs)
    outcomes = sorted(t.outcome.value for t in run.tests)
    assert outcomes == ["passed", "passed", "passed", "skipped", "skipped"]
    assert verdict(tmp_path, FIXTURES / "green.xml")[0] == ExitCode.READY


def test_a_failing_run_with_pending_tests_is_not_ready(tmp_path: Path) -> None:
    assert verdict(tmp_path, FIXTURES / "failing.xml")[0] == ExitCode.NOT_READY


@pytest.mark.parametrize(
    "changes",
    [
        # The root counts no pending test: the two missing testcases are lost.
        [('failures="0" skipped="2"', 'failures="0" skipped="0"')],
        # The root's skipped covers one of the two.
        [('failures="0" skipped="2"', 'failures="0" skipped="1"')],
        # A passing testcase lost besides the two pending ones.
        [('tests="3"', 'tests="4"'), ('tests="5"', 'tests="6"')],
    ],
)
def test_a_shortfall_the_root_does_not_cover_is_still_missing_tests(
    tmp_path: Path, changes: list[tuple[str, str]]
) -> None:
    text = (FIXTURES / "green.xml").read_text(encoding="utf-8")
    for old, new in changes:
        assert text.count(old) == 1
        text = text.replace(old, new)
    path = tmp_path / "junit.xml"
    path.write_text(text, encoding="utf-8")
    run = load([str(path)])
    kinds = {flag.kind for f in run.inputs for flag in f.integrity}
    assert IntegrityKind.TESTS_MISSING in kinds
    assert verdict(tmp_path, path)[0] == ExitCode.INSUFFICIENT
