"""The normalised model of a test run: inputs with provenance, tests, metrics, diagnostics.

Every stage meets through these objects. They are immutable. Tests are held column-wise in a
`TestTable` so that a run of a million tests fits in a few hundred megabytes; a `TestCase`
model is materialised only when one is read.
"""

from __future__ import annotations

import heapq
import math
import posixpath
import re
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from enum import StrEnum
from itertools import groupby
from types import MappingProxyType
from typing import Any, overload

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, model_validator
from pydantic_core import core_schema

from reportgen.regex import lazy_regex

#: Version of the saved run JSON (`schemas/run.schema.json`); bump on incompatible change.
RUN_SCHEMA_VERSION = 1

#: Captured output kept per test (characters); the rest is cut and the cut is recorded.
OUTPUT_CAP = 64 * 1024


class Frozen(BaseModel):
    """Base for every model: immutable, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Outcome(StrEnum):
    """What happened to a test. `error` is a failure outside the test body (setup, build)."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


# Column codes for TestTable; the order is fixed (saved in memory only, never on disk).
_OUTCOMES: tuple[Outcome, ...] = (Outcome.PASSED, Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED)
_OUTCOME_CODE: dict[Outcome, int] = {o: i for i, o in enumerate(_OUTCOMES)}
#: The one-byte code of each outcome in the outcome column, for bulk adds
#: (`TestTableBuilder.add_rows`, `Sink.add_tests`): `bytes(OUTCOME_CODE[o] for o in ...)`.
OUTCOME_CODE: Mapping[Outcome, int] = MappingProxyType(_OUTCOME_CODE)
_PASSED_CODE = bytes((_OUTCOME_CODE[Outcome.PASSED],))
_VALID_CODES = bytes(range(len(_OUTCOMES)))
_NOT_PASSED = re.compile(b"[^%c]" % _OUTCOME_CODE[Outcome.PASSED])


class Direction(StrEnum):
    """Which way a metric gets better; improvement and regression are derived from it."""

    LOWER_IS_BETTER = "lower_is_better"
    HIGHER_IS_BETTER = "higher_is_better"


class Diagnostic(Frozen):
    """A warning or note about an input: what was odd and where."""

    path: str
    line: int | None = None
    message: str


class IntegrityKind(StrEnum):
    """How an input says that it is incomplete or contradicts itself."""

    ABORTED = "aborted"  # the run was aborted or crashed: TRX Aborted, TAP bail-out, go panic
    TESTS_MISSING = "tests_missing"  # it declares more tests than it contains
    # It holds more tests than it declares: some it holds were not counted by the producer
    # and may not have run (jest-junit writes a `todo` test as an empty, passing testcase).
    TESTS_UNDECLARED = "tests_undeclared"
    FAILURES_MISSING = "failures_missing"  # it declares more failures or errors than it shows
    BENCHMARK_ERRORS = "benchmark_errors"  # benchmark runs flagged as errors or failed commands
    SUITE_ERROR = "suite_error"  # a failure or error outside any test (class or suite setup)
    # A results file that holds no test, metric or error: a `<testsuites/>` or a run with
    # nothing collected, as from a shard whose harness stopped before its first result.
    NO_RESULTS = "no_results"
    # Tests ran under a retry whose earlier attempts the file does not keep (flaky's @flaky in
    # pytest-json-report): whether one of them failed first is unknown.
    ATTEMPTS_HIDDEN = "attempts_hidden"
    # A history baseline taken from runs recorded with different labels (another machine or
    # configuration) that the `history:` spec did not choose between.
    MIXED_LABELS = "mixed_labels"


#: The values of IntegrityKind: what a file reportgen wrote may name as a flag to read back.
INTEGRITY_KINDS = frozenset(kind.value for kind in IntegrityKind)

#: Integrity problems that show something failed (NOT READY); the others leave the evidence
#: incomplete (INSUFFICIENT).
FAILING_INTEGRITY = frozenset({IntegrityKind.FAILURES_MISSING, IntegrityKind.SUITE_ERROR})

#: The input formats (`InputFile.format`) whose files hold metrics: one of them that holds
#: nothing may be where a metric criterion's evidence was (tests/ingest/test_registry.py checks
#: the names against the readers).
METRIC_FORMATS = frozenset(
    {
        "metrics-json",
        "metrics-csv",
        "hyperfine",
        "pytest-benchmark",
        "google-benchmark",
        "k6",
        "jmeter",
        "criterion",
        "gobench",
        "gotest-json",  # go test -json -bench: benchmarks in the test2json stream
    }
)


class IntegrityFlag(Frozen):
    """A fact an input states about itself that makes it no evidence for READY."""

    kind: IntegrityKind
    message: str = Field(description="What the file says, in one sentence.")
    line: int | None = None
    scope: str | None = Field(
        default=None,
        description="The package, class, suite or metric the problem concerns, when the file "
        "says; None when it concerns the whole file.",
    )

    @property
    def fails(self) -> bool:
        """Whether this shows a failure (NOT READY) rather than missing evidence."""
        return self.kind in FAILING_INTEGRITY


class InputFile(Frozen):
    """One file that was read, with enough provenance to trace every figure back to it."""

    path: str = Field(description="Path as given on the command line (or found under a directory).")
    format: str = Field(description="Name of the ingester that read it.")
    sha256: str
    size: int = Field(description="Size in bytes.")
    records: int = Field(description="Tests plus metrics read from this file.")
    timestamp: str | None = Field(
        default=None,
        description="When the results were produced (ISO 8601), when the file says; "
        "used for the max_age staleness rule. In UTC when the file names a zone, else as "
        "written (local time of an unknown zone).",
    )
    warnings: tuple[Diagnostic, ...] = ()
    integrity: tuple[IntegrityFlag, ...] = Field(
        default=(),
        description="Where the file says it is incomplete or contradicts itself: no evidence "
        "for READY for the criteria that could use it.",
    )
    derived_from: tuple[str, ...] = Field(
        default=(),
        description="sha256 of the inputs this file was converted from, when it names them "
        "(a CTRF file written by `reportgen convert`).",
    )
    duplicate_of: str | None = Field(
        default=None,
        description="Path of another input that holds the same executions; this one's tests "
        "and metrics were not read again.",
    )


