"""JUnit XML ingester: every common dialect, streamed with lxml, refusing hostile documents.

`stream` turns the file into bytes lxml may parse (or refuses it), `reader` reads the suites
and testcases from them, `dialect` knows how producers spell times, statuses and counts.
"""

from __future__ import annotations

import glob
import re

from reportgen.ingest.base import Ingester, Sink, Source
from reportgen.ingest.junit.dialect import (
    GTEST_ROOT,
    bats_retries,
    canonical_ids,
    pytest_escapes,
    pytest_reruns,
)
from reportgen.ingest.junit.reader import Reader
from reportgen.ingest.junit.stream import (
    ROOTS,
    NeedsCleaning,
    SeveralDocuments,
    root_name,
    split_documents,
)
from reportgen.model import IntegrityKind
from reportgen.regex import lazy_regex

__all__ = ["ROOTS", "JUnitIngester", "root_name"]

#: What the root of googletest's XML of a run says and that of its list of tests does not.
_GTEST_RUN_KEYS = frozenset({"failures", "errors", "time", "timestamp"})
#: How JUnit Platform's legacy XML reporter (the console launcher's `--reports-dir`) ends the
#: report of one test engine. It writes one report per engine on the class path when that
#: engine finishes, with tests or without (`TEST-junit-vintage.xml` with `tests="0"` beside
#: the Jupiter tests).
_engine_report = lazy_regex(rb"<system-out><!\[CDATA\[\s*unique-id: \[engine:([\w.-]{1,100})\]")
#: The launcher's command line, which every engine report of one run records alike.
_java_command = lazy_regex(rb'<property name="sun\.java\.command" value="[^"]*"/>')
#: A report's root suite that declares tests: `tests="` and a count from 1.
_declares_tests = lazy_regex(rb'<testsuite\b[^>]*\stests="0*[1-9]')
#: The root suite of a report that declares no test, and its name.
_empty_suite = lazy_regex(rb'<testsuite\b[^>]*\sname="([\w.$]{1,500})"[^>]*\stests="0"')
#: Larger files holding no testcase are not looked into: an engine's empty report is ~6 KB.
_ENGINE_REPORT_MAX = 1 << 20
#: How much of a sibling report is read for its root suite and properties, and how many are.
_SIBLING_HEAD = 1 << 16
_SIBLINGS_MAX = 64
#: What rustdoc writes after its merged doctests' `<testsuites>`: timings, no test results.
_rustdoc_times = lazy_regex(rb"""\s*<report(?:\s+\w+\s*=\s*"[^"<]*")*\s*(?:/>|>\s*</report>)\s*""")


class JUnitIngester(Ingester):
    """JUnit XML in its dialects: Surefire, Gradle, pytest, jest-junit, mocha, go, ctest, ..."""

    name = "junit"
    description = (
        "JUnit XML (Surefire, Gradle, JUnit Platform console, pytest, jest-junit, "
        "mocha/Cypress, go-junit-report, gotestsum, ctest, PHPUnit, Catch2, googletest, "
        "Boost.Test, cargo test, nextest, TAP::Formatter::JUnit, bats, .NET, Node, Bazel)"
    )
    patterns = ("TEST-*.xml", "junit*.xml", "*.junit.xml", "report.xml")

    def sniff(self, head: bytes, path: str) -> float:
        return 0.9 if root_name(head) in ROOTS else 0.0

    def read(self, source: Source, sink: Sink) -> None:
        mark = sink.mark()
        try:
            self._read_document(source, sink)
            if not sink.records and not sink.integrity and not _empty_engine(source, sink):
                _nested_outer(source, sink)
            return
        except SeveralDocuments as several:
            sink.rewind(mark)
            parts = split_documents(source)
            if len(parts) < 2:
                raise several.error from None
        documents = [part for part in parts if not _rustdoc_times().fullmatch(part.data)]
        sink.warn(
            f"{len(documents)} XML documents one after another (as `cargo test -- --format "
            "junit` writes one per test binary): each read as a file of its own"
        )
        if len(documents) < len(parts):
            sink.warn("rustdoc's <report> of doctest build and run times skipped: no results")
        for part in documents:
            try:
                self._read_document(part, sink)
            except SeveralDocuments as again:
                raise again.error from None

    def _read_document(self, source: Source, sink: Sink) -> None:
        """Read one XML document; SeveralDocuments when more markup follows its root."""
        start = sink.rows
        mark = sink.mark()
        try:
            # Nearly every file needs no byte repair: hand it to lxml as it is first.
            reader = Reader(source, sink, passthrough=True)
            reader.run()
        except NeedsCleaning:
            sink.rewind(mark)
            reader = Reader(source, sink)
            reader.run()
        if reader.root.get("name") == GTEST_ROOT and not reader.root.keys() & _GTEST_RUN_KEYS:
            # googletest's list of its tests (--gtest_list_tests with --gtest_output, as CMake's
            # test discovery runs it): the root of a run always says its failures and time.
            listed = sink.rows - start
            sink.rewind(mark)
            sink.flag(
                IntegrityKind.NO_RESULTS,
                f"googletest's list of its tests (--gtest_list_tests with --gtest_output): it "
                f"names {listed} tests and ran none",
            )
            return
        canonical_ids(sink, start, reader.hosts, reader.root, reader.files, reader.summary)
        pytest_escapes(sink, start, reader.root, reader.pytest_shaped)
        # pytest writes a rerun attempt like a pass; read it as the failed attempt it was.
        pytest_reruns(sink, start, reader.root, reader.pytest_shaped)
        bats_retries(sink, start, reader.root)


