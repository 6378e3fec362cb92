"""Variance criteria: the coefficient of variation of each metric, on its confidence bounds.

robust: the interdecile range / 2.563 over the median (ignores up to 10% stray values at either
end, never 0 on two clusters), bounded by order statistics; plain: stdev / mean, bounded by
Bonett's stdev bound over the mean's t bound.
A harness-reported CV has no bound: only with `allow_point_estimates: true`.
"""

from __future__ import annotations

from collections.abc import Callable

from reportgen import stats
from reportgen.criteria import Criterion, Effective
from reportgen.evaluate.context import Context, Judgement, Series
from reportgen.evaluate.metrics import Item, decide_bounds, judge_metric, not_measured, recording
from reportgen.evaluation import Figures, Status
from reportgen.units import format_percent, format_value


def judge(ctx: Context, crit: Criterion, eff: Effective) -> Judgement:
    """Every metric `crit.metric` covers, against `max_cv`."""
    return judge_metric(
        ctx, crit, eff, lambda c, cr, e, names: [variance_item(c.series[n], cr, e) for n in names]
    )


def variance_item(series: Series, crit: Criterion, eff: Effective) -> Item:
    """One metric's coefficient of variation against `max_cv`."""
    assert crit.max_cv is not None
    robust = crit.cv_method == "robust"
    stat = "robust_cv" if robust else "cv"
    base = Figures(
        stat=stat, unit="ratio", n=series.count, threshold=crit.max_cv.value, comparison="<="
    )

    def item(status: Status, reason: str, figures: Figures, to_decide: str | None = None) -> Item:
        return Item(series.name, status, reason, figures, to_decide, series.inputs)

    if series.samples is None:
        return _point(series, crit, eff, base, item)
    if (why := not_measured(series, eff)) is not None:
        return item(Status.INSUFFICIENT, why, base, "measure with a finer timer")
    n = len(series.samples)
    if n < eff.min_samples:
        return item(
            Status.INSUFFICIENT,
            f"{series.name} has {n} samples, fewer than the {eff.min_samples} required",
            base,
            f"at least {eff.min_samples} samples needed; {n} observed",
        )
    resolution, quantum = recording(series, eff)
    bound = stats.decile_cv_bound if robust else stats.cv_bound
    kwargs = {"resolution": resolution, "quantum": quantum}
    judged = series.judged_samples or series.samples
    upper = bound(judged, eff.confidence, "upper", **kwargs)
    # The lower bound can only make it fail: not needed when the upper bound passes.
    passes = upper.bound is not None and upper.bound <= crit.max_cv.value
    lower = None if passes else bound(judged, eff.confidence, "lower", **kwargs)
    if upper.estimate != upper.estimate:  # nan: the mean is 0
        return item(
            Status.INSUFFICIENT,
            f"the {'robust CV' if robust else 'CV'} of {series.name} is undefined (its mean is 0)",
            base,
        )
    label = f"{series.name} {'robust CV' if robust else 'CV'}"
    return decide_bounds(
        label,
        upper.estimate,
        None if lower is None else lower.bound,
        upper.bound,
        "ratio",
        [(crit.max_cv, "<=")],
        eff.confidence,
        base,
        item,
        n=n,
        missing=_missing_bound(series, eff, robust, n, resolution, upper.needs),
        straddle=f"more samples ({n} now): the bounds on the CV narrow about as 1/sqrt(n)",
    )


def _missing_bound(
    series: Series, eff: Effective, robust: bool, n: int, resolution: float, needs: int | None
) -> str:
    """What a missing upper bound on the CV needs: more samples when there are too few or the
    samples are too skewed for the plain CV's bounds (`needs`); else the bound of its
    denominator (median or mean) came out at 0, as values at or below the resolution stand for
    anything down to 0."""
    needed = stats.min_samples_for_percentile(0.9, 1 - (1 - eff.confidence) / 3) if robust else 10
    what = "robust CV" if robust else "CV"
    if n < needed:
        return f"at least {needed} samples for a bound on the {what}; {n} observed"
    if needs:
        return (
            f"about {needs} samples ({n} now): these are too skewed for a bound on the plain CV "
            "(the central limit theorem needs n > 25 x skewness squared, of the values for the "
            "mean and of their squared deviations for the stdev); or cv_method: robust, which "
            "needs no such rule"
        )
    centre = "median" if robust else "mean"
    samples = series.samples or ()
    tiny = sum(1 for x in samples if abs(x) <= resolution) if resolution > 0 else 0
    if tiny:
        return (
            f"a {centre} clear of 0: its lower bound is 0, as {tiny} of the {n} samples are at "
            f"or below the resolution of {format_value(resolution, series.unit)} (a larger "
            "workload per sample, or a finer timer)"
        )
    return f"a {centre} clear of 0: its lower bound is not above 0 with {n} samples this spread"


def _point(
    series: Series, crit: Criterion, eff: Effective, base: Figures, item: Callable[..., Item]
) -> Item:
    """A CV the harness reported (or its stdev over its mean): a point value only."""
    assert crit.max_cv is not None
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
    shown = base.model_copy(update={"value": value, "stat": "cv", "point_estimate": True})
    if not crit.allow_point_estimates:
        return item(
            Status.INSUFFICIENT,
            f"{series.name} CV is {format_percent(value)}, a harness-reported point value "
            "without its samples or a confidence bound",
            shown,
            "record raw samples, or set allow_point_estimates: true (weaker evidence)",
        )
    if series.n is None or series.n < eff.min_samples:
        observed = "an unknown number of" if series.n is None else str(series.n)
        return item(
            Status.INSUFFICIENT,
            f"{series.name} cv rests on {observed} observations, fewer than the "
            f"{eff.min_samples} required",
            shown,
            f"at least {eff.min_samples} samples needed",
        )
    note = " (a harness-reported point value without a confidence bound: weaker evidence)"
    if value <= crit.max_cv.value:
        return item(
            Status.PASS,
            f"{series.name} CV is {format_percent(value)}{note}, within {crit.max_cv}",
            shown,
        )
    return item(
        Status.FAIL,
        f"{series.name} CV is {format_percent(value)}{note}, above {crit.max_cv}",
        shown,
    )
