"""Evaluate a criteria file against a run (and a baseline): a pure function to an Evaluation.

Nothing here prints, formats for a terminal or exits. Statistics come from `reportgen.stats`;
this module decides which evidence each criterion may use and how its bounds are read. Every
rule fails closed: missing, skipped, stale, too few or below-resolution data is insufficient.
"""

from __future__ import annotations

import fnmatch
import math
import os
import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from reportgen import stats
from reportgen.criteria import (
    CriteriaFile,
    Criterion,
    Effective,
    Quantity,
    TestsSpec,
    threshold_kind_matches,
)
from reportgen.evaluation import (
    CriterionResult,
    Evaluation,
    EvidenceRef,
    FailingTest,
    Figures,
    MetricResult,
    PhaseResult,
    Severity,
    Status,
    Verdict,
    Waiver,
)
from reportgen.ingest.base import clean_text
from reportgen.model import Direction, Metric, Outcome, Run
from reportgen.units import DURATION_UNITS, format_percent, format_value, normalise_unit

__all__ = ["evaluate", "overall_verdict", "resolve_now"]

#: Test ids listed per evidence reference; the rest are counted in `tests_total`.
MAX_IDS_PER_REF = 20
#: Ids quoted in a reason sentence.
MAX_IDS_IN_REASON = 3
#: Statistics that are not in the metric's unit (never rescaled, compared as plain numbers).
_UNITLESS = frozenset({"count", "cv"})
_GLOB = re.compile(r"[*?\[]")
_SEVERITY_ORDER = {Status.FAIL: 0, Status.INSUFFICIENT: 1, Status.PASS: 2, Status.WAIVED: 3}


# --- time ------------------------------------------------------------------------------------


def resolve_now(now: datetime | None = None) -> datetime:
    """`now` as an aware UTC time; else SOURCE_DATE_EPOCH when set; else the current time."""
    if now is not None:
        return now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            pass  # an unusable value is ignored, like reproducible-builds tools do
    return datetime.now(UTC)


def _parse_timestamp(text: str) -> datetime | None:
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


# --- intermediate results --------------------------------------------------------------------


@dataclass
class _Outcome:
    """What a criterion's evidence says, before waivers."""

    status: Status
    reason: str
    figures: Figures = field(default_factory=Figures)
    to_decide: str | None = None
    evidence: tuple[EvidenceRef, ...] = ()
    items: tuple[MetricResult, ...] = ()


def _combine(statuses: Iterable[Status]) -> Status:
    """Any fail fails; else any insufficient is insufficient; else pass (empty: insufficient)."""
    seen = list(statuses)
    if not seen:
        return Status.INSUFFICIENT
    return min(seen, key=lambda s: _SEVERITY_ORDER[s])


# --- metric series ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Series:
    """Every record of one metric name in one run, merged."""

    name: str
    unit: str
    direction: Direction
    samples: tuple[float, ...] | None
    stats: dict[str, float]
    n: int | None
    inputs: tuple[int, ...]
    note: str | None = None

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
    scaled = {k: (v if k in _UNITLESS else v * factor) for k, v in metric.stats.items()}
    return metric.model_copy(update={"unit": unit, "samples": samples, "stats": scaled})


def _series_by_name(run: Run | None) -> dict[str, _Series]:
    if run is None:
        return {}
    groups: dict[str, list[Metric]] = defaultdict(list)
    for metric in run.metrics:
        groups[metric.name].append(_normalised(metric))
    return {name: _merge(name, records) for name, records in groups.items()}


def _merge(name: str, records: list[Metric]) -> _Series:
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
    return _Series(
        name=name,
        unit=first.unit,
        direction=first.direction,
        samples=samples,
        stats=merged_stats,
        n=n,
        inputs=tuple(sorted({m.input for m in used})),
        note=note,
    )


# --- the evaluation context ------------------------------------------------------------------


class _Context:
    """The run, the baseline and what is derived from them once for all criteria."""

    def __init__(self, run: Run, baseline: Run | None, now: datetime) -> None:
        self.run = run
        self.baseline = baseline
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
        kind: str = "metrics",
        totals: dict[int, int] | None = None,
    ) -> list[EvidenceRef]:
        run = self.baseline if baseline else self.run
        assert run is not None
        out = []
        for index in sorted(used):
            names = used[index]
            source = run.inputs[index]
            if kind == "metrics":
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
                return (
                    f"input {path} is {_days(age)} old, older than the max_age of {_days(max_age)}"
                )
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


def _days(seconds: float) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.0f} hours"
    return f"{seconds / 60:.0f} minutes"


# --- formatting helpers for reasons ------------------------------------------------------------


def _fmt(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return format_value(value, unit)


def _signed_pct(change: float) -> str:
    return f"{change * 100:+.1f}%"


def _conf(confidence: float) -> str:
    return format_percent(confidence, 0 if round(confidence * 100, 6).is_integer() else 1)


def _list_ids(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:MAX_IDS_IN_REASON])
    more = len(ids) - MAX_IDS_IN_REASON
    return f"{shown} and {more} more" if more > 0 else shown


# --- metric criteria ---------------------------------------------------------------------------


@dataclass
class _Item:
    """One metric's judgement within a criterion."""

    metric: str
    status: Status
    reason: str
    figures: Figures
    to_decide: str | None = None
    inputs: tuple[int, ...] = ()
    base_inputs: tuple[int, ...] = ()
    p_value: float | None = None
    adjusted_p_value: float | None = None


def _matching_names(pattern: str, names: Iterable[str]) -> list[str]:
    if _GLOB.search(pattern):
        return sorted(n for n in names if fnmatch.fnmatchcase(n, pattern))
    return [pattern] if pattern in names else []


def _metric_criterion(ctx: _Context, crit: Criterion, eff: Effective) -> _Outcome:
    pattern = crit.metric
    assert pattern is not None
    names = _matching_names(pattern, ctx.series)
    if crit.kind == "baseline" and ctx.baseline is None:
        return _Outcome(
            Status.INSUFFICIENT,
            f"a baseline comparison of {pattern} needs a baseline run, and none was given",
            to_decide="run again with --baseline PATH (the results to compare against)",
        )
    if not names:
        what = (
            f"no metric matches {pattern!r}"
            if _GLOB.search(pattern)
            else (f"metric {pattern} is in no input")
        )
        return _Outcome(
            Status.INSUFFICIENT,
            what,
            to_decide=f"record {pattern} in the results (or check the name in the criteria file)",
        )
    for name in names:
        if ctx.series[name].note:
            ctx.warnings.append(ctx.series[name].note or "")
    if crit.kind == "baseline":
        items = _baseline_items(ctx, crit, eff, names)
    else:
        judge = _threshold_item if crit.kind == "threshold" else _variance_item
        items = [judge(ctx.series[name], crit, eff) for name in names]
    # Stale inputs make every item insufficient, whatever the numbers say.
    for item in items:
        stale = ctx.stale(item.inputs, eff.max_age)
        if stale is not None and item.status is not Status.INSUFFICIENT:
            item.status = Status.INSUFFICIENT
            item.reason = f"{item.metric}: {stale}"
            item.to_decide = "measure again: the evidence is stale"
    return _from_items(ctx, pattern, items, multi=len(names) > 1 or bool(_GLOB.search(pattern)))


