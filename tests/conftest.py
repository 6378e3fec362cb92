"""Shared test fixtures: where the conformance corpus is, and running the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.model import Outcome, Run

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The third-party conformance corpus beside the project; skip when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"conformance corpus not found at {CORPUS}")
    return CORPUS


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `python -m reportgen ARGS` in a subprocess and capture its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "reportgen", *args],
        cwd=cwd or REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def counts(run: Run) -> tuple[int, int, int, int, int]:
    """(total, passed, failed, errors, skipped) of a run's tests."""
    c = run.tests.outcome_counts()
    return (
        len(run.tests),
        c[Outcome.PASSED],
        c[Outcome.FAILED],
        c[Outcome.ERROR],
        c[Outcome.SKIPPED],
    )
