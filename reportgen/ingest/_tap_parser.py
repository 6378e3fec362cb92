"""The TAP reader's parser and emitter: lines to a tree of streams, its leaves to the sink.

Imported when a TAP file is read, not when files are sniffed (see `reportgen.ingest.tap`, whose
docstring says how a stream maps onto the model).
"""

from __future__ import annotations

import contextlib
import math
import re
from dataclasses import dataclass, field
from typing import Any

from reportgen import numbers
from reportgen.ingest.base import Sink, TestBatch, first_line
from reportgen.ingest.tap import PLAN_LINE as _PLAN
from reportgen.ingest.tap import VERSION_LINE as _VERSION
from reportgen.model import OUTCOME_CODE as _CODE
from reportgen.model import IntegrityKind, Outcome

#: Deepest subtest level kept (4 spaces a level); deeper lines are read at this level.
MAX_DEPTH = 64
_POINT = re.compile(r"(not\s+)?ok\b(?:\s+(\d+))?(?:\s*-(?=\s|$))?\s*(.*)$")
_BAIL = re.compile(r"Bail out!\s*(.*)$", re.IGNORECASE)
_SUBTEST = re.compile(r"#\s*Subtest(?::\s*(.*))?$")
# The directive follows the first `#` not escaped with a backslash.
_UNESCAPED_HASH = re.compile(r"(?<!\\)#")
_DIRECTIVE = re.compile(r"(skip\w*|todo)\b[:\s]*(.*)$", re.IGNORECASE | re.DOTALL)
# node-tap writes the time a subtest took as `# time=12.5ms` after the description.
_TIME = re.compile(r"time=\s*([0-9.]+)\s*(ms|s)\b", re.IGNORECASE)
# `file:line:column` (node) or `file:line`.
_LOCATION = re.compile(r"^(.*):(\d+):\d+$|^(.*):(\d+)$")
#: First characters of a test point line (`ok`, `not ok`).
_POINT_STARTS = ("o", "n")
# Top-level test points that `_POINT` and `_split_description` read to a plain leaf whose
# description is the text after the number (and after `- `): no comment, directive, escape,
# tab, surrounding space, leading `-` or trailing `{`. `_PLAIN_RUN` matches a run of such
# lines, `_PLAIN_POINT` picks out (`not `, description) of each.
_PLAIN_TAIL = r"(not )?ok [0-9]{1,18} (?:- )?([^\s#\\{-](?:[^\n#\\\t]*[^\s#\\{])?)"
_PLAIN_RUN = re.compile(rf"(?:{_PLAIN_TAIL}\n)+")
_PLAIN_POINT = re.compile(rf"^{_PLAIN_TAIL}$", re.MULTILINE)
# `len` of the `not ` group (0 or 4) to the outcome code of the point.
_CODE_OF_NOT = bytes(_CODE[Outcome.FAILED] if k == 4 else _CODE[Outcome.PASSED] for k in range(256))

#: YAML blocks bigger than this are not parsed (their text is kept as output).
_MAX_YAML_CHARS = 1 << 20


class _Point:
    """One `ok` / `not ok` line and what belongs to it (one per test point: slots, and the
    rarely used parts None until needed)."""

    __slots__ = (
        "children",
        "description",
        "directive",
        "duration",
        "extra",
        "indent",
        "line",
        "number",
        "ok",
        "reason",
        "yaml",
        "yaml_text",
    )

    def __init__(
        self,
        ok: bool,
        number: int | None,
        description: str,
        directive: str | None,  # "SKIP" or "TODO"
        reason: str,
        line: int,
        indent: int,
        duration: float | None = None,
    ) -> None:
        self.ok = ok
        self.number = number
        self.description = description
        self.directive = directive
        self.reason = reason
        self.line = line
        self.indent = indent
        self.duration = duration
        self.yaml: dict[str, Any] | None = None
        self.yaml_text: str | None = None
        #: Bare lines after a failing point (Mocha's error and stack), when there are any.
        self.extra: list[str] | None = None
        self.children: _Stream | None = None


