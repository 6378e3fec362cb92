"""Maven Failsafe's `failsafe-summary.xml` beside its TEST-*.xml reports: a summary of a clean
run is listed as not test results; one that says the run failed, or a fork crashed, stays an
unread file that looks like results and keeps the verdict from READY."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reportgen.errors import ExitCode
from reportgen.ingest import load
from reportgen.model import SkipKind
from tests.conftest import REPO, gate_verdict

FIXTURES = REPO / "tests" / "fixtures" / "failsafe-summary"
REPORT = """<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="it.AppIT" tests="2" errors="0" skipped="0" failures="0" time="0.2">
  <testcase name="starts" classname="it.AppIT" time="0.1"/>
  <testcase name="serves" classname="it.AppIT" time="0.1"/>
</testsuite>
"""


def _reports(tmp_path: Path, summary: str) -> Path:
    """A failsafe-reports folder: one passing TEST-*.xml report and the summary fixture."""
    folder = tmp_path / "failsafe-reports"
    folder.mkdir()
    (folder / "TEST-it.AppIT.xml").write_text(REPORT, encoding="utf-8")
    shutil.copy(FIXTURES / summary, folder / "failsafe-summary.xml")
    return folder


def test_the_summary_of_a_clean_run_is_not_results(tmp_path: Path) -> None:
    # Before: INSUFFICIENT (3), the summary was an unrecognised .xml that looked like results.
    folder = _reports(tmp_path, "passed.xml")
    code, out = gate_verdict(tmp_path, str(folder))
    assert code == ExitCode.READY, out
    (skipped,) = load([str(folder)]).skipped
    assert skipped.kind is SkipKind.NOT_RESULTS
    assert skipped.reason == "not test results (Failsafe summary of a clean run)"


@pytest.mark.parametrize("summary", ["failed.xml", "crashed.xml"])
def test_a_summary_that_says_the_run_failed_keeps_it_from_ready(
    tmp_path: Path, summary: str
) -> None:
    # The reports beside it show every test passed; the summary says otherwise (a crashed
    # fork's tests have no report), so it is never waved through.
    folder = _reports(tmp_path, summary)
    code, out = gate_verdict(tmp_path, str(folder))
    assert code == ExitCode.INSUFFICIENT, out
    (skipped,) = load([str(folder)]).skipped
    assert skipped.kind is SkipKind.UNRECOGNISED and skipped.evidence  # looks like results
