"""pytest-json-report ingester: per-phase results mapped as pytest's own JUnit writer maps them.

Each test carries `setup`, `call` and `teardown` phases. A failing setup is an error; a failing
call is a failure; a failing teardown after a passing call is an error, and after a failing
call it is a second execution of the same test (exactly what pytest's `--junitxml` writes as a
duplicate testcase), so the JUnit and JSON reports of one session give the same counts and ids.
`xfailed` becomes skipped and `xpassed` passed, both with the original status in the `status`
property; a strict xpass is already reported by pytest as failed. A collector (a module or
class) that failed or was skipped while collecting, which holds no tests in the report, is an
error or a skipped execution named after it, with the id pytest's JUnit writer gives it: a
module that called `pytest.importorskip` is a skip, not a test that vanished.

The report says whether the session ran to the end: `exitcode` 2, 3 or 4 (interrupted,
internal error, usage error) marks it aborted, and fewer tests than `summary.collected` less
`summary.deselected` means collected tests never ran (`-x`, `--collect-only`, an interrupt).
A test that never reached its teardown phase (pytest writes one for every test it finishes)
shows a session that ended inside it whatever the exit code (`pytest.exit(returncode=0)`); one
whose call never reported (that, or `--setup-only` / `--setup-plan`) is not a pass.

A test that pytest-rerunfailures ran again has the outcome `rerun` and the phases of its last
attempt: a marked retry. The last attempt decides, and an earlier failed attempt (which the
report does not keep) stands before it, so a pass on a rerun is flaky. pytest-retry's
`retried` (a pass after retries) is read the same way.

Most tests of a large report passed in every phase and have nothing to say: those are found
and recorded column by column (a few C-level passes over the whole list), and only the
others are read one by one, in input order, recording exactly what reading every test one
by one would.
"""

from __future__ import annotations

import math
import re
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain, compress, repeat
from operator import add, eq, getitem, is_, itemgetter, not_
from typing import Any, ClassVar, TypeVar

from reportgen.ingest._jsonread import (
    arr,
    check_declared,
    head_keys,
    load_document,
    note_timestamp,
    obj,
    opt_arr,
    opt_int,
    opt_num,
    opt_str,
    req_str,
)
from reportgen.ingest.base import (
    MAX_NAME_CHARS,
    Ingester,
    Sink,
    Source,
    TestBatch,
    first_few,
    first_line,
)
from reportgen.model import OUTCOME_CODE, Attempt, IntegrityKind, Outcome

_OUTCOMES: dict[str, Outcome] = {
    "passed": Outcome.PASSED,
    "failed": Outcome.FAILED,
    "error": Outcome.ERROR,
    "skipped": Outcome.SKIPPED,
    "xfailed": Outcome.SKIPPED,
    "xpassed": Outcome.PASSED,
    # pytest 9's subtests: the test's own phases decide (a failing phase makes it failed);
    # a failing unittest subTest leaves no trace on the test, only the session's exit code
    # (see `_check_session`).
    "subtests passed": Outcome.PASSED,
}
_PHASES = ("setup", "call", "teardown")
#: Integers below this size are exact floats; larger ones go through `opt_int`'s checks.
_BIG_INT = 2**53
_TEXT_KEYS = frozenset({"longrepr", "stdout", "stderr", "log"})
#: pytest-rerunfailures' outcome of a test it ran again; the phases are the last attempt's.
_RERUN = "rerun"
#: pytest-retry's outcome of a test that passed after retries (it marks no other outcome).
_RETRIED = "retried"
_RERUNS = (_RERUN, _RETRIED)
#: An attribute the `flaky` plugin (box/flaky) sets on a test it retries. pytest-json-report
#: lists a test's attributes among its keywords, and writes only the last attempt of a retry.
_FLAKY_ATTRIBUTE = "_flaky_max_runs"
#: Raw outcomes of a test that failed in the end: earlier attempts cannot make it worse.
_FAILING_OUTCOMES = frozenset({"failed", "error"})
#: The testsuite pytest's JUnit writer names unless `junit_suite_name` says otherwise: the id
#: of a collector's testcase, which has no classname, is under it.
_JUNIT_SUITE = ("pytest",)
#: pytest's exit codes of a session that ran to the end: all passed, some failed, none collected.
_FINISHED = frozenset({0, 1, 5})
#: pytest's exit codes of a session that stopped early.
_STOPPED = {2: "interrupted", 3: "internal error", 4: "usage error"}
#: Why a test whose setup passed and whose call never reported is not read as passed, and
#: the type it is given.
_UNFINISHED = (
    "its setup passed and its call never reported: the session ended inside the test, or ran "
    "setups only (--setup-only, --setup-plan)"
)
_UNFINISHED_TYPE = "not run to the end"
# pytest writes a skip's longrepr as the repr of a (path, lineno, reason) tuple.
_SKIP_TUPLE = re.compile(
    r"""^\(['"](?P<path>.*)['"], (?P<line>\d+), (?P<q>['"])(?P<reason>.*)(?P=q)\)$""", re.S
)