def _from_items(ctx: _Context, pattern: str, items: list[_Item], *, multi: bool) -> _Outcome:
    status = _combine(i.status for i in items)
    current: dict[int, list[str]] = defaultdict(list)
    base: dict[int, list[str]] = defaultdict(list)
    for item in items:
        for index in item.inputs:
            current[index].append(item.metric)
        for index in item.base_inputs:
            base[index].append(item.metric)
    evidence = [*ctx.refs(current), *(ctx.refs(base, baseline=True) if base else [])]
    deciding = _deciding_item(items, status)
    if not multi:
        return _Outcome(
            status,
            deciding.reason,
            deciding.figures,
            deciding.to_decide,
            tuple(evidence),
        )
    failing = [i.metric for i in items if i.status is Status.FAIL]
    unsure = [i.metric for i in items if i.status is Status.INSUFFICIENT]
    total = len(items)
    if status is Status.FAIL:
        reason = (
            f"{len(failing)} of {total} metrics matching {pattern!r} fail ({_list_ids(failing)})"
        )
        reason += f"; first: {deciding.reason}"
    elif status is Status.INSUFFICIENT:
        reason = (
            f"{len(unsure)} of {total} metrics matching {pattern!r} lack evidence "
            f"({_list_ids(unsure)}); first: {deciding.reason}"
        )
    else:
        reason = f"all {total} metrics matching {pattern!r} pass; closest: {deciding.reason}"
    results = tuple(
        MetricResult(
            metric=i.metric,
            status=i.status,
            figures=i.figures,
            reason=i.reason,
            p_value=i.p_value,
            adjusted_p_value=i.adjusted_p_value,
        )
        for i in items
    )
    return _Outcome(status, reason, deciding.figures, deciding.to_decide, tuple(evidence), results)


def _deciding_item(items: list[_Item], status: Status) -> _Item:
    """The item that explains `status`: the first of that status; for a pass, the closest one."""
    candidates = [i for i in items if i.status is status]
    if status is not Status.PASS or len(candidates) == 1:
        return candidates[0]
    return max(candidates, key=lambda i: _margin_used(i.figures))


def _margin_used(f: Figures) -> float:
    """How close a passing figure came to its threshold (larger is closer)."""
    if f.threshold is None or f.value is None:
        return -math.inf
    if f.comparison == "<=":
        edge = f.ci_high if f.ci_high is not None else f.value
        return edge - f.threshold
    edge = f.ci_low if f.ci_low is not None else f.value
    return f.threshold - edge


def _not_measured(series: _Series, eff: Effective) -> str | None:
    """Why samples are no measurement (timer resolution), or None."""
    if series.unit != "s" or not series.samples:
        return None  # no samples at all is the min_samples rule's to report
    if stats.below_resolution(series.samples, eff.timer_resolution):
        return (
            f"all {len(series.samples)} samples of {series.name} are at or below the timer "
            f"resolution of {format_value(eff.timer_resolution, 's')}: not a measurement"
        )
    return None


def _percentile_q(stat: str) -> float | None:
    if stat == "median":
        return 0.5
    if stat.startswith("p") and stat[1:].replace(".", "", 1).isdigit():
        return float(stat[1:]) / 100.0
    return None


def _point_stat(series: _Series, stat: str) -> float | None:
    """A harness-reported statistic, by the criteria vocabulary."""
    aliases = {"median": ("median", "p50"), "stdev": ("stdev", "std", "stddev")}
    for key in aliases.get(stat, (stat,)):
        if key in series.stats:
            return series.stats[key]
    q = _percentile_q(stat)
    if q is not None:
        for key, value in series.stats.items():
            kq = _percentile_q(key) if key != "median" else 0.5
            if kq is not None and math.isclose(kq, q):
                return value
    if stat == "count" and series.n is not None:
        return float(series.n)
    return None


def _sample_stat(samples: Sequence[float], stat: str, unit: str) -> float | None:
    if stat == "mean":
        return statistics.fmean(samples)
    if stat == "min":
        return min(samples)
    if stat == "max":
        return max(samples)
    if stat == "count":
        return float(len(samples))
    if stat == "stdev":
        return statistics.stdev(samples) if len(samples) > 1 else None
    if stat == "cv":
        return stats.cv(samples)
    if stat == "rate":
        # Samples of a duration: operations per second over the time they took.
        total = math.fsum(samples)
        return len(samples) / total if unit == "s" and total > 0 else None
    q = _percentile_q(stat)
    return stats.percentile(samples, q) if q is not None else None


def _stat_unit(stat: str, series: _Series) -> str:
    if stat in _UNITLESS:
        return ""
    if stat == "rate" and series.unit == "s":
        return "1/s"
    return series.unit


def _threshold_item(series: _Series, crit: Criterion, eff: Effective) -> _Item:
    stat = crit.stat or "mean"
    unit = _stat_unit(stat, series)
    limits = [(q, op) for q, op in ((crit.min, ">="), (crit.max, "<=")) if q is not None]
    # The threshold is shown even when no value can be, so an insufficient row still says
    # what it was held against.
    base = Figures(
        stat=stat,
        unit=unit,
        n=series.count,
        threshold=limits[0][0].value if limits else None,
        comparison=limits[0][1] if limits else None,
    )

    def item(status: Status, reason: str, figures: Figures, to_decide: str | None = None) -> _Item:
        return _Item(series.name, status, reason, figures, to_decide, series.inputs)

    for quantity, _op in limits:
        if not threshold_kind_matches(quantity, unit):
            return item(
                Status.INSUFFICIENT,
                f"the threshold {quantity} cannot be compared with {series.name} {stat}, "
                f"measured in {unit or 'plain numbers'}",
                base,
                "use a threshold in the metric's unit",
            )
    if series.samples is None:
        return _threshold_point(series, crit, eff, stat, unit, limits, base, item)
    samples = series.samples
    n = len(samples)
    if stat == "count":
        return _compare_point(series.name, stat, float(n), unit, limits, base, item, n=n)
    if (why := _not_measured(series, eff)) is not None:
        # No value is shown: a "0 s" beside a threshold would read as a measurement.
        return item(
            Status.INSUFFICIENT, why, base, "measure with a finer timer or a larger workload"
        )
    if n < eff.min_samples:
        return item(
            Status.INSUFFICIENT,
            f"{series.name} has {n} samples, fewer than the {eff.min_samples} required",
            base,
            f"at least {eff.min_samples} samples needed; {n} observed",
        )
    q = _percentile_q(stat)
    if q is not None:
        return _percentile_item(series, stat, q, unit, limits, eff, base, item)
    value = _sample_stat(samples, stat, series.unit)
    if value is None:
        return item(
            Status.INSUFFICIENT,
            f"{stat} of {series.name} is undefined for these samples",
            base,
        )
    return _compare_point(series.name, stat, value, unit, limits, base, item, n=n)


