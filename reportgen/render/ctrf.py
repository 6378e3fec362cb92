"""CTRF JSON writer: a normalised run as a Common Test Report Format document.

The output validates against the CTRF schema. CTRF has no `error` status, so errors are
written as `failed` with `rawStatus: "error"` (a dashboard must never show them as neutral);
skipped tests stay `skipped`. Durations are whole milliseconds (unknown ones are 0 and flagged
in `extra`). Run start and stop come from the inputs' own timestamps when they have one, else
they are 0; nothing depends on the clock, so the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from reportgen import __version__, clock, stamps
from reportgen.model import Attempt, Outcome, Run, TestCase

if TYPE_CHECKING:
    from reportgen.render.outputs import RenderContext

#: CTRF specification version written.
CTRF_SPEC_VERSION = "1.0.0"

_STATUS: dict[Outcome, str] = {
    Outcome.PASSED: "passed",
    Outcome.FAILED: "failed",
    Outcome.ERROR: "failed",
    Outcome.SKIPPED: "skipped",
}


def _ms(seconds: float | None) -> int:
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return 0
    return round(seconds * 1000)


def _epoch_ms(timestamp: str | None) -> int | None:
    """Milliseconds since the epoch of an ISO 8601 time with an offset; None otherwise."""
    stamp = stamps.read(timestamp) if timestamp else None
    if stamp is None or not stamp.zoned:
        return None  # a local time with no offset cannot be placed on the epoch
    return int(stamp.earliest.timestamp() * 1000)


def _attempt(number: int, attempt: Attempt) -> dict[str, Any]:
    entry: dict[str, Any] = {"attempt": number, "status": _STATUS[attempt.outcome]}
    if attempt.duration is not None:
        entry["duration"] = _ms(attempt.duration)
    if attempt.message:
        entry["message"] = attempt.message
    if attempt.output:
        entry["trace"] = attempt.output
    if attempt.outcome == Outcome.ERROR:
        entry["extra"] = {"outcome": "error"}
    return entry


def _test(case: TestCase, input_path: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": case.name or case.id or "(unnamed)",
        "status": _STATUS[case.outcome],
        "duration": _ms(case.duration),
        "testId": case.id or case.name or "(unnamed)",
    }
    if case.outcome == Outcome.ERROR:
        entry["rawStatus"] = "error"
    if case.suite:
        entry["suite"] = list(case.suite)
    if case.message:
        entry["message"] = case.message
    if case.output:
        # A failing test's output begins with its stack trace in every reader we have.
        if case.outcome in (Outcome.FAILED, Outcome.ERROR):
            entry["trace"] = case.output
        else:
            entry["stdout"] = [case.output]
    if case.file:
        entry["filePath"] = case.file
    if case.line is not None:
        entry["line"] = case.line
    if case.properties:
        entry["labels"] = dict(sorted(case.properties.items()))
    if case.flaky:
        entry["flaky"] = True
    if case.attempts:
        entry["retries"] = len(case.attempts) - 1
        entry["retryAttempts"] = [_attempt(i, a) for i, a in enumerate(case.attempts, start=1)]
    extra: dict[str, Any] = {"outcome": case.outcome.value}
    if case.classname:
        extra["classname"] = case.classname
    if case.type:
        extra["type"] = case.type
    if case.duration is None:
        extra["durationUnknown"] = True
    if case.output_truncated:
        extra["outputTruncated"] = case.output_truncated
    if input_path is not None:
        extra["input"] = input_path
    entry["extra"] = extra
    return entry


def render_ctrf(run: Run, *, generated: str | None = None) -> str:
    """The run as a CTRF JSON document (ends with a newline).

    `generated` is the report time to write (ISO 8601, e.g. from SOURCE_DATE_EPOCH); without
    it the document carries no generation time, which keeps the output reproducible.
    """
    tests = run.tests
    counts = tests.outcome_counts()
    paths = [f.path for f in run.inputs]
    entries = [
        _test(case, paths[case.input] if case.input < len(paths) else None) for case in tests
    ]
    starts = [ms for ms in (_epoch_ms(f.timestamp) for f in run.inputs) if ms is not None]
    total_ms = _ms(tests.total_duration())
    start = min(starts) if starts else 0
    stop = start + total_ms if starts else 0
    formats = sorted({f.format for f in run.inputs})
    summary: dict[str, Any] = {
        "tests": len(tests),
        "passed": counts[Outcome.PASSED],
        "failed": counts[Outcome.FAILED] + counts[Outcome.ERROR],
        "skipped": counts[Outcome.SKIPPED],
        "pending": 0,
        "other": 0,
        "flaky": tests.flaky_count(),
        "suites": len({tests.suite_of(i) for i in range(len(tests)) if tests.suite_of(i)}),
        "start": start,
        "stop": stop,
        "duration": total_ms,
        "extra": {
            "errors": counts[Outcome.ERROR],
            "startKnown": bool(starts),
        },
    }
    document: dict[str, Any] = {
        "reportFormat": "CTRF",
        "specVersion": CTRF_SPEC_VERSION,
        "generatedBy": f"reportgen {__version__}",
    }
    if generated is not None:
        document["timestamp"] = generated
    document["results"] = {
        "tool": {
            "name": "+".join(formats) if formats else "reportgen",
            "extra": {"convertedBy": f"reportgen {__version__}"},
        },
        "summary": summary,
        "tests": entries,
        "extra": {
            "inputs": [
                {
                    "path": f.path,
                    "format": f.format,
                    "sha256": f.sha256,
                    "warnings": [w.message for w in f.warnings],
                    # Read back by reportgen, so that the conversion of an input that says it
                    # is incomplete is no evidence for READY either.
                    "integrity": [
                        flag.model_dump(mode="json", exclude_none=True) for flag in f.integrity
                    ],
                }
                for f in run.inputs
            ],
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render(context: RenderContext) -> str:
    """The CTRF output of the outputs registry; generated at SOURCE_DATE_EPOCH when set."""
    moment = clock.source_date()
    return render_ctrf(context.run, generated=clock.iso(moment) if moment is not None else None)
