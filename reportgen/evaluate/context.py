"""What every criterion kind judges with: the run and baseline once derived, metric series,
test selection by pattern, provenance, staleness, and the outcome a judge returns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from reportgen import clock, stamps, stats
from reportgen.criteria import CriteriaFile
from reportgen.evaluate.wording import days
from reportgen.evaluation import EvidenceRef, Figures, MetricResult, Status
from reportgen.model import PARAMETER, ROUNDED, WORK_PER_OP, Direction, Metric, Run, TestTable
from reportgen.patterns import WILDCARD, compile_patterns
from reportgen.records import record
from reportgen.units import DURATION_UNITS, UNITLESS_STATS, direction_for_unit, normalise_unit

if TYPE_CHECKING:
    # Only named in annotations: the history models stay unimported when no history is read.
    from reportgen.history.facts import FlakyHistory

#: The step of values an input rounds down (Go's B/op and allocs/op are whole numbers).
_ROUNDED_STEP = 1.0
#: Test ids listed per evidence reference; the rest are counted in `tests_total`.
MAX_IDS_PER_REF = 20
GLOB = WILDCARD
#: Seconds a timestamp may lie in the future before it is worth a warning (clock skew).
CLOCK_SKEW = 300.0
_SEVERITY_ORDER = {Status.FAIL: 0, Status.INSUFFICIENT: 1, Status.PASS: 2, Status.WAIVED: 3}


# --- time ------------------------------------------------------------------------------------


def resolve_now(now: datetime | None = None) -> datetime:
    """`now` as an aware UTC time; else SOURCE_DATE_EPOCH when set; else the current time."""
    if now is not None:
        return now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return clock.now()


# --- intermediate results --------------------------------------------------------------------


@record
class Stale:
    """Why inputs cannot be shown to be young enough for max_age, and what would show it
    (None: the criterion's usual advice, to run again)."""

    reason: str
    to_decide: str | None = None


@record(frozen=False)
class Judgement:
    """What a criterion's evidence says, before waivers."""

    status: Status
    reason: str
    figures: Figures = field(default_factory=Figures)
    to_decide: str | None = None
    evidence: tuple[EvidenceRef, ...] = ()
    items: tuple[MetricResult, ...] = ()


def combine(statuses: Iterable[Status]) -> Status:
    """Any fail fails; else any insufficient is insufficient; else pass (empty: insufficient)."""
    seen = list(statuses)
    if not seen:
        return Status.INSUFFICIENT
    return min(seen, key=lambda s: _SEVERITY_ORDER[s])


# --- metric series ---------------------------------------------------------------------------


@record
class Series:
    """The records of one metric name in one run that are judged together.

    Records that carry samples are pooled into one series named after the metric. Records
    that are point values (summary statistics without samples, e.g. two k6 summaries from two
    regions) cannot be pooled, so each is a series of its own, named `metric [input file]`,
    and each is judged: never only the first.
    """

    name: str
    unit: str
    direction: Direction | None
    samples: tuple[float, ...] | None
    stats: dict[str, float]
    n: int | None
    inputs: tuple[int, ...]
    note: str | None = None
    resolution: float | None = None  # stated by the input, in `unit`
    iterations: int | None = None  # behind each per-operation average (the fewest)
    hits: int | None = None  # of a ratio with known counts: hits of n
    failures: int | None = None  # samples the input marked failed (not in `samples`)
    quantum: float | None = None  # the grid detected in the samples (stats.detect_quantum)
    #: The metric's own name (`name` may carry the input it came from, see above).
    metric: str = ""
    #: Step the input rounded values down to (Go's B/op and allocs/op: 1), else None: a value
    #: v then stands for anything in [v, v + step), not for v give or take half a step.
    rounded_down: float | None = None
    #: `samples` as the bounds are taken on: a value rounded down moved to the middle of what
    #: it stands for (v + step/2, with the step as its quantum); None when that is `samples`.
    centred: tuple[float, ...] | None = None
    #: Units of records of this metric left out because they differ from `unit`: which of
    #: them the metric is measured in is unknown, so nothing is decided on this series.
    other_units: tuple[str, ...] = ()
    #: The settings the records were measured under (`model.PARAMETER` properties): each
    #: parameter's values, sorted; a baseline measured under other ones is no baseline.
    parameters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Of a rate worked out from a per-operation time: the work of one operation (see
    #: `model.WORK_PER_OP`; the smallest of the records pooled), else None.
    work_per_op: float | None = None

    @property
    def count(self) -> int:
        if self.samples is not None:
            return len(self.samples)
        return self.n or 0

    @property
    def judged_samples(self) -> tuple[float, ...] | None:
        """The samples every bound is taken on (see `centred`); shown figures use `samples`."""
        return self.centred if self.centred is not None else self.samples


def _normalised(metric: Metric) -> Metric:
    """A metric in canonical units (ingesters normally do this already)."""
    if metric.unit not in DURATION_UNITS or metric.unit == "s":
        return metric
    factor, unit = normalise_unit(1.0, metric.unit)
    samples = None if metric.samples is None else tuple(x * factor for x in metric.samples)
    scaled = {k: (v if k in UNITLESS_STATS else v * factor) for k, v in metric.stats.items()}
    return metric.model_copy(update={"unit": unit, "samples": samples, "stats": scaled})


def _series_by_name(run: Run | None) -> dict[str, Series]:
    if run is None:
        return {}
    groups: dict[str, list[Metric]] = defaultdict(list)
    for metric in run.metrics:
        groups[metric.name].append(_normalised(metric))
    out: dict[str, Series] = {}
    for name, records in groups.items():
        for series in _merge(name, records, run):
            out[series.name] = series
    return out


def _merge(name: str, records: list[Metric], run: Run) -> list[Series]:
    first = records[0]
    same_unit = [m for m in records if m.unit == first.unit]
    note = None
    other_units = tuple(sorted({m.unit or "none" for m in records if m.unit != first.unit}))
    if other_units:
        note = f"records of {name} in other units than {first.unit or 'none'} were left out"
    with_samples = [m for m in same_unit if m.samples is not None]
    points = [m for m in same_unit if m.samples is None]
    out: list[Series] = []
    if with_samples:
        out.append(_series(name, with_samples, note, name, other_units))
    alone = not out and len(points) == 1
    labels = _labels(points, run)
    for metric, label in zip(points, labels, strict=True):
        label_name = name if alone else f"{name} [{label}]"
        out.append(_series(label_name, [metric], note, name, other_units))
    return out


def _series(
    name: str, used: list[Metric], note: str | None, metric: str, other_units: tuple[str, ...]
) -> Series:
    """One series from records judged together: pooled samples, or one point-valued record."""
    first = used[0]
    with_samples = [m for m in used if m.samples is not None]
    samples = tuple(x for m in with_samples for x in (m.samples or ())) if with_samples else None
    rounded = [m for m in with_samples if m.properties.get(ROUNDED) == "down"]
    centred = (
        tuple(
            x + (_ROUNDED_STEP / 2 if m.properties.get(ROUNDED) == "down" else 0.0)
            for m in with_samples
            for x in (m.samples or ())
        )
        if rounded
        else None
    )
    resolutions = [m.resolution for m in used if m.resolution is not None]
    iterations = [m.iterations for m in used if m.iterations is not None]
    failures = [m.failures for m in used if m.failures is not None]
    # The inputs' own word first (records that say opposite things say nothing: which one
    # came first must not decide); else the unit's dimension; else unknown.
    said = {m.direction for m in used if m.direction is not None}
    direction = (
        direction_for_unit(first.unit) if not said else said.pop() if len(said) == 1 else None
    )
    return Series(
        name=name,
        unit=first.unit,
        direction=direction,
        samples=samples,
        stats=dict(first.stats) if len(used) == 1 else {},
        n=len(samples) if samples is not None else first.n,
        inputs=tuple(sorted({m.input for m in used})),
        note=note,
        # Pooled records: the coarsest resolution and the fewest iterations hold for all.
        resolution=max(resolutions) if resolutions else None,
        iterations=min(iterations) if len(iterations) == len(used) else None,
        hits=first.hits if len(used) == 1 else None,
        failures=sum(failures) if failures else None,
        quantum=stats.detect_quantum(samples) if samples else None,
        metric=metric,
        rounded_down=_ROUNDED_STEP if rounded else None,
        centred=centred,
        other_units=other_units,
        parameters=_parameters(used),
        work_per_op=_work_per_op(used),
    )


def _parameters(used: list[Metric]) -> dict[str, tuple[str, ...]]:
    seen: dict[str, set[str]] = defaultdict(set)
    for m in used:
        for key, value in m.properties.items():
            if key.startswith(PARAMETER):
                seen[key.removeprefix(PARAMETER)].add(value)
    return {key: tuple(sorted(values)) for key, values in sorted(seen.items())}


def _work_per_op(used: list[Metric]) -> float | None:
    works = [m.properties.get(WORK_PER_OP) for m in used]
    if not works or None in works:
        return None
    return min(float(w) for w in works if w is not None)


def _labels(records: list[Metric], run: Run) -> list[str]:
    """A short, distinct label per point-valued record: its file's name, else its path, with
    the record's source (or its order) when one file holds several."""
    paths = [run.inputs[m.input].path if m.input < len(run.inputs) else "" for m in records]
    names = [p.replace("\\", "/").rsplit("/", 1)[-1] for p in paths]
    # Two files of one name in different directories: their paths tell them apart.
    labels = names if len(set(names)) == len(set(paths)) else paths
    seen: dict[str, int] = defaultdict(int)
    for label in labels:
        seen[label] += 1
    out = []
    order: dict[str, int] = defaultdict(int)
    for label, metric in zip(labels, records, strict=True):
        if seen[label] > 1:
            order[label] += 1
            label = f"{label} {metric.source or f'#{order[label]}'}"
        out.append(label)
    return out


# --- the evaluation context ------------------------------------------------------------------


class Context:
    """The run, the baseline and what is derived from them once for all criteria."""

    def __init__(
        self,
        run: Run,
        baseline: Run | None,
        now: datetime,
        criteria: CriteriaFile | None = None,
        history: Mapping[int, FlakyHistory] | None = None,
    ) -> None:
        self.criteria = criteria
        self.run = run
        self.baseline = baseline
        # What the run history says about flaky tests, by window (max_flaky_history).
        self.history = history
        self.now = now
        self.warnings: list[str] = []
        self.series = _series_by_name(run)
        self.base_series = _series_by_name(baseline)
        self._stamps: dict[tuple[bool, int], stamps.Stamp | None] = {}
        self._prefix_cache: dict[str | None, tuple[str, ...]] = {}
        self._unattributed: list[int] | None = None

    # --- provenance
    def refs(
        self,
        used: dict[int, list[str]],
        *,
        baseline: bool = False,
        tests: bool = False,
        totals: dict[int, int] | None = None,
    ) -> list[EvidenceRef]:
        """References to the inputs (by index) and the metric names, or test ids, used."""
        run = self.baseline if baseline else self.run
        assert run is not None
        out = []
        for index in sorted(used):
            names = used[index]
            source = run.inputs[index]
            if not tests:
                ref = EvidenceRef(
                    path=source.path,
                    sha256=source.sha256,
                    baseline=baseline,
                    metrics=tuple(sorted(set(names))),
                )
            else:
                ref = EvidenceRef(
                    path=source.path,
                    sha256=source.sha256,
                    baseline=baseline,
                    tests=tuple(names[:MAX_IDS_PER_REF]),
                    tests_total=(totals or {}).get(index, len(names)),
                )
            out.append(ref)
        return out

    def stale(
        self, inputs: Iterable[int], max_age: float | None, *, baseline: bool = False
    ) -> Stale | None:
        """Why the inputs (of the baseline with `baseline`) cannot be shown to be younger than
        `max_age` (seconds): too old, in the future, a timestamp whose missing zone leaves it
        open, or no timestamp to tell. None when they can."""
        if max_age is None:
            return None
        run = self.baseline if baseline else self.run
        if run is None:
            return None
        what = "baseline input" if baseline else "input"
        limit = days(max_age)
        for index in sorted(set(inputs)):
            path = run.inputs[index].path
            stamp = self._stamp(run, index, baseline)
            if stamp is None:
                return Stale(
                    f"cannot show when {what} {path} ran: it carries no readable timestamp, "
                    f"and max_age is {limit}"
                )
            youngest, oldest = stamp.ages(self.now)
            if oldest < -CLOCK_SKEW:
                return Stale(
                    f"cannot show how old {what} {path} is: its timestamp {stamp.text} is "
                    f"{days(-oldest)} in the future (the clocks of the machines disagree), "
                    f"and max_age is {limit}",
                    "set the clocks right (NTP) or check SOURCE_DATE_EPOCH, and run again",
                )
            if youngest > max_age:
                at_least = "" if stamp.zoned else "at least "
                return Stale(
                    f"{what} {path} is {at_least}{days(youngest)} old"
                    f"{'' if stamp.zoned else ' in any time zone'}, older than the max_age of "
                    f"{limit}"
                )
            if oldest > max_age:
                # Only a zoneless timestamp gets here: it could be old or young enough.
                return Stale(
                    f"{what} {path}: its timestamp {stamp.text} names no time zone, so it may "
                    f"be up to {days(oldest)} old, more than the max_age of {limit}",
                    "have the harness write the time zone in its timestamps (an offset such as "
                    "+09:00, or Z), or allow "
                    f"{days(stamps.AHEAD_OF_UTC.total_seconds())} more in max_age",
                )
        return None

    def _stamp(self, run: Run, index: int, baseline: bool) -> stamps.Stamp | None:
        """The timestamp of one input, read once (with its warnings) per evaluation."""
        key = (baseline, index)
        if key not in self._stamps:
            source = run.inputs[index]
            stamp = None
            if source.timestamp:
                stamp = stamps.read(source.timestamp)
                if stamp is None:
                    self.warnings.append(
                        f"{source.path}: timestamp {source.timestamp!r} is not ISO 8601; "
                        "its age is unknown"
                    )
                else:
                    ahead = -stamp.ages(self.now)[1]
                    if ahead > CLOCK_SKEW:
                        self.warnings.append(
                            f"{source.path}: timestamp {stamp.text} is {days(ahead)} in the "
                            "future: the clocks of the machines disagree"
                        )
            self._stamps[key] = stamp
        return self._stamps[key]

    # --- tests
    def select_tests(
        self,
        patterns: Sequence[str],
        rows: Iterable[int] | None = None,
        *,
        table: TestTable | None = None,
    ) -> list[int]:
        """Rows of the current run (or of `table`) whose canonical id, `file::name` or
        pytest-style path matches one of `patterns` (see `patterns` for what they mean)."""
        regex = compile_patterns(patterns)
        table = self.run.tests if table is None else table
        out = []
        for i in range(len(table)) if rows is None else rows:
            if regex.match(table.id_of(i)):
                out.append(i)
                continue
            name = table.name_of(i)
            classname = table.classname_of(i)
            prefixes = self._prefixes(classname)
            if any(regex.match(prefix + name) for prefix in prefixes):
                out.append(i)
                continue
            file = table.file_of(i)
            if file and regex.match(f"{file}::{name}"):
                out.append(i)
        return out

    def prefixes_of_row(self, i: int) -> tuple[str, ...]:
        """What may precede row `i`'s name in an id a pattern matches: `classname::` and its
        other spellings (see `_prefixes_of`); empty when the row has no classname."""
        classname = self.run.tests.classname_of(i)
        if not classname:
            return ()
        return (f"{classname}::", *self._prefixes(classname))

    def unattributed_rows(self) -> list[int]:
        """Rows of the current run that are errors belonging to no test (computed once)."""
        if self._unattributed is None:
            self._unattributed = self.run.tests.unattributed_rows()
        return self._unattributed

    def _prefixes(self, classname: str | None) -> tuple[str, ...]:
        found = self._prefix_cache.get(classname)
        if found is None:
            found = self._prefix_cache[classname] = _prefixes_of(classname)
        return found


def _prefixes_of(classname: str | None) -> tuple[str, ...]:
    """Other spellings of what precedes a test's name that a pattern may use: pytest's path
    spelling of a dotted classname, since pytest's JUnit XML names
    `tests/test_x.py::TestC::test_y` as classname `tests.test_x.TestC`, and a test module in
    the rootdir's own directory's `test_x.py::test_y` as classname `test_x`."""
    prefixes: list[str] = []
    if classname and "/" not in classname:
        parts = classname.split(".")
        for k in range(1, len(parts) + 1):
            prefixes.append("::".join(["/".join(parts[:k]) + ".py", *parts[k:], ""]))
    return tuple(prefixes)


def matching_names(pattern: str, series: dict[str, Series]) -> list[str]:
    """Series `pattern` covers: those whose metric (or series name) a wildcard pattern
    matches, sorted, or those of the one metric it spells (`[` and `]` are literal: see
    `patterns`). A metric judged per input (see `Series`) gives one series per input."""
    if GLOB.search(pattern):
        regex = compile_patterns([pattern])
        return sorted(
            key for key, s in series.items() if regex.match(s.metric or key) or regex.match(key)
        )
    return sorted(
        key for key, s in series.items() if (s.metric or key) == pattern or key == pattern
    )