class SkipKind(StrEnum):
    """Why a file found under a results path was not read."""

    UNRECOGNISED = "unrecognised"
    EMPTY = "empty"
    IGNORED = "ignored"
    HIDDEN = "hidden"
    UNREADABLE = "unreadable"
    #: A report of a known kind that holds no test results (coverage, static analysis).
    NOT_RESULTS = "not_results"


class SkippedPath(Frozen):
    """A file found under a results path that was not read, and why."""

    path: str
    reason: str
    kind: SkipKind = SkipKind.UNRECOGNISED
    evidence: bool = Field(
        default=False,
        description="It looks like results (by its extension or content) but could not be "
        "read: the verdict cannot be READY unless the criteria's inputs.ignore names it.",
    )


class Attempt(Frozen):
    """One attempt of a test that its harness retried (a marked retry: Surefire reruns,
    Playwright/Jest/CTRF retries, pytest-json-report `rerun`); the last attempt decides."""

    number: int | None = Field(
        default=None, description="Attempt number from 1, in the order the harness ran them."
    )
    outcome: Outcome
    duration: float | None = None
    message: str | None = None
    type: str | None = None
    output: str | None = None


class TestCase(Frozen):
    """One execution of a test as read from an input.

    A test id that repeats without a retry marker (pytest-rerunfailures in JUnit, `go test
    -count=N`, `test.each` rows sharing a title) gives one TestCase per execution, each counted
    on its own. A retry the harness marks as one gives one TestCase whose `attempts` list every
    attempt in order: the last attempt decides the outcome, and passing after failing is flaky.
    """

    __test__ = False  # not a pytest test class

    id: str = Field(
        description="Canonical test id, the same in every format: classname::name, else the "
        "suite path without the test file joined by ' › '::name, else file::name, else the "
        "name; absolute paths are made relative to the directory the input's paths share."
    )
    name: str
    classname: str | None = None
    suite: tuple[str, ...] = Field(default=(), description="Enclosing suites, outermost first.")
    file: str | None = None
    line: int | None = None
    outcome: Outcome
    duration: float | None = Field(default=None, description="Seconds; None when not reported.")
    message: str | None = None
    type: str | None = None
    output: str | None = Field(default=None, description="Captured output, capped.")
    output_truncated: int = Field(default=0, description="Characters of output cut by the cap.")
    properties: dict[str, str] = Field(default_factory=dict)
    attempts: tuple[Attempt, ...] = ()
    flaky: bool = False
    unattributed: bool = Field(
        default=False,
        description="An error that belongs to no test (collection or import error, build "
        "failure, crashed worker, suite-level error); classname and file say where it came "
        "from when known.",
    )
    input: int = Field(default=0, description="Index into Run.inputs.")
    position: int = Field(
        default=0, description="Order of this execution among those of its input, from 0."
    )


#: Joins the describe blocks of a suite path in a canonical id (Jest's and Playwright's own).
SCOPE_SEPARATOR = " › "
# A suite named after a source file (Jest, CTRF and TAP put the test file in the suite path).
_source_file = lazy_regex(
    r"\.(?:[cm]?[jt]sx?|py|go|rb|java|kts?|cs|fs|vb|php|phpt|rs|swift|scala|feature|dart|exs?)$",
    re.IGNORECASE,
)
_ABSOLUTE = re.compile(r"^(?:/|_/|[A-Za-z]:[\\/]|file://|\\\\)")


def is_absolute_path(text: str) -> bool:
    """Whether a name is an absolute path of the machine that ran the tests (any OS)."""
    return bool(_ABSOLUTE.match(text))


def is_source_file(part: str) -> bool:
    """Whether a suite name is a test file (it ends like a source file)."""
    return bool(_source_file().search(part))


def _is_file(part: str) -> bool:
    return bool(_source_file().search(part)) or is_absolute_path(part)


def id_scope(classname: str | None, suite: Sequence[str]) -> str | None:
    """What precedes `::` in a canonical id: the classname; else the suite path without the
    test file, its describe blocks joined by ` › `; else the test file alone; else None."""
    if classname:
        classname = classname.strip()
    if classname:
        if "\\" in classname:
            # A test file's Windows path in the classname (jest-junit's `{filepath}`, or the
            # file among Playwright's `[project] › file › describe`) is spelled with `/`, as
            # a file in the suite path is: `select` and `require` are written with `/`, and
            # a baseline run on another system has the same ids. A namespace (PHPUnit's
            # `App\\Tests\\CalcTest`) is no file and keeps its `\\`.
            return SCOPE_SEPARATOR.join(
                part.replace("\\", "/") if _is_file(part) else part
                for part in classname.split(SCOPE_SEPARATOR)
            )
        return classname
    blocks = [part.strip() for part in suite if not _is_file(part)]
    if blocks:
        return SCOPE_SEPARATOR.join(blocks)
    if suite:
        return suite[-1].replace("\\", "/")
    return None


def make_test_id(name: str, classname: str | None, suite: Sequence[str]) -> str:
    """The canonical id of a test, the same whichever format the result came in.

    `scope::name` (see `id_scope`), or the name alone without a scope, with no space before
    or after the name or a part of the scope: TAP cannot keep them (its readers strip each
    line's description) where JUnit and JSON reporters of the same run do. Two spellings of
    the full title are undone so that they give the id of the short one: a name that begins
    with its describe blocks joined by spaces (CTRF's Jest reporter writes Jest's `fullName`),
    and a classname that is the title with the name the full title (mocha-junit-reporter).
    """
    scope = id_scope(classname, suite)
    name = name.strip()
    if scope is None:
        return name
    if classname:
        if name != scope and name.endswith(" " + scope):
            return f"{name[: -len(scope) - 1]}::{scope}"
        return f"{scope}::{name}"
    return _suite_id(scope, name)


_project = lazy_regex(r"^\[[^\]]*\]$")


