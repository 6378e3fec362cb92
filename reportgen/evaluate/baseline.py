"""Baseline comparison: each metric's change against the baseline run, within a tolerance.

With samples on both sides the change is a Hodges-Lehmann ratio with a confidence interval,
Holm-corrected across the metrics a glob covers; point estimates only when allowed.
"""

from __future__ import annotations

import math

from reportgen import stats
from reportgen.criteria import Criterion, Effective
from reportgen.evaluate.context import Context, Judgement, Series
from reportgen.evaluate.metrics import Item, judge_metric, not_measured, point_stat, sample_stat
from reportgen.evaluate.wording import conf, fmt, signed_pct
from reportgen.evaluation import Figures, Status
from reportgen.model import Direction
from reportgen.units import threshold_kind_matches


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


def baseline_items(ctx: Context, crit: Criterion, eff: Effective, names: list[str]) -> list[Item]:
    """Each metric against the baseline; intervals of several are Holm-corrected together."""
    items: list[Item | None] = []
    estimates: dict[int, tuple[stats.RatioEstimate, Series, Series]] = {}
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
    out: list[Item] = []
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
    abs_tol = crit.max_regression_abs
    if abs_tol is not None and not threshold_kind_matches(abs_tol.kind, cur.unit):
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
    if min(cur.samples) <= 0 or min(base.samples) <= 0:
        return item(
            f"{cur.name} has values at or below zero, so a ratio to the baseline is undefined",
            None,
        )
    return None


def _baseline_judge(
    estimate: stats.RatioEstimate,
    cur: Series,
    base: Series,
    crit: Criterion,
    eff: Effective,
    level: float,
) -> Item:
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
    medians = f"median {fmt(base_median, cur.unit)} → {fmt(cur_median, cur.unit)}"
    tol = _tolerance_text(crit)

    def item(status: Status, reason: str, to_decide: str | None = None) -> Item:
        return Item(cur.name, status, reason, figures, to_decide, cur.inputs, base.inputs)

    if estimate.low is None or estimate.high is None:
        return item(
            Status.INSUFFICIENT,
            f"{cur.name} {word} by {signed_pct(change)} ({medians}) but {len(base.samples)} and "
            f"{len(cur.samples)} samples are too few for a {conf(level)} interval",
            "more samples per side",
        )
    ci = f"{conf(level)} CI {signed_pct(low or 0.0)} to {signed_pct(high or 0.0)}"
    head = f"{cur.name} {word} by {signed_pct(change)} against the baseline ({ci}; {medians})"
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


def _baseline_point(cur: Series, base: Series, crit: Criterion, eff: Effective) -> Item:
    """Compare a point statistic of each side (allow_point_estimates); weaker, no interval."""
    stat = crit.stat or "median"
    values = []
    for s in (cur, base):
        v = sample_stat(s.samples, stat, s.unit) if s.samples else point_stat(s, stat)
        if v is None and not crit.stat and s.samples is None:
            stat_alt = "mean"
            v = point_stat(s, stat_alt)
        values.append(v)
    now, then = values
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
        f"{cur.name} {word} by {signed_pct(change)} against the baseline ({stat} "
        f"{fmt(then, cur.unit)} → {fmt(now, cur.unit)}; point estimates, no interval: weaker "
        "evidence)"
    )
    ok = ratio <= edge if lower_better else ratio >= edge
    tol = _tolerance_text(crit)
    if ok:
        return item(Status.PASS, f"{head}, within the {tol} tolerance")
    return item(Status.FAIL, f"{head}, beyond the {tol} tolerance")
