"""Surefire's reports of a JUnit 5 class with a `@Nested` class (committed real reports,
tests/fixtures/junit-surefire-nested): the outer class's report is empty and its tests are in
the nested class's report. That empty report is no sign of a run cut short only when a report
of the same JVM run beside it holds the outer class's testcases."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from reportgen.errors import ExitCode
from reportgen.ingest import load
from reportgen.model import IntegrityKind
from tests.conftest import REPO, gate_verdict

FIXTURES = REPO / "tests" / "fixtures" / "junit-surefire-nested"
OUTER = "TEST-com.example.CalcTest.xml"
INNER = "TEST-com.example.CalcTest$Inner.xml"


def verdict(tmp_path: Path, results: Path) -> tuple[int, str]:
    return gate_verdict(tmp_path, str(results))


def test_a_clean_run_with_nested_classes_is_ready(tmp_path: Path) -> None:
    # Before: INSUFFICIENT (3), "TEST-com.example.CalcTest.xml ... holds no test".
    run = load([str(FIXTURES / "green")])
    assert not any(f.integrity for f in run.inputs)
    assert len(run.tests) == 7
    code, out = verdict(tmp_path, FIXTURES / "green")
    assert code == ExitCode.READY, out
    assert "Surefire reported no tests for com.example.CalcTest" in out


def test_a_failing_nested_test_is_not_ready(tmp_path: Path) -> None:
    code, out = verdict(tmp_path, FIXTURES / "failing")
    assert code == ExitCode.NOT_READY, out


def _alone(results: Path) -> None:
    (results / INNER).unlink()


def _other_run(results: Path) -> None:
    inner = results / INNER
    inner.write_text(
        inner.read_text(encoding="utf-8").replace("jvmRun1", "jvmRun9"), encoding="utf-8"
    )


def _not_its_tests(results: Path) -> None:
    inner = results / INNER
    text = inner.read_text(encoding="utf-8")
    inner.write_text(
        text.replace('classname="com.example.CalcTest"', 'classname="com.example.Calc"'),
        encoding="utf-8",
    )


@pytest.mark.parametrize("change", [_alone, _other_run, _not_its_tests])
def test_an_empty_outer_report_without_its_tests_beside_it_stays_insufficient(
    tmp_path: Path, change: Callable[[Path], None]
) -> None:
    results = tmp_path / "results"
    shutil.copytree(FIXTURES / "green", results)
    change(results)
    run = load([str(results)])
    outer = next(f for f in run.inputs if f.path.endswith(OUTER))
    assert [flag.kind for flag in outer.integrity] == [IntegrityKind.NO_RESULTS]
    assert verdict(tmp_path, results)[0] == ExitCode.INSUFFICIENT
