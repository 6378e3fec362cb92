"""The README's Quick start and .ci/run must agree on the test command."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO


def _quick_start_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, flags=re.S)


def test_quick_start_has_exactly_two_commands() -> None:
    commands = _quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)


def test_ci_runs_the_readme_test_command() -> None:
    test_command = _quick_start_commands()[1]
    # CI installs first, then runs what follows the `&&`.
    runner = test_command.split("&&", 1)[1].strip()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert runner in ci.splitlines()


def test_readme_criteria_example_is_valid(tmp_path: Path) -> None:
    from reportgen.criteria import load

    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Criteria file", 1)[1]
    example = re.search(r"```yaml\n(.+?)```", section, flags=re.S)
    assert example is not None
    path = tmp_path / "criteria.yaml"
    path.write_text(example.group(1), encoding="utf-8")
    ids = [c.id for c in load(str(path)).criteria]
    assert ids == ["connect-p95", "connect-no-regression", "reliability", "critical-imports"]
