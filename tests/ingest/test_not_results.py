"""Coverage and static-analysis reports beside the results: listed as not test results when
their whole content is positively one of those formats, never a reason to withhold READY; any
look-alike that is not keeps the "looks like results" rule. Reports come from real coverage.py
(run here), gcovr, c8 and ruff (the fixtures' README says how)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reportgen.errors import ExitCode
from reportgen.ingest import load
from reportgen.model import SkipKind
from tests.conftest import run_cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "not-results"
GATE = "version: 1\ncriteria:\n  - id: all-pass\n    tests: {max_failed: 0, min_total: 1}\n"
KINDS = {
    "analysis.sarif.json": "SARIF static analysis",
    "c8-clover.xml": "Clover coverage",
    "c8-lcov.info": "lcov coverage",
    "coverage-final.json": "Istanbul coverage",
    "coverage-summary.json": "Istanbul coverage summary",
    "gcovr-clover.xml": "Clover coverage",
    "gcovr-cobertura.xml": "Cobertura coverage",
    "gcovr-jacoco.xml": "JaCoCo coverage",
    "jacoco.xml": "JaCoCo coverage",
    "ruff.sarif": "SARIF static analysis",
    "coverage.xml": "Cobertura coverage",
    "coverage.json": "coverage.py JSON coverage",
    "coverage.lcov": "lcov coverage",
}


@pytest.fixture(scope="module")
def ci_job(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CI job's results folder: a real pytest run under coverage.py (JUnit XML and the
    coverage.py XML, JSON and lcov reports), and the fixtures' coverage and SARIF reports."""
    pytest.importorskip("coverage", reason="coverage.py is not installed")
    where = tmp_path_factory.mktemp("job")
    (where / "calc.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    (where / "test_calc.py").write_text(
        "from calc import add\n\ndef test_add():\n    assert add(1, 2) == 3\n", encoding="utf-8"
    )
    out = where / "results"
    out.mkdir()

    def run(*args: str) -> None:
        subprocess.run([sys.executable, "-m", *args], cwd=where, check=True, capture_output=True)

    run("coverage", "run", "-m", "pytest", "-p", "no:cacheprovider", "-q",
        f"--junitxml={out / 'junit.xml'}", "test_calc.py")  # fmt: skip
    run("coverage", "xml", "-o", str(out / "coverage.xml"))
    run("coverage", "json", "-o", str(out / "coverage.json"))
    run("coverage", "lcov", "-o", str(out / "coverage.lcov"))
    for fixture in FIXTURES.iterdir():
        if fixture.name != "README.md":
            shutil.copy(fixture, out / fixture.name)
    return out


def gate(tmp_path: Path) -> Path:
    path = tmp_path / "gate.yaml"
    path.write_text(GATE, encoding="utf-8")
    return path


def test_coverage_and_analysis_reports_are_listed_not_results(ci_job: Path) -> None:
    run = load([str(ci_job)])
    assert [Path(i.path).name for i in run.inputs] == ["junit.xml"]
    listed = {Path(s.path).name: (s.kind, s.reason, s.evidence) for s in run.skipped}
    assert listed == {
        name: (SkipKind.NOT_RESULTS, f"not test results ({kind})", False)
        for name, kind in KINDS.items()
    }


def test_a_clean_run_beside_coverage_reports_is_ready(tmp_path: Path, ci_job: Path) -> None:
    # Before: INSUFFICIENT (3), every coverage XML and JSON file "looks like results".
    proc = run_cli("verdict", "-c", str(gate(tmp_path)), str(ci_job))
    assert proc.returncode == ExitCode.READY, proc.stdout + proc.stderr
    assert f"{ci_job / 'coverage.xml'}: not read: not test results (Cobertura coverage)" in (
        proc.stdout
    )


def test_coverage_reports_alone_are_no_results(tmp_path: Path, ci_job: Path) -> None:
    only = tmp_path / "only"
    shutil.copytree(ci_job, only)
    (only / "junit.xml").unlink()
    proc = run_cli("verdict", "-c", str(gate(tmp_path)), str(only))
    assert proc.returncode == ExitCode.INSUFFICIENT, proc.stdout + proc.stderr


def test_a_coverage_report_named_as_results_is_invalid_input(tmp_path: Path) -> None:
    named = FIXTURES / "gcovr-cobertura.xml"
    proc = run_cli("verdict", "-c", str(gate(tmp_path)), str(named))
    assert proc.returncode == ExitCode.INVALID_INPUT, proc.stdout + proc.stderr
    assert "not test results: a Cobertura coverage report" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_failing_junit_file_named_coverage_is_read(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    (results / "coverage.xml").write_text(
        '<testsuite name="s" tests="1" failures="1"><testcase name="t" classname="c">'
        '<failure message="boom"/></testcase></testsuite>\n',
        encoding="utf-8",
    )
    proc = run_cli("verdict", "-c", str(gate(tmp_path)), str(results))
    assert proc.returncode == ExitCode.NOT_READY, proc.stdout + proc.stderr


def _cut(name: str) -> str:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return text[: len(text) // 2]


LOOKALIKES = {
    # No branch-rate: not the Cobertura a tool writes.
    "partial.xml": '<coverage line-rate="0.8"></coverage>\n',
    # A results element inside: not taken for coverage, whatever the root says.
    "hidden.xml": '<coverage line-rate="1" branch-rate="1"><packages/>'
    '<testcase name="t"><failure/></testcase></coverage>\n',
    "cut-cobertura.xml": _cut("gcovr-cobertura.xml"),
    "cut-istanbul.json": _cut("coverage-final.json"),
    "report.xml": '<report name="x"><testsuite name="s"/></report>\n',
    "toolless.sarif": '{"version": "2.1.0", "runs": [{"results": []}]}\n',
    "total.json": '{"total": 3, "failed": 1}\n',
    "lcov-ish.info": "SF:a.c\nDA:1,1\nnot ok 1 - lost\nend_of_record\n",
}


@pytest.mark.parametrize("name", sorted(LOOKALIKES))
def test_a_lookalike_still_withholds_ready(tmp_path: Path, ci_job: Path, name: str) -> None:
    results = tmp_path / "results"
    results.mkdir()
    shutil.copy(ci_job / "junit.xml", results / "junit.xml")
    (results / name).write_text(textwrap.dedent(LOOKALIKES[name]), encoding="utf-8")
    (skipped,) = load([str(results)]).skipped
    assert skipped.kind is SkipKind.UNRECOGNISED and skipped.evidence
    proc = run_cli("verdict", "-c", str(gate(tmp_path)), str(results))
    assert proc.returncode == ExitCode.INSUFFICIENT, proc.stdout + proc.stderr