def full_title(scope: str | None, name: str) -> str:
    """The describe blocks and the title joined by spaces, without test files or Playwright
    projects (Jest's `fullName`): what `new_failures` falls back to when one format lacks the
    file or the describe path (jest-junit's default templates write only this)."""
    title = name.strip()
    if not scope or scope.strip() == title:
        return title  # a producer that writes the full title as classname and name
    parts = [p for p in scope.split(SCOPE_SEPARATOR) if not _is_file(p) and not _project().match(p)]
    return " ".join([*parts, title])


def _suite_id(scope: str, name: str) -> str:
    spaced = scope.replace(SCOPE_SEPARATOR, " ") + " "
    if len(name) > len(spaced) and name.startswith(spaced):
        name = name[len(spaced) :]
    return f"{scope}::{name}"


def _relative(path: str, root: str) -> str:
    normal = _normal_path(path)
    return normal[len(root) :].lstrip("/") if root and normal.startswith(root) else normal


def _normal_path(path: str) -> str:
    text = path.replace("\\", "/")
    for prefix in ("file://", "_/"):
        if text.startswith(prefix):
            text = text[len(prefix) - 1 :] if prefix == "_/" else text[len(prefix) :]
    if text[1:3] == ":/" and text[:1].isalpha():
        # Windows names one drive `C:` or `c:` (Jest keeps the case of the directory it was
        # started in): spelled two ways, the test files would share no directory.
        text = text[0].upper() + text[1:]
    return text


def common_root(paths: Sequence[str]) -> str:
    """The directory that the absolute `paths` share (the checkout, or below it)."""
    dirs = [posixpath.dirname(_normal_path(p)) for p in paths]
    try:
        return posixpath.commonpath(dirs) if dirs else ""
    except ValueError:  # absolute and relative, or two drives: nothing shared
        return ""


class _Detail:
    """The rarely-present fields of one test, kept only for tests that have any."""

    __slots__ = (
        "attempts",
        "flaky",
        "message",
        "output",
        "output_truncated",
        "properties",
        "type",
        "unattributed",
    )

    def __init__(self) -> None:
        self.message: str | None = None
        self.type: str | None = None
        self.output: str | None = None
        self.output_truncated = 0
        self.properties: dict[str, str] | None = None
        self.attempts: list[Attempt] | None = None
        self.flaky = False
        self.unattributed = False


