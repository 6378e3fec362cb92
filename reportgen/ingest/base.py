"""The ingester interface and the sink ingesters write into, where every string read is cleaned."""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from array import array
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, ClassVar, TypeVar

from reportgen.errors import InputError
from reportgen.ingest._shards import Shard
from reportgen.model import (
    OUTCOME_CODE,
    OUTPUT_CAP,
    Attempt,
    Diagnostic,
    Direction,
    IntegrityFlag,
    IntegrityKind,
    Metric,
    Outcome,
    TestTableBuilder,
)
from reportgen.records import record
from reportgen.regex import lazy_regex
from reportgen.text import (
    clean_mapping,
    clean_name,
    clean_names,
    clean_optional,
    clean_suite,
    clean_text,
)

_T = TypeVar("_T")
_OUTCOME_OF_CODE = {code: outcome for outcome, code in OUTCOME_CODE.items()}

#: Bytes of a file given to `Ingester.sniff`.
HEAD_BYTES = 8192
#: Longest name kept (test, class, suite part, file, metric); longer ones are cut, with a warning.
MAX_NAME_CHARS = 2_000
#: Longest unit kept (units are short words such as ms, B/op, req/s).
MAX_UNIT_CHARS = 64
#: Longest failure message or type kept (the output has its own cap, OUTPUT_CAP).
MAX_MESSAGE_CHARS = 64_000
#: A test named by the absolute path of a JavaScript or TypeScript file, outside any suite:
#: how Node's test runner reports a test file from which no test reported.
whole_file_name = lazy_regex(
    r"(?:/|[A-Za-z]:[\\/]|\\\\).*\.[cm]?[jt]sx?", re.IGNORECASE | re.DOTALL
)


def cap_output(text: str | None, cap: int = OUTPUT_CAP) -> tuple[str | None, int]:
    """Clean captured output and keep at most `cap` characters: (kept text, characters cut).

    The head is kept, as that is where most harnesses put the assertion that failed.
    """
    if text is None:
        return None, 0
    cleaned = clean_text(text)
    if not cleaned.strip():
        return None, 0
    if len(cleaned) <= cap:
        return cleaned, 0
    return cleaned[:cap], len(cleaned) - cap


def first_line(text: str | None) -> str | None:
    """The first non-blank line of a message."""
    if not text:
        return None
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return None


def first_few(names: Sequence[str], count: int = 3) -> str:
    """`a, b, c and 4 more`: the first `count` of `names` a message shows, and how many more."""
    shown = ", ".join(names[:count])
    return f"{shown} and {len(names) - count} more" if len(names) > count else shown


@record
class Source:
    """A file handed to an ingester: its path as the user gave it and its first bytes."""

    path: Path
    display: str
    head: bytes

    def open(self) -> IO[bytes]:
        """Open the file for reading in binary mode."""
        try:
            return self.path.open("rb")
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror or exc}", path=self.display) from exc

    def error(self, message: str, line: int | None = None, hint: str | None = None) -> InputError:
        """An input error about this file, ready to raise."""
        return InputError(message, path=self.display, line=line, hint=hint)


@record
class _Mark:
    """What a Sink held at one point (see `Sink.mark`)."""

    rows: int
    metrics: int
    records: int
    timestamp: str | None
    warnings: int
    warned: frozenset[str]
    derived_from: int
    integrity: int


