"""`max_flaky_history` needs each selected test in at least two recorded runs: real pytest
JUnit results recorded, then the tests renamed (new ids) and gated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.history.test_history import record

TESTS = "def test_one():\n    assert True\n\n\ndef test_two():\n    assert True\n"
CRITERIA = """version: 1
criteria:
  - id: not-flaky
    tests: {select: "**", max_flaky_history: 0, window: 20}
"""
ENV = {"GITHUB_ACTIONS": "true", "GITHUB_REF_NAME": "main"}


def _pytest(where: Path, out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={out}"],
        cwd=where,
        capture_output=True,
        timeout=120,
        check=True,
    )
    return out


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Path, Path]:
    """Three runs of tests/api, one more of the same, and one after the module was renamed."""
    where = tmp_path_factory.mktemp("flaky")
    (where / "old").mkdir()
    (where / "old" / "test_api.py").write_text(TESTS)
    (where / "new").mkdir()
    (where / "new" / "test_api_v2.py").write_text(TESTS)
    earlier = [_pytest(where / "old", where / f"old{i}.xml") for i in range(3)]
    same = _pytest(where / "old", where / "same.xml")
    renamed = _pytest(where / "new", where / "renamed.xml")
    return earlier, same, renamed


def _gate(db: str, current: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    crit = tmp_path / "criteria.yaml"
    crit.write_text(CRITERIA)
    return run_cli("verdict", "-c", str(crit), "--db", db, str(current), env=ENV)


@pytest.mark.parametrize("recorded_first", [True, False])
def test_renamed_tests_have_no_flaky_history(
    results: tuple[list[Path], Path, Path], tmp_path: Path, recorded_first: bool
) -> None:
    """Renamed tests never ran under their ids before: whether recorded before the gate (one
    run) or not (none), history cannot clear them of flakiness."""
    earlier, _, renamed = results
    db = f"sqlite:///{tmp_path / 'h.db'}"
    for i, path in enumerate(earlier):
        assert record(db, path, commit=f"{i + 1:040x}").returncode == 0
    if recorded_first:
        assert record(db, renamed, commit="f" * 40).returncode == 0
    done = _gate(db, renamed, tmp_path)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "2 of 2 tests matching ** ran in fewer than 2 of the last" in done.stdout


def test_tests_seen_in_the_window_are_judged(
    results: tuple[list[Path], Path, Path], tmp_path: Path
) -> None:
    earlier, same, _ = results
    db = f"sqlite:///{tmp_path / 'h.db'}"
    for i, path in enumerate(earlier):
        assert record(db, path, commit=f"{i + 1:040x}").returncode == 0
    done = _gate(db, same, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 tests matching ** flaky in the last 3 recorded runs of branch main" in done.stdout