def _empty_engine(source: Source, sink: Sink) -> bool:
    """Say so when a file holding no result is a JUnit Platform engine's report of no tests
    and another engine's report of the same launcher run, beside it, declares tests.

    Only then is the empty report no sign of a run cut short: alone (the JVM exited in the
    next engine, whose report was never written) it stays a file that holds no result.
    """
    with source.open() as handle:
        data = handle.read(_ENGINE_REPORT_MAX + 1)
    engine = _engine_report().search(data) if len(data) <= _ENGINE_REPORT_MAX else None
    command = _java_command().search(data) if engine is not None else None
    if engine is None or command is None:
        return False
    siblings = sorted(p for p in source.path.parent.glob("TEST-*.xml") if p != source.path)
    for sibling in siblings[:_SIBLINGS_MAX]:
        try:
            with sibling.open("rb") as handle:
                head = handle.read(_SIBLING_HEAD)
        except OSError:
            continue
        if command.group(0) in head and _declares_tests().search(head):
            sink.nothing_to_report(
                f"the JUnit Platform engine {engine.group(1).decode()!r} found no tests; "
                f"{sibling.name}, of the same launcher run, holds the tests (the console "
                "launcher writes a report for every engine on the class path)"
            )
            return True
    return False


def _nested_outer(source: Source, sink: Sink) -> None:
    """Say so when a file holding no result is Surefire's empty report of a JUnit 5 class whose
    tests Surefire wrote into the report of one of its `@Nested` classes, beside it.

    Surefire (3.x, JUnit Platform provider) writes `TEST-Outer.xml` with `tests="0"` and puts
    Outer's testcases (`classname="Outer"`) in `TEST-Outer$Inner.xml`. Only a sibling of the
    same JVM run (the same `sun.java.command`, which names the run's booter files) holding
    testcases of that very class makes the empty report no sign of a run cut short.
    """
    with source.open() as handle:
        data = handle.read(_ENGINE_REPORT_MAX + 1)
    suite = _empty_suite().search(data) if len(data) <= _ENGINE_REPORT_MAX else None
    command = _java_command().search(data) if suite is not None else None
    if suite is None or command is None or b"surefire" not in data[: suite.end()]:
        return
    name = suite.group(1).decode("utf-8", errors="replace")
    case = f'<testcase\\b[^>]*\\sclassname="{re.escape(name)}"'.encode()
    pattern = f"TEST-{glob.escape(name)}$*.xml"
    for sibling in sorted(source.path.parent.glob(pattern))[:_SIBLINGS_MAX]:
        try:
            with sibling.open("rb") as handle:
                head = handle.read(_ENGINE_REPORT_MAX)
        except OSError:
            continue
        if command.group(0) in head and re.search(case, head):
            sink.nothing_to_report(
                f"Surefire reported no tests for {name}: {sibling.name}, of the same run, "
                f"holds them (Surefire writes a JUnit 5 class's tests into the report of its "
                "@Nested class)"
            )
            return