# What `_plain_rows` looks for, and how it takes the columns.
_PASSED = "passed"
_PASSED_CODE = bytes((OUTCOME_CODE[Outcome.PASSED],))
_QUIET_KEYS = _TEXT_KEYS | {"crash"}
_LINENO_TYPES = {int, type(None)}
_PHASES_OF = itemgetter(*_PHASES)
_OUTCOME_DURATION = itemgetter("outcome", "duration")
_T = TypeVar("_T")


def mangle_nodeid(nodeid: str) -> tuple[str | None, str]:
    """(classname, name) for a pytest node id, as pytest's junitxml plugin derives them.

    `tests/test_x.py::TestA::test_b[p]` gives (`tests.test_x.TestA`, `test_b[p]`); parameters
    may contain `::` and `/`, so they are split off first.
    """
    path, bracket, params = nodeid.partition("[")
    names = path.split("::")
    names[0] = _without_py(_dotted(names[0]))
    names[-1] += bracket + params
    classname = ".".join(names[:-1])
    return (classname or None), names[-1]


def _mangle(nodeid: str, known: dict[Any, Any]) -> tuple[str | None, str]:
    """`mangle_nodeid`, with the classname of each class (or module) worked out once."""
    path, bracket, params = nodeid.partition("[")
    head, sep, last = path.rpartition("::")
    if not sep or head.endswith(":"):
        # No class, or a run of colons that `split` cuts elsewhere: the general way.
        return mangle_nodeid(nodeid)
    try:
        classname = known[head]
    except KeyError:
        names = head.split("::")
        names[0] = _without_py(_dotted(names[0]))
        classname = known[head] = ".".join(names) or None
    return classname, last + bracket + params


def _dotted(path: str) -> str:
    """A test file's path as junitxml's classname spells it: `tests/unit/test_x.py` ->
    `tests.unit.test_x.py`. A `\\` separates directories too (a node id written on Windows
    by a tool that does not normalise it as pytest does), or the same test of a JUnit report
    beside it would have another id and `require: tests.unit.test_x::*` would match nothing."""
    return path.replace("/", ".").replace("\\", ".")


def _without_py(module: str) -> str:
    """`re.sub(r"\\.py$", "", module)` without the regular expression (`$` also matches
    before a final newline)."""
    if module.endswith(".py"):
        return module[:-3]
    if module.endswith(".py\n"):
        return module[:-4] + "\n"
    return module


class PytestJsonIngester(Ingester):
    """Reads the JSON report written by `pytest --json-report` (pytest-json-report)."""

    name = "pytest-json"
    description = "pytest-json-report (pytest --json-report)"
    patterns: ClassVar[tuple[str, ...]] = (".report.json", "report.json", "pytest*.json")

    def sniff(self, head: bytes, path: str) -> float:
        keys = head_keys(head)
        if "created" not in keys.top:
            return 0.0
        hits = sum(k in keys.top for k in ("exitcode", "root", "environment", "summary", "tests"))
        if hits >= 2 and ("exitcode" in keys.top or "tests" in keys.top):
            return 0.9
        return 0.3 if hits else 0.0

    def read(self, source: Source, sink: Sink) -> None:
        _read(source, sink, columns=True)


