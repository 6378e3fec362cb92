"""behave's JUnit reporter: a scenario it never reached (`untested`) is no pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import IntegrityKind, Outcome
from tests.conftest import run_cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "behave"


def _verdict(tmp_path: Path, rule: str, inputs: Path) -> int:
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(f"version: 1\ncriteria:\n  - id: gate\n    tests: {{{rule}}}\n")
    proc = run_cli("verdict", "-c", str(criteria), str(inputs))
    assert proc.returncode in (0, 1, 3), proc.stdout + proc.stderr
    return proc.returncode


@pytest.mark.parametrize("run", ["hook-error", "hook-error-no-skipped"])
def test_scenarios_after_a_failed_before_feature_hook_are_not_passes(
    tmp_path: Path, run: str
) -> None:
    # behave exited 1: Login's before_feature hook raised, so none of its scenarios ran. The
    # XML says so only by their status `untested` (without --no-skipped also a <skipped />).
    loaded = load([str(FIXTURES / run)])
    outcomes = sorted((t.id, t.outcome) for t in loaded.tests)
    assert outcomes == [
        ("cart.Cart::add an item", Outcome.PASSED),
        ("cart.Cart::remove an item", Outcome.PASSED),
        ("login.Login::bad password", Outcome.SKIPPED),
        ("login.Login::good password", Outcome.SKIPPED),
    ]
    flags = [(f.kind, f.scope) for source in loaded.inputs for f in source.integrity]
    assert flags == [(IntegrityKind.ABORTED, "login.Login")]
    # The whole run, or the feature whose hook failed, is no evidence for READY; the feature
    # that ran is.
    assert _verdict(tmp_path, 'select: "**", max_failed: 0', FIXTURES / run) == 3
    assert _verdict(tmp_path, 'select: "login.Login::*", max_failed: 0', FIXTURES / run) == 3
    assert _verdict(tmp_path, 'select: "cart.Cart::*", max_failed: 0', FIXTURES / run) == 0
