"""The JUnit reader: one streaming pass of an lxml target parser over the sanitised bytes, no
tree built; plain passed testcases recorded in bulk, the others one at a time.
"""

from __future__ import annotations

import gc
import math
import re
from array import array
from collections.abc import Callable, Iterator
from datetime import datetime
from operator import itemgetter
from typing import Any

from lxml import etree

from reportgen import numbers
from reportgen.errors import InputError
from reportgen.ingest._safexml import SAFE_PARSER_OPTIONS
from reportgen.ingest.base import Sink, Source, clean_optional, clean_text, first_line
from reportgen.ingest.junit.dialect import (
    BATS_CUT_SHORT,
    FRAME_COUNTS,
    GTEST_ROOT,
    Times,
    gtest_repeated,
    is_pytest,
    outcome_from_status,
    parse_count,
    parse_timestamp,
    pytest_suite,
    robot_merged_suite,
    summary_key,
    tap_formatter_junit,
)
from reportgen.ingest.junit.stream import (
    ESC_PLACEHOLDER,
    ROOTS,
    NeedsCleaning,
    SeveralDocuments,
    Stream,
    lazy_regex,
    localname,
)
from reportgen.model import (
    INTEGRITY_KINDS,
    OUTCOME_CODE,
    Attempt,
    IntegrityKind,
    Outcome,
    TestTableBuilder,
)

#: The outcomes, bound once: on Python 3.11 every attribute read off an Enum class goes through
#: the slow path for metaclasses that define `__getattr__` (~1,500 instructions a read, some
#: twenty reads per failed or skipped testcase).
_PASSED, _FAILED, _ERROR, _SKIPPED = Outcome.PASSED, Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED
#: The one-byte outcome code of a passed test in a bulk add.
_PASSED_CODE = bytes((OUTCOME_CODE[Outcome.PASSED],))
#: Plain passed tests handed to the Sink at once.
_BATCH = 4096
#: Testcases with children held back at most before the pending ones are recorded.
_DEFERRED = 256

#: A suite or class name that also names tests (a dotted class or package, a path).
_PLACE = re.compile(r"^[\w$.:/\\-]+$")
#: Synthetic testcases that stand for a failure outside any test (pytest collection errors,
#: jest-junit's suite that failed to run, go-junit-report's package failure).
_OUTSIDE_ANY_TEST = ("collection failure", "Test suite failed to run", "Runtime error")

#: How ctest's JUnit says a test skipped itself (`SKIP_RETURN_CODE`, `SKIP_REGULAR_EXPRESSION`):
#: its other "notrun" tests could not run.
_CTEST_SKIPS = ("SKIP_RETURN_CODE", "SKIP_REGULAR_EXPRESSION")
#: What bats prints when its run stopped before every test it counted ran (a test file's
#: process was killed or exited); its JUnit formatter puts it in a testcase's <system-out>.
_bats_cut_short = lazy_regex(r"bats warning: Executed (\d+) instead of expected (\d+) tests")
#: The `type` of the <warning> PHPUnit (up to 9) writes on a testcase.
_PHPUNIT_WARNING = "PHPUnit\\Framework\\Warning"
#: The `type` of the <skipped> Node's `junit` reporter writes for a `todo` test.
_NODE_TODO = "todo"
#: The message of the <skipped> Catch2's JUnit reporter writes beside the failure of a test
#: tagged `[!mayfail]` or `[!shouldfail]`: a failure Catch2 expects and does not count.
_CATCH2_MAYFAIL = "TEST_CASE tagged with !mayfail"
#: What Boost.Test appends to a suite's name for the testcase of its fixture's or timeout's
#: failure, and the name it gives the master suite (global fixtures) there.
_BOOST_SUITE_UNITS = ("-setup-teardown", "-timed-execution")
_BOOST_MASTER = "boost_test"
#: unittest-xml-reporting: the suite of a failing class or module fixture, its testcase's name,
#: and the classname of a module that failed to load.
_PYTHON_ERROR_HOLDER = "unittest.suite._ErrorHolder"
_python_fixture = lazy_regex(r"(setUpClass|tearDownClass|setUpModule|tearDownModule) \(([\w.]+)\)")
_PYTHON_LOAD_FAILURE = "unittest.loader._FailedTest"
#: The `hostname` Catch2's JUnit reporter writes on its suite (a placeholder, "to be done").
_CATCH2_HOST = "tbd"
#: The attributes Rust's libtest writes on its one suite (`--format junit`).
_LIBTEST_SUITE = {"name": "test", "package": "test", "id": "0"}
#: The name mocha-junit-reporter gives Mocha's root suite (its default `rootSuiteTitle`).
_MOCHA_ROOT_SUITE = "Root Suite"
#: The dates googletest's `timestamp` of a test it never started begins with: the epoch in the
#: machine's local time (`1969-12-31T19:00:00.000` in New York, `1970-01-01T09:00:00.000` in
#: Tokyo).
_GTEST_NEVER_STARTED = ("1970-01-01T", "1969-12-31T")
#: behave's status of a scenario it never reached (see `_case_fields`).
_UNTESTED = "untested"
#: A suite property `reportgen convert --to junit` writes for each integrity flag of the input
#: the suite came from (`reportgen.integrity.<kind>`, the flag's message as value): read back,
#: a conversion is no more evidence than its source.
_INTEGRITY_PROPERTY = "reportgen.integrity."
_GET_NAME = itemgetter("name")
_GET_CLASSNAME = itemgetter("classname")
_GET_TIME = itemgetter("time")


class _Frame:
    """A testsuite (or another element around testcases) being read."""

    __slots__ = (
        "declared",
        "file",
        "libtest",
        "merged",
        "name",
        "ordinal",
        "path",
        "retried",
        "start",
        "tag",
    )

    def __init__(
        self,
        tag: str,
        name: str,
        path: tuple[str, ...],
        file: str | None,
        declared: dict[str, int],
        start: tuple[int, int, int, int, int],
        ordinal: int,
    ) -> None:
        #: The element's local name (`testsuite`, `testsuites`, `system-out`, ...).
        self.tag = tag
        self.name = name
        self.path = path
        self.file = file
        self.declared = declared
        self.start = start
        #: Which element outside the testcases this is (0 for the root), to find its line.
        self.ordinal = ordinal
        #: Rust libtest's suite, which counts ignored tests but leaves them out.
        self.libtest = False
        #: A suite Robot Framework's xUnit writer wrote after `rebot --merge` merged it.
        self.merged = False
        #: `Reader.n_retried` when the suite opened: what it was when the suite closes tells
        #: whether the suite holds a test the file marks rerun (see `Reader._close_suite`).
        self.retried = 0


