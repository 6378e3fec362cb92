"""What the metric kinds share: one judgement per matching metric, folded into the criterion's
outcome, and the statistics of a series (from samples or as the harness reported them)."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence

from reportgen import stats
from reportgen.criteria import Criterion, Effective, Quantity
from reportgen.errors import CriteriaError
from reportgen.evaluate.context import GLOB, Context, Judgement, Series, combine, matching_names
from reportgen.evaluate.wording import conf, fmt, list_ids
from reportgen.evaluation import Figures, MetricResult, Status
from reportgen.model import Direction
from reportgen.patterns import did_you_mean
from reportgen.records import record
from reportgen.statistic import harness_keys, percentile_q
from reportgen.units import format_value, threshold_problem

#: Judges every metric a criterion covers, by name (one call, so a kind may correct across them).
ItemsJudge = Callable[[Context, Criterion, Effective, list[str]], list["Item"]]


@record(frozen=False)
class Item:
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


def judge_metric(ctx: Context, crit: Criterion, eff: Effective, judge: ItemsJudge) -> Judgement:
    """Judge every metric `crit.metric` covers with `judge`, then fold the items into one
    outcome; no matching metric, one the baseline has and the current run lacks, or stale
    inputs, is insufficient."""
    pattern = crit.metric
    assert pattern is not None
    names = matching_names(pattern, ctx.series)
    # A metric the pattern finds in the baseline but not now (a benchmark that crashed and
    # wrote nothing) is missing evidence, not one metric fewer to judge.
    gone = sorted(
        {ctx.base_series[k].metric or k for k in matching_names(pattern, ctx.base_series)}
        - {ctx.series[k].metric or k for k in names}
    )
    if not names:
        what = (
            f"no metric matches {pattern!r}"
            if GLOB.search(pattern)
            else (f"metric {pattern} is in no input")
        )
        if gone:
            what = f"{what}, though the baseline has {list_ids(gone)}"
        else:
            what += did_you_mean(pattern, sorted({s.metric or k for k, s in ctx.series.items()}))
        return Judgement(
            Status.INSUFFICIENT,
            what,
            to_decide=f"record {pattern} in the results (or check the name in the criteria file)",
        )
    for name in names:
        if ctx.series[name].note:
            ctx.warnings.append(ctx.series[name].note or "")
    items = judge(ctx, crit, eff, names)
    items.extend(
        Item(
            metric=name,
            status=Status.INSUFFICIENT,
            reason=f"{name} is in the baseline but not in the current run",
            figures=Figures(stat=crit.stat),
            to_decide=f"record {name} again (did its benchmark crash?)",
        )
        for name in gone
    )
    # Records of one metric in several units: which unit the metric is in is unknown, so the
    # records judged may not be the ones meant (one input in s, another without a unit).
    for item in items:
        mixed = [
            f"{where}{item.metric} is recorded in {series.unit or 'no unit'} and in "
            f"{', '.join(series.other_units)}"
            for where, series in (
                ("", ctx.series.get(item.metric)),
                ("the baseline's ", ctx.base_series.get(item.metric)),
            )
            if series is not None and series.other_units
        ]
        if mixed and item.status is not Status.INSUFFICIENT:
            item.status = Status.INSUFFICIENT
            item.reason = f"{mixed[0]}: which unit it is measured in is unknown"
            item.to_decide = f"record {item.metric} in one unit in every input"
    # Stale inputs make every item insufficient, whatever the numbers say.
    for item in items:
        stale = ctx.stale(item.inputs, eff.max_age) or ctx.stale(
            item.base_inputs, eff.max_age, baseline=True
        )
        if stale is not None and item.status is not Status.INSUFFICIENT:
            item.status = Status.INSUFFICIENT
            item.reason = f"{item.metric}: {stale.reason}"
            item.to_decide = stale.to_decide or "measure again: the evidence is stale"
    return _from_items(ctx, pattern, items, multi=len(names) > 1 or bool(GLOB.search(pattern)))


def _from_items(ctx: Context, pattern: str, items: list[Item], *, multi: bool) -> Judgement:
    status = combine(i.status for i in items)
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
        return Judgement(
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
            f"{len(failing)} of {total} metrics matching {pattern!r} fail ({list_ids(failing)})"
        )
        reason += f"; first: {deciding.reason}"
    elif status is Status.INSUFFICIENT:
        reason = (
            f"{len(unsure)} of {total} metrics matching {pattern!r} lack evidence "
            f"({list_ids(unsure)}); first: {deciding.reason}"
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
    return Judgement(status, reason, deciding.figures, deciding.to_decide, tuple(evidence), results)


def _deciding_item(items: list[Item], status: Status) -> Item:
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


def recording(series: Series, eff: Effective) -> tuple[float, float]:
    """(resolution, quantum) of a series' recorded values, in its unit.

    Durations: the criteria's `timer_resolution`, divided by the iterations behind each
    per-operation average, or the input's own stated resolution if coarser. The quantum is the
    larger of that and the grid detected in the values (`stats.detect_quantum`), or, for one
    timing per sample repeated identically (`_one_tick`), the value itself.
    """
    resolution = series.resolution or 0.0
    if series.unit == "s":
        resolution = max(resolution, eff.timer_resolution / (series.iterations or 1))
    # Values rounded down are judged at the middle of their step (`Series.judged_samples`),
    # so the step is their quantum: v + step/2 give or take step/2 is [v, v + step].
    quantum = max(resolution, series.quantum or 0.0, series.rounded_down or 0.0, _one_tick(series))
    return resolution, max(quantum, _rate_quantum(series, eff))


def _one_tick(series: Series) -> float:
    """The grid that identical timings may have been recorded on: the value itself.

    Timings from a fine timer never repeat exactly; every sample recording the same duration
    is what a coarse timer does (15.6 ms on Windows), and with no second value there is no gap
    to show how coarse: each tick of the timer a multiple of it, the value may be one tick.
    14 ms and 20 ms both read 15.6 ms there, so 0.1 ms (the last printed digit) would pass a
    30% regression. Only for one timing per sample whose input states no resolution: an
    average over many iterations is on the timer's step over them, and a stated resolution
    is the grid."""
    samples = series.samples
    if (
        series.unit != "s"
        or series.resolution is not None
        or (series.iterations or 1) > 1
        or samples is None
        or len(samples) < 2
        or any(x != samples[0] for x in samples)
    ):
        return 0.0
    return abs(samples[0])


def _rate_quantum(series: Series, eff: Effective) -> float:
    """The width a rate worked out from a per-operation time stands for, from the timer's.

    A rate x = W / t of work W per operation and a time t known to r (the timer resolution
    over the iterations) lies in [W / (t + r/2), W / (t - r/2)]: with a = r / t, x give or
    take x·a / (2 - a), which covers both ends. The widest over the samples is the quantum.
    (`not_measured` refuses a rate whose time may be r or less: its range has no top.)"""
    work = series.work_per_op
    if not work or not series.samples:
        return 0.0
    per_op = eff.timer_resolution / (series.iterations or 1)
    widest = 0.0
    for rate in series.samples:
        a = per_op * rate / work
        if a >= 1.0:
            return math.inf
        widest = max(widest, rate * a / (2.0 - a))
    return 2.0 * widest


def finer_recording(series: Series, quantum: float) -> str:
    """What would record `series` finely enough to decide: a finer timer for durations."""
    step = format_value(quantum, series.unit)
    if series.rounded_down:
        return (
            f"a figure finer than steps of {step}: the input prints {series.name} rounded down, "
            f"so each value v stands for anything from v up to v + {step}"
        )
    if series.unit == "s":
        return f"a timer finer than {step}"
    return f"values recorded finer than {step}"


def not_measured(series: Series, eff: Effective) -> str | None:
    """Why samples are no measurement (every one at or below the resolution), or None."""
    if not series.samples:
        return None  # no samples at all is the min_samples rule's to report
    if series.work_per_op:
        step = eff.timer_resolution / (series.iterations or 1)
        timed = [series.work_per_op / x if x > 0 else math.inf for x in series.samples]
        at_or_below = sum(t <= step for t in timed)
        if at_or_below:
            per = f" (÷ {series.iterations} iterations)" if series.iterations else ""
            return (
                f"{at_or_below} of {len(timed)} samples of {series.name} are worked out from "
                f"per-operation times at or below the timer resolution of "
                f"{format_value(step, 's')}{per}: such a rate has no upper bound, so it is not "
                "a measurement"
            )
    resolution, _ = recording(series, eff)
    if resolution > 0 and stats.below_resolution(series.samples, resolution):
        per_op = f" (÷ {series.iterations} iterations)" if series.iterations else ""
        what = "timer resolution" if series.unit == "s" else "recorded resolution"
        return (
            f"all {len(series.samples)} samples of {series.name} are at or below the {what} "
            f"of {format_value(resolution, series.unit)}{per_op}: not a measurement"
        )
    return None


def criteria_error(crit: Criterion, message: str, hint: str | None = None) -> CriteriaError:
    """An error of the criteria file that only the inputs reveal (exit 4)."""
    return CriteriaError(f"criterion {crit.id!r}: {message}", hint=hint)


def check_stat(crit: Criterion, series: Series, stat: str) -> None:
    """Raise unless `series` has statistic `stat`: a success rate is a share of successes
    (a ratio), and a ratio has no throughput."""
    if stat == "success_rate" and series.unit != "ratio":
        raise criteria_error(
            crit,
            f"success_rate needs a ratio (a share of successes); {series.name} is in "
            f"{series.unit or 'plain numbers'}",
            "use throughput for events per second, or another statistic",
        )
    if stat == "throughput" and series.unit == "ratio":
        raise criteria_error(
            crit, f"{series.name} is a ratio, not a duration or a counter: it has no throughput"
        )


def success_share(s: Series, direction: Direction) -> float | None:
    """The share of successes of ratio `s`: its hits of n (else its rate), or the share of the
    others when it gets better lower, since it then counts failures (k6's `http_req_failed`
    counts failed requests as its "passes")."""
    if s.hits is not None and s.n:
        share: float | None = s.hits / s.n
    else:
        share = (
            sample_stat(s.samples, "success_rate", s.unit)
            if s.samples
            else point_stat(s, "success_rate")
        )
    if share is None:
        return None
    return 1.0 - share if direction is Direction.LOWER_IS_BETTER else share


def success_direction(ctx: Context, crit: Criterion, series: Series) -> Direction:
    """Whether ratio `series` counts successes (higher is better) or failures (lower is
    better), for its `success_rate`: the criteria file's word, else its input's. Neither
    raises: a rate's hits are successes or failures by its meaning alone (a k6 custom Rate of
    `res.status !== 200` counts errors), and guessed, all requests failing would read as all
    succeeding."""
    said = ctx.criteria.direction_for(crit, series.name) if ctx.criteria is not None else None
    if said is not None:
        return Direction(said)
    if series.direction is not None:
        return series.direction
    raise criteria_error(
        crit,
        f"{series.name} is a ratio, and neither its input nor the criteria file says whether "
        "it counts successes or failures, which its success_rate needs",
        "add direction: higher_is_better (it counts successes) or lower_is_better (it counts "
        f"failures) to the criterion, or metrics: {{{series.name!r}: {{direction: ...}}}} to "
        "the criteria file",
    )


def check_units(crit: Criterion, series: Series, stat: str, unit: str) -> None:
    """Raise unless every threshold of `crit` can be held against `stat` of `series` (in
    `unit`) without guessing a unit."""
    for key in ("min", "max", "max_regression_abs"):
        quantity = getattr(crit, key)
        if quantity is None:
            continue
        problem = threshold_problem(quantity.kind, quantity.text, unit)
        if problem is not None:
            raise criteria_error(
                crit, f"`{key}: {quantity.text}` on {series.name} {stat}: {problem}"
            )


Bounds = tuple[float | None, float | None]


def decide_bounds(
    label: str,
    estimate: float,
    low: float | None,
    high: float | None,
    unit: str,
    limits: list[tuple[Quantity, str]],
    confidence: float,
    base: Figures,
    make: Callable[..., Item],
    *,
    n: int,
    missing: str,
    straddle: str,
    exact: bool = False,
) -> Item:
    """Hold one-sided bounds (each at `confidence`) against every limit: a maximum passes when
    the upper bound is within it and fails when the lower bound is beyond it; a minimum mirrors
    that. Anything else is insufficient (`missing` says what a missing bound needs, `straddle`
    what would narrow bounds that straddle a limit)."""
    statuses: list[Status] = []
    reasons: list[str] = []
    to_decide: str | None = None
    shown = fmt(estimate, unit)
    c = conf(confidence)
    for quantity, op in limits:
        limit = quantity.value
        passing, failing = (high, low) if op == "<=" else (low, high)
        side, other = ("upper", "lower") if op == "<=" else ("lower", "upper")
        if exact:  # an observed value: its bounds are what its record allows, nothing else
            side, other = ("highest", "lowest") if op == "<=" else ("lowest", "highest")
            c = "recorded"
        if passing is not None and (passing <= limit if op == "<=" else passing >= limit):
            statuses.append(Status.PASS)
            reasons.append(
                f"{label} is {shown} and its {side} {c} bound {fmt(passing, unit)} is within "
                f"{op} {quantity}"
            )
        elif failing is not None and (failing > limit if op == "<=" else failing < limit):
            statuses.append(Status.FAIL)
            word = "above" if op == "<=" else "below"
            reasons.append(
                f"{label} is {shown} and even its {other} {c} bound {fmt(failing, unit)} is "
                f"{word} {quantity}"
            )
        elif passing is None:
            statuses.append(Status.INSUFFICIENT)
            reasons.append(
                f"{label} (point value {shown}) has no {c} {side} bound from {n} samples"
            )
            to_decide = to_decide or missing
        else:
            statuses.append(Status.INSUFFICIENT)
            reasons.append(
                f"the {c} bounds of {label} ({fmt(low, unit)} to {fmt(high, unit)}) straddle "
                f"{quantity}"
            )
            to_decide = to_decide or straddle
    status = combine(statuses)
    pick = next(i for i, s in enumerate(statuses) if s is status)
    quantity, op = limits[pick]
    figures = base.model_copy(
        update={
            "value": estimate,
            "ci_low": low,
            "ci_high": high,
            # Two one-sided bounds at c together are a two-sided interval at 2c - 1.
            "confidence": None if exact else 2.0 * confidence - 1.0,
            "n": n,
            "threshold": quantity.value,
            "comparison": op,
        }
    )
    return make(
        status, reasons[pick], figures, to_decide if status is Status.INSUFFICIENT else None
    )


def point_stat(series: Series, stat: str) -> float | None:
    """A harness-reported statistic, by the criteria vocabulary."""
    for key in harness_keys(stat):
        if key in series.stats:
            return series.stats[key]
    q = percentile_q(stat)
    if q is not None:
        for key, value in series.stats.items():
            kq = percentile_q(key) if key != "median" else 0.5
            if kq is not None and math.isclose(kq, q):
                return value
    if stat == "count" and series.n is not None:
        return float(series.n)
    return None


def sample_stat(samples: Sequence[float], stat: str, unit: str) -> float | None:
    """Statistic `stat` computed from samples (None where it is undefined)."""
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
    if stat == "throughput":
        # Samples of a duration: operations per second over the time they took.
        total = math.fsum(samples)
        return len(samples) / total if unit == "s" and total > 0 else None
    if stat == "success_rate":
        return statistics.fmean(samples) if unit == "ratio" else None
    q = percentile_q(stat)
    return stats.percentile(samples, q) if q is not None else None
