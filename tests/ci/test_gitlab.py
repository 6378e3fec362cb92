"""GitLab outputs through the real CLI: Code Quality JSON with the fields GitLab and the Code
Climate spec require and fingerprints stable across runs, and the dotenv verdict."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import REPO, run_cli

SAMPLE = Path("samples") / "phase4-websocket"
SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def _codequality(tmp_path: Path, name: str) -> list[dict[str, object]]:
    out = tmp_path / name
    result = run_cli(
        "verdict", "--ci", "none", "-c", str(SAMPLE / "criteria.yaml"),
        "--baseline", str(SAMPLE / "baseline"), str(SAMPLE / "results"),
        "--gitlab-codequality", str(out), "--gitlab-dotenv", str(tmp_path / f"{name}.env"),
        "--json", str(tmp_path / f"{name}.verdict.json"), cwd=REPO,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    issues: list[dict[str, object]] = json.loads(out.read_text(encoding="utf-8"))
    return issues


def test_codequality_fields_and_stable_fingerprints(tmp_path: Path) -> None:
    first = _codequality(tmp_path, "a.json")
    second = _codequality(tmp_path, "b.json")
    assert first == second
    evaluation = json.loads((tmp_path / "a.json.verdict.json").read_text(encoding="utf-8"))
    flagged = [c for c in evaluation["criteria"] if c["status"] in ("fail", "insufficient")]
    assert len(flagged) >= 3
    assert len(first) == len(flagged) + 1  # and the sample's one failed test
    fingerprints = [issue["fingerprint"] for issue in first]
    assert len(set(fingerprints)) == len(fingerprints)
    for issue in first:
        # Code Climate spec: type, check_name, description, categories, location.
        assert issue["type"] == "issue"
        assert isinstance(issue["check_name"], str) and issue["check_name"]
        assert isinstance(issue["description"], str) and issue["description"]
        assert isinstance(issue["categories"], list) and issue["categories"]
        # GitLab also requires fingerprint and severity.
        assert issue["severity"] in SEVERITIES
        location = issue["location"]
        assert isinstance(location, dict)
        assert isinstance(location["path"], str) and location["path"]
        assert isinstance(location["lines"]["begin"], int) and location["lines"]["begin"] >= 1
    by_check = {str(i["description"]).split(" ", 1)[0]: i for i in first}
    staging = by_check["staging-checks"]
    assert staging["location"] == {"path": str(SAMPLE / "criteria.yaml"), "lines": {"begin": 50}}
    test = next(i for i in first if i["check_name"] == "reportgen/test-failed")
    assert test["location"] == {"path": "tests/staging/test_websocket.py", "lines": {"begin": 18}}


def test_dotenv_verdict(tmp_path: Path) -> None:
    _codequality(tmp_path, "c.json")
    lines = (tmp_path / "c.json.env").read_text(encoding="utf-8").splitlines()
    values = dict(line.split("=", 1) for line in lines)
    assert values["REPORTGEN_VERDICT"] == "NOT_READY"
    assert values["REPORTGEN_EXIT_CODE"] == "1"
    evaluation = json.loads((tmp_path / "c.json.verdict.json").read_text(encoding="utf-8"))
    fails = sum(c["status"] == "fail" for c in evaluation["criteria"])
    assert values["REPORTGEN_CRITERIA_FAIL"] == str(fails)
    assert all(" " not in value for value in values.values())