def _read(source: Source, sink: Sink, *, columns: bool) -> None:
    """Read a whole report; `columns` lets the tests of the usual shape be read column by
    column (`_read_columns`), which records exactly what the per-row reading does."""
    doc = obj(load_document(source), source, "document")
    if "tests" not in doc:
        raise source.error(
            "tests: missing (a report written with --json-report-omit tests cannot be read)"
        )
    created = opt_num(doc, "created", source, "document")
    if created is not None:
        note_timestamp(sink, created)

    tests = arr(doc["tests"], source, "tests")
    raw_counts = _read_columns(tests, source, sink) if columns else None
    if raw_counts is None:
        raw_counts = _read_rows(tests, source, sink)

    _read_collectors(doc, source, sink)
    _check_hidden_retries(tests, sink)

    summary = doc.get("summary")
    if isinstance(summary, dict):
        declared = {k: opt_int(summary, k, source, "summary") for k in raw_counts}
        # pytest-json-report counts the tests only: a collector that failed is in no count.
        counted = {**raw_counts, "total": len(tests)}
        declared["total"] = opt_int(summary, "total", source, "summary")
        check_declared(sink, declared, counted, "summary", total="total", bad=("failed", "error"))
    _check_session(doc, tests, source, sink)


def _read_collectors(doc: dict[str, Any], source: Source, sink: Sink) -> None:
    """Record each collector that failed (an error belonging to no test) or was skipped (a
    skip) while collecting, as pytest's JUnit writer writes it: the tests it would have
    held are in no other part of the report."""
    for index, raw in enumerate(opt_arr(doc, "collectors", source, "document")):
        at = f"collectors[{index}]"
        collector = obj(raw, source, at)
        outcome = collector.get("outcome")
        if outcome != "failed" and outcome != "skipped":
            continue
        nodeid = req_str(collector, "nodeid", source, at)
        classname, name = mangle_nodeid(nodeid or "<session>")
        longrepr = _longrepr(collector.get("longrepr"))
        common: dict[str, Any] = {
            "name": name,
            "classname": classname,
            # Without a classname the id is under the suite, as from the JUnit file.
            "suite": _JUNIT_SUITE if classname is None else (),
            "output": longrepr,
            "file": nodeid.partition("::")[0] or None,
        }
        if outcome == "failed":
            sink.test(
                outcome=Outcome.ERROR,
                message=first_line(longrepr) or "collection failed",
                type="collection error",
                unattributed=True,
                **common,
            )
            continue
        skip = _SKIP_TUPLE.match(longrepr) if longrepr else None
        sink.test(
            outcome=Outcome.SKIPPED,
            message=skip.group("reason") if skip else first_line(longrepr) or "collection skipped",
            type="collection skipped",
            **common,
        )


def _check_hidden_retries(tests: list[Any], sink: Sink) -> None:
    """Flag the tests that did not fail in the end although they ran under flaky's retry
    decorator, one flag per class or module: the report keeps only their last attempt, so
    whether an earlier attempt failed is unknown (flaky's keywords are all it shows)."""
    hidden: dict[str | None, list[str]] = {}
    for test in tests:
        keywords = test.get("keywords")
        if (
            type(keywords) is list
            and _FLAKY_ATTRIBUTE in keywords
            and test.get("outcome") not in _FAILING_OUTCOMES
        ):
            classname, name = mangle_nodeid(test["nodeid"])
            hidden.setdefault(classname, []).append(name)
    for classname, names in hidden.items():
        where = f" in {classname}" if classname else ""
        sink.flag(
            IntegrityKind.ATTEMPTS_HIDDEN,
            f"{len(names)} test(s){where} ran under flaky's @flaky retry ({first_few(names)}), and "
            "pytest-json-report keeps only the last attempt: whether an earlier one failed is "
            "unknown (pytest's --junitxml of the same run records every attempt)",
            scope=classname,
        )


def _shows_a_failure(doc: dict[str, Any], tests: list[Any]) -> bool:
    """Whether the report holds something that makes pytest exit 1: a test that failed or
    errored in some phase or attempt, or a collector that failed."""
    for test in tests:
        if test.get("outcome") in ("failed", "error", _RERUN, _RETRIED):
            return True
        if any(
            isinstance(test.get(w), dict) and test[w].get("outcome") == "failed" for w in _PHASES
        ):
            return True
    collectors = doc.get("collectors")
    return isinstance(collectors, list) and any(
        isinstance(c, dict) and c.get("outcome") == "failed" for c in collectors
    )


