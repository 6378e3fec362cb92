"""JUnit ingester against broken and hostile files: refused with one clear error, or recovered."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import load
from reportgen.model import OUTPUT_CAP, Outcome

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "junit"


def write(tmp_path: Path, data: bytes, name: str = "report.xml") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_truncated_file_names_file_and_line(tmp_path: Path) -> None:
    doc = (
        b'<?xml version="1.0"?>\n<testsuites>\n<testsuite name="s">\n'
        b'<testcase name="a" time="1"/>\n<testcase name="b"><failure message="x">tr'
    )
    path = write(tmp_path, doc)
    with pytest.raises(InputError) as info:
        load([path], format="junit")
    text = str(info.value)
    assert text.startswith(f"{path}:5: malformed XML")
    assert "\n" not in text


def test_truncated_fixture_detected_by_content() -> None:
    path = FIXTURES / "truncated.xml"
    with pytest.raises(InputError, match=r"truncated\.xml:\d+: malformed XML"):
        load([str(path)])


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, b"")
    with pytest.raises(InputError, match="file is empty"):
        load([path], format="junit")
    blank = write(tmp_path, b"\xef\xbb\xbf  \n", name="blank.xml")
    with pytest.raises(InputError, match="file is empty"):
        load([blank], format="junit")


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path, bytes(range(256)) * 4)
    with pytest.raises(InputError, match="not XML"):
        load([path], format="junit")


def test_not_xml_text(tmp_path: Path) -> None:
    path = write(tmp_path, b"PASS tests/a.py\nFAIL tests/b.py\n")
    with pytest.raises(InputError, match="not XML"):
        load([path], format="junit")


def test_entity_bomb_refused_before_parsing() -> None:
    path = FIXTURES / "entity-bomb.xml"
    with pytest.raises(InputError) as info:
        load([str(path)])
    assert "entities" in str(info.value)
    assert str(info.value).startswith(f"{path}:2:")


def test_external_entity_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    doc = (
        f'<?xml version="1.0"?>\n<!DOCTYPE testsuite [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        '<testsuite name="s"><testcase name="t"><failure message="&xxe;">&xxe;</failure>'
        "</testcase></testsuite>"
    ).encode()
    path = write(tmp_path, doc)
    with pytest.raises(InputError, match="entities") as info:
        load([path], format="junit")
    assert "TOP-SECRET" not in str(info.value)


def test_undeclared_entity_with_external_dtd_is_not_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.dtd"
    secret.write_text('<!ENTITY leak "TOP-SECRET-CONTENT">')
    doc = (
        f'<?xml version="1.0"?>\n<!DOCTYPE testsuite SYSTEM "file://{secret}">\n'
        '<testsuite name="s"><testcase name="t"><failure message="m">&leak;</failure>'
        "</testcase></testsuite>"
    ).encode()
    path = write(tmp_path, doc)
    try:
        run = load([path], format="junit")
    except InputError as exc:
        assert "TOP-SECRET" not in str(exc)
    else:
        assert all("TOP-SECRET" not in (c.output or "") for c in run.tests)


def test_doctype_internal_subset_without_entities_refused(tmp_path: Path) -> None:
    doc = b'<!DOCTYPE testsuite [<!ELEMENT testsuite ANY>]><testsuite name="s"/>'
    with pytest.raises(InputError, match="internal subset"):
        load([write(tmp_path, doc)], format="junit")


def test_huge_system_out_is_read_and_capped(tmp_path: Path) -> None:
    line = "x" * 99 + "\n"
    big = line * 200_000  # 20 MB of captured output in one text node
    path = tmp_path / "big.xml"
    with path.open("w", encoding="utf-8") as out:
        out.write('<testsuite name="s"><testcase name="t" time="1"><system-out>')
        out.write(big)
        out.write('</system-out></testcase><testcase name="u" time="2"/></testsuite>')
    run = load([str(path)])
    test = run.tests[0]
    assert test.outcome is Outcome.PASSED
    assert test.output is not None and len(test.output) == OUTPUT_CAP
    assert test.output_truncated == len("[system-out]\n") + len(big) - OUTPUT_CAP
    assert len(run.tests) == 2


def test_invalid_utf8_recovered_with_warning(tmp_path: Path) -> None:
    doc = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="s">\n'
        b'<testcase name="a" time="1"><failure message="bad \xff\xfe byte">body \xc3</failure>'
        b'</testcase>\n<testcase name="b" time="1"/>\n</testsuite>'
    )
    run = load([write(tmp_path, doc)], format="junit")
    assert len(run.tests) == 2
    assert run.tests[0].message == "bad \ufffd\ufffd byte"
    (warning,) = run.warnings
    assert "invalid UTF-8" in warning.message and warning.line == 3


def test_raw_control_characters_recovered(tmp_path: Path) -> None:
    # What Node's built-in JUnit reporter writes for a coloured assertion message.
    doc = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<testsuites>\n<testsuite name="s">\n'
        b'<testcase name="t" time="0.1" classname="test" failure="\x1b[31mred\x1b[0m">\n'
        b'<failure type="testCodeFailure" message="\x1b[31mred\x1b[0m">Error: \x1b[1mx\x1b[22m'
        b"\x00\x08 done</failure></testcase>\n"
        b'<testcase name="u\x1b[0m" time="0.2" classname="test"/>\n</testsuite>\n</testsuites>'
    )
    run = load([write(tmp_path, doc)])
    assert len(run.tests) == 2
    t = run.tests[0]
    assert t.outcome is Outcome.FAILED
    assert t.message == "red"
    assert t.output == "Error: x done"
    assert run.tests[1].name == "u"
    (warning,) = run.warnings
    assert "control characters" in warning.message and warning.line == 4


def test_forbidden_character_references(tmp_path: Path) -> None:
    doc = (
        b'<testsuite name="s"><testcase name="t"><failure message="&#27;[31mred&#x1b;[0m&#1;">'
        b"a&#x0;b</failure></testcase></testsuite>"
    )
    run = load([write(tmp_path, doc)], format="junit")
    assert run.tests[0].message == "red"
    assert run.tests[0].output == "ab"


def test_unexpected_root_with_forced_format(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="root element is <html>"):
        load([write(tmp_path, b"<html><body/></html>")], format="junit")


def test_prolog_garbage_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not XML"):
        load([write(tmp_path, b"   junk <testsuite/>")], format="junit")
