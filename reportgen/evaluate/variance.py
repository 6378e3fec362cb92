"""Variance criteria: the coefficient of variation (robust or plain) of each metric."""

from __future__ import annotations

from reportgen import stats
from reportgen.criteria import Criterion, Effective
from reportgen.evaluate.context import Context, Judgement, Series
from reportgen.evaluate.metrics import Item, judge_metric, not_measured
from reportgen.evaluation import Figures, Status
from reportgen.units import format_percent


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
