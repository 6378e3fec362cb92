"""Baseline comparison: each metric's change against the baseline run, within a tolerance.

With samples on both sides the change is a ratio of medians (Hodges–Lehmann) with one-sided
bounds at `confidence` that hold under ties, timer resolution and unequal spreads
(`stats.ratio_bounds`), or, when the criterion names a percentile, the mean, min or max, the
ratio of that statistic on its own bounds (`stats.statistic_ratio`: the tail can worsen while
the median stays); a metric passes on its own bound, and fails only when the test beyond
the tolerance survives Holm's correction across the metrics a glob covers. The direction comes
from the criteria file, the input or the unit, never the name; without one the criterion is an
error. Point estimates only when allowed, with enough observations behind them.
"""

from __future__ import annotations

import math

from reportgen import stats
from reportgen.criteria import Criterion, Effective
from reportgen.evaluate.context import Context, Judgement, Series
from reportgen.evaluate.metrics import (
    Item,
    check_stat,
    check_units,
    criteria_error,
    judge_metric,
    not_measured,
    point_stat,
    recording,
    sample_stat,
    success_share,
)
from reportgen.evaluate.wording import conf, fmt, signed_pct
from reportgen.evaluation import Figures, Status
from reportgen.model import Direction
from reportgen.records import record
from reportgen.statistic import percentile_q
from reportgen.units import format_value, stat_direction, stat_unit


def judge(ctx: Context, crit: Criterion, eff: Effective) -> Judgement:
    """Every metric `crit.metric` covers, against the same metric in the baseline."""
    if ctx.baseline is None:
        return Judgement(
            Status.INSUFFICIENT,
            f"a baseline comparison of {crit.metric} needs a baseline run, and none was given",
            to_decide="run again with --baseline PATH (the results to compare against)",
        )
    return judge_metric(ctx, crit, eff, baseline_items)


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


def _direction(ctx: Context, crit: Criterion, series: Series, base: Series) -> Direction:
    """Which way `series` gets better: the criteria file's word (the criterion, then its
    `metrics:` map), else the inputs', else the unit's dimension; never the name. Current and
    baseline inputs that say opposite things decide nothing: one of them judges the change
    backwards."""
    said = ctx.criteria.direction_for(crit, series.name) if ctx.criteria is not None else None
    if said is None and crit.direction is not None:
        said = crit.direction
    if said is not None:
        return Direction(said)
    if (
        series.direction is not None
        and base.direction is not None
        and series.direction is not base.direction
    ):
        raise criteria_error(
            crit,
            f"{series.name} is {series.direction.value} in the current inputs but "
            f"{base.direction.value} in the baseline's, so the inputs do not say which way is "
            "better",
            f"add direction: lower_is_better or higher_is_better to the criterion, or "
            f"metrics: {{{series.name!r}: {{direction: ...}}}} to the criteria file",
        )
    if series.direction is not None:
        return series.direction
    raise criteria_error(
        crit,
        f"comparing {series.name} with the baseline needs to know whether higher or lower is "
        f"better, and neither the input nor its unit ({series.unit or 'none'}) says",
        f"add direction: lower_is_better or higher_is_better to the criterion, or "
        f"metrics: {{{series.name!r}: {{direction: ...}}}} to the criteria file",
    )


@record(frozen=False)
class _Pending:
    """A comparison with samples on both sides, computed before Holm decides the fails."""

    cur: Series
    base: Series
    direction: Direction
    edge: float
    #: The ratio of medians (Hodges–Lehmann); None when the criterion names another statistic.
    bounds: stats.RatioBounds | None
    #: The ratio of the statistic the criterion names (a percentile, the mean, min or max).
    statistic: stats.StatisticRatio | None
    p_beyond: float | None  # None: not beyond the edge at `confidence` (p above alpha)
    recorded: tuple[tuple[float, float], tuple[float, float]]  # (resolution, quantum) per side


#: The statistics compared on their own ratio bounds rather than the ratio of medians.
BOUNDED_ALONE = ("mean", "min", "max")


