"""Threshold criteria: a statistic of each metric held against `min` and/or `max`.

Every statistic is decided on its own one-sided confidence bounds (percentiles: order
statistics; mean: t; stdev and cv: Bonett; success rate: Clopper–Pearson; throughput: from the
mean's bounds), each taken over every value the records allow (timer resolution, quantum).
Minimum, maximum and count describe the observed samples exactly. A statistic without a bound
(a harness-reported point value) is compared only with `allow_point_estimates: true`, labelled
weaker, and with enough observations behind it.
"""

from __future__ import annotations

from collections.abc import Callable

from reportgen import stats
from reportgen.criteria import Criterion, Effective, Quantity
from reportgen.evaluate.context import Context, Judgement, Series, combine
from reportgen.evaluate.metrics import (
    Item,
    check_stat,
    check_units,
    decide_bounds,
    finer_recording,
    judge_metric,
    not_measured,
    point_stat,
    recording,
    sample_stat,
    success_direction,
    success_share,
)
from reportgen.evaluate.wording import conf, fmt
from reportgen.evaluation import Figures, Status
from reportgen.model import Direction
from reportgen.statistic import percentile_q
from reportgen.units import format_value, stat_unit

ItemFactory = Callable[..., Item]
_NEEDS_POINT_PERMISSION = (
    "record raw samples (or counts), or set allow_point_estimates: true (weaker evidence)"
)


def judge(ctx: Context, crit: Criterion, eff: Effective) -> Judgement:
    """Every metric `crit.metric` covers, against the criterion's bounds."""
    return judge_metric(
        ctx,
        crit,
        eff,
        lambda c, cr, e, names: [threshold_item(c, c.series[n], cr, e) for n in names],
    )


def threshold_item(ctx: Context, series: Series, crit: Criterion, eff: Effective) -> Item:
    """One metric's statistic against the criterion's `min` and/or `max`."""
    stat = crit.stat or "mean"
    check_stat(crit, series, stat)
    unit = stat_unit(stat, series.unit)
    check_units(crit, series, stat, unit)
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

    def item(status: Status, reason: str, figures: Figures, to_decide: str | None = None) -> Item:
        return Item(series.name, status, reason, figures, to_decide, series.inputs)

    # A ratio's successes are its hits or the others, as the criteria file or input says.
    direction = success_direction(ctx, crit, series) if stat == "success_rate" else None
    if direction is not None and series.hits is not None and series.n:
        return _success_rate(series, direction, unit, limits, eff, base, item)
    if series.samples is None:
        return _threshold_point(series, crit, eff, stat, unit, limits, base, item, direction)
    samples = series.samples
    n = len(samples)
    if stat == "count":
        return _compare_point(series.name, stat, float(n), unit, limits, base, item, n=n)
    if (why := not_measured(series, eff)) is not None:
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
    if stat == "success_rate":
        # Ratios recorded one per sample without counts: their mean has no exact bound.
        return _sampled_point(series, crit, stat, unit, limits, base, item, direction)
    return _bounded(series, stat, unit, limits, eff, base, item)


