"""The one clock: SOURCE_DATE_EPOCH parsed in one place, a bad value the same error everywhere."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from reportgen import clock
from reportgen.errors import ExitCode, UsageError
from tests.conftest import REPO, run_cli

SAMPLE = REPO / "samples" / "phase4-websocket"


@pytest.mark.parametrize("value", ["1000000000000", "-1", "1.5", "soon", "१२३"])
def test_bad_value_is_one_clear_usage_error_for_every_command(tmp_path: Path, value: str) -> None:
    results = str(SAMPLE / "results")
    commands = {
        "report": ["-c", str(SAMPLE / "criteria.yaml"), results, "-o", str(tmp_path / "r.md")],
        "verdict": ["-c", str(SAMPLE / "criteria.yaml"), results],
        "convert": ["--to", "ctrf", results, "-o", str(tmp_path / "c.json")],
        "summary": [results],
    }
    for command, args in commands.items():
        done = run_cli(command, *args, env={"SOURCE_DATE_EPOCH": value})
        assert done.returncode == ExitCode.USAGE, (command, done.stderr)
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("reportgen: SOURCE_DATE_EPOCH must be")
        assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_parse_epoch() -> None:
    assert clock.parse_epoch(" 1700000000 ") == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert clock.iso(clock.parse_epoch("0")) == "1970-01-01T00:00:00Z"
    assert clock.parse_epoch("253402300799").year == 9999
    with pytest.raises(UsageError):
        clock.parse_epoch("253402300800")


def test_source_date_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert clock.now() == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")
    assert clock.source_date() is None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "x")
    with pytest.raises(UsageError):
        clock.now()