_ItemFactory = Callable[..., _Item]


def _compare_point(
    name: str,
    stat: str,
    value: float,
    unit: str,
    limits: list[tuple[Quantity, str]],
    base: Figures,
    item: _ItemFactory,
    *,
    n: int | None,
    point_estimate: bool = False,
) -> _Item:
    statuses = []
    broken: list[str] = []
    for quantity, op in limits:
        ok = value >= quantity.value if op == ">=" else value <= quantity.value
        statuses.append(Status.PASS if ok else Status.FAIL)
        if not ok:
            broken.append(f"{op} {quantity}")
    quantity, op = (
        limits[0] if not broken else next((q, o) for q, o in limits if f"{o} {q}" == broken[0])
    )
    figures = base.model_copy(
        update={
            "value": value,
            "n": n,
            "threshold": quantity.value,
            "comparison": op,
            "point_estimate": point_estimate,
        }
    )
    status = _combine(statuses)
    shown = _fmt(value, unit)
    note = " (a harness-reported point value, no samples)" if point_estimate else ""
    wanted = " and ".join(f"{o} {q}" for q, o in limits)
    if status is Status.PASS:
        reason = f"{name} {stat} is {shown}{note}, within {wanted}"
    else:
        reason = f"{name} {stat} is {shown}{note}, not {broken[0]}"
    return item(status, reason, figures)


def _percentile_item(
    series: _Series,
    stat: str,
    q: float,
    unit: str,
    limits: list[tuple[Quantity, str]],
    eff: Effective,
    base: Figures,
    item: _ItemFactory,
) -> _Item:
    assert series.samples is not None
    samples = series.samples
    c = eff.confidence
    computed: dict[str, stats.PercentileBound] = {}

    def bound(side: str) -> stats.PercentileBound:
        # Each side costs a sort and a binomial table; compute only the ones a decision needs.
        if side not in computed:
            computed[side] = stats.percentile_bound(samples, q, c, side)
        return computed[side]

    statuses: list[Status] = []
    reasons: list[str] = []
    to_decide: str | None = None
    label = f"{series.name} {stat}"
    for quantity, op in limits:
        limit = quantity.value
        # For a maximum, the upper bound must be below it to pass and the lower bound above it
        # to fail; a minimum mirrors that. A missing bound can neither pass nor fail.
        passing = bound("upper" if op == "<=" else "lower")
        estimate = _fmt(passing.estimate, unit)
        if passing.bound is not None and (
            passing.bound <= limit if op == "<=" else passing.bound >= limit
        ):
            statuses.append(Status.PASS)
            reasons.append(
                f"{label} is {estimate} and its {passing.side} {_conf(c)} bound "
                f"{_fmt(passing.bound, unit)} is within {op} {quantity}"
            )
            continue
        failing = bound("lower" if op == "<=" else "upper")
        if failing.bound is not None and (
            failing.bound > limit if op == "<=" else failing.bound < limit
        ):
            statuses.append(Status.FAIL)
            reasons.append(
                f"{label} is {estimate} and even its {failing.side} {_conf(c)} "
                f"bound {_fmt(failing.bound, unit)} is {'above' if op == '<=' else 'below'} "
                f"{quantity}"
            )
        elif passing.bound is None:
            statuses.append(Status.INSUFFICIENT)
            reasons.append(
                f"{label} (point value {estimate}) needs {passing.min_n} samples for a "
                f"{_conf(c)} {passing.side} bound; {len(samples)} observed"
            )
            to_decide = to_decide or (
                f"{passing.min_n} samples needed for a {_conf(c)} bound on {stat}; "
                f"{len(samples)} observed"
            )
        else:
            statuses.append(Status.INSUFFICIENT)
            reasons.append(
                f"the {_conf(c)} bounds of {label} ({_fmt(bound('lower').bound, unit)} to "
                f"{_fmt(bound('upper').bound, unit)}) straddle {quantity}"
            )
            to_decide = to_decide or (
                f"more samples, to narrow the bounds of {stat} on either side of {quantity}"
            )
    status = _combine(statuses)
    pick = next(i for i, s in enumerate(statuses) if s is status)
    quantity, op = limits[pick]
    any_bound = next(iter(computed.values()))
    figures = base.model_copy(
        update={
            "value": any_bound.estimate,
            "ci_low": computed["lower"].bound if "lower" in computed else None,
            "ci_high": computed["upper"].bound if "upper" in computed else None,
            "confidence": c,
            "n": len(samples),
            "threshold": quantity.value,
            "comparison": op,
        }
    )
    return item(
        status, reasons[pick], figures, to_decide if status is Status.INSUFFICIENT else None
    )


def _threshold_point(
    series: _Series,
    crit: Criterion,
    eff: Effective,
    stat: str,
    unit: str,
    limits: list[tuple[Quantity, str]],
    base: Figures,
    item: _ItemFactory,
) -> _Item:
    value = _point_stat(series, stat)
    if value is None:
        have = ", ".join(sorted(series.stats)) or "nothing"
        return item(
            Status.INSUFFICIENT,
            f"{series.name} has no samples and no {stat} (it reports {have})",
            base,
            f"record raw samples of {series.name}, or a {stat}",
        )
    if series.n is not None and series.n < eff.min_samples and stat != "count":
        return item(
            Status.INSUFFICIENT,
            f"{series.name} {stat} rests on {series.n} observations, fewer than the "
            f"{eff.min_samples} required",
            base.model_copy(update={"value": value, "point_estimate": True}),
            f"at least {eff.min_samples} samples needed; {series.n} observed",
        )
    if unit == "s" and abs(value) <= eff.timer_resolution:
        return item(
            Status.INSUFFICIENT,
            f"{series.name} {stat} is {_fmt(value, unit)}, at or below the timer resolution of "
            f"{format_value(eff.timer_resolution, 's')}: not a measurement",
            base.model_copy(update={"value": value, "point_estimate": True}),
            "measure with a finer timer or a larger workload",
        )
    return _compare_point(
        series.name, stat, value, unit, limits, base, item, n=series.n, point_estimate=True
    )


