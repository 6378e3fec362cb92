"""jest-junit and Jest's `--json` of one run (committed real reports, tests/fixtures/jest-todo)
with a `test.todo`: jest-junit holds the todo test as a passing testcase it does not count
(alone, that file is INSUFFICIENT: the test may not have run); Jest's JSON, read in its place,
says it is todo. The copy left out no longer withholds READY for testcases the copy read
accounts for."""

from __future__ import annotations

from pathlib import Path

from reportgen.errors import ExitCode
from reportgen.ingest import load
from reportgen.model import IntegrityKind
from tests.conftest import REPO, gate_verdict

FIXTURES = REPO / "tests" / "fixtures" / "jest-todo"


def verdict(tmp_path: Path, *results: Path) -> tuple[int, str]:
    return gate_verdict(tmp_path, *map(str, results))


def test_both_reporters_of_a_clean_run_are_ready(tmp_path: Path) -> None:
    # Before: INSUFFICIENT (3), "junit.xml: suite 'calc' declares 6 test(s) but holds 7".
    green = FIXTURES / "green"
    run = load([str(green / "junit.xml"), str(green / "jest.json")])
    junit = next(f for f in run.inputs if f.path.endswith("junit.xml"))
    assert junit.duplicate_of is not None and not junit.integrity
    code, out = verdict(tmp_path, green / "junit.xml", green / "jest.json")
    assert code == ExitCode.READY, out


def test_jest_junit_alone_with_a_todo_test_stays_insufficient(tmp_path: Path) -> None:
    run = load([str(FIXTURES / "green" / "junit.xml")])
    assert [f.kind for f in run.inputs[0].integrity] == [IntegrityKind.TESTS_UNDECLARED] * 2
    assert verdict(tmp_path, FIXTURES / "green" / "junit.xml")[0] == ExitCode.INSUFFICIENT


def test_both_reporters_of_a_failing_run_are_not_ready(tmp_path: Path) -> None:
    failing = FIXTURES / "failing"
    code, out = verdict(tmp_path, failing / "junit.xml", failing / "jest.json")
    assert code == ExitCode.NOT_READY, out
