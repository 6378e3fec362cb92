"""`--ci github` through the real CLI: hostile test names cannot issue workflow commands, and
the job summary (1 MiB) and the PR comment (65,536 characters) hold with 5,000 failures."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest

from reportgen.ci import github
from tests.ci.test_github_action import _parse_outputs
from tests.conftest import run_cli

CRITERIA = """\
version: 1
criteria:
  - id: no-failures
    tests:
      select: "**"
      max_failed: 0
"""

HOSTILE = [
    "::set-env name=PATH::/tmp/evil",
    "line1\n::add-mask::secret",
    "100% done,title=x::y",
    "carriage\rreturn::warning::z",
]


def _junit(path: Path, failures: int, output: str = "") -> None:
    cases = []
    for i in range(failures):
        name = HOSTILE[i % len(HOSTILE)] + f" #{i}"
        message = f"boom {HOSTILE[(i + 1) % len(HOSTILE)]}"
        body = escape(output or f"::error::forged by test {i}\n::stop-commands::guess\n")
        cases.append(
            f"<testcase classname={quoteattr('pkg.mod')} name={quoteattr(name)} "
            f'file="pkg/mod.py" line="{i + 1}">'
            f"<failure message={quoteattr(message)}>{body}</failure></testcase>"
        )
    cases.append('<testcase classname="pkg.mod" name="ok"/>')
    path.write_text(
        f'<?xml version="1.0"?><testsuite name="s" tests="{failures + 1}" '
        f'failures="{failures}">{"".join(cases)}</testsuite>',
        encoding="utf-8",
    )


def _commands(log: str) -> list[str]:
    """The lines the runner would read as workflow commands (outside stop-commands blocks)."""
    active: list[str] = []
    stopped: str | None = None
    for line in log.split("\n"):
        if stopped is not None:
            if line == f"::{stopped}::":
                stopped = None
            continue
        if line.startswith("::stop-commands::"):
            stopped = line.removeprefix("::stop-commands::")
            continue
        if line.startswith("::"):
            active.append(line)
    return active


@pytest.fixture()
def fake_github(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "summary.md").write_text("before\n", encoding="utf-8")
    (tmp_path / "output").write_text("", encoding="utf-8")
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
    }


def test_escaping() -> None:
    assert github.escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert github.escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    line = github.command("error", "x\n::set-env::y", file="f:1,2", line=3, title="t")
    assert line == "::error file=f%3A1%2C2,line=3,title=t::x%0A::set-env::y\n"
    with pytest.raises(ValueError):
        github.stop_commands("contains TOKEN", "TOKEN")


def test_hostile_names_issue_no_commands(tmp_path: Path, fake_github: dict[str, str]) -> None:
    (tmp_path / "criteria.yaml").write_text(CRITERIA, encoding="utf-8")
    _junit(tmp_path / "junit.xml", 8)
    result = run_cli(
        "verdict",
        "-c",
        str(tmp_path / "criteria.yaml"),
        str(tmp_path / "junit.xml"),
        env=fake_github,
    )
    assert result.returncode == 1, result.stderr
    commands = _commands(result.stdout)
    kinds = [c.split(" ", 1)[0].split("::")[1] for c in commands]
    # Only what reportgen meant: annotations and the output groups, never a forged command.
    assert set(kinds) <= {"error", "warning", "notice", "group", "endgroup"}, commands
    assert kinds.count("error") == 9  # the criterion at its line, then the 8 tests
    assert any(c.startswith(f"::error file={tmp_path / 'criteria.yaml'},line=3,") for c in commands)
    assert any("file=pkg/mod.py,line=1," in c for c in commands)
    for c in commands:
        assert "\r" not in c
    # The forged command lines are still in the log, but inside stop-commands blocks.
    assert "::error::forged by test 0" in result.stdout


def test_limits_with_5000_failures(tmp_path: Path, fake_github: dict[str, str]) -> None:
    (tmp_path / "criteria.yaml").write_text(CRITERIA, encoding="utf-8")
    _junit(tmp_path / "junit.xml", 5000, output="Traceback ✗ " * 40)
    # Earlier steps left the summary nearly full: the report must be trimmed into what is left.
    earlier = "before\n" + "x" * (github.STEP_SUMMARY_BYTES - 20_000) + "\n"
    Path(fake_github["GITHUB_STEP_SUMMARY"]).write_text(earlier, encoding="utf-8")
    result = run_cli(
        "report",
        "-c",
        str(tmp_path / "criteria.yaml"),
        str(tmp_path / "junit.xml"),
        "-o",
        str(tmp_path / "full.md"),
        "-o",
        str(tmp_path / "comment.txt"),
        "--to",
        "github-comment",
        env=fake_github,
        timeout=600,
    )
    assert result.returncode == 1, result.stderr
    full = (tmp_path / "full.md").read_text(encoding="utf-8")
    assert len(full.encode("utf-8")) > 20_000  # the limit is really tested
    summary = Path(fake_github["GITHUB_STEP_SUMMARY"]).read_bytes()
    assert summary.startswith(earlier.encode("utf-8"))
    assert len(summary) > len(earlier) + 1000
    assert len(summary) <= github.STEP_SUMMARY_BYTES
    assert "Trimmed" in summary.decode("utf-8")
    comment = (tmp_path / "comment.txt").read_text(encoding="utf-8")
    assert len(comment) <= github.COMMENT_CHARS
    assert comment.startswith("<!-- reportgen:")
    assert "Traceback ✗" in comment  # failures keep their output
    commands = _commands(result.stdout)
    assert sum(c.startswith("::error") for c in commands) == github.ANNOTATIONS_PER_TYPE
    notices = [c for c in commands if c.startswith("::notice")]
    assert len(notices) == 1 and "4991 more" in notices[0]
    values = _parse_outputs(Path(fake_github["GITHUB_OUTPUT"]).read_text(encoding="utf-8"))
    assert values["tests-failed"] == "5000"
    assert values["verdict"] == "NOT READY"
    assert values["reports"].splitlines() == [
        str(tmp_path / "full.md"),
        str(tmp_path / "comment.txt"),
    ]
