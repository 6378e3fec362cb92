"""The TAP reader's emitter: the leaves of the parsed tree of streams (and the errors the reader
makes) written to the sink, as `reportgen.ingest.tap`'s docstring says they map onto the model.
"""

from __future__ import annotations

import math
import re
from array import array
from typing import Any

from reportgen import numbers
from reportgen.ingest._tap_parser import Parser, Point, Run, RunPoint, Stream, Synthetic
from reportgen.ingest.base import (
    MAX_NAME_CHARS,
    Sink,
    TestBatch,
    first_line,
    sink_cuts,
)
from reportgen.model import OUTCOME_CODE as _CODE
from reportgen.model import Outcome

# `file:line:column` (node) or `file:line`.
_LOCATION = re.compile(r"^(.*):(\d+):\d+$|^(.*):(\d+)$")
_OUTCOME_OF_CODE = {code: outcome for outcome, code in _CODE.items()}
_FAILED = _CODE[Outcome.FAILED]
#: The name of the error a parent adds when it fails with no failing subtest (see
#: `reportgen.ingest.tap`); JUnit's reader names a suite's own error alike (`[suite error]`).
PARENT_ERROR = "[suite error]"


class _Emitter:
    """Walks the parsed tree and writes the leaves (and synthetic errors) to the sink."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.batch = TestBatch(sink)
        self.todo_passed = 0

    def stream(self, stream: Stream, suite: tuple[str, ...]) -> int:
        """Emit one stream; return how many failed or errored tests it produced."""
        bad = 0
        used: set[str] = set()
        batch = self.batch
        passed, failed = Outcome.PASSED, Outcome.FAILED
        index = 0  # of the entry among the stream's test points (a run holds many)
        for entry in stream.entries:
            if isinstance(entry, Run):
                bad += self._run(entry, suite)
                index += len(entry.names)
                continue
            index += 1
            if (
                type(entry) is Point
                and not suite
                and entry.ok
                and entry.directive is None
                and entry.children is None
                and (why := self.sink.whole_file(entry.description, entry.line))
            ):
                batch.add(
                    name=entry.description,
                    outcome=Outcome.SKIPPED,
                    suite=suite,
                    duration=entry.duration,
                    message=why,
                    type="no test reported",
                )
                continue
            if (
                type(entry) is Point
                and entry.children is None
                and entry.directive is None
                and entry.yaml_text is None
                and entry.extra is None
            ):
                # A plain leaf: a name, passed or failed, perhaps a time; nothing else.
                if not entry.ok:
                    bad += 1
                batch.add(
                    name=entry.description or f"test {entry.number or index}",
                    outcome=passed if entry.ok else failed,
                    suite=suite,
                    duration=entry.duration,
                )
                continue
            if isinstance(entry, Synthetic):
                batch.flush()
                self.sink.test(
                    name=self._unique(entry.name, None, index, used),
                    suite=suite,
                    outcome=Outcome.ERROR,
                    message=entry.message,
                    line=entry.line,
                    properties={"tap": "synthetic"},
                    merge=False,
                    unattributed=True,
                )
                bad += 1
            elif isinstance(entry, Stream):
                bad += self.stream(entry, (*suite, entry.name or "(subtest)"))
            elif entry.children is not None and entry.children.entries:
                name = entry.description or f"test {entry.number or index}"
                child_bad = self.stream(entry.children, (*suite, name))
                bad += child_bad
                if not entry.ok and entry.directive is None and child_bad == 0:
                    self._parent_error(entry, (*suite, name))
                    bad += 1
            else:
                bad += self._leaf(entry, suite, index, used)
        return bad

    @staticmethod
    def _unique(name: str, number: int | None, index: int, used: set[str]) -> str:
        # A description that repeats (`test.each`, a loop of `node --test` tests) is another
        # execution of the same test id, not a new name: each counts on its own.
        return name or f"test {number or index}"

    def _run(self, run: Run, suite: tuple[str, ...]) -> int:
        """Write a run's rows as `TestBatch.add` would one by one; return how many failed."""
        batch = self.batch
        if not run.points:
            batch.extend(run.names, run.codes, suite)
            return run.codes.count(_FAILED)
        codes = bytearray(run.codes)
        details: dict[int, dict[str, Any]] = {}
        durations: dict[int, float] = {}
        # Rows without YAML repeat (a skip with the same reason): one reading for each.
        seen: dict[RunPoint, _RowFields] = {}
        for row, point in run.points.items():
            if point[3] is None and point[4] is None:  # no YAML: a key for `seen`
                fields = seen.get(point)
                if fields is None:
                    fields = seen[point] = _row(*point)
            else:
                fields = _row(*point)
            codes[row], detail, seconds, todo = fields
            if detail is not None:
                details[row] = detail
            if seconds is not None:
                durations[row] = seconds
            self.todo_passed += todo
        if _cut(run.names, details):
            # A string `Sink` cuts (and warns about): row by row, so that the warnings come
            # in the order they would.
            for row, (name, code) in enumerate(zip(run.names, codes, strict=True)):
                batch.add(
                    name=name,
                    outcome=_OUTCOME_OF_CODE[code],
                    suite=suite,
                    duration=durations.get(row),
                    **details.get(row, {}),
                )
        else:
            column = None
            if durations:
                column = array("d", (math.nan,)) * len(run.names)
                for row, seconds in durations.items():
                    column[row] = seconds
            batch.flush()
            self.sink.add_tests(
                run.names, outcomes=codes, durations=column, suite=suite, details=details
            )
        return codes.count(_FAILED)

    def _parent_error(self, point: Point, place: tuple[str, ...]) -> None:
        """A parent that says `not ok` while none of its subtests failed (a failed hook, a
        plan): an error of the parent's own suite, `place`, not a test. Recorded inside that
        suite and unattributed, so that it counts against every selection that may reach a
        test of the suite (`cache::*`, `cache::hits`, `**`), not only its bare name."""
        _outcome, fields, _todo = _leaf_fields(
            point.ok,
            point.directive,
            point.reason,
            point.yaml,
            point.yaml_text,
            point.extra,
            point.duration,
            Outcome.ERROR,
        )
        self.batch.flush()
        self.sink.test(
            name=PARENT_ERROR,
            suite=place,
            outcome=Outcome.ERROR,
            merge=False,
            unattributed=True,
            **fields,
        )

    def _leaf(
        self,
        point: Point,
        suite: tuple[str, ...],
        index: int,
        used: set[str],
        outcome: Outcome | None = None,
    ) -> int:
        outcome, fields, todo = _leaf_fields(
            point.ok,
            point.directive,
            point.reason,
            point.yaml,
            point.yaml_text,
            point.extra,
            point.duration,
            outcome,
        )
        self.todo_passed += todo
        self.batch.add(
            name=self._unique(point.description, point.number, index, used),
            suite=suite,
            outcome=outcome,
            **fields,
        )
        return 1 if outcome in (Outcome.FAILED, Outcome.ERROR) else 0