def _check_session(doc: dict[str, Any], tests: list[Any], source: Source, sink: Sink) -> None:
    """Flag a session the report says did not run to the end: pytest's exit code, and the
    tests it collected against those the report holds."""
    exitcode = opt_int(doc, "exitcode", source, "document")
    if exitcode is not None and exitcode not in _FINISHED:
        why = _STOPPED.get(exitcode, "not a code pytest gives a session that ran to the end")
        sink.flag(
            IntegrityKind.ABORTED,
            f"pytest exited with code {exitcode} ({why}): the session stopped early",
        )
    if exitcode == 1 and not _shows_a_failure(doc, tests):
        # pytest says tests failed, and the report shows none: a failure the plugin did not
        # record (pytest-json-report writes a test whose unittest subTest failed as
        # "subtests passed" with every phase passed).
        sink.flag(
            IntegrityKind.FAILURES_MISSING,
            "pytest exited with code 1 (tests failed) but the report shows no failed test or "
            "collection error",
        )
    if exitcode is None or exitcode in _FINISHED:
        _check_unfinished(tests, exitcode, sink)
    summary = doc.get("summary")
    if not isinstance(summary, dict):
        return
    collected = opt_int(summary, "collected", source, "summary")
    if collected is None:
        return
    deselected = opt_int(summary, "deselected", source, "summary") or 0
    expected = collected - deselected
    # Every row was read already, so each is an object with a string nodeid; a nodeid that
    # repeats (pytest-json-report writes each once) must not stand in for a missing test.
    held = len(set(map(itemgetter("nodeid"), tests)))
    said = f"summary says {collected} test(s) collected" + (
        f", {deselected} deselected" if deselected else ""
    )
    if expected > held:
        sink.flag(
            IntegrityKind.TESTS_MISSING,
            f"{said}, but the file holds {held}: {expected - held} collected test(s) never ran",
        )
    elif expected < held:
        sink.warn(f"{said}, but the file holds {held}; the tests in the file are used")
    if deselected > 0:
        # Deselection is how a run is narrowed on purpose (-k, -m, --deselect), and also how
        # --stepwise leaves out the tests before the one it resumes from: the file does not
        # say which, so it is named rather than judged (criteria gate what ran; `min_total`
        # and `require` gate what must have).
        sink.warn(
            f"{deselected} of {collected} collected test(s) were deselected and did not run "
            "(-k, -m, --deselect, --last-failed or --stepwise): the verdict covers only the tests "
            "that ran"
        )


def _check_unfinished(tests: list[Any], exitcode: int | None, sink: Sink) -> None:
    """Flag a session whose exit code says it ran to the end while a test in it never reached
    its teardown: pytest writes every phase it runs, teardown included, so the session ended
    inside that test (`pytest.exit(returncode=0)` from a test or a fixture)."""
    unfinished = [
        test["nodeid"]
        for test in tests
        if isinstance(test.get("setup"), dict) and "teardown" not in test
    ]
    if not unfinished:
        return
    said = "no exit code" if exitcode is None else f"exit code {exitcode}"
    sink.flag(
        IntegrityKind.ABORTED,
        f"{len(unfinished)} test(s) never reached their teardown ({first_few(unfinished)}): "
        f"the session ended inside them although the report gives {said} (pytest.exit from a "
        "test or fixture)",
    )


def _read_rows(tests: list[Any], source: Source, sink: Sink) -> dict[str, int]:
    """Record every test one by one; returns how many tests had each raw outcome."""
    raw_counts: dict[str, int] = dict.fromkeys((*_OUTCOMES, *_RERUNS), 0)
    batch = TestBatch(sink)
    for index, raw in enumerate(tests):
        at = f"tests[{index}]"
        raw_counts[_read_test(obj(raw, source, at), source, batch, at)] += 1
    batch.flush()
    return raw_counts


class _Cut(Exception):
    """A row holds a string `Sink` would cut: `TestBatch` writes such a row on its own, to
    keep the warnings in input order, so the whole file is read row by row instead."""


class _Columns(TestBatch):
    """The executions of the rows that are not plain, in input order, gathered by
    `_read_test` as `TestBatch` gathers them but never written: `_read_columns` weaves them
    with the plain rows. A row `TestBatch` would write on its own raises `_Cut`."""

    __slots__ = ()

    def _alone(self, row: dict[str, Any]) -> None:
        raise _Cut

    @property
    def names(self) -> list[str]:
        return self._names

    @property
    def codes(self) -> bytearray:
        return self._codes

    @property
    def durations(self) -> array[float]:
        return self._durations

    @property
    def classnames(self) -> list[str | None]:
        return self._classnames

    @property
    def files(self) -> list[str | None]:
        return self._files

    @property
    def lines(self) -> list[int | None]:
        return self._lines

    @property
    def details(self) -> dict[int, dict[str, Any]]:
        return self._details