def _variance_item(series: _Series, crit: Criterion, eff: Effective) -> _Item:
    assert crit.max_cv is not None
    robust = crit.cv_method == "robust"
    stat = "robust_cv" if robust else "cv"
    base = Figures(
        stat=stat, unit="ratio", n=series.count, threshold=crit.max_cv.value, comparison="<="
    )

    def item(status: Status, reason: str, figures: Figures, to_decide: str | None = None) -> _Item:
        return _Item(series.name, status, reason, figures, to_decide, series.inputs)

    point = False
    if series.samples is None:
        value = series.stats.get("cv")
        if value is None and series.stats.get("stdev") is not None and series.stats.get("mean"):
            value = series.stats["stdev"] / abs(series.stats["mean"])
        if value is None:
            return item(
                Status.INSUFFICIENT,
                f"{series.name} has no samples and no cv or stdev with mean",
                base,
                f"record raw samples of {series.name}",
            )
        if series.n is not None and series.n < eff.min_samples:
            return item(
                Status.INSUFFICIENT,
                f"{series.name} cv rests on {series.n} observations, fewer than the "
                f"{eff.min_samples} required",
                base,
                f"at least {eff.min_samples} samples needed; {series.n} observed",
            )
        point, stat = True, "cv"
    else:
        if (why := _not_measured(series, eff)) is not None:
            return item(Status.INSUFFICIENT, why, base, "measure with a finer timer")
        n = len(series.samples)
        if n < eff.min_samples:
            return item(
                Status.INSUFFICIENT,
                f"{series.name} has {n} samples, fewer than the {eff.min_samples} required",
                base,
                f"at least {eff.min_samples} samples needed; {n} observed",
            )
        value = stats.robust_cv(series.samples) if robust else stats.cv(series.samples)
        if value is None:
            centre = "median" if robust else "mean"
            return item(
                Status.INSUFFICIENT,
                f"the {stat.replace('_', ' ')} of {series.name} is undefined (its {centre} is 0)",
                base,
            )
    figures = base.model_copy(update={"value": value, "stat": stat, "point_estimate": point})
    label = "robust CV" if stat == "robust_cv" else "CV"
    note = " (from harness-reported statistics)" if point else ""
    if value <= crit.max_cv.value:
        return item(
            Status.PASS,
            f"{series.name} {label} is {format_percent(value)}{note}, within {crit.max_cv}",
            figures,
        )
    return item(
        Status.FAIL,
        f"{series.name} {label} is {format_percent(value)}{note}, above {crit.max_cv}",
        figures,
    )


# --- baseline comparison ---------------------------------------------------------------------


def _tolerance(crit: Criterion, direction: Direction, base_centre: float) -> float:
    """The ratio current/baseline at the edge of the tolerance."""
    lower_better = direction is Direction.LOWER_IS_BETTER
    edges: list[float] = []
    if crit.max_regression is not None:
        rel = crit.max_regression.value
        edges.append(1.0 + rel if lower_better else 1.0 - rel)
    if crit.max_regression_abs is not None and base_centre > 0:
        rel = crit.max_regression_abs.value / base_centre
        edges.append(1.0 + rel if lower_better else 1.0 - rel)
    # With both tolerances, the more lenient applies (like an absolute floor under a relative
    # tolerance for very small values).
    return max(edges) if lower_better else min(edges)


def _tolerance_text(crit: Criterion) -> str:
    parts = []
    if crit.max_regression is not None:
        parts.append(str(crit.max_regression))
    if crit.max_regression_abs is not None:
        parts.append(str(crit.max_regression_abs))
    return " or ".join(parts)


def _baseline_items(
    ctx: _Context, crit: Criterion, eff: Effective, names: list[str]
) -> list[_Item]:
    items: list[_Item | None] = []
    estimates: dict[int, tuple[stats.RatioEstimate, _Series, _Series]] = {}
    for idx, name in enumerate(names):
        cur = ctx.series[name]
        base = ctx.base_series.get(name)
        early = _baseline_precheck(cur, base, crit, eff)
        if early is not None:
            items.append(early)
            continue
        assert base is not None
        if cur.samples is None or base.samples is None:
            items.append(_baseline_point(cur, base, crit, eff))
            continue
        estimates[idx] = (
            stats.hodges_lehmann_ratio(base.samples, cur.samples, eff.confidence),
            cur,
            base,
        )
        items.append(None)
    # Holm: with m comparisons, the one with the k-th smallest p-value is judged on an interval
    # at level 1 - (1 - c) / (m - k), the step-down levels of Holm's procedure.
    adjusted: dict[int, float] = {}
    levels: dict[int, float] = {}
    tested = [i for i, (e, _, _) in estimates.items() if e.p_value is not None]
    if len(estimates) > 1:
        ps = [estimates[i][0].p_value for i in tested]
        adj = stats.holm([p for p in ps if p is not None])
        adjusted = dict(zip(tested, adj, strict=True))
        order = sorted(tested, key=lambda i: (estimates[i][0].p_value, i))
        m = len(estimates)
        for k, i in enumerate(order):
            levels[i] = 1.0 - (1.0 - eff.confidence) / (m - k)
        for i in estimates:
            levels.setdefault(i, 1.0 - (1.0 - eff.confidence) / m)
    out: list[_Item] = []
    for idx, maybe in enumerate(items):
        if maybe is not None:
            out.append(maybe)
            continue
        estimate, cur, base = estimates[idx]
        level = levels.get(idx, eff.confidence)
        if not math.isclose(level, eff.confidence):
            estimate = stats.hodges_lehmann_ratio(base.samples or (), cur.samples or (), level)
        judged = _baseline_judge(estimate, cur, base, crit, eff, level)
        judged.p_value = estimates[idx][0].p_value
        judged.adjusted_p_value = adjusted.get(idx)
        out.append(judged)
    return out


