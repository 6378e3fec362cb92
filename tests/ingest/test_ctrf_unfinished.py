"""A CTRF test that ends before it starts never finished (pytest-json-ctrf's report of a
session stopped inside a test): no pass, and the run is cut short (fixtures and the command
that made them: tests/fixtures/ctrf-interrupted/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import IntegrityKind, Outcome
from tests.conftest import run_cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ctrf-interrupted"


@pytest.mark.parametrize("name", ["keyboard-interrupt.json", "pytest-exit.json"])
def test_a_test_the_session_stopped_inside_is_no_pass(tmp_path: Path, name: str) -> None:
    path = FIXTURES / name
    run = load([str(path)])
    (stopped,) = [t for t in run.tests if t.name.endswith("test_stop")]
    assert stopped.outcome is Outcome.SKIPPED and stopped.duration is None
    assert run.tests.outcome_counts()[Outcome.PASSED] == 5
    (flag,) = run.inputs[0].integrity
    assert flag.kind is IntegrityKind.ABORTED and "test_stop" in flag.message
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text("version: 1\ncriteria:\n  - id: none-failed\n    tests: {max_failed: 0}\n")
    # Before: six passes, READY (exit 0); the tests after test_stop never ran.
    proc = run_cli("verdict", "-c", str(criteria), str(path))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "ends before it starts" in proc.stdout
