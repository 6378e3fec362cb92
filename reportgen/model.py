"""The normalised model of a test run: inputs with provenance, tests, metrics, diagnostics.

Every stage meets through these objects. They are immutable. Tests are held column-wise in a
`TestTable` so that a run of a million tests fits in a few hundred megabytes; a `TestCase`
model is materialised only when one is read.
"""

from __future__ import annotations

import heapq
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import Any, overload

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, model_validator
from pydantic_core import core_schema

#: Version of the saved run JSON (`schemas/run.schema.json`); bump on incompatible change.
RUN_SCHEMA_VERSION = 1

#: Captured output kept per test (characters); the rest is cut and the cut is recorded.
OUTPUT_CAP = 64 * 1024


class Frozen(BaseModel):
    """Base for every model: immutable, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Outcome(StrEnum):
    """What happened to a test. `error` is a failure outside the test body (setup, build)."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


# Column codes for TestTable; the order is fixed (saved in memory only, never on disk).
_OUTCOMES: tuple[Outcome, ...] = (Outcome.PASSED, Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED)
_OUTCOME_CODE: dict[Outcome, int] = {o: i for i, o in enumerate(_OUTCOMES)}
_PASSED_CODE = bytes((_OUTCOME_CODE[Outcome.PASSED],))
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
        "used for the max_age staleness rule.",
    )
    warnings: tuple[Diagnostic, ...] = ()


class SkippedPath(Frozen):
    """A file found under a directory that no ingester recognised."""

    path: str
    reason: str


class Attempt(Frozen):
    """One execution of a test when it ran more than once (reruns, retries, teardown errors)."""

    outcome: Outcome
    duration: float | None = None
    message: str | None = None
    type: str | None = None
    output: str | None = None


class TestCase(Frozen):
    """One test as read from an input; duplicates of the same id are merged into `attempts`."""

    __test__ = False  # not a pytest test class

    id: str = Field(description="classname::name, or innermost-suite::name without classname.")
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
    input: int = Field(default=0, description="Index into Run.inputs.")


def make_test_id(name: str, classname: str | None, suite: Sequence[str]) -> str:
    """The stable id of a test: `classname::name`, else `suite::name`, else the name."""
    if classname:
        return f"{classname}::{name}"
    if suite:
        return f"{suite[-1]}::{name}"
    return name


