"""JUnit dialect rules: how producers spell times, statuses, counts, timestamps and test ids."""

from __future__ import annotations

import math
import posixpath
import re
import struct
from array import array
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence, Set
from typing import TYPE_CHECKING, Any

from reportgen import stamps
from reportgen.model import SCOPE_SEPARATOR, IntegrityKind, Outcome, is_absolute_path
from reportgen.regex import lazy_regex
from reportgen.stamps import Stamp
from reportgen.text import clean_text

if TYPE_CHECKING:
    from reportgen.ingest.base import Sink

#: Distinct `time` values remembered per file.
_SECONDS_MEMO = 1 << 16
#: A C double in native byte order, as `array("d")` holds it.
_DOUBLE = struct.Struct("d")

_TIME_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "min": 60.0,
    "m": 60.0,
    "h": 3600.0,
}
_time_with_unit = lazy_regex(r"^\s*([0-9.,]+(?:[eE][-+]?\d+)?)\s*([A-Za-zµμ]+)\s*$")

#: testcase `status` / `result` values meaning "did not run" (ctest, googletest, Bazel, tst;
#: behave's `untested`, which it writes without a <skipped/> under `--no-skipped`, for every
#: scenario after a `before_all` or `before_feature` hook failed, or after `--stop`).
_NOT_RUN = frozenset(
    {
        "disabled",
        "notrun",
        "not run",
        "not_run",
        "skipped",
        "skip",
        "ignored",
        "suppressed",
        "untested",
    }
)
_FAILED_STATUS = frozenset({"fail", "failed", "failure"})
_ERROR_STATUS = frozenset({"error", "errored"})
_TRUE = frozenset({"true", "1", "yes"})


#: Counts a suite may declare, checked against its testcases (PHPUnit's `warnings` include
#: the tests it did not run, read as skipped).
FRAME_COUNTS = ("failures", "errors", "skipped", "disabled", "warnings", "tests")


def outcome_from_status(get: Any) -> tuple[Outcome, str | None] | None:
    """Outcome (and message) a testcase without result elements states in its attributes.

    `get` reads an attribute. ctest, googletest, Bazel and tst write `status` or `result`;
    some write `ignored` or `skipped` flags. None when the attributes say nothing.
    """
    status = (get("status") or get("result") or "").strip().lower()
    if status in _NOT_RUN or (get("ignored") or "").lower() in _TRUE:
        return Outcome.SKIPPED, (f"status {status}" if status else "ignored")
    if (get("skipped") or "").lower() in _TRUE:
        return Outcome.SKIPPED, None
    if status in _FAILED_STATUS:
        return Outcome.FAILED, None
    if status in _ERROR_STATUS:
        return Outcome.ERROR, None
    return None


def parse_time_text(text: str) -> float | None:
    """Seconds from the less common spellings: `1,234.5`, `0,03`, `80.803us`, `1.5 s`."""
    value = text.strip()
    factor = 1.0
    match = _time_with_unit().match(value)
    if match is not None:
        unit = match.group(2)
        if unit not in _TIME_UNITS:
            return None
        factor = _TIME_UNITS[unit]
        value = match.group(1)
    if "," in value:
        # Both separators: the comma groups thousands. A single comma alone is a decimal
        # comma (German, French locales): `0,03`. Several commas group thousands.
        if "." in value or value.count(",") > 1:
            value = value.replace(",", "")
        else:
            value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return None
    return number * factor


def parse_count(text: str | None) -> int | None:
    """An integer attribute (a count, a line); None when absent or not an integer."""
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def parse_timestamp(text: str) -> Stamp | None:
    """An ISO 8601 timestamp and the instants it can mean (see `stamps.read`); None for
    unreadable or placeholder."""
    stamp = stamps.read(text)
    if stamp is None or stamp.latest.year < 1971:
        return None  # Go's zero time and similar placeholders mean "unknown"
    return stamp


class _Seconds(dict[str, bytes]):
    """Plain `time` attributes and their seconds as a packed C double, filled on demand; raises
    ValueError for anything that needs `Times.one` (units, commas, negative, nanoseconds, ...).

    Producers write times with a fixed number of decimals, so values repeat a lot, and a
    lookup costs less than `float`. The packed form lets a batch become an `array("d")` by
    one join: filling the array from floats converts each through a slow argument parser.
    """

    __slots__ = ()

    def __missing__(self, text: str) -> bytes:
        value = float(text)
        # NaN passes, which is right: NaN is how "unknown" is stored.
        if not 0.0 <= value < 1e6 and value == value:
            raise ValueError(text)
        if len(self) >= _SECONDS_MEMO:
            self.clear()
        packed = self[text] = _DOUBLE.pack(value)
        return packed