class _Child:
    """A child of a testcase that has no children of its own, read without lxml building an
    element: what `_case` reads of an element (tag, attributes, text)."""

    __slots__ = ("attrib", "tag", "text")

    def __init__(self, tag: str, attrib: Any) -> None:
        self.tag = tag
        self.attrib = attrib
        self.text: str | None = None

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.attrib.get(key, default)

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[Any]:
        return iter(())


class _Target:
    """The callbacks lxml's target parser calls (looked up once, when the parser is made)."""

    __slots__ = ("close", "comment", "data", "end", "start")

    def __init__(
        self,
        start: Callable[[str, Any], None],
        end: Callable[[str], None],
        data: Callable[[str], None],
        close: Callable[[], None],
        comment: Callable[[str], None],
    ) -> None:
        self.start = start
        self.end = end
        self.data = data
        self.close = close
        self.comment = comment


class Reader:
    """One pass over one file: an lxml target parser fed by `Stream`, no tree built.

    Plain testcases (name, classname and time, no children) are batched from their attribute
    dicts. A testcase with children is rebuilt as an element with a TreeBuilder and read by
    `_case`, as is one with other attributes. Suites are frames opened at their start.
    """

    def __init__(self, source: Source, sink: Sink, *, passthrough: bool = False) -> None:
        self.source = source
        self.sink = sink
        self.stream = Stream(source, sink, passthrough=passthrough)
        self.frames: list[_Frame] = []
        # Running counts of testcase elements by outcome, snapshotted per suite to check the
        # counts it declares. Passed tests are derived from the sink, not counted here.
        self.n_failed = 0
        self.n_errors = 0
        self.n_skipped = 0
        #: Testcases read so far that mark their reruns (Surefire's `flakyFailure`, ...).
        self.n_retried = 0
        self.times = Times(sink.warn)
        self.earliest: datetime | None = None
        #: Elements started outside testcases so far (the ordinal of the next one).
        self.n_outer = 0
        #: mocha-junit-reporter's pending tests its root counts as skipped and no suite
        #: writes, not yet placed in a suite (see `_mocha_pending`); None for other files.
        self.mocha_pending: int | None = None
        #: Warnings whose line is found after the pass: (index in sink.warnings, kind, ordinal).
        self.fixups: list[tuple[int, str, int]] = []
        # Testcases without children, as their attribute dicts, not yet recorded: classified
        # in bulk by `_drain` (most are plain passed tests) at the end of each suite.
        self.pending: list[Any] = []
        #: Testcases with children, as (len(pending) when read, element, attributes):
        #: recorded by `_drain` too, in their place among the pending ones.
        self.deferred: list[tuple[int, Any, Any]] = []
        self.escaped = False  # an ESC was seen: names must be cleaned (general path)
        self.suite: tuple[str, ...] = ()
        #: (first row, hostname) of each suite that names a host: Playwright writes the
        #: project there, which its id needs (see `dialect.canonical_ids`).
        self.hosts: list[tuple[int, str]] = []
        #: Attributes of the root element when it is not a testsuite (`<testsuites>`).
        self.root: dict[str, str] = {}
        #: Whether a suite has the attributes pytest writes (see `dialect.pytest_suite`).
        self.pytest_shaped = False
        #: (first row, file) from each point where the enclosing suite's `file` may change:
        #: plain passed testcases are recorded without it (see `dialect.canonical_ids`).
        self.files: list[tuple[int, str | None]] = []
        #: The keys of Node's run summary, written as comments in the root (`<!-- tests 9
        #: -->`): what tells Node's reporter from others (see `dialect.canonical_ids`).
        self.summary: set[str] = set()
        #: The root element has closed: a syntax error after it may be a next document.
        self.closed = False
        #: (timestamp, time) of each suite in a root named as googletest names its root: what
        #: shows a --gtest_repeat run (see `dialect.gtest_repeated`).
        self.root_suites: list[tuple[str, str]] = []
        #: bats' warning that its run stopped short, as a testcase of a `.bats` file wrote it.
        self.bats_short: re.Match[str] | None = None

    # The hot path: `start` and `end` run once per testcase, from C.
    def run(self) -> None:
        sink = self.sink
        stream = self.stream
        pending = self.pending
        add_pending = pending.append
        drain = self._drain
        start_outer = self._start_outer
        end_outer = self._end_outer
        general = self._general
        # Character data between events; only read inside a testcase with children.
        chars: list[str] = []
        chars_clear = chars.clear
        join = "".join
        case: Any = None  # the attributes of the open testcase
        # Children of the open testcase without children of their own (a failure, a skip,
        # captured output: nearly all), read without building elements.
        light: list[_Child] = []
        child: _Child | None = None  # the open one of them
        builder: Any = None  # TreeBuilder of the open testcase, once a child has children
        depth = 0  # open children of the testcase, once it has a builder
        kids = False  # the open testcase has children (light, child or builder is in use)

        def start(tag: str, attrib: Any) -> None:
            nonlocal case, builder, depth, child, kids
            if case is None:
                if tag == "testcase" or (tag[0] == "{" and localname(tag) == "testcase"):
                    case = attrib
                else:
                    chars_clear()
                    start_outer(tag, attrib)
                return
            kids = True
            try:
                if builder is None:
                    if child is None:
                        chars_clear()  # the testcase's own text, whitespace between children
                        child = _Child(tag, attrib)
                        return
                    # A grandchild: rebuild the testcase as an element from here on (its own
                    # tag does not matter to `_case`), the children read so far included.
                    builder = etree.TreeBuilder()
                    builder.start("testcase", case)
                    for done in light:
                        builder.start(done.tag, done.attrib)
                        if done.text is not None:
                            builder.data(done.text)
                        builder.end(done.tag)
                    light.clear()
                    builder.start(child.tag, child.attrib)
                    depth = 1
                    child = None
                if chars:
                    builder.data(join(chars))
                    chars_clear()
                builder.start(tag, attrib)
            except ValueError as exc:
                # libxml2 lets names such as `:failure` through; lxml's tree refuses them.
                raise self.source.error(f"malformed XML: {exc} inside a testcase") from None
            depth += 1

        def end(tag: str) -> None:
            nonlocal case, builder, depth, child, kids
            attrib = case
            if attrib is None:
                # A suite's own <system-out> may hold what its testcases were read from (see
                # `dialect.tap_formatter_junit`); other outer text is whitespace.
                text = join(chars)
                chars_clear()
                end_outer(text)
                return
            if not kids:  # a plain testcase ends: the hot path
                case = None
                add_pending(attrib)
                if len(pending) >= _BATCH:
                    drain()
                    chars_clear()
                return
            if builder is None:
                if child is not None:
                    child.text = join(chars) or None
                    chars_clear()
                    light.append(child)
                    child = None
                    return
                case = None
                kids = False
                general(light[:], attrib)
                light.clear()
                return
            if chars:
                builder.data(join(chars))
                chars_clear()
            if depth:
                builder.end(tag)
                depth -= 1
                return
            builder.end("testcase")
            elem = builder.close()
            builder = None
            case = None
            kids = False
            general(elem, attrib)

        summary = self.summary
        frames = self.frames

        def comment(text: str) -> None:
            # Only the root's own comments: one key each, so hostile input stores little.
            if case is None and len(frames) == 1:
                key = summary_key(text)
                if key is not None:
                    summary.add(key)

        def close() -> None:
            return None

        target = _Target(start, end, chars.append, close, comment)
        # Comments reach `comment` (Node's run summary), which keeps nothing else of them.
        # Entity declarations are refused before parsing (see Stream), so resolving internal
        # entities expands only XML's own (`&amp;`, `&lt;`, ...), as a tree parse does: left
        # unresolved, libxml2 (2.14) hands a target parser every `&` of an attribute as
        # `&#38;`, and `a &amp; b` became a test named `a &#38; b`. External entities stay off.
        parser = etree.XMLParser(
            target=target,
            encoding=stream.lxml_encoding,
            **{**SAFE_PARSER_OPTIONS, "remove_comments": False, "resolve_entities": "internal"},
        )
        feed = parser.feed
        read = stream.read

        def pump(chunk: bytes) -> None:
            while chunk:
                if stream.had_escape and not self.escaped:
                    drain()
                    self.escaped = True
                feed(chunk)
                chunk = read()

        # The parse allocates a dict per element and frees it soon after, and makes no
        # reference cycles: the cyclic collector would only walk those dicts again and again.
        collecting = gc.isenabled()
        gc.disable()
        try:
            pump(read())
            parser.close()
            drain()
        except etree.XMLSyntaxError as exc:
            if self.closed and not stream.transcoded:
                raise SeveralDocuments(self._syntax_error(exc)) from None
            if stream.passthrough:
                # Maybe bytes the cleaning stream repairs: that pass decides (and words it).
                raise NeedsCleaning from None
            raise self._syntax_error(exc) from None
        finally:
            if collecting:
                gc.enable()
            stream.close()
        if self.times.ns:
            sink.warn("times are integers in nanoseconds (container-structure-test); converted")
        if self.bats_short is not None and self.root.keys() == {"time"}:
            self._bats_cut_short(self.bats_short)
        if self.root_suites:
            repeated = gtest_repeated(self.root, self.root_suites)
            if repeated is not None:
                sink.flag(IntegrityKind.ATTEMPTS_HIDDEN, repeated)
        if self.fixups:
            self._resolve_lines()

    def _drain(self) -> None:
        """Record the pending testcases, in document order.

        When every pending one is plain (name, classname and time, nothing else) they go to
        the Sink in one bulk add, with the testcases with children (deferred) spliced in at
        their places as detailed rows. When some are not plain, `_drain_in_order` takes them
        one by one.
        """
        pending = self.pending
        deferred = self.deferred
        count = len(pending)
        if not count:
            if deferred:
                self._drain_in_order()
            return
        try:
            # Three attributes each, and (below) each has these three: nothing else.
            if self.escaped or sum(map(len, pending)) != 3 * count:
                raise KeyError
            names = list(map(_GET_NAME, pending))
            classes: list[str | None] = list(map(_GET_CLASSNAME, pending))
            times = list(map(_GET_TIME, pending))
        except KeyError:
            self._drain_in_order()
            return
        pending.clear()
        suite = self.suite
        durations = self.times.many(times)
        if not deferred:
            self._passed(names, classes, durations, suite)
            return
        outcomes = bytearray(_PASSED_CODE) * count
        details: dict[int, dict[str, Any]] = {}
        for spliced, (upto, elem, attrib) in enumerate(deferred):
            at = upto + spliced
            fields = self._case_fields(attrib, elem, suite)
            names.insert(at, fields.pop("name"))
            classes.insert(at, fields.pop("classname"))
            outcomes.insert(at, OUTCOME_CODE[fields.pop("outcome")])
            duration = fields.pop("duration")
            durations.insert(at, math.nan if duration is None else duration)
            del fields["suite"]
            details[at] = fields
        deferred.clear()
        if classes.count(classes[0]) == len(classes):
            # Nearly always one class per suite: nothing to intern row by row.
            self.sink.add_tests(
                names,
                outcomes=outcomes,
                durations=durations,
                classname=classes[0],
                suite=suite,
                details=details,
            )
        else:
            self.sink.add_tests(
                names,
                outcomes=outcomes,
                durations=durations,
                classnames=classes,
                suite=suite,
                details=details,
            )

    def _passed(
        self,
        names: list[str],
        classes: list[str | None],
        durations: array[float],
        suite: tuple[str, ...],
    ) -> None:
        """Record plain passed testcases."""
        if classes.count(classes[0]) == len(classes):
            self.sink.add_tests(names, durations=durations, classname=classes[0], suite=suite)
        else:
            self.sink.add_tests(names, durations=durations, classnames=classes, suite=suite)

    def _drain_in_order(self) -> None:
        """`_drain` one testcase at a time: plain runs of one class in bulk, the rest in turn."""
        pending = self.pending[:]
        deferred = self.deferred[:]
        self.pending.clear()
        self.deferred.clear()
        names: list[str] = []
        times: list[str] = []
        batch_class: str | None = None
        suite = self.suite
        escaped = self.escaped

        def flush() -> None:
            if names:
                self.sink.passed_tests(
                    names, self.times.many(times), classname=batch_class, suite=suite
                )
                names.clear()
                times.clear()

        def general(attrib: Any, children: Any) -> None:
            flush()
            self._case(attrib, children, suite)

        next_deferred = 0
        for index, attrib in enumerate(pending):
            while next_deferred < len(deferred) and deferred[next_deferred][0] <= index:
                _at, elem, case_attrib = deferred[next_deferred]
                general(case_attrib, elem)
                next_deferred += 1
            get = attrib.get
            name = get("name")
            classname = get("classname")
            time = get("time")
            # Attributes beyond these three (status, file, ...), a missing name or time, or
            # text that held an ESC take the general path.
            if (
                escaped
                or name is None
                or time is None
                or len(attrib) != 2 + (classname is not None)
            ):
                general(attrib, ())
                continue
            if classname != batch_class:
                flush()
                batch_class = classname
            names.append(name)
            times.append(time)
        for _at, elem, case_attrib in deferred[next_deferred:]:
            general(case_attrib, elem)
        flush()

    def _general(self, elem: Any, attrib: Any) -> None:
        """A testcase with children: deferred to the next `_drain` (see there)."""
        deferred = self.deferred
        deferred.append((len(self.pending), elem, attrib))
        if len(deferred) >= _DEFERRED:
            self._drain()

    # --- suites --------------------------------------------------------------------------
    def _snapshot(self) -> tuple[int, int, int, int, int]:
        sink = self.sink
        return (sink.records, sink.rows, self.n_failed, self.n_errors, self.n_skipped)

    def _start_outer(self, tag: str, attrib: Any) -> None:
        """An element outside testcases starts: a suite, the root, or another wrapper."""
        if self.pending or self.deferred:
            # Before the new frame counts from here; also when the path stays (a nested
            # unnamed suite may name another file).
            self._drain()
        frames = self.frames
        if frames and localname(tag) in ("error", "failure"):
            self._suite_error(localname(tag), attrib)
        elif frames and tag == "property":
            name = attrib.get("name") or ""
            kind = name.removeprefix(_INTEGRITY_PROPERTY)
            if kind != name and kind in INTEGRITY_KINDS:
                said = self._plain(attrib.get("value")) or kind
                self.sink.flag(IntegrityKind(kind), f"converted from a file that said: {said}")
        if not frames and localname(tag) != "testsuite":
            self.root = dict(attrib)
            self._note_timestamp(attrib.get("timestamp"))
            frame = self._open_suite(localname(tag), attrib)
            frame.path = ()
            frame.name = localname(tag)
        else:
            frame = self._open_suite(localname(tag), attrib)
        frames.append(frame)
        self.suite = frame.path

    def _end_outer(self, text: str) -> None:
        """A suite (or the root, or another element outside testcases) ends; `text` is the
        character data since the last element started or ended."""
        if self.pending or self.deferred:
            self._drain()
        frames = self.frames
        if frames:
            frame = frames.pop()
            if frame.tag == "system-out" and frames and frames[-1].tag == "testsuite":
                self._suite_output(frames[-1], text)
            self._close_suite(frame)
            self.closed = not frames
        self.suite = frames[-1].path if frames else ()
        self.files.append((self.sink.rows, frames[-1].file if frames else None))

    def _suite_output(self, frame: _Frame, text: str) -> None:
        """The suite `frame`'s own <system-out> ends: a suite TAP::Formatter::JUnit wrote is
        read again from the TAP stream it holds there (see `dialect.tap_formatter_junit`)."""
        text = self._restore(text) or ""
        try:
            skipped, errors = tap_formatter_junit(
                self.sink, frame.start[1], text, frame.name, frame.path
            )
        except numbers.NumberError as exc:
            raise self.source.error(f"bad number in suite {frame.name!r}'s TAP: {exc}") from None
        self.n_skipped += skipped
        self.n_errors += errors

    def _open_suite(self, tag: str, attrib: Any) -> _Frame:
        get = attrib.get
        parent = self.frames[-1] if self.frames else None
        name = (self._plain(get("name")) or "").strip()
        base = parent.path if parent is not None else ()
        # Unnamed suites (container-structure-test) add nothing to the path.
        path = (*base, name) if name else base
        declared: dict[str, int] = {}
        if attrib:
            for key in FRAME_COUNTS:
                value = parse_count(get(key))
                if value is not None:
                    declared[key] = value
            self._note_timestamp(get("timestamp"))
            self.pytest_shaped = self.pytest_shaped or pytest_suite(attrib)
        file = get("file") or (parent.file if parent is not None else None)
        host = get("hostname")
        if host == _CATCH2_HOST:
            # Catch2's JUnit reporter (v2) writes the number of assertions as `tests`: it says
            # nothing of how many testcases the suite holds.
            declared.pop("tests", None)
        if host is not None:
            self.hosts.append((self.sink.rows, host))
        if len(self.frames) == 1 and self.root.get("name") == GTEST_ROOT:
            self.root_suites.append((get("timestamp") or "", get("time") or ""))
        self.files.append((self.sink.rows, file))
        ordinal = self.n_outer
        self.n_outer = ordinal + 1
        frame = _Frame(tag, name, path, file, declared, self._snapshot(), ordinal)
        frame.libtest = all(get(key) == value for key, value in _LIBTEST_SUITE.items())
        frame.merged = robot_merged_suite(attrib)
        frame.retried = self.n_retried
        if ordinal == 1 and name == _MOCHA_ROOT_SUITE and parent is not None:
            # mocha-junit-reporter writes Mocha's root suite first, under a <testsuites>
            # that counts the pending tests as skipped.
            self.mocha_pending = parent.declared.get("skipped")
        return frame

    def _suite_error(self, kind: str, attrib: Any) -> None:
        """An `<error>` or `<failure>` directly in a suite (a class or suite setup failure):
        an error that belongs to no test, and a flag that the suite's tests may not have run."""
        frame = self.frames[-1]
        name = self._plain(frame.name) or frame.name
        place = name if name and _PLACE.match(name) and name not in ROOTS else None
        message = self._message(attrib.get("message")) or attrib.get("type") or None
        what = f"suite {name!r}" if name else "a suite"
        text = f"{what} reports a {kind} outside any test" + (f": {message}" if message else "")
        outcome = _FAILED if kind == "failure" else _ERROR
        if outcome is _FAILED:
            self.n_failed += 1
        else:
            self.n_errors += 1
        self.sink.test(
            name=f"[suite {kind}]",
            classname=place,
            suite=frame.path,
            outcome=outcome,
            message=message or f"{kind} outside any test",
            type=attrib.get("type"),
            file=frame.file,
            merge=False,
            unattributed=True,
        )
        self.sink.flag(IntegrityKind.SUITE_ERROR, text, scope=place)

    def _close_suite(self, frame: _Frame) -> None:
        if frame.merged:
            self._robot_merged(frame)
        declared = frame.declared
        if not declared:
            return
        if frame.libtest:
            self._libtest_ignored(frame)
        elif self.mocha_pending and frame.path:
            self._mocha_pending(frame)
        records, _rows, failed, errors, skipped = self._snapshot()
        s_records, s_rows, s_failed, s_errors, s_skipped = frame.start
        elements = records - s_records
        distinct = elements
        if declared.get("tests", elements) != elements:
            # pytest counts a failed call and its teardown error, written as two testcases,
            # as one test: compare with the distinct ids too.
            distinct = self.sink.distinct_since(s_rows)
        found = {
            "failures": failed - s_failed,
            "errors": errors - s_errors,
            "skipped": skipped - s_skipped,
        }
        what = f"suite {frame.name!r}" if frame.name else "an unnamed suite"
        if not frame.path and frame.name in ROOTS:
            what = f"<{frame.name}>"
        said_bad = [declared[k] for k in ("failures", "errors") if k in declared]
        place = frame.name if frame.name and _PLACE.match(frame.name) else None
        declared_total = declared.get("tests")
        subtests = 0
        if (
            declared_total is not None
            and declared_total > max(elements, distinct)
            and is_pytest(self.root, frame.name, self.pytest_shaped)
        ):
            # pytest counts each subtest report in `tests` (pytest 9's `subtests` fixture,
            # pytest-subtests) but writes one testcase per test, with a failing subtest's
            # failure in it; it writes the whole file at the end of the session, so a
            # shortfall is subtests, not testcases lost.
            subtests = declared_total - max(elements, distinct)
            declared_total = None
        self.sink.check_counts(
            what,
            declared_total=declared_total,
            total=max(elements, distinct),
            declared_bad=sum(said_bad) if said_bad else None,
            bad=found["failures"] + found["errors"],
            scope=None if frame.name in ROOTS or not frame.path else place,
            # Surefire writes the tests its last rerun round ran as `tests`, so a suite with
            # a rerun test declares fewer than it ran: that under-count is left to the warning.
            held=None
            if self.n_retried > frame.retried
            else self._undeclared(declared.get("tests"), distinct, s_rows, frame.name),
        )
        problems: list[str] = []
        if subtests:
            self._warn_at(
                f"{what} declares tests={declared['tests']} and holds {elements} testcases: "
                f"pytest counted {subtests} subtest report(s) in `tests`, written inside "
                "their tests' testcases",
                "outer",
                frame.ordinal,
            )
        elif "tests" in declared and declared["tests"] not in (elements, distinct):
            problems.append(f"tests={declared['tests']} but it contains {elements}")
        for key in ("failures", "errors"):
            if key in declared and declared[key] != found[key]:
                problems.append(f"{key}={declared[key]} but it contains {found[key]}")
        if "skipped" in declared or "disabled" in declared:
            # ctest counts disabled tests apart from skipped ones; both are skipped here.
            said = declared.get("skipped", 0) + declared.get("disabled", 0)
            if "skipped" not in declared:
                # googletest's root declares its disabled tests but not the skipped ones.
                if said > found["skipped"]:
                    problems.append(f"disabled={said} but it skips {found['skipped']}")
            elif (
                not said <= found["skipped"] <= said + declared.get("warnings", 0)
                and declared.get("skipped", 0) != found["skipped"]
            ):
                # PHPUnit counts the tests it did not run for a warning (read as skipped)
                # under `warnings`, not `skipped`.
                problems.append(f"skipped={said} but it contains {found['skipped']}")
        if problems:
            self._warn_at(
                f"{what} declares {'; '.join(problems)} (counted from the testcases)",
                "outer",
                frame.ordinal,
            )

    def _robot_merged(self, frame: _Frame) -> None:
        """Flag the tests of a suite `rebot --merge` merged (see `dialect.robot_merged_suite`):
        its xUnit file keeps each test's last status, so which of them failed before a rerun
        passed them is unknown. Robot names a test's class by its suite's full name, so the
        suite's own tests (not those of the suites inside it, merged or not) are those whose
        classname is the suite path."""
        full = ".".join(frame.path)
        sink = self.sink
        if not any(sink.identity(row)[1] == full for row in range(frame.start[1], sink.rows)):
            return
        sink.flag(
            IntegrityKind.ATTEMPTS_HIDDEN,
            f"suite {full!r} has no start time: Robot Framework's `rebot --merge` merged it "
            "from several runs (a --rerunfailed run), and its xUnit file keeps only each "
            "test's merged status, so which tests failed before a rerun passed them is "
            "unknown (give the merged output.xml, which records it)",
            scope=full,
        )

    def _bats_cut_short(self, warning: re.Match[str]) -> None:
        """bats' run stopped before every test it counted ran: its TAP plan shows the tests
        that never ran, but its JUnit report holds only those that did, and says so only in
        the output of the test that ran last. They count as an error that belongs to no test
        (which file they were in is not written), as the TAP's missing tests do."""
        ran, planned = int(warning.group(1)), int(warning.group(2))
        missing = planned - ran
        if missing <= 0:
            return
        text = (
            f"bats ran {ran} of the {planned} tests it counted ({warning.group(0)}): "
            f"{missing} never ran, counted as an error"
        )
        self.sink.test(
            name=BATS_CUT_SHORT,
            outcome=_ERROR,
            message=text,
            merge=False,
            unattributed=True,
        )
        self.sink.warn(text)

    def _mocha_pending(self, frame: _Frame) -> None:
        """Record the pending tests (`it.skip`, `it('todo')`) mocha-junit-reporter counts in a
        suite's `tests` and its root's `skipped` but writes no testcase for (without its
        `includePending` option). A suite's shortfall is taken for pending tests only while
        the root's `skipped` still covers it, and only when the suite lost no failure; the
        root's own counts are then checked as for any file."""
        records, _rows, failed, errors, _skipped = self._snapshot()
        s_records, _s_rows, s_failed, s_errors, _s_skipped = frame.start
        missing = frame.declared.get("tests", 0) - (records - s_records)
        budget = self.mocha_pending or 0
        shown_bad = failed - s_failed + errors - s_errors
        if not 0 < missing <= budget or frame.declared.get("failures", 0) != shown_bad:
            return
        for number in range(1, missing + 1):
            name = f"[pending test {number} of {missing}]"
            self.sink.test(
                name=name,
                classname=name,
                suite=frame.path,
                outcome=_SKIPPED,
                message="pending: mocha-junit-reporter counts it but does not write it",
                file=frame.file,
            )
        self.n_skipped += missing
        self.mocha_pending = budget - missing

    def _libtest_ignored(self, frame: _Frame) -> None:
        """Record the tests libtest counts in `tests` and `skipped` but writes no testcase for:
        the `#[ignore]`d ones. Its `skipped` also counts tests a filter left out, which
        `tests` does not, so only a shortfall that `skipped` covers is taken for ignored."""
        records, _rows, _failed, _errors, skipped = self._snapshot()
        s_records, _s_rows, _s_failed, _s_errors, s_skipped = frame.start
        missing = frame.declared.get("tests", 0) - (records - s_records)
        if missing <= 0 or skipped != s_skipped or missing > frame.declared.get("skipped", 0):
            return
        for number in range(1, missing + 1):
            self.sink.test(
                name=f"[ignored test {number} of {missing}]",
                suite=frame.path,
                outcome=_SKIPPED,
                message="ignored: libtest's JUnit output counts it but does not name it",
            )
        self.n_skipped += missing

    def _undeclared(
        self, declared: int | None, distinct: int, start: int, suite: str | None
    ) -> int | None:
        """`distinct` when the suite holds more tests than it declares and they are tests its
        producer did not run: enough of them passed with no time and no detail (jest-junit
        writes a `todo` test so and leaves it out of `tests`), or pytest wrote the file; else
        None. Other under-counts, such as Surefire's `tests` after a rerun, are left to the
        warning."""
        if declared is None or declared >= distinct:
            return None
        if is_pytest(self.root, suite, self.pytest_shaped):
            # pytest counts every test whose call or setup reported, once however many times it
            # wrote it (reruns, a teardown error after a failure): one it did not count ran no
            # call, as under --setup-only and --setup-plan, where every test reads as passed.
            return distinct
        return distinct if self.sink.untimed_passes_since(start) >= distinct - declared else None

    # --- warning lines -------------------------------------------------------------------
    def _warn_at(self, message: str, kind: str, ordinal: int, once: str | None = None) -> None:
        """A warning about an element whose line is looked up after the pass.

        The target parser reports no positions; the (rare) warnings that need one remember
        which element they are about, and `_resolve_lines` finds the lines in one more pass.
        """
        warnings = self.sink.warnings
        before = len(warnings)
        self.sink.warn(message, once=once)
        if len(warnings) > before:
            self.fixups.append((before, kind, ordinal))

    def _resolve_lines(self) -> None:
        """Fill in the lines of warnings about elements, re-reading the file up to the last."""
        wanted = {(kind, ordinal) for _index, kind, ordinal in self.fixups}
        lines: dict[tuple[str, int], int | None] = {}
        quiet = Sink(TestTableBuilder(), [], self.sink.input_index, self.sink.path)
        stream = Stream(self.source, quiet)
        parser = etree.iterparse(
            stream,
            events=("start", "end"),
            encoding=stream.lxml_encoding,
            **SAFE_PARSER_OPTIONS,
        )
        outer = 0
        depth = 0  # inside a testcase: its open elements
        try:
            for event, elem in parser:
                if event == "start":
                    if depth:
                        depth += 1
                        continue
                    if localname(elem.tag) == "testcase":
                        depth = 1
                        name = elem.get("name")
                        if name is not None and name.strip():
                            continue
                        key = ("noname", 0)
                        if key in lines:
                            continue
                    else:
                        key = ("outer", outer)
                        outer += 1
                    if key in wanted:
                        lines[key] = elem.sourceline
                        if len(lines) == len(wanted):
                            break
                else:
                    if depth:
                        depth -= 1
                    if not depth:
                        # Free what was read, but never the element that just ended: libxml2
                        # may still be appending its tail text, and moving that text node out
                        # of the tree corrupted the heap (fuzz campaign: a megabyte of text
                        # after a suite). Earlier siblings' tails are complete.
                        elem.clear(keep_tail=True)
                        parent = elem.getparent()
                        if parent is not None:
                            while elem.getprevious() is not None:
                                del parent[0]
        except etree.XMLSyntaxError:
            pass
        finally:
            stream.close()
        warnings = self.sink.warnings
        for index, kind, ordinal in self.fixups:
            line = lines.get((kind, ordinal))
            if line is not None:
                warnings[index] = warnings[index].model_copy(update={"line": line})

    def _note_timestamp(self, text: str | None) -> None:
        if not text:
            return
        stamp = parse_timestamp(text)
        if stamp is None:
            return
        # The text is kept as written; the oldest instant it can mean decides which is earliest.
        if self.earliest is None or stamp.earliest < self.earliest:
            self.earliest = stamp.earliest
            self.sink.timestamp = stamp.text

    # --- testcases (the general path) ----------------------------------------------------
    def _case(self, attrib: Any, children: Any, suite: tuple[str, ...]) -> None:
        """One testcase from its attributes and its child elements (an element, or `()`)."""
        self.sink.test(**self._case_fields(attrib, children, suite))

    def _case_fields(self, attrib: Any, children: Any, suite: tuple[str, ...]) -> dict[str, Any]:
        """The `Sink.test` arguments of one testcase (see `_case`); counts its outcome."""
        get = attrib.get
        frame = self.frames[-1] if self.frames else None
        name = get("name")
        nameless = name is None or not name.strip()
        classname = get("classname") or get("class") or None
        time = get("time") or get("duration")
        duration = None if time is None else self.times.one(time)
        file = get("file") or (frame.file if frame is not None else None)
        line = parse_count(get("line"))
        outcome: Outcome | None = None
        message: str | None = None
        type_: str | None = None
        body: str | None = None
        properties: dict[str, str] = {}
        attempts: list[Attempt] = []
        outputs: list[str] = []
        flaky = False
        shown: Outcome | None = None  # the first failure or error element, if any
        # That element's message, type and text, should the skip beside it not stand.
        shown_message: str | None = None
        shown_type: str | None = None
        shown_body: str | None = None
        skipped_child = False
        # A skip that says the failure beside it was expected (Node's `todo`, Catch2's
        # `[!mayfail]` and `[!shouldfail]`); any other skip beside a failure is no excuse.
        expected_failure = False
        skip_message: str | None = None
        warning: str | None = None  # the text of PHPUnit's <warning>, if any
        for child in children:
            ctag = child.tag
            if not isinstance(ctag, str):
                continue
            kind = ctag.rpartition("}")[2] if ctag[0] == "{" else ctag
            if kind in ("failure", "error"):
                this = _FAILED if kind == "failure" else _ERROR
                if shown is None:
                    shown = this
                    shown_body = self._text(child)
                    shown_message = self._message(child.get("message")) or first_line(shown_body)
                    shown_type = child.get("type")
                if outcome is not None:
                    # A second failure element, or the failure of a test also marked skipped
                    # (Node's failing `todo` tests): keep its text; it does not decide.
                    extra = self._text(child)
                    if extra:
                        outputs.append(extra)
                    if outcome is _SKIPPED and message in (None, "true"):
                        message = self._message(child.get("message")) or first_line(extra)
                    continue
                outcome = this
                body = self._text(child)
                message = self._message(child.get("message")) or first_line(body)
                type_ = child.get("type")
                file = file or child.get("file")
                line = line if line is not None else parse_count(child.get("line"))
            elif kind == "skipped":
                skipped_child = True
                # A test marked skipped is not counted as failed even when the harness also
                # wrote its failure (Node: a failing `todo` test; node itself reports it as
                # todo, not fail). The failure text is kept.
                failed_message = message if outcome in (_FAILED, _ERROR) else None
                if failed_message is not None and body:
                    outputs.insert(0, body)
                    body = None
                outcome = _SKIPPED
                skip_text = self._text(child)
                message = self._message(child.get("message")) or first_line(skip_text)
                skip_message = message
                expected_failure = (
                    expected_failure
                    or child.get("type") == _NODE_TODO
                    or (message or "").startswith(_CATCH2_MAYFAIL)
                )
                if message in (None, "true") and failed_message:
                    message = failed_message
                type_ = child.get("type")
                if skip_text:
                    body = skip_text
                if type_ == "pytest.xfail":
                    properties["xfail"] = message or "true"
            elif kind == "warning" and child.get("type") == _PHPUNIT_WARNING:
                warning = self._text(child) or ""
            elif kind in ("flakyFailure", "flakyError", "rerunFailure", "rerunError"):
                if not attempts:
                    self.n_retried += 1
                attempts.append(self._attempt(child, kind))
                if kind.startswith("flaky"):
                    flaky = True
            elif kind in ("system-out", "system-err"):
                text = self._text(child)
                if text and text.strip():
                    outputs.append(f"[{kind}]\n{text}")
                    if classname and classname.endswith(".bats"):
                        self.bats_short = _bats_cut_short().search(text) or self.bats_short
            elif kind == "properties":
                for prop in child:
                    if not isinstance(prop.tag, str) or localname(prop.tag) != "property":
                        continue
                    pname = prop.get("name")
                    if pname:
                        value = prop.get("value")
                        properties[pname] = (
                            self._restore(value if value is not None else prop.text) or ""
                        )
        if outcome is None and warning is not None and get("assertions") == "0":
            # PHPUnit writes a test it did not run as a <warning> with no assertion: one whose
            # @depends names no test, and a "Warning" testcase for a class with no test in it
            # ("No tests found in class") or a test method that is not public. The first
            # line of the text repeats the test's name.
            outcome = Outcome.SKIPPED
            why = warning.strip().partition("\n")[2].strip() or warning.strip()
            message = f"not run: {first_line(why) or 'PHPUnit warning'}"
            body = warning
        if outcome is None:
            stated = outcome_from_status(get)
            if stated is not None:
                outcome, message = stated
            elif attempts and not flaky:
                # Only rerun elements: every execution failed.
                outcome = attempts[-1].outcome
            else:
                outcome = _PASSED
        if outcome is _SKIPPED and shown is not None and not expected_failure:
            # A test that failed and then skipped itself (googletest: an EXPECT that failed,
            # then GTEST_SKIP(); Node: t.skip() then a throw) failed: its harness says so in
            # its exit status and its own summary. The skip's text is kept in the output.
            outcome, message, type_ = shown, shown_message, shown_type
            if shown_body is not None and shown_body in outputs:
                outputs.remove(shown_body)
                if body is not None:
                    outputs.insert(0, body)
                body = shown_body
        not_run = (
            outcome is _SKIPPED
            and skipped_child
            and (get("status") or "").strip().lower() == "notrun"
            and get("result") is None
            and not (message or "").startswith(_CTEST_SKIPS)
        )
        # googletest skips a test without running it, with no message of its own, when the
        # suite's SetUpTestSuite or a global Environment's SetUp failed, or --gtest_fail_fast
        # stopped the run: its XML then says result="skipped", the never-set start time
        # (1970) and only the test's own file:line; the failure of SetUpTestSuite is written
        # nowhere in the XML. A test that called GTEST_SKIP() has a start time.
        never_started = (get("timestamp") or "").startswith(_GTEST_NEVER_STARTED)
        gtest_not_run = (
            outcome is _SKIPPED
            and skipped_child
            and get("result") == "skipped"
            and never_started
            and (skip_message or "").strip() == f"{get('file')}:{get('line')}"
        )
        if gtest_not_run:
            outcome = _ERROR
            message = (
                "not run: googletest skipped it without running it (a failed SetUpTestSuite "
                "or Environment SetUp, or --gtest_fail_fast)"
            )
        # When a global Environment's SetUp calls GTEST_SKIP(), googletest runs no test, exits
        # 0 and writes every test as status="run" result="completed" with no element, as a
        # pass is written, but with the never-set start time: not run, and not counted as
        # skipped in the suite's attributes.
        gtest_never_ran = (
            outcome is _PASSED
            and never_started
            and not children
            and get("result") == "completed"
            and get("status") == "run"
        )
        if gtest_never_ran:
            outcome = _SKIPPED
            message = (
                "not run: googletest never started it (a global Environment's SetUp called "
                "GTEST_SKIP())"
            )
        if not_run:
            # ctest writes a test it could not run (executable missing, a fixture it needs
            # failed, required files missing) as <skipped> with status="notrun", and counts it
            # as failed ("Not Run"). The tests it skips on request say so in the message
            # (SKIP_RETURN_CODE=77, SKIP_REGULAR_EXPRESSION_MATCHED); its disabled tests are
            # status="disabled"; googletest's notrun carries result="suppressed".
            outcome = _ERROR
            message = f"not run: {message}" if message else "not run"
        if outcome is _SKIPPED and (get("status") or "").strip().lower() == _UNTESTED:
            # behave writes `untested` for a scenario it never reached, never for one it was
            # told to skip (tags, @skip: `skipped`): every scenario after a before_all or
            # before_feature hook failed (the hook's error is written nowhere), after --stop,
            # after an interrupt, or in a dry run.
            self.sink.flag(
                IntegrityKind.ABORTED,
                f"behave did not reach scenario(s) of {classname or 'a feature'} (status "
                "untested): a before_all or before_feature hook failed, the run stopped early "
                "(--stop, an interrupt) or it was a dry run",
                scope=classname,
            )
        if outcome is _FAILED:
            self.n_failed += 1
        elif gtest_not_run:
            self.n_skipped += 1  # googletest counts it as skipped, and not as an error
        elif outcome is _ERROR:
            self.n_errors += 1
            if not_run:
                self.n_skipped += 1  # ctest counts it as skipped in the suite's attributes
        elif outcome is _SKIPPED and not gtest_never_ran:
            self.n_skipped += 1
            # Node counts a failing `todo` (<skipped> and <failure>) among both its skipped and
            # its failed tests: so do the suite's declared-count checks (it stays skipped).
            if shown is _FAILED:
                self.n_failed += 1
            elif shown is _ERROR:
                self.n_errors += 1
        if attempts:
            # The recorded execution comes first for reruns (Surefire writes <failure> then
            # <rerunFailure>s) and last for flaky passes (the reruns failed before the pass).
            final = Attempt(outcome=outcome, duration=duration, message=message, type=type_)
            attempts = [*attempts, final] if flaky else [final, *attempts]
        failing = outcome in (_FAILED, _ERROR)
        if nameless and failing:
            # Surefire writes a failing @BeforeAll / @AfterAll (class setup or teardown) as a
            # testcase with an empty name: an error of the class, which belongs to no test and
            # counts against every selection that reaches into the class.
            name = "[suite error]" if outcome is _ERROR else "[suite failure]"
        elif nameless:
            # The line is that of the first testcase without a name.
            self._warn_at("testcase without a name", "noname", 0, once="noname")
            name = name or "(unnamed)"
        assert name is not None
        # A testcase that stands for a failure outside any test (pytest writes a collection
        # error as one named after the module): it belongs to no test.
        unattributed = failing and (
            nameless
            or (
                message is not None
                and (message.startswith(_OUTSIDE_ANY_TEST) or name.startswith(_OUTSIDE_ANY_TEST))
            )
        )
        if failing and not unattributed:
            place = self._outside_test(name, classname, get, frame)
            if place is not None:
                name, classname = place
                if name == "[suite error]" and outcome is _FAILED:
                    name = "[suite failure]"
                unattributed = True
                line = None  # the producer's line is that of some test, not of the failure
                if classname is None or file is None or not file.endswith(".py"):
                    file = None
        if unattributed and not classname and file is None and re.fullmatch(r"[\w.]+", name):
            file = name.replace(".", "/") + ".py"  # pytest names the module that failed
        output_parts = ([body] if body else []) + outputs
        output = "\n".join(output_parts) if output_parts else None
        if output is not None and self.stream.had_escape:
            output = output.replace(ESC_PLACEHOLDER, "\x1b")
        if message is not None and self.stream.had_escape:
            message = message.replace(ESC_PLACEHOLDER, "\x1b")
        return {
            "name": self._plain(name) or name,
            "outcome": outcome,
            "classname": self._plain(classname),
            "suite": suite,
            "duration": duration,
            "message": message,
            "type": type_,
            "output": output,
            "file": file,
            "line": line,
            "properties": properties or None,
            "attempts": attempts,
            "flaky": flaky,
            "unattributed": unattributed,
        }

    def _outside_test(
        self, name: str, classname: str | None, get: Any, frame: _Frame | None
    ) -> tuple[str, str | None] | None:
        """(name, classname) of a failing testcase that a harness writes for a failure
        outside any test, which would otherwise read as a test of a place no selection names;
        None for any other testcase.

        - Boost.Test writes a failing suite fixture (setup or teardown) or a suite timeout as
          `<suite>-setup-teardown` / `<suite>-timed-execution` with the enclosing suites as
          classname (`outer` for `outer/inner`, whose tests have classname `outer.inner`), and
          a global fixture as `boost_test-setup-teardown` without one: an error of that suite,
          or of the whole module.
        - unittest-xml-reporting writes a failing setUpClass / tearDownClass / setUpModule /
          tearDownModule as `tearDownClass (pkg.mod.Class)` with no classname, in a suite named
          after unittest's `_ErrorHolder` and the time; and a module that failed to import
          as classname `unittest.loader._FailedTest`, named after the module.
        """
        if get("assertions") is not None and classname != _PYTHON_LOAD_FAILURE:
            for suffix in _BOOST_SUITE_UNITS:
                if name.endswith(suffix) and len(name) > len(suffix):
                    unit = name[: -len(suffix)]
                    if unit == _BOOST_MASTER and not classname:
                        return "[suite error]", None
                    return "[suite error]", f"{classname}.{unit}" if classname else unit
        if classname == _PYTHON_LOAD_FAILURE and re.fullmatch(r"[\w.]+", name):
            return "[load error]", name
        if not classname and frame is not None and frame.name.startswith(_PYTHON_ERROR_HOLDER):
            match = _python_fixture().fullmatch(name)
            if match is not None:
                return match.group(1), match.group(2)
        return None

    def _attempt(self, child: Any, kind: str) -> Attempt:
        outcome = _FAILED if kind.endswith("Failure") else _ERROR
        parts: list[str] = []
        text = child.text
        if text and text.strip():
            parts.append(text)
        for sub in child:
            if isinstance(sub.tag, str):
                sub_text = self._text(sub)
                if sub_text and sub_text.strip():
                    local = localname(sub.tag)
                    parts.append(sub_text if local == "stackTrace" else f"[{local}]\n{sub_text}")
        body = "\n".join(parts) or None
        time = child.get("time")
        return Attempt(
            outcome=outcome,
            duration=None if time is None else self.times.one(time),
            message=clean_optional(self._message(child.get("message")))
            or clean_optional(first_line(body)),
            type=clean_optional(child.get("type")),
            output=clean_optional(self._restore(body)),
        )

    def _text(self, elem: Any) -> str | None:
        if len(elem):
            return "".join(elem.itertext()) or None
        return elem.text

    def _restore(self, text: str | None) -> str | None:
        if text is not None and self.stream.had_escape:
            return text.replace(ESC_PLACEHOLDER, "\x1b")
        return text

    def _plain(self, text: str | None) -> str | None:
        """A name as read: after an ESC was seen, colour codes are removed from names too."""
        if text is not None and self.stream.had_escape:
            return clean_text(text.replace(ESC_PLACEHOLDER, "\x1b"))
        return text

    def _message(self, text: str | None) -> str | None:
        """A message attribute without the blank lines and indentation around it."""
        text = self._restore(text)
        return text.strip() if text is not None else None

    def _syntax_error(self, exc: etree.XMLSyntaxError) -> InputError:
        message = str(exc.msg or exc)
        message = re.sub(r",? line \d+, column \d+$", "", message)
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        if "Premature end of data" in message or "EndTag" in message or "end of data" in message:
            hint = "the file is truncated or not well-formed"
        else:
            hint = None
        return self.source.error(f"malformed XML: {message}", line=line, hint=hint)
