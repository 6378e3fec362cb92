"""Reading a JUnit file on two cores gives exactly what one read gives, or falls back to one.

Each document is read twice with the real reader: once in one process, once split at a cut
between top-level suites (the size threshold lowered so that small files split too). The
tests, warnings (with their lines), record counts and timestamp must be the same, and the
split must have been taken or refused for the reason each case expects.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from copy import deepcopy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from reportgen.errors import InputError
from reportgen.ingest import _junit_split
from reportgen.ingest.base import HEAD_BYTES, Sink, Source
from reportgen.ingest.junit import _Reader
from reportgen.model import Outcome, TestCase, TestTableBuilder
from tests.conftest import run_cli

pytestmark = pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="a split read needs two cores",
)

JOINED = "joined"
NOT_TOP = "the cut is not between top-level suites"


class Result:
    """What one read of a file produced."""

    def __init__(self, path: Path, split: bool) -> None:
        saved = _junit_split.SPLIT_MIN_BYTES
        _junit_split.SPLIT_MIN_BYTES = 0 if split else 1 << 62
        try:
            builder = TestTableBuilder()
            sink = Sink(builder, [], 0, str(path))
            with path.open("rb") as handle:
                head = handle.read(HEAD_BYTES)
            reader = _Reader(Source(path, str(path), head), sink)
            reader.run()
        finally:
            _junit_split.SPLIT_MIN_BYTES = saved
        table = builder.build()
        self.tests: list[TestCase] = [table[i] for i in range(len(table))]
        self.warnings = [(w.line, w.message) for w in sink.warnings]
        self.records = sink.records
        self.timestamp = sink.timestamp
        self.status = reader.split_status

    def same_as(self, other: Result) -> None:
        assert self.tests == other.tests
        assert self.warnings == other.warnings
        assert self.records == other.records
        assert self.timestamp == other.timestamp


def both(path: Path) -> Result:
    """The split read of `path`, after checking that it agrees with one read."""
    single = Result(path, split=False)
    split = Result(path, split=True)
    assert single.status == "not split"
    split.same_as(single)
    return split


def suite(name: str, cases: str, attrs: str = "") -> str:
    return f'  <testsuite name="{name}"{attrs}>\n{cases}  </testsuite>\n'


def plain(cls: str, count: int, start: int = 0) -> str:
    return "".join(
        f'    <testcase classname="{cls}" name="t{i}" time="0.{i % 10}1"/>\n'
        for i in range(start, start + count)
    )


def rich(cls: str) -> str:
    return (
        f'    <testcase classname="{cls}" name="fails" time="1.5">\n'
        '      <failure message="expected 1" type="AssertionError">trace &amp; more</failure>\n'
        "      <system-out><![CDATA[log line <b>\n]]></system-out>\n"
        "    </testcase>\n"
        f'    <testcase classname="{cls}" name="skips"><skipped message="later"/></testcase>\n'
        f'    <testcase classname="{cls}" name="reruns" time="2">\n'
        '      <failure message="first"/>\n'
        '      <rerunFailure message="again" time="1"><stackTrace>x</stackTrace></rerunFailure>\n'
        "    </testcase>\n"
        f'    <testcase classname="{cls}" name="props">\n'
        '      <properties><property name="owner" value="net"/></properties>\n'
        "    </testcase>\n"
    )


def document(body: str, root: str = "testsuites", attrs: str = "") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}{attrs}>\n{body}</{root}>\n'.encode()


def six_suites(**extra: str) -> str:
    """Six top-level suites of different classes; `extra` adds text to suite N (s1..s6)."""
    return "".join(
        suite(f"s{n}", plain(f"pkg.C{n}", 40) + rich(f"pkg.C{n}") + extra.get(f"s{n}", ""))
        for n in range(1, 7)
    )


def write(tmp_path: Path, data: bytes, name: str = "junit.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_plain_file_is_read_in_two_parts(tmp_path: Path) -> None:
    split = both(write(tmp_path, document(six_suites())))
    assert split.status == JOINED
    assert len(split.tests) == 6 * 44
    outcomes = [t.outcome for t in split.tests]
    assert outcomes.count(Outcome.FAILED) == 12  # "fails" and "reruns" of each suite
    # Rows of the second part come after those of the first, in document order.
    assert [t.classname for t in split.tests][::44] == [f"pkg.C{n}" for n in range(1, 7)]


def test_warnings_keep_their_lines_and_counts_span_both_parts(tmp_path: Path) -> None:
    # The root's declared counts are checked against both parts; suites in either part
    # report their own mismatches with the right line.
    body = six_suites().replace('name="s2"', 'name="s2" failures="7"')
    body = body.replace('name="s5"', 'name="s5" tests="3"')
    body += '  <testsuite name="late"><testcase classname="pkg.L" name=""/></testsuite>\n'
    path = write(tmp_path, document(body, attrs=' tests="1" failures="12" errors="0"'))
    split = both(path)
    assert split.status == JOINED
    messages = [m for _line, m in split.warnings]
    assert any("suite 's2' declares failures=7 but it contains 2" in m for m in messages)
    assert any("suite 's5' declares tests=3 but it contains 44" in m for m in messages)
    assert any(m.startswith("<testsuites> declares tests=1 but it contains 265") for m in messages)
    assert not any("failures=12" in m for m in messages)  # 12 is right over both parts
    lines = path.read_text().splitlines()
    for line, message in split.warnings:
        assert line is not None, message
        quoted = re.search(r"suite '(\w+)'", message)
        if quoted:
            assert f'name="{quoted.group(1)}"' in lines[line - 1]
        elif "without a name" in message:
            assert 'name=""' in lines[line - 1]
        else:
            assert lines[line - 1].startswith("<testsuites")


def test_repairs_in_both_parts_warn_once(tmp_path: Path) -> None:
    # Invalid UTF-8 and raw control characters in both parts: one warning of each kind, at
    # the first place, as one read gives.
    body = six_suites(
        s2='    <testcase classname="pkg.X" name="bad\xff"/>\n'
        '    <testcase classname="pkg.X" name="esc\x1b[31mred"/>\n',
        s5='    <testcase classname="pkg.Y" name="bad\xfe"/>\n'
        '    <testcase classname="pkg.Y" name="bell\x07"/>\n',
    )
    data = document(body).replace("\xff".encode(), b"\xff").replace("\xfe".encode(), b"\xfe")
    split = both(write(tmp_path, data))
    assert split.status == JOINED
    assert len(split.warnings) == 2
    names = {t.name for t in split.tests}
    assert {"bad\ufffd", "escred", "bell"} <= names


def test_ansi_in_the_second_part_only(tmp_path: Path) -> None:
    red = "\x1b[1mboom\x1b[0m"
    body = six_suites(
        s6=f'    <testcase classname="pkg.Z" name="z"><failure message="{red}"/></testcase>\n'
    )
    split = both(write(tmp_path, document(body)))
    assert split.status == JOINED
    assert [t.message for t in split.tests if t.classname == "pkg.Z"] == ["boom"]


def test_the_earliest_timestamp_may_come_from_the_second_part(tmp_path: Path) -> None:
    body = six_suites().replace('name="s1"', 'name="s1" timestamp="2026-11-27T10:00:00"')
    body = body.replace('name="s6"', 'name="s6" timestamp="2026-11-27T09:00:00"')
    split = both(write(tmp_path, document(body)))
    assert split.status == JOINED
    assert split.timestamp == "2026-11-27T09:00:00"


def test_nanosecond_times(tmp_path: Path) -> None:
    # container-structure-test writes integer nanoseconds; seen in the second part only, the
    # child reads them as one read would; seen in the first, the child could not know.
    late = '    <testcase classname="pkg.N" name="ns" time="2500000000"/>\n'
    short = '    <testcase classname="pkg.N" name="short" time="3"/>\n'
    split = both(write(tmp_path, document(six_suites(s6=late)), "late.xml"))
    assert split.status == JOINED
    assert any("nanoseconds" in m for _line, m in split.warnings)
    split = both(write(tmp_path, document(six_suites(s1=late, s6=short)), "early.xml"))
    assert split.status == "times are in nanoseconds"
    assert next(t.duration for t in split.tests if t.name == "short") == pytest.approx(3e-9)


def test_an_id_in_both_parts_is_two_executions_as_one_read_has_it(tmp_path: Path) -> None:
    retry = '    <testcase classname="pkg.R" name="retried"><failure message="once"/></testcase>\n'
    again = '    <testcase classname="pkg.R" name="retried" time="0.5"/>\n'
    split = both(write(tmp_path, document(six_suites(s1=retry, s6=again))))
    assert split.status == JOINED
    runs = [t for t in split.tests if t.name == "retried"]
    assert [t.outcome for t in runs] == [Outcome.FAILED, Outcome.PASSED]
    assert not any(t.flaky or t.attempts for t in runs)


def test_the_same_class_in_both_parts_without_repeats_is_joined(tmp_path: Path) -> None:
    body = "".join(suite(f"s{n}", plain("pkg.Same", 100, start=100 * n)) for n in range(4))
    split = both(write(tmp_path, document(body)))
    assert split.status == JOINED
    assert len({t.id for t in split.tests}) == 400


def test_nested_suites_are_read_in_one_process(tmp_path: Path) -> None:
    split = both(write(tmp_path, document(suite("outer", six_suites()))))
    assert split.status == NOT_TOP
    assert len(split.tests) == 6 * 44


@pytest.mark.parametrize("where", ["between suites", "inside a suite"])
def test_a_cut_inside_a_comment_is_refused(tmp_path: Path, where: str) -> None:
    # Suites commented out around the middle look like a cut to a byte search; the parser's
    # events show it is not one.
    hidden = "<!-- " + "".join(suite(f"old{n}", plain("pkg.Old", 30)) for n in range(8)) + " -->\n"
    if where == "between suites":
        body = suite("a", plain("pkg.A", 60)) + hidden + suite("b", plain("pkg.B", 60))
    else:
        # First in its suite, so that no testcase of the suite is waiting at the cut.
        body = suite("a", hidden + plain("pkg.A", 60)) + suite("b", plain("pkg.B", 20))
    split = both(write(tmp_path, document(body)))
    assert split.status == NOT_TOP
    assert not any(t.classname == "pkg.Old" for t in split.tests)


def test_a_cut_inside_captured_output_is_refused(tmp_path: Path) -> None:
    # A test that prints JUnit XML: its output holds "</testsuite> <testsuite".
    printed = "".join(suite(f"p{n}", plain("pkg.P", 30)) for n in range(16))
    body = suite("a", plain("pkg.A", 10))
    output = f"<system-out><![CDATA[{printed}]]></system-out>"
    body += suite("b", f'    <testcase classname="pkg.B" name="prints">{output}</testcase>\n')
    body += suite("c", plain("pkg.C", 10))
    split = both(write(tmp_path, document(body)))
    assert split.status == NOT_TOP
    assert len(split.tests) == 21


def test_testcases_under_the_root_and_a_namespace(tmp_path: Path) -> None:
    body = six_suites() + plain("pkg.Root", 5)
    data = document(body, attrs=' xmlns="urn:example:junit"')
    split = both(write(tmp_path, data))
    assert split.status == JOINED
    assert sum(t.classname == "pkg.Root" for t in split.tests) == 5


def test_testrun_root(tmp_path: Path) -> None:
    split = both(write(tmp_path, document(six_suites(), root="testrun")))
    assert split.status == JOINED


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ('<testcase classname="pkg.E" name="a" name="b"/>', "Attribute name redefined"),
        ("<testcase classname='pkg.E' name='x'></testsuite>", "mismatch"),
    ],
)
def test_an_error_in_the_second_part_is_reported_as_one_read_reports_it(
    tmp_path: Path, broken: str, expected: str
) -> None:
    # The child gives up; the parent reads on and meets the error itself, with its line.
    path = write(tmp_path, document(six_suites(s5=f"    {broken}\n")))
    errors = []
    for split in (False, True):
        with pytest.raises(InputError) as caught:
            Result(path, split=split)
        errors.append(str(caught.value))
    assert errors[0] == errors[1]
    assert expected in errors[0]
    line = int(re.search(r":(\d+):", errors[0]).group(1))  # type: ignore[union-attr]
    assert "pkg.E" in path.read_text().splitlines()[line - 1]


@pytest.mark.skipif(
    not Path(f"/proc/self/task/{threading.get_native_id()}/children").exists(),
    reason="the kernel does not list child processes in /proc",
)
def test_no_child_process_is_left_behind(tmp_path: Path) -> None:
    path = write(tmp_path, document(six_suites()))
    for _ in range(3):
        assert Result(path, split=True).status == JOINED
    nested = write(tmp_path, document(suite("outer", six_suites())), "nested.xml")
    assert Result(nested, split=True).status == NOT_TOP
    assert list(_children()) == []


def _children() -> Iterator[str]:
    for task in Path("/proc/self/task").iterdir():
        yield from (task / "children").read_text().split()


def _scaled(path: Path, copies: int) -> bytes | None:
    """A larger document from a real one: its top-level suites `copies` times over, each
    copy's classnames and suite names suffixed so that its ids are new. None when the file
    has no `<testsuites>` root with suites (or is one lxml refuses, such as raw ESC).
    """
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False)).getroot()
    except etree.XMLSyntaxError:
        return None
    if etree.QName(root).localname != "testsuites":
        return None
    suites = [c for c in root if isinstance(c.tag, str) and etree.QName(c).localname == "testsuite"]
    if not suites:
        return None
    for child in suites:
        root.remove(child)
    for copy in range(copies):
        for original in suites:
            twin = deepcopy(original)
            for elem in twin.iter("{*}testsuite", "{*}testcase"):
                for key in ("name", "classname") if elem is twin else ("classname",):
                    if elem.get(key) is not None:
                        elem.set(key, f"{elem.get(key)}.copy{copy}")
            twin.tail = "\n"
            root.append(twin)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_real_dialects_read_the_same_split(corpus: Path, tmp_path: Path) -> None:
    # Each corpus file of the testsuites family, made large enough to split.
    statuses = {}
    for path in sorted((corpus / "junit").rglob("*")):
        data = _scaled(path, copies=1) if path.suffix in (".xml", ".golden") else None
        if data is None:
            continue
        copies = max(4, 40_000 // len(data))
        scaled = write(tmp_path, _scaled(path, copies) or b"", f"{path.parent.name}-{path.name}")
        statuses[scaled.name] = both(scaled).status
    assert len(statuses) >= 9, statuses
    assert sum(status == JOINED for status in statuses.values()) >= 8, statuses


NAMES = st.sampled_from(["a", "b", "c", "d"])
CASE = st.tuples(NAMES, st.sampled_from(["pass", "fail", "skip"]), st.sampled_from(["X", "Y"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    suites=st.lists(st.lists(CASE, min_size=1, max_size=6), min_size=2, max_size=8),
    nested=st.integers(min_value=0, max_value=8),
)
def test_any_document_reads_the_same_split(
    tmp_path_factory: pytest.TempPathFactory, suites: list[list[tuple[str, str, str]]], nested: int
) -> None:
    body = []
    for n, cases in enumerate(suites):
        xml = ""
        for name, outcome, cls in cases:
            child = {"pass": "", "fail": "<failure/>", "skip": "<skipped/>"}[outcome]
            xml += f'<testcase classname="{cls}" name="{name}">{child}</testcase>\n'
        text = suite(f"s{n}", xml)
        if n == nested:
            text = suite(f"outer{n}", text)
        body.append(text)
    path = write(tmp_path_factory.mktemp("split"), document("".join(body)))
    both(path)


def test_the_cli_reads_a_file_above_the_split_size(tmp_path: Path) -> None:
    # Above the real threshold, through the real entry point.
    per_suite = 1000
    suites = 0
    path = tmp_path / "large.xml"
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n')
        while out.tell() < _junit_split.SPLIT_MIN_BYTES + (1 << 20):
            cases = plain(f"pkg.Suite{suites}", per_suite)
            cases += (
                f'    <testcase classname="pkg.Suite{suites}" name="f"><failure message="m"/>'
                "</testcase>\n"
            )
            out.write(suite(f"s{suites}", cases))
            suites += 1
        out.write("</testsuites>\n")
    result = run_cli("summary", "--json", str(path))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["total"] == suites * (per_suite + 1)
    assert summary["failed"] == suites
    assert summary["passed"] == suites * per_suite
    assert summary["files"][0]["warnings"] == []


@pytest.mark.parametrize(
    ("text", "planned"),
    [
        # Two big suites: the boundary lies before the middle; it is found looking back.
        (document(suite("a", plain("pkg.A", 300)) + suite("b", plain("pkg.B", 200))), True),
        # A ">" inside a quoted attribute of the root's start tag.
        (document(six_suites(), attrs=' name="a &gt; b" note=">"'), True),
        # One suite as the root: nothing to cut between.
        (document(plain("pkg.A", 400), root="testsuite"), False),
        # An end tag inside a comment after the root: the root's end is not trusted.
        (document(six_suites()) + b"<!-- </testsuites> -->\n", False),
        (document(six_suites()) + b"<!-- done -->\n<?pi x?>\n", True),
    ],
)
def test_where_a_file_is_cut(tmp_path: Path, text: bytes, planned: bool) -> None:
    path = write(tmp_path, text)
    plan = _junit_split.plan_split(path, text.index(b"<test"), len(text))
    assert (plan is not None) == planned
    if plan is not None:
        assert text[plan.suite_end : plan.cut].strip() == b"</testsuite>"
        assert text[plan.cut :].startswith(b"<testsuite ")
        assert text[plan.root_close :].startswith(b"</testsuites>")
        assert text[: plan.root_end].endswith(b">")
        assert b"<testsuite " not in text[: plan.root_end]
        both(path)


def test_a_program_with_threads_of_its_own_reads_in_one_process(tmp_path: Path) -> None:
    # Forking would copy only this thread; a lock the other one holds would never be freed.
    path = write(tmp_path, document(six_suites()))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert Result(path, split=True).status == "not split"
    finally:
        stop.set()
        other.join()
    assert Result(path, split=True).status == JOINED
