"""The terminal table of an evaluation: one row per criterion, what would decide, the verdict.

`reportgen verdict` and `reportgen report` print it; it is also an output of its own.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from reportgen.criteria import Severity
from reportgen.evaluation import CriterionResult, Evaluation, Figures, Status
from reportgen.units import format_value

if TYPE_CHECKING:
    from reportgen.render.outputs import RenderContext

#: Width the "why" column is cut to in the terminal table (the JSON has the full sentence).
WHY_WIDTH = 160
#: Lines about the inputs shown in the table; the JSON has all of them.
INPUT_LINES = 20


def _value(value: float, f: Figures) -> str:
    if f.stat == "change":
        return f"{value * 100:+.1f}%"
    if f.unit == "" and float(value).is_integer():
        return str(int(value))
    return format_value(value, f.unit)


def measured(f: Figures) -> str:
    """`+25.0% [+21.0%, +29.1%] n=30`: the value, its bounds and the observations."""
    if f.value is None:
        return "-"
    text = _value(f.value, f)
    if f.stat and f.stat not in ("change",):
        text = f"{f.stat} {text}"
    if f.ci_low is not None or f.ci_high is not None:
        low = "…" if f.ci_low is None else _value(f.ci_low, f)
        high = "…" if f.ci_high is None else _value(f.ci_high, f)
        text += f" [{low}, {high}]"
    if f.n is not None:
        text += f" n={f.n}" if f.n_baseline is None else f" n={f.n_baseline}/{f.n}"
    if f.point_estimate:
        text += " (point)"
    return text


def threshold(f: Figures) -> str:
    if f.threshold is None:
        return "-"
    op = {"<=": "≤", ">=": "≥"}.get(f.comparison or "", f.comparison or "")
    return f"{op} {_value(f.threshold, f)}".strip()


def _status(result: CriterionResult) -> str:
    text = result.status.value.upper()
    if result.severity is Severity.ADVISORY:
        text += " (advisory)"
    return text


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(
    evaluation: Evaluation, notes: list[str] | None = None, width: int | None = None
) -> str:
    """The compact terminal view: one row per criterion, then what would decide, then verdict.

    With `width` (a terminal's columns) the "why" column is cut so that rows do not wrap.
    """
    headers = ["criterion", "status", "measured", "threshold", "why"]
    rows = [
        [r.id, _status(r), measured(r.figures), threshold(r.figures), r.reason]
        for r in evaluation.criteria
    ]
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers[:4])]
    # In a terminal the "why" column wraps within the width left; elsewhere (CI logs, files)
    # each row stays on one line, cut at WHY_WIDTH.
    wrap_at = None
    if width is not None:
        wrap_at = max(30, width - sum(widths) - 2 * len(widths) - 1)
    table: list[list[str]] = []
    for row in rows:
        if wrap_at is None:
            table.append([*row[:4], _cut(row[4], WHY_WIDTH)])
            continue
        parts = textwrap.wrap(row[4], wrap_at) or [""]
        table.append([*row[:4], parts[0]])
        table.extend(["", "", "", "", part] for part in parts[1:])
    widths.append(max([len(headers[4]), *(len(row[4]) for row in table)]))

    def fmt(cells: list[str]) -> str:
        return "  ".join(c.ljust(widths[i]) for i, c in enumerate(cells)).rstrip()

    lines = []
    if evaluation.title:
        lines.append(evaluation.title + (f" — {evaluation.subject}" if evaluation.subject else ""))
    lines.append(fmt(headers))
    lines.append(fmt(["-" * w for w in widths]))
    lines.extend(fmt(row) for row in table)
    if not rows:
        lines.append("(the criteria file defines no criteria)")
    undecided = [r for r in evaluation.criteria if r.to_decide]
    if undecided:
        lines.append("")
        lines.append("To decide:")
        lines.extend(f"  {r.id}: {r.to_decide}" for r in undecided)
    waived = [r for r in evaluation.criteria if r.status is Status.WAIVED and r.waiver]
    if waived:
        lines.append("")
        lines.append("Waived:")
        for r in waived:
            assert r.waiver is not None
            lines.append(
                f"  {r.id}: {r.waiver.reason} (until {r.waiver.expires or 'further notice'}; "
                f"evidence says {r.raw_status.value})"
            )
    warnings = [*(notes or []), *evaluation.warnings]
    if warnings:
        lines.append("")
        lines.append("Warnings:")
        lines.extend(f"  {w}" for w in warnings)
    about_inputs = evaluation.input_warnings
    if about_inputs:
        lines.append("")
        lines.append("Inputs:")
        lines.extend(f"  {_cut(w, WHY_WIDTH)}" for w in about_inputs[:INPUT_LINES])
        if len(about_inputs) > INPUT_LINES:
            lines.append(f"  ... and {len(about_inputs) - INPUT_LINES} more (see --json)")
    lines.append("")
    if evaluation.phases:
        for phase in evaluation.phases:
            lines.append(f"Phase {phase.name}: {phase.verdict.value}")
    counts = ", ".join(f"{n} {s.value}" for s, n in evaluation.counts().items() if n)
    lines.append(f"Verdict: {evaluation.verdict.value} ({counts or 'no criteria'})")
    return "\n".join(lines) + "\n"


def render(context: RenderContext) -> str:
    """The table output of the outputs registry."""
    return render_table(context.need_evaluation(), list(context.notes), context.width)
