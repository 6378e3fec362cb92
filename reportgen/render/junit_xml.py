"""JUnit XML writer: a normalised run as one clean JUnit dialect (the Surefire/Ant shape).

`<testsuites>` holds one `<testsuite>` per (input file, suite path), in the order they first
appear; each `<testcase>` has at most one of `<failure>`, `<error>` or `<skipped>`. Retries
follow Maven Surefire's convention, which Jenkins, GitLab and most dashboards understand: a
test that passed after failing keeps no failure and lists its failed attempts as
`<flakyFailure>`/`<flakyError>`; a test that failed every time has its first failure as
`<failure>`/`<error>` and the others as `<rerunFailure>`/`<rerunError>`. Every count is
recomputed from the test cases, and characters XML 1.0 cannot carry are removed.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from reportgen.model import Attempt, InputFile, Outcome, Run, TestCase

if TYPE_CHECKING:
    from lxml import etree

    from reportgen.render.outputs import RenderContext

# Everything XML 1.0 forbids: C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# ANSI escapes lose their ESC above and would leave "[31m" behind: drop them whole first.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
#: Characters of a message kept in the `message` attribute (the element text has it all).
_ATTRIBUTE_CAP = 1000


def xml_text(text: str) -> str:
    """`text` with everything XML 1.0 cannot carry removed."""
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    return _INVALID_XML.sub("", text)


def _seconds(value: float | None) -> str:
    if value is None or not math.isfinite(value) or value < 0:
        return "0"
    return f"{value:.6f}".rstrip("0").rstrip(".") or "0"


def _attr(text: str | None) -> str:
    if not text:
        return ""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return xml_text(first[:_ATTRIBUTE_CAP])


def _set(element: etree._Element, name: str, value: str | None) -> None:
    if value:
        element.set(name, xml_text(value))


def _problem(
    parent: etree._Element, tag: str, message: str | None, kind: str | None, body: str | None
) -> etree._Element:
    from lxml import etree

    element = etree.SubElement(parent, tag)
    if message:
        element.set("message", _attr(message))
    _set(element, "type", kind)
    text = "\n".join(part for part in (message, body) if part)
    if text:
        element.text = xml_text(text)
    return element


def _rerun(parent: etree._Element, tag: str, attempt: Attempt) -> None:
    """A Surefire rerun/flaky element: message and type attributes, stackTrace, system-out."""
    from lxml import etree

    element = etree.SubElement(parent, tag)
    if attempt.message:
        element.set("message", _attr(attempt.message))
    _set(element, "type", attempt.type)
    if attempt.message or attempt.output:
        trace = etree.SubElement(element, "stackTrace")
        trace.text = xml_text("\n".join(p for p in (attempt.message, attempt.output) if p))
    if attempt.duration is not None:
        element.set("time", _seconds(attempt.duration))


def _testcase(parent: etree._Element, case: TestCase, classname: str) -> None:
    from lxml import etree

    element = etree.SubElement(parent, "testcase")
    element.set("name", xml_text(case.name or "(unnamed)"))
    element.set("classname", xml_text(classname))
    element.set("time", _seconds(case.duration))
    _set(element, "file", case.file)
    if case.line is not None:
        element.set("line", str(case.line))
    if case.properties:
        props = etree.SubElement(element, "properties")
        for key, value in sorted(case.properties.items()):
            prop = etree.SubElement(props, "property")
            prop.set("name", xml_text(key))
            prop.set("value", xml_text(value))
    bad = (Outcome.FAILED, Outcome.ERROR)
    attempts = list(case.attempts)
    if case.outcome == Outcome.SKIPPED:
        skipped = etree.SubElement(element, "skipped")
        if case.message:
            skipped.set("message", _attr(case.message))
    elif case.outcome in bad:
        tag = "failure" if case.outcome == Outcome.FAILED else "error"
        # Surefire: the first failing run is the failure, later failing runs are reruns.
        failing = [a for a in attempts if a.outcome in bad]
        first = failing[0] if failing else None
        if first is not None and (first.message or first.type):
            _problem(element, tag, first.message, first.type, first.output or case.output)
        else:
            _problem(element, tag, case.message, case.type, case.output)
        for attempt in failing[1:]:
            kind = "rerunFailure" if attempt.outcome == Outcome.FAILED else "rerunError"
            _rerun(element, kind, attempt)
    elif case.outcome == Outcome.PASSED:
        for attempt in attempts:
            if attempt.outcome in bad:
                kind = "flakyFailure" if attempt.outcome == Outcome.FAILED else "flakyError"
                _rerun(element, kind, attempt)
    if case.output and case.outcome not in bad:
        out = etree.SubElement(element, "system-out")
        out.text = xml_text(case.output)


def render_junit(run: Run) -> str:
    """The run's tests as JUnit XML (UTF-8, with declaration; ends with a newline)."""
    from lxml import etree

    tests = run.tests
    paths = [f.path for f in run.inputs]
    groups: dict[tuple[int, tuple[str, ...]], list[int]] = {}
    for i in range(len(tests)):
        groups.setdefault((tests.input_of(i), tests.suite_of(i)), []).append(i)

    flagged: set[str] = set()  # inputs whose flags are written already (on their first suite)
    root = etree.Element("testsuites")
    root.set("name", "reportgen")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_time = 0.0
    for (input_index, suite), rows in groups.items():
        if suite:
            name = ".".join(suite)
        elif input_index < len(paths):
            name = paths[input_index]
        else:
            name = "tests"
        counts = {"tests": len(rows), "failures": 0, "errors": 0, "skipped": 0}
        suite_time = 0.0
        for i in rows:
            outcome = tests.outcome_of(i)
            if outcome == Outcome.FAILED:
                counts["failures"] += 1
            elif outcome == Outcome.ERROR:
                counts["errors"] += 1
            elif outcome == Outcome.SKIPPED:
                counts["skipped"] += 1
            duration = tests.duration_of(i)
            if duration is not None and math.isfinite(duration) and duration > 0:
                suite_time += duration
        element = etree.SubElement(root, "testsuite")
        element.set("name", xml_text(name))
        for key in ("tests", "failures", "errors", "skipped"):
            element.set(key, str(counts[key]))
            totals[key] += counts[key]
        element.set("time", _seconds(suite_time))
        total_time += suite_time
        if input_index < len(paths):
            _provenance(element, run.inputs[input_index], flagged)
        for i in rows:
            # A test without a classname (TAP, CTRF) gets the scope of its id, the describe
            # blocks joined by ` › `, so that the file reads back to the same id.
            _testcase(element, tests[i], tests.classname_of(i) or tests.scope_of(i) or name)
    for input_index in sorted(set(range(len(paths))) - {i for i, _ in groups}):
        if run.inputs[input_index].integrity:
            # An input that holds no test still says what it lacks (a run that stopped first).
            element = etree.SubElement(root, "testsuite")
            element.set("name", xml_text(paths[input_index]))
            for key in ("tests", "failures", "errors", "skipped"):
                element.set(key, "0")
            _provenance(element, run.inputs[input_index], flagged)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(totals[key]))
    root.set("time", _seconds(total_time))
    body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    return body.decode("utf-8")


def _provenance(element: etree._Element, source: InputFile, flagged: set[str]) -> None:
    """The input a suite came from and, on its first suite, what the input says it lacks
    (`reportgen.integrity.<kind>`), which reportgen reads back as the same flags."""
    from lxml import etree

    props = etree.SubElement(element, "properties")
    prop = etree.SubElement(props, "property")
    prop.set("name", "reportgen.input")
    prop.set("value", xml_text(source.path))
    if source.path in flagged:
        return
    flagged.add(source.path)
    for flag in source.integrity:
        prop = etree.SubElement(props, "property")
        prop.set("name", f"reportgen.integrity.{flag.kind.value}")
        prop.set("value", xml_text(flag.message))


def render(context: RenderContext) -> str:
    """The JUnit output of the outputs registry."""
    return render_junit(context.run)