@dataclass(frozen=True)
class _Plain:
    """The columns of the plain rows (see `_plain_rows`), and where they stand in the input."""

    #: Positions in the input of the rows that are not plain, in order.
    others: list[int]
    names: list[str]
    durations: array[float]
    classnames: list[str | None]
    files: list[str | None]
    lines: list[int | None]


def _read_columns(tests: list[Any], source: Source, sink: Sink) -> dict[str, int] | None:
    """Record `tests` as `_read_rows` does, the plain rows column by column and the others
    through `_read_test` in input order; None (nothing recorded) when the file is better
    read row by row (a string to cut, no plain row)."""
    known: dict[Any, Any] = {}
    plain = _plain_rows(tests, known)
    if plain is None:
        return None
    raw_counts: dict[str, int] = dict.fromkeys((*_OUTCOMES, *_RERUNS), 0)
    count = len(tests)
    raw_counts[_PASSED] = count - len(plain.others)
    if not plain.others:
        names, classnames, files, lines = plain.names, plain.classnames, plain.files, plain.lines
        codes, durations = _PASSED_CODE * count, plain.durations
        details: dict[int, dict[str, Any]] = {}
    else:
        gathered = _Columns(sink)
        gathered.known = known
        # Where each other row's executions (one, or two) stand among the gathered ones.
        executions = [0]
        try:
            for index in plain.others:
                at = f"tests[{index}]"
                raw_counts[_read_test(tests[index], source, gathered, at)] += 1
                executions.append(len(gathered.names))
        except _Cut:
            return None
        # The plain rows before each other row, and those after the last one.
        plain_cuts = [index - done for done, index in enumerate(plain.others)]
        plain_cuts.append(len(plain.names))
        plain_runs = list(map(slice, [0, *plain_cuts[:-1]], plain_cuts))
        other_runs = list(map(slice, executions[:-1], executions[1:]))
        weave = partial(_weave, plain_runs, other_runs)
        names = weave(plain.names, gathered.names)
        classnames = weave(plain.classnames, gathered.classnames)
        files = weave(plain.files, gathered.files)
        lines = weave(plain.lines, gathered.lines)
        codes = bytes(weave(_PASSED_CODE * len(plain.names), gathered.codes))
        durations = array("d", weave(plain.durations, gathered.durations))
        # Details are numbered by execution: an other row's moves up by the plain rows before.
        details = {
            execution + plain_cuts[bisect_right(executions, execution) - 1]: detail
            for execution, detail in gathered.details.items()
        }
    rows = len(names)
    sink.add_tests(
        names,
        outcomes=codes,
        durations=durations,
        classnames=classnames,
        details=details,
        files=None if files.count(None) == rows else files,
        lines=None if lines.count(None) == rows else lines,
    )
    return raw_counts


def _weave(
    plain_runs: list[slice], other_runs: list[slice], plain: Sequence[Any], other: Sequence[Any]
) -> list[Any]:
    """One column in input order: the runs of plain rows with the other rows' executions
    between them (`plain_runs` has one run more, the plain rows after the last other row),
    joined by C calls rather than a statement per run."""
    pieces = zip(
        map(getitem, repeat(plain), plain_runs[:-1]),
        map(getitem, repeat(other), other_runs),
        strict=True,
    )
    woven = list(chain.from_iterable(chain.from_iterable(pieces)))
    woven += plain[plain_runs[-1]]
    return woven