class Sink:
    """What an ingester writes into for one input file; counts records, collects warnings."""

    def __init__(self, tests: TestTableBuilder, metrics: list[Metric], input_index: int, path: str):
        self._tests = tests
        self._metrics = metrics
        self.input_index = input_index
        self.path = path
        self.records = 0
        #: ISO 8601 time the results were produced, when the file says (earliest seen wins).
        self.timestamp: str | None = None
        self.warnings: list[Diagnostic] = []
        #: sha256 of the inputs this file was converted from, when it names them.
        self.derived_from: list[str] = []
        self._warned: set[str] = set()
        #: Where the file says it is incomplete or contradicts itself.
        self.integrity: list[IntegrityFlag] = []
        # The same flags as a set: a file may raise thousands (one per suite), and looking
        # each new one up in the list was quadratic.
        self._flags: set[IntegrityFlag] = set()
        #: The producer's own statement that its run had nothing to report (see
        #: `nothing_to_report`): a file holding no result is then no sign of a run cut short.
        self.nothing_found = False
        #: The part of a split run the file says it holds (Playwright's `config.shard`).
        self.shard: Shard | None = None

    def test(
        self,
        *,
        name: str,
        outcome: Outcome,
        classname: str | None = None,
        suite: tuple[str, ...] = (),
        duration: float | None = None,
        message: str | None = None,
        type: str | None = None,
        output: str | None = None,
        file: str | None = None,
        line: int | None = None,
        properties: dict[str, str] | None = None,
        attempts: Sequence[Attempt] = (),
        flaky: bool = False,
        merge: bool = False,
        unattributed: bool = False,
    ) -> int:
        """Record one test execution. Every string is cleaned here; output is capped too.

        Every call is an execution of its own, even when its id repeats; `merge` (a retry the
        input marks as one) makes it the next attempt of the earlier `merge` execution instead.
        `unattributed` marks an error that belongs to no test (a build or collection failure,
        a crashed worker, a suite-level error).
        """
        kept, cut = cap_output(output)
        self.records += 1
        if suite and max(map(len, suite)) > MAX_NAME_CHARS:
            suite = tuple(self._cap(part, MAX_NAME_CHARS, "suite name") for part in suite)
        return self._tests.add(
            name=clean_text(self._cap(name, MAX_NAME_CHARS, "test name")),
            outcome=outcome,
            classname=clean_name(self._cap(classname, MAX_NAME_CHARS, "class name"))
            if classname
            else classname,
            suite=clean_suite(suite) if suite else (),
            duration=duration,
            input=self.input_index,
            message=clean_optional(self._cap(message, MAX_MESSAGE_CHARS, "message")),
            type=clean_optional(self._cap(type, MAX_NAME_CHARS, "failure type")),
            output=kept,
            output_truncated=cut,
            file=clean_name(self._cap(file, MAX_NAME_CHARS, "file name")) if file else file,
            line=line,
            properties=clean_mapping(properties) if properties else properties,
            attempts=attempts,
            flaky=flaky,
            merge=merge,
            unattributed=unattributed,
        )

    def _cap(self, text: str | None, limit: int, what: str) -> str:
        """`text` cut to `limit` characters, with one warning per kind of field cut."""
        if text is None:
            return text  # type: ignore[return-value]
        if len(text) <= limit:
            return text
        self.warn(f"a {what} of {len(text)} characters was cut to {limit}", once=f"cap:{what}")
        return text[:limit]

    def mark(self) -> _Mark:
        """A point to `rewind` to: what has been recorded so far."""
        return _Mark(
            rows=len(self._tests),
            metrics=len(self._metrics),
            records=self.records,
            timestamp=self.timestamp,
            warnings=len(self.warnings),
            warned=frozenset(self._warned),
            derived_from=len(self.derived_from),
            integrity=len(self.integrity),
        )

    def rewind(self, mark: _Mark) -> None:
        """Forget everything recorded since `mark` (an ingester that reads the file again)."""
        self._tests.truncate(mark.rows)
        del self._metrics[mark.metrics :]
        self.records = mark.records
        self.timestamp = mark.timestamp
        del self.warnings[mark.warnings :]
        self._warned = set(mark.warned)
        del self.derived_from[mark.derived_from :]
        del self.integrity[mark.integrity :]
        self._flags = set(self.integrity)

    def drop_classname(self, row: int, placeholder: str) -> bool:
        """When every execution from `row` on has the classname `placeholder`, give them
        none (a reporter that writes one word for every class); returns whether it did."""
        return self._tests.drop_classname(row, placeholder)

    def identity(self, row: int) -> tuple[str, str | None, tuple[str, ...], str | None]:
        """Name, classname, suite and file recorded for `row`."""
        return self._tests.identity(row)

    def set_identity(
        self,
        row: int,
        *,
        name: str,
        classname: str | None,
        suite: tuple[str, ...],
        file: str | None,
    ) -> None:
        """Re-spell what the id of `row` is built from (a dialect read back to the canonical
        id once the whole input has shown which dialect it is)."""
        self._tests.set_identity(row, name, classname, suite, file)

    def names_holding(self, row: int, text: str) -> list[int]:
        """Executions from `row` on whose name holds `text`."""
        return self._tests.names_holding(row, text)

    def passes_repeated_later(self, row: int) -> list[int]:
        """Executions from `row` on that passed and are not the last of their id."""
        return self._tests.passes_repeated_later(row)

    def set_outcome(
        self,
        row: int,
        outcome: Outcome,
        *,
        message: str | None,
        type: str | None,
        properties: dict[str, str] | None = None,
        unattributed: bool = False,
    ) -> None:
        """Re-read the outcome of `row` once the whole input shows what it was
        (`unattributed`: an error that belongs to no test, see `TestCase.unattributed`)."""
        self._tests.set_outcome(
            row,
            outcome,
            message=message,
            type=type,
            properties=properties,
            unattributed=unattributed,
        )

    def outcome(self, row: int) -> Outcome:
        """The outcome recorded for `row`."""
        return self._tests.outcome(row)

    def message(self, row: int) -> str | None:
        """The message recorded for `row`, if any."""
        return self._tests.message(row)

    def whole_file(self, name: str, line: int | None = None) -> str | None:
        """When `name`, a passed test outside any suite, is Node's report of a whole test file
        (`ok 1 - /ci/test/helpers.js`), flag the input and return why it is read as skipped;
        else None. Node writes such a test when no test of the file reported: the file defines
        none, or it exited (`process.exit` in a test) before its tests reported, so the tests
        it held, if any, are lost and the run cannot show that every test ran."""
        if not whole_file_name().fullmatch(name):
            return None
        why = (
            f"node reported the test file {name} as one test with no test in it: it defines "
            "none, or it exited before its tests reported (process.exit); read as skipped. "
            "Leave files without tests out of the node --test run"
        )
        self.flag(IntegrityKind.TESTS_MISSING, why, line)
        return why

    def distinct_since(self, row: int) -> int:
        """Distinct test ids among the executions recorded from `row` on."""
        return self._tests.distinct_since(row)

    def untimed_passes_since(self, row: int) -> int:
        """Executions from `row` on that passed with no time and no detail (see
        `TestTableBuilder.untimed_passes_since`)."""
        return self._tests.untimed_passes_since(row)

    @property
    def rows(self) -> int:
        """Executions in the run so far, marked retries folded (all inputs, not just this one)."""
        return len(self._tests)

    def passed_tests(
        self,
        names: Sequence[str],
        durations: array[float],
        *,
        classname: str | None = None,
        suite: tuple[str, ...] = (),
    ) -> int:
        """Record many passed tests of one class that carry only a name and a time, at once
        (see `add_tests`). Returns how many were merged into tests already recorded: none, as
        a repeated id is another execution.
        """
        self.add_tests(names, durations=durations, classname=classname, suite=suite)
        return 0

    def add_tests(
        self,
        names: Sequence[str],
        *,
        outcomes: Outcome | bytes | bytearray = Outcome.PASSED,
        durations: array[float] | None = None,
        classname: str | None = None,
        classnames: Sequence[str | None] | None = None,
        suite: tuple[str, ...] = (),
        suites: Sequence[tuple[str, ...]] | None = None,
        details: Mapping[int, Mapping[str, Any]] | None = None,
        files: Sequence[str | None] | None = None,
        lines: Sequence[int | None] | None = None,
    ) -> None:
        """Record many test executions column by column: the bulk form of `test`, for large
        files.

        The same as `test(name=n, outcome=o, classname=c, suite=s, duration=d, **detail)`
        for each row in order (NaN meaning no duration), with the same cleaning and caps, but
        no call or object per row: names are checked for cleaning as one batch and classnames
        and suite paths once per distinct value. `outcomes` is one Outcome for all rows or one
        `reportgen.model.OUTCOME_CODE` byte per row; `durations` an `array("d")` (None: no
        row has one). Give `classname` / `suite` when every row shares them, else
        `classnames` / `suites` with one entry per row. `details` gives, by row number in the
        columns, the other keyword arguments of `test` for the few rows that have any
        (message, type, output, file, line, properties, attempts, flaky, unattributed; never
        merge): a failure among passed tests needs no batch of its own. `files` and `lines`
        give the file and line of every row (None: none) for inputs where each row has one;
        a row's `details` then give neither.
        """
        count = len(names)
        if count and max(map(len, names)) > MAX_NAME_CHARS:
            names = [self._cap(name, MAX_NAME_CHARS, "test name") for name in names]
        if classnames is not None:
            classnames = self._clean_column(classnames, self._clean_classname)
        elif classname:
            classname = self._clean_classname(classname)
        if suites is not None:
            suites = self._clean_column(suites, self._clean_suite)
        elif suite:
            suite = self._clean_suite(suite)
        if files is not None:
            files = self._clean_column(files, self._clean_file)
        self._tests.add_rows(
            clean_names(names),
            outcomes,
            durations,
            classname=classname,
            classnames=classnames,
            suite=suite,
            suites=suites,
            input=self.input_index,
            details=self._clean_details(details) if details else None,
            files=files,
            lines=lines,
        )
        self.records += count

    def _clean_details(self, details: Mapping[int, Mapping[str, Any]]) -> dict[int, Any]:
        """`_clean_detail` of each row's details. Rows often share one mapping (a reader gives
        every `# SKIP not on linux` row the same): it is cleaned once. The cleaned mapping is
        shared too, as the table copies what it keeps; a cut warns once per kind anyway."""
        done: dict[int, dict[str, Any]] = {}
        cleaned = {}
        for row, detail in details.items():
            fields = done.get(id(detail))
            if fields is None:
                fields = done[id(detail)] = self._clean_detail(**detail)
            cleaned[row] = fields
        return cleaned

    def _clean_detail(
        self,
        *,
        message: str | None = None,
        type: str | None = None,
        output: str | None = None,
        file: str | None = None,
        line: int | None = None,
        properties: dict[str, str] | None = None,
        attempts: Sequence[Attempt] = (),
        flaky: bool = False,
        unattributed: bool = False,
    ) -> dict[str, Any]:
        """The details of one execution as `test` records them: cleaned and capped."""
        kept, cut = cap_output(output)
        return {
            "message": clean_optional(self._cap(message, MAX_MESSAGE_CHARS, "message")),
            "type": clean_optional(self._cap(type, MAX_NAME_CHARS, "failure type")),
            "output": kept,
            "output_truncated": cut,
            "file": clean_name(self._cap(file, MAX_NAME_CHARS, "file name")) if file else file,
            "line": line,
            "properties": clean_mapping(properties) if properties else properties,
            "attempts": attempts,
            "flaky": flaky,
            "unattributed": unattributed,
        }

    def _clean_classname(self, classname: str | None) -> str | None:
        if not classname:
            return classname
        return clean_name(self._cap(classname, MAX_NAME_CHARS, "class name"))

    def _clean_file(self, file: str | None) -> str | None:
        return clean_name(self._cap(file, MAX_NAME_CHARS, "file name")) if file else file

    def _clean_suite(self, suite: tuple[str, ...]) -> tuple[str, ...]:
        if not suite:
            return ()
        if max(map(len, suite)) > MAX_NAME_CHARS:
            suite = tuple(self._cap(part, MAX_NAME_CHARS, "suite name") for part in suite)
        return clean_suite(suite)

    @staticmethod
    def _clean_column(column: Sequence[_T], clean: Callable[[_T], _T]) -> Sequence[_T]:
        """`clean` applied to each row of a column of repeated values, once per distinct one;
        the column itself when no value changes."""
        cleaned = {value: clean(value) for value in set(column)}
        if all(k == v for k, v in cleaned.items()):
            return column
        return list(map(cleaned.__getitem__, column))

    def metric(
        self,
        *,
        name: str,
        unit: str = "",
        direction: Direction | None = None,
        samples: Sequence[float] | None = None,
        stats: dict[str, float] | None = None,
        n: int | None = None,
        source: str | None = None,
        properties: dict[str, str] | None = None,
        hits: int | None = None,
        failures: int | None = None,
        resolution: float | None = None,
        iterations: int | None = None,
        input_unit: str | None = None,
    ) -> None:
        """Record one metric (values already in the canonical unit, see `units.normalise_unit`).

        `direction` only when the input or the unit's dimension says it (never from the name).

        Values that are not finite, or whose sum overflows, are an input error: every
        statistic downstream would be meaningless.
        """
        self.records += 1
        name = self._cap(name, MAX_NAME_CHARS, "metric name")
        if samples is not None and not math.isfinite(sum(samples)):
            raise InputError(
                f"metric {clean_text(name)[:80]!r}: a value is not a finite number "
                "(NaN, infinite, or so large that the values overflow)",
                path=self.path,
            )
        if stats and not math.isfinite(sum(stats.values())):
            raise InputError(
                f"metric {clean_text(name)[:80]!r}: a statistic is not a finite number",
                path=self.path,
            )
        self._metrics.append(
            Metric(
                name=clean_text(name),
                unit=clean_text(self._cap(unit, MAX_UNIT_CHARS, "unit")),
                direction=direction,
                samples=tuple(samples) if samples is not None else None,
                stats=stats or {},
                n=n,
                hits=hits,
                failures=failures,
                resolution=resolution,
                iterations=iterations,
                input_unit=input_unit,
                input=self.input_index,
                source=clean_name(source),
                properties=dict(clean_mapping(properties) or {}),
            )
        )

    def warn(self, message: str, line: int | None = None, *, once: str | None = None) -> None:
        """Record a warning about this file. With `once`, repeated warnings of a kind are folded."""
        if once is not None:
            if once in self._warned:
                return
            self._warned.add(once)
        self.warnings.append(Diagnostic(path=self.path, line=line, message=clean_text(message)))

    def nothing_to_report(self, why: str) -> None:
        """Record that the file says, in a form only a finished run writes, that its run found
        nothing to report; `why` becomes a warning."""
        self.nothing_found = True
        self.warn(why)

    def flag(
        self,
        kind: IntegrityKind,
        message: str,
        line: int | None = None,
        *,
        scope: str | None = None,
        warn: bool = True,
    ) -> None:
        """Record that the file says it is incomplete or contradicts itself (see
        `IntegrityKind`); also a warning unless `warn` is False (one was given already)."""
        text = clean_text(message)
        flag = IntegrityFlag(kind=kind, message=text, line=line, scope=scope)
        if flag not in self._flags:
            self._flags.add(flag)
            self.integrity.append(flag)
        if warn:
            self.warn(text, line)

    def notes_mark(self) -> tuple[int, int]:
        """How many warnings and integrity flags are recorded so far (for `relocate_notes`)."""
        return len(self.warnings), len(self.integrity)

    def relocate_notes(self, mark: tuple[int, int], where: str) -> None:
        """Prefix `where` to the warnings and flags recorded since `mark` and drop their lines:
        they were made reading a document embedded in this file (a TAP stream in a JUnit
        <system-out>), whose line numbers are not this file's."""
        warnings, flags = mark
        self.warnings[warnings:] = [
            Diagnostic(path=d.path, line=None, message=f"{where}: {d.message}")
            for d in self.warnings[warnings:]
        ]
        moved = [
            IntegrityFlag(kind=f.kind, message=f"{where}: {f.message}", scope=f.scope)
            for f in self.integrity[flags:]
        ]
        del self.integrity[flags:]
        self._flags = set(self.integrity)
        for flag in moved:
            if flag not in self._flags:
                self._flags.add(flag)
                self.integrity.append(flag)

    def check_counts(
        self,
        where: str,
        *,
        declared_total: int | None,
        total: int,
        declared_bad: int | None,
        bad: int,
        line: int | None = None,
        scope: str | None = None,
        held: int | None = None,
    ) -> None:
        """Flag a file that declares more tests, or more failures and errors, than it holds.

        More failures declared than shown is a failure hidden from the reader (NOT READY);
        more tests declared than present means tests are missing (INSUFFICIENT). Fewer
        declared is left to the readers' own warnings, unless the reader gives `held`, the
        fewest tests its content can be read as (distinct ids): fewer declared than that means
        the producer did not count some of them, which may not have run (INSUFFICIENT).
        """
        if declared_bad is not None and declared_bad > bad:
            self.flag(
                IntegrityKind.FAILURES_MISSING,
                f"{where} declares {declared_bad} failed or errored test(s) but shows {bad}",
                line,
                scope=scope,
                warn=False,
            )
        if declared_total is not None and declared_total > total:
            self.flag(
                IntegrityKind.TESTS_MISSING,
                f"{where} declares {declared_total} test(s) but contains {total}",
                line,
                scope=scope,
                warn=False,
            )
        if declared_total is not None and held is not None and declared_total < held:
            self.flag(
                IntegrityKind.TESTS_UNDECLARED,
                f"{where} declares {declared_total} test(s) but holds {held}: the producer did "
                "not count some of them, which may not have run",
                line,
                scope=scope,
                warn=False,
            )


