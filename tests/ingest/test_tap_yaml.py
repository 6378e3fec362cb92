"""TAP's fast YAML diagnostics reader gives exactly what PyYAML gives, or leaves the block to it."""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reportgen.ingest import _tap_yaml
from reportgen.ingest._tap_parser import Point, Stream, parse
from reportgen.ingest.base import Sink
from reportgen.model import TestTableBuilder
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "tap"


def _same(fast: Any, slow: Any) -> bool:
    """Equal and of the same types all the way down (True == 1 == 1.0 is not enough)."""
    if type(fast) is not type(slow):
        return False
    if isinstance(fast, dict):
        return list(fast) == list(slow) and all(
            _same(k, j) and _same(fast[k], slow[j]) for k, j in zip(fast, slow, strict=True)
        )
    if isinstance(fast, float) and math.isnan(fast):
        return math.isnan(slow)
    return bool(fast == slow)


def _check(text: str) -> bool:
    """Assert the fast reader agrees with PyYAML (pure and libyaml) on `text`; return whether
    the fast reader took it."""
    fast = _tap_yaml.load(text)
    try:
        slow = yaml.safe_load(text)
    except yaml.YAMLError:
        assert fast is None, text
        return False
    if fast is None:
        return False
    assert isinstance(slow, dict), text
    assert _same(fast, slow), (text, fast, slow)
    assert _same(fast, yaml.load(text, Loader=yaml.CSafeLoader)), text
    return True


def _blocks(path: Path) -> list[str]:
    """Every YAML diagnostics block of a TAP file, as the TAP reader hands it on."""
    sink = Sink(TestTableBuilder(), [], 0, str(path))
    parser = parse(path.read_text(encoding="utf-8"), sink, runs=False)
    found: list[str] = []

    def walk(stream: Stream) -> None:
        for entry in stream.entries:
            if isinstance(entry, Stream):
                walk(entry)
            elif isinstance(entry, Point):
                if entry.yaml_text is not None:
                    found.append(entry.yaml_text)
                if entry.children is not None:
                    walk(entry.children)

    for stream in parser.streams:
        walk(stream)
    return found


def _tap_files(corpus: Path | None) -> list[Path]:
    files = sorted(FIXTURES.glob("*.tap"))
    if corpus is not None:
        files += sorted((corpus / "tap").glob("*.tap"))
    return files


def test_every_block_of_the_corpus_reads_the_same(corpus: Path) -> None:
    taken = total = 0
    for path in _tap_files(corpus):
        for block in _blocks(path):
            total += 1
            taken += _check(block)
    assert total > 0
    # The corpus's blocks are node-tap's and node's usual shape: most are read here.
    assert taken >= total // 2, (taken, total)


def test_node_test_reporter_blocks_read_the_same(tmp_path: Path) -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    from tests.ingest.test_tap import _node_report

    path = _node_report(tmp_path, "tap", "tap")
    blocks = _blocks(path)
    assert blocks
    assert all(_check(block) for block in blocks)


_KEYS = st.sampled_from(
    [
        "message",
        "severity",
        "at",
        "file",
        "line",
        "stack",
        "duration_ms",
        "a.b",
        "x-1",
        "_k",
        "true",
        "null",
        "on",
        "No",
        "y",
        "n",
        "Off",
        "e1",
        "inf",
        "nan",
        "T",
        "F",
    ]
)
_TRICKY = st.sampled_from(
    [
        *[
            "1",
            "01",
            "0x1F",
            "0o17",
            "0b101",
            "1_000",
            "1:20",
            "1.5",
            "1e3",
            "1.0e+3",
            ".5",
            ".inf",
            ".NaN",
            "-1",
            "+1",
            "~",
            "null",
            "Null",
            "yes",
            "NO",
            "on",
            "2001-12-14",
            "=",
            "<<",
            "2001-12-14t21:59:43.10-05:00",
            "a#b",
            "a:",
            "a:b",
            "'quoted'",
            "'it''s'",
            "''",
            '"dq"',
            '""',
            "|",
            "|-",
            "|+",
            ">",
            "|2",
            "&a",
            "*a",
            "%x",
            "@x",
            "`x",
            "-x",
            "...",
            "---",
            "été",
            "a\\b",
        ],
        *["2001-12-14 21:59:43.10", "a # b", "a: b", "foo  bar", "'a' b", '"a\\"b"', "[1, 2]"],
        *["{a: 1}", "&a x", "!!str 1", "- x", "? x", "x\u00a0", "tab\there"],
    ]
)
_FREE = st.text(alphabet=" abc:#'\"-|>01.\\\t\u00e9\u00a0\u2028\x85~{}[],&*!%@=<", max_size=10)
_SCALAR = st.one_of(_TRICKY, _FREE)
_PAD = st.sampled_from(["", "", "", " ", "  "])