class TestTable(Sequence[TestCase]):
    """Column-wise, immutable store of a run's tests; indexing yields `TestCase` models.

    Use `outcome_counts()`, `outcome_of()`, `id_of()` and `duration_of()` for bulk work: they
    avoid building a model per test.
    """

    __test__ = False
    __slots__ = (
        "_class_idx",
        "_classnames",
        "_details",
        "_durations",
        "_file_idx",
        "_files",
        "_inputs",
        "_lines",
        "_names",
        "_outcomes",
        "_positions",
        "_runs",
        "_scopes",
        "_suite_idx",
        "_suites",
    )

    def __init__(
        self,
        *,
        names: list[str],
        outcomes: bytearray,
        durations: array[float],
        suites: list[tuple[str, ...]],
        suite_idx: array[int],
        classnames: list[str | None],
        class_idx: array[int],
        inputs: array[int],
        files: list[str | None],
        file_idx: array[int],
        lines: list[int | None],
        details: dict[int, _Detail],
    ) -> None:
        self._names = names
        self._outcomes = bytes(outcomes)
        self._durations = durations
        self._suites = suites
        self._suite_idx = suite_idx
        self._classnames = classnames
        self._class_idx = class_idx
        self._inputs = inputs
        self._files = files
        self._file_idx = file_idx
        self._lines = lines
        self._details = details
        #: First row of each run of one input's rows and its position there (when asked).
        self._positions: tuple[list[int], list[int]] | None = None
        #: Runs of one input's rows (see `_input_runs`), when first asked for.
        self._runs: list[tuple[int, int, int]] | None = None
        self._scopes: dict[tuple[int, int], str | None] = {}

    @classmethod
    def empty(cls) -> TestTable:
        """A table with no tests."""
        return TestTableBuilder().build()

    @classmethod
    def from_cases(cls, cases: Sequence[TestCase]) -> TestTable:
        """Build a table from models (used when loading a saved run JSON)."""
        builder = TestTableBuilder()
        for case in cases:
            builder.append(case)
        return builder.build()

    def __len__(self) -> int:
        return len(self._names)

    @overload
    def __getitem__(self, index: int) -> TestCase: ...

    @overload
    def __getitem__(self, index: slice) -> list[TestCase]: ...

    def __getitem__(self, index: int | slice) -> TestCase | list[TestCase]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._case(index)

    def __iter__(self) -> Iterator[TestCase]:
        for i in range(len(self._names)):
            yield self._case(i)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TestTable):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TestTable({len(self)} tests)"

    # --- bulk accessors -------------------------------------------------------------------
    def outcome_counts(self) -> dict[Outcome, int]:
        """Number of tests per outcome (every outcome present as a key)."""
        data = self._outcomes
        return {o: data.count(bytes((code,))) for o, code in _OUTCOME_CODE.items()}

    def outcome_of(self, i: int) -> Outcome:
        return _OUTCOMES[self._outcomes[i]]

    def name_of(self, i: int) -> str:
        return self._names[i]

    def suite_of(self, i: int) -> tuple[str, ...]:
        return self._suites[self._suite_idx[i]]

    def classname_of(self, i: int) -> str | None:
        return self._classnames[self._class_idx[i]]

    def id_of(self, i: int) -> str:
        """The canonical id of execution `i` (see `make_test_id`)."""
        scope = self.scope_of(i)
        name = self._names[i].strip()
        if scope is None:
            return name
        if self._classnames[self._class_idx[i]] is None:
            return _suite_id(scope, name)
        return make_test_id(name, scope, ())

    def scope_of(self, i: int) -> str | None:
        """What precedes `::` in the canonical id of execution `i` (see `id_scope`)."""
        key = (self._class_idx[i], self._suite_idx[i])
        try:
            return self._scopes[key]
        except KeyError:
            scope = self._scopes[key] = id_scope(self.classname_of(i), self.suite_of(i))
            return scope

    def full_title_of(self, i: int) -> str:
        """Describe blocks and title of execution `i` joined by spaces (see `full_title`)."""
        return full_title(self.scope_of(i), self._names[i])

    def repeat_key(self, i: int) -> tuple[int, int, int, str]:
        """Equal for two executions of one test in one input (cheaper than comparing ids)."""
        return self._inputs[i], self._class_idx[i], self._suite_idx[i], self._names[i]

    def distinct_ids(self) -> list[str]:
        """Every canonical id once, in first-seen order."""
        return list(dict.fromkeys(self.id_of(i) for i in range(len(self))))

    def file_of(self, i: int) -> str | None:
        return self._files[self._file_idx[i]]

    def input_of(self, i: int) -> int:
        return self._inputs[i]

    def position_of(self, i: int) -> int:
        """Order of execution `i` among the executions of its input, from 0."""
        if self._positions is None:
            # Per run of one input: (first row, position of that row in its input).
            seen: Counter[int] = Counter()
            starts: list[int] = []
            bases: list[int] = []
            for input, start, stop in self._input_runs():
                starts.append(start)
                bases.append(seen[input])
                seen[input] += stop - start
            self._positions = (starts, bases)
        starts, bases = self._positions
        run = bisect_right(starts, i) - 1
        return bases[run] + i - starts[run]

    def _input_runs(self) -> list[tuple[int, int, int]]:
        """(input, first row, row after the last) of each run of rows of one input.

        Inputs are read one after the other, so there is one run per input and this costs
        a C-level pass over the column, not a Python step per row.
        """
        if self._runs is None:
            runs: list[tuple[int, int, int]] = []
            start = 0
            for input, group in groupby(self._inputs):
                stop = start + len(list(group))
                runs.append((input, start, stop))
                start = stop
            self._runs = runs
        return self._runs

    def attempt_count(self, i: int) -> int:
        """Attempts of a marked retry behind execution `i` (1 when it was not retried)."""
        detail = self._details.get(i)
        return len(detail.attempts) if detail and detail.attempts else 1

    def duration_of(self, i: int) -> float | None:
        value = self._durations[i]
        return None if math.isnan(value) else value

    def is_unattributed(self, i: int) -> bool:
        """Whether row `i` is an error that belongs to no test (see `TestCase.unattributed`)."""
        detail = self._details.get(i)
        return bool(detail and detail.unattributed)

    def unattributed_rows(self) -> list[int]:
        """Rows that are errors belonging to no test, in row order."""
        return sorted(i for i, d in self._details.items() if d.unattributed)

    def is_flaky(self, i: int) -> bool:
        detail = self._details.get(i)
        return bool(detail and detail.flaky)

    def attempts_of(self, i: int) -> tuple[Attempt, ...]:
        """The executions of a test that ran more than once; () when it ran once."""
        detail = self._details.get(i)
        return tuple(detail.attempts) if detail and detail.attempts else ()

    def flaky_count(self) -> int:
        return sum(1 for d in self._details.values() if d.flaky)

    def slowest(self, n: int) -> list[tuple[float, int]]:
        """The `n` longest (duration, index) pairs, longest first, ties in input order; tests
        without a duration are left out. One pass over the column, no models."""
        top = heapq.nlargest(n, ((d, -i) for i, d in enumerate(self._durations) if d == d))
        return [(d, -neg) for d, neg in top]

    def flaky_indices(self) -> list[int]:
        """Indices of the flaky tests, in input order (only tests with details can be flaky)."""
        return sorted(i for i, d in self._details.items() if d.flaky)

    def total_duration(self) -> float:
        """Sum of the known durations (unknown ones are not counted as zero, just left out)."""
        total = math.fsum(self._durations)  # fast when every duration is known
        if math.isnan(total):
            total = math.fsum(d for d in self._durations if not math.isnan(d))
        return total

    def has_durations(self) -> bool:
        """Whether any test reports a duration."""
        return any(d == d for d in self._durations)  # NaN != NaN: unknown

    def counts_by_suite(self) -> list[tuple[tuple[str, ...], dict[Outcome, int]]]:
        """Outcome counts per suite path, suites in first-seen order (one pass, no models)."""
        # Rows of one suite come in runs: one C-level groupby, not a count per row.
        totals: Counter[int] = Counter()
        for index, run in groupby(self._suite_idx):
            totals[index] += len(list(run))
        counts = {i: dict.fromkeys(_OUTCOMES, 0) for i in sorted(totals)}
        # Most tests pass: count the others one by one and derive the passed ones.
        passed = _OUTCOME_CODE[Outcome.PASSED]
        suite_idx = self._suite_idx
        for match in _NOT_PASSED.finditer(self._outcomes):
            counts[suite_idx[match.start()]][_OUTCOMES[self._outcomes[match.start()]]] += 1
        for i, bucket in counts.items():
            bucket[_OUTCOMES[passed]] = totals[i] - sum(bucket.values())
        return [(self._suites[i], bucket) for i, bucket in counts.items()]

    def counts_by_input(self) -> dict[int, int]:
        """Number of tests per input index."""
        counts: dict[int, int] = {}
        for input, start, stop in self._input_runs():
            counts[input] = counts.get(input, 0) + stop - start
        return dict(sorted(counts.items()))

    def rows_by_input(self) -> dict[int, list[int]]:
        """Row numbers of each input's executions, in order."""
        out: dict[int, list[int]] = {}
        for input, start, stop in self._input_runs():
            out.setdefault(input, []).extend(range(start, stop))
        return out

    def without_inputs(self, inputs: set[int]) -> TestTable:
        """A table without the executions of `inputs` (the others keep their input index)."""
        if not inputs:
            return self
        keep = [row for row, input in enumerate(self._inputs) if input not in inputs]
        return TestTable(
            names=[self._names[row] for row in keep],
            outcomes=bytearray(self._outcomes[row] for row in keep),
            durations=array("d", (self._durations[row] for row in keep)),
            suites=self._suites,
            suite_idx=array("I", (self._suite_idx[row] for row in keep)),
            classnames=self._classnames,
            class_idx=array("I", (self._class_idx[row] for row in keep)),
            inputs=array("I", (self._inputs[row] for row in keep)),
            files=self._files,
            file_idx=array("I", (self._file_idx[row] for row in keep)),
            lines=[self._lines[row] for row in keep],
            details={
                new: self._details[row] for new, row in enumerate(keep) if row in self._details
            },
        )

    def indices_with_outcome(self, *outcomes: Outcome) -> Iterator[int]:
        codes = {_OUTCOME_CODE[o] for o in outcomes}
        for i, code in enumerate(self._outcomes):
            if code in codes:
                yield i

    def _case(self, i: int) -> TestCase:
        detail = self._details.get(i)
        suite = self._suites[self._suite_idx[i]]
        classname = self._classnames[self._class_idx[i]]
        name = self._names[i]
        fields: dict[str, Any] = {
            "id": make_test_id(name, classname, suite),
            "name": name,
            "classname": classname,
            "suite": suite,
            "outcome": _OUTCOMES[self._outcomes[i]],
            "duration": self.duration_of(i),
            "input": self._inputs[i],
            "position": self.position_of(i),
            "file": self._files[self._file_idx[i]],
            "line": self._lines[i],
        }
        if detail is not None:
            fields.update(
                message=detail.message,
                type=detail.type,
                output=detail.output,
                output_truncated=detail.output_truncated,
                properties=dict(detail.properties or {}),
                attempts=_numbered(detail.attempts or ()),
                flaky=detail.flaky,
                unattributed=detail.unattributed,
            )
        # The columns were validated on the way in; skip re-validation for speed.
        return TestCase.model_construct(**fields)

    # --- pydantic integration: a TestTable validates from, and dumps to, a list of TestCase
    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        list_schema = core_schema.list_schema(handler.generate_schema(TestCase))
        from_list = core_schema.no_info_after_validator_function(cls.from_cases, list_schema)
        return core_schema.json_or_python_schema(
            json_schema=from_list,
            python_schema=core_schema.union_schema(
                [core_schema.is_instance_schema(cls), from_list]
            ),
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda table: [case.model_dump(mode="json") for case in table],
                when_used="always",
            ),
        )