def _baseline_precheck(
    cur: _Series, base: _Series | None, crit: Criterion, eff: Effective
) -> _Item | None:
    """An insufficient item when the comparison cannot be made at all, else None."""
    figures = Figures(stat="change", unit="ratio", n=cur.count)

    def item(reason: str, to_decide: str | None) -> _Item:
        return _Item(
            cur.name,
            Status.INSUFFICIENT,
            reason,
            figures.model_copy(update={"n_baseline": base.count if base else None}),
            to_decide,
            cur.inputs,
            base.inputs if base else (),
        )

    if base is None:
        return item(f"{cur.name} is not in the baseline", f"record {cur.name} in the baseline run")
    if base.unit != cur.unit:
        return item(
            f"{cur.name} is in {cur.unit or 'no unit'} now but {base.unit or 'no unit'} in the "
            "baseline",
            None,
        )
    abs_tol = crit.max_regression_abs
    if abs_tol is not None and not threshold_kind_matches(abs_tol, cur.unit):
        return item(
            f"the tolerance {abs_tol} cannot be compared with {cur.name}, "
            f"measured in {cur.unit or 'plain numbers'}",
            None,
        )
    if cur.samples is None or base.samples is None:
        if not crit.allow_point_estimates:
            which = " and ".join(
                side
                for side, s in (("the current run", cur), ("the baseline", base))
                if s.samples is None
            )
            return item(
                f"comparing {cur.name} with the baseline needs samples on both sides; {which} "
                "only has summary statistics",
                "record raw samples, or set allow_point_estimates: true (weaker evidence)",
            )
        return None
    for side, s in (("current", cur), ("baseline", base)):
        why = _not_measured(s, eff)
        if why is not None:
            return item(f"{side}: {why}", "measure with a finer timer or a larger workload")
    n, nb = len(cur.samples), len(base.samples)
    if min(n, nb) < eff.min_samples:
        return item(
            f"{cur.name} has {nb} baseline and {n} current samples, fewer than the "
            f"{eff.min_samples} per side required",
            f"at least {eff.min_samples} samples per side needed; {nb} and {n} observed",
        )
    if min(cur.samples) <= 0 or min(base.samples) <= 0:
        return item(
            f"{cur.name} has values at or below zero, so a ratio to the baseline is undefined",
            None,
        )
    return None


def _baseline_judge(
    estimate: stats.RatioEstimate,
    cur: _Series,
    base: _Series,
    crit: Criterion,
    eff: Effective,
    level: float,
) -> _Item:
    assert cur.samples is not None and base.samples is not None
    lower_better = cur.direction is Direction.LOWER_IS_BETTER
    base_median = stats.percentile(base.samples, 0.5)
    cur_median = stats.percentile(cur.samples, 0.5)
    edge = _tolerance(crit, cur.direction, base_median)
    change = estimate.ratio - 1.0
    low = None if estimate.low is None else estimate.low - 1.0
    high = None if estimate.high is None else estimate.high - 1.0
    regression = change > 0 if lower_better else change < 0
    figures = Figures(
        stat="change",
        unit="ratio",
        value=change,
        ci_low=low,
        ci_high=high,
        confidence=level,
        n=len(cur.samples),
        n_baseline=len(base.samples),
        baseline_value=base_median,
        threshold=edge - 1.0,
        comparison="<=" if lower_better else ">=",
        change=change,
        regression=regression,
    )
    word = "regressed" if regression else ("improved" if change != 0 else "is unchanged")
    medians = f"median {_fmt(base_median, cur.unit)} → {_fmt(cur_median, cur.unit)}"
    tol = _tolerance_text(crit)

    def item(status: Status, reason: str, to_decide: str | None = None) -> _Item:
        return _Item(cur.name, status, reason, figures, to_decide, cur.inputs, base.inputs)

    if estimate.low is None or estimate.high is None:
        return item(
            Status.INSUFFICIENT,
            f"{cur.name} {word} by {_signed_pct(change)} ({medians}) but {len(base.samples)} and "
            f"{len(cur.samples)} samples are too few for a {_conf(level)} interval",
            "more samples per side",
        )
    ci = f"{_conf(level)} CI {_signed_pct(low or 0.0)} to {_signed_pct(high or 0.0)}"
    head = f"{cur.name} {word} by {_signed_pct(change)} against the baseline ({ci}; {medians})"
    inside = estimate.high <= edge if lower_better else estimate.low >= edge
    beyond = estimate.low > edge if lower_better else estimate.high < edge
    if inside:
        return item(Status.PASS, f"{head}, within the {tol} tolerance")
    if beyond:
        return item(Status.FAIL, f"{head}, beyond the {tol} tolerance")
    needed = stats.samples_to_decide(estimate, edge)
    n_now = min(len(cur.samples), len(base.samples))
    if needed is None:
        to_decide = "the estimate sits on the tolerance; more samples are unlikely to decide it"
    else:
        more = max(needed - n_now, 1)
        to_decide = f"about {more} more samples per side ({max(needed, n_now + 1)} per side in all)"
    return item(
        Status.INSUFFICIENT, f"{head}: the interval straddles the {tol} tolerance", to_decide
    )


def _baseline_point(cur: _Series, base: _Series, crit: Criterion, eff: Effective) -> _Item:
    """Compare a point statistic of each side (allow_point_estimates); weaker, no interval."""
    stat = crit.stat or "median"
    values = []
    for s in (cur, base):
        v = _sample_stat(s.samples, stat, s.unit) if s.samples else _point_stat(s, stat)
        if v is None and not crit.stat and s.samples is None:
            stat_alt = "mean"
            v = _point_stat(s, stat_alt)
        values.append(v)
    now, then = values
    figures = Figures(
        stat="change", unit="ratio", n=cur.count, n_baseline=base.count, point_estimate=True
    )

    def item(status: Status, reason: str, to_decide: str | None = None) -> _Item:
        return _Item(cur.name, status, reason, figures, to_decide, cur.inputs, base.inputs)

    if now is None or then is None or then <= 0 or now <= 0:
        return item(
            Status.INSUFFICIENT,
            f"{cur.name} has no positive {stat} on both sides to compare",
            f"record raw samples or a {stat} of {cur.name} in both runs",
        )
    for s, v in ((cur, now), (base, then)):
        if s.unit == "s" and v <= eff.timer_resolution:
            return item(
                Status.INSUFFICIENT,
                f"{cur.name} {stat} is at or below the timer resolution: not a measurement",
                "measure with a finer timer or a larger workload",
            )
    lower_better = cur.direction is Direction.LOWER_IS_BETTER
    ratio = now / then
    edge = _tolerance(crit, cur.direction, then)
    change = ratio - 1.0
    regression = change > 0 if lower_better else change < 0
    figures = figures.model_copy(
        update={
            "value": change,
            "baseline_value": then,
            "threshold": edge - 1.0,
            "comparison": "<=" if lower_better else ">=",
            "change": change,
            "regression": regression,
        }
    )
    word = "regressed" if regression else ("improved" if change != 0 else "is unchanged")
    head = (
        f"{cur.name} {word} by {_signed_pct(change)} against the baseline ({stat} "
        f"{_fmt(then, cur.unit)} → {_fmt(now, cur.unit)}; point estimates, no interval: weaker "
        "evidence)"
    )
    ok = ratio <= edge if lower_better else ratio >= edge
    tol = _tolerance_text(crit)
    if ok:
        return item(Status.PASS, f"{head}, within the {tol} tolerance")
    return item(Status.FAIL, f"{head}, beyond the {tol} tolerance")


