"""Every ingester reportgen knows: a new format is a new module plus one line here."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

from reportgen.ingest.base import Ingester


class Entry(NamedTuple):
    """One registered format: its name, where its ingester lives and which heads it can claim.

    Importing every reader is a visible share of a short command, so detection imports only
    the readers that could claim the file's head: its first significant character must fit
    `claims` (a key of `_CLAIMS`) and, when `marks` are given, one of them must appear in the
    decoded head. Both are necessary conditions taken from the reader's own `sniff` (the
    start it tests first, the keys or element names without which it scores 0), so leaving a
    reader out never changes which format is detected; tests/ingest/test_registry.py checks
    it on every fixture, sample and corpus file. Change them with the sniff.
    """

    name: str
    spec: str  # "module:Class"
    claims: str  # a key of _CLAIMS
    marks: tuple[str, ...] = ()
    #: How the sniff decodes the head (a key of _DECODE), when it is not the claim's own way.
    decode: str | None = None


#: cargo's status verbs, one of which starts a cargo-junit capture (its sniff's first line):
#: marks of their own, since every XML file holds `<?xml` and would import that reader for nothing.
_CARGO_VERBS = (
    "Compiling",
    "Checking",
    "Finished",
    "Fresh",
    "Blocking",
    "Locking",
    "Adding",
    "Updat",
    "Download",
    "Unpacking",
    "Building",
    "Waiting",
    "Documenting",
    "Removed",
    "Running",
    "Doc-tests",
)

# Order only breaks ties in `reportgen formats`; detection goes by score.
ENTRIES: tuple[Entry, ...] = (
    Entry("junit", "reportgen.ingest.junit:JUnitIngester", "xml-bytes"),
    Entry("ctrf", "reportgen.ingest.ctrf:CtrfIngester", "object", ('"reportFormat"', '"results"')),
    Entry(
        "pytest-json", "reportgen.ingest.pytest_json:PytestJsonIngester", "object", ('"created"',)
    ),
    # Events have an "Action" key; without them only `FAIL pkg [build failed]` lines count.
    Entry(
        "gotest-json",
        "reportgen.ingest.gotest_json:GoTestJsonIngester",
        "any",
        ('"Action"', "FAIL"),
        "json-raw",
    ),
    Entry("jest-json", "reportgen.ingest.jest_json:JestJsonIngester", "object", ('"num',)),
    Entry("mocha-json", "reportgen.ingest.mocha_json:MochaJsonIngester", "object", ('"stats"',)),
    Entry(
        "playwright-json",
        "reportgen.ingest.playwright_json:PlaywrightJsonIngester",
        "object",
        ('"config"',),
    ),
    Entry("tap", "reportgen.ingest.tap:TapIngester", "any"),
    Entry(
        "cargo-junit",
        "reportgen.ingest.cargo_junit:CargoJunitIngester",
        "any",
        _CARGO_VERBS,
        "utf-8",
    ),
    Entry("trx", "reportgen.ingest.trx:TrxIngester", "xml", ("TestRun",)),
    Entry("nunit3", "reportgen.ingest.nunit3:NUnit3Ingester", "xml", ("test-run",)),
    Entry("xunit2", "reportgen.ingest.xunit2:XUnit2Ingester", "xml", ("assembl",)),
    Entry("robot", "reportgen.ingest.robot:RobotIngester", "xml", ("<robot",)),
    Entry(
        "metrics-json",
        "reportgen.ingest.metrics_json:MetricsJsonIngester",
        "object",
        ('"metrics"',),
    ),
    Entry("metrics-csv", "reportgen.ingest.metrics_csv:MetricsCsvIngester", "any"),
    Entry("hyperfine", "reportgen.ingest.hyperfine:HyperfineIngester", "object", ('"results"',)),
    Entry(
        "pytest-benchmark",
        "reportgen.ingest.pytest_benchmark:PytestBenchmarkIngester",
        "object",
        ('"benchmarks"', '"machine_info"', '"commit_info"'),
    ),
    Entry(
        "google-benchmark",
        "reportgen.ingest.google_benchmark:GoogleBenchmarkIngester",
        "object",
        ('"context"', '"benchmarks"'),
    ),
    Entry(
        "k6",
        "reportgen.ingest.k6:K6Ingester",
        "object",
        (
            '"root_group"',
            '"summaryTrendStats"',
            '"http_reqs"',
            '"http_req_duration"',
            '"iteration_duration"',
            '"vus_max"',
            '"data_received"',
            '"testRunDurationMs"',
            '"type"',
        ),
    ),
    Entry("jmeter", "reportgen.ingest.jmeter:JMeterIngester", "any"),
    Entry(
        "criterion",
        "reportgen.ingest.criterion:CriterionIngester",
        "json",
        ('"point_estimate"', '"confidence_interval"', '"standard_error"', '"iters"'),
    ),
    Entry("gobench", "reportgen.ingest.gobench:GoBenchIngester", "any", ("Benchmark",), "utf-8"),
)
#: "module:Class" of every ingester, in registry order.
INGESTERS: tuple[str, ...] = tuple(entry.spec for entry in ENTRIES)


def _json_text(head: bytes) -> str:
    from reportgen.ingest._jsonread import head_text

    return head_text(head).lstrip()


def _xml_text(head: bytes) -> str:
    from reportgen.ingest._safexml import _head_text

    return _head_text(head).lstrip()


# Byte-order marks, UTF-16's zero bytes and the XML white space the JUnit reader skips.
_XML_SKIPPED = b"\xef\xbb\xbf\xfe\xff\x00 \t\r\n"


def _json_raw(head: bytes) -> str:
    from reportgen.ingest._jsonread import head_text

    return head_text(head)


#: Heads as each family's sniff decodes them (JSON readers and the TRX, NUnit and xUnit.net
#: readers decode alike within their family; Go's benchmark text drops undecodable bytes).
_DECODE: dict[str, Callable[[bytes], str]] = {
    "object": _json_text,
    "json": _json_text,
    "xml": _xml_text,
    "json-raw": _json_raw,
    "utf-8": lambda head: head.decode("utf-8", errors="ignore"),
}
#: Which heads a reader can claim at all: the JSON readers need a document starting with `{`
#: (`criterion` also `[`), the XML readers `<`, the JUnit reader `<` after byte-order marks
#: and white space; text formats anything.
_CLAIMS: dict[str, Callable[[bytes], bool]] = {
    "object": lambda head: _json_text(head)[:1] == "{",
    "json": lambda head: _json_text(head)[:1] in ("{", "["),
    "xml": lambda head: _xml_text(head)[:1] == "<",
    "xml-bytes": lambda head: head.lstrip(_XML_SKIPPED)[:1] == b"<",
    "any": lambda head: True,
}


def _marked(entry: Entry, text: str) -> bool:
    """Whether one of the entry's marks is in the decoded head. A JSON key may be spelled
    with `\\u` escapes, which the readers that compare parsed keys undo: such a head is
    always admitted."""
    if any(mark in text for mark in entry.marks):
        return True
    return entry.claims in ("object", "json") and "\\u" in text


@cache
def _load(spec: str) -> Ingester:
    module_name, _, class_name = spec.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    ingester: Ingester = cls()
    return ingester


def all_ingesters() -> tuple[Ingester, ...]:
    """One instance of every registered ingester."""
    return tuple(_load(entry.spec) for entry in ENTRIES)


def names() -> tuple[str, ...]:
    """The name of every registered format, without importing any reader."""
    return tuple(entry.name for entry in ENTRIES)


def by_name(name: str) -> Ingester | None:
    """The ingester called `name` (only its module is imported), or None."""
    for entry in ENTRIES:
        if entry.name == name:
            return _load(entry.spec)
    return None


def candidates(head: bytes) -> tuple[Ingester, ...]:
    """The ingesters that could claim a file starting with `head`, in registry order; the
    others are not imported."""
    admitted: dict[str, bool] = {}
    texts: dict[str, str] = {}
    found: list[Ingester] = []
    for entry in ENTRIES:
        claims = admitted.get(entry.claims)
        if claims is None:
            claims = admitted[entry.claims] = _CLAIMS[entry.claims](head)
        if not claims:
            continue
        if entry.marks:
            decode = entry.decode or entry.claims
            text = texts.get(decode)
            if text is None:
                text = texts[decode] = _DECODE[decode](head)
            if not _marked(entry, text):
                continue
        found.append(_load(entry.spec))
    return tuple(found)