def _numbered(attempts: Sequence[Attempt]) -> tuple[Attempt, ...]:
    """The attempts with their numbers filled in from their order where the input gave none."""
    if all(a.number is not None for a in attempts):
        return tuple(attempts)
    return tuple(
        a if a.number is not None else a.model_copy(update={"number": k})
        for k, a in enumerate(attempts, start=1)
    )


def retry_outcome(attempts: Sequence[Outcome]) -> tuple[Outcome, bool]:
    """Outcome of a marked retry and whether it is flaky: the last attempt decides, and a pass
    after a failed or erroring attempt is flaky."""
    if not attempts:
        raise ValueError("a retry has at least one attempt")
    final = attempts[-1]
    flaky = final is Outcome.PASSED and any(
        a is Outcome.FAILED or a is Outcome.ERROR for a in attempts[:-1]
    )
    return final, flaky


def _detail(
    *,
    message: str | None = None,
    type: str | None = None,
    output: str | None = None,
    output_truncated: int = 0,
    properties: Mapping[str, str] | None = None,
    attempts: Sequence[Attempt] = (),
    flaky: bool = False,
    unattributed: bool = False,
) -> _Detail | None:
    """The rarely-present fields of one row, or None when it has none of them."""
    if (
        message is None
        and type is None
        and output is None
        and not properties
        and not attempts
        and not flaky
        and not unattributed
    ):
        return None
    detail = _Detail()
    detail.message = message
    detail.type = type
    detail.output = output
    detail.output_truncated = output_truncated
    detail.properties = dict(properties) if properties else None
    detail.attempts = list(attempts) if attempts else None
    detail.flaky = flaky
    detail.unattributed = unattributed
    return detail


class _Interner(dict[Any, int]):
    """Index of each distinct value of a column in `values`, added on first sight.

    A missing key costs a Python call, a known one a C-level lookup, so that a column of
    repeated values is interned with `map(interner.__getitem__, column)`. `none_alias`
    is a key stored as None (an empty classname is no classname).
    """

    __slots__ = ("_alias", "_values")

    def __init__(self, values: list[Any], none_alias: object = None) -> None:
        super().__init__()
        self._values = values
        self._alias = none_alias

    def __missing__(self, key: Any) -> int:
        if key is not None and key == self._alias:
            index = self[key] = self[None]
            return index
        index = self[key] = len(self._values)
        self._values.append(key)
        return index


