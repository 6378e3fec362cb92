"""The PR comment: a body of at most 65,536 characters built in order of value.

It begins with the hidden per-gate marker (the action finds and updates its own comment by it),
then holds the verdict, every failing and insufficient criterion with its why, then as many
failing tests *with their output* as fit (the last one's output cut to what is left), and ends
with counts of what was left out and where the full report is. Room for that last part is kept
from the start, so it is never the part that is cut.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportgen.ci.github import COMMENT_CHARS, comment_marker
from reportgen.render.markdown import (
    ICONS,
    ci_line,
    code_block,
    escape_inline,
    evidence_ref,
    url_link,
)
from reportgen.render.view import CriterionRow, FailureView, ReportView, shorten_output

if TYPE_CHECKING:
    from reportgen.render.outputs import RenderContext

#: Fewest output lines worth showing for the failure that fills the remaining room.
MIN_OUTPUT_LINES = 3


@dataclass(frozen=True)
class LeftOut:
    """What the comment does not show, counted for its closing note."""

    criteria: int = 0  # failing or insufficient criteria that did not fit
    failures: int = 0  # failing tests that did not fit
    outputs_trimmed: int = 0  # shown failures whose output was cut to fit
    passing: int = 0  # criteria that pass (never listed)
    waived: int = 0
    flaky: int = 0
    skipped: int = 0
    metrics: int = 0


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _head(view: ReportView) -> str:
    lines = [f"## {ICONS.get(view.verdict_class, '⚠️')} {escape_inline(view.title)}: {view.verdict}"]
    if view.subject:
        lines.append(f"**Subject:** {escape_inline(view.subject)}")
    if view.ci:
        lines.append(f"**CI:** {ci_line(view.ci)}")
    lines.append(escape_inline(view.summary.sentence))
    return "\n\n".join(lines) + "\n\n"


def _criterion(row: CriterionRow) -> str:
    out = [
        f"#### {ICONS.get(row.status, '')} {row.status_label} {escape_inline(row.id)}: "
        f"{escape_inline(row.title)} ({escape_inline(row.severity)})\n\n",
        f"- **Measured:** {escape_inline(row.measured)}"
        + (f" (n = {escape_inline(row.n)})" if row.n != "—" else "")
        + f"; **threshold:** {escape_inline(row.threshold)}\n",
        f"- **Why:** {escape_inline(row.reason)}\n",
    ]
    if row.to_change:
        out.append(f"- **What would change it:** {escape_inline(row.to_change)}\n")
    if row.waiver:
        out.append(f"- **Waiver:** {escape_inline(row.waiver)}\n")
    if row.evidence:
        out.append(f"- **Evidence:** {'; '.join(evidence_ref(e) for e in row.evidence)}\n")
    for item in row.items:
        if item.status != "pass":
            out.append(
                f"  - {escape_inline(item.metric)}: {ICONS.get(item.status, '')} "
                f"{item.status_label}, {escape_inline(item.measured)}: "
                f"{escape_inline(item.reason)}\n"
            )
    return "".join(out) + "\n"


def _failure(f: FailureView) -> str:
    duration = f" ({escape_inline(f.duration)})" if f.duration else ""
    message = escape_inline(f.message) if f.message else "no message"
    line = (
        f"- **{escape_inline(f.outcome)}** {escape_inline(f.id)}{duration}: {message} "
        f"({escape_inline(f.source)})\n"
    )
    if not f.output:
        return line + "\n"
    cut = f" (trimmed: {escape_inline(f.output_cut)})" if f.output_cut else ""
    return (
        f"{line}\n<details><summary>output{cut}</summary>\n\n"
        f"{code_block(f.output)}\n\n</details>\n\n"
    )


def _fitted_failure(f: FailureView, room: int) -> str | None:
    """The failure with its output cut to fit `room` characters (at least MIN_OUTPUT_LINES
    lines of it), or None when not even that fits."""
    if not f.output:
        return None
    # Bisect on the lines kept: the text grows with them, a few renders find the most that fit.
    low, high = MIN_OUTPUT_LINES, f.output.count("\n") + 1
    best: str | None = None
    while low <= high:
        middle = (low + high) // 2
        text = _failure(shorten_output(f, middle))
        if len(text) <= room:
            best, low = text, middle + 1
        else:
            high = middle - 1
    return best


def _closing(left: LeftOut, limit: int, view: ReportView, hint: str | None) -> str:
    """The closing note: counts of what is not shown, and where the full report is."""
    parts: list[str] = []
    if left.criteria:
        parts.append(
            _plural(
                left.criteria,
                "more failing or insufficient criterion",
                "more failing or insufficient criteria",
            )
        )
    if left.failures:
        parts.append(_plural(left.failures, "more failing test"))
    if left.outputs_trimmed:
        parts.append(f"the output of {_plural(left.outputs_trimmed, 'failing test')} cut short")
    if left.passing:
        parts.append(_plural(left.passing, "passing criterion", "passing criteria"))
    if left.waived:
        parts.append(_plural(left.waived, "waived criterion", "waived criteria"))
    if left.flaky:
        parts.append(_plural(left.flaky, "flaky test"))
    if left.skipped:
        parts.append(_plural(left.skipped, "skipped test"))
    if left.metrics:
        parts.append(f"the table of {_plural(left.metrics, 'metric')}")
    run = url_link("run", view.ci.run_url) if view.ci and view.ci.run_url else None
    if hint and run:
        where = f"The full report is {escape_inline(hint)}, in the artifacts of the {run}."
    elif hint:
        where = f"The full report is {escape_inline(hint)}."
    elif run:
        where = f"The full report is in the artifacts of the {run}."
    else:
        where = "The full report is in the HTML, PDF or JSON output of the same run."
    shown = "; ".join(parts) if parts else "nothing"
    return f"---\n\n> **Not shown** (a comment holds {limit:,} characters): {shown}. {where}\n"


def _criteria_rows(view: ReportView) -> list[CriterionRow]:
    """Failing and insufficient criteria: blocking ones first, in the summary's order."""
    rows = {r.anchor: r for phase in view.phases for r in phase.rows}
    return [rows[s.anchor] for s in (*view.summary.blocking, *view.summary.advisory)]


