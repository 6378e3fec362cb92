"""The JUnit reader's pass-through stream: a file that needs no byte repair goes to lxml as it
is, and every file the cleaning stream would change is read again by it, with the same result.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.ingest.base import Sink, Source
from reportgen.ingest.junit.reader import Reader
from reportgen.ingest.junit.stream import CHUNK, NeedsCleaning
from reportgen.model import TestTableBuilder

_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="s" tests="2">\n'
_TAIL = b'  <testcase classname="C" name="b" time="0.5"/>\n</testsuite>\n'

#: Bytes the cleaning stream repairs or removes, each inside a testcase's output.
NEEDS_CLEANING = {
    "control character": b"x\x01y",
    "ESC colour code": b"\x1b[31mred\x1b[0m",
    "NUL": b"a\x00b",
    "invalid UTF-8": b"caf\xe9",
    "UTF-8 surrogate": b"\xed\xa0\x80",
    "overlong UTF-8": b"\xc0\xaf",
    "ESC reference": b"&#27;[31mred",
    "control reference": b"&#x1;",
    "ESC reference in CDATA": b"<![CDATA[&#x1b;[31m]]>",
    "control reference in a comment": b"<!-- &#2; -->",
}


def _doc(body: bytes) -> bytes:
    return (
        _HEAD
        + b'  <testcase classname="C" name="a" time="0.25">\n'
        + b'    <failure message="boom">trace</failure>\n'
        + b"    <system-out>"
        + body
        + b"</system-out>\n  </testcase>\n"
        + _TAIL
    )


def _read(path: Path, *, passthrough: bool) -> Sink:
    sink = Sink(TestTableBuilder(), [], 0, str(path))
    Reader(Source(path, str(path), path.read_bytes()[:8192]), sink, passthrough=passthrough).run()
    return sink


@pytest.mark.parametrize("body", NEEDS_CLEANING.values(), ids=NEEDS_CLEANING.keys())
def test_bytes_the_cleaning_stream_changes_are_never_passed_through(
    tmp_path: Path, body: bytes
) -> None:
    path = tmp_path / "report.xml"
    path.write_bytes(_doc(body))
    with pytest.raises(NeedsCleaning):
        _read(path, passthrough=True)
    cleaned = _read(path, passthrough=False)
    assert len(cleaned._tests) == 2
    # Read through the ingester, the file gives what the cleaning stream alone gives.
    run = load([str(path)])
    assert len(run.tests) == 2
    assert run.tests[0].output is not None
    assert "\x1b" not in run.tests[0].output
    assert [w.message for w in run.inputs[0].warnings] == [w.message for w in cleaned.warnings]


def test_a_reference_split_across_chunks_is_still_found(tmp_path: Path) -> None:
    # `&#27;` (in CDATA, where lxml does not see it) starts two bytes before the end of the
    # first chunk lxml is given.
    head = _HEAD + b'  <testcase classname="C" name="a" time="0.25">\n    <system-out><![CDATA['
    pad = b"." * (CHUNK - len(head) - 2)
    path = tmp_path / "report.xml"
    path.write_bytes(head + pad + b"&#27;[31mred]]></system-out>\n  </testcase>\n" + _TAIL)
    with pytest.raises(NeedsCleaning):
        _read(path, passthrough=True)
    assert "[31m" not in (load([str(path)]).tests[0].output or "")


def test_a_clean_file_reads_the_same_either_way(tmp_path: Path) -> None:
    path = tmp_path / "report.xml"
    path.write_bytes(_doc("caf\u00e9 \u2713 output".encode()))
    passed = _read(path, passthrough=True)
    cleaned = _read(path, passthrough=False)
    assert [t.model_dump() for t in passed._tests.build()] == [
        t.model_dump() for t in cleaned._tests.build()
    ]
    assert passed.warnings == cleaned.warnings
    assert passed._tests.build()[0].output == "trace\n[system-out]\ncafé ✓ output"


def test_a_rejected_pass_leaves_nothing_behind(tmp_path: Path) -> None:
    # The control character comes after a suite whose declared counts are wrong (a warning
    # and an integrity flag) and a recorded test: the second pass records them once.
    path = tmp_path / "report.xml"
    path.write_bytes(
        b"<testsuites>\n"
        b'  <testsuite name="first" tests="5" failures="3">\n'
        b'    <testcase classname="C" name="b" time="0.5"/>\n'
        b"  </testsuite>\n"
        b'  <testsuite name="second">\n'
        b'    <testcase classname="C" name="a" time="0.25">'
        b'<failure message="boom">\x07bell</failure></testcase>\n'
        b"  </testsuite>\n"
        b"</testsuites>\n"
    )
    run = load([str(path)])
    assert [(t.name, t.outcome.value) for t in run.tests] == [("b", "passed"), ("a", "failed")]
    messages = [w.message for w in run.inputs[0].warnings]
    assert len(messages) == len(set(messages))
    assert any("control characters" in m for m in messages)
    assert any("declares" in m for m in messages)
    assert len(run.inputs[0].integrity) == len(set(run.inputs[0].integrity)) == 2
    assert run.inputs[0].records == 2


def test_children_read_before_one_with_children_of_its_own_are_kept(tmp_path: Path) -> None:
    # Childless children are read without elements until one has children: then the
    # testcase is rebuilt as an element, the children read so far included.
    path = tmp_path / "report.xml"
    path.write_bytes(
        b'<testsuite name="s">\n'
        b'  <testcase classname="C" name="a" time="0.5">\n'
        b'    <failure message="first line" type="E"><![CDATA[trace]]> more</failure>\n'
        b"    <system-out>out</system-out>\n"
        b'    <rerunFailure message="again" time="0.25"><stackTrace>st</stackTrace>'
        b"<system-out>rerun out</system-out></rerunFailure>\n"
        b'    <properties><property name="k" value="v"/></properties>\n'
        b"    <system-err>err</system-err>\n"
        b"  </testcase>\n"
        b'  <testcase classname="C" name="b"><skipped message="later"/></testcase>\n'
        b"</testsuite>\n"
    )
    run = load([str(path)])
    a, b = run.tests
    assert (a.outcome.value, a.message, a.type) == ("failed", "first line", "E")
    assert a.output == "trace more\n[system-out]\nout\n[system-err]\nerr"
    assert a.properties == {"k": "v"}
    assert [(x.outcome.value, x.message, x.output) for x in a.attempts] == [
        ("failed", "first line", None),
        ("failed", "again", "st\n[system-out]\nrerun out"),
    ]
    assert (b.outcome.value, b.message) == ("skipped", "later")