class TestTableBuilder:
    """Accumulates test executions into columns, one row per execution.

    A repeated id is another row (an unmarked repeat counts on its own); only `merge=True`
    folds an execution into the earlier one of its id as its next attempt (a marked retry).
    """

    __test__ = False

    def __init__(self) -> None:
        self._names: list[str] = []
        self._outcomes = bytearray()
        self._durations: array[float] = array("d")
        self._suites: list[tuple[str, ...]] = []
        self._suite_lookup = _Interner(self._suites)
        self._suite_idx: array[int] = array("I")
        self._classnames: list[str | None] = []
        self._class_lookup = _Interner(self._classnames, none_alias="")
        self._class_idx: array[int] = array("I")
        self._inputs: array[int] = array("I")
        # Files repeat from row to row (one per test module): interned like suites, 0 is none.
        self._files: list[str | None] = [None]
        self._file_lookup = _Interner(self._files)
        self._file_lookup[None] = 0
        self._file_idx: array[int] = array("I")
        self._lines: list[int | None] = []
        self._details: dict[int, _Detail] = {}
        # (input, classname-or-innermost-suite) -> {name: row}; keys reuse stored strings.
        self._seen: dict[tuple[int, str | None], dict[str, int]] = {}

    def __len__(self) -> int:
        return len(self._names)

    def _intern_suite(self, suite: tuple[str, ...]) -> int:
        return self._suite_lookup[suite]

    def _intern_class(self, classname: str | None) -> int:
        return self._class_lookup[classname]

    def add(
        self,
        *,
        name: str,
        outcome: Outcome,
        classname: str | None = None,
        suite: tuple[str, ...] = (),
        duration: float | None = None,
        input: int = 0,
        message: str | None = None,
        type: str | None = None,
        output: str | None = None,
        output_truncated: int = 0,
        file: str | None = None,
        line: int | None = None,
        properties: dict[str, str] | None = None,
        attempts: Sequence[Attempt] = (),
        flaky: bool = False,
        merge: bool = False,
        unattributed: bool = False,
    ) -> int:
        """Add one test execution and return its row.

        With `merge` (a retry the input marks as one), an execution whose id was added with
        `merge` before in the same input becomes the next attempt of that row, and the last
        attempt decides. Without it every execution is a row of its own.
        """
        classname = classname or None
        key_scope = classname if classname else (suite[-1] if suite else None)
        bucket = self._seen.setdefault((input, key_scope), {}) if merge else None
        if bucket is not None:
            row = bucket.get(name)
            if row is not None:
                self._merge_into(
                    row,
                    Attempt(
                        outcome=outcome,
                        duration=duration,
                        message=message,
                        type=type,
                        output=output,
                    ),
                    attempts,
                    properties,
                )
                return row
        row = len(self._names)
        self._names.append(name)
        self._outcomes.append(_OUTCOME_CODE[outcome])
        self._durations.append(math.nan if duration is None else float(duration))
        self._suite_idx.append(self._intern_suite(suite))
        self._class_idx.append(self._intern_class(classname))
        self._inputs.append(input)
        self._file_idx.append(self._file_lookup[file])
        self._lines.append(line)
        if bucket is not None:
            bucket[name] = row
        detail = _detail(
            message=message,
            type=type,
            output=output,
            output_truncated=output_truncated,
            properties=properties,
            attempts=attempts,
            flaky=flaky,
            unattributed=unattributed,
        )
        if detail is not None:
            self._details[row] = detail
        return row

    def add_passed(
        self,
        names: Sequence[str],
        durations: array[float],
        *,
        classname: str | None = None,
        suite: tuple[str, ...] = (),
        input: int = 0,
    ) -> int:
        """Add many plain passed tests of one class and suite; returns how many were merged
        (always 0: a repeated name is another execution). See `add_rows`.
        """
        self.add_rows(
            names, Outcome.PASSED, durations, classname=classname, suite=suite, input=input
        )
        return 0

    def add_rows(
        self,
        names: Sequence[str],
        outcomes: Outcome | bytes | bytearray,
        durations: array[float] | None = None,
        *,
        classname: str | None = None,
        classnames: Sequence[str | None] | None = None,
        suite: tuple[str, ...] = (),
        suites: Sequence[tuple[str, ...]] | None = None,
        input: int = 0,
        details: Mapping[int, Mapping[str, Any]] | None = None,
        files: Sequence[str | None] | None = None,
        lines: Sequence[int | None] | None = None,
    ) -> None:
        """Add many test executions column by column: no object and no call per row for
        those that carry only a name, an outcome, a duration, a classname and a suite path.

        The same as `add(name=..., outcome=..., classname=..., suite=..., duration=...,
        input=input, **details.get(k, {}))` for row k of the columns, in order, never merging.
        `outcomes` is one Outcome for every row or one `OUTCOME_CODE` byte per row;
        `durations` is seconds per row (NaN: not reported), None when no row has one. The
        class and the suite path are either one for every row (`classname`, `suite`) or one
        per row (`classnames`, `suites`; repeated values cost one dict lookup each).
        `details` holds, for the few rows that have any, the other keyword arguments of `add`
        (message, type, output, output_truncated, file, line, properties, attempts, flaky,
        unattributed), by row number in the columns; `files` and `lines`, when given, the
        file and line of every row (None: none), which a row's `details` then do not give.
        Strings are stored as given: the caller (`Sink.add_tests`) cleans them.
        """
        count = len(names)
        if isinstance(outcomes, Outcome):
            codes: bytes | bytearray = bytes((_OUTCOME_CODE[outcomes],)) * count
        else:
            codes = outcomes
            if len(codes) != count:
                raise ValueError("names and outcomes differ in length")
            if codes.translate(None, _VALID_CODES):
                raise ValueError(f"outcome code {max(codes)} is not one of OUTCOME_CODE")
        if durations is None:
            durations = array("d", (math.nan,)) * count
        elif len(durations) != count:
            raise ValueError("names and durations differ in length")
        if classnames is not None and len(classnames) != count:
            raise ValueError("names and classnames differ in length")
        if suites is not None and len(suites) != count:
            raise ValueError("names and suites differ in length")
        if details and not all(0 <= offset < count for offset in details):
            raise ValueError("a detail names a row outside the columns")
        if (files is not None and len(files) != count) or (
            lines is not None and len(lines) != count
        ):
            raise ValueError("names and files or lines differ in length")
        first = len(self._names)
        self._names.extend(names)
        self._outcomes.extend(codes)
        self._durations.extend(durations)
        if suites is None:
            self._suite_idx.extend(array("I", (self._suite_lookup[suite],)) * count)
        else:
            self._suite_idx.extend(array("I", map(self._suite_lookup.__getitem__, suites)))
        if classnames is None:
            self._class_idx.extend(array("I", (self._class_lookup[classname],)) * count)
        else:
            self._class_idx.extend(array("I", map(self._class_lookup.__getitem__, classnames)))
        self._inputs.extend(array("I", (input,)) * count)
        if files is None:
            self._file_idx.extend(array("I", (0,)) * count)
        else:
            self._file_idx.extend(array("I", map(self._file_lookup.__getitem__, files)))
        if lines is None:
            self._lines.extend((None,) * count)
        else:
            self._lines.extend(lines)
        if details:
            for offset, fields in details.items():
                row = first + offset
                if "file" in fields or "line" in fields:
                    # A row's file and line, unless whole columns of them were given.
                    fields = dict(fields)
                    file, line = fields.pop("file", None), fields.pop("line", None)
                    if files is None:
                        self._file_idx[row] = self._file_lookup[file]
                    if lines is None:
                        self._lines[row] = line
                detail = _detail(**fields)
                if detail is not None:
                    self._details[row] = detail

    def append(self, case: TestCase) -> int:
        """Add a whole TestCase (no merging: it is already one test)."""
        return self.add(
            name=case.name,
            outcome=case.outcome,
            classname=case.classname,
            suite=case.suite,
            duration=case.duration,
            input=case.input,
            message=case.message,
            type=case.type,
            output=case.output,
            output_truncated=case.output_truncated,
            file=case.file,
            line=case.line,
            properties=case.properties,
            attempts=case.attempts,
            flaky=case.flaky,
            merge=False,
            unattributed=case.unattributed,
        )

    def _merge_into(
        self,
        row: int,
        attempt: Attempt,
        more_attempts: Sequence[Attempt],
        properties: dict[str, str] | None,
    ) -> None:
        detail = self._details.get(row)
        if detail is None:
            detail = self._details[row] = _Detail()
        if not detail.attempts:
            # The first execution becomes attempt 1 when a second one shows up.
            detail.attempts = [
                Attempt(
                    outcome=_OUTCOMES[self._outcomes[row]],
                    duration=None if math.isnan(self._durations[row]) else self._durations[row],
                    message=detail.message,
                    type=detail.type,
                    output=detail.output,
                )
            ]
        detail.attempts.extend(more_attempts)
        detail.attempts.append(attempt)
        outcome, flaky = retry_outcome([a.outcome for a in detail.attempts])
        self._outcomes[row] = _OUTCOME_CODE[outcome]
        detail.flaky = detail.flaky or flaky
        known = [a.duration for a in detail.attempts if a.duration is not None]
        self._durations[row] = math.fsum(known) if known else math.nan
        # Message and type follow the last attempt, which decided the outcome.
        detail.message, detail.type = attempt.message, attempt.type
        if properties:
            detail.properties = {**(detail.properties or {}), **properties}

    def truncate(self, rows: int) -> None:
        """Drop every row from `rows` on (an ingester that reads its file again)."""
        if rows >= len(self._names):
            return
        for column in (
            self._names,
            self._outcomes,
            self._durations,
            self._suite_idx,
            self._class_idx,
            self._inputs,
            self._file_idx,
            self._lines,
        ):
            del column[rows:]
        for row in [row for row in self._details if row >= rows]:
            del self._details[row]
        for bucket in self._seen.values():
            for name in [name for name, row in bucket.items() if row >= rows]:
                del bucket[name]

    def drop_classname(self, start: int, placeholder: str) -> bool:
        """Rows `start`..end lose their classname when it is `placeholder` for all of them."""
        index = self._class_lookup.get(placeholder)
        if index is None or start >= len(self._names):
            return False
        if set(self._class_idx[start:]) != {index}:
            return False
        none = self._intern_class(None)
        self._class_idx[start:] = array("I", (none,)) * (len(self._names) - start)
        return True

    def identity(self, row: int) -> tuple[str, str | None, tuple[str, ...], str | None]:
        """Name, classname, suite and file of `row`: what its id is built from."""
        return (
            self._names[row],
            self._classnames[self._class_idx[row]],
            self._suites[self._suite_idx[row]],
            self._files[self._file_idx[row]],
        )

    def set_identity(
        self,
        row: int,
        name: str,
        classname: str | None,
        suite: tuple[str, ...],
        file: str | None,
    ) -> None:
        """Give `row` another name, classname, suite and file (a dialect that spells the id
        its own way, read back to the canonical one)."""
        self._names[row] = name
        self._class_idx[row] = self._intern_class(classname or None)
        self._suite_idx[row] = self._intern_suite(suite)
        self._file_idx[row] = self._file_lookup[file]

    def names_holding(self, start: int, text: str) -> list[int]:
        """Rows `start`..end whose name holds `text`."""
        names = self._names[start:]
        # Nearly every file has none: one search of the joined names tells so.
        if text not in "\n".join(names):
            return []
        return [start + i for i, name in enumerate(names) if text in name]

    def passes_repeated_later(self, start: int) -> list[int]:
        """Rows `start`..end that passed and whose id occurs again after them in those rows
        (an execution that is not the last of its id)."""
        names = self._names[start:]
        # Nearly every file repeats no name: tell so without building a key per row.
        if len(set(names)) == len(names):
            return []
        keys = list(zip(names, self._class_idx[start:], self._suite_idx[start:], strict=True))
        last = dict(zip(keys, range(len(keys)), strict=True))
        if len(last) == len(keys):
            return []
        passed = _OUTCOME_CODE[Outcome.PASSED]
        outcomes = self._outcomes
        return [
            start + i
            for i, key in enumerate(keys)
            if last[key] != i and outcomes[start + i] == passed
        ]

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
        """Give `row` another outcome (a dialect whose writer leaves an outcome out, read
        back to what the execution was); `unattributed` makes it an error of no test."""
        self._outcomes[row] = _OUTCOME_CODE[outcome]
        detail = self._details.get(row)
        if detail is None:
            detail = self._details[row] = _Detail()
        detail.message, detail.type = message, type
        if unattributed:
            detail.unattributed = True
        if properties:
            detail.properties = {**(detail.properties or {}), **properties}

    def outcome(self, row: int) -> Outcome:
        """The outcome of `row`."""
        return _OUTCOMES[self._outcomes[row]]

    def message(self, row: int) -> str | None:
        """The message of `row`, if any."""
        detail = self._details.get(row)
        return detail.message if detail else None

    def distinct_since(self, start: int) -> int:
        """Distinct test ids among rows `start`..end (a repeated id counts once)."""
        return len(
            set(
                zip(
                    self._names[start:],
                    self._class_idx[start:],
                    self._suite_idx[start:],
                    strict=True,
                )
            )
        )

    def untimed_passes_since(self, start: int) -> int:
        """Rows `start`..end that passed with nothing to show for it: no time (zero or
        unknown) and no detail. The shape a reporter gives a test it did not run (jest-junit's
        `todo`)."""
        passed = _OUTCOME_CODE[Outcome.PASSED]
        details = self._details
        return sum(
            1
            for row in range(start, len(self._names))
            if self._outcomes[row] == passed
            and not self._durations[row] > 0.0  # NaN (unknown) and 0 alike
            and row not in details
        )

    def relativise_paths(self, start: int) -> None:
        """Make the absolute paths in the suites, classnames and files of rows `start`..end
        (one input) relative to the directory they share, so that ids hold no checkout path."""
        file_ids = set(self._file_idx[start:])
        files = {i: f for i in file_ids if (f := self._files[i])}
        if not any(is_absolute_path(f) for f in files.values()) and not any(
            is_absolute_path(part) for part in (*self._classnames, *self._flat_suites()) if part
        ):
            return  # no absolute path among all names yet: no need to find the rows' ones
        suite_ids = set(self._suite_idx[start:])
        class_ids = set(self._class_idx[start:])
        found = [part for i in suite_ids for part in self._suites[i] if is_absolute_path(part)]
        # A classname may be a path, or begin with one (Jest's `file › describe › ...`).
        found += [
            head
            for i in class_ids
            if (name := self._classnames[i]) is not None
            and is_absolute_path(head := name.split(SCOPE_SEPARATOR, 1)[0])
        ]
        found += [f for f in files.values() if is_absolute_path(f)]
        if not found:
            return
        root = common_root(found)

        def fix(text: str) -> str:
            return _relative(text, root) if is_absolute_path(text) else text

        def fix_class(name: str) -> str:
            head, sep, rest = name.partition(SCOPE_SEPARATOR)
            return fix(head) + sep + rest

        suite_map = {
            i: self._intern_suite(tuple(fix(part) for part in self._suites[i])) for i in suite_ids
        }
        class_map = {
            i: self._intern_class(None if (c := self._classnames[i]) is None else fix_class(c))
            for i in class_ids
        }
        file_map = {i: self._file_lookup[fix(f)] if (f := self._files[i]) else i for i in file_ids}
        for column, mapping in (
            (self._suite_idx, suite_map),
            (self._class_idx, class_map),
            (self._file_idx, file_map),
        ):
            if any(k != v for k, v in mapping.items()):
                column[start:] = array("I", map(mapping.__getitem__, column[start:]))

    def _flat_suites(self) -> Iterator[str]:
        for suite in self._suites:
            yield from suite

    def build(self) -> TestTable:
        return TestTable(
            names=self._names,
            outcomes=self._outcomes,
            durations=self._durations,
            suites=self._suites,
            suite_idx=self._suite_idx,
            classnames=self._classnames,
            class_idx=self._class_idx,
            inputs=self._inputs,
            files=self._files,
            file_idx=self._file_idx,
            lines=self._lines,
            details=self._details,
        )