def _compared_stat(crit: Criterion) -> str | None:
    """The statistic a comparison with samples on both sides bounds the ratio of: None for the
    median (no `stat`, `median`, `p50`: the Hodges–Lehmann shift), else the criterion's."""
    if crit.stat is None or percentile_q(crit.stat) == 0.5:
        return None
    return crit.stat


def _bounded(stat: str) -> bool:
    """Whether `statistic_ratio` bounds the change of `stat`."""
    return stat in BOUNDED_ALONE or stats.percentile_q_of(stat) is not None


def baseline_items(ctx: Context, crit: Criterion, eff: Effective, names: list[str]) -> list[Item]:
    """Each metric against the baseline, one-sided at `confidence` on both sides: a metric
    passes on its own bound (every metric must pass, so no correction is needed); fails are
    Holm-corrected across the metrics the criterion covers."""
    items: list[Item | None] = []
    pending: dict[int, _Pending] = {}
    for idx, name in enumerate(names):
        cur = ctx.series[name]
        base = ctx.base_series.get(name)
        if base is not None:
            if crit.stat is not None:
                check_stat(crit, cur, crit.stat)
            # `max_regression_abs` is in the unit of the statistic compared (a throughput of
            # durations is per second, a success rate a ratio).
            check_units(crit, cur, "change", stat_unit(crit.stat or "median", cur.unit))
            unrecorded = _unrecorded_parameters(cur, base)
            if unrecorded is not None:
                ctx.warnings.append(unrecorded)
        direction = _direction(ctx, crit, cur, base) if base is not None else None
        early = _baseline_precheck(cur, base, crit, eff)
        if early is not None:
            items.append(early)
            continue
        assert base is not None and direction is not None
        stat = _compared_stat(crit)
        if cur.samples is None or base.samples is None:
            items.append(_baseline_point(cur, base, crit, eff, direction))
            continue
        if stat is not None and not _bounded(stat):
            items.append(
                _baseline_point(cur, base, crit, eff, direction)
                if crit.allow_point_estimates
                else _unbounded(cur, base, stat)
            )
            continue
        pending[idx] = _compute(cur, base, crit, eff, direction, stat)
        items.append(None)
    adjusted: dict[int, float] = {}
    if pending:
        order = sorted(pending)
        # A metric not beyond the edge at `confidence` has p above alpha: read as 1, it moves
        # no other metric's adjusted p-value (Holm's adjusts each by the smaller ones only).
        raw = [pending[i].p_beyond for i in order]
        adj = stats.holm([1.0 if p is None else p for p in raw])
        adjusted = dict(zip(order, adj, strict=True))
    out: list[Item] = []
    for idx, maybe in enumerate(items):
        if maybe is not None:
            out.append(maybe)
            continue
        job = pending[idx]
        if job.statistic is not None:
            judged = _statistic_judge(job, crit, eff, adjusted[idx], len(pending))
        else:
            judged = _baseline_judge(job, crit, eff, adjusted[idx], len(pending))
        judged.p_value = job.p_beyond
        judged.adjusted_p_value = (
            adjusted[idx] if len(pending) > 1 and job.p_beyond is not None else None
        )
        out.append(judged)
    return out


def _unbounded(cur: Series, base: Series, stat: str) -> Item:
    """A change of a statistic without a ratio bound here (stdev, cv, count, ...): no verdict
    from the medians' (the criterion asked about something else)."""
    return Item(
        cur.name,
        Status.INSUFFICIENT,
        f"comparing the {stat} of {cur.name} with the baseline's has no confidence bound "
        "(a change of the median, a percentile, the mean, min or max has)",
        Figures(stat="change", unit="ratio", n=cur.count, n_baseline=base.count),
        "compare the median, a percentile, the mean, min or max, or set "
        "allow_point_estimates: true (the point values, weaker evidence)",
        cur.inputs,
        base.inputs,
    )


