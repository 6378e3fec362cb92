"""The criteria as JUnit XML: one testcase per criterion, so any CI shows the gates as tests.

A failing criterion is a `<failure>`; insufficient evidence is an `<error>` of type
`insufficient-evidence` (never a pass or a skip, which CI views would show as green or grey);
a waived criterion passes with a `waived` property and its reason in `<system-out>`; an
advisory failure is a `<failure>` of type `advisory-failure` whose message says it does not
block. Output is deterministic: same evaluation, same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from reportgen.criteria import Severity
from reportgen.evaluation import CriterionResult, Evaluation, Status
from reportgen.units import format_value

if TYPE_CHECKING:
    from reportgen.render.outputs import RenderContext

# Characters XML 1.0 cannot carry at all (even escaped): reasons may quote hostile test ids.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

#: Suite name for criteria outside any phase.
UNGROUPED = "criteria"


def _clean(text: str) -> str:
    return _INVALID_XML.sub("", text)


def _figures_text(result: CriterionResult) -> str:
    f = result.figures
    if f.value is None:
        return ""

    def show(value: float) -> str:
        return f"{value * 100:+.1f}%" if f.stat == "change" else format_value(value, f.unit)

    parts = [f"{f.stat or 'value'} = {show(f.value)}"]
    if f.ci_low is not None or f.ci_high is not None:
        low = "-∞" if f.ci_low is None else show(f.ci_low)
        high = "+∞" if f.ci_high is None else show(f.ci_high)
        conf = f" at {f.confidence:.0%}" if f.confidence is not None else ""
        parts.append(f"bounds {low} to {high}{conf}")
    if f.threshold is not None:
        parts.append(f"threshold {f.comparison or ''} {show(f.threshold)}".strip())
    if f.n is not None:
        parts.append(f"n = {f.n}")
    if f.n_baseline is not None:
        parts.append(f"baseline n = {f.n_baseline}")
    if f.point_estimate:
        parts.append("point estimate (weaker evidence)")
    return "; ".join(parts)


def _details(result: CriterionResult) -> str:
    lines = [result.reason]
    figures = _figures_text(result)
    if figures:
        lines.append(figures)
    if result.to_decide:
        lines.append(f"To decide: {result.to_decide}")
    if result.impact:
        lines.append(f"Impact: {result.impact}")
    for item in result.items:
        if item.status is not Status.PASS:
            lines.append(f"{item.metric}: {item.status.value}: {item.reason}")
    for ref in result.evidence:
        label = "baseline " if ref.baseline else ""
        lines.append(f"Evidence: {label}{ref.path} (sha256 {ref.sha256})")
    return "\n".join(lines)


def _testcase(parent: ET.Element, result: CriterionResult, classname: str) -> tuple[int, int]:
    """Append one testcase; returns (failures, errors) it adds."""
    name = result.id if not result.title else f"{result.id}: {result.title}"
    case = ET.SubElement(
        parent, "testcase", {"classname": classname, "name": _clean(name), "time": "0"}
    )
    props = ET.SubElement(case, "properties")
    for key, value in (
        ("status", result.status.value),
        ("raw_status", result.raw_status.value),
        ("severity", result.severity.value),
        ("kind", result.kind),
    ):
        ET.SubElement(props, "property", {"name": key, "value": value})
    if result.waiver is not None:
        ET.SubElement(
            props,
            "property",
            {
                "name": "waived" if result.status is Status.WAIVED else "waiver",
                "value": _clean(
                    f"{result.waiver.reason} (expires {result.waiver.expires or 'never'}"
                    f"{'' if result.waiver.active else ', EXPIRED: ignored'})"
                ),
            },
        )
    details = _clean(_details(result))
    advisory = result.severity is Severity.ADVISORY
    failures = errors = 0
    if result.status is Status.FAIL:
        kind = "advisory-failure" if advisory else "criterion-failed"
        prefix = "advisory, does not block: " if advisory else ""
        failure = ET.SubElement(
            case, "failure", {"type": kind, "message": _clean(prefix + result.reason)}
        )
        failure.text = details
        failures = 1
    elif result.status is Status.INSUFFICIENT:
        prefix = "advisory, does not block: " if advisory else ""
        error = ET.SubElement(
            case,
            "error",
            {"type": "insufficient-evidence", "message": _clean(prefix + result.reason)},
        )
        error.text = details
        errors = 1
    if result.status is Status.WAIVED and result.waiver is not None:
        out = ET.SubElement(case, "system-out")
        out.text = _clean(
            f"WAIVED: {result.waiver.reason}; the evidence says "
            f"{result.raw_status.value}:\n{details}"
        )
    elif result.status is Status.PASS:
        out = ET.SubElement(case, "system-out")
        out.text = details
    return failures, errors


def render_criteria_junit(evaluation: Evaluation) -> str:
    """The evaluation as a JUnit XML document (one testsuite per phase)."""
    root = ET.Element("testsuites", {"name": "reportgen verdict"})
    groups: dict[str, list[CriterionResult]] = {}
    for result in evaluation.criteria:
        groups.setdefault(result.phase or UNGROUPED, []).append(result)
    verdicts = {p.name: p.verdict.value for p in evaluation.phases}
    total_failures = total_errors = 0
    for suite_name, results in groups.items():
        suite = ET.SubElement(root, "testsuite", {"name": _clean(suite_name)})
        props = ET.SubElement(suite, "properties")
        ET.SubElement(
            props,
            "property",
            {"name": "verdict", "value": verdicts.get(suite_name, evaluation.verdict.value)},
        )
        ET.SubElement(
            props, "property", {"name": "overall_verdict", "value": evaluation.verdict.value}
        )
        failures = errors = 0
        classname = "reportgen." + re.sub(r"[^A-Za-z0-9_-]+", "_", suite_name).strip("_")
        for result in results:
            f, e = _testcase(suite, result, classname)
            failures += f
            errors += e
        suite.set("tests", str(len(results)))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        suite.set("skipped", "0")
        suite.set("time", "0")
        total_failures += failures
        total_errors += errors
    root.set("tests", str(len(evaluation.criteria)))
    root.set("failures", str(total_failures))
    root.set("errors", str(total_errors))
    root.set("skipped", "0")
    root.set("time", "0")
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def render(context: RenderContext) -> str:
    """The criteria JUnit output of the outputs registry."""
    return render_criteria_junit(context.need_evaluation())
