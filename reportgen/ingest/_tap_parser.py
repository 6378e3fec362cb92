"""The TAP reader's parser: lines to a tree of streams (`reportgen.ingest._tap_emit` writes its
leaves to the sink).

Imported when a TAP file is read, not when files are sniffed (see `reportgen.ingest.tap`, whose
docstring says how a stream maps onto the model).

Lines are read one by one, except runs of top-level test points (most of a large stream): the
document is split once at top-level point lines (`Items`) and a run of them, with their
directives, comments and YAML blocks, becomes one `Run` of columns (`Parser._run`), recorded
exactly as the line-by-line reading records each point (tests/ingest/test_tap_runs.py compares
the two). Lines are split only where the line-by-line reading needs them (`Lines`).
"""

from __future__ import annotations

import contextlib
import functools
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import compress, count, repeat
from operator import contains, itemgetter
from typing import Any

from reportgen import numbers
from reportgen.ingest.base import Sink, whole_file_name
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
#: First characters of a test point line (`ok`, `not ok`).
_POINT_STARTS = ("o", "n")
# A top-level test point line as the run reader takes it: `ok` or `not ok` at the start of a
# line, a number of at most 18 digits, `- ` or not, then a description whose first character
# `_POINT` keeps in it (no space, `#`, `\\`, `{` or `-`), so that the text after the match is
# what `_POINT` gives as the rest of the line. Split at these, a document is a head and then
# items: a point line and the lines up to the next one (see `Items`). `(?:- |)` is `(?:- )?`
# as a branch, which the regex engine tries without the state a repeat saves (a tenth fewer
# instructions for the split, which runs at every line).
_ITEM = re.compile(r"\n(not |)ok ([0-9]{1,18}) (?:- |)(?=[^\s#\\{-])")
# Last characters of a description that `_split_description` strips or reads as a `{`.
_LAST_SPECIAL = re.compile(r"[\s{]")
# Indentation from which a line is read at `MAX_DEPTH` (with a warning).
_TOO_DEEP = 4 * (MAX_DEPTH + 1)
_PASSED = _CODE[Outcome.PASSED]
# `len` of an item's `not ` group (0 or 4) to the outcome code of its point.
_CODE_OF_NOT = bytes(_CODE[Outcome.FAILED] if k == 4 else _CODE[Outcome.PASSED] for k in range(256))
#: Characters of a document split into lines before the first run (see `Lines`).
_WINDOW = 1 << 16

#: How the Perl harness says a test script exited with an error after (or before) its test
#: points, which may all have passed: Test::More on stderr (in the stream under `prove --merge`
#: or `2>&1`) and prove's own console (`prove -v`). The script died or called `exit N`: prove
#: fails it ("Dubious, test returned N"), and the points cannot show that.
EXITED = (
    "# Looks like your test exited with ",
    "# Looks like your test died ",
    "Dubious, test returned ",
)

#: YAML blocks bigger than this are not parsed (their text is kept as output).
_MAX_YAML_CHARS = 1 << 20


class Point:
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
        self.children: Stream | None = None


#: A run row that is more than a name and `ok` / `not ok`, as `Parser._item` read it: `ok`,
#: directive (SKIP/TODO), its reason, the YAML diagnostics read and their text, a `time=`
#: duration (`reportgen.ingest._tap_emit` says how it is recorded).
RunPoint = tuple[bool, str | None, str, dict[str, Any] | None, str | None, float | None]


class Run:
    """Consecutive top-level test points without subtests, kept as columns (see
    `Parser._run`), with no object per point."""

    __slots__ = ("codes", "names", "points")

    def __init__(self, names: list[str], codes: bytes, points: dict[int, RunPoint]) -> None:
        self.names = names
        #: By row: the outcome code `ok` / `not ok` gives (rows in `points` are decided there).
        self.codes = codes
        #: By row, for the rows with a directive, YAML diagnostics or a duration.
        self.points = points


