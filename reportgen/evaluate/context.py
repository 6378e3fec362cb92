"""What every criterion kind judges with: the run and baseline once derived, metric series,
test selection by pattern, provenance, staleness, and the outcome a judge returns."""

from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from reportgen import clock, stats
from reportgen.criteria import CriteriaFile
from reportgen.evaluate.wording import days
from reportgen.evaluation import EvidenceRef, Figures, MetricResult, Status
from reportgen.history.facts import FlakyHistory
from reportgen.model import Direction, Metric, Run
from reportgen.units import DURATION_UNITS, UNITLESS_STATS, direction_for_unit, normalise_unit

#: Test ids listed per evidence reference; the rest are counted in `tests_total`.
MAX_IDS_PER_REF = 20
GLOB = re.compile(r"[*?\[]")
_SEVERITY_ORDER = {Status.FAIL: 0, Status.INSUFFICIENT: 1, Status.PASS: 2, Status.WAIVED: 3}


# --- time ------------------------------------------------------------------------------------


def resolve_now(now: datetime | None = None) -> datetime:
    """`now` as an aware UTC time; else SOURCE_DATE_EPOCH when set; else the current time."""
    if now is not None:
        return now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return clock.now()


def _parse_timestamp(text: str) -> datetime | None:
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


# --- intermediate results --------------------------------------------------------------------


@dataclass
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


@dataclass(frozen=True)
class Series:
    """Every record of one metric name in one run, merged."""

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

    @property
    def count(self) -> int:
        if self.samples is not None:
            return len(self.samples)
        return self.n or 0


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
    return {name: _merge(name, records) for name, records in groups.items()}


def _merge(name: str, records: list[Metric]) -> Series:
    first = records[0]
    same_unit = [m for m in records if m.unit == first.unit]
    note = None
    if len(same_unit) < len(records):
        note = f"records of {name} in other units than {first.unit or 'none'} were left out"
    with_samples = [m for m in same_unit if m.samples is not None]
    if with_samples:
        samples = tuple(x for m in with_samples for x in (m.samples or ()))
        used = with_samples
        merged_stats = dict(with_samples[0].stats) if len(with_samples) == 1 else {}
        n: int | None = len(samples)
    else:
        # Summary statistics of several records cannot be pooled; the first one is used.
        used = same_unit[:1]
        samples = None
        merged_stats = dict(first.stats)
        n = first.n
        if len(same_unit) > 1:
            note = f"{len(same_unit)} summary-only records of {name}; only the first was used"
    resolutions = [m.resolution for m in used if m.resolution is not None]
    iterations = [m.iterations for m in used if m.iterations is not None]
    failures = [m.failures for m in used if m.failures is not None]
    return Series(
        name=name,
        unit=first.unit,
        # The input's own word first; else the unit's dimension; else unknown.
        direction=first.direction or direction_for_unit(first.unit),
        samples=samples,
        stats=merged_stats,
        n=n,
        inputs=tuple(sorted({m.input for m in used})),
        note=note,
        # Pooled records: the coarsest resolution and the fewest iterations hold for all.
        resolution=max(resolutions) if resolutions else None,
        iterations=min(iterations) if len(iterations) == len(used) else None,
        hits=used[0].hits if len(used) == 1 else None,
        failures=sum(failures) if failures else None,
        quantum=stats.detect_quantum(samples) if samples else None,
    )


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
        self._ages: dict[int, float | None] = {}
        self._prefix_cache: dict[tuple[str | None, str | None], tuple[str, ...]] = {}

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

    def stale(self, inputs: Iterable[int], max_age: float | None) -> str | None:
        """Why the current inputs are too old for `max_age` (seconds), or None."""
        if max_age is None:
            return None
        for index in sorted(set(inputs)):
            age = self._age(index)
            if age is not None and age > max_age:
                path = self.run.inputs[index].path
                return f"input {path} is {days(age)} old, older than the max_age of {days(max_age)}"
        return None

    def _age(self, index: int) -> float | None:
        if index not in self._ages:
            stamp_text = self.run.inputs[index].timestamp
            age = None
            if stamp_text:
                stamp = _parse_timestamp(stamp_text)
                if stamp is None:
                    self.warnings.append(
                        f"{self.run.inputs[index].path}: timestamp {stamp_text!r} is not ISO 8601; "
                        "its age is unknown"
                    )
                else:
                    age = (self.now - stamp).total_seconds()
            self._ages[index] = age
        return self._ages[index]

    # --- tests
    def select_tests(self, patterns: Sequence[str], rows: Iterable[int] | None = None) -> list[int]:
        """Rows of the current run whose id, `file::name` or pytest-style path matches a glob."""
        regex = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))
        table = self.run.tests
        out = []
        for i in range(len(table)) if rows is None else rows:
            name = table.name_of(i)
            prefixes = self._prefixes(table.classname_of(i), table.suite_of(i))
            if any(regex.match(prefix + name) for prefix in prefixes):
                out.append(i)
                continue
            file = table.file_of(i)
            if file and regex.match(f"{file}::{name}"):
                out.append(i)
        return out

    def _prefixes(self, classname: str | None, suite: tuple[str, ...]) -> tuple[str, ...]:
        key = (classname, suite[-1] if suite else None)
        found = self._prefix_cache.get(key)
        if found is None:
            found = self._prefix_cache[key] = _prefixes_of(classname, suite)
        return found


def _prefixes_of(classname: str | None, suite: tuple[str, ...]) -> tuple[str, ...]:
    """What precedes a test's name in the spellings a pattern may match: its id
    (`classname::`), and pytest's path spelling of a dotted classname, since pytest's JUnit XML
    names `tests/test_x.py::TestC::test_y` as classname `tests.test_x.TestC`."""
    if not classname:
        return (f"{suite[-1]}::",) if suite else ("",)
    prefixes = [f"{classname}::"]
    if "." in classname and "/" not in classname:
        parts = classname.split(".")
        for k in range(1, len(parts) + 1):
            prefixes.append("::".join(["/".join(parts[:k]) + ".py", *parts[k:], ""]))
    return tuple(prefixes)


def matching_names(pattern: str, names: Iterable[str]) -> list[str]:
    """Metric names `pattern` covers: a glob's matches, sorted, or the one name it spells."""
    if GLOB.search(pattern):
        return sorted(n for n in names if fnmatch.fnmatchcase(n, pattern))
    return [pattern] if pattern in names else []