def _compute(
    cur: Series,
    base: Series,
    crit: Criterion,
    eff: Effective,
    direction: Direction,
    stat: str | None,
) -> _Pending:
    assert cur.samples is not None and base.samples is not None
    rec_base, rec_cur = recording(base, eff), recording(cur, eff)
    resolution = (rec_base[0], rec_cur[0])
    quantum = (rec_base[1], rec_cur[1])
    # Bounds on the samples as judged (values rounded down at the middle of their step).
    base_judged, cur_judged = base.judged_samples or base.samples, cur.judged_samples or cur.samples
    if stat is not None:
        # The criterion asks about this statistic (the tail, the mean): the medians' shift says
        # nothing about it, so its own ratio is bounded.
        centre = sample_stat(base.samples, stat, base.unit)
        edge = _tolerance(crit, direction, centre if centre is not None else 0.0)
        ratio = stats.statistic_ratio(
            base_judged,
            cur_judged,
            stat,
            eff.confidence,
            edge=edge,
            above=direction is Direction.LOWER_IS_BETTER,
            resolution=resolution,
            quantum=quantum,
        )
        return _Pending(
            cur, base, direction, edge, None, ratio, ratio.p_beyond, (rec_base, rec_cur)
        )
    edge = _tolerance(crit, direction, stats.percentile(base.samples, 0.5))
    bounds = stats.ratio_bounds(
        base_judged, cur_judged, eff.confidence, resolution=resolution, quantum=quantum
    )
    p_beyond = stats.ratio_beyond_p(
        base_judged,
        cur_judged,
        edge,
        above=direction is Direction.LOWER_IS_BETTER,
        resolution=resolution,
        quantum=quantum,
    )
    return _Pending(cur, base, direction, edge, bounds, None, p_beyond, (rec_base, rec_cur))


