"""TAP's run reader (top-level points read as columns) records exactly what line-by-line reading
records: the same table, warnings and integrity flags, on generated streams and real files."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reportgen import numbers
from reportgen.ingest import _tap_emit, _tap_parser
from reportgen.ingest.base import MAX_NAME_CHARS, Sink
from reportgen.model import Outcome, TestTableBuilder
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "tap"


def _read(text: str, runs: bool, window: int | None = None) -> tuple[Any, ...]:
    """Everything reading `text` records, with or without the run reader; `window`: how many
    characters are split into lines before the first run (tiny ones test the windows)."""
    builder = TestTableBuilder()
    sink = Sink(builder, [], 0, "run.tap")
    try:
        with patch.object(_tap_parser, "_WINDOW", window or _tap_parser._WINDOW):
            parser = _tap_parser.parse(text, sink, runs=runs)
    except numbers.NumberError as exc:
        return ("error", str(exc))
    _tap_emit.emit(parser, sink)
    table = builder.build()
    return (
        [case.model_dump() for case in table],
        [w.model_dump() for w in sink.warnings],
        [flag.model_dump() for flag in sink.integrity],
        sink.records,
        parser.seen_anything,
    )


def _runs(text: str) -> list[_tap_parser.Run]:
    sink = Sink(TestTableBuilder(), [], 0, "run.tap")
    parser = _tap_parser.parse(text, sink)
    return [e for e in parser.streams[0].entries if isinstance(e, _tap_parser.Run)]


def _same(text: str) -> None:
    slow = _read(text, runs=False)
    assert _read(text, runs=True) == slow, text
    for window in (1, 7, 40):
        assert _read(text, runs=True, window=window) == slow, (window, text)


_WORDS = st.sampled_from(["a", "b c", "x.y", "é", "1", "-", "{", "}", "...", "---", "ok", "not"])
_ODD = st.sampled_from(
    [
        *[" ", "  ", "\t", "#", "# ", "\\", "\\#", "\\\\", "{", " {", "-", "- ", "\u00a0", "\x0b"],
        *["# SKIP", "# skip why", "# Skipped: not here", "# TODO later", "# todo", "#TODO: x"],
        *["# SKIP reason # more", "# time=5ms", "# SKIP time=2s", "# todos", "# tod", "#\tSKIP"],
        *["\u2028", "\x85", "\x1b[31mred", "=", ": ", "# SKIP\u00a0", " # SKIP  "],
    ]
)


@st.composite
def _description(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(_WORDS, _WORDS, _ODD), max_size=4))
    return "".join(parts)


_COMMENTS = st.sampled_from(
    [
        *["# SKIP", "# SKIP not on linux", "# skip", "# Skipped: slow", "# TODO", "# todo later"],
        *["# SKIP time=3ms", "# time=1.5s", "# note", "#TODO x # y", "# SKIP a\\#b", "# todos"],
    ]
)


@st.composite
def _usual_point(draw: st.DrawFn) -> str:
    """A point as harnesses write it: a description, perhaps a directive or comment."""
    status = draw(st.sampled_from(["ok", "ok", "not ok"]))
    comment = draw(st.one_of(st.just(""), _COMMENTS.map(lambda c: " " + c)))
    return f"{status} {draw(st.integers(1, 30))} - {draw(_WORDS)} works{comment}"


@st.composite
def _point(draw: st.DrawFn) -> str:
    status = draw(st.sampled_from(["ok", "ok", "not ok", "not  ok", "ok", "nok"]))
    number = draw(st.sampled_from(["1", "2", "17", "", "0", "01", "99999999999999999999", "٣"]))
    dash = draw(st.sampled_from([" - ", " ", " -", " -  ", "-", ""]))
    head = f"{status} {number}" if number else status
    return f"{head}{dash}{draw(_description())}"


_YAML_BODIES = st.sampled_from(
    [
        ["message: 'expected 1, got 2'", "severity: fail", "at:", "  file: t.js", "  line: 3"],
        ["duration_ms: 1.5", "type: 'test'"],
        ["message: |-", "  two", "  lines", "stack: |", "  at f (x.js:1:2)"],
        ["location: '/src/a.mjs:3:1'", "error: boom", "code: E1", "name: AssertionError"],
        ["message: [unclosed", "x: {"],
        ["- a", "- b"],
        ["message: x", "...  # not the end"],
        ["at: here:12"],
        ["duration: -1", "line: x"],
        [],
    ]
)


@st.composite
def _yaml(draw: st.DrawFn) -> list[str]:
    indent = " " * draw(st.sampled_from([2, 2, 2, 1, 4, 0, 8]))
    dashes = [f"{indent}---"] * 4 + [f"{indent}---  ", "\t---", f"{indent}--"]
    lines = [draw(st.sampled_from(dashes))]
    body = draw(_YAML_BODIES)
    inner = draw(st.sampled_from([indent, indent, indent, "", " "]))
    lines += [f"{inner}{line}" if line else line for line in body]
    ends = [f"{indent}..."] * 4 + ["...", "  ... ", ""]
    lines.append(draw(st.sampled_from(ends)))
    return lines


_OTHER = st.sampled_from(
    [
        "",
        "   ",
        "# comment",
        "  # indented comment",
        "# Subtest: sub",
        "    # Subtest: inner",
        "pragma +strict",
        "1..3",
        "1..0 # SKIP nothing",
        "    1..2",
        "    ok 1 - child",
        "    not ok 2 - child two",
        "        ok 1 - grandchild",
        "  AssertionError: expected",
        "      at f (x.js:1:2)",
        "}",
        "TAP version 13",
        "TAP version 12",
        "Bail out! gone",
        "garbage",
        " " * 300 + "# too deep",
    ]
)


@st.composite
def _document(draw: st.DrawFn) -> str:
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append("TAP version 14")
    if draw(st.booleans()):
        lines.append(f"1..{draw(st.integers(0, 12))}")
    for _ in range(draw(st.integers(0, 14))):
        kind = draw(st.sampled_from(["usual"] * 5 + ["point", "point", "yaml", "yaml", "other"]))
        if kind == "usual":
            lines.append(draw(_usual_point()))
        elif kind == "point":
            lines.append(draw(_point()))
        elif kind == "yaml":
            lines.append(draw(st.one_of(_usual_point(), _point())))
            lines += draw(_yaml())
        else:
            lines.append(draw(_OTHER))
    ending = draw(st.sampled_from(["\n", "\n", "", "\n\n", "\r\n"]))
    separator = "\r\n" if ending == "\r\n" else "\n"
    return separator.join(lines) + ending


@given(_document())
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example("ok 1 - a\nok 2 - b # SKIP why\nnot ok 3 - c\n  ---\n  message: m\n  ...\nok 4 - d\n")
@example("1..2\nok 1 - a {\n    ok 1 - x\n    1..1\n}\nok 2 - b\n")
@example("ok 1 - a\n# Subtest: b\nok 2 - b\nok 3 - c\n")
@example("ok 1 - a\nnot ok 2 - b\n  AssertionError: x\nok 3 - c\n")
@example("ok 1 - a\nok 2 - b\n  ---\n  message: [x\n  ...\nok 3 - c\n  ---\n  x: {\n  ...\n")
@example("ok 1 - a\nok 2 - b # TODO\nok 3 - c # todo not yet\nnot ok 4 - d # TODO\n1..4\n")
@example("ok 1 - a\nok 2 - b\nBail out! stop\nok 3 - c\n")
@example("ok 1 - a\nok 2 - b\n    ok 1 - c\n    1..1\nok 3 - d\n1..3\n")
def test_generated_streams_read_the_same(text: str) -> None:
    _same(text)


@pytest.mark.parametrize(
    "text",
    [
        f"ok 1 - a\nok 2 - b # SKIP {'r' * 70_000}\nok 3 - {'n' * (MAX_NAME_CHARS + 5)}\n"
        f"not ok 4 - c\n  ---\n  name: {'t' * (MAX_NAME_CHARS + 1)}\n  ...\nok 5 - d\n1..5\n",
        f"ok 1 - a\nnot ok 2 - b\n  ---\n  at:\n    file: {'f' * (MAX_NAME_CHARS + 1)}\n"
        "    line: 3\n  ...\nok 3 - c\n1..3\n",
        f"ok 1 - a\nnot ok 2 - b\n  ---\n  message: {'m' * 70_000}\n  ...\nok 3 - c\n1..3\n",
    ],
)
def test_long_strings_are_cut_with_the_same_warnings(text: str) -> None:
    _same(text)
    assert len(_runs(text)) == 1


def test_the_usual_large_stream_is_one_run() -> None:
    """Plain points, skips, and failures with a YAML block: one run, not a point at a time."""
    lines = ["TAP version 13", "1..300"]
    for i in range(1, 301):
        if i % 50 == 0:
            lines += [f"not ok {i} - thing {i} works", "  ---", "  message: 'expected 1, got 2'"]
            lines += ["  severity: fail", "  at:", f"    file: test/t{i}.js", "    line: 7"]
            lines.append("  ...")
        elif i % 33 == 1:
            lines.append(f"ok {i} - thing {i} works # SKIP not on linux")
        elif i % 77 == 0:
            lines.append(f"ok {i} - thing {i} works # TODO later")
        else:
            lines.append(f"ok {i} - thing {i} works")
    text = "\n".join(lines) + "\n"
    _same(text)
    runs = _runs(text)
    assert len(runs) == 1 and len(runs[0].names) == 300
    table, warnings, *_ = _read(text, runs=True)
    assert sum(1 for case in table if case["outcome"] == Outcome.FAILED) == 6
    failed = next(case for case in table if case["outcome"] == Outcome.FAILED)
    assert (failed["message"], failed["file"], failed["line"]) == (
        "expected 1, got 2",
        "test/t50.js",
        7,
    )
    assert failed["properties"] == {"severity": "fail"}
    skipped = next(case for case in table if case["name"] == "thing 1 works")
    assert skipped["outcome"] == Outcome.SKIPPED and skipped["message"] == "not on linux"
    assert skipped["properties"] == {"directive": "SKIP", "reason": "not on linux"}
    assert [w["message"] for w in warnings] == [
        "3 TODO test(s) passed; still counted as skipped (todo) until the TODO is removed"
    ]


def test_runs_and_lines_taking_turns_read_the_same() -> None:
    """Runs broken by lines only the line-by-line reading takes (a subtest, a stack, a plan):
    the lines after each run are split from where it ended."""
    breaks = [
        ["    ok 1 - child", "    1..1"],
        ["  AssertionError: boom", "      at f (x.js:1:2)"],
        ["# Subtest: next", "    ok 1 - inner", "    1..1"],
        ["1..200"],
    ]
    lines = ["TAP version 14"]
    for i in range(1, 201):
        status = "not ok" if i % 7 == 0 else "ok"
        lines.append(f"{status} {i} - case {i}" + (" # SKIP later" if i % 11 == 0 else ""))
        if i % 25 == 0:
            lines += breaks[i // 25 % len(breaks)]
    text = "\n".join(lines) + "\n"
    _same(text)
    assert len(_runs(text)) >= 8


def _tap_files(corpus: Path) -> list[Path]:
    return sorted(FIXTURES.glob("*.tap")) + sorted((corpus / "tap").glob("*.tap"))


def test_corpus_files_read_the_same(corpus: Path) -> None:
    files = _tap_files(corpus)
    assert files
    for path in files:
        _same(path.read_text(encoding="utf-8"))


def test_node_reporter_output_reads_the_same(tmp_path: Path) -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    from tests.ingest.test_tap import _node_report

    _same(_node_report(tmp_path, "tap", "tap").read_text(encoding="utf-8"))