class Items:
    """A document split at top-level test point lines (see `_ITEM`), as columns, and a cursor
    that follows the line-by-line reading to the item that starts where it is."""

    __slots__ = ("codes", "cursor", "line", "numbers", "special", "texts")

    def __init__(self, document: str) -> None:
        # The `not ` group is captured as "" or "not " (an empty string costs no object).
        parts = _ITEM.split(document)
        self.codes = bytes(map(len, parts[1::3])).translate(_CODE_OF_NOT)
        #: The number each point line gives itself, as written.
        self.numbers: list[str] = parts[2::3]
        #: The description and, after a "\n", the lines up to the next item.
        self.texts: list[str] = parts[3::3]
        texts = self.texts
        # Items that are not one plain point line: more lines, a comment or directive, an
        # escape, a tab, or a last character that is stripped or opens a subtest. The rest
        # (most) are read by slicing the columns.
        # Each check runs over the column in C (`map`, `compress`): no bytecode per item.
        # The document is looked at for backslashes and tabs, not the texts: most hold none,
        # and then two checks an item are enough.
        marks = ("\n", "#", "\\", "\t") if "\\" in document or "\t" in document else ("\n", "#")
        special: set[int] = set()
        for mark in marks:
            special.update(compress(count(), map(contains, texts, repeat(mark))))
        # Texts are never empty (`_ITEM`'s lookahead takes a character).
        lasts = "".join(map(itemgetter(-1), texts))
        special.update(match.start() for match in _LAST_SPECIAL.finditer(lasts))
        self.special = sorted(special)
        self.cursor = 0
        self.line = parts[0].count("\n") + 1  # index of the line where item `cursor` starts

    def seek(self, line: int) -> int | None:
        """The item whose point is on line index `line`, if there is one (lines only grow)."""
        k, at, texts = self.cursor, self.line, self.texts
        total = len(texts)
        while at < line and k < total:
            at += 1 + texts[k].count("\n")
            k += 1
        self.cursor, self.line = k, at
        return k if at == line and k < total else None


class Lines:
    """A document's lines, split as reading needs them: the lines a run reads (most of a large
    stream) are never split. `lines[i - base]` is line index `i`; the window ends at the end
    of the document or, while `complete` is False, before it."""

    __slots__ = ("base", "complete", "document", "end", "lines", "loads", "start", "total")

    def __init__(self, document: str) -> None:
        self.document = document
        self.total = document.count("\n") + 1
        self.loads = 0
        self.base = self.start = 0
        self.load(0)

    def load(self, line: int) -> None:
        """Start the window at line index `line` (not before the window's start). Windows
        grow (twice as large each time), so that however often runs and lines take turns,
        no more than about twice the document is split."""
        document = self.document
        # Where the line starts: that many lines on from the window's start, matched in C.
        lines_on = re.compile(rf"(?:.*\n){{{line - self.base}}}").match(document, self.start)
        if lines_on is None:
            raise ValueError(f"line index {line} is past the end of the document")
        self.base, self.start = line, lines_on.end()
        size = _WINDOW << self.loads
        self.loads += 1
        stop = document.find("\n", self.start + size)
        self.complete = stop < 0
        self.lines = document[self.start : None if stop < 0 else stop].split("\n")
        self.end = stop + 1

    def extend(self) -> list[str]:
        """The window, made to reach the end of the document."""
        if not self.complete:
            self.lines += self.document[self.end :].split("\n")
            self.complete = True
        return self.lines


@dataclass
class Synthetic:
    """An error test made by the reader: a missing planned test, a bail out, a bad plan."""

    name: str
    message: str
    line: int | None


@dataclass
class Stream:
    """The test points, plan and announcements at one indentation level."""

    depth: int
    entries: list[Point | Stream | Synthetic | Run] = field(default_factory=list)
    name: str | None = None
    plan: int | None = None
    plan_line: int | None = None
    plan_reason: str | None = None
    announced: list[str] = field(default_factory=list)
    points: int = 0  # entries that count against the plan
    #: The first point whose number is not its place: (place, number, line or None).
    misnumbered: tuple[int, int, int | None] | None = None