def _plain_rows(tests: list[Any], known: dict[Any, Any]) -> _Plain | None:
    """The rows that passed in every phase with nothing to say, worked out column by column.

    A plain row (`_is_plain`) is an object whose outcome and three phases' outcomes are
    "passed", whose nodeid is a string with a class path (`a.py::test`), whose lineno is an
    integer, null or absent, whose durations are non-negative floats, and whose call phase
    carries no text: exactly the rows that `_read_test` records as a pass with no detail.
    Whole columns are checked with C calls, which also tell which rows fail a check; rows
    are looked at one by one only for a phase that is missing or not an object among the
    passes, or a number out of range. The other rows are left to `_read_test`, so errors
    and odd values read as before. None when no row is plain or a name would be cut.
    """
    if not tests or set(map(type, tests)) != {dict}:
        return None
    keep = list(map(eq, map(dict.get, tests, repeat("outcome")), repeat(_PASSED)))
    rows, others = _split(keep, range(len(tests)))
    tests = list(compress(tests, keep)) if others else tests
    found = _columns(tests) if tests else None
    if found is None and tests:
        # A phase missing or odd among the passes: each row is asked, then the columns taken.
        keep = list(map(_is_plain, tests))
        rows, dropped = _split(keep, rows)
        others += dropped
        tests = list(compress(tests, keep))
        found = _columns(tests) if tests else None
    if found is None:
        return None
    nodeids, linenos, durations, keep_found = found
    if keep_found is not None:
        rows, dropped = _split(keep_found, rows)
        others += dropped
        nodeids, linenos = list(compress(nodeids, keep_found)), list(compress(linenos, keep_found))
        durations = list(compress(durations, _thrice(keep_found)))
    if not _in_range(linenos, durations):
        keep = _in_range_by_row(linenos, durations)
        rows, dropped = _split(keep, rows)
        others += dropped
        nodeids, linenos = list(compress(nodeids, keep)), list(compress(linenos, keep))
        durations = list(compress(durations, _thrice(keep)))
    if not nodeids:
        return None

    # `_mangle`'s split: the class path (head) before the last `::` ahead of any parameters.
    heads = list(
        map(
            itemgetter(0),
            map(
                str.rpartition,
                map(itemgetter(0), map(str.partition, nodeids, repeat("["))),
                repeat("::"),
            ),
        )
    )
    files: dict[str, str | None] = {}
    distinct = set(heads)
    for head in distinct:
        if not head or head.endswith(":"):
            continue  # no class path, or colons `split` cuts elsewhere: `_read_test` reads it
        if head not in known:
            parts = head.split("::")
            parts[0] = _without_py(_dotted(parts[0]))
            known[head] = ".".join(parts) or None
        files[head] = head.partition("::")[0] or None
    if len(files) < len(distinct):
        keep = list(map(files.__contains__, heads))
        rows, dropped = _split(keep, rows)
        others += dropped
        nodeids, linenos, heads = (
            list(compress(column, keep)) for column in (nodeids, linenos, heads)
        )
        durations = list(compress(durations, _thrice(keep)))
        if not heads:
            return None
    # The name is what follows the class path and its `::` (the parameters included).
    names: list[str] = list(
        map(getitem, nodeids, map(slice, map(add, map(len, heads), repeat(2)), repeat(None)))
    )
    longest = max(
        max(map(len, names)),
        max((len(known[head] or "") for head in files), default=0),
        max((len(file or "") for file in files.values()), default=0),
    )
    if longest > MAX_NAME_CHARS:
        return None
    others.sort()
    return _Plain(
        others=others,
        names=names,
        # `sum` of each row's three, as `_read_test` adds them up (bit for bit the same).
        durations=array("d", map(sum, _by_row(durations))),
        classnames=list(map(known.__getitem__, heads)),
        files=list(map(files.__getitem__, heads)),
        lines=[None if n is None else n + 1 for n in linenos]
        if None in linenos
        else list(map(add, linenos, repeat(1))),
    )


def _split(keep: list[bool], rows: Sequence[int]) -> tuple[Sequence[int], list[int]]:
    """The row numbers where `keep` is true, and those where it is false."""
    if all(keep):
        return rows, []
    return list(compress(rows, keep)), list(compress(rows, map(not_, keep)))


def _columns(
    tests: list[dict[str, Any]],
) -> tuple[list[Any], list[Any], list[Any], list[bool] | None] | None:
    """Nodeids, linenos and phase durations (setup, call and teardown of each row in turn)
    of rows whose outcome is "passed", and which of them pass the checks of type and
    outcome (None: all); None when a row lacks a phase or its outcome or duration, or has
    a phase that is not an object."""
    get = dict.get
    # Each phase object is visited once: (outcome, duration) of setup, call and teardown
    # for each row in turn, flat. A phase missing, not an object or lacking either member
    # raises here.
    try:
        phases = list(chain.from_iterable(map(_PHASES_OF, tests)))
        # A call with output (a test that prints) is the usual reason for a pass not to be
        # plain; when no call is quiet, no row is plain.
        quiet = list(map(_QUIET_KEYS.isdisjoint, phases[1::3]))
        if not any(quiet):
            return [], [], [], quiet
        values = list(chain.from_iterable(map(_OUTCOME_DURATION, phases)))
    except (KeyError, TypeError):
        return None
    nodeids = list(map(get, tests, repeat("nodeid")))
    linenos: list[Any] = list(map(get, tests, repeat("lineno")))
    outcomes, durations = values[0::2], values[1::2]
    checks = [] if all(quiet) else [quiet]
    if set(map(type, nodeids)) - {str}:
        checks.append(list(map(is_, map(type, nodeids), repeat(str))))
    if set(map(type, linenos)) - _LINENO_TYPES:
        checks.append(list(map(_LINENO_TYPES.__contains__, map(type, linenos))))
    if outcomes.count(_PASSED) != len(outcomes):
        checks.append(list(map(all, _by_row(map(eq, outcomes, repeat(_PASSED))))))
    if set(map(type, durations)) - {float}:
        checks.append(list(map(all, _by_row(map(is_, map(type, durations), repeat(float))))))
    if not checks:
        return nodeids, linenos, durations, None
    return nodeids, linenos, durations, list(map(all, zip(*checks, strict=True)))


