"""What each command imports: only the chosen command's code, and no scipy on the verdict path."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from reportgen.cli import COMMAND_HELP, COMMANDS, build_parser
from tests.conftest import REPO

SAMPLE = REPO / "samples" / "phase4-websocket"


# Runs the CLI's own entry point and, on the way out (after --help's exit too), lists every
# module the process holds on its last stderr line.
_PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write('MODULES ' + ' '.join(sorted(sys.modules))))\n"
    "from reportgen.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def imported_modules(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run the CLI with ARGS in a fresh interpreter and read which modules it imported."""
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=REPO,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    last = proc.stderr.rsplit("MODULES ", 1)
    assert len(last) == 2, proc.stderr
    return proc, set(last[1].split())


def test_help_imports_no_command_module_and_lists_every_command() -> None:
    proc, modules = imported_modules("--help")
    assert proc.returncode == 0
    for name, help_text in COMMAND_HELP.items():
        assert name in proc.stdout
        assert help_text.split()[0] in proc.stdout
    heavy = {"pydantic", "numpy", "scipy", "yaml", "lxml", "reportgen.model", "reportgen.ingest"}
    assert not heavy & modules, heavy & modules
    assert not {f"reportgen.cli.{name}" for name in COMMANDS} & modules


@pytest.mark.parametrize("command", COMMANDS)
def test_a_command_imports_only_its_own_module(command: str) -> None:
    proc, modules = imported_modules(command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert f"reportgen.cli.{command}" in modules
    others = {f"reportgen.cli.{name}" for name in COMMANDS} - {f"reportgen.cli.{command}"}
    # `report` shows the same table as `verdict`, so it may import that one module.
    allowed = {"reportgen.cli.verdict"} if command == "report" else set()
    assert not (others - allowed) & modules
    assert "usage: reportgen " + command in proc.stdout


def test_verdict_on_the_sample_does_not_import_scipy() -> None:
    proc, modules = imported_modules(
        "verdict",
        "-c",
        str(SAMPLE / "criteria.yaml"),
        "--baseline",
        str(SAMPLE / "baseline"),
        str(SAMPLE / "results"),
    )
    assert proc.returncode == 1, proc.stderr  # the sample is honestly NOT READY
    assert "Verdict: NOT READY" in proc.stdout
    assert "reportgen.stats" in modules
    assert not {m for m in modules if m == "scipy" or m.startswith("scipy.")}


def test_each_command_registers_the_help_shown_in_the_overview() -> None:
    # The lazily built overview takes its lines from COMMAND_HELP; the full tree must agree.
    parser = build_parser("*")
    sub = next(a for a in parser._actions if a.dest == "command")
    shown = {choice.dest: choice.help for choice in sub._choices_actions}  # type: ignore[attr-defined]
    assert shown == dict(COMMAND_HELP)
    assert list(sub.choices) == list(COMMANDS)  # type: ignore[arg-type]