class Parser:
    """Reads a whole TAP document into a tree of streams."""

    def __init__(self, sink: Sink, runs: bool = True, offset: int = 0) -> None:
        self.sink = sink
        #: Lines of the file before the document (one file's part of prove's console).
        self.offset = offset
        self.streams: list[Stream] = [Stream(depth=0)]
        self.last_point: Point | None = None
        self.buffered: dict[int, Point] = {}
        self.seen_anything = False
        #: The line of the top-level `TAP version N`, which alone says the document is TAP.
        self.version_line: int | None = None
        self.bail_line: int | None = None
        #: Whether runs of top-level points are read as columns (see `_run`).
        self.runs = runs
        self.items: Items | None = None
        #: Where the document says its test script exited with an error (see `EXITED`).
        self.exits: list[tuple[str, int]] = []

    # --- stream structure --------------------------------------------------------------
    def _sync(self, depth: int) -> Stream | None:
        """Open or close streams so that `depth` is the innermost; return the stream closed
        directly below `depth` (the candidate children of a point at `depth`)."""
        while len(self.streams) - 1 < depth:
            self.streams.append(Stream(depth=len(self.streams)))
        closed: Stream | None = None
        while len(self.streams) - 1 > depth:
            stream = self.streams.pop()
            self._check_plan(stream)
            if len(self.streams) - 1 == depth:
                closed = stream
            else:
                self._adopt_orphan(self.streams[-1], stream)
        return closed

    def _adopt_orphan(self, parent: Stream, child: Stream) -> None:
        """A child stream that ended without its parent's test point still ran: keep it."""
        if not child.entries:
            return
        child.name = parent.announced.pop(0) if parent.announced else "(subtest)"
        parent.entries.append(child)
        parent.points += 1

    def _check_plan(self, stream: Stream) -> None:
        if stream.misnumbered is not None:
            self._check_numbers(stream, *stream.misnumbered)
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
                    Synthetic("(no plan)", "TAP stream has no plan; the run may be truncated", None)
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
                    Synthetic(name, f"planned ({where}) but never reported", stream.plan_line)
                )
        elif ran > stream.plan:
            self.sink.warn(
                f"{where} but {ran} tests reported; counted as one error", line=stream.plan_line
            )
            stream.entries.append(
                Synthetic(
                    f"(plan 1..{stream.plan} exceeded)",
                    f"{ran} tests reported against {where}",
                    stream.plan_line,
                )
            )

    def _check_numbers(self, stream: Stream, place: int, found: int, line: int | None) -> None:
        """Test numbers out of sequence: TAP numbers its points 1, 2, 3... in order, and a
        number repeated or skipped means the count can agree with the plan while a test never
        reported (`ok 1`, `ok 1` under `1..2`). Counted as one error, as Perl's harness
        fails such a stream."""
        where = f" at line {line}" if line is not None else ""
        text = f"test point {place} is numbered {found}{where}: test numbers out of sequence"
        self.sink.warn(f"{text}; counted as one error", line=line)
        self.sink.flag(
            IntegrityKind.TESTS_MISSING,
            f"{text}, so a planned test may never have reported",
            line,
            warn=False,
        )
        stream.entries.append(Synthetic("(test numbers out of sequence)", text, line))

    # --- lines --------------------------------------------------------------------------
    def feed(self, document: str) -> None:
        """Read a document whose line breaks are "\\n"."""
        source = Lines(document)
        lines, base = source.lines, 0
        i = 0
        total = source.total
        point_match = _POINT.match
        streams = self.streams
        while i < total:
            if i - base >= len(lines):
                lines = source.extend()
            raw = lines[i - base]
            number = i + 1 + self.offset
            # Most lines of a large stream are top-level test points: matched first (no other
            # kind of line starts with `ok` or `not`), without the indentation work below.
            if raw[:1] in _POINT_STARTS and (match := point_match(raw)) and "\t" not in raw:
                if (
                    self.runs
                    and len(streams) == 1
                    and not streams[0].announced
                    and (self.items is not None or _run_may_follow(source, i + 1))
                ):
                    if self.items is None:
                        self.items = Items(document)
                    items = self.items
                    first = items.seek(i)
                    if first is not None and (read := self._run(items, first, number)):
                        i += read[0]
                        items.cursor, items.line = read[1], i
                        if i - base >= len(lines) and i < total:
                            source.load(i)
                            lines, base = source.lines, source.base
                        continue
                i += 1
                self._point(match, 0, 0, number)
                continue
            i += 1
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
                lines = source.extend()
                i = base + self._read_yaml(lines, i - base, indent, point, number)
                continue
            if match := _VERSION.match(text):
                if depth == 0 and self.version_line is None:
                    self.version_line = number
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
                lines = source.extend()
                self._bail(match.group(1).strip(), depth, number, lines[i - base :])
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

    def _run(self, items: Items, first: int, number: int) -> tuple[int, int] | None:
        """Read items from `first` (its point on line `number`) into one `Run`, each as `_point`
        and the lines after it would be read, up to the first item that needs the reading
        line by line; return the lines read and the item it stopped at (None: none read).

        An item is taken when it is one point without subtests whose other lines are blank,
        comments, or one YAML block: then nothing later can change what it recorded (the
        next item starts with a top-level point, which ends whatever belonged to this one).
        Plain one-line items between the special ones are columns sliced from `items`.
        """
        texts, codes_of, special = items.texts, items.codes, items.special
        total = len(texts)
        names: list[str] = []
        codes = bytearray()
        points: dict[int, RunPoint] = {}
        more = 0  # lines of the items read so far beyond their point lines
        k = first
        at = bisect_left(special, first)
        while True:
            stop = special[at] if at < len(special) else total
            names += texts[k:stop]
            codes += codes_of[k:stop]
            k = stop
            if k == total:
                break
            taken = self._item(texts[k], codes_of[k] == _PASSED, number + k - first + more)
            if taken is None:
                break
            name, point, lines = taken
            if point is not None:
                points[len(names)] = point
            names.append(name)
            codes.append(codes_of[k])
            more += lines
            k += 1
            at += 1
        if k == first:
            return None
        self.seen_anything = True
        stream = self.streams[0]
        if (
            stream.misnumbered is None
            and (wrong := _misnumbered(items.numbers, first, k, stream.points + 1)) is not None
        ):
            # The line of the misnumbered point: each item spans its text's lines.
            lines = sum(1 + text.count("\n") for text in texts[first:wrong])
            place = stream.points + 1 + wrong - first
            stream.misnumbered = (place, int(items.numbers[wrong]), number + lines)
        stream.entries.append(Run(names, bytes(codes), points))
        stream.points += len(names)
        return k - first + more, k

    def _item(self, text: str, ok: bool, number: int) -> tuple[str, RunPoint | None, int] | None:
        """An item that is not one plain point line (its point on line `number`, the text
        after its number in `text`), as a run row: its name, what else it has (None: nothing),
        and how many lines follow its point line; None when it must be read line by line."""
        desc, newline, tail = text.partition("\n")
        if "\t" in desc:
            return None
        description, directive, reason, duration, buffered = _split_description(desc)
        if buffered or not description:
            return None
        lines = tail.split("\n") if newline else []
        j = 0
        while j < len(lines) and _neutral(lines[j]):
            j += 1
        if j == len(lines):  # no YAML
            if directive is None and duration is None:
                return description, None, j
            return description, (ok, directive, reason, None, None, duration), j
        dashes = lines[j]
        body = dashes.lstrip(" ")
        indent = len(dashes) - len(body)
        if "\t" in dashes or not 0 < indent < _TOO_DEEP or body.rstrip() != "---":
            return None
        yaml_text, after, closed = _yaml_body(lines, j + 1, indent)
        if not closed or not all(map(_neutral, lines[after:])):
            return None
        # Parsed only once the item is taken, so that its warnings come once.
        data = _parse_yaml(yaml_text, self.sink, number + 1 + j)
        return description, (ok, directive, reason, data, yaml_text, duration), len(lines)

    def _point(self, match: re.Match[str], depth: int, indent: int, number: int) -> None:
        self.seen_anything = True
        streams = self.streams
        # Streams only open or close when the depth changes (the common case: it does not).
        closed = self._sync(depth) if len(streams) != depth + 1 else None
        stream = streams[depth]
        negated, digits, rest = match.groups()
        description, directive, reason, duration, buffered = _split_description(rest)
        point = Point(
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
        if (
            stream.misnumbered is None
            and point.number not in (None, stream.points + 1)
            # Node numbers its report of a whole test file (`Sink.whole_file`) within that
            # file, not the stream: that point is out of sequence in every run that has one.
            and not (depth == 0 and whole_file_name().fullmatch(description))
        ):
            stream.misnumbered = (stream.points + 1, point.number, number)
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
        stream.entries.append(Synthetic("Bail out!", reason or "Bail out!", number))

    def _read_yaml(self, lines: list[str], i: int, indent: int, point: Point, start: int) -> int:
        """Collect a `---` … `...` block for `point`; return the index after it."""
        text, i, closed = _yaml_body(lines, i, indent)
        if not closed:
            self.sink.warn("YAML diagnostics block not closed with '...'", start)
        point.yaml_text = text
        point.yaml = _parse_yaml(text, self.sink, start)
        return i

    # --- result -------------------------------------------------------------------------
    def finish(self) -> Stream:
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
        root = self.streams[0]
        if self.exits:
            text, line = self.exits[0]
            why = f"the test script exited with an error ({text!r}): prove fails it"
            self.sink.warn(f"{why}; counted as one error", line)
            self.sink.flag(IntegrityKind.SUITE_ERROR, why, line, warn=False)
            root.entries.append(Synthetic("(test script exited with an error)", text, line))
        return root


def _run_may_follow(source: Lines, i: int) -> bool:
    """Whether line index `i` (after a top-level point) can continue a run: another top-level
    point, or a YAML block (a cheap look before the document is split into items)."""
    if i >= source.total:
        return False
    if i - source.base < len(source.lines):
        line = source.lines[i - source.base]
    else:  # the first line after the window
        document, start = source.document, source.end
        stop = document.find("\n", start)
        line = document[start : None if stop < 0 else stop]
    return line.startswith(("ok ", "not ok ")) or line.lstrip(" ").startswith("---")


def _misnumbered(numbers: list[str], first: int, stop: int, place: int) -> int | None:
    """The index of the first of the points `numbers[first:stop]`, which hold places `place`...
    in their stream, whose number is not its place (compared as written first: the usual case
    costs no int per point; a number with leading zeros is then compared by value)."""
    written = numbers[first:stop]
    # Joined and compared at once: cheaper than comparing number by number.
    if " ".join(written) == _sequence(place, place + len(written)):
        return None
    for offset, digits in enumerate(written):
        if int(digits) != place + offset:
            return first + offset
    return None


# Ten numbers that share all digits but the last, with `@` for those digits.
_DECADE = " ".join(f"@{digit}" for digit in range(10))


def _sequence(start: int, stop: int) -> str:
    """`" ".join(map(str, range(start, stop)))`, built ten numbers at a time: the numbers of
    a decade differ only in their last digit, so one `replace` writes all ten (converting
    each number on its own cost as much as the rest of the numbering check)."""
    # Whole decades from the first multiple of ten from 10 on; the numbers around them one
    # by one.
    low = min(stop, max(10, -(-start // 10) * 10))
    high = max(low, stop // 10 * 10)
    parts = list(map(str, range(start, low)))
    parts += map(_DECADE.replace, repeat("@"), map(str, range(low // 10, high // 10)))
    parts += map(str, range(high, stop))
    return " ".join(parts)


def _neutral(raw: str) -> bool:
    """Whether `feed` reads `raw`, after a top-level point, as nothing at all: a blank line,
    a comment that announces no subtest, a pragma (tabs, and depths it would warn about,
    are left to it)."""
    if not raw.strip():
        return True
    text = raw.lstrip(" ")
    if "\t" in raw or len(raw) - len(text) >= _TOO_DEEP:
        return False
    if text.startswith("#"):
        return _SUBTEST.match(text.rstrip()) is None
    return text.startswith("pragma ")


def _yaml_body(lines: list[str], i: int, indent: int) -> tuple[str, int, bool]:
    """The text of the YAML block whose body starts on `lines[i]` and whose `---` is indented
    `indent`; the index after its `...`; whether there was one."""
    body: list[str] = []
    total = len(lines)
    while i < total:
        raw = lines[i]
        i += 1
        if raw.strip() == "...":
            return "\n".join(body), i, True
        body.append(raw[indent:] if raw[:indent].strip() == "" else raw.lstrip())
    return "\n".join(body), i, False


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
    if "\\" in text:
        hashed = _UNESCAPED_HASH.search(text)
        cut = hashed.start() if hashed else -1
    else:
        cut = text.find("#")
    if cut >= 0:
        directive, reason, duration = _comment(text[cut + 1 :].strip())
        text = text[:cut]
    text = text.strip()
    buffered = False
    if text.endswith("{") and not directive:
        buffered = True
        text = text[:-1].rstrip()
    text = text.replace("\\#", "#").replace("\\\\", "\\")
    return text, directive, reason, duration, buffered


def _comment(comment: str) -> tuple[str | None, str, float | None]:
    """A test point's comment read: directive (SKIP/TODO), its reason, a `time=` duration."""
    # Short comments repeat (one skip reason for many points): read once each.
    return _short_comment(comment) if len(comment) <= 200 else _read_comment(comment)


def _read_comment(comment: str) -> tuple[str | None, str, float | None]:
    directive: str | None = None
    reason = ""
    duration: float | None = None
    if match := _DIRECTIVE.match(comment):
        word = match.group(1).upper()
        directive = "TODO" if word == "TODO" else "SKIP"
        reason = match.group(2).strip()
    if match := _TIME.search(comment):
        with contextlib.suppress(numbers.NumberError):  # an unreadable time is unknown
            value = numbers.parse_float(match.group(1))
            duration = value / 1000 if match.group(2).lower() == "ms" else value
    return directive, reason, duration


_short_comment = functools.lru_cache(maxsize=1024)(_read_comment)


@functools.cache
def _fast_yaml() -> Callable[[str], dict[Any, Any] | None]:
    """`_tap_yaml.load`, imported the first time a file has YAML diagnostics (it imports
    PyYAML's resolver and constructor)."""
    from reportgen.ingest import _tap_yaml

    return _tap_yaml.load


def _parse_yaml(text: str, sink: Sink, line: int) -> dict[str, Any] | None:
    """The YAML diagnostics as a mapping; a key: value reading when it is not valid YAML."""
    if len(text) > _MAX_YAML_CHARS:
        sink.warn("YAML diagnostics block too large to parse; kept as text", line)
        return None
    # The usual shape is read without PyYAML, to the same result (see `_tap_yaml`).
    fast = _fast_yaml()(text)
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


def parse(text: str, sink: Sink, runs: bool = True, offset: int = 0) -> Parser:
    """Parse a decoded TAP document (`seen_anything` says whether it held any TAP line).

    `runs=False` reads every line on its own (the reference the run reader is tested
    against); `offset` is how many lines of the file come before `text` (line numbers are
    the file's). Raises `numbers.NumberError` for a number too large to be one.
    """
    parser = Parser(sink, runs, offset)
    if "\r" in text:  # a scan, not two copies, when there is none (most files)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    parser.feed(text)
    parser.exits = [(line, number + offset) for line, number in _exits(text)]
    return parser


def _exits(text: str) -> list[tuple[str, int]]:
    """The lines (text, line number) where the Perl harness says the test script exited with
    an error (see `EXITED`); a scan for each marker, not a pattern run over every line."""
    found = []
    for marker in EXITED:
        at = text.find(marker)
        while at != -1:
            if at == 0 or text[at - 1] == "\n":
                end = text.find("\n", at)
                line = text[at : end if end != -1 else len(text)].strip()
                found.append((line, text.count("\n", 0, at) + 1))
            at = text.find(marker, at + 1)
    return sorted(found, key=itemgetter(1))