def _baseline_precheck(
    cur: Series, base: Series | None, crit: Criterion, eff: Effective
) -> Item | None:
    """An insufficient item when the comparison cannot be made at all, else None."""
    figures = Figures(stat="change", unit="ratio", n=cur.count)

    def item(reason: str, to_decide: str | None) -> Item:
        return Item(
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
    differ = _parameter_difference(cur, base)
    if differ is not None:
        return item(
            f"{cur.name} was measured with {differ}: the baseline measured something else",
            "compare with a baseline measured with the same parameters",
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
        for side, s in (("current", cur), ("baseline", base)):
            # The side with raw samples is held to min_samples too: a point estimate against
            # one sample is no comparison.
            count = len(s.samples) if s.samples is not None else s.n
            if count is None or count < eff.min_samples:
                observed = "an unknown number of" if count is None else str(count)
                return item(
                    f"the {side} {cur.name} rests on {observed} observations, fewer than the "
                    f"{eff.min_samples} required",
                    f"at least {eff.min_samples} observations per side needed",
                )
        return None
    for side, s in (("current", cur), ("baseline", base)):
        why = not_measured(s, eff)
        if why is not None:
            return item(f"{side}: {why}", "measure with a finer timer or a larger workload")
    n, nb = len(cur.samples), len(base.samples)
    if min(n, nb) < eff.min_samples:
        return item(
            f"{cur.name} has {nb} baseline and {n} current samples, fewer than the "
            f"{eff.min_samples} per side required",
            f"at least {eff.min_samples} samples per side needed; {nb} and {n} observed",
        )
    for s in (cur, base):
        lowest = min(s.judged_samples or (0.0,))
        if lowest < 0 or (lowest == 0 and recording(s, eff)[0] == 0):
            return item(
                f"{cur.name} has values at or below zero that no resolution explains, so a "
                "ratio to the baseline is undefined",
                None,
            )
    return None


def _setting(key: str, values: tuple[str, ...] | None) -> str:
    return f"no {key}" if values is None else f"{key}={' or '.join(values)}"


def _parameter_difference(cur: Series, base: Series) -> str | None:
    """The first parameter the baseline was measured with otherwise (`size=512 now but
    size=1024 in the baseline`), one missing on one side included; None when they agree, or
    when one side records no parameters at all (see `_unrecorded_parameters`)."""
    if not cur.parameters or not base.parameters:
        return None
    for key in sorted(cur.parameters.keys() | base.parameters.keys()):
        now, then = cur.parameters.get(key), base.parameters.get(key)
        if now != then:
            return f"{_setting(key, now)} now but {_setting(key, then)} in the baseline"
    return None


def _unrecorded_parameters(cur: Series, base: Series) -> str | None:
    """A warning when only one side records parameters. The other side's input, or its
    history recording, comes from a harness or a reportgen that did not keep them (every
    pytest-benchmark run recorded before they were read): INSUFFICIENT for that alone would
    make every such baseline useless, so the comparison is made and the gap is said."""
    if bool(cur.parameters) == bool(base.parameters):
        return None
    stated, side, other = (
        (cur.parameters, "the current run", "the baseline")
        if cur.parameters
        else (base.parameters, "the baseline", "the current run")
    )
    settings = ", ".join(_setting(key, values) for key, values in stated.items())
    return (
        f"{cur.name}: {side} was measured with {settings}, and {other} does not say with what "
        "parameters; compared as if the same"
    )


def _baseline_judge(
    job: _Pending, crit: Criterion, eff: Effective, adjusted_p: float, family: int
) -> Item:
    cur, base, estimate, edge = job.cur, job.base, job.bounds, job.edge
    assert cur.samples is not None and base.samples is not None and estimate is not None
    assert job.p_beyond is not None
    lower_better = job.direction is Direction.LOWER_IS_BETTER
    base_median = stats.percentile(base.samples, 0.5)
    cur_median = stats.percentile(cur.samples, 0.5)
    level = eff.confidence
    # Two one-sided bounds at c together are a two-sided interval at 2c - 1.
    figures, change, low, high = _change_figures(job, estimate, 2.0 * level - 1.0, base_median)
    regression = bool(figures.regression)
    word = "regressed" if regression else ("improved" if change != 0 else "is unchanged")
    medians = f"median {fmt(base_median, cur.unit)} → {fmt(cur_median, cur.unit)}"
    tol = _tolerance_text(crit)

    def item(status: Status, reason: str, to_decide: str | None = None) -> Item:
        return Item(cur.name, status, reason, figures, to_decide, cur.inputs, base.inputs)

    if estimate.low is None or estimate.high is None:
        return item(
            Status.INSUFFICIENT,
            f"{cur.name} {word} by {signed_pct(change)} ({medians}) but {len(base.samples)} and "
            f"{len(cur.samples)} samples are too few for {conf(level)} bounds",
            "more samples per side",
        )
    ci = f"one-sided {conf(level)} bounds {_pct(low)} and {_pct(high)}"
    widened = (
        " over every value the recorded resolution allows" if _resolution_matters(estimate) else ""
    )
    head = (
        f"{cur.name} {word} by {signed_pct(change)} against the baseline ({ci}{widened}; {medians})"
    )
    alpha = 1.0 - level
    inside = estimate.high <= edge if lower_better else estimate.low >= edge
    beyond = estimate.low > edge if lower_better else estimate.high < edge
    if inside:
        return item(Status.PASS, f"{head}, within the {tol} tolerance")
    if beyond and adjusted_p <= alpha:
        return item(Status.FAIL, f"{head}, beyond the {tol} tolerance")
    if beyond:
        held = (
            f"not after Holm's correction over {family} metrics (adjusted p = {adjusted_p:.3g})"
            if family > 1
            else f"the test at the edge does not confirm it (p = {adjusted_p:.3g})"
        )
        return item(
            Status.INSUFFICIENT,
            f"{head}: beyond the {tol} tolerance on its own bound, but {held}",
            "more samples per side",
        )
    return item(
        Status.INSUFFICIENT,
        f"{head}: the bounds straddle the {tol} tolerance",
        _to_decide(job, eff, lower_better),
    )


def _statistic_judge(
    job: _Pending, crit: Criterion, eff: Effective, adjusted_p: float, family: int
) -> Item:
    """The change of the statistic the criterion names, on its own ratio bounds: pass when the
    bound on the passing side is within the tolerance, fail when the other is beyond it (and
    survives Holm); too few samples for a bound is INSUFFICIENT, or the point values with
    `allow_point_estimates`."""
    cur, base, found, edge = job.cur, job.base, job.statistic, job.edge
    assert cur.samples is not None and base.samples is not None and found is not None
    stat = found.stat
    lower_better = job.direction is Direction.LOWER_IS_BETTER
    then = sample_stat(base.samples, stat, base.unit)
    now = sample_stat(cur.samples, stat, cur.unit)
    level = eff.confidence
    # An observed minimum or maximum is exact: its bounds are what the records allow.
    confidence = None if found.exact else 2.0 * level - 1.0
    figures, change, low, high = _change_figures(job, found, confidence, then)
    regression = bool(figures.regression)
    word = "regressed" if regression else ("improved" if change != 0 else "is unchanged")
    values = f"{stat} {fmt(then, cur.unit)} → {fmt(now, cur.unit)}"
    if found.exact:
        ci = f"the observed values, {_pct(low)} to {_pct(high)} over what their records allow"
    else:
        ci = (
            f"one-sided {conf(level)} bounds {_pct(low)} and {_pct(high)}, from a "
            f"{conf(1.0 - (1.0 - level) / 2.0)} bound on each run's {stat}"
        )
    head = f"{cur.name} {stat} {word} by {signed_pct(change)} against the baseline ({ci}; {values})"
    tol = _tolerance_text(crit)

    def item(status: Status, reason: str, to_decide: str | None = None) -> Item:
        return Item(cur.name, status, reason, figures, to_decide, cur.inputs, base.inputs)

    passing, failing = (found.high, found.low) if lower_better else (found.low, found.high)
    inside = passing is not None and (passing <= edge if lower_better else passing >= edge)
    beyond = failing is not None and (failing > edge if lower_better else failing < edge)
    if inside:
        return item(Status.PASS, f"{head}, within the {tol} tolerance")
    if beyond and adjusted_p <= 1.0 - level:
        return item(Status.FAIL, f"{head}, beyond the {tol} tolerance")
    if beyond:
        return item(
            Status.INSUFFICIENT,
            f"{head}: beyond the {tol} tolerance on its own bound, but not after Holm's "
            f"correction over {family} metrics (adjusted p = {adjusted_p:.3g})",
            "more samples per side",
        )
    counts = (len(base.samples), len(cur.samples))
    short = [
        (side, need, have)
        for side, need, have in zip(("baseline", "current"), found.needs, counts, strict=True)
        if need
    ]
    if short:
        if crit.allow_point_estimates and passing is None:
            # No bound to pass on: the point values, as for a side without samples.
            return _baseline_point(cur, base, crit, eff, job.direction)
        observed = " and ".join(f"{have} {side}" for side, _need, have in short)
        needed = " and ".join(f"{need} {side}" for side, need, _have in short)
        why = (
            ": these are too skewed for a t bound on the mean (the central limit theorem needs "
            "n > 25 x skewness squared); a percentile needs no such rule"
            if stat == "mean"
            else ""
        )
        return item(
            Status.INSUFFICIENT,
            f"{head}: {observed} samples are too few for {conf(level)} bounds on the change "
            f"of {stat}{why}",
            f"at least {needed} samples needed for {conf(level)} bounds on the change of "
            f"{stat} ({observed} observed), or allow_point_estimates: true (weaker evidence)",
        )
    if found.exact:
        step = format_value(max(job.recorded[0][1], job.recorded[1][1]), cur.unit)
        return item(
            Status.INSUFFICIENT,
            f"{head}: the values the records allow straddle the {tol} tolerance",
            f"a timer finer than {step}: the recorded resolution alone keeps it open",
        )
    timer = ""
    if found.widened:
        step = format_value(max(job.recorded[0][1], job.recorded[1][1]), cur.unit)
        timer = f", and a timer finer than {step}: the recorded resolution widens the bounds"
    return item(
        Status.INSUFFICIENT,
        f"{head}: the bounds straddle the {tol} tolerance",
        f"more samples per side ({counts[0]} and {counts[1]} now): each run's bound on its "
        f"{stat} narrows about as 1/sqrt(n){timer}",
    )


def _change_figures(
    job: _Pending,
    bounds: stats.RatioBounds | stats.StatisticRatio,
    confidence: float | None,
    baseline_value: float | None,
) -> tuple[Figures, float, float | None, float | None]:
    """Figures of a change against the baseline from a ratio and its bounds (`ratio`, `low`,
    `high`), and the change and its bounds as fractions (+0.25 = 25% up)."""
    assert job.cur.samples is not None and job.base.samples is not None
    lower_better = job.direction is Direction.LOWER_IS_BETTER
    change = bounds.ratio - 1.0
    low = None if bounds.low is None else bounds.low - 1.0
    high = None if bounds.high is None else bounds.high - 1.0
    figures = Figures(
        stat="change",
        unit="ratio",
        value=change,
        ci_low=low,
        ci_high=high,
        confidence=confidence,
        n=len(job.cur.samples),
        n_baseline=len(job.base.samples),
        baseline_value=baseline_value,
        threshold=job.edge - 1.0,
        comparison="<=" if lower_better else ">=",
        change=change,
        regression=change > 0 if lower_better else change < 0,
    )
    return figures, change, low, high


def _resolution_matters(estimate: stats.RatioBounds) -> bool:
    """Whether the recorded resolution moved a bound visibly (0.01% or more)."""
    pairs = ((estimate.low, estimate.low_sharp), (estimate.high, estimate.high_sharp))
    return estimate.widened and any(
        # A bound the resolution pushed to 0 or to infinity (a recorded 0 stands for anything
        # up to one step) moved as far as a bound can.
        a is not None
        and b is not None
        and (a <= 0 or not math.isfinite(a) or abs(math.log(a / b)) > 1e-4)
        for a, b in pairs
    )


def _pct(value: float | None) -> str:
    if value is None:
        return "n/a"
    if math.isinf(value):
        return "unbounded"
    return signed_pct(value)


def _to_decide(job: _Pending, eff: Effective, lower_better: bool) -> str:
    """How much finer a timer, or how many more samples, would decide a straddling result."""
    estimate, edge = job.bounds, job.edge
    assert estimate is not None
    decides_sharp = (
        estimate.high_sharp is not None
        and estimate.low_sharp is not None
        and (
            (estimate.high_sharp <= edge or estimate.low_sharp > edge)
            if lower_better
            else (estimate.low_sharp >= edge or estimate.high_sharp < edge)
        )
    )
    cur, base = job.cur, job.base
    assert cur.samples is not None and base.samples is not None
    if estimate.widened and decides_sharp:
        (res_b, q_b), (res_c, q_c) = job.recorded
        for factor in (2, 4, 8, 16, 32, 64, 128, 256, 512, 1024):
            finer = stats.ratio_bounds(
                base.judged_samples or base.samples,
                cur.judged_samples or cur.samples,
                eff.confidence,
                resolution=(res_b / factor, res_c / factor),
                quantum=(q_b / factor, q_c / factor),
            )
            if finer.low is None or finer.high is None:
                break
            decided = (
                (finer.high <= edge or finer.low > edge)
                if lower_better
                else (finer.low >= edge or finer.high < edge)
            )
            if decided:
                step = format_value(max(q_b, q_c) / factor, cur.unit)
                return (
                    f"a timer {factor}x finer (recording in steps of {step} or less) would "
                    "decide it; the recorded resolution alone keeps it open"
                )
        return "a much finer timer: the recorded resolution alone keeps it open"
    ratio = estimate.ratio
    bound = estimate.high if edge > ratio else estimate.low
    distance = abs(math.log(edge) - math.log(ratio))
    if bound is None or not math.isfinite(bound) or bound <= 0 or distance <= 1e-12:
        return "the estimate sits on the tolerance; more samples are unlikely to decide it"
    half = abs(math.log(bound) - math.log(ratio))
    m, n = len(base.samples), len(cur.samples)
    # The bounds narrow like the standard error of a two-sample shift, sqrt(1/m + 1/n).
    needed = math.ceil(2.0 / ((1.0 / m + 1.0 / n) * (distance / half) ** 2)) if half else n
    n_now = min(m, n)
    more = max(needed - n_now, 1)
    text = f"about {more} more samples per side ({max(needed, n_now + 1)} per side in all)"
    if _resolution_matters(estimate):
        (_, q_b), (_, q_c) = job.recorded
        step = format_value(max(q_b, q_c), cur.unit)
        text += f", and a timer finer than {step}: the recorded resolution widens the bounds"
    return text


#: A change is judged both ways (a regression or an improvement), so each side's percentile
#: needs what either bound would.
SIDES = ("upper", "lower")


def _baseline_point(
    cur: Series, base: Series, crit: Criterion, eff: Effective, direction: Direction
) -> Item:
    """Compare a point statistic of each side (allow_point_estimates); weaker, no interval."""

    # One statistic on both sides: the criterion's, else the median, else the mean when a side
    # reports no median. (The mean of one side against the median of the other compared a
    # skewed baseline mean with a current median, and called the gap an improvement.)
    def value(s: Series, stat: str) -> float | None:
        return sample_stat(s.samples, stat, s.unit) if s.samples else point_stat(s, stat)

    stat = crit.stat or "median"
    now, then = value(cur, stat), value(base, stat)
    if not crit.stat and (now is None or then is None):
        stat = "mean"
        now, then = value(cur, stat), value(base, stat)
    if stat == "success_rate":
        now, then = success_share(cur, direction), success_share(base, direction)
    # The statistic's own unit and direction: a throughput of durations rises as they fall
    # (judged the durations' way, a 30% drop in operations per second read as an
    # improvement), a success rate is higher better and a spread lower, whatever the metric.
    unit = stat_unit(stat, cur.unit)
    direction = stat_direction(stat, cur.unit, direction)
    figures = Figures(
        stat="change", unit="ratio", n=cur.count, n_baseline=base.count, point_estimate=True
    )

    def item(status: Status, reason: str, to_decide: str | None = None) -> Item:
        return Item(cur.name, status, reason, figures, to_decide, cur.inputs, base.inputs)

    if now is None or then is None or then <= 0 or now <= 0:
        return item(
            Status.INSUFFICIENT,
            f"{cur.name} has no positive {stat} on both sides to compare",
            f"record raw samples or a {stat} of {cur.name} in both runs",
        )
    q = percentile_q(stat)
    if q is not None and 0 < q < 1:
        # As against a threshold: a percentile of fewer observations than its own bound needs
        # says nothing about that percentile (p99 of 20 values is their largest but one).
        need = max(stats.min_samples_for_percentile(q, eff.confidence, side) for side in SIDES)
        for side_name, s in (("current", cur), ("baseline", base)):
            count = len(s.samples) if s.samples else s.n
            if count is not None and count < need:
                return item(
                    Status.INSUFFICIENT,
                    f"the {side_name} {cur.name} {stat} is a point value from {count} "
                    f"observations; a {conf(eff.confidence)} bound on {stat} needs {need}",
                    f"at least {need} observations per side needed",
                )
    for v in (now, then):
        if unit == "s" and v <= eff.timer_resolution:
            return item(
                Status.INSUFFICIENT,
                f"{cur.name} {stat} is at or below the timer resolution: not a measurement",
                "measure with a finer timer or a larger workload",
            )
    lower_better = direction is Direction.LOWER_IS_BETTER
    ratio = now / then
    edge = _tolerance(crit, direction, then)
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
        f"{cur.name} {word} by {signed_pct(change)} against the baseline ({stat} "
        f"{fmt(then, unit)} → {fmt(now, unit)}; point estimates, no interval: weaker "
        "evidence)"
    )
    ok = ratio <= edge if lower_better else ratio >= edge
    tol = _tolerance_text(crit)
    if ok:
        return item(Status.PASS, f"{head}, within the {tol} tolerance")
    return item(Status.FAIL, f"{head}, beyond the {tol} tolerance")