def _cut(names: list[str], details: dict[int, dict[str, Any]]) -> bool:
    """Whether a run's row has a string that `Sink` would cut."""
    if max(map(len, names)) > MAX_NAME_CHARS:
        return True
    return any(
        sink_cuts(file=detail.get("file"), message=detail.get("message"), type=detail.get("type"))
        for detail in details.values()
    )


def _leaf_fields(
    ok: bool,
    directive: str | None,
    reason: str,
    data: dict[str, Any] | None,
    yaml_text: str | None,
    extra: list[str] | None,
    duration: float | None,
    outcome: Outcome | None = None,
) -> tuple[Outcome, dict[str, Any], bool]:
    """How a leaf test point is recorded: its outcome (`outcome` when given), the other keyword
    arguments of `TestBatch.add` but name and suite, and whether it is a TODO that passed."""
    properties: dict[str, str] = {}
    message = _scalar(data, "message", "error")
    todo_passed = False
    if outcome is None:
        if directive == "SKIP":
            # `not ok # SKIP` failed: Perl's harness counts it failed (as the JUnit reader
            # counts a testcase with a failure and a skip), and bats writes a failing test
            # whose name holds `# skip` so.
            outcome = Outcome.SKIPPED if ok else Outcome.FAILED
        elif directive == "TODO":
            outcome = Outcome.SKIPPED
            properties["todo_result"] = "ok" if ok else "not ok"
            todo_passed = ok
        else:
            outcome = Outcome.PASSED if ok else Outcome.FAILED
    if directive:
        properties["directive"] = directive
        if reason:
            properties["reason"] = reason
        if outcome == Outcome.SKIPPED:
            message = reason or message
        elif directive == "SKIP":
            message = message or reason or None
    severity = _scalar(data, "severity")
    if severity:
        properties["severity"] = severity
    output_parts: list[str] = []
    stack = _scalar(data, "stack")
    if stack:
        output_parts.append(stack)
    if extra:
        message = message or extra[0]
        output_parts.append("\n".join(extra))
    if data is None and yaml_text and not ok:
        output_parts.append(yaml_text)
    if outcome == Outcome.ERROR and message is None:
        message = "subtest parent reported not ok although none of its subtests failed"
    file, line = _location(data)
    yaml_duration = _yaml_duration(data)
    failing = outcome in (Outcome.FAILED, Outcome.ERROR)
    fields = {
        "duration": duration if yaml_duration is None else yaml_duration,
        "message": first_line(message) if message and not failing else message,
        "type": _scalar(data, "name", "code", "failureType") if failing else None,
        "output": "\n".join(output_parts) if output_parts else None,
        "file": file,
        "line": line,
        "properties": properties or None,
    }
    return outcome, fields, todo_passed