def _in_range(linenos: list[Any], durations: list[float]) -> bool:
    """Whether every lineno is an exact float and every duration is non-negative and finite
    (types already checked)."""
    numbers = [n for n in linenos if n is not None] if None in linenos else linenos
    if numbers and not (min(numbers) > -_BIG_INT and max(numbers) < _BIG_INT):
        return False
    # A NaN or an infinity makes the sum not finite, so then `min` compares numbers only; a
    # sum that overflows has each value looked at.
    return (math.isfinite(sum(durations)) and min(durations, default=0.0) >= 0.0) or all(
        0.0 <= duration < math.inf for duration in durations
    )


def _in_range_by_row(linenos: list[Any], durations: list[float]) -> list[bool]:
    """`_in_range` for each row on its own."""
    return [
        (n is None or -_BIG_INT < n < _BIG_INT)
        and 0.0 <= setup < math.inf
        and 0.0 <= call < math.inf
        and 0.0 <= teardown < math.inf
        for n, (setup, call, teardown) in zip(linenos, _by_row(durations), strict=True)
    ]


def _thrice(keep: list[bool]) -> Iterator[bool]:
    """Each row's mark three times, for the flat durations."""
    return chain.from_iterable(zip(keep, keep, keep, strict=True))


def _by_row(flat: Iterable[_T]) -> Iterator[tuple[_T, _T, _T]]:
    """The values of each row's three phases, from the flat setup-call-teardown order."""
    phases = iter(flat)
    return zip(phases, phases, phases, strict=True)


def _is_plain(test: dict[str, Any]) -> bool:
    """Whether a row whose outcome is "passed" is plain (see `_plain_rows`), class path aside."""
    nodeid, lineno = test.get("nodeid"), test.get("lineno")
    if type(nodeid) is not str or not (
        lineno is None or (type(lineno) is int and -_BIG_INT < lineno < _BIG_INT)
    ):
        return False
    for when in _PHASES:
        phase = test.get(when)
        if type(phase) is not dict or phase.get("outcome") != _PASSED:
            return False
        duration = phase.get("duration")
        if type(duration) is not float or not 0.0 <= duration < math.inf:
            return False
    return _QUIET_KEYS.isdisjoint(test["call"])