#: The `Metric.properties` key of an input that rounds its values: `"down"` (Go's B/op and
#: allocs/op, total / N in integer division) says a value v stands for anything in [v, v + 1).
ROUNDED = "rounded"
#: Property of a rate worked out from a per-operation time (Go's `MB/s`: the bytes set by
#: `b.SetBytes` over `ns/op`): the work each operation does, in the rate's unit times seconds.
#: The timer's resolution, carried over through it, bounds what each rate may stand for.
WORK_PER_OP = "work_per_op"

#: The prefix of the `Metric.properties` keys that hold the settings a metric was measured
#: under, as the input states them (hyperfine's `parameters`, pytest-benchmark's `params`):
#: `parameter.size` = `"1024"`. A baseline measured under other settings is no baseline for it.
PARAMETER = "parameter."


class Metric(Frozen):
    """A measured quantity: raw samples, summary statistics, or both.

    Values are in `unit` after normalisation: durations in seconds (`s`), sizes in bytes (`B`),
    rates as fractions (`ratio`), throughput in `1/s`; anything else keeps the unit it came with.
    """

    name: str
    unit: str = ""
    direction: Direction | None = Field(
        default=None,
        description="Which way is better, from an explicit input field or the unit's dimension "
        "(time and bytes lower, per-second rates higher); None: the input does not say, and a "
        "baseline comparison needs `direction:` in the criteria.",
    )
    samples: tuple[float, ...] | None = Field(
        default=None, description="Raw observations, in input order."
    )
    stats: dict[str, float] = Field(
        default_factory=dict,
        description="Summary statistics reported by the harness (mean, median, p95, ...): "
        "point estimates without their samples.",
    )
    n: int | None = Field(
        default=None, description="Observations behind the statistics when the harness says."
    )
    hits: int | None = Field(
        default=None,
        ge=0,
        description="For a ratio with known counts: how many of the n trials it counts "
        "(ratio = hits / n), so that it gets an exact confidence bound.",
    )
    failures: int | None = Field(
        default=None,
        ge=0,
        description="Samples the input marked as failed (JMeter success=false, non-zero exit "
        "codes): left out of `samples` and counted here.",
    )
    resolution: float | None = Field(
        default=None,
        ge=0,
        description="Resolution of the recorded values in `unit` when the input states it "
        "(JMeter: whole milliseconds); a value stands for every value this step allows.",
    )
    iterations: int | None = Field(
        default=None,
        ge=1,
        description="Per-operation averages (go bench ns/op, Google Benchmark, "
        "pytest-benchmark): the fewest iterations behind one sample; the timer's resolution "
        "divided by it is the resolution of a sample.",
    )
    input_unit: str | None = Field(
        default=None,
        description="The unit as the input stated it (ms, ns/op), before normalisation; None "
        "when the input states none.",
    )
    input: int = Field(default=0, description="Index into Run.inputs.")
    source: str | None = Field(
        default=None, description="Where in the input: record id, label, command."
    )
    properties: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _counts_fit(self) -> Metric:
        if self.hits is not None and (self.n is None or self.hits > self.n):
            raise ValueError(f"{self.name}: hits {self.hits} need n >= hits, got n = {self.n}")
        return self

    @property
    def sample_count(self) -> int:
        """Observations available: raw samples if any, else the reported n (or 0)."""
        if self.samples is not None:
            return len(self.samples)
        return self.n or 0


class Run(Frozen):
    """Everything read from a set of inputs."""

    schema_version: int = RUN_SCHEMA_VERSION
    inputs: tuple[InputFile, ...] = ()
    tests: TestTable = Field(default_factory=TestTable.empty)
    metrics: tuple[Metric, ...] = ()
    skipped: tuple[SkippedPath, ...] = Field(
        default=(), description="Files under a results path that were not read, with why."
    )

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(w for f in self.inputs for w in f.warnings)

    def metrics_named(self, name: str) -> tuple[Metric, ...]:
        return tuple(m for m in self.metrics if m.name == name)
