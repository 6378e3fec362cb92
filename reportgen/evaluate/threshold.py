"""Threshold criteria: a statistic of each metric held against `min` and/or `max`.

Percentiles are decided on their distribution-free confidence bounds; other statistics, and
harness-reported values without samples, as point values.
"""

from __future__ import annotations

from collections.abc import Callable

from reportgen import stats
from reportgen.criteria import Criterion, Effective, Quantity
from reportgen.evaluate.context import Context, Judgement, Series, combine
from reportgen.evaluate.metrics import Item, judge_metric, not_measured, point_stat, sample_stat
from reportgen.evaluate.wording import conf, fmt
from reportgen.evaluation import Figures, Status
from reportgen.statistic import percentile_q
from reportgen.units import format_value, stat_unit, threshold_kind_matches


def judge(ctx: Context, crit: Criterion, eff: Effective) -> Judgement:
    """Every metric `crit.metric` covers, against the criterion's bounds."""
    return judge_metric(
        ctx, crit, eff, lambda c, cr, e, names: [threshold_item(c.series[n], cr, e) for n in names]
    )


def threshold_item(series: Series, crit: Criterion, eff: Effective) -> Item:
    """One metric's statistic against the criterion's `min` and/or `max`."""
    stat = crit.stat or "mean"
    unit = stat_unit(stat, series.unit)
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

    for quantity, _op in limits:
        if not threshold_kind_matches(quantity.kind, unit):
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
    q = percentile_q(stat)
    if q is not None:
        return _percentile_item(series, stat, q, unit, limits, eff, base, item)
    value = sample_stat(samples, stat, series.unit)
    if value is None:
        return item(
            Status.INSUFFICIENT,
            f"{stat} of {series.name} is undefined for these samples",
            base,
        )
    return _compare_point(series.name, stat, value, unit, limits, base, item, n=n)


ItemFactory = Callable[..., Item]


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
    note = " (a harness-reported point value, no samples)" if point_estimate else ""
    wanted = " and ".join(f"{o} {q}" for q, o in limits)
    if status is Status.PASS:
        reason = f"{name} {stat} is {shown}{note}, within {wanted}"
    else:
        reason = f"{name} {stat} is {shown}{note}, not {broken[0]}"
    return item(status, reason, figures)


def _percentile_item(
    series: Series,
    stat: str,
    q: float,
    unit: str,
    limits: list[tuple[Quantity, str]],
    eff: Effective,
    base: Figures,
    item: ItemFactory,
) -> Item:
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
        estimate = fmt(passing.estimate, unit)
        if passing.bound is not None and (
            passing.bound <= limit if op == "<=" else passing.bound >= limit
        ):
            statuses.append(Status.PASS)
            reasons.append(
                f"{label} is {estimate} and its {passing.side} {conf(c)} bound "
                f"{fmt(passing.bound, unit)} is within {op} {quantity}"
            )
            continue
        failing = bound("lower" if op == "<=" else "upper")
        if failing.bound is not None and (
            failing.bound > limit if op == "<=" else failing.bound < limit
        ):
            statuses.append(Status.FAIL)
            reasons.append(
                f"{label} is {estimate} and even its {failing.side} {conf(c)} "
                f"bound {fmt(failing.bound, unit)} is {'above' if op == '<=' else 'below'} "
                f"{quantity}"
            )
        elif passing.bound is None:
            statuses.append(Status.INSUFFICIENT)
            reasons.append(
                f"{label} (point value {estimate}) needs {passing.min_n} samples for a "
                f"{conf(c)} {passing.side} bound; {len(samples)} observed"
            )
            to_decide = to_decide or (
                f"{passing.min_n} samples needed for a {conf(c)} bound on {stat}; "
                f"{len(samples)} observed"
            )
        else:
            statuses.append(Status.INSUFFICIENT)
            reasons.append(
                f"the {conf(c)} bounds of {label} ({fmt(bound('lower').bound, unit)} to "
                f"{fmt(bound('upper').bound, unit)}) straddle {quantity}"
            )
            to_decide = to_decide or (
                f"more samples, to narrow the bounds of {stat} on either side of {quantity}"
            )
    status = combine(statuses)
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
    series: Series,
    crit: Criterion,
    eff: Effective,
    stat: str,
    unit: str,
    limits: list[tuple[Quantity, str]],
    base: Figures,
    item: ItemFactory,
) -> Item:
    value = point_stat(series, stat)
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
            f"{series.name} {stat} is {fmt(value, unit)}, at or below the timer resolution of "
            f"{format_value(eff.timer_resolution, 's')}: not a measurement",
            base.model_copy(update={"value": value, "point_estimate": True}),
            "measure with a finer timer or a larger workload",
        )
    return _compare_point(
        series.name, stat, value, unit, limits, base, item, n=series.n, point_estimate=True
    )
