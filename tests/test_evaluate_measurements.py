"""The measurement rules of the judging stage: what a recorded value stands for, bounds for
every compared statistic, rates with counts, units and directions never guessed."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from reportgen import stats
from reportgen.criteria import CriteriaFile, loads
from reportgen.errors import CriteriaError
from reportgen.evaluate import evaluate
from reportgen.evaluation import CriterionResult, Evaluation, Status
from reportgen.ingest import load
from reportgen.model import Direction, Metric, Run
from tests.conftest import run_cli
from tests.test_evaluate import NOW, metric_run, quantiles


def judge(run: Run, *items: dict[str, Any], baseline: Run | None = None, **top: Any) -> Evaluation:
    criteria = CriteriaFile.model_validate({"version": 1, "criteria": list(items), **top})
    return evaluate(run, criteria, baseline, now=NOW)


def only(evaluation: Evaluation) -> CriterionResult:
    (result,) = evaluation.criteria
    return result


def timings(name: str, samples: list[float], **extra: Any) -> Metric:
    return Metric(name=name, unit="s", samples=tuple(samples), **extra)


REGRESSION = {"id": "reg", "metric": "t", "compare": "baseline", "max_regression": "5%"}


# --- what a recorded value stands for -------------------------------------------------------------


def test_ties_on_a_coarse_timer_do_not_pass() -> None:
    # 20 x 3 ms against 13 x 3 ms + 7 x 4 ms: the medians agree, but on a 1 ms grid the true
    # values may differ by up to a quantum each way; that cannot show "within 5%".
    base = metric_run(timings("t", [0.003] * 20), path="b.json")
    cur = metric_run(timings("t", [0.003] * 13 + [0.004] * 7))
    result = only(judge(cur, REGRESSION, baseline=base))
    assert result.status is Status.INSUFFICIENT
    assert "recorded resolution" in result.reason
    assert result.to_decide is not None and "timer" in result.to_decide


def test_a_stated_timer_resolution_widens_the_comparison() -> None:
    base_values = quantiles(0.0025, 0.05, 30)
    cur_values = quantiles(0.0025, 0.05, 30)
    base = metric_run(timings("t", base_values), path="b.json")
    cur = metric_run(timings("t", cur_values))
    assert only(judge(cur, REGRESSION, baseline=base)).status is Status.PASS
    coarse = {**REGRESSION, "timer_resolution": "1ms"}
    result = only(judge(cur, coarse, baseline=base))
    assert result.status is Status.INSUFFICIENT
    assert result.to_decide is not None and "finer" in result.to_decide


def test_per_operation_averages_carry_the_resolution_over_their_iterations() -> None:
    # go bench ns/op: 260 ns averages over 4,000,000 iterations are well measured on a 1 us
    # timer; read as single timings they would all be "below the timer resolution".
    values = [2.6e-7 * (1 + i / 1000) for i in range(20)]
    item = {"id": "m", "metric": "t", "stat": "mean", "max": "1us"}
    averaged = only(judge(metric_run(timings("t", values, iterations=4_000_000)), item))
    assert averaged.status is Status.PASS
    single = only(judge(metric_run(timings("t", values)), item))
    assert single.status is Status.INSUFFICIENT and "timer resolution" in single.reason


def test_identical_timings_may_be_one_tick_of_a_coarse_timer(tmp_path: Path) -> None:
    # A 15.6 ms timer (Windows' default tick) that rounds reads 14 ms and 20 ms alike as
    # 15.6 ms: twenty identical timings on each side show no grid but the value itself, so a
    # 43% regression read as "no change" is not a pass (it was, on a 0.1 ms grid read off the
    # last printed digit), and neither is a 17 ms p95 limit on values that may be 20 ms.
    def metrics(path: Path, values: list[float], **extra: Any) -> str:
        entry = {"name": "t", "unit": "ms", "samples": values, **extra}
        doc = {"version": 1, "timestamp": "2026-11-30T00:00:00Z", "metrics": [entry]}
        path.write_text(json.dumps(doc))
        return str(path)

    criteria = loads(
        "version: 1\ncriteria:\n"
        "  - {id: reg, metric: t, compare: baseline, max_regression: 5%}\n"
        "  - {id: p95, metric: t, stat: p95, max: 17ms}\n"
    )

    def verdict(**extra: Any) -> list[Status]:
        base = load([metrics(tmp_path / "base.json", [15.6] * 60, **extra)])
        cur = load([metrics(tmp_path / "cur.json", [15.6] * 60, **extra)])
        return [r.status for r in evaluate(cur, criteria, base, now=NOW).criteria]

    assert verdict() == [Status.INSUFFICIENT, Status.INSUFFICIENT]
    # The input's own resolution is the grid: then the same records decide.
    assert verdict(resolution=0.1) == [Status.PASS, Status.PASS]
    # Averages over many iterations are on the timer's step over them, as before.
    runs = [metric_run(timings("t", [0.0156] * 20, iterations=1000), path=p) for p in "ab"]
    assert only(judge(runs[1], REGRESSION, baseline=runs[0])).status is Status.PASS


def test_zeros_stand_for_anything_up_to_the_resolution() -> None:
    # Eleven of twelve at 0.00 ms: the median is not "0 s" but anything the records allow
    # (zeros up to the resolution, and 0 and 3 ms are all the grid the data show: 3 ms).
    run = metric_run(timings("t", [0.0] * 11 + [0.003]))
    low_enough = {"id": "m", "metric": "t", "stat": "median", "max": "2ms", "min_samples": 12}
    assert only(judge(run, low_enough)).status is Status.PASS
    at_least = {"id": "m", "metric": "t", "stat": "median", "min": "0.5us", "min_samples": 12}
    assert only(judge(run, at_least)).status is Status.INSUFFICIENT


# --- every compared statistic has its bound -------------------------------------------------------


def test_a_mean_just_over_its_limit_is_not_passed_on_the_point_value() -> None:
    # n = 12 with a true mean 1% over 10 ms: the point value may land below; the bound cannot.
    values = [v * 1.0 for v in quantiles(0.0101, 0.1, 12)]
    mean = sum(values) / len(values)
    result = only(
        judge(
            metric_run(timings("t", values)),
            {"id": "m", "metric": "t", "stat": "mean", "max": f"{mean * 1.005 * 1e3}ms"},
        )
    )
    assert result.status is Status.INSUFFICIENT
    bound = stats.mean_bound(values, 0.95, "upper").bound
    assert bound is not None and result.figures.ci_high == pytest.approx(bound, rel=1e-3)


def test_a_mean_of_skewed_timings_is_not_passed_on_a_t_bound() -> None:
    # 20 timings drawn (seed 0) from a lognormal with median 10 ms and sigma 1: the true mean
    # is 16.49 ms, above a 16 ms limit. The plain t bound (15.14 ms) passed it: right-skewed
    # samples that miss the tail understate both the mean and its spread. Their skewness
    # (G1 1.4) needs more than 25 G1^2 = 51 samples before the t bound holds.
    ms = [11.34, 8.76, 18.97, 11.11, 5.85, 14.36, 36.84, 25.78, 4.95, 2.82]
    ms += [5.36, 10.42, 0.98, 8.03, 2.88, 4.81, 5.8, 7.29, 15.09, 28.36]
    run = metric_run(timings("t", [v / 1e3 for v in ms]))
    result = only(judge(run, {"id": "m", "metric": "t", "stat": "mean", "max": "16ms"}))
    assert result.status is Status.INSUFFICIENT
    assert result.to_decide is not None and "about 52 samples" in result.to_decide


def test_a_point_percentile_from_too_few_observations_is_insufficient() -> None:
    # p95 from 20 observations is their 19th value: no 95% statement about p95 (needs 59).
    metric = Metric(name="t", unit="s", stats={"p95": 0.5}, n=20)
    item = {"id": "p", "metric": "t", "stat": "p95", "max": "1s", "allow_point_estimates": True}
    result = only(judge(metric_run(metric), item))
    assert result.status is Status.INSUFFICIENT and "needs 59" in result.reason
    enough = Metric(name="t", unit="s", stats={"p95": 0.5}, n=59)
    assert only(judge(metric_run(enough), item)).status is Status.PASS


def test_min_samples_applies_to_point_values() -> None:
    metric = Metric(name="t", unit="s", stats={"mean": 0.5}, n=5)
    item = {"id": "p", "metric": "t", "stat": "mean", "max": "1s", "allow_point_estimates": True}
    assert only(judge(metric_run(metric), item)).status is Status.INSUFFICIENT
    unknown = Metric(name="t", unit="s", stats={"mean": 0.5})
    assert only(judge(metric_run(unknown), item)).status is Status.INSUFFICIENT


def test_robust_cv_does_not_read_zero_on_two_clusters() -> None:
    # 60 runs near 10 ms and 40 near 20 ms: MAD sees only the larger cluster.
    values = quantiles(0.010, 0.01, 60) + quantiles(0.020, 0.01, 40)
    run = metric_run(timings("t", values))
    result = only(judge(run, {"id": "v", "metric": "t", "max_cv": "10%"}))
    assert result.status is Status.FAIL
    mad_cv = stats.robust_cv(values)
    assert mad_cv is not None and mad_cv < 0.05


def test_stdev_has_a_bound_or_is_insufficient() -> None:
    values = quantiles(1.0, 0.1, 9)
    item = {"id": "s", "metric": "t", "stat": "stdev", "max": "1s", "min_samples": 5}
    result = only(judge(metric_run(timings("t", values)), item))
    assert result.status is Status.INSUFFICIENT  # 9 < Bonett's 10
    # Squared deviations of near-normal values have a skewness of about 2.8: the upper bound
    # needs n > 25 x 2.8², some 200 samples (see test_stats_tails).
    some = only(judge(metric_run(timings("t", quantiles(1.0, 0.1, 40))), item))
    assert some.status is Status.INSUFFICIENT and "squared deviations" in (some.to_decide or "")
    more = only(judge(metric_run(timings("t", quantiles(1.0, 0.1, 300))), item))
    assert more.status is Status.PASS and more.figures.ci_high is not None


def test_throughput_from_durations_is_bounded_through_the_mean() -> None:
    values = quantiles(0.010, 0.1, 100)  # about 100 operations per second
    passed = only(
        judge(
            metric_run(timings("t", values)),
            {"id": "x", "metric": "t", "stat": "throughput", "min": 90},
        )
    )
    assert passed.status is Status.PASS and passed.figures.unit == "1/s"
    failed = only(
        judge(
            metric_run(timings("t", values)),
            {"id": "x", "metric": "t", "stat": "throughput", "min": 120},
        )
    )
    assert failed.status is Status.FAIL


# --- rates are rates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hits", "n", "expected"),
    [
        (439, 439, Status.PASS),  # 0.05 ** (1/439) = 0.9932 >= 99%
        (37, 37, Status.INSUFFICIENT),  # 0.05 ** (1/37) = 0.922: cannot show 99%
        (80, 100, Status.FAIL),  # even the upper bound is below 99%
    ],
)
def test_success_rates_with_counts_get_clopper_pearson(hits: int, n: int, expected: Status) -> None:
    metric = Metric(
        name="ok",
        unit="ratio",
        direction=Direction.HIGHER_IS_BETTER,
        stats={"rate": hits / n},
        n=n,
        hits=hits,
    )
    result = only(
        judge(metric_run(metric), {"id": "r", "metric": "ok", "stat": "success_rate", "min": "99%"})
    )
    assert result.status is expected
    bound = stats.clopper_pearson(hits, n)
    assert result.figures.ci_low == pytest.approx(bound.lower)


def test_a_rate_without_counts_is_a_point_value() -> None:
    metric = Metric(
        name="ok", unit="ratio", direction=Direction.HIGHER_IS_BETTER, stats={"rate": 1.0}, n=500
    )
    item = {"id": "r", "metric": "ok", "stat": "success_rate", "min": "99%"}
    assert only(judge(metric_run(metric), item)).status is Status.INSUFFICIENT
    allowed = only(judge(metric_run(metric), {**item, "allow_point_estimates": True}))
    assert allowed.status is Status.PASS and allowed.figures.point_estimate


def test_stat_rate_is_refused_as_ambiguous() -> None:
    text = "version: 1\ncriteria:\n  - {id: r, metric: m, stat: rate, min: 90%}\n"
    with pytest.raises(CriteriaError, match=r"success_rate .* or throughput"):
        loads(text, "c.yaml")


# --- units are never guessed ----------------------------------------------------------------------


def test_a_plain_number_on_a_duration_is_a_criteria_error() -> None:
    run = metric_run(timings("t", [0.02] * 20))
    with pytest.raises(CriteriaError, match="write 25ms or 25s"):
        judge(run, {"id": "p", "metric": "t", "stat": "max", "max": 25})


def test_a_percent_threshold_on_a_unitless_metric_is_a_criteria_error() -> None:
    run = metric_run(Metric(name="acc", samples=(71.3,) * 20))
    with pytest.raises(CriteriaError, match="percentage"):
        judge(run, {"id": "a", "metric": "acc", "stat": "mean", "min": "80%"})
    ratio = metric_run(Metric(name="acc", unit="ratio", samples=(0.713,) * 20))
    assert (
        only(judge(ratio, {"id": "a", "metric": "acc", "stat": "mean", "min": "80%"})).status
        is Status.FAIL
    )


@pytest.mark.parametrize("value", [1, "1", 1.0])
def test_max_regression_of_plain_one_is_refused(value: object) -> None:
    item = {"id": "r", "metric": "m", "compare": "baseline", "max_regression": value}
    with pytest.raises(ValueError, match="ambiguous: write 100% or 1%"):
        CriteriaFile.model_validate({"version": 1, "criteria": [item]})


def test_cli_exit_4_for_a_k6_p95_without_unit(tmp_path: Path, corpus: Path) -> None:
    criteria = tmp_path / "c.yaml"
    criteria.write_text(
        "version: 1\ncriteria:\n  - {id: p95, metric: http_req_duration, stat: p95, max: 25,"
        " allow_point_estimates: true}\n",
        encoding="utf-8",
    )
    result = run_cli(
        "verdict", "-c", str(criteria), str(corpus / "k6" / "k6reporter-handlesummary-simple.json")
    )
    assert result.returncode == 4
    assert str(criteria) in result.stderr and "write 25ms or 25s" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


# --- direction is never guessed -------------------------------------------------------------------


def test_a_comparison_without_a_direction_is_a_criteria_error() -> None:
    # "https_hits" holds neither a unit nor a direction; its name says nothing.
    cur = metric_run(Metric(name="https_hits", samples=tuple(quantiles(100, 0.1, 30))))
    base = metric_run(Metric(name="https_hits", samples=tuple(quantiles(100, 0.1, 30))), path="b")
    item = {**REGRESSION, "metric": "https_hits"}
    with pytest.raises(CriteriaError, match=r"https_hits.*direction"):
        judge(cur, item, baseline=base)
    said = only(judge(cur, {**item, "direction": "higher_is_better"}, baseline=base))
    assert said.status is Status.PASS
    mapped = only(
        judge(cur, item, baseline=base, metrics={"https_*": {"direction": "higher_is_better"}})
    )
    assert mapped.status is Status.PASS


def test_the_criteria_direction_decides_regression_and_improvement() -> None:
    slower = metric_run(Metric(name="score", samples=tuple(quantiles(80, 0.02, 30))))
    base = metric_run(Metric(name="score", samples=tuple(quantiles(100, 0.02, 30))), path="b")
    item = {**REGRESSION, "metric": "score", "direction": "higher_is_better"}
    result = only(judge(slower, item, baseline=base))
    assert result.status is Status.FAIL and result.figures.regression is True


# --- Holm on fails only ---------------------------------------------------------------------------


def _marginal_shift() -> float:
    """A shift whose one-sided p beyond +5% lies in (0.025, 0.05] while its lower bound is
    beyond the edge: a fail alone, but not once Holm doubles it."""
    base = quantiles(1.0, 0.1, 30)
    for step in range(1, 400):
        ratio = 1.05 + step / 2000
        cur = [v * ratio for v in quantiles(1.0, 0.1, 30)]
        p = stats.ratio_beyond_p(
            base, cur, 1.05, above=True, resolution=(1e-6, 1e-6), quantum=(1e-6, 1e-6)
        )
        low = stats.ratio_bounds(base, cur, resolution=(1e-6, 1e-6), quantum=(1e-6, 1e-6)).low
        if 0.025 < p <= 0.05 and low is not None and low > 1.05:
            return ratio
    raise AssertionError("no marginal shift found")


def test_holm_applies_to_fails_not_to_passes() -> None:
    ratio = _marginal_shift()
    base_values = quantiles(1.0, 0.1, 30)
    cur_values = [v * ratio for v in base_values]
    one = only(
        judge(
            metric_run(timings("t", cur_values)),
            REGRESSION,
            baseline=metric_run(timings("t", base_values), path="b"),
        )
    )
    assert one.status is Status.FAIL
    # Two such metrics under one glob: Holm doubles the smaller p, so neither fail holds.
    cur = metric_run(timings("a", cur_values), timings("b", cur_values))
    base = metric_run(timings("a", base_values), timings("b", base_values), path="b")
    both = only(judge(cur, {**REGRESSION, "metric": "*"}, baseline=base))
    assert both.status is Status.INSUFFICIENT
    assert all(i.adjusted_p_value is not None and i.adjusted_p_value > 0.05 for i in both.items)
    # Passes are not corrected: two clear passes pass at the nominal level.
    same = metric_run(timings("a", base_values), timings("b", base_values))
    assert only(judge(same, {**REGRESSION, "metric": "*"}, baseline=base)).status is Status.PASS


def test_serially_dependent_timings_hold_less_evidence(tmp_path: Path) -> None:
    # hyperfine runs in the order run, each side AR(1) in log time (phi 0.8, sigma 0.1: a
    # machine whose speed wanders), the current one truly 10% slower. Read as 30 independent
    # runs the bounds were +3.6% at most and the 5% gate passed (10% of such seeds do); the
    # runs hold the evidence of about 30 / 6 and 30 / 3 (`stats.serial_inflation`).
    import numpy as np

    rng = np.random.default_rng(9)

    def runs(scale: float) -> list[float]:
        log = [rng.normal(0, 0.1)]
        steps = rng.normal(0, 0.1 * math.sqrt(1 - 0.8**2), 30)
        for e in steps[1:]:
            log.append(0.8 * log[-1] + e)
        return [round(scale * math.exp(v), 6) for v in log]

    paths = []
    for name, times in (("base", runs(0.1)), ("cur", runs(0.11))):
        result = {"command": "t", "mean": sum(times) / 30, "times": times, "exit_codes": [0] * 30}
        (tmp_path / f"{name}.json").write_text(json.dumps({"results": [result]}))
        paths.append(str(tmp_path / f"{name}.json"))
    criteria = loads(
        "version: 1\ncriteria: [{id: r, metric: t, compare: baseline, max_regression: 5%}]"
    )
    evaluation = evaluate(load([paths[1]]), criteria, load([paths[0]]), now=NOW)
    assert only(evaluation).status is Status.INSUFFICIENT
    assert only(evaluation).figures.ci_high > 0.05


def _wandering_runs(seed: int, n: int, rho: float) -> list[float]:
    """hyperfine-style run times in the order run: AR(1) in log time (sigma 0.1, lag-1
    correlation rho) around 0.1 s, a machine whose speed wanders."""
    import numpy as np

    rng = np.random.default_rng(seed)
    log = [rng.normal(0, 0.1)]
    for e in rng.normal(0, 0.1 * math.sqrt(1 - rho * rho), n)[1:]:
        log.append(rho * log[-1] + e)
    return [round(0.1 * math.exp(v), 6) for v in log]


# The true p95 is 0.1 s x exp(0.1 z(0.95)) = 117.8 ms, the median 100 ms, the robust CV 0.1003
# and the mean 100.5 ms; every limit is just inside the truth, so READY is wrong.
_P95, _ROBUST_CV = 0.1 * math.exp(0.1 * 1.6448536), 0.100275


@pytest.mark.parametrize(
    ("criterion", "seed", "n", "rho"),
    [
        (f"{{id: x, metric: t, stat: p95, max: {_P95 * 980:.3f}ms}}", 1, 100, 0.9),
        (f"{{id: x, metric: t, stat: p95, max: {_P95 * 980:.3f}ms}}", 4, 100, 0.9),
        ("{id: x, metric: t, stat: median, max: 98ms}", 4, 30, 0.8),
        (f"{{id: x, metric: t, max_cv: {_ROBUST_CV * 0.98:.5f}}}", 1, 100, 0.9),
        (f"{{id: x, metric: t, max_cv: {_ROBUST_CV * 0.98:.5f}}}", 33, 100, 0.9),
        ("{id: x, metric: t, stat: mean, max: 99.5ms}", 36, 30, 0.8),
    ],
)
def test_order_statistics_and_the_mean_of_wandering_runs_are_not_ready(
    tmp_path: Path, criterion: str, seed: int, n: int, rho: float
) -> None:
    # Before: each of these passed (order-statistic bounds read the runs as independent; the
    # mean read the lag-1 correlation at its noisy value and s about its own mean); over 300
    # such seeds at the limit, p95 passed 24-42% of the time at rho 0.8-0.9, the median
    # 24-36%, the robust CV 12-23% at rho 0.9, the mean 6-11%.
    times = _wandering_runs(seed, n, rho)
    result = {"command": "t", "mean": sum(times) / n, "times": times, "exit_codes": [0] * n}
    path = tmp_path / "hyperfine.json"
    path.write_text(json.dumps({"results": [result]}))
    criteria = loads(f"version: 1\ncriteria:\n  - {criterion}\n")
    outcome = only(evaluate(load([str(path)]), criteria, None, now=NOW))
    assert outcome.status is Status.INSUFFICIENT


def test_a_percentile_of_wandering_runs_says_how_little_evidence_they_hold(
    tmp_path: Path,
) -> None:
    times = _wandering_runs(1, 100, 0.9)
    result = {"command": "t", "mean": sum(times) / 100, "times": times, "exit_codes": [0] * 100}
    path = tmp_path / "hyperfine.json"
    path.write_text(json.dumps({"results": [result]}))
    criteria = loads("version: 1\ncriteria: [{id: x, metric: t, stat: p95, max: 1s}]")
    outcome = only(evaluate(load([str(path)]), criteria, None, now=NOW))
    assert outcome.status is Status.INSUFFICIENT
    assert outcome.to_decide is not None and "independent ones" in outcome.to_decide


def test_unequal_spreads_widen_the_comparison() -> None:
    base = metric_run(timings("t", quantiles(0.1, 0.05, 200)), path="b")
    cur = metric_run(timings("t", quantiles(0.1, 0.3, 10)))
    result = only(judge(cur, REGRESSION, baseline=base))
    shift_only = stats.hodges_lehmann_ratio(quantiles(0.1, 0.05, 200), quantiles(0.1, 0.3, 10), 0.9)
    assert result.figures.ci_high is not None and shift_only.high is not None
    assert result.figures.ci_high > shift_only.high - 1.0
    assert result.status is Status.INSUFFICIENT


def test_the_inputs_direction_counts_when_the_criteria_say_nothing() -> None:
    # A unitless score whose input says lower is better: a rise is a regression.
    def score(median: float) -> Metric:
        values = tuple(quantiles(median, 0.02, 30))
        return Metric(name="s", direction=Direction.LOWER_IS_BETTER, samples=values)

    result = only(
        judge(
            metric_run(score(120)),
            {**REGRESSION, "metric": "s"},
            baseline=metric_run(score(100), path="b"),
        )
    )
    assert result.status is Status.FAIL and result.figures.regression is True
    assert math.isclose(result.figures.change or 0.0, 0.2, rel_tol=0.01)


def test_inputs_that_disagree_on_the_direction_decide_nothing() -> None:
    # The baseline's input says a unitless score is higher-is-better, the current one says
    # lower: a 30% drop read with the current word was an improvement (READY). Either input
    # may be the wrong one, so the comparison needs the criteria file's word.
    def score(median: float, direction: Direction) -> Metric:
        return Metric(name="s", direction=direction, samples=tuple(quantiles(median, 0.02, 30)))

    higher, lower = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER
    base = metric_run(score(100, higher), path="b")
    item = {**REGRESSION, "metric": "s"}
    with pytest.raises(CriteriaError, match=r"lower_is_better in the current.*higher_is_better"):
        judge(metric_run(score(70, lower)), item, baseline=base)
    # Two current inputs that disagree pool into a series of no direction, whichever is first.
    for first, second in ((lower, higher), (higher, lower)):
        pooled = metric_run(score(70, first), score(70, second))
        with pytest.raises(CriteriaError, match=r"\bs\b.*direction"):
            judge(pooled, item, baseline=base)
    said = only(
        judge(
            metric_run(score(70, lower)), {**item, "direction": "higher_is_better"}, baseline=base
        )
    )
    assert said.status is Status.FAIL


def test_a_direction_disagreement_in_metrics_json_is_exit_4(tmp_path: Path) -> None:
    base, cur = tmp_path / "base.json", tmp_path / "cur.json"
    values = quantiles(1000, 0.01, 30)
    for path, direction, scale in ((base, "higher_is_better", 1.0), (cur, "lower_is_better", 0.7)):
        entry = {"name": "score", "direction": direction, "samples": [v * scale for v in values]}
        path.write_text(json.dumps({"version": 1, "metrics": [entry]}))
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\ncriteria:\n  - id: reg\n    metric: score\n    compare: baseline\n"
        "    max_regression: 5%\n"
    )
    proc = run_cli("verdict", "-c", str(criteria), "--baseline", str(base), str(cur))
    assert proc.returncode == 4, proc.stdout + proc.stderr  # was READY (exit 0)
    assert "higher_is_better in the baseline" in proc.stderr


def test_a_point_percentile_of_too_few_samples_is_no_baseline_comparison(tmp_path: Path) -> None:
    # 20 current timings (metrics JSON) against a baseline that reports only its p99 over
    # 5,000 requests: the p99 of 20 values is their largest but one, and with the current run
    # truly 10% slower it read as "within 5%" 59% of the time (300 seeds). Now INSUFFICIENT,
    # as the same point percentile is against a threshold.
    def doc(name: str, entry: dict[str, Any]) -> str:
        path = tmp_path / f"{name}.json"
        metric = {"name": "t", "unit": "ms", **entry}
        path.write_text(json.dumps({"version": 1, "metrics": [metric]}))
        return str(path)

    current = doc("cur", {"samples": quantiles(110.0, 0.1, 20)})
    baseline = doc("base", {"stats": {"p99": 130.0}, "n": 5000})
    criteria = loads(
        "version: 1\ncriteria: [{id: r, metric: t, compare: baseline, max_regression: 5%, "
        "stat: p99, allow_point_estimates: true}]"
    )
    result = only(evaluate(load([current]), criteria, load([baseline]), now=NOW))
    assert result.status is Status.INSUFFICIENT
    assert "needs 299" in result.reason
