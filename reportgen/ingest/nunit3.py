"""NUnit 3 XML ingester (nunit3-console --result, NUnit3TestAdapter): test-run > suite > case.

Outcomes: `Passed` passes; `Warning` (Assert.Warn) is no pass and reads as skipped; `Failed`
fails, except that the labels `Error` (an unexpected exception), `Cancelled` and `Invalid`
and the sites `SetUp`, `TearDown` and `Parent` (a fixture's set-up or tear-down failed, not
the test) are errors; `Skipped` (labels `Ignored`, `Explicit`, …) and `Inconclusive` are
skipped. A suite whose one-time
set-up failed without any of its tests saying so, or whose tear-down failed, adds one error
test named after the suite. A suite that failed, is `Invalid`/`Error` or is `NotRunnable` (an
assembly that could not load, a fixture that cannot be built) with nothing failed under it
adds an error that belongs to no test, with its reason. NUnit 2's `test-results` files are a
different format and are not read here. The counts and the result declared on `test-run` are
checked against the content.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from reportgen import numbers
from reportgen.ingest._safexml import (
    child,
    children,
    local_name,
    parse_float,
    parse_xml,
    sniff_root,
    text_of,
)
from reportgen.ingest.base import Ingester, Sink, Source
from reportgen.model import IntegrityKind, Outcome

if TYPE_CHECKING:
    from lxml import etree

_ERROR_LABELS = {"error", "cancelled", "invalid"}
_ERROR_SITES = {"setup", "teardown", "parent"}
#: Suite types that stand for one class: an error of theirs lies within that class.
_CLASS_SUITES = {"testfixture", "parameterizedfixture", "genericfixture", "parameterizedmethod"}


def nunit_timestamp(text: str | None) -> str | None:
    """`2021-06-28 20:23:41Z` (NUnit's test-run form) as ISO 8601 `2021-06-28T20:23:41Z`."""
    if not text or not text.strip():
        return None
    text = text.strip()
    if len(text) > 10 and text[10] == " ":
        text = f"{text[:10]}T{text[11:]}"
    return text


def _properties(element: etree._Element) -> dict[str, str]:
    found: dict[str, list[str]] = {}
    props = child(element, "properties")
    if props is not None:
        for prop in children(props, "property"):
            name = prop.get("name")
            if name:
                found.setdefault(name, []).append(prop.get("value", ""))
    return {name: ", ".join(values) for name, values in found.items()}


def _message(element: etree._Element) -> tuple[str | None, str | None]:
    """(message, stack trace) of a failure, else of a reason (skips, inconclusive)."""
    for holder_name in ("failure", "reason"):
        holder = child(element, holder_name)
        if holder is not None:
            message = text_of(child(holder, "message"))
            return (message.strip() if message else None), text_of(child(holder, "stack-trace"))
    return None, None


class NUnit3Ingester(Ingester):
    """NUnit 3 result XML."""

    name = "nunit3"
    description = "NUnit 3 XML (nunit3-console --result, NUnit3TestAdapter)"
    patterns = ("TestResult.xml", "*.nunit3.xml", "*nunit*.xml")

    def sniff(self, head: bytes, path: str) -> float:
        root = sniff_root(head)
        if root is None or root[0] != "test-run":
            return 0.0
        return 0.9

    def read(self, source: Source, sink: Sink) -> None:
        with source.open() as handle:
            data = handle.read()
        root = parse_xml(data, source)
        tag = local_name(root.tag)
        if tag == "test-results":
            raise source.error(
                "this is an NUnit 2 result file (<test-results>), not NUnit 3",
                hint="write NUnit 3 results (nunit3-console --result=FILE) or JUnit XML",
            )
        if tag != "test-run":
            raise source.error(f"not an NUnit 3 file: root element is <{tag}>")
        sink.timestamp = nunit_timestamp(root.get("start-time"))
        reader = _Reader(sink)
        bad = reader.container(root, ())
        if reader.cases == 0:
            sink.warn("no test cases in this NUnit 3 result file")
        _check_counts(root, reader.raw, sink)
        if (root.get("result") or "").lower() == "failed" and bad == 0:
            label = root.get("label") or ""
            if label.lower() == "cancelled":
                sink.flag(IntegrityKind.ABORTED, "the test run was cancelled (test-run label)")
            else:
                sink.flag(
                    IntegrityKind.FAILURES_MISSING,
                    "test-run result is 'Failed' but no test or suite under it failed: the "
                    "failure is not in the file",
                )


class _Reader:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.raw = Counter[str]()
        self.cases = 0

    def container(self, element: etree._Element, suite: tuple[str, ...]) -> int:
        """Read the suites and cases under `element`; return failed-or-errored tests."""
        bad = 0
        for item in element:
            if not isinstance(item.tag, str):
                continue
            tag = local_name(item.tag)
            if tag == "test-suite":
                bad += self.suite(item, suite)
            elif tag == "test-case":
                bad += self.case(item, suite)
        return bad

    def suite(self, element: etree._Element, suite: tuple[str, ...]) -> int:
        name = element.get("name") or element.get("fullname") or "(suite)"
        path = (*suite, name)
        bad = self.container(element, path)
        site = (element.get("site") or "").lower()
        failed = (element.get("result") or "").lower() == "failed"
        # A set-up failure usually marks every child (site="Parent"); add one only if not.
        if failed and (site == "teardown" or (site == "setup" and bad == 0)):
            message, stack = _message(element)
            label = "OneTimeTearDown" if site == "teardown" else "OneTimeSetUp"
            self.sink.test(
                name=f"[{label}]",
                classname=element.get("classname") or element.get("fullname") or None,
                suite=path,
                outcome=Outcome.ERROR,
                duration=None,
                message=message or f"{label} of {name} failed",
                output=stack,
                properties={"site": element.get("site") or ""},
                merge=False,
            )
            bad += 1
        elif bad == 0 and _broken(element):
            bad += self.broken_suite(element, path)
        return bad

    def broken_suite(self, element: etree._Element, path: tuple[str, ...]) -> int:
        """Record a suite that failed or could not run with nothing failed under it (an
        assembly that did not load, a fixture NUnit cannot build) as an error of no test."""
        name = path[-1]
        message, stack = _message(element)
        kind = (element.get("type") or "").lower()
        # A fixture's error lies within its class; one of an assembly or namespace has no
        # class in the test ids, so it is left unscoped and counts for every selection.
        classname = (
            (element.get("classname") or element.get("fullname") or None)
            if kind in _CLASS_SUITES
            else None
        )
        state = ", ".join(
            f"{attribute}={element.get(attribute)}"
            for attribute in ("result", "label", "runstate")
            if element.get(attribute)
        )
        self.sink.test(
            name=f"[{element.get('type') or 'suite'} {name}]",
            classname=classname,
            suite=path,
            outcome=Outcome.ERROR,
            message=message or f"{element.get('type') or 'suite'} {name} did not run ({state})",
            output=stack,
            properties={"suite_fullname": element.get("fullname") or name, "suite_state": state},
            unattributed=True,
        )
        return 1

    def case(self, element: etree._Element, suite: tuple[str, ...]) -> int:
        self.cases += 1
        result = element.get("result") or ""
        label = element.get("label") or ""
        site = element.get("site") or ""
        self.raw[result.lower()] += 1
        properties = _properties(element)
        lowered = result.lower()
        if lowered == "passed":
            outcome = Outcome.PASSED
        elif lowered == "warning":
            # Assert.Warn: NUnit counts it apart from the passed tests; it is no pass.
            outcome = Outcome.SKIPPED
        elif lowered == "failed":
            error = label.lower() in _ERROR_LABELS or site.lower() in _ERROR_SITES
            outcome = Outcome.ERROR if error else Outcome.FAILED
        elif lowered in ("skipped", "inconclusive"):
            outcome = Outcome.SKIPPED
        else:
            self.sink.warn(
                f"unknown NUnit result {result!r}: counted as an error", once=f"result:{result}"
            )
            outcome = Outcome.ERROR
        if lowered not in ("passed", "failed", "skipped"):
            properties["nunit_result"] = result
        if label:
            properties["label"] = label
        if site and site.lower() != "test":
            properties["site"] = site
        message, stack = _message(element)
        if outcome == Outcome.PASSED:
            message = None  # NUnit writes "Success" reasons on passing tests; not a message
        elif message is None and label and outcome != Outcome.SKIPPED:
            message = label  # e.g. "Test exceeded Timeout value 1ms."
        output = text_of(child(element, "output"))
        if stack:
            output = f"{stack}\n{output}" if output else stack
        exc_type: str | None = None
        if outcome in (Outcome.FAILED, Outcome.ERROR) and "timeout" in label.lower():
            exc_type = "Timeout"
        self.sink.test(
            name=element.get("name") or element.get("fullname") or "(unnamed)",
            classname=element.get("classname") or None,
            suite=suite,
            outcome=outcome,
            duration=parse_float(element.get("duration")),
            message=message,
            type=exc_type,
            output=output,
            properties=properties or None,
            merge=False,
        )
        return 1 if outcome in (Outcome.FAILED, Outcome.ERROR) else 0


def _broken(element: etree._Element) -> bool:
    """Whether a suite says it failed or could not run."""
    return (
        (element.get("result") or "").lower() == "failed"
        or (element.get("label") or "").lower() in ("invalid", "error")
        or (element.get("runstate") or "").lower() == "notrunnable"
    )


def _check_counts(root: etree._Element, raw: Counter[str], sink: Sink) -> None:
    found = {
        "total": sum(raw.values()),
        "passed": raw["passed"],
        "failed": raw["failed"],
        "skipped": raw["skipped"],
        "inconclusive": raw["inconclusive"],
        "warnings": raw["warning"],
    }

    def said(attribute: str) -> int | None:
        return numbers.count_or_none(root.get(attribute))

    sink.check_counts(
        "test-run",
        declared_total=said("total"),
        total=found["total"],
        declared_bad=said("failed"),
        bad=found["failed"],
    )
    disagreements = []
    for attribute, count in found.items():
        declared = root.get(attribute)
        if declared is not None and _count_or_none(declared) not in (None, count):
            disagreements.append(f"{attribute}={declared} (test cases: {count})")
    if disagreements:
        sink.warn(
            "test-run counts disagree with the test cases; the test cases are used: "
            + ", ".join(disagreements)
        )


def _count_or_none(text: str) -> int | None:
    """A declared count, or None when it is not a plain (ASCII, bounded) integer."""
    try:
        return numbers.parse_int(text)
    except numbers.NumberError:
        return None