class _Detail:
    """The rarely-present fields of one test, kept only for tests that have any."""

    __slots__ = (
        "attempts",
        "file",
        "flaky",
        "line",
        "message",
        "output",
        "output_truncated",
        "properties",
        "type",
    )

    def __init__(self) -> None:
        self.file: str | None = None
        self.line: int | None = None
        self.message: str | None = None
        self.type: str | None = None
        self.output: str | None = None
        self.output_truncated = 0
        self.properties: dict[str, str] | None = None
        self.attempts: list[Attempt] | None = None
        self.flaky = False


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
        "_inputs",
        "_names",
        "_outcomes",
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
        self._details = details

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
        return make_test_id(self._names[i], self.classname_of(i), self.suite_of(i))

    def file_of(self, i: int) -> str | None:
        detail = self._details.get(i)
        return detail.file if detail else None

    def input_of(self, i: int) -> int:
        return self._inputs[i]

    def duration_of(self, i: int) -> float | None:
        value = self._durations[i]
        return None if math.isnan(value) else value

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
        totals = Counter(self._suite_idx)
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
        if not self._inputs:
            return {}
        top = max(self._inputs)
        if top < 64:  # few inputs: a C-level count per input beats hashing every row
            counts = {i: self._inputs.count(i) for i in range(top + 1)}
            return {i: n for i, n in counts.items() if n}
        return dict(Counter(self._inputs))

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
        }
        if detail is not None:
            fields.update(
                file=detail.file,
                line=detail.line,
                message=detail.message,
                type=detail.type,
                output=detail.output,
                output_truncated=detail.output_truncated,
                properties=dict(detail.properties or {}),
                attempts=tuple(detail.attempts or ()),
                flaky=detail.flaky,
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


def _merge_outcome(outcomes: Sequence[Outcome]) -> tuple[Outcome, bool]:
    """Outcome of a test that ran several times, and whether it is flaky.

    A pass after a failure is a retry that succeeded: passed and flaky. Otherwise the worst
    execution decides, a failure ranking above an error because the usual pairing is pytest's
    failed call plus the teardown error that followed it.
    """
    has_pass = Outcome.PASSED in outcomes
    has_bad = Outcome.FAILED in outcomes or Outcome.ERROR in outcomes
    if has_pass and has_bad:
        return Outcome.PASSED, True
    for candidate in (Outcome.FAILED, Outcome.ERROR, Outcome.PASSED):
        if candidate in outcomes:
            return candidate, False
    return Outcome.SKIPPED, False


class TestTableBuilder:
    """Accumulates tests into columns; merges a repeated id within one input into attempts."""

    __test__ = False

    def __init__(self) -> None:
        self._names: list[str] = []
        self._outcomes = bytearray()
        self._durations: array[float] = array("d")
        self._suites: list[tuple[str, ...]] = []
        self._suite_lookup: dict[tuple[str, ...], int] = {}
        self._suite_idx: array[int] = array("I")
        self._classnames: list[str | None] = []
        self._class_lookup: dict[str | None, int] = {}
        self._class_idx: array[int] = array("I")
        self._inputs: array[int] = array("I")
        self._details: dict[int, _Detail] = {}
        # (input, classname-or-innermost-suite) -> {name: row}; keys reuse stored strings.
        self._seen: dict[tuple[int, str | None], dict[str, int]] = {}

    def __len__(self) -> int:
        return len(self._names)

    def _intern_suite(self, suite: tuple[str, ...]) -> int:
        idx = self._suite_lookup.get(suite)
        if idx is None:
            idx = self._suite_lookup[suite] = len(self._suites)
            self._suites.append(suite)
        return idx

    def _intern_class(self, classname: str | None) -> int:
        idx = self._class_lookup.get(classname)
        if idx is None:
            idx = self._class_lookup[classname] = len(self._classnames)
            self._classnames.append(classname)
        return idx

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
        merge: bool = True,
    ) -> int:
        """Add one test execution and return its row.

        With `merge`, a test whose id was already seen in the same input becomes another
        attempt of that test instead of a second test.
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
        if bucket is not None:
            bucket[name] = row
        if (
            message is not None
            or type is not None
            or output is not None
            or file is not None
            or line is not None
            or properties
            or attempts
            or flaky
        ):
            detail = _Detail()
            detail.file = file
            detail.line = line
            detail.message = message
            detail.type = type
            detail.output = output
            detail.output_truncated = output_truncated
            detail.properties = dict(properties) if properties else None
            detail.attempts = list(attempts) if attempts else None
            detail.flaky = flaky
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
        """Add many plain passed tests of one class and suite; returns how many were merged.

        The same as `add(name=n, outcome=PASSED, classname=classname, suite=suite,
        duration=d, input=input)` for each pair (a NaN duration meaning None), done with bulk
        operations: ingesters of very large files batch tests that carry only a name and time.
        """
        count = len(names)
        if count != len(durations):
            raise ValueError("names and durations differ in length")
        classname = classname or None
        scope = classname if classname else (suite[-1] if suite else None)
        bucket = self._seen.setdefault((input, scope), {})
        first = len(self._names)
        if not bucket or bucket.keys().isdisjoint(names):
            size = len(bucket)
            bucket.update(zip(names, range(first, first + count), strict=True))
            if len(bucket) == size + count:
                self._names.extend(names)
                self._durations.extend(durations)
                self._outcomes.extend(_PASSED_CODE * count)
                self._suite_idx.extend(array("I", (self._intern_suite(suite),)) * count)
                self._class_idx.extend(array("I", (self._intern_class(classname),)) * count)
                self._inputs.extend(array("I", (input,)) * count)
                return 0
            # A name repeats within the batch: undo and take the general path.
            for name in names:
                bucket.pop(name, None)
        merged = 0
        for name, duration in zip(names, durations, strict=True):
            rows = len(self._names)
            self.add(
                name=name,
                outcome=Outcome.PASSED,
                classname=classname,
                suite=suite,
                duration=None if math.isnan(duration) else duration,
                input=input,
            )
            merged += len(self._names) == rows
        return merged

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
        outcome, flaky = _merge_outcome([a.outcome for a in detail.attempts])
        self._outcomes[row] = _OUTCOME_CODE[outcome]
        detail.flaky = detail.flaky or flaky
        known = [a.duration for a in detail.attempts if a.duration is not None]
        self._durations[row] = math.fsum(known) if known else math.nan
        # Message and type follow the attempt that decided the outcome.
        for a in detail.attempts:
            if a.outcome == outcome and (a.message or a.type):
                detail.message, detail.type = a.message, a.type
                break
        if properties:
            detail.properties = {**(detail.properties or {}), **properties}

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
            details=self._details,
        )


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
        default=(), description="Files under a directory that no ingester recognised."
    )

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(w for f in self.inputs for w in f.warnings)

    def metrics_named(self, name: str) -> tuple[Metric, ...]:
        return tuple(m for m in self.metrics if m.name == name)