class Times:
    """Seconds from `time` attributes, one file's worth: remembers whether the file writes
    integer nanoseconds (container-structure-test) and warns once per unreadable value.
    """

    def __init__(self, warn: Callable[..., None]) -> None:
        self._warn = warn
        #: The file's times are integer nanoseconds (set on the first one seen).
        self.ns = False
        #: Seconds of a plain `time` attribute (ValueError for any other), memoised.
        self._plain = _Seconds().__getitem__

    def many(self, texts: list[str]) -> array[float]:
        """Seconds for a batch of `time` attributes (NaN for unknown), converted in bulk."""
        if not self.ns:
            try:
                return array("d", b"".join(map(self._plain, texts)))
            except ValueError:
                pass
        return array("d", (math.nan if (v := self.one(text)) is None else v for text in texts))

    def one(self, text: str) -> float | None:
        """Seconds from one `time` attribute; None when it cannot be read."""
        try:
            value = float(text)
        except ValueError:
            pass
        else:
            if 0.0 <= value < 1e6 and not self.ns:
                return value

        stripped = text.strip()
        if stripped.isascii() and stripped.isdigit():
            value = float(stripped)
            # container-structure-test writes integer nanoseconds; no test takes a million
            # seconds, and once one such value is seen the file's other integers are too.
            if value >= 1e6 or self.ns:
                self.ns = True
                return value / 1e9
            return value
        value_or_none = parse_time_text(stripped)
        if value_or_none is None or value_or_none != value_or_none or value_or_none < 0:
            self._warn(f"unreadable test time {text!r} treated as unknown", once=f"time:{text}")
            return None
        if value_or_none == float("inf"):
            return None
        return value_or_none


# --- canonical ids ------------------------------------------------------------------------
#: A test file of a JavaScript harness (Playwright names its suites and classes after it).
_js_file = lazy_regex(r"\.[cm]?[jt]sx?$", re.IGNORECASE)
#: A suite named after a test file's path (jest-junit's `{filepath}` suite names).
_js_path = lazy_regex(r"(?:[\\/].*|\.(?:test|spec))\.[cm]?[jt]sx?$", re.IGNORECASE)
#: jest-junit's default `suiteName`, the root's name.
_JEST_JUNIT_ROOT = "jest tests"
#: mocha-junit-reporter's default `testsuitesTitle`, the root's name.
_MOCHA_ROOT = "Mocha Tests"
#: jest-junit's classname for a test file that failed to run (`reportTestSuiteErrors`).
_JEST_SUITE_FAILED = "Test suite failed to run"
#: The classname Node's `junit` reporter gives every testcase, whatever its describe path.
_NODE_CLASSNAME = "test"
#: The run summary Node's `junit` reporter writes as comments in the root, one key each
#: (`<!-- tests 9 -->`, `<!-- duration_ms 448.0 -->`); `cancelled` and `todo` are Node's own.
_NODE_SUMMARY = frozenset(
    ("tests", "suites", "pass", "fail", "cancelled", "skipped", "todo", "duration_ms")
)
_summary_line = lazy_regex(r"\s*([a-z_]+) \d+(?:\.\d+)?\s*")


def summary_key(comment: str) -> str | None:
    """The key of a comment of Node's run summary (`tests 9` -> `tests`), else None."""
    match = _summary_line().fullmatch(comment)
    if match is None or match.group(1) not in _NODE_SUMMARY:
        return None
    return match.group(1)