# --- tests criteria --------------------------------------------------------------------------


@dataclass
class _Check:
    status: Status
    reason: str
    figures: Figures
    to_decide: str | None = None
    ids: list[str] = field(default_factory=list)  # tests this check singles out


def _executed(counts: dict[Outcome, int]) -> int:
    return counts[Outcome.PASSED] + counts[Outcome.FAILED] + counts[Outcome.ERROR]


def _tests_criterion(ctx: _Context, crit: Criterion, eff: Effective) -> _Outcome:
    spec = crit.tests
    assert spec is not None
    run = ctx.run
    table = run.tests
    if not _needs_selection(spec):
        selected: list[int] = []  # only `require`: its own rows are the evidence
    elif spec.select:
        selected = ctx.select_tests(spec.select)
    else:
        selected = list(range(len(table)))
    if len(selected) == len(table):
        counts = table.outcome_counts()  # every test: count the outcome column in one go
    else:
        counts = dict.fromkeys(Outcome, 0)
        for i in selected:
            counts[table.outcome_of(i)] += 1
    checks: list[_Check] = []
    singled: list[int] = []
    if spec.require is not None:
        check, rows = _require_check(ctx, spec.require)
        checks.append(check)
        singled.extend(rows)
    scope = f"tests matching {_list_ids(list(spec.select))}" if spec.select else "tests"
    if spec.select and not selected and _needs_selection(spec):
        checks.append(
            _Check(
                Status.INSUFFICIENT,
                f"no test matches select {_list_ids(list(spec.select))}",
                Figures(stat="total", value=0, n=0),
                "run the selected tests (or fix the pattern)",
            )
        )
    elif not selected and _needs_selection(spec):
        checks.append(
            _Check(
                Status.INSUFFICIENT,
                "the inputs contain no tests",
                Figures(stat="total", value=0, n=0),
                "give the test results as inputs",
            )
        )
    else:
        checks.extend(_count_checks(ctx, spec, eff, selected, counts, scope, singled))
    stale = ctx.stale((table.input_of(i) for i in [*selected, *singled]), eff.max_age)
    if stale is not None:
        checks.insert(0, _Check(Status.INSUFFICIENT, stale, Figures(), "run the tests again"))
    status = _combine(c.status for c in checks)
    deciding = [c for c in checks if c.status is status]
    reason = "; ".join(c.reason for c in deciding)
    to_decide = next((c.to_decide for c in deciding if c.to_decide), None)
    figures = deciding[0].figures
    # Evidence: every input holding a selected or required test, singled-out ids first. Ids are
    # built only for the rows listed (a run may hold a million tests).
    rows = list(dict.fromkeys([*singled, *selected])) if singled else selected
    totals: dict[int, int] = defaultdict(int)
    for i in rows:
        totals[table.input_of(i)] += 1
    first_ids = dict.fromkeys(x for c in deciding for x in c.ids)
    first_rows: list[int] = []
    if first_ids:
        notable = {
            table.id_of(i): i
            for i in rows
            if table.outcome_of(i) is not Outcome.PASSED or table.is_flaky(i)
        }
        first_rows = [notable[t] for t in first_ids if t in notable]
    per_input: dict[int, list[str]] = {index: [] for index in totals}
    listed: set[int] = set()
    for i in [*first_rows, *rows]:
        bucket = per_input[table.input_of(i)]
        if i not in listed and len(bucket) < MAX_IDS_PER_REF:
            bucket.append(table.id_of(i))
            listed.add(i)
    evidence = ctx.refs(per_input, kind="tests", totals=totals)
    if spec.new_failures is not None and ctx.baseline is not None and ctx.baseline.inputs:
        base_inputs: dict[int, list[str]] = {
            ctx.baseline.tests.input_of(i): [] for i in range(len(ctx.baseline.tests))
        }
        evidence.extend(
            ctx.refs(dict(base_inputs), baseline=True, kind="tests", totals=defaultdict(int))
        )
    return _Outcome(status, reason, figures, to_decide, tuple(evidence))


def _needs_selection(spec: TestsSpec) -> bool:
    return any(
        v is not None
        for v in (
            spec.min_pass_rate,
            spec.new_failures,
            spec.min_total,
            spec.max_failed,
            spec.max_skipped,
            spec.max_flaky,
        )
    )


def _require_check(ctx: _Context, patterns: Sequence[str]) -> tuple[_Check, list[int]]:
    table = ctx.run.tests
    # One pass over the run with every pattern, then each pattern over the rows that matched.
    candidates = ctx.select_tests(patterns)
    missing: list[str] = []
    failing: list[str] = []
    skipped: list[str] = []
    rows: list[int] = []
    matched = 0
    for pattern in patterns:
        found = ctx.select_tests([pattern], candidates)
        if not found:
            missing.append(pattern)
        for i in found:
            rows.append(i)
            outcome = table.outcome_of(i)
            if outcome in (Outcome.FAILED, Outcome.ERROR):
                failing.append(table.id_of(i))
            elif outcome is Outcome.SKIPPED:
                skipped.append(table.id_of(i))
        matched += len(found)
    rows = list(dict.fromkeys(rows))
    figures = Figures(
        stat="required_failed",
        value=float(len(failing)),
        n=len(rows),
        threshold=0.0,
        comparison="<=",
    )
    if failing:
        return (
            _Check(
                Status.FAIL,
                f"{len(failing)} required test{'s' if len(failing) > 1 else ''} failed: "
                f"{_list_ids(failing)}",
                figures,
                ids=failing,
            ),
            rows,
        )
    if missing or skipped:
        parts = []
        if missing:
            parts.append(f"no test matches required {_list_ids([repr(p) for p in missing])}")
        if skipped:
            parts.append(
                f"{len(skipped)} required test{'s were' if len(skipped) > 1 else ' was'} "
                f"skipped: {_list_ids(skipped)}"
            )
        return (
            _Check(
                Status.INSUFFICIENT,
                "; ".join(parts),
                figures,
                "run the required tests: each must exist and pass",
                ids=skipped,
            ),
            rows,
        )
    return (
        _Check(
            Status.PASS,
            f"all {len(rows)} required tests passed"
            if len(rows) > 1
            else f"the required test {table.id_of(rows[0])} passed",
            figures,
        ),
        rows,
    )