@st.composite
def _mapping_lines(draw: st.DrawFn, column: int = 0, depth: int = 0) -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        # Now and then a key one space off its siblings, as a broken writer would put it.
        shift = draw(st.sampled_from([0] * 12 + [-1, 1]))
        indent = " " * max(0, column + shift)
        key = draw(_KEYS)
        kind = draw(st.sampled_from(["scalar"] * 3 + ["empty", "nested", "literal", "blank"]))
        if kind == "blank":
            lines.append(" " * draw(st.integers(0, 6)))
        elif kind == "scalar":
            lines.append(f"{indent}{key}: {draw(_SCALAR)}{draw(_PAD)}")
        elif kind == "empty":
            lines.append(f"{indent}{key}:{draw(_PAD)}")
        elif kind == "nested" and depth < 3:
            lines.append(f"{indent}{key}:")
            inner = column + draw(st.integers(1, 4))
            lines += draw(_mapping_lines(inner, depth + 1))
        else:
            header = draw(st.sampled_from(["|", "|-", "|", "|-", "|+", ">"]))
            lines.append(f"{indent}{key}: {header}{draw(_PAD)}")
            body = column + draw(st.integers(0, 4))
            for _ in range(draw(st.integers(0, 5))):
                if draw(st.booleans()):
                    lines.append(" " * draw(st.integers(0, body + 3)))
                else:
                    extra = " " * draw(st.sampled_from([0, 0, 0, 1, 2]))
                    text = draw(st.one_of(_SCALAR, st.just("at f (x.js:1:2)")))
                    lines.append(" " * body + extra + text)
    return lines


@given(_mapping_lines(), st.booleans())
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(["message: |", "  a", "", "   ", "  b", "", "severity: fail"], False)
@example(["stack: |-", "    at f", "      at g", "  "], True)
@example(["at:", "  file: x.js", "  line: 12", "found: 1_000", "wanted: '1'"], False)
def test_generated_blocks_read_the_same(lines: list[str], trailing_newline: bool) -> None:
    _check("\n".join(lines) + ("\n" if trailing_newline else ""))


def test_the_usual_shapes_are_taken() -> None:
    """The shapes node-tap and node write are read here (the fast path is really used)."""
    blocks = [
        "message: 'expected 1, got 2'\nseverity: fail\nat:\n  file: test/a.js\n  line: 12",
        "duration_ms: 0.51\ntype: 'test'\nlocation: '/src/a.test.mjs:3:1'\nfailureType: "
        "'testCodeFailure'\nerror: |-\n  Expected values to be strictly equal:\n\n  1 !== 2\n"
        "code: 'ERR_ASSERTION'\nstack: |-\n  TestContext.<anonymous> (file:///src/a.mjs:5:10)",
        'found: "a"\nwanted: "b"\ncompare: ===',
    ]
    for block in blocks:
        assert _check(block), block


@pytest.mark.parametrize("tail", ["", "x", " # note", ": y"])
def test_a_long_run_of_blanks_in_a_value_reads_as_pyyaml_reads_it(tail: str) -> None:
    """The fuzz campaign's TAP mutant with a megabyte of blanks inside a YAML value: the key
    line's pattern backtracked over the run once per character (minutes for 100,000)."""
    _check("name: B" + " " * 100_000 + tail + "\nseverity: fail")


@pytest.mark.parametrize(
    "line",
    ["name:" + "a" * 100_000, "a" * 100_000, "name " + "a" * 100_000 + ": x", "- " + "a" * 100_000],
)
def test_a_long_line_that_is_no_key_line_reads_as_pyyaml_reads_it(line: str) -> None:
    """The fuzz campaign's TAP mutant with 200,000 letters after `name:` (no blank after the
    colon, so no key line): the one-pass key pattern, tried from every position of the line,
    read the rest of the line as a key each time (minutes for 100,000)."""
    _check(f"{line}\nseverity: fail")
    _check(f"severity: fail\n{line}")


def test_a_value_of_blanks_only_reads_as_pyyaml_reads_it() -> None:
    """Blanks and nothing else after the colon: no value, read in linear time by both the
    one-pass and the line-by-line reading (a blank line makes the block the latter's)."""
    blanks = " " * 100_000
    assert _check(f"name:{blanks}\nx: 1")
    assert _check(f"name:{blanks}\n\nx: 1")
    assert _tap_yaml.load(f"name:{blanks}\nx: 1") == {"name": None, "x": 1}