def canonical_ids(
    sink: Sink,
    start: int,
    hosts: Sequence[tuple[int, str]],
    root: Mapping[str, str],
    files: Sequence[tuple[int, str | None]] = (),
    summary: Set[str] = frozenset(),
) -> None:
    """Read the ids of rows `start`.. (one JUnit file) back to the canonical ones when the
    file is a dialect that spells them its own way (see docs/executions.md):

    - Node's `junit` reporter (`node --test`): classname `test` on every testcase, the
      describe path as nested suites, the run summary as comments in an attribute-less
      `<testsuites>` (`summary`: their keys): the classname is dropped, so the id is the one
      Node's TAP reporter gives (`outer › inner::adds`, `top level`). Every mark is required:
      another producer's class may be named `test` (pytest's `test.py`).
    - Playwright's `junit` reporter: suite and classname the test file, name the describe
      path and title joined by ` › `, the project in the suite's `hostname`, an `id` on the
      root; read as the JSON reporter's `[project] › file › describe › ...::title`.
    - Vitest's `junit` reporter: the same with ` > ` and the machine in `hostname` (no root
      `id`); read as its JSON reporter reads (`file › describe › ...::title`, the file
      relative to the directory the test files share).
    - jest-junit with its default templates: classname and name both the describe blocks
      and title joined by spaces (a leading space when there is no describe block), the file
      only with `addFileAttribute`; read as `file::full title`, or the full title alone. The
      describe path cannot be told from the title, so `new_failures` matches these ids to
      other formats' by full title (`model.full_title`).
    - jest-junit writing the file's path as the suite name and the describe path as the
      classname: `file › describe › ...::title`; with the default templates and the path as
      suite name, the file of `file::full title` comes from the suite name.
    - mocha-junit-reporter: name the full title, classname the title, the file on the suite;
      read as Mocha's JSON reporter's `file › describe path::title`. A test outside any
      describe block (classname and name both its title) has no file: it reads as its title.
    - Mocha's own `xunit` reporter: one suite `Mocha Tests`, the describe path as classname,
      the file on each testcase: read as Mocha's JSON reporter's id too.
    """
    end = sink.rows
    if start >= end:
        return
    if not root and summary >= _NODE_SUMMARY and sink.drop_classname(start, _NODE_CLASSNAME):
        _node_quotes(sink, start, end)
        _node_whole_files(sink, start, end)
        return
    name, classname, suite, _file = sink.identity(start)
    if classname and suite and suite[-1] == classname and _js_file().search(classname):
        if hosts and "id" in root:
            _playwright(sink, start, end, hosts)
        else:
            _vitest(sink, start, end)
    elif classname in (name, _JEST_SUITE_FAILED):
        if not _jest_junit(sink, start, end, root.get("name") == _JEST_JUNIT_ROOT):
            _mocha_junit(sink, start, end, root, files)
    elif classname and name.endswith(" " + classname):
        _mocha_junit(sink, start, end, root, files)
    elif root.get("name") == _JEST_JUNIT_ROOT and suite and _is_js_path(suite[-1]):
        _jest_junit_by_file(sink, start, end)
    elif not root and suite == (_MOCHA_ROOT,):
        _mocha_xunit(sink, start, end)


#: What Node's `junit` reporter writes for `"` in a test or suite name, once parsed: it escapes
#: `"` as `&quot;` and then `&` as `&amp;` (`escapeAttribute`), so the XML says `&amp;quot;`.
_NODE_QUOTE = "&quot;"


def _node_quotes(sink: Sink, start: int, end: int) -> None:
    """Read Node's doubly escaped `"` back (see `_NODE_QUOTE`), so that a name holding `"`
    has the id Node's TAP reporter gives it (a name written `&quot;` cannot be told apart and
    reads as `"` too)."""
    for row in range(start, end):
        name, classname, suite, file = sink.identity(row)
        if _NODE_QUOTE in name or any(_NODE_QUOTE in part for part in suite):
            sink.set_identity(
                row,
                name=name.replace(_NODE_QUOTE, '"'),
                classname=classname,
                suite=tuple(part.replace(_NODE_QUOTE, '"') for part in suite),
                file=file,
            )


def _node_whole_files(sink: Sink, start: int, end: int) -> None:
    """Node's report of a test file from which no test reported (see `Sink.whole_file`) is
    no passed test: read as skipped, as the TAP reader reads it."""
    for row in range(start, end):
        name, _classname, suite, _file = sink.identity(row)
        if suite or sink.outcome(row) is not Outcome.PASSED:
            continue
        why = sink.whole_file(name)
        if why is not None:
            sink.set_outcome(row, Outcome.SKIPPED, message=why, type="no test reported")


def _playwright(sink: Sink, start: int, end: int, hosts: Sequence[tuple[int, str]]) -> None:
    rows = [sink.identity(row) for row in range(start, end)]
    if not all(c and s and s[-1] == c and _js_file().search(c) for _n, c, s, _f in rows):
        return
    firsts = [first for first, _host in hosts]
    for row, (name, file, _suite, _file) in enumerate(rows, start):
        at = bisect_right(firsts, row) - 1
        project = hosts[at][1] if at >= 0 else ""
        tag = f"[{project}]" if project else ""
        if tag and name.startswith(tag + " "):
            name = name[len(tag) + 1 :]  # the reporter's includeProjectInTestName
        *blocks, title = name.split(SCOPE_SEPARATOR)
        assert file is not None
        classname = SCOPE_SEPARATOR.join((tag, file, *blocks) if tag else (file, *blocks))
        sink.set_identity(row, name=title, classname=classname, suite=(file, *blocks), file=file)


