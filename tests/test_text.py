"""The untrusted-text boundary: escapes in names from a real harness never reach the terminal."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import load
from reportgen.text import clean_mapping, clean_name, clean_names, clean_text
from tests.conftest import run_cli

# A title-setting OSC, colours and a clear-screen in test names, and colour in a message.
SUITE = """\
import test from "node:test";
test("title \\x1b]0;pwned\\x07 \\x1b[31mred\\x1b[0m", () => {});
test("clear \\x1b[2J\\x1b[H screen", () => { throw new Error("boom \\x1b[31mred"); });
"""
CRITERIA = """\
version: 1
criteria:
  - id: all-pass
    tests: {min_pass_rate: 99%}
  - id: screen
    tests: {require: ["*screen*"]}
"""


@pytest.fixture(scope="module")
def hostile_tap(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """TAP written by node's own test runner for tests whose names hold escape sequences."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    root = tmp_path_factory.mktemp("tap")
    (root / "esc.test.mjs").write_text(SUITE, encoding="utf-8")
    done = subprocess.run(
        [node, "--test", "--test-reporter=tap", "esc.test.mjs"],
        cwd=root,
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert b"\x1b]0;pwned" in done.stdout, "node no longer writes names verbatim"
    out = root / "esc.tap"
    out.write_bytes(done.stdout)
    (root / "criteria.yaml").write_text(CRITERIA, encoding="utf-8")
    return out


def test_names_are_cleaned_at_ingest(hostile_tap: Path) -> None:
    run = load([str(hostile_tap)])
    names = sorted(t.name for t in run.tests)
    assert names == ["clear  screen", "title  red"]
    assert all("\x1b" not in (t.message or "") for t in run.tests)


def test_escapes_never_reach_summary(hostile_tap: Path) -> None:
    for args in ((), ("--json",)):
        done = run_cli("summary", *args, str(hostile_tap))
        assert done.returncode == 0, done.stderr
        assert "clear  screen" in done.stdout
        for text in (done.stdout, done.stderr):
            assert "\x1b" not in text and "\x07" not in text and "\\u001b" not in text.lower()


def test_escapes_never_reach_verdict(hostile_tap: Path) -> None:
    criteria = str(hostile_tap.parent / "criteria.yaml")
    done = run_cli("verdict", "-c", criteria, str(hostile_tap), "--json", "-")
    assert done.returncode == 1, done.stderr
    assert "1 required test failed: clear screen." in done.stderr  # the reason's one line
    for text in (done.stdout, done.stderr):
        assert "\x1b" not in text and "\x07" not in text and "\\u001b" not in text.lower()


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain", "plain"),
        ("a\x1b[31mred\x1b[0m", "ared"),
        ("t\x1b]8;;http://x/\x07link\x1b]8;;\x07", "tlink"),
        ("bell\x07 nul\x00 del\x7f c1\x9b31m", "bell nul del c1"),
        ("crlf\r\nnext\rline", "crlf\nnext\nline"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    assert clean_name(raw) == clean
    assert list(clean_names(["ok", raw])) == ["ok", clean]
    assert clean_mapping({raw: raw}) == {clean: clean}


def test_error_lines_are_printable() -> None:
    error = InputError("unexpected \x1b[2Jvalue\r\n'\x1b]0;t\x07x'", path="r.tap", line=3)
    assert str(error) == "r.tap:3: unexpected value 'x'"


def test_clean_batches_are_passed_through_untouched_when_clean() -> None:
    names = ["a", "b"]
    assert clean_names(names) is names
    assert clean_name(None) is None
