"""End to end through the CLI: the bundled sample under a fake GitHub Actions pull-request run
gives the job summary, the annotation block and the PR comment of the closing note, each with
the CI context."""

from __future__ import annotations

import json
from pathlib import Path

from reportgen.ci import github
from tests.ci.test_github_action import _parse_outputs
from tests.ci.test_github_publish import _commands
from tests.conftest import run_cli

SHA = "3f2c9a1e7b5d4c6a8e0f1b2c3d4e5f6a7b8c9d0e"
RUN_URL = "https://github.com/octo/widgets/actions/runs/4242"
PR_URL = "https://github.com/octo/widgets/pull/88"
CRITERIA = "samples/phase4-websocket/criteria.yaml"


def test_sample_as_a_github_pull_request_run(tmp_path: Path) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("## Earlier step\n\nbuild ok\n", encoding="utf-8")
    outputs = tmp_path / "github_output"
    outputs.write_text("", encoding="utf-8")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 88}}), encoding="utf-8")
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_SHA": SHA,
        "GITHUB_REF": "refs/pull/88/merge",
        "GITHUB_REF_NAME": "88/merge",
        "GITHUB_HEAD_REF": "fix-ws-race",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "octo/widgets",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_JOB": "gate",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "SOURCE_DATE_EPOCH": "1767225600",
    }
    out = tmp_path / "out"
    result = run_cli(
        "report",
        "-c",
        CRITERIA,
        "--baseline",
        "samples/phase4-websocket/baseline",
        "samples/phase4-websocket/results",
        "-o",
        str(out / "phase4.md"),
        "-o",
        str(out / "phase4.html"),
        "-o",
        str(out / "pr-comment.txt"),
        "--to",
        "github-comment",
        env=env,
    )
    assert result.returncode == 1, result.stderr
    ci_line = (
        f"**CI:** GitHub Actions job gate · [run]({RUN_URL}) · commit {SHA[:12]} · branch "
        f"fix-ws-race · pull request [#88]({PR_URL})"
    )

    # The job summary: what the earlier step wrote, a blank line, then the report.
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## Earlier step\n\nbuild ok\n\n# Phase 4: Performance")
    assert ci_line in text and "## ❌ Verdict: NOT READY" in text
    assert len(text.encode("utf-8")) <= github.STEP_SUMMARY_BYTES

    # The annotation block: the failing and insufficient criteria at their line in the
    # criteria file, blocking failures first, then the failed test at its file and line with
    # its output in a collapsed group no line of which is a command.
    commands = _commands(result.stdout)
    errors = [c for c in commands if c.startswith("::error")]
    lines = [int(c.split("line=", 1)[1].split(",", 1)[0]) for c in errors]
    criteria_lines = Path(CRITERIA).read_text(encoding="utf-8").splitlines()
    assert [c.split("title=", 1)[1].split("%3A", 1)[0] for c in errors[:5]] == [
        "connect-no-regression",
        "staging-checks",
        "init-time",
        "latency-stable",
        "success-rate",
    ]
    for command, line in zip(errors[:5], lines, strict=False):
        criterion = command.split("title=", 1)[1].split("%3A", 1)[0]
        assert criteria_lines[line - 1].strip() == f"- id: {criterion}"
    assert errors[5].startswith("::error file=tests/staging/test_websocket.py,line=18,")
    assert [c.split("::")[1].split(" ")[0] for c in commands[6:]] == ["group", "endgroup"]
    assert "::stop-commands::" in result.stdout and "websocket manager not initialised" in (
        result.stdout
    )

    # The PR comment: marker, verdict with the CI context, criteria, failure with its output.
    comment = (out / "pr-comment.txt").read_text(encoding="utf-8")
    assert comment.splitlines()[0] == github.comment_marker(CRITERIA)
    assert ci_line in comment
    order = [
        comment.index(": NOT READY"),
        comment.index("FAIL connect-no-regression"),
        comment.index("INSUFFICIENT success-rate"),
        comment.index("### Failing tests (1)"),
        comment.index("server said:"),
        comment.index("**Not shown**"),
    ]
    assert order == sorted(order)
    assert "2 passing criteria" in comment and "in the artifacts of the [run](" in comment

    # The step outputs name the verdict and every report written.
    values = _parse_outputs(outputs.read_text(encoding="utf-8"))
    assert (values["verdict"], values["exit-code"]) == ("NOT READY", "1")
    assert values["reports"].splitlines() == [
        str(out / "phase4.md"),
        str(out / "phase4.html"),
        str(out / "pr-comment.txt"),
    ]
