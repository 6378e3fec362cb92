"""JUnit XML that says it is incomplete or holds errors outside any test: pytest collection
errors (written by the real pytest), suite-level errors, counts declared above the contents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import IntegrityKind, Outcome
from tests.conftest import counts, run_cli, run_pytest


def test_a_pytest_collection_error_belongs_to_no_test(tmp_path: Path) -> None:
    where = tmp_path / "suite" / "tests"
    where.mkdir(parents=True)
    (where / "__init__.py").write_text("")
    (where / "test_broken.py").write_text("import no_such_module_anywhere\n")
    report = tmp_path / "junit.xml"
    proc = run_pytest(tmp_path / "suite", f"--junitxml={report}", "tests")
    assert proc.returncode == 2, proc.stdout
    run = load([str(report)])
    (row,) = list(run.tests)
    assert row.outcome is Outcome.ERROR and row.unattributed
    assert row.file == "tests/test_broken.py"


SUITE_ERROR = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="com.example.OrderTest" tests="1" failures="0" errors="1">
    <error message="Connection refused" type="java.net.ConnectException">at setUpClass</error>
  </testsuite>
  <testsuite name="com.example.UserTest" tests="1" failures="0" errors="0">
    <testcase name="creates" classname="com.example.UserTest" time="0.01"/>
  </testsuite>
</testsuites>
"""


def test_an_error_directly_under_a_testsuite_is_kept(tmp_path: Path) -> None:
    # The shape of a class-setup failure: the error sits on the suite, no testcase ran.
    path = tmp_path / "TEST-all.xml"
    path.write_text(SUITE_ERROR, encoding="utf-8")
    run = load([str(path)])
    assert counts(run) == (2, 1, 0, 1, 0)
    error = next(t for t in run.tests if t.outcome is Outcome.ERROR)
    assert error.unattributed and error.classname == "com.example.OrderTest"
    assert error.message == "Connection refused"
    (flag,) = run.inputs[0].integrity
    assert flag.kind is IntegrityKind.SUITE_ERROR and flag.fails
    assert flag.scope == "com.example.OrderTest"


@pytest.mark.parametrize(
    ("select", "code"),
    [("com.example.UserTest::*", 0), ("com.example.OrderTest::*", 1), ("*creates", 1)],
)
def test_a_suite_error_counts_where_the_selection_may_reach(
    tmp_path: Path, select: str, code: int
) -> None:
    path = tmp_path / "TEST-all.xml"
    path.write_text(SUITE_ERROR, encoding="utf-8")
    gate = tmp_path / "gate.yaml"
    gate.write_text(
        f"version: 1\ncriteria:\n  - id: a\n    tests: {{select: '{select}', max_failed: 0}}\n"
    )
    proc = run_cli("verdict", "-c", str(gate), str(path))
    assert proc.returncode == code, proc.stdout


def test_a_surefire_report_missing_a_failure_it_declares(tmp_path: Path, corpus: Path) -> None:
    text = (
        corpus / "junit" / "maven-surefire" / "TEST-action.surefire.report.calc.CalcUtilsTest.xml"
    ).read_text(encoding="utf-8")
    # Cut the second testcase, as a disk-full or killed writer would leave the rest intact.
    start = text.index('  <testcase name="test scale"')
    end = text.index("</testcase>", start) + len("</testcase>\n")
    cut = tmp_path / "TEST-cut.xml"
    cut.write_text(text[:start] + text[end:], encoding="utf-8")
    run = load([str(cut)])
    kinds = sorted(f.kind for f in run.inputs[0].integrity)
    assert kinds == [IntegrityKind.FAILURES_MISSING, IntegrityKind.TESTS_MISSING]
    gate = tmp_path / "gate.yaml"
    gate.write_text("version: 1\ncriteria:\n  - id: a\n    tests: {max_failed: 5}\n")
    proc = run_cli("verdict", "-c", str(gate), str(cut), "--json", "-")
    assert proc.returncode == 1, proc.stdout
    (result,) = json.loads(proc.stdout)["criteria"]
    assert "declares 2 failed or errored test(s) but shows 1" in result["reason"]