def _bounded(
    series: Series,
    stat: str,
    unit: str,
    limits: list[tuple[Quantity, str]],
    eff: Effective,
    base: Figures,
    item: ItemFactory,
) -> Item:
    """A statistic of samples against its limits on its own bounds."""
    assert series.samples is not None
    samples = series.samples
    # Bounds are taken on these (values rounded down moved to the middle of their step);
    # the estimates shown are of the samples as recorded.
    judged = series.judged_samples or samples
    n = len(samples)
    c = eff.confidence
    resolution, quantum = recording(series, eff)
    lows, highs = stats.recorded_values(judged, resolution, quantum)
    label = f"{series.name} {stat}"
    timer = (
        f", or {finer_recording(series, quantum)}"
        if quantum > 0 and (series.unit == "s" or series.rounded_down)
        else ""
    )
    straddle = f"more samples ({n} now): the bounds narrow about as 1/sqrt(n){timer}"
    q = percentile_q(stat)
    low: float | None
    high: float | None
    if q is not None:
        ops = {op for _q, op in limits}
        # Samples that follow each other in the order measured hold less evidence than their
        # number (`stats.serial_inflation`): the ranks are taken on the samples they hold.
        inflation = stats.serial_inflation(judged)
        upper = stats.percentile_bound(highs, q, c, "upper", inflation=inflation)
        # Each side costs a sort and a rank; the failing side only when the passing one fails.
        passes = upper.bound is not None and all(
            upper.bound <= lim.value for lim, op in limits if op == "<="
        )
        lower = (
            None
            if passes and ops == {"<="}
            else stats.percentile_bound(lows, q, c, "lower", inflation=inflation)
        )
        need = upper if "<=" in ops or lower is None else lower
        missing = f"{need.min_n} samples needed for a {conf(c)} bound on {stat}; {n} observed"
        if need.effective_n < n:
            missing += (
                f", which follow each other in the order measured and hold the evidence of "
                f"about {need.effective_n} independent ones"
            )
        return decide_bounds(
            label,
            stats.percentile(samples, q),
            None if lower is None else lower.bound,
            upper.bound,
            unit,
            limits,
            c,
            base,
            item,
            n=n,
            missing=missing,
            straddle=straddle,
        )
    if stat in ("min", "max"):
        pick = max if stat == "max" else min
        return decide_bounds(
            label,
            pick(samples),
            float(pick(lows)),
            float(pick(highs)),
            unit,
            limits,
            c,
            base,
            item,
            n=n,
            missing="",
            straddle=finer_recording(series, quantum),
            exact=True,
        )
    kwargs = {"resolution": resolution, "quantum": quantum}
    estimate: float | None
    if stat in ("mean", "throughput"):
        estimate = sample_stat(samples, stat, series.unit)
        below = stats.mean_bound(judged, c, "lower", resolution=resolution, quantum=quantum)
        above = stats.mean_bound(judged, c, "upper", resolution=resolution, quantum=quantum)
        mean_low, mean_high = below.bound, above.bound
        if stat == "mean":
            low, high = mean_low, mean_high
        else:
            # Operations per second are n / total time: bounded through the mean's bounds.
            low = 1.0 / mean_high if mean_high is not None and mean_high > 0 else None
            high = (
                (1.0 / mean_low if mean_low > 0 else float("inf")) if mean_low is not None else None
            )
        needs = max(b.needs or 0 for b in (below, above))
        missing = (
            f"about {needs} samples ({n} now): these are too skewed for a t bound on the mean "
            "(the central limit theorem needs n > 25 x skewness squared); or judge the median "
            "or a percentile, which need no such rule"
            if needs
            else f"at least 2 samples for a bound on the {stat}"
        )
    elif stat in ("stdev", "cv"):
        bound = stats.stdev_bound if stat == "stdev" else stats.cv_bound
        estimate = sample_stat(samples, stat, series.unit)
        low = bound(judged, c, "lower", **kwargs).bound
        above = bound(judged, c, "upper", **kwargs)
        high = above.bound
        missing = (
            _too_long_tailed(stat, above.needs, n)
            if above.needs
            else f"at least 10 samples for a bound on the {stat} (Bonett); {n} observed"
        )
    else:  # pragma: no cover - the criteria validator admits no other statistic
        raise AssertionError(stat)
    if estimate is None:
        return item(
            Status.INSUFFICIENT, f"{stat} of {series.name} is undefined for these samples", base
        )
    return decide_bounds(
        label,
        estimate,
        low,
        high,
        unit,
        limits,
        c,
        base,
        item,
        n=n,
        missing=missing,
        straddle=straddle,
    )


def _too_long_tailed(stat: str, needs: int, n: int) -> str:
    """What a spread too long-tailed for an upper bound on the stdev or CV needs."""
    return (
        f"about {needs} samples ({n} now): the squared deviations are too skewed for a bound on "
        f"the {stat} (the central limit theorem for the variance needs n > 25 x their skewness "
        "squared); or bound the spread with max_cv (the robust CV), which needs no such rule"
    )


def _success_rate(
    series: Series,
    direction: Direction,
    unit: str,
    limits: list[tuple[Quantity, str]],
    eff: Effective,
    base: Figures,
    item: ItemFactory,
) -> Item:
    """A share of successes with known counts: exact Clopper–Pearson bounds.

    A ratio that is better lower (the criteria file's word, else its input's) counts failures
    (k6's `http_req_failed` counts failed requests as its "passes"): its successes are the
    others."""
    assert series.hits is not None and series.n
    successes = series.hits
    if direction is Direction.LOWER_IS_BETTER:
        successes = series.n - series.hits
    rate = stats.clopper_pearson(successes, series.n, eff.confidence)
    return decide_bounds(
        f"{series.name} success rate ({successes}/{series.n})",
        rate.estimate,
        rate.lower,
        rate.upper,
        unit,
        limits,
        eff.confidence,
        base,
        item,
        n=series.n,
        missing="more trials",
        straddle=f"more trials ({series.n} so far): the exact bounds narrow as they add up",
    )