class _Run:
    """Consecutive plain top-level test points, kept as columns (see `_PLAIN_RUN`)."""

    __slots__ = ("codes", "failed", "names")

    def __init__(self, names: tuple[str, ...], codes: bytes) -> None:
        self.names = names
        self.codes = codes
        self.failed = codes.count(_CODE[Outcome.FAILED])


@dataclass
class _Synthetic:
    """An error test made by the reader: a missing planned test, a bail out, a bad plan."""

    name: str
    message: str
    line: int | None


@dataclass
class _Stream:
    """The test points, plan and announcements at one indentation level."""

    depth: int
    entries: list[_Point | _Stream | _Synthetic | _Run] = field(default_factory=list)
    name: str | None = None
    plan: int | None = None
    plan_line: int | None = None
    plan_reason: str | None = None
    announced: list[str] = field(default_factory=list)
    points: int = 0  # entries that count against the plan


class _Parser:
    """Reads a whole TAP document into a tree of streams."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.streams: list[_Stream] = [_Stream(depth=0)]
        self.last_point: _Point | None = None
        self.buffered: dict[int, _Point] = {}
        self.seen_anything = False
        self.bail_line: int | None = None

    # --- stream structure --------------------------------------------------------------
    def _sync(self, depth: int) -> _Stream | None:
        """Open or close streams so that `depth` is the innermost; return the stream closed
        directly below `depth` (the candidate children of a point at `depth`)."""
        while len(self.streams) - 1 < depth:
            self.streams.append(_Stream(depth=len(self.streams)))
        closed: _Stream | None = None
        while len(self.streams) - 1 > depth:
            stream = self.streams.pop()
            self._check_plan(stream)
            if len(self.streams) - 1 == depth:
                closed = stream
            else:
                self._adopt_orphan(self.streams[-1], stream)
        return closed

    def _adopt_orphan(self, parent: _Stream, child: _Stream) -> None:
        """A child stream that ended without its parent's test point still ran: keep it."""
        if not child.entries:
            return
        child.name = parent.announced.pop(0) if parent.announced else "(subtest)"
        parent.entries.append(child)
        parent.points += 1

    def _check_plan(self, stream: _Stream) -> None:
        if stream.plan is None:
            if stream.depth == 0 and stream.points:
                self.sink.warn(
                    "no plan (1..N) in the TAP stream: cannot tell whether every test ran; "
                    "counted as one error"
                )
                self.sink.flag(
                    IntegrityKind.TESTS_MISSING,
                    "the TAP stream has no plan, so it cannot show that every test ran",
                    warn=False,
                )
                stream.entries.append(
                    _Synthetic(
                        "(no plan)", "TAP stream has no plan; the run may be truncated", None
                    )
                )
            return
        ran = stream.points
        where = f"plan 1..{stream.plan} at line {stream.plan_line}"
        if ran < stream.plan:
            missing = stream.plan - ran
            self.sink.warn(
                f"{where} but {ran} test(s) reported: {missing} missing, counted as errors",
                line=stream.plan_line,
            )
            self.sink.flag(
                IntegrityKind.TESTS_MISSING,
                f"{where} but only {ran} test(s) reported",
                stream.plan_line,
                warn=False,
            )
            for k in range(ran + 1, stream.plan + 1):
                name = stream.announced.pop(0) if stream.announced else f"test {k}"
                stream.entries.append(
                    _Synthetic(name, f"planned ({where}) but never reported", stream.plan_line)
                )
        elif ran > stream.plan:
            self.sink.warn(
                f"{where} but {ran} tests reported; counted as one error", line=stream.plan_line
            )
            stream.entries.append(
                _Synthetic(
                    f"(plan 1..{stream.plan} exceeded)",
                    f"{ran} tests reported against {where}",
                    stream.plan_line,
                )
            )

    # --- lines --------------------------------------------------------------------------
    def feed(self, lines: list[str], document: str | None = None) -> None:
        """Read `lines`; `document`, when given, is the document they were split from on "\\n"."""
        i = 0
        pos = 0  # where lines[i] starts in `document`
        total = len(lines)
        point_match = _POINT.match
        streams = self.streams
        while i < total:
            raw = lines[i]
            number = i + 1
            # Most lines of a large stream are top-level test points: matched first (no other
            # kind of line starts with `ok` or `not`), without the indentation work below.
            if raw[:1] in _POINT_STARTS and (match := point_match(raw)) and "\t" not in raw:
                if document is not None and len(streams) == 1 and not streams[0].announced:
                    # A run of plain points is read as columns, all but its last line: that
                    # one is read below, as what follows it (YAML, a stack) belongs to it.
                    run = _PLAIN_RUN.match(document, pos)
                    if run is not None and (count := document.count("\n", pos, run.end())) > 1:
                        last = document.rfind("\n", pos, run.end() - 1) + 1
                        self._run(document, pos, last)
                        i += count - 1
                        pos = last
                        continue
                i += 1
                pos += len(raw) + 1
                self._point(match, 0, 0, number)
                continue
            i += 1
            pos += len(raw) + 1
            if "\t" in raw:
                raw = raw.expandtabs(4)
            text = raw.lstrip(" ")
            if not text.strip():
                continue
            indent = len(raw) - len(text)
            text = text.rstrip()
            depth = indent // 4
            if depth > MAX_DEPTH:
                # Deeper subtests are read as if at the limit: the tree (and what walks it)
                # stays bounded whatever the indentation.
                self.sink.warn(
                    f"subtests nested deeper than {MAX_DEPTH} levels are read at level {MAX_DEPTH}",
                    number,
                    once="tap-depth",
                )
                depth = MAX_DEPTH
            point = self.last_point
            if text == "---" and point is not None and indent > point.indent:
                after = self._read_yaml(lines, i, indent, point, number)
                pos += sum(map(len, lines[i:after])) + after - i
                i = after
                continue
            if match := _VERSION.match(text):
                if depth == 0 and match.group(1) not in ("13", "14"):
                    self.sink.warn(f"TAP version {match.group(1)} (13 and 14 are read)", number)
                continue
            if match := _POINT.match(text):
                self._point(match, depth, indent, number)
                continue
            if match := _PLAN.match(text):
                self._plan(numbers.parse_int(match.group(1)), match.group(2), depth, number)
                continue
            if match := _BAIL.match(text):
                self._bail(match.group(1).strip(), depth, number, lines[i:])
                return
            if match := _SUBTEST.match(text):
                closed = self._sync(depth)
                stream = self.streams[depth]
                if closed is not None:
                    self._adopt_orphan(stream, closed)
                stream.announced.append((match.group(1) or "").strip() or "(subtest)")
                continue
            if text == "}" and depth in self.buffered:
                parent = self.buffered.pop(depth)
                closed = self._sync(depth)
                if closed is not None and closed.entries:
                    parent.children = closed
                    closed.name = parent.description
                continue
            if text.startswith("#") or text.startswith("pragma "):
                continue
            # Anything else is not TAP. Mocha prints a failure's error and stack as bare
            # indented lines after the `not ok` line: keep those with that test.
            if point is not None and not point.ok and indent > point.indent:
                if point.extra is None:
                    point.extra = []
                point.extra.append(text)

    def _run(self, text: str, start: int, stop: int) -> None:
        """The plain top-level points of text[start:stop] (see `_PLAIN_RUN`), as `_point`
        would read them one by one."""
        self.seen_anything = True
        nots, names = zip(*_PLAIN_POINT.findall(text, start, stop), strict=True)
        stream = self.streams[0]
        stream.entries.append(_Run(names, bytes(map(len, nots)).translate(_CODE_OF_NOT)))
        stream.points += len(names)

    def _point(self, match: re.Match[str], depth: int, indent: int, number: int) -> None:
        self.seen_anything = True
        streams = self.streams
        # Streams only open or close when the depth changes (the common case: it does not).
        closed = self._sync(depth) if len(streams) != depth + 1 else None
        stream = streams[depth]
        negated, digits, rest = match.groups()
        description, directive, reason, duration, buffered = _split_description(rest)
        point = _Point(
            negated is None,
            _point_number(digits) if digits else None,
            description,
            directive,
            reason,
            number,
            indent,
            duration,
        )
        if closed is not None:
            if closed.entries:
                point.children = closed
                closed.name = description or closed.name
            elif closed.plan == 0 and closed.plan_reason and not point.directive:
                # `1..0 # SKIP why` in the child: the parent point is a skipped test.
                point.directive, point.reason = "SKIP", closed.plan_reason
        if not stream.announced:
            pass
        elif description in stream.announced:
            stream.announced.remove(description)
        elif closed is not None:
            stream.announced.pop(0)
        stream.entries.append(point)
        stream.points += 1
        self.last_point = point
        if buffered:
            self.buffered[depth] = point

    def _plan(self, count: int, comment: str | None, depth: int, number: int) -> None:
        self.seen_anything = True
        closed = self._sync(depth)
        stream = self.streams[depth]
        if closed is not None:
            self._adopt_orphan(stream, closed)
        if stream.plan is not None:
            self.sink.warn(
                f"second plan 1..{count} in one stream ignored (first: 1..{stream.plan} "
                f"at line {stream.plan_line})",
                number,
                once="second-plan",
            )
            return
        stream.plan, stream.plan_line = count, number
        if comment:
            directive = _DIRECTIVE.match(comment.strip())
            stream.plan_reason = (directive.group(2) if directive else comment).strip() or "skip"
        if count == 0 and depth == 0:
            reason = f": {stream.plan_reason}" if stream.plan_reason else ""
            self.sink.warn(f"plan 1..0: the whole file was skipped{reason}", number)

    def _bail(self, reason: str, depth: int, number: int, rest: list[str]) -> None:
        self.seen_anything = True
        self.bail_line = number
        ignored = sum(1 for line in rest if _POINT.match(line.strip()))
        later = f"; {ignored} later test line(s) ignored" if ignored else ""
        self.sink.warn(
            f"Bail out!{' ' + reason if reason else ''}: the run was aborted, so tests that "
            f"never ran are missing (counted as one error){later}",
            number,
        )
        self.sink.flag(
            IntegrityKind.ABORTED,
            f"Bail out!{' ' + reason if reason else ''}: the run was aborted",
            number,
            warn=False,
        )
        stream = self.streams[min(depth, len(self.streams) - 1)]
        stream.entries.append(_Synthetic("Bail out!", reason or "Bail out!", number))

    def _read_yaml(self, lines: list[str], i: int, indent: int, point: _Point, start: int) -> int:
        """Collect a `---` … `...` block for `point`; return the index after it."""
        body: list[str] = []
        total = len(lines)
        while i < total:
            raw = lines[i]
            i += 1
            if raw.strip() == "...":
                break
            body.append(raw[indent:] if raw[:indent].strip() == "" else raw.lstrip())
        else:
            self.sink.warn("YAML diagnostics block not closed with '...'", start)
        text = "\n".join(body)
        point.yaml_text = text
        point.yaml = _parse_yaml(text, self.sink, start)
        return i

    # --- result -------------------------------------------------------------------------
    def finish(self) -> _Stream:
        if self.bail_line is None:
            self._sync(0)
            self._check_plan(self.streams[0])
        else:
            # Streams open at the bail keep what they reported; their plans are not checked.
            while len(self.streams) > 1:
                stream = self.streams.pop()
                self._adopt_orphan(self.streams[-1], stream)
        for point in self.buffered.values():
            self.sink.warn("subtest block opened with '{' never closed", point.line)
        return self.streams[0]


