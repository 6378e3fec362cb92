"""JUnit XML ingester: every common dialect, streamed with lxml, refusing hostile documents.

`stream` turns the file into bytes lxml may parse (or refuses it), `reader` reads the suites
and testcases from them, `dialect` knows how producers spell times, statuses and counts.
"""

from __future__ import annotations

import re

from reportgen.ingest.base import Ingester, Sink, Source
from reportgen.ingest.junit.dialect import canonical_ids, pytest_reruns
from reportgen.ingest.junit.reader import Reader
from reportgen.ingest.junit.stream import (
    ROOTS,
    NeedsCleaning,
    SeveralDocuments,
    root_name,
    split_documents,
)

__all__ = ["ROOTS", "JUnitIngester", "root_name"]

#: What rustdoc writes after its merged doctests' `<testsuites>`: timings, no test results.
_RUSTDOC_TIMES = re.compile(rb"""\s*<report(?:\s+\w+\s*=\s*"[^"<]*")*\s*(?:/>|>\s*</report>)\s*""")


class JUnitIngester(Ingester):
    """JUnit XML in its dialects: Surefire, Gradle, pytest, jest-junit, mocha, go, ctest, ..."""

    name = "junit"
    description = (
        "JUnit XML (Surefire, Gradle, pytest, jest-junit, mocha/Cypress, go-junit-report, "
        "gotestsum, ctest, PHPUnit, Catch2, nextest, .NET, Node, Bazel)"
    )
    patterns = ("TEST-*.xml", "junit*.xml", "*.junit.xml", "report.xml")

    def sniff(self, head: bytes, path: str) -> float:
        return 0.9 if root_name(head) in ROOTS else 0.0

    def read(self, source: Source, sink: Sink) -> None:
        mark = sink.mark()
        try:
            self._read_document(source, sink)
            return
        except SeveralDocuments as several:
            sink.rewind(mark)
            parts = split_documents(source)
            if len(parts) < 2:
                raise several.error from None
        documents = [part for part in parts if not _RUSTDOC_TIMES.fullmatch(part.data)]
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
        canonical_ids(sink, start, reader.hosts, reader.root, reader.files, reader.summary)
        # pytest writes a rerun attempt like a pass; read it as the failed attempt it was.
        pytest_reruns(sink, start, reader.root)
