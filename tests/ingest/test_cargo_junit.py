"""`cargo test -- -Z unstable-options --format junit > file 2>&1` (committed real output,
tests/fixtures/cargo-junit): libtest's JUnit documents between cargo's own lines. A binary that
aborted writes no document, and its tests are unknown."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import ExitCode
from reportgen.ingest import load
from reportgen.model import IntegrityKind, SkipKind
from tests.conftest import REPO, gate_verdict

FIXTURES = REPO / "tests" / "fixtures" / "cargo-junit"


def test_a_clean_run_is_ready(tmp_path: Path) -> None:
    # Before: invalid input (4), "not a results file reportgen recognises".
    code, out = gate_verdict(tmp_path, str(FIXTURES / "clean.log"))
    assert code == ExitCode.READY, out
    run = load([str(FIXTURES / "clean.log")])
    assert run.inputs[0].format == "cargo-junit"
    assert sorted(t.name for t in run.tests) == ["add (line 3)", "adds", "also", "integ_ok"]


def test_a_failing_test_is_not_ready(tmp_path: Path) -> None:
    code, out = gate_verdict(tmp_path, str(FIXTURES / "fail.log"))
    assert code == ExitCode.NOT_READY, out
    assert not load([str(FIXTURES / "fail.log")]).inputs[0].integrity


@pytest.mark.parametrize("name", ["abort.log", "abort-nff.log"])
def test_a_binary_that_aborted_is_not_ready(tmp_path: Path, name: str) -> None:
    code, out = gate_verdict(tmp_path, str(FIXTURES / name))
    assert code == ExitCode.INSUFFICIENT, out
    (flag,) = load([str(FIXTURES / name)]).inputs[0].integrity
    assert flag.kind is IntegrityKind.ABORTED
    assert "tests/integ.rs" in flag.message
    assert "wrote no JUnit document" in flag.message


def test_output_cut_after_a_running_line_is_not_ready(tmp_path: Path) -> None:
    lines = (FIXTURES / "clean.log").read_text(encoding="utf-8").splitlines(keepends=True)
    cut = tmp_path / "cut.log"
    cut.write_text("".join(lines[:5]), encoding="utf-8")  # up to `Running tests/integ.rs`
    code, out = gate_verdict(tmp_path, str(cut))
    assert code == ExitCode.INSUFFICIENT, out
    (flag,) = load([str(cut)]).inputs[0].integrity
    assert "tests/integ.rs" in flag.message
    assert "its JUnit document is missing" in flag.message


def test_a_console_capture_beside_results_keeps_the_gate_from_ready(tmp_path: Path) -> None:
    """`cargo test > test.log` (libtest's console, which no reader takes) beside a passing
    JUnit file: it shows a binary that aborted. Before, READY (0): the log was only "not a
    results file reportgen recognises"; now it looks like results, as go test's text does."""
    results = tmp_path / "results"
    results.mkdir()
    (results / "test.log").write_bytes((FIXTURES / "console-abort.log").read_bytes())
    (results / "junit.xml").write_text(
        '<testsuite name="s" tests="1"><testcase classname="a" name="b" time="0.1"/></testsuite>',
        encoding="utf-8",
    )
    code, out = gate_verdict(tmp_path, str(results))
    assert code == ExitCode.INSUFFICIENT, out
    (skipped,) = load([str(results)]).skipped
    assert skipped.path.endswith("test.log")
    assert skipped.kind is SkipKind.UNRECOGNISED and skipped.evidence  # looks like results