def _point_number(digits: str) -> int:
    """A test point's number; `numbers.parse_int`'s checks only when it is not a short run of
    ASCII digits (the regex's `\\d` also takes other scripts' digits, which it refuses)."""
    if len(digits) <= 18 and digits.isascii():
        return int(digits)
    return numbers.parse_int(digits)


def _split_description(text: str) -> tuple[str, str | None, str, float | None, bool]:
    """Description, directive (SKIP/TODO), its reason, a `time=` duration, buffered `{`."""
    if "#" not in text and "\\" not in text:
        # No comment, directive or escape (most points): only the `{` of a buffered subtest.
        text = text.strip()
        if text.endswith("{"):
            return text[:-1].rstrip(), None, "", None, True
        return text, None, "", None, False
    directive: str | None = None
    reason = ""
    duration: float | None = None
    hashed = _UNESCAPED_HASH.search(text)
    comment = ""
    if hashed:
        comment = text[hashed.end() :].strip()
        text = text[: hashed.start()]
        if match := _DIRECTIVE.match(comment):
            word = match.group(1).upper()
            directive = "TODO" if word == "TODO" else "SKIP"
            reason = match.group(2).strip()
        if match := _TIME.search(comment):
            with contextlib.suppress(numbers.NumberError):  # an unreadable time is unknown
                value = numbers.parse_float(match.group(1))
                duration = value / 1000 if match.group(2).lower() == "ms" else value
    text = text.strip()
    buffered = False
    if text.endswith("{") and not directive:
        buffered = True
        text = text[:-1].rstrip()
    text = text.replace("\\#", "#").replace("\\\\", "\\")
    return text, directive, reason, duration, buffered