def _vitest(sink: Sink, start: int, end: int) -> None:
    rows = [sink.identity(row) for row in range(start, end)]
    if not all(c and s and s[-1] == c and _js_file().search(c) for _n, c, s, _f in rows):
        return
    shared = _shared_dir([c for _n, c, _s, _f in rows if c])
    for row, (name, path, _suite, _file) in enumerate(rows, start):
        assert path is not None
        file = _below(path, shared)
        *blocks, title = name.split(" > ")
        sink.set_identity(
            row,
            name=title,
            classname=SCOPE_SEPARATOR.join((file, *blocks)),
            suite=(file, *blocks),
            file=file,
        )


def _shared_dir(paths: Sequence[str]) -> str:
    """The directory relative paths share ("" when none, or absolute and relative mixed)."""
    if not paths:
        return ""
    try:
        return posixpath.commonpath([posixpath.dirname(p.replace("\\", "/")) for p in paths])
    except ValueError:
        return ""


def _below(path: str, root: str) -> str:
    path = path.replace("\\", "/")
    return path[len(root) + 1 :] if root and path.startswith(root + "/") else path


def _jest_junit(sink: Sink, start: int, end: int, jest_root: bool) -> bool:
    """Read jest-junit's default spelling; return whether the file is in it.

    Other producers write the classname as the name too (ctest): the file must also be under
    jest-junit's root or hold a test outside any describe block (its leading space)."""
    rows = [sink.identity(row) for row in range(start, end)]
    if not all(c in (n, _JEST_SUITE_FAILED) for n, c, _s, _f in rows):
        return False
    if all(c == _JEST_SUITE_FAILED for _n, c, _s, _f in rows):
        return False
    if not jest_root and not any(n.startswith(" ") for n, _c, _s, _f in rows):
        return False
    # The file: from addFileAttribute, or the suite name when it is the file's path
    # (usePathForSuiteName, suiteNameTemplate "{filepath}").
    files = [f or (s[-1] if s and _is_js_path(s[-1]) else None) for _n, _c, s, f in rows]
    shared = _shared_dir([f for f in files if f])
    for row, (name, classname, _suite, _file) in enumerate(rows, start):
        if classname == _JEST_SUITE_FAILED:
            continue
        file = files[row - start]
        if file:
            file = _below(file, shared)
        sink.set_identity(
            row, name=name.strip(), classname=None, suite=(file,) if file else (), file=file
        )
    return True


def _jest_junit_by_file(sink: Sink, start: int, end: int) -> None:
    """jest-junit with the suite named after the file (`{filepath}`) and the classname the
    describe path (`{classname}`, the README's setup for test reporters): read as
    `file › describe › ...::title` with the file relative to the directory the files share."""
    rows = [sink.identity(row) for row in range(start, end)]
    if not all(s and _is_js_path(s[-1]) and c != s[-1] for _n, c, s, _f in rows):
        return
    shared = _shared_dir([s[-1] for _n, _c, s, _f in rows])
    for row, (name, classname, suite, _file) in enumerate(rows, start):
        file = _below(suite[-1], shared)
        blocks = classname.split(SCOPE_SEPARATOR) if classname else []
        sink.set_identity(
            row,
            name=name,
            classname=SCOPE_SEPARATOR.join((file, *blocks)),
            suite=(file, *blocks),
            file=file,
        )


def _is_js_path(name: str) -> bool:
    return bool(_js_path().search(name.replace("\\", "/")))


def _mocha_junit(
    sink: Sink,
    start: int,
    end: int,
    root: Mapping[str, str],
    suite_files: Sequence[tuple[int, str | None]],
) -> None:
    """mocha-junit-reporter: name the full title, classname the title, the file on the suite;
    read as Mocha's JSON reporter reads (`file › describe path::title`, the file relative to
    the directory the test files share). A test outside any describe block (both the title)
    sits in the root suite, which has no file: its id is the title alone."""
    rows = [sink.identity(row) for row in range(start, end)]
    if not all(c and (n == c or n.endswith(" " + c)) for n, c, _s, _f in rows):
        return
    if all(n == c for n, c, _s, _f in rows) and root.get("name") != _MOCHA_ROOT:
        return
    # A plain passed testcase is recorded without its suite's file: take it from the suite.
    firsts = [first for first, _file in suite_files]
    rows = [
        (n, c, s, f or _file_at(row, firsts, suite_files))
        for row, (n, c, s, f) in enumerate(rows, start)
    ]
    files = [f for _n, _c, _s, f in rows if f]
    shared = "" if any(is_absolute_path(f) for f in files) else _shared_dir(files)
    for row, (name, title, _suite, file) in enumerate(rows, start):
        assert title is not None
        prefix = name[: -len(title) - 1] if name != title else ""
        place = _below(file, shared) if file else None
        parts = tuple(p for p in (place, prefix) if p)
        sink.set_identity(
            row,
            name=title,
            classname=SCOPE_SEPARATOR.join(parts) if place else None,
            suite=parts,
            file=file,
        )