#: A `Run` row: outcome code; what `_Emitter` gives `TestBatch.add` besides name, outcome,
#: suite and duration, file and line included (None when it gives none of them); duration;
#: whether it is a TODO that passed.
_RowFields = tuple[int, dict[str, Any] | None, float | None, bool]


def _row(
    ok: bool,
    directive: str | None,
    reason: str,
    data: dict[str, Any] | None,
    yaml_text: str | None,
    duration: float | None,
) -> _RowFields:
    """A leaf without subtests or extra lines (a `RunPoint`), as `_Emitter` records it, as a
    `Run` row."""
    if directive is None and yaml_text is None:
        # `_Emitter.stream`'s plain leaf.
        return _CODE[Outcome.PASSED if ok else Outcome.FAILED], None, duration, False
    outcome, fields, todo = _leaf_fields(ok, directive, reason, data, yaml_text, None, duration)
    seconds = fields.pop("duration")
    # The few rows with a file or line give them here, not in a column over every row.
    if fields["file"] is None and fields["line"] is None:
        del fields["file"], fields["line"]
    return (
        _CODE[outcome],
        fields if any(v is not None for v in fields.values()) else None,
        seconds,
        todo,
    )


def _scalar(data: dict[str, Any] | None, *keys: str) -> str | None:
    if not data:
        return None
    for key in keys:
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            text = value.strip()
        elif isinstance(value, int | float) and not isinstance(value, bool):
            text = str(value)
        else:
            continue
        if text:
            return text
    return None


def _yaml_duration(data: dict[str, Any] | None) -> float | None:
    if not data:
        return None
    for key, scale in (("duration_ms", 1e-3), ("duration", 1.0)):
        value = data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = float(value) * scale
            if math.isfinite(seconds) and seconds >= 0:
                return seconds
    return None


def _location(data: dict[str, Any] | None) -> tuple[str | None, int | None]:
    if not data:
        return None, None
    at = data.get("at") if isinstance(data.get("at"), dict) else None
    if at is not None:
        file = at.get("file")
        line = at.get("line")
        return (str(file) if file else None, line if isinstance(line, int) else None)
    text = _scalar(data, "location", "at")
    if text is None:
        return None, None
    match = _LOCATION.match(text)
    if match:
        file, line = (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
        # A location is a note, not evidence: a line number that is not one is left out.
        return file, numbers.count_or_none(line)
    return text, None


def emit(parser: Parser, sink: Sink, suite: tuple[str, ...] = ()) -> int:
    """Close the parsed streams and write their tests to `sink`, inside `suite`; return how
    many failed or errored tests they gave."""
    root = parser.finish()
    emitter = _Emitter(sink)
    bad = emitter.stream(root, suite)
    emitter.batch.flush()
    if emitter.todo_passed:
        sink.warn(
            f"{emitter.todo_passed} TODO test(s) passed; still counted as skipped (todo) "
            "until the TODO is removed"
        )
    return bad