def _parse_yaml(text: str, sink: Sink, line: int) -> dict[str, Any] | None:
    """The YAML diagnostics as a mapping; a key: value reading when it is not valid YAML."""
    if len(text) > _MAX_YAML_CHARS:
        sink.warn("YAML diagnostics block too large to parse; kept as text", line)
        return None
    from reportgen.ingest import _tap_yaml

    # The usual shape is read without PyYAML, to the same result (see `_tap_yaml`).
    fast = _tap_yaml.load(text)
    if fast is not None:
        return fast
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError:
        sink.warn(
            "YAML diagnostics that are not valid YAML: read as plain 'key: value' lines",
            line,
            once="bad-yaml",
        )
        return _loose_yaml(text)
    return data if isinstance(data, dict) else None


def _loose_yaml(text: str) -> dict[str, Any]:
    """Top-level `key: value` pairs, block scalars joined; enough for the usual keys."""
    result: dict[str, Any] = {}
    key: str | None = None
    block: list[str] = []
    for raw in text.splitlines():
        if raw and not raw[0].isspace() and ":" in raw:
            if key is not None and block:
                result[key] = "\n".join(block)
            key, _, value = raw.partition(":")
            key = key.strip()
            value = value.strip()
            block = []
            if value in ("|", "|-", "|+", ">", ">-"):
                continue
            result[key] = value.strip("'\"")
            key = None if value else key
        elif key is not None:
            block.append(raw.strip())
    if key is not None and block:
        result[key] = "\n".join(block)
    return result