def _longrepr(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def _phase_text(phase: dict[str, Any], source: Source, at: str) -> str | None:
    if _TEXT_KEYS.isdisjoint(phase):
        return None  # most phases carry no text at all
    parts = [
        _longrepr(phase.get("longrepr")),
        opt_str(phase, "stdout", source, at),
        opt_str(phase, "stderr", source, at),
        opt_str(phase, "log", source, at) if isinstance(phase.get("log"), str) else None,
    ]
    return "\n".join(p for p in parts if p) or None


def _phase_message(phase: dict[str, Any], source: Source, at: str) -> str | None:
    crash = phase.get("crash")
    if isinstance(crash, dict):
        message = opt_str(crash, "message", source, f"{at}.crash")
        if message:
            return message
    longrepr = _longrepr(phase.get("longrepr"))
    if longrepr:
        skip = _SKIP_TUPLE.match(longrepr)
        return skip.group("reason") if skip else first_line(longrepr)
    return None


def _read_test(test: dict[str, Any], source: Source, batch: TestBatch, at: str) -> str:
    """Record one test (two executions for a failed call plus a failed teardown)."""
    nodeid = req_str(test, "nodeid", source, at)
    outcome_raw = req_str(test, "outcome", source, at)
    if outcome_raw not in _OUTCOMES and outcome_raw not in _RERUNS:
        raise source.error(
            f"{at}.outcome: expected one of {', '.join([*_OUTCOMES, *_RERUNS])}, "
            f"got {outcome_raw[:40]!r}"
        )
    classname, name = _mangle(nodeid, batch.known)
    lineno = test.get("lineno")
    # A plain integer (every test pytest writes) is its own value.
    if lineno is not None and not (type(lineno) is int and -_BIG_INT < lineno < _BIG_INT):
        lineno = opt_int(test, "lineno", source, at)
    phases: dict[str, dict[str, Any]] = {}
    durations: list[float] = []
    failures: set[str] = set()
    for when in _PHASES:
        phase = test.get(when)
        if phase is None:
            continue
        if type(phase) is not dict:
            phase = obj(phase, source, f"{at}.{when}")
        phases[when] = phase
        duration = phase.get("duration")
        # A plain non-negative float (nearly every phase) needs no further check.
        if type(duration) is not float or not 0.0 <= duration < math.inf:
            duration = opt_num(phase, "duration", source, f"{at}.{when}")
        if duration is not None and duration >= 0:
            durations.append(duration)
        if phase.get("outcome") == "failed":
            failures.add(when)
    # pytest's JUnit writer reports the total of all phases; so do we.
    total = sum(durations) if durations else None

    properties: dict[str, str] | None = None
    if outcome_raw in ("xfailed", "xpassed"):
        properties = {"status": outcome_raw.removesuffix("ed")}
    common: dict[str, Any] = {
        "name": name,
        "classname": classname,
        "file": nodeid.partition("::")[0] or None,
        "line": lineno + 1 if lineno is not None else None,  # pytest's lineno is 0-based
        "properties": properties,
    }
    if "setup" in failures:
        where = f"{at}.setup"
        outcome, deciding = Outcome.ERROR, phases["setup"]
        kind = "setup error"
    elif "call" in failures:
        where = f"{at}.call"
        outcome, deciding = Outcome.FAILED, phases["call"]
        kind = None
    elif "teardown" in failures:
        where = f"{at}.teardown"
        outcome, deciding = Outcome.ERROR, phases["teardown"]
        kind = "teardown error"
    else:
        # A rerun whose last attempt failed in no phase passed (or skipped) on that attempt.
        call_outcome = phases.get("call", {}).get("outcome")
        if outcome_raw in _RERUNS:
            outcome = Outcome.SKIPPED if call_outcome == "skipped" or not phases else Outcome.PASSED
        else:
            outcome = _OUTCOMES[outcome_raw]
        if outcome is Outcome.FAILED or outcome is Outcome.ERROR:
            # Failed without a failing phase (e.g. a plugin set it): keep what the report says.
            deciding, where, kind = {}, at, None
        else:
            where = f"{at}.setup" if "call" not in phases else f"{at}.call"
            deciding, kind = phases.get("setup" if "call" not in phases else "call", {}), None
    message = _phase_message(deciding, source, where) if deciding else None
    if outcome is Outcome.PASSED and "setup" in phases and "call" not in phases:
        # Its setup passed and its call never reported: the session ended inside the test
        # (pytest.exit, an interrupt) or ran no test body (--setup-only, --setup-plan), and
        # pytest-json-report still writes it as passed.
        outcome, message, kind = Outcome.SKIPPED, _UNFINISHED, _UNFINISHED_TYPE
    if outcome is Outcome.PASSED and "call" in phases:
        # The deciding phase of a pass is its call: its text is read once.
        output = _phase_text(phases["call"], source, f"{at}.call")
    else:
        output = _phase_text(deciding, source, where) if deciding else None
    attempts: tuple[Attempt, ...] = ()
    if outcome_raw in _RERUNS:
        common["properties"] = {**(properties or {}), "rerun": "true"}
        attempts = (
            Attempt(outcome=Outcome.FAILED, message="an earlier attempt failed and was rerun"),
            Attempt(outcome=outcome, duration=total, message=message, type=kind),
        )
    batch.add(
        outcome=outcome,
        duration=total,
        message=message,
        type=kind,
        output=output,
        attempts=attempts,
        flaky=outcome is Outcome.PASSED and bool(attempts),
        **common,
    )
    if "call" in failures and "teardown" in failures:
        teardown = phases["teardown"]
        batch.add(
            outcome=Outcome.ERROR,
            duration=None,
            message=_phase_message(teardown, source, f"{at}.teardown"),
            type="teardown error",
            output=_phase_text(teardown, source, f"{at}.teardown"),
            **common,
        )
    return outcome_raw