def sink_cuts(
    name: str = "",
    classname: str | None = None,
    file: str | None = None,
    message: str | None = None,
    type: str | None = None,
) -> bool:
    """Whether `Sink.test` cuts (and warns about) one of these strings of a test."""
    return (
        len(name) > MAX_NAME_CHARS
        or (classname is not None and len(classname) > MAX_NAME_CHARS)
        or (file is not None and len(file) > MAX_NAME_CHARS)
        or (message is not None and len(message) > MAX_MESSAGE_CHARS)
        or (type is not None and len(type) > MAX_NAME_CHARS)
    )


class TestBatch:
    """Executions gathered in input order and written with one `Sink.add_tests` call, for
    readers whose rows each carry a file, a line or a failure.

    `add` takes the keyword arguments of `Sink.test` (never merge or unattributed) and records
    the same execution. A row with a string that `Sink` would cut (and warn about) is written
    through `Sink.test` in its place, after the rows gathered before it, so that warnings keep
    input order. Call `flush` before anything else writes to the sink, and at the end.
    """

    __test__ = False

    __slots__ = (
        "_classnames",
        "_codes",
        "_details",
        "_durations",
        "_files",
        "_lines",
        "_names",
        "_sink",
        "_suites",
        "_uncut_suites",
        "known",
    )

    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self._uncut_suites: set[tuple[str, ...]] = set()
        #: For the reader's own use: what it worked out once for values that repeat.
        self.known: dict[Any, Any] = {}
        self._start()

    def _start(self) -> None:
        self._names: list[str] = []
        self._codes = bytearray()
        self._durations: array[float] = array("d")
        self._classnames: list[str | None] = []
        self._suites: list[tuple[str, ...]] = []
        self._files: list[str | None] = []
        self._lines: list[int | None] = []
        self._details: dict[int, dict[str, Any]] = {}

    def add(
        self,
        *,
        name: str,
        outcome: Outcome,
        classname: str | None = None,
        suite: tuple[str, ...] = (),
        duration: float | None = None,
        message: str | None = None,
        type: str | None = None,
        output: str | None = None,
        file: str | None = None,
        line: int | None = None,
        properties: dict[str, str] | None = None,
        attempts: Sequence[Attempt] = (),
        flaky: bool = False,
    ) -> None:
        """Record one execution, as `Sink.test` would."""
        if sink_cuts(name, classname, file, message, type) or (
            suite not in self._uncut_suites and not self._uncut(suite)
        ):
            self._alone(
                {
                    "name": name,
                    "outcome": outcome,
                    "classname": classname,
                    "suite": suite,
                    "duration": duration,
                    "message": message,
                    "type": type,
                    "output": output,
                    "file": file,
                    "line": line,
                    "properties": properties,
                    "attempts": attempts,
                    "flaky": flaky,
                }
            )
            return
        if (
            message is not None
            or output is not None
            or type is not None
            or properties
            or attempts
            or flaky
        ):
            self._details[len(self._names)] = {
                "message": message,
                "type": type,
                "output": output,
                "properties": properties,
                "attempts": attempts,
                "flaky": flaky,
            }
        self._names.append(name)
        self._codes.append(OUTCOME_CODE[outcome])
        self._durations.append(math.nan if duration is None else float(duration))
        self._classnames.append(classname)
        self._suites.append(suite)
        self._files.append(file)
        self._lines.append(line)

    def _alone(self, row: dict[str, Any]) -> None:
        """Write a row holding a string `Sink` cuts through `Sink.test`, after the rows gathered
        before it (its warning then comes in input order)."""
        self.flush()
        self._sink.test(**row)

    def extend(self, names: Sequence[str], codes: bytes, suite: tuple[str, ...] = ()) -> None:
        """Record executions that have only a name and an outcome (`OUTCOME_CODE` bytes), as
        `add` would one by one."""
        count = len(names)
        if not count:
            return
        if max(map(len, names)) > MAX_NAME_CHARS or (
            suite not in self._uncut_suites and not self._uncut(suite)
        ):
            for name, code in zip(names, codes, strict=True):
                self.add(name=name, outcome=_OUTCOME_OF_CODE[code], suite=suite)
            return
        self._names.extend(names)
        self._codes.extend(codes)
        self._durations.extend(array("d", (math.nan,)) * count)
        self._classnames.extend((None,) * count)
        self._suites.extend((suite,) * count)
        self._files.extend((None,) * count)
        self._lines.extend((None,) * count)

    def _uncut(self, suite: tuple[str, ...]) -> bool:
        if suite and max(map(len, suite)) > MAX_NAME_CHARS:
            return False
        self._uncut_suites.add(suite)
        return True

    def flush(self) -> None:
        """Write the executions gathered so far."""
        if not self._names:
            return
        rows = len(self._names)
        # Columns that no row fills are left out: no pass over them.
        self._sink.add_tests(
            self._names,
            outcomes=self._codes,
            durations=self._durations,
            classnames=self._classnames,
            suites=self._suites,
            details=self._details,
            files=None if self._files.count(None) == rows else self._files,
            lines=None if self._lines.count(None) == rows else self._lines,
        )
        self._start()


class Ingester(ABC):
    """Reads one result format. Register new ones in `reportgen.ingest.registry`."""

    #: Short name used by `--format` and shown in reports.
    name: ClassVar[str]
    #: One line: what produces this format.
    description: ClassVar[str]
    #: Typical file names, for `reportgen formats`.
    patterns: ClassVar[tuple[str, ...]]

    @abstractmethod
    def sniff(self, head: bytes, path: str) -> float:
        """How sure this ingester is that it reads the file, from 0 (not mine) to 1 (certain)."""

    @abstractmethod
    def read(self, source: Source, sink: Sink) -> None:
        """Read the whole file into `sink`; raise `source.error(...)` when it is malformed."""


def decode_text(data: bytes, source: Source) -> str:
    """Decode a text file: UTF-8 (with or without BOM) or UTF-16 with a BOM.

    Anything else is an input error naming the byte offset, not mojibake.
    """
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise source.error(f"invalid UTF-16 at byte {exc.start}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise source.error(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})", line=line
        ) from exc