def build_comment(
    view: ReportView, *, marker: str, limit: int = COMMENT_CHARS, hint: str | None = None
) -> str:
    """The PR comment of `view`, at most `limit` characters, in order of value."""
    rows = [r for phase in view.phases for r in phase.rows]
    t = view.tests
    failures = t.failures if t is not None else ()
    everything = LeftOut(
        criteria=len(rows),
        failures=len(failures),
        outputs_trimmed=len(failures),
        passing=sum(r.status == "pass" for r in rows),
        waived=sum(r.status == "waived" for r in rows),
        flaky=t.flaky if t is not None else 0,
        skipped=t.skipped if t is not None else 0,
        metrics=len(view.metrics),
    )
    # The closing note with every count at its largest is the longest it can be (give or take
    # a singular noun, hence the margin): its room is kept aside before anything is placed.
    reserve = len(_closing(everything, limit, view, hint)) + 16
    head = marker + "\n" + _head(view)
    room = limit - reserve - len(head)
    if room < 0:
        # Not even the verdict and the note fit (a tiny limit): the marker and the verdict.
        return (marker + "\n" + f"{view.verdict}\n")[:limit]
    parts = [head]

    criteria = _criteria_rows(view)
    shown_criteria = 0
    for row in criteria:
        text = _criterion(row)
        if len(text) > room:
            break
        parts.append(text)
        room -= len(text)
        shown_criteria += 1

    shown_failures = trimmed = 0
    if failures and shown_criteria == len(criteria):
        title = f"### Failing tests ({len(failures):,})\n\n"
        if len(title) < room:
            parts.append(title)
            room -= len(title)
            for f in failures:
                text = _failure(f)
                if len(text) > room:
                    fitted = _fitted_failure(f, room)
                    if fitted is not None:
                        parts.append(fitted)
                        room -= len(fitted)
                        shown_failures += 1
                        trimmed += 1
                    break
                parts.append(text)
                room -= len(text)
                shown_failures += 1

    left = LeftOut(
        criteria=len(criteria) - shown_criteria,
        failures=len(failures) - shown_failures,
        outputs_trimmed=trimmed,
        passing=everything.passing,
        waived=everything.waived,
        flaky=everything.flaky,
        skipped=everything.skipped,
        metrics=everything.metrics,
    )
    parts.append(_closing(left, limit, view, hint))
    return "".join(parts)


def render(context: RenderContext) -> str:
    """The comment output of the outputs registry: marker line, then the body."""
    marker = comment_marker(context.criteria_path or "criteria")
    return build_comment(
        context.view, marker=marker, limit=COMMENT_CHARS, hint=context.full_report_hint
    )
