"""JUnit Platform's console launcher writes one report per test engine: an engine's empty
report beside one of the same run that holds the tests is no lost result, and alone it is.

The reports were written by the real launcher (tests/fixtures/junit-platform/README.md).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import IntegrityKind
from tests.conftest import run_cli
from tests.ingest.json_ingest_support import FIXTURES

REPORTS = FIXTURES / "junit-platform"
CRITERIA = """\
version: 1
phases:
  - name: gate
    criteria:
      - id: green
        tests:
          max_failed: 0
          min_total: 2
"""


def _verdict(tmp_path: Path, *paths: Path) -> int:
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(CRITERIA)
    proc = run_cli("verdict", "-c", str(criteria), *map(str, paths))
    return proc.returncode


def test_empty_engine_reports_beside_the_tests_of_their_run_are_no_lost_results(
    tmp_path: Path,
) -> None:
    run = load([str(REPORTS / "green")])
    assert sorted(t.id for t in run.tests) == [
        "demo.GreenTest::adds()",
        "demo.GreenTest::concatenates()",
    ]
    assert not [f for i in run.inputs for f in i.integrity]
    said = [w.message for w in run.warnings if "found no tests" in w.message]
    assert len(said) == 2 and all("TEST-junit-jupiter.xml" in m for m in said)
    # Before: every all-green run of the launcher was INSUFFICIENT (exit 3).
    assert _verdict(tmp_path, REPORTS / "green") == 0


def test_an_empty_engine_report_whose_run_wrote_no_tests_stays_no_evidence(
    tmp_path: Path,
) -> None:
    # System.exit(0) in a test: the Jupiter report was never written.
    run = load([str(REPORTS / "exit")])
    (report,) = run.inputs
    assert [f.kind for f in report.integrity] == [IntegrityKind.NO_RESULTS]
    # Beside the tests of another launcher run (another command line), it is not excused.
    mixed = tmp_path / "reports"
    shutil.copytree(REPORTS / "green", mixed)
    (mixed / "TEST-junit-vintage.xml").unlink()
    (mixed / "TEST-junit-platform-suite.xml").unlink()
    shutil.copy(REPORTS / "exit" / "TEST-junit-platform-suite.xml", mixed)
    assert _verdict(tmp_path, mixed) == 3


@pytest.mark.parametrize("tests", ['tests="0"', 'tests="2"'])
def test_an_engine_report_is_excused_only_by_a_sibling_that_declares_tests(
    tmp_path: Path, tests: str
) -> None:
    reports = tmp_path / "reports"
    shutil.copytree(REPORTS / "green", reports)
    jupiter = reports / "TEST-junit-jupiter.xml"
    text = jupiter.read_text()
    # The Jupiter report of the same run, its testcases gone: it declares what it says.
    start, end = text.index("<testcase"), text.rindex("</testcase>") + len("</testcase>")
    jupiter.write_text((text[:start] + text[end:]).replace('tests="2"', tests, 1))
    run = load([str(reports)])
    kinds = {i.path.rsplit("/", 1)[-1]: [f.kind for f in i.integrity] for i in run.inputs}
    if tests == 'tests="0"':
        assert kinds["TEST-junit-vintage.xml"] == [IntegrityKind.NO_RESULTS]
    else:
        assert kinds["TEST-junit-vintage.xml"] == []
        assert kinds["TEST-junit-jupiter.xml"] == [IntegrityKind.TESTS_MISSING]
    assert _verdict(tmp_path, reports) == 3