def _scalar(data: dict[str, Any] | None, *keys: str) -> str | None:
    if not data:
        return None
    for key in keys:
        value = data.get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            text = str(value).strip()
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


class _Emitter:
    """Walks the parsed tree and writes the leaves (and synthetic errors) to the sink."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.batch = TestBatch(sink)
        self.todo_passed = 0

    def stream(self, stream: _Stream, suite: tuple[str, ...]) -> int:
        """Emit one stream; return how many failed or errored tests it produced."""
        bad = 0
        used: set[str] = set()
        batch = self.batch
        passed, failed = Outcome.PASSED, Outcome.FAILED
        index = 0  # of the entry among the stream's test points (a run holds many)
        for entry in stream.entries:
            if isinstance(entry, _Run):
                batch.extend(entry.names, entry.codes, suite)
                bad += entry.failed
                index += len(entry.names)
                continue
            index += 1
            if (
                type(entry) is _Point
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
            if isinstance(entry, _Synthetic):
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
            elif isinstance(entry, _Stream):
                bad += self.stream(entry, (*suite, entry.name or "(subtest)"))
            elif entry.children is not None and entry.children.entries:
                name = entry.description or f"test {entry.number or index}"
                child_bad = self.stream(entry.children, (*suite, name))
                bad += child_bad
                if not entry.ok and entry.directive is None and child_bad == 0:
                    self._leaf(entry, suite, index, used, outcome=Outcome.ERROR)
                    bad += 1
            else:
                bad += self._leaf(entry, suite, index, used)
        return bad

    @staticmethod
    def _unique(name: str, number: int | None, index: int, used: set[str]) -> str:
        # A description that repeats (`test.each`, a loop of `node --test` tests) is another
        # execution of the same test id, not a new name: each counts on its own.
        return name or f"test {number or index}"

    def _leaf(
        self,
        point: _Point,
        suite: tuple[str, ...],
        index: int,
        used: set[str],
        outcome: Outcome | None = None,
    ) -> int:
        data = point.yaml
        properties: dict[str, str] = {}
        message = _scalar(data, "message", "error")
        if outcome is None:
            if point.directive == "SKIP":
                outcome = Outcome.SKIPPED
            elif point.directive == "TODO":
                outcome = Outcome.SKIPPED
                properties["todo_result"] = "ok" if point.ok else "not ok"
                if point.ok:
                    self.todo_passed += 1
            else:
                outcome = Outcome.PASSED if point.ok else Outcome.FAILED
        if point.directive:
            properties["directive"] = point.directive
            if point.reason:
                properties["reason"] = point.reason
            if outcome == Outcome.SKIPPED:
                message = point.reason or message
        severity = _scalar(data, "severity")
        if severity:
            properties["severity"] = severity
        output_parts: list[str] = []
        stack = _scalar(data, "stack")
        if stack:
            output_parts.append(stack)
        if point.extra:
            message = message or point.extra[0]
            output_parts.append("\n".join(point.extra))
        if data is None and point.yaml_text and not point.ok:
            output_parts.append(point.yaml_text)
        if outcome == Outcome.ERROR and message is None:
            message = "subtest parent reported not ok although none of its subtests failed"
        file, line = _location(data)
        duration = _yaml_duration(data)
        if duration is None:
            duration = point.duration
        failing = outcome in (Outcome.FAILED, Outcome.ERROR)
        self.batch.add(
            name=self._unique(point.description, point.number, index, used),
            suite=suite,
            outcome=outcome,
            duration=duration,
            message=first_line(message) if message and not failing else message,
            type=_scalar(data, "name", "code", "failureType") if failing else None,
            output="\n".join(output_parts) if output_parts else None,
            file=file,
            line=line,
            properties=properties or None,
        )
        return 1 if failing else 0


def parse(text: str, sink: Sink) -> _Parser:
    """Parse a decoded TAP document (`seen_anything` says whether it held any TAP line).

    Raises `numbers.NumberError` for a number too large to be one.
    """
    parser = _Parser(sink)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parser.feed(text.split("\n"), text)
    return parser


def emit(parser: _Parser, sink: Sink) -> None:
    """Close the parsed streams and write their tests to `sink`."""
    root = parser.finish()
    emitter = _Emitter(sink)
    emitter.stream(root, ())
    emitter.batch.flush()
    if emitter.todo_passed:
        sink.warn(
            f"{emitter.todo_passed} TODO test(s) passed; still counted as skipped (todo) "
            "until the TODO is removed"
        )
