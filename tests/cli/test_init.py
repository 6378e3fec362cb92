"""`reportgen init` through the real CLI: the starter criteria file loads and evaluates."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conftest import REPO, run_cli

SAMPLE = REPO / "samples" / "phase4-websocket"


def test_init_output_loads_and_evaluates(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "criteria.yaml"
    made = run_cli("init", str(SAMPLE / "results"), "-o", str(out))
    assert made.returncode == 0, made.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Starter criteria")
    loaded = yaml.safe_load(text)
    ids = [c["id"] for c in loaded["criteria"]]
    assert ids[:2] == ["no-failing-tests", "pass-rate"]
    # One threshold and one baseline comparison per metric of the inputs.
    for metric in ("ws-connect-time", "ws-manager-init-time", "ws-concurrent-connect-time"):
        assert f"{metric}-threshold" in ids and f"{metric}-no-regression" in ids
    result = run_cli(
        "verdict", "--ci", "none", "-c", str(out), "--baseline", str(SAMPLE / "baseline"),
        str(SAMPLE / "results"), "--json", "-",
    )  # fmt: skip
    assert result.returncode in (0, 1, 3), result.stderr  # evaluated, not rejected (4)
    evaluation = json.loads(result.stdout)
    by_id = {c["id"]: c for c in evaluation["criteria"]}
    assert by_id["no-failing-tests"]["status"] == "fail"  # the sample's staging failure
    assert by_id["ws-connect-time-no-regression"]["status"] == "fail"  # +25% vs baseline


def test_init_to_stdout_without_metrics(tmp_path: Path) -> None:
    made = run_cli("init", str(SAMPLE / "results" / "junit.xml"))
    assert made.returncode == 0, made.stderr
    path = tmp_path / "c.yaml"
    path.write_text(made.stdout, encoding="utf-8")
    result = run_cli("verdict", "--ci", "none", "-c", str(path), str(SAMPLE / "results"))
    assert result.returncode in (0, 1, 3), result.stderr