def _compare_point(
    name: str,
    stat: str,
    value: float,
    unit: str,
    limits: list[tuple[Quantity, str]],
    base: Figures,
    item: ItemFactory,
    *,
    n: int | None,
    point_estimate: bool = False,
) -> Item:
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
    status = combine(statuses)
    shown = fmt(value, unit)
    note = " (a point value without a confidence bound: weaker evidence)" if point_estimate else ""
    wanted = " and ".join(f"{o} {q}" for q, o in limits)
    if status is Status.PASS:
        reason = f"{name} {stat} is {shown}{note}, within {wanted}"
    else:
        reason = f"{name} {stat} is {shown}{note}, not {broken[0]}"
    return item(status, reason, figures)


def _sampled_point(
    series: Series,
    crit: Criterion,
    stat: str,
    unit: str,
    limits: list[tuple[Quantity, str]],
    base: Figures,
    item: ItemFactory,
    direction: Direction | None,
) -> Item:
    """A statistic of samples that has no bound here: only as an allowed point value.
    `direction` is a success rate's (see `success_share`)."""
    assert series.samples is not None
    value = (
        success_share(series, direction)
        if direction is not None
        else sample_stat(series.samples, stat, series.unit)
    )
    if value is None:
        return item(
            Status.INSUFFICIENT, f"{stat} of {series.name} is undefined for these samples", base
        )
    if not crit.allow_point_estimates:
        return item(
            Status.INSUFFICIENT,
            f"{series.name} {stat} is {fmt(value, unit)}, a point value without counts or a "
            "confidence bound",
            base.model_copy(update={"value": value, "point_estimate": True}),
            _NEEDS_POINT_PERMISSION,
        )
    return _compare_point(
        series.name,
        stat,
        value,
        unit,
        limits,
        base,
        item,
        n=len(series.samples),
        point_estimate=True,
    )


def _threshold_point(
    series: Series,
    crit: Criterion,
    eff: Effective,
    stat: str,
    unit: str,
    limits: list[tuple[Quantity, str]],
    base: Figures,
    item: ItemFactory,
    direction: Direction | None,
) -> Item:
    """A harness-reported statistic against the limits, as an allowed point value.
    `direction` is a success rate's (see `success_share`)."""
    value = success_share(series, direction) if direction is not None else point_stat(series, stat)
    if value is None:
        have = ", ".join(sorted(series.stats)) or "nothing"
        return item(
            Status.INSUFFICIENT,
            f"{series.name} has no samples and no {stat} (it reports {have})",
            base,
            f"record raw samples of {series.name}, or a {stat}",
        )
    if stat == "count":
        return _compare_point(series.name, stat, value, unit, limits, base, item, n=series.n)
    shown = base.model_copy(update={"value": value, "point_estimate": True})
    if not crit.allow_point_estimates:
        return item(
            Status.INSUFFICIENT,
            f"{series.name} {stat} is {fmt(value, unit)}, a harness-reported point value "
            "without its samples or a confidence bound",
            shown,
            _NEEDS_POINT_PERMISSION,
        )
    if series.n is None:
        return item(
            Status.INSUFFICIENT,
            f"{series.name} {stat} is a point value, and the input does not say how many "
            "observations are behind it",
            shown,
            f"record raw samples or the observation count of {series.name}",
        )
    if series.n < eff.min_samples:
        return item(
            Status.INSUFFICIENT,
            f"{series.name} {stat} rests on {series.n} observations, fewer than the "
            f"{eff.min_samples} required",
            shown,
            f"at least {eff.min_samples} samples needed; {series.n} observed",
        )
    q = percentile_q(stat)
    if q is not None and 0 < q < 1:
        # Even allowed, a point percentile from fewer observations than its own bound needs
        # says nothing about that percentile (p95 of 20 values is their 19th).
        sides = {"upper" if op == "<=" else "lower" for _q, op in limits}
        need = max(stats.min_samples_for_percentile(q, eff.confidence, side) for side in sides)
        if series.n < need:
            return item(
                Status.INSUFFICIENT,
                f"{series.name} {stat} is a point value from {series.n} observations; a "
                f"{conf(eff.confidence)} bound on {stat} needs {need}",
                shown,
                f"at least {need} observations needed; {series.n} observed",
            )
    if unit == "s":
        resolution = eff.timer_resolution / (series.iterations or 1)
        if abs(value) <= resolution:
            return item(
                Status.INSUFFICIENT,
                f"{series.name} {stat} is {fmt(value, unit)}, at or below the timer resolution "
                f"of {format_value(resolution, 's')}: not a measurement",
                shown,
                "measure with a finer timer or a larger workload",
            )
    return _compare_point(
        series.name, stat, value, unit, limits, base, item, n=series.n, point_estimate=True
    )