#: How the title of a failed Mocha hook begins (`"before all" hook for "connects"`).
_MOCHA_HOOKS = ('"before all" hook', '"before each" hook', '"after all" hook', '"after each" hook')


def _mocha_xunit(sink: Sink, start: int, end: int) -> None:
    """Mocha's own `xunit` reporter: one suite named `Mocha Tests` (its root), the describe
    path (Mocha's full title of the parent, space-joined) as classname, empty outside any
    describe block, the title as name and the test file on every testcase; read as Mocha's
    JSON reporter reads (`file › describe path::title`, `file::title`). Without the file
    (Mocha before 8.2 wrote none) the ids stay `describe path::title`."""
    rows = [sink.identity(row) for row in range(start, end)]
    if not all(f and s == (_MOCHA_ROOT,) for _n, _c, s, f in rows):
        return
    files = [f for _n, _c, _s, f in rows if f]
    shared = "" if any(is_absolute_path(f) for f in files) else _shared_dir(files)
    for row, (name, describe, _suite, file) in enumerate(rows, start):
        assert file is not None
        parts = (_below(file, shared), describe) if describe else (_below(file, shared),)
        sink.set_identity(
            row, name=name, classname=SCOPE_SEPARATOR.join(parts), suite=parts, file=file
        )
        if name.startswith(_MOCHA_HOOKS) and sink.outcome(row) is Outcome.FAILED:
            # A failed hook, written as a failed testcase: the JSON reporter's error of its
            # suite (the tests it guarded were not run, and neither report lists them).
            sink.set_outcome(
                row,
                Outcome.ERROR,
                message=sink.message(row),
                type="hook failure",
                unattributed=True,
            )


def _file_at(
    row: int, firsts: Sequence[int], suite_files: Sequence[tuple[int, str | None]]
) -> str | None:
    at = bisect_right(firsts, row) - 1
    return suite_files[at][1] if at >= 0 else None


# --- pytest reruns ------------------------------------------------------------------------
#: The root pytest's JUnit writer names (pytest 8.4 on), and the suite it names by default.
_PYTEST_ROOT = "pytest tests"
_PYTEST_SUITE = "pytest"
#: How a rerun attempt read from pytest's JUnit XML is told apart.
RERUN_MESSAGE = "rerun attempt that did not pass: pytest's JUnit XML does not record its failure"


