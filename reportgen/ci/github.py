"""GitHub Actions: workflow-command annotations, step outputs, job summary and PR comment marker.

Pure functions returning strings; `reportgen.cli` decides where they go. Every piece of text
that comes from the inputs (test names, messages, output) is untrusted: it is escaped so it
cannot end a workflow command early or start one of its own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from reportgen.criteria import Severity
from reportgen.evaluation import CriterionResult, Evaluation, Status
from reportgen.model import Outcome, Run, TestCase

#: GitHub shows at most this many annotations of each type (error, warning, notice) per step.
ANNOTATIONS_PER_TYPE = 10
#: The job summary of one step may be at most 1 MiB.
STEP_SUMMARY_BYTES = 1024 * 1024
#: Characters a GitHub issue or PR comment holds.
COMMENT_CHARS = 65_536
#: Raw output shown in the log per annotated test (the annotation itself carries the message).
OUTPUT_CHARS = 4000


def escape_data(text: str) -> str:
    """`text` as the message of a workflow command: `%`, CR and LF cannot end or split it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """`text` as a property value (file=, title=): also `:` and `,` are escaped."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int | None) -> str:
    """One workflow command line, e.g. `::error file=a.py,line=3,title=t::message`."""
    props = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in properties.items()
        if value is not None and value != ""
    )
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}\n"


def stop_commands(text: str, token: str) -> str:
    """`text` between `::stop-commands::TOKEN` and `::TOKEN::`: no line of it is a command.

    `token` must be unguessable by whoever wrote `text` (the CLI passes a random one); a text
    that contains it anyway is refused rather than risk ending the block early.
    """
    if token in text:
        raise ValueError("the stop-commands token occurs in the text it protects")
    body = text if text.endswith("\n") else text + "\n"
    return f"::stop-commands::{token}\n{body}::{token}::\n"


def criterion_lines(criteria_text: str) -> dict[str, int]:
    """1-based line of each criterion's `id:` in a YAML or JSON criteria file."""
    pattern = re.compile(
        r"""^[\s\-{]*["']?id["']?\s*:\s*["']?([^"',#}]+?)["']?\s*[,}]?\s*(#.*)?$"""
    )
    lines: dict[str, int] = {}
    for number, line in enumerate(criteria_text.splitlines(), start=1):
        match = pattern.match(line)
        if match:
            lines.setdefault(match.group(1).strip(), number)
    return lines


@dataclass(frozen=True)
class _Annotation:
    level: str  # error | warning | notice
    rank: int  # lower shows first
    message: str
    title: str
    file: str | None = None
    line: int | None = None
    output: str | None = None


def _criterion_annotation(
    result: CriterionResult, criteria_path: str | None, lines: Mapping[str, int]
) -> _Annotation | None:
    blocker = result.severity is Severity.BLOCKER
    if result.status is Status.FAIL:
        level, rank = ("error", 0) if blocker else ("warning", 2)
    elif result.status is Status.INSUFFICIENT:
        level, rank = ("error", 1) if blocker else ("warning", 3)
    else:
        return None
    why = result.reason
    if result.to_decide:
        why += f" To decide: {result.to_decide}"
    title = f"{result.id}: {result.status.value}" + ("" if blocker else " (advisory)")
    return _Annotation(level, rank, why, title, criteria_path, lines.get(result.id))


def _test_annotation(test: TestCase) -> _Annotation:
    kind = "failed" if test.outcome is Outcome.FAILED else "error"
    message = test.message or test.type or kind
    return _Annotation(
        "error",
        4,
        message,
        f"{test.id} ({kind})",
        test.file,
        test.line,
        test.output,
    )


