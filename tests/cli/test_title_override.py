"""`--title` and `--subject` override the criteria file's in the verdict JSON and the report."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import REPO, run_cli

SAMPLE = REPO / "samples" / "phase4-websocket"


def test_title_and_subject_flags(tmp_path: Path) -> None:
    common = ["-c", str(SAMPLE / "criteria.yaml"), str(SAMPLE / "results")]
    flags = ["--ci", "none", "--title", "Release gate", "--subject", "PR 88"]
    verdict = run_cli("verdict", *common, *flags, "--json", "-")
    evaluation = json.loads(verdict.stdout)
    assert (evaluation["title"], evaluation["subject"]) == ("Release gate", "PR 88")
    plain = json.loads(run_cli("verdict", *common, "--ci", "none", "--json", "-").stdout)
    assert plain["title"].startswith("Phase 4")  # without the flags, the criteria file's
    out = tmp_path / "r.md"
    report = run_cli("report", *common, *flags, "-o", str(out))
    assert report.returncode == 1, report.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Release gate") and "PR 88" in text
