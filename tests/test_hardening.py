"""Regression tests for issue 15: hostile inputs end in a verdict or one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.text import terminal_text
from tests.conftest import REPO, run_cli

HOSTILE_NAME = (
    "a\n::add-mask::secret\n##[error]boom\x1b]52;c;cHduZWQ=\x07\x1b[2J\u202egnp.exe\u200b"
)


def _junit(tmp_path: Path, name: str) -> Path:
    """A JUnit file with one failing test whose name and message carry `name`."""
    from xml.sax.saxutils import quoteattr

    path = tmp_path / "hostile.xml"
    escaped = quoteattr(name).replace("\n", "&#10;").replace("\x1b", "").replace("\x07", "")
    path.write_text(
        f'<testsuite><testcase classname="c" name={escaped}>'
        f"<failure message={escaped}/></testcase></testsuite>",
        encoding="utf-8",
    )
    return path


def _assert_terminal_safe(text: str) -> None:
    for line in text.splitlines():
        assert not line.lstrip().startswith(("::", "##[")), line
    assert "##vso[" not in text
    for char in ("\x1b", "\x07", "\x9b", "\u202e", "\u200b", "\r"):
        assert char not in text


def test_terminal_text_neutralises_commands_and_controls() -> None:
    out = terminal_text(HOSTILE_NAME + "\r::warning::x ##vso[task.setvariable]")
    _assert_terminal_safe(out)
    assert "<U+202E>" in out and "\\::add-mask::secret" in out


def test_terminal_text_keeps_clean_text() -> None:
    assert terminal_text("ok\tfine: a::b\n") == "ok\tfine: a::b\n"


@pytest.mark.parametrize(
    "command",
    [
        ["summary"],
        ["convert", "--to", "ctrf", "-o", "-"],
        ["verdict", "-c", "samples/phase4-websocket/criteria.yaml"],
        ["report", "-c", "samples/phase4-websocket/criteria.yaml", "--to", "md", "-o", "-"],
    ],
)
def test_commands_print_no_workflow_commands(tmp_path: Path, command: list[str]) -> None:
    path = _junit(tmp_path, HOSTILE_NAME)
    result = run_cli(*command, str(path), cwd=REPO)
    _assert_terminal_safe(result.stdout)
    _assert_terminal_safe(result.stderr)


def test_error_line_naming_a_hostile_file_is_safe(tmp_path: Path) -> None:
    bad = tmp_path / "x\n::add-mask::y\u202e.xml"
    bad.write_text("<testsuite><testcase", encoding="utf-8")
    result = run_cli("summary", "--format", "junit", str(bad))
    assert result.returncode == 4
    _assert_terminal_safe(result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1