def _count_checks(
    ctx: _Context,
    spec: TestsSpec,
    eff: Effective,
    selected: list[int],
    counts: dict[Outcome, int],
    scope: str,
    singled: list[int],
) -> list[_Check]:
    table = ctx.run.tests
    total = len(selected)
    executed = _executed(counts)
    failed = counts[Outcome.FAILED] + counts[Outcome.ERROR]
    checks: list[_Check] = []
    if spec.min_total is not None:
        figures = Figures(
            stat="total",
            value=float(total),
            n=total,
            threshold=float(spec.min_total),
            comparison=">=",
        )
        if total >= spec.min_total:
            checks.append(
                _Check(Status.PASS, f"{total} {scope} (at least {spec.min_total})", figures)
            )
        else:
            checks.append(
                _Check(
                    Status.INSUFFICIENT,
                    f"only {total} {scope}, fewer than the {spec.min_total} expected",
                    figures,
                    f"{spec.min_total} tests needed; {total} present",
                )
            )
    if spec.min_pass_rate is not None:
        checks.append(_pass_rate_check(spec.min_pass_rate, counts, eff, scope))
    if spec.max_failed is not None:
        figures = Figures(
            stat="failed",
            value=float(failed),
            n=executed,
            threshold=float(spec.max_failed),
            comparison="<=",
        )
        bad = [
            table.id_of(i)
            for i in selected
            if table.outcome_of(i) in (Outcome.FAILED, Outcome.ERROR)
        ]
        if executed == 0:
            checks.append(
                _Check(
                    Status.INSUFFICIENT,
                    f"none of the {total} {scope} ran",
                    figures,
                    "run the tests",
                )
            )
        elif failed <= spec.max_failed:
            checks.append(
                _Check(
                    Status.PASS,
                    f"{failed} of {executed} {scope} failed (at most {spec.max_failed})",
                    figures,
                )
            )
        else:
            checks.append(
                _Check(
                    Status.FAIL,
                    f"{failed} of {executed} {scope} failed, more "
                    f"than {spec.max_failed}: {_list_ids(bad)}",
                    figures,
                    ids=bad,
                )
            )
    if spec.max_skipped is not None:
        skipped = counts[Outcome.SKIPPED]
        figures = Figures(
            stat="skipped",
            value=float(skipped),
            n=total,
            threshold=float(spec.max_skipped),
            comparison="<=",
        )
        ids = [table.id_of(i) for i in selected if table.outcome_of(i) is Outcome.SKIPPED]
        if skipped <= spec.max_skipped:
            checks.append(
                _Check(
                    Status.PASS,
                    f"{skipped} of {total} {scope} skipped (at most {spec.max_skipped})",
                    figures,
                )
            )
        else:
            checks.append(
                _Check(
                    Status.FAIL,
                    f"{skipped} of {total} {scope} skipped, more "
                    f"than {spec.max_skipped}: {_list_ids(ids)}",
                    figures,
                    ids=ids,
                )
            )
    if spec.max_flaky is not None:
        flaky = [table.id_of(i) for i in selected if table.is_flaky(i)]
        figures = Figures(
            stat="flaky",
            value=float(len(flaky)),
            n=total,
            threshold=float(spec.max_flaky),
            comparison="<=",
        )
        if len(flaky) <= spec.max_flaky:
            checks.append(
                _Check(
                    Status.PASS,
                    f"{len(flaky)} of {total} {scope} flaky (at most {spec.max_flaky})",
                    figures,
                )
            )
        else:
            checks.append(
                _Check(
                    Status.FAIL,
                    f"{len(flaky)} of {total} {scope} flaky, more "
                    f"than {spec.max_flaky}: {_list_ids(flaky)}",
                    figures,
                    ids=flaky,
                )
            )
    if spec.new_failures is not None:
        checks.append(_new_failures_check(ctx, spec, selected))
    return checks


def _pass_rate_check(
    target_q: Quantity, counts: dict[Outcome, int], eff: Effective, scope: str
) -> _Check:
    target = target_q.value
    c = eff.confidence
    passed = counts[Outcome.PASSED]
    executed = _executed(counts)
    failed = executed - passed
    figures = Figures(
        stat="pass_rate", unit="ratio", n=executed, threshold=target, comparison=">=", confidence=c
    )
    if executed == 0:
        return _Check(
            Status.INSUFFICIENT,
            f"none of the {scope} ran, so there is no pass rate",
            figures,
            "run the tests",
        )
    bounds = stats.clopper_pearson(passed, executed, c)
    figures = figures.model_copy(
        update={"value": bounds.estimate, "ci_low": bounds.lower, "ci_high": bounds.upper}
    )
    observed = f"{passed} of {executed} {scope} passed ({format_percent(bounds.estimate)})"
    if bounds.lower >= target:
        return _Check(
            Status.PASS,
            f"{observed}; the {_conf(c)} lower bound {format_percent(bounds.lower)} reaches "
            f"{target_q}",
            figures,
        )
    if bounds.upper < target:
        return _Check(
            Status.FAIL,
            f"{observed}; even the {_conf(c)} upper bound {format_percent(bounds.upper)} is "
            f"below {target_q}",
            figures,
        )
    reason = (
        f"{observed}, but the {_conf(c)} lower bound {format_percent(bounds.lower)} cannot show "
        f"{target_q}"
    )
    return _Check(
        Status.INSUFFICIENT, reason, figures, _passes_to_decide(passed, failed, target, c)
    )


def _passes_to_decide(passed: int, failed: int, target: float, confidence: float) -> str:
    """How many more consecutive passes would show the target rate."""
    if target >= 1.0:
        return "no number of runs can show a 100% pass rate; use max_failed: 0 instead"
    if failed == 0:
        needed = stats.min_consecutive_successes(target, confidence)
        return f"{needed} consecutive passes needed; {passed} observed"

    def enough(extra: int) -> bool:
        n = passed + failed + extra
        return stats.clopper_pearson(passed + extra, n, confidence).lower >= target

    hi = 1
    while not enough(hi):
        hi *= 2
        if hi > 10**9:
            return "the failures seen so far keep the rate out of reach"
    lo = hi // 2
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if enough(mid):
            hi = mid
        else:
            lo = mid
    return (
        f"{hi} more consecutive passes needed ({passed + failed} executed so far, {failed} failed)"
    )