def annotation_commands(
    run: Run,
    evaluation: Evaluation,
    *,
    token: str,
    criteria_path: str | None = None,
    criteria_text: str = "",
) -> str:
    """Annotations for failing criteria and failed or errored tests, most important first.

    Blocking criteria that fail come first, then insufficient ones, advisory ones, then the
    tests. At most ANNOTATIONS_PER_TYPE of each level are emitted (GitHub drops the rest
    silently); one notice then says how many were left out. The raw output of each annotated
    test follows in a collapsed group, inside a stop-commands block.
    """
    lines = criterion_lines(criteria_text)
    found: list[_Annotation] = []
    for result in evaluation.criteria:
        note = _criterion_annotation(result, criteria_path, lines)
        if note is not None:
            found.append(note)
    tests_failing = (test for test in run.tests if test.outcome in (Outcome.FAILED, Outcome.ERROR))
    # Stable sort: the rank decides, the evaluation's and the inputs' order break ties.
    found.sort(key=lambda a: a.rank)
    shown: list[_Annotation] = []
    per_level: dict[str, int] = {}
    left_out = 0

    def take(note: _Annotation) -> None:
        nonlocal left_out
        if per_level.get(note.level, 0) < ANNOTATIONS_PER_TYPE:
            per_level[note.level] = per_level.get(note.level, 0) + 1
            shown.append(note)
        else:
            left_out += 1

    for note in found:
        take(note)
    for test in tests_failing:
        if per_level.get("error", 0) >= ANNOTATIONS_PER_TYPE:
            left_out += 1  # counted without building an annotation for each of thousands
            continue
        take(_test_annotation(test))

    out: list[str] = []
    for note in shown:
        out.append(
            command(note.level, note.message, file=note.file, line=note.line, title=note.title)
        )
        if note.output:
            out.append(f"::group::{escape_data('output of ' + note.title)}\n")
            out.append(stop_commands(note.output[:OUTPUT_CHARS], token))
            out.append("::endgroup::\n")
    if left_out:
        out.append(
            command(
                "notice",
                f"{left_out} more failing criteria or tests are not annotated (GitHub shows "
                f"{ANNOTATIONS_PER_TYPE} per type per step); see the job summary or the report.",
                title="reportgen: more failures",
            )
        )
    return "".join(out)


def step_outputs(values: Mapping[str, str], delimiter: str) -> str:
    """Lines for `$GITHUB_OUTPUT`: every value in heredoc form, so any value may span lines.

    `delimiter` must be random per run and must not occur in any value (checked).
    """
    parts: list[str] = []
    for name, value in values.items():
        if delimiter in value or delimiter in name:
            raise ValueError("the output delimiter occurs in a value")
        parts.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(parts)


def output_values(
    run: Run, evaluation: Evaluation, exit_code: int, reports: Iterable[tuple[str, str]]
) -> dict[str, str]:
    """The step outputs: verdict, exit code, criteria and test counts, report paths."""
    counts = evaluation.counts()
    tests = run.tests.outcome_counts()
    values: dict[str, str] = {
        "verdict": evaluation.verdict.value,
        "exit-code": str(exit_code),
    }
    for status in Status:
        values[f"criteria-{status.name.lower()}"] = str(counts[status])
    values["tests-total"] = str(len(run.tests))
    for outcome in Outcome:
        values[f"tests-{outcome.name.lower()}"] = str(tests.get(outcome, 0))
    paths = list(reports)
    for name, path in paths:
        values[f"report-{name}"] = path
    values["reports"] = "\n".join(path for _, path in paths)
    return values


def fit_summary(render: Callable[[int | None], str], budget: int) -> str:
    """The Markdown from `render(max_chars)` whose UTF-8 size fits `budget` bytes.

    `render(None)` is the full report; when it is too large, it is rendered trimmed (with the
    renderer's note saying so), smaller until its bytes fit. Returns "" when not even the
    shortest trimmed report fits (the summary is then left as it was).
    """
    text = render(None)
    size = len(text.encode("utf-8"))
    if size <= budget:
        return text
    chars = budget
    while chars >= 1000:
        text = render(chars)
        size = len(text.encode("utf-8"))
        if size <= budget:
            return text
        # Multi-byte characters: shrink by the overshoot, and at least a little each time.
        chars = min(chars - 1, int(chars * budget / size))
    return ""


def comment_marker(criteria_path: str) -> str:
    """The hidden first line of a PR comment, one per gate (criteria file) and stable across
    runs, so the action finds and updates its own comment instead of adding one per run."""
    normal = criteria_path.replace("\\", "/").removeprefix("./")
    digest = hashlib.sha256(normal.encode("utf-8")).hexdigest()[:16]
    return f"<!-- reportgen:{digest} -->"