#: The attributes pytest writes on a `<testsuite>`, all of them and no other.
_PYTEST_SUITE_KEYS = frozenset(
    {"name", "errors", "failures", "skipped", "tests", "time", "timestamp", "hostname"}
)
#: pytest's suite timestamp: Python's `isoformat()` of the start, with microseconds (and the
#: UTC offset from pytest 7 on). Robot's xUnit file also has microseconds, but no hostname.
_pytest_timestamp = lazy_regex(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(?:[+-]\d\d:\d\d)?")


def pytest_suite(attrib: Mapping[str, str]) -> bool:
    """Whether a `<testsuite>`'s attributes are those pytest writes, whatever its name: what
    is left to tell pytest's file once `junit_suite_name` renamed the suite and a merge step
    (`junitparser merge`) dropped pytest's root."""
    return (
        len(attrib) == len(_PYTEST_SUITE_KEYS)
        and frozenset(attrib) == _PYTEST_SUITE_KEYS
        and bool(_pytest_timestamp().fullmatch(attrib.get("timestamp") or ""))
    )


def is_pytest(root: Mapping[str, str], suite: str | None, shaped: bool = False) -> bool:
    """Whether a JUnit file was written by pytest: its root (pytest 8.4 on), the name of its
    first suite (pytest's default `junit_suite_name`), or the attributes of its suites
    (`shaped`, see `pytest_suite`) say so."""
    return shaped or root.get("name") == _PYTEST_ROOT or suite == _PYTEST_SUITE


#: pytest's JUnit writer spells a character it holds illegal in XML `#x` and its code in hex
#: (`bin_xml_escape`), in a testcase's name only: the C0 controls but tab and line breaks,
#: DEL, U+FFFE and U+FFFF in two or four digits, and (its character class is misspelt) every
#: character above U+FFFF, an emoji among them, in five or six (`test_x[🙂]` is written
#: `test_x[#x1F642]` when ids are not ASCII-escaped).
_pytest_escape = lazy_regex(r"#x(10[0-9A-F]{4}|[1-9A-F][0-9A-F]{4}|FFF[EF]|[01][0-9A-F]|7F)")
_XML_LEGAL_CONTROLS = (0x09, 0x0A, 0x0D)


def _pytest_unescaped(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    if code >= 0x10000 or code in (0x7F, 0xFFFE, 0xFFFF):
        return chr(code)
    return match.group() if code in _XML_LEGAL_CONTROLS else chr(code)


def pytest_escapes(sink: Sink, start: int, root: Mapping[str, str], shaped: bool) -> None:
    """Read back the characters pytest's JUnit writer spelled `#x..` in test names (see
    `_pytest_escape`), so that the id is the one pytest-json-report and pytest's own output
    give (`test_x[🙂]`); controls among them are then removed, as from every name."""
    if start >= sink.rows or not is_pytest(root, next(iter(sink.identity(start)[2]), None), shaped):
        return
    for row in sink.names_holding(start, "#x"):
        name, classname, suite, file = sink.identity(row)
        unescaped = _pytest_escape().sub(_pytest_unescaped, name)
        if unescaped != name:
            sink.set_identity(
                row, name=clean_text(unescaped), classname=classname, suite=suite, file=file
            )


def pytest_reruns(sink: Sink, start: int, root: Mapping[str, str], shaped: bool) -> None:
    """Read the rerun attempts in a JUnit file written by pytest as attempts that failed.

    pytest's writer knows no `rerun` outcome: an attempt that pytest-rerunfailures (or
    `flaky`) runs again is written as a testcase with no failure, error or skipped element,
    the same as a pass, followed by the next attempt under the same id. So in a pytest file,
    an execution that looks passed and is not the last of its id is an attempt that failed
    (why is not written): it is never counted as a pass (see docs/executions.md).
    """
    end = sink.rows
    if end - start < 2:
        return
    if not is_pytest(root, next(iter(sink.identity(start)[2]), None), shaped):
        return
    rows = sink.passes_repeated_later(start)
    if not rows:
        return
    for row in rows:
        sink.set_outcome(
            row,
            Outcome.FAILED,
            message=RERUN_MESSAGE,
            type="rerun",
            properties={"rerun": "true"},
        )
    name, classname, _suite, _file = sink.identity(rows[0])
    tests = {sink.identity(row)[:2] for row in rows}
    example = f"{classname}::{name}" if classname else name
    which = f"{len(tests)} tests ({example} and others)" if len(tests) > 1 else example
    sink.warn(
        f"{len(rows)} execution(s) of {which} carry no outcome and are followed by "
        "another of the same id: read as failed rerun attempts (pytest's JUnit XML writes an "
        "attempt that pytest-rerunfailures or flaky reruns as an empty testcase)"
    )


# --- bats' retries -------------------------------------------------------------------------
#: What bats' JUnit formatter (1.8) names a test once a retry has put its count of `begin`
#: lines ahead of the tests: the whole `begin <index> <name>` line.
_bats_begin = lazy_regex(r"begin (\d+) (.+)")
#: The error the reader records for tests bats never ran (see `Reader._bats_cut_short`).
BATS_CUT_SHORT = "[bats run cut short]"


def bats_retries(sink: Sink, start: int, root: Mapping[str, str]) -> None:
    """Read the test names bats' JUnit report spells as `begin N name` after a retry, and
    flag the file: the retry's failed attempt is written nowhere.

    bats (`BATS_TEST_RETRIES`) writes a `begin N name` line for every attempt of a test, and
    its JUnit formatter takes the name from that line by cutting it at the count of `begin`
    lines seen so far: from the first retry on, the count runs ahead and the testcase is
    named by the whole line (`begin 1 flaky`), in that file and every later one of the run.
    The TAP stream of the same run shows no retry at all. A test that never began puts the
    count behind and names the later tests so too: when the run was cut short (the reader
    counts the tests that never ran as an error) the names are read back, and nothing more.
    """
    end = sink.rows
    if end <= start or root.keys() != {"time"}:
        return
    found: list[tuple[int, str]] = []
    cut_short = False
    last = None  # whether the last testcase is named by a `begin` line
    for row in range(start, end):
        name, classname, suite, _file = sink.identity(row)
        if name == BATS_CUT_SHORT and classname is None:
            cut_short = True
            continue
        if not classname or not classname.endswith(".bats") or suite[-1:] != (classname,):
            return  # not bats' report: every testcase of it is in a suite named after its file
        match = _bats_begin().fullmatch(name)
        # `N` is the test's number in the run, never below its place in the report.
        last = match is not None and int(match.group(1)) >= row - start + 1
        if last and match is not None:
            found.append((row, match.group(2)))
    # Once the count is off it stays off to the end of the run: a test merely named
    # `begin 2 phase commit` is not followed by names of that shape to the last one.
    if not found or not last:
        return
    renamed: list[str] = []
    for row, title in found:
        _name, classname, suite, file = sink.identity(row)
        sink.set_identity(row, name=title, classname=classname, suite=suite, file=file)
        renamed.append(f"{classname}::{title}")
    if not cut_short:
        sink.flag(
            IntegrityKind.ATTEMPTS_HIDDEN,
            f"bats retried a test (BATS_TEST_RETRIES) at or before {renamed[0]}: its JUnit "
            "report keeps only the last attempt of each test, and names the tests from there "
            f"on by bats' `begin N` line ({len(renamed)} read back without it), so which tests "
            "failed before passing is unknown",
        )


# --- Robot Framework's xUnit file of a `rebot --merge` -----------------------------------
#: The attributes Robot Framework's xUnit writer (7.x) puts on a `<testsuite>`, in its order.
_ROBOT_SUITE_KEYS = ("name", "tests", "errors", "failures", "skipped", "time", "timestamp")


def robot_merged_suite(attrib: Mapping[str, str]) -> bool:
    """Whether a `<testsuite>` is one Robot Framework's xUnit writer wrote for a suite that
    `rebot --merge` merged from several outputs.

    rebot's merger clears the start time of every suite it finds in both outputs (the root,
    and each suite of a test a `--rerunfailed` run ran again), and the xUnit writer then
    writes `timestamp=""`: a run robot wrote itself, pabot's merged run and a suite only one
    output holds keep theirs. The xUnit file keeps only each test's merged status, so a test
    that failed and passed on the rerun reads as a plain pass there (output.xml says so).
    """
    return (
        tuple(attrib) == _ROBOT_SUITE_KEYS
        and attrib.get("timestamp") == ""
        and attrib.get("errors") == "0"
    )


# --- googletest's --gtest_repeat ----------------------------------------------------------
#: The name googletest gives its root `<testsuites>` (of a run, and of a list of its tests), and
#: the attributes it always writes there on a run (besides `random_seed` under --gtest_shuffle
#: and properties recorded outside any test).
GTEST_ROOT = "AllTests"
_GTEST_ROOT_KEYS = frozenset({"tests", "failures", "disabled", "errors", "time", "timestamp"})
#: googletest's timestamps: local time, no zone, to the millisecond (to the second before 1.10).
_gtest_timestamp = lazy_regex(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?")
#: How far a single iteration's suites may seem to run past the root's `time`: both are cut to
#: the millisecond, and the program's start is stamped a moment before the iteration's timer.
_GTEST_SLACK = 0.005
#: ... plus this share of the run's time, for a system clock slewed against the steady one.
_GTEST_DRIFT = 0.001


def _gtest_seconds(text: str | None) -> float | None:
    try:
        value = float(text or "")
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def gtest_repeated(root: Mapping[str, str], suites: Sequence[tuple[str, str]]) -> str | None:
    """Why a googletest XML holds only the last of several `--gtest_repeat` iterations, or None.

    googletest rewrites its XML at the end of each iteration, so a failure in any iteration
    but the last is written nowhere. The root keeps what tells: its `timestamp` is when the
    program started, before the first iteration, and its `time` how long the last iteration
    took; each suite (`suites`: its `timestamp` and `time`) has its own start and time. In one
    iteration every suite ends within the root's time; a suite that ends later ran in a later
    iteration. Iterations too quick to show in milliseconds are not seen.
    """
    if root.get("name") != GTEST_ROOT or not root.keys() >= _GTEST_ROOT_KEYS:
        return None
    began = root["timestamp"]
    length = _gtest_seconds(root["time"])
    if length is None or not _gtest_timestamp().fullmatch(began):
        return None
    start = stamps.read(began)
    if start is None:
        return None
    latest = 0.0
    for stamp_text, time_text in suites:
        took = _gtest_seconds(time_text)
        if took is None or not _gtest_timestamp().fullmatch(stamp_text):
            continue
        stamp = stamps.read(stamp_text)
        if stamp is None or stamp.earliest < start.earliest:
            continue  # a suite googletest never started (1970)
        latest = max(latest, (stamp.earliest - start.earliest).total_seconds() + took)
    # A timestamp to the second may be up to a second early.
    resolution = 0.0 if "." in began else 1.0
    if latest <= length + resolution + _GTEST_SLACK + length * _GTEST_DRIFT:
        return None
    return (
        f"googletest's XML says the run took {length:.3f}s, yet its suites ran until "
        f"{latest:.3f}s after the program started: it holds the last of several --gtest_repeat "
        "iterations, and googletest writes only that one, so whether an earlier iteration "
        "failed is unknown"
    )


# --- TAP::Formatter::JUnit ----------------------------------------------------------------
#: The testcase name TAP::Formatter::JUnit (`prove --formatter TAP::Formatter::JUnit`) gives a
#: test point: its number, then its description.
_tap_case = lazy_regex(r"\d+(?: .*)?", re.DOTALL)
#: The testcases its `--timer` option adds before and after a file's test points.
_TAP_TIMER_CASES = ("(init)", "(teardown)")
#: A top-level test point of the TAP stream it keeps in a suite's <system-out>.
_tap_point_line = lazy_regex(r"^(?:not )?ok\b", re.MULTILINE)
#: The plan of a file that skipped all its tests (`skip_all`).
_tap_skip_all = lazy_regex(r"^1\.\.0\b", re.MULTILINE)


def tap_formatter_junit(
    sink: Sink, start: int, text: str, name: str, path: tuple[str, ...]
) -> tuple[int, int]:
    """Read a suite TAP::Formatter::JUnit wrote (rows `start`.., its <system-out> `text`,
    its `name` and `path`) with what only the TAP stream it keeps in <system-out> says; return
    how many tests that made skipped and how many errors it added.

    The formatter writes a test point the TAP says was skipped (`ok 1 # skip no db`) or is a
    failing TODO as an empty, passing testcase, a file that skipped all its tests
    (`1..0 # SKIP`) as a suite with no testcase, and nothing of a stream whose test numbers
    are out of sequence (`ok 1`, `ok 1` under `1..2`, which prove fails). So the stream is
    parsed as the TAP reader parses it: those testcases become skipped, the whole-file skip
    one skipped test named after the suite, and the reader's errors (test numbers out of
    sequence, plan not met, bail out) are added to the suite. Its TODO tests that passed keep
    the outcome the formatter gave them (an error unless `passing_todo_ok`). Only a suite
    whose testcases are exactly the stream's top-level test points, named by their numbers,
    is read so.
    """
    if not _tap_point_line().search(text) and not _tap_skip_all().search(text):
        return 0, 0  # no TAP stream (nearly every suite's output): its rows are not looked at
    rows = [sink.identity(row) for row in range(start, sink.rows)]
    if any(
        c is not None or not (_tap_case().fullmatch(n) or n in _TAP_TIMER_CASES)
        for n, c, _s, _f in rows
    ):
        return 0, 0
    numbered = [row for row, (n, _c, _s, _f) in enumerate(rows, start) if n not in _TAP_TIMER_CASES]
    if len(_tap_point_line().findall(text)) != len(numbered):
        return 0, 0
    if not numbered and not _tap_skip_all().search(text):
        return 0, 0
    # Imported here: only files that hold such a suite need the TAP parser.
    from reportgen.ingest._tap_parser import Point, Synthetic, parse

    mark = sink.notes_mark()
    root = parse(text, sink, runs=False).finish()
    sink.relocate_notes(mark, f"suite {name!r} (the TAP stream in its <system-out>)")
    skipped = errors = 0
    cases = iter(numbered)
    for entry in root.entries:
        if isinstance(entry, Point):
            row = next(cases)
            if entry.directive is None or (entry.directive == "TODO" and entry.ok):
                continue
            if sink.outcome(row) is not Outcome.PASSED:
                continue  # `not ok # SKIP`: the formatter wrote its failure, which stands
            properties = {"directive": entry.directive}
            if entry.directive == "TODO":
                properties["todo_result"] = "not ok"
            sink.set_outcome(
                row,
                Outcome.SKIPPED,
                message=entry.reason or None,
                type=None,
                properties=properties,
            )
            skipped += 1
        elif isinstance(entry, Synthetic):
            sink.test(
                name=entry.name,
                suite=path,
                outcome=Outcome.ERROR,
                message=entry.message,
                properties={"tap": "synthetic"},
                unattributed=True,
            )
            errors += 1
    if not numbered and root.plan == 0:
        reason = f": {root.plan_reason}" if root.plan_reason else ""
        sink.test(
            name=name or "(skipped file)",
            suite=path[:-1] if name else path,
            outcome=Outcome.SKIPPED,
            message=f"the whole file was skipped (1..0){reason}",
            properties={"directive": "SKIP"},
        )
        skipped += 1
    return skipped, errors