def _new_failures_check(ctx: _Context, spec: TestsSpec, selected: list[int]) -> _Check:
    assert spec.new_failures is not None
    limit = spec.new_failures
    figures = Figures(stat="new_failures", threshold=float(limit), comparison="<=")
    base = ctx.baseline
    if base is None:
        return _Check(
            Status.INSUFFICIENT,
            "new failures can only be counted against a baseline, and none was given",
            figures,
            "run again with --baseline PATH",
        )
    if len(base.tests) == 0:
        return _Check(
            Status.INSUFFICIENT,
            "the baseline contains no tests to compare with",
            figures,
            "give a baseline with test results",
        )
    table = ctx.run.tests
    bad = (Outcome.FAILED, Outcome.ERROR)
    failed_before = {base.tests.id_of(i) for i in base.tests.indices_with_outcome(*bad)}
    failing_now = [table.id_of(i) for i in selected if table.outcome_of(i) in bad]
    new = list(dict.fromkeys(t for t in failing_now if t not in failed_before))
    still = len(set(failing_now)) - len(new)
    figures = figures.model_copy(
        update={"value": float(len(new)), "n": len(selected), "n_baseline": len(base.tests)}
    )
    carried = f" ({still} failing in the baseline too)" if still else ""
    if len(new) <= limit:
        return _Check(
            Status.PASS,
            f"{len(new)} new failures against the baseline (at most {limit}){carried}",
            figures,
        )
    return _Check(
        Status.FAIL,
        f"{len(new)} tests fail now that did not fail in the baseline, "
        f"more than {limit}: {_list_ids(new)}{carried}",
        figures,
        ids=new,
    )


# --- putting it together -----------------------------------------------------------------------


def _judge(ctx: _Context, crit: Criterion, eff: Effective) -> _Outcome:
    if crit.kind == "tests":
        return _tests_criterion(ctx, crit, eff)
    return _metric_criterion(ctx, crit, eff)


def _has_evidence(run: Run) -> bool:
    return bool(run.inputs) and (len(run.tests) > 0 or bool(run.metrics))


def overall_verdict(results: Sequence[CriterionResult], has_evidence: bool = True) -> Verdict:
    """NOT READY if a blocker fails; else INSUFFICIENT EVIDENCE if a blocker is insufficient,
    there is no blocker, or no evidence at all; else READY. Advisory criteria never count."""
    blockers = [r for r in results if r.severity is Severity.BLOCKER]
    if any(r.status is Status.FAIL for r in blockers):
        return Verdict.NOT_READY
    if not has_evidence or not blockers or any(r.status is Status.INSUFFICIENT for r in blockers):
        return Verdict.INSUFFICIENT
    return Verdict.READY


def evaluate(
    run: Run,
    criteria: CriteriaFile,
    baseline: Run | None = None,
    *,
    now: datetime | None = None,
    criteria_path: str | None = None,
    criteria_sha256: str | None = None,
) -> Evaluation:
    """Judge every criterion on the evidence in `run` (and `baseline`) and give the verdict.

    `now` (default: SOURCE_DATE_EPOCH, else the current UTC time) decides waiver expiry and
    input staleness.
    """
    moment = resolve_now(now)
    ctx = _Context(run, baseline, moment)
    results: list[CriterionResult] = []
    for phase, crit in criteria.all_criteria():
        eff = criteria.effective(crit)
        outcome = _judge(ctx, crit, eff)
        status, waiver = _apply_waivers(ctx, criteria, crit, outcome.status)
        results.append(
            CriterionResult(
                id=crit.id,
                title=crit.title,
                kind=crit.kind,
                severity=crit.severity,
                status=status,
                raw_status=outcome.status,
                impact=crit.impact,
                phase=phase,
                metric=crit.metric,
                figures=outcome.figures,
                items=outcome.items,
                evidence=outcome.evidence,
                reason=_sentence(outcome.reason),
                to_decide=outcome.to_decide if outcome.status is Status.INSUFFICIENT else None,
                waiver=waiver,
            )
        )
    evidence = _has_evidence(run)
    if not evidence:
        ctx.warnings.append(
            "no evidence: the inputs hold no tests and no metrics"
            if run.inputs
            else "no evidence: no result files were given or found"
        )
    phases = tuple(
        PhaseResult(
            name=phase.name,
            verdict=overall_verdict([r for r in results if r.phase == phase.name], evidence),
            criteria=tuple(c.id for c in phase.criteria),
        )
        for phase in criteria.phases
    )
    return Evaluation(
        title=criteria.report.title,
        subject=criteria.report.subject,
        verdict=overall_verdict(results, evidence),
        criteria=tuple(results),
        phases=phases,
        warnings=tuple(dict.fromkeys(ctx.warnings)),
        criteria_file=criteria_path,
        criteria_sha256=criteria_sha256,
        failing_tests=failing_tests(run),
    )


#: Characters of a failure message kept in the verdict JSON (messages can be whole traces).
FAILING_MESSAGE_CHARS = 1000


def failing_tests(run: Run) -> tuple[FailingTest, ...]:
    """Every failed, erroring and flaky test, in input order: the complete list the reports
    point to when they show only the first few."""
    tests = run.tests
    chosen = sorted(
        {*tests.indices_with_outcome(Outcome.FAILED, Outcome.ERROR), *tests.flaky_indices()}
    )
    out = []
    for i in chosen:
        case = tests[i]
        flaky = case.outcome not in (Outcome.FAILED, Outcome.ERROR)
        message = case.message
        if flaky and not message:
            # A flaky test passed in the end; the message worth showing is the failed attempt's.
            message = next((a.message for a in case.attempts if a.message), None)
        message = " ".join(clean_text(message or "").split())[:FAILING_MESSAGE_CHARS]
        source = run.inputs[case.input].path if 0 <= case.input < len(run.inputs) else ""
        out.append(
            FailingTest(
                id=clean_text(case.id),
                outcome="flaky" if flaky else case.outcome.value,
                message=message or None,
                source=clean_text(source),
                file=clean_text(case.file) if case.file else None,
                line=case.line,
            )
        )
    return tuple(out)


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def _apply_waivers(
    ctx: _Context, criteria: CriteriaFile, crit: Criterion, raw: Status
) -> tuple[Status, Waiver | None]:
    """The status after waivers. An expired waiver is ignored (with a warning) but still shown;
    a waiver only turns fail or insufficient into waived, it never hides the criterion."""
    today = ctx.now.date()
    chosen: Waiver | None = None
    for spec in criteria.waivers:
        if spec.criterion != crit.id:
            continue
        active = spec.expires is None or spec.expires >= today
        waiver = Waiver(
            reason=spec.reason,
            expires=spec.expires.isoformat() if spec.expires else None,
            active=active,
        )
        if not active:
            ctx.warnings.append(
                f"the waiver for {crit.id} expired on {spec.expires}; it was ignored"
            )
        if chosen is None or (active and not chosen.active):
            chosen = waiver
    if chosen is not None and chosen.active and raw in (Status.FAIL, Status.INSUFFICIENT):
        return Status.WAIVED, chosen
    return raw, chosen
