"""xUnit.net v2 XML ingester (`xunit.console -xml`, `dotnet test` with the xunit logger).

`assemblies > assembly > collection > test` (xUnit.net v1's `assembly > class > test` is read
the same way). `Pass` passes, `Fail` fails, `Skip` and `NotRun` are skipped; `time` is in
seconds and may use a comma decimal (written under some locales: read, with a warning).
Traits become properties; a test's identity is its `type` plus its name (which may be a free
text display name). Entries in an assembly's `<errors>` (fixture and assembly clean-up
failures) are errors that belong to no test. An assembly with no tests gets a warning, and the
declared counts (tests, failures, and `errors` against the `<errors>` entries) are checked
against the content.
"""

from __future__ import annotations

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

_OUTCOMES = {
    "pass": Outcome.PASSED,
    "fail": Outcome.FAILED,
    "skip": Outcome.SKIPPED,
    "notrun": Outcome.SKIPPED,
}


class XUnit2Ingester(Ingester):
    """xUnit.net v2 result XML."""

    name = "xunit2"
    description = "xUnit.net v2 XML (xunit.console -xml, XunitXml.TestLogger)"
    patterns = ("*.xunit.xml", "xunit*.xml", "TestResults.xml")

    def sniff(self, head: bytes, path: str) -> float:
        root = sniff_root(head)
        if root is None:
            return 0.0
        name, _ns, attrs = root
        if name == "assemblies":
            return 0.9
        if name == "assembly" and ("test-framework" in attrs or "total=" in attrs):
            return 0.8
        return 0.0

    def read(self, source: Source, sink: Sink) -> None:
        with source.open() as handle:
            data = handle.read()
        root = parse_xml(data, source)
        tag = local_name(root.tag)
        if tag == "assemblies":
            assemblies = children(root, "assembly")
        elif tag == "assembly":
            assemblies = [root]
        else:
            raise source.error(f"not an xUnit.net file: root element is <{tag}>")
        reader = _Reader(sink)
        for assembly in assemblies:
            reader.assembly(assembly)
        if not assemblies:
            sink.warn("no assemblies in this xUnit.net result file")


class _Reader:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.comma_warned = False

    def _time(self, text: str | None) -> float | None:
        if text and "," in text and "." not in text and not self.comma_warned:
            self.comma_warned = True
            self.sink.warn(
                f"times written with a comma decimal separator ({text!r}); read as decimals"
            )
        return parse_float(text)

    def assembly(self, element: etree._Element) -> None:
        path = element.get("name") or "(assembly)"
        # Keep the file name only: the full build path is noise in reports.
        label = path.replace("\\", "/").rsplit("/", 1)[-1]
        date, time = element.get("run-date"), element.get("run-time")
        if date and self.sink.timestamp is None:
            self.sink.timestamp = f"{date}T{time}" if time else date
        counts = {"total": 0, "passed": 0, "failed": 0, "skipped": 0}
        errors = 0
        groups = [g for g in element if isinstance(g.tag, str)]
        for group in groups:
            tag = local_name(group.tag)
            if tag in ("collection", "class"):
                name = group.get("name") or tag
                for test in children(group, "test"):
                    self.test(test, (label, name), counts)
            elif tag == "errors":
                for error in children(group, "error"):
                    self.error(error, label)
                    errors += 1
        if counts["total"] == 0:
            self.sink.warn(f"assembly {label} has no tests")
        said = {a: element.get(a) for a in ("total", "failed")}
        self.sink.check_counts(
            f"assembly {label}",
            declared_total=_count(said["total"]),
            total=counts["total"],
            declared_bad=_count(said["failed"]),
            bad=counts["failed"],
        )
        # xunit's XML visitor writes `errors` as the number of <error> entries it put under
        # <errors> (xunit/xunit v2, src/xunit.runner.utility/Visitors/XmlTestExecutionVisitor.cs):
        # more declared than present is an error outside any test that the file lost.
        declared_errors = _count(element.get("errors"))
        if declared_errors is not None and declared_errors > errors:
            self.sink.flag(
                IntegrityKind.FAILURES_MISSING,
                f"assembly {label} declares {declared_errors} error(s) outside any test but "
                f"its <errors> holds {errors}",
            )
        disagreements = []
        for attribute, count in counts.items():
            declared = element.get(attribute)
            if (said_count := numbers.count_or_none(declared)) is not None and said_count != count:
                disagreements.append(f"{attribute}={declared} (tests: {count})")
        if disagreements:
            self.sink.warn(
                f"assembly {label}: declared counts disagree with its tests; the tests are used: "
                + ", ".join(disagreements)
            )

    def test(self, element: etree._Element, suite: tuple[str, str], counts: dict[str, int]) -> None:
        result = element.get("result") or ""
        outcome = _OUTCOMES.get(result.lower())
        if outcome is None:
            self.sink.warn(
                f"unknown xUnit.net result {result!r}: counted as an error",
                once=f"result:{result}",
            )
            outcome = Outcome.ERROR
        counts["total"] += 1
        key = {"pass": "passed", "fail": "failed", "skip": "skipped"}.get(result.lower())
        if key:
            counts[key] += 1
        classname = element.get("type") or None
        name = element.get("name") or element.get("method") or "(unnamed)"
        if classname and name.startswith(classname + "."):
            name = name[len(classname) + 1 :]
        properties: dict[str, str] = {}
        traits = child(element, "traits")
        if traits is not None:
            for trait in children(traits, "trait"):
                trait_name = trait.get("name")
                if trait_name:
                    value = trait.get("value", "")
                    previous = properties.get(trait_name)
                    properties[trait_name] = f"{previous}, {value}" if previous else value
        method = element.get("method")
        if method and method != name:
            properties["method"] = method
        if result.lower() == "notrun":
            properties["xunit_result"] = result
        message = exc_type = stack = None
        failure = child(element, "failure")
        if failure is not None:
            exc_type = failure.get("exception-type") or None
            message = text_of(child(failure, "message"))
            stack = text_of(child(failure, "stack-trace"))
        elif outcome == Outcome.SKIPPED:
            message = text_of(child(element, "reason"))
        output = text_of(child(element, "output"))
        if stack:
            output = f"{stack}\n{output}" if output else stack
        self.sink.test(
            name=name,
            classname=classname,
            suite=suite,
            outcome=outcome,
            duration=self._time(element.get("time")),
            message=message.strip() if message else None,
            type=exc_type,
            output=output,
            properties=properties or None,
            merge=False,
        )

    def error(self, element: etree._Element, label: str) -> None:
        """A failure outside any test (fixture or assembly clean-up): an error test."""
        kind = element.get("type") or "error"
        failure = child(element, "failure")
        message = stack = exc_type = None
        if failure is not None:
            exc_type = failure.get("exception-type") or None
            message = text_of(child(failure, "message"))
            stack = text_of(child(failure, "stack-trace"))
        self.sink.test(
            name=f"[{kind}] {element.get('name') or label}",
            suite=(label, "errors"),
            outcome=Outcome.ERROR,
            message=message.strip() if message else f"{kind} failure",
            type=exc_type,
            output=stack,
            properties={"xunit_error": kind},
            merge=False,
            unattributed=True,
        )


def _count(text: str | None) -> int | None:
    """A declared count attribute, or None when absent or not a number."""
    return numbers.count_or_none(text)
