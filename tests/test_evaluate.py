"""The evaluator: every rule of the criteria, on runs built from the model (no ingest involved)."""

from __future__ import annotations

import hashlib
import math
import random
from datetime import UTC, datetime, timedelta
from statistics import NormalDist
from typing import Any

import pytest

from reportgen.criteria import CriteriaFile
from reportgen.errors import CriteriaError
from reportgen.evaluate import evaluate, overall_verdict, resolve_now
from reportgen.evaluation import CriterionResult, Evaluation, Severity, Status, Verdict
from reportgen.model import Direction, InputFile, Metric, Outcome, Run, TestTableBuilder

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


# --- builders ---------------------------------------------------------------------------------


def _input(path: str, timestamp: str | None = None) -> InputFile:
    return InputFile(
        path=path,
        format="test",
        sha256=hashlib.sha256(path.encode()).hexdigest(),
        size=1,
        records=1,
        timestamp=timestamp,
    )


def metric_run(*metrics: Metric, path: str = "current.json", timestamp: str | None = None) -> Run:
    return Run(inputs=(_input(path, timestamp),), metrics=metrics)


def samples_metric(
    name: str,
    samples: list[float],
    *,
    unit: str = "s",
    direction: Direction = Direction.LOWER_IS_BETTER,
) -> Metric:
    return Metric(name=name, unit=unit, direction=direction, samples=tuple(samples))


def lognormal(median: float, sigma: float, n: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [median * math.exp(rng.gauss(0.0, sigma)) for _ in range(n)]


def quantiles(median: float, sigma: float, n: int) -> list[float]:
    """Evenly spread lognormal quantiles: a sample with exactly the intended shape, in an
    order that shows no serial dependence (sorted, they would read as a drift)."""
    dist = NormalDist()
    ordered = [median * math.exp(sigma * dist.inv_cdf((i + 0.5) / n)) for i in range(n)]
    return [ordered[i] for i in sorted(range(n), key=lambda i: (i * 0.6180339887498949) % 1)]


def make_tests_run(
    tests: list[tuple[str, Outcome]] | dict[str, Outcome],
    *,
    path: str = "junit.xml",
    flaky: set[str] | None = None,
    timestamp: str | None = None,
) -> Run:
    builder = TestTableBuilder()
    items = tests.items() if isinstance(tests, dict) else tests
    for test_id, outcome in items:
        classname, _, name = test_id.rpartition("::")
        builder.add(
            name=name,
            classname=classname or None,
            outcome=outcome,
            flaky=test_id in (flaky or set()),
        )
    return Run(inputs=(_input(path, timestamp),), tests=builder.build())


def criteria(*items: dict[str, Any], **top: Any) -> CriteriaFile:
    return CriteriaFile.model_validate({"version": 1, "criteria": list(items), **top})


def judge(run: Run, *items: dict[str, Any], baseline: Run | None = None, **top: Any) -> Evaluation:
    return evaluate(run, criteria(*items, **top), baseline, now=NOW)


def only(evaluation: Evaluation) -> CriterionResult:
    assert len(evaluation.criteria) == 1
    return evaluation.criteria[0]


def passes(
    n: int, failed: int = 0, prefix: str = "tests/load/test_a.py::test"
) -> dict[str, Outcome]:
    out = {f"{prefix}_{i}": Outcome.PASSED for i in range(n)}
    out.update({f"{prefix}_fail_{i}": Outcome.FAILED for i in range(failed)})
    return out


# --- pass rates -------------------------------------------------------------------------------


def test_ten_of_ten_cannot_show_99_percent() -> None:
    result = only(judge(make_tests_run(passes(10)), {"id": "r", "tests": {"min_pass_rate": "99%"}}))
    assert result.status is Status.INSUFFICIENT
    assert result.figures.ci_low == pytest.approx(0.05 ** (1 / 10), abs=1e-4)
    assert result.to_decide == "299 consecutive passes needed; 10 observed"


def test_three_hundred_of_three_hundred_can() -> None:
    result = only(
        judge(make_tests_run(passes(300)), {"id": "r", "tests": {"min_pass_rate": "99%"}})
    )
    assert result.status is Status.PASS
    assert result.figures.ci_low is not None and result.figures.ci_low >= 0.99


def test_pass_rate_clearly_below_target_fails() -> None:
    result = only(
        judge(make_tests_run(passes(50, failed=10)), {"id": "r", "tests": {"min_pass_rate": "99%"}})
    )
    assert result.status is Status.FAIL
    assert result.figures.ci_high is not None and result.figures.ci_high < 0.99


def test_pass_rate_with_a_failure_says_how_many_more_passes() -> None:
    result = only(
        judge(make_tests_run(passes(200, failed=1)), {"id": "r", "tests": {"min_pass_rate": "99%"}})
    )
    assert result.status is Status.INSUFFICIENT
    assert result.to_decide is not None and "more consecutive passes needed" in result.to_decide
    more = int(result.to_decide.split()[0])
    # The figure it names is the first that decides: one fewer does not.
    from reportgen.stats import clopper_pearson

    assert clopper_pearson(200 + more, 201 + more).lower >= 0.99
    assert clopper_pearson(200 + more - 1, 201 + more - 1).lower < 0.99


def test_pass_rate_counts_only_selected_tests() -> None:
    run = make_tests_run({**passes(300), "tests/other/test_b.py::test_x": Outcome.FAILED})
    spec = {"select": "tests/load/**", "min_pass_rate": "99%"}
    assert only(judge(run, {"id": "r", "tests": spec})).status is Status.PASS


def test_skipped_tests_are_not_executions() -> None:
    run = make_tests_run({**passes(10), "tests/load/test_a.py::test_skip": Outcome.SKIPPED})
    result = only(judge(run, {"id": "r", "tests": {"min_pass_rate": "50%"}}))
    assert result.figures.n == 10


# --- required tests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (Outcome.PASSED, Status.PASS),
        (Outcome.FAILED, Status.FAIL),
        (Outcome.ERROR, Status.FAIL),
        (Outcome.SKIPPED, Status.INSUFFICIENT),
        (None, Status.INSUFFICIENT),
    ],
)
def test_required_test(outcome: Outcome | None, expected: Status) -> None:
    tests = {"tests/test_other.py::test_y": Outcome.PASSED}
    if outcome is not None:
        tests["tests/test_imports.py::test_core"] = outcome
    result = only(
        judge(
            make_tests_run(tests),
            {"id": "imports", "tests": {"require": ["tests/test_imports.py::*"]}},
        )
    )
    assert result.status is expected
    if outcome is None:
        assert "no test matches required" in result.reason
    if outcome is Outcome.SKIPPED:
        assert "skipped" in result.reason


def test_require_matches_pytest_dotted_classnames_as_paths() -> None:
    # pytest's JUnit XML: classname "tests.test_imports", name "test_core".
    run = make_tests_run({"tests.test_imports::test_core": Outcome.PASSED})
    result = only(judge(run, {"id": "i", "tests": {"require": "tests/test_imports.py::*"}}))
    assert result.status is Status.PASS


def test_every_required_pattern_must_match() -> None:
    run = make_tests_run({"a::t1": Outcome.PASSED})
    result = only(judge(run, {"id": "i", "tests": {"require": ["a::*", "b::*"]}}))
    assert result.status is Status.INSUFFICIENT
    assert "'b::*'" in result.reason


# --- counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"max_failed": 0}, Status.FAIL),
        ({"max_failed": 1}, Status.PASS),
        ({"max_skipped": 0}, Status.FAIL),
        ({"max_skipped": 1}, Status.PASS),
        ({"max_flaky": 0}, Status.FAIL),
        ({"max_flaky": 1}, Status.PASS),
        # min_total counts tests that ran: the skipped t::d is not one of them.
        ({"min_total": 3}, Status.PASS),
        ({"min_total": 4}, Status.INSUFFICIENT),
        ({"select": "nothing::*", "max_failed": 0}, Status.INSUFFICIENT),
        ({"select": "s::*", "max_failed": 0}, Status.PASS),
        # Ceilings kept only because nothing selected ran (all skipped) are no evidence.
        ({"select": "t::d", "max_skipped": 1}, Status.INSUFFICIENT),
        ({"select": "t::d", "max_flaky": 0}, Status.INSUFFICIENT),
        ({"select": "t::d", "max_failed": 0}, Status.INSUFFICIENT),
        ({"select": "t::d", "max_skipped": 0}, Status.FAIL),
        # So are ceilings at or above the tests they count among: no outcome could pass them.
        ({"max_failed": 2}, Status.PASS),
        ({"max_failed": 3}, Status.INSUFFICIENT),  # 3 ran
        ({"max_skipped": 3}, Status.PASS),
        ({"max_skipped": 4}, Status.INSUFFICIENT),  # 4 selected
        ({"max_flaky": 4}, Status.INSUFFICIENT),
        ({"select": "s::*", "max_failed": 2}, Status.INSUFFICIENT),
    ],
)
def test_count_checks(spec: dict[str, Any], expected: Status) -> None:
    run = make_tests_run(
        {
            "s::a": Outcome.PASSED,
            "s::b": Outcome.PASSED,
            "t::c": Outcome.FAILED,
            "t::d": Outcome.SKIPPED,
        },
        flaky={"s::b"},
    )
    assert only(judge(run, {"id": "c", "tests": spec})).status is expected


def test_a_failing_check_wins_over_passing_ones_and_names_the_test() -> None:
    run = make_tests_run({"s::a": Outcome.PASSED, "t::c": Outcome.FAILED})
    result = only(judge(run, {"id": "c", "tests": {"min_total": 1, "max_failed": 0}}))
    assert result.status is Status.FAIL
    assert "t::c" in result.reason
    assert result.evidence[0].tests[0] == "t::c"


def test_no_tests_at_all_is_insufficient() -> None:
    result = only(judge(metric_run(), {"id": "c", "tests": {"max_failed": 0}}))
    assert result.status is Status.INSUFFICIENT


# --- new failures -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "now", "expected"),
    [
        (Outcome.FAILED, Outcome.FAILED, Status.PASS),  # still failing: not new
        (Outcome.PASSED, Outcome.FAILED, Status.FAIL),
        (Outcome.PASSED, Outcome.ERROR, Status.FAIL),
        (Outcome.SKIPPED, Outcome.FAILED, Status.FAIL),
        (None, Outcome.FAILED, Status.FAIL),  # a new test that fails is a new failure too
        (Outcome.FAILED, Outcome.PASSED, Status.PASS),
    ],
)
def test_new_failures(before: Outcome | None, now: Outcome, expected: Status) -> None:
    base_tests = {"x::stable": Outcome.PASSED}
    if before is not None:
        base_tests["x::t"] = before
    baseline = make_tests_run(base_tests, path="base.xml")
    run = make_tests_run({"x::stable": Outcome.PASSED, "x::t": now})
    result = only(judge(run, {"id": "n", "tests": {"new_failures": 0}}, baseline=baseline))
    assert result.status is expected
    if expected is Status.FAIL:
        assert "x::t" in result.reason


def test_new_failures_without_baseline_is_insufficient() -> None:
    result = only(judge(make_tests_run(passes(3)), {"id": "n", "tests": {"new_failures": 0}}))
    assert result.status is Status.INSUFFICIENT
    assert result.to_decide is not None and "--baseline" in result.to_decide


# --- metric thresholds ------------------------------------------------------------------------


def test_p95_needs_59_samples_for_its_bound() -> None:
    run = metric_run(samples_metric("lat", quantiles(0.1, 0.1, 20)))
    result = only(judge(run, {"id": "p", "metric": "lat", "stat": "p95", "max": "1s"}))
    assert result.status is Status.INSUFFICIENT
    assert result.to_decide is not None and result.to_decide.startswith("59 samples needed")
    assert "20 observed" in result.to_decide


@pytest.mark.parametrize(("limit", "expected"), [("1s", Status.PASS), ("50ms", Status.FAIL)])
def test_p95_with_enough_samples(limit: str, expected: Status) -> None:
    run = metric_run(samples_metric("lat", quantiles(0.1, 0.1, 100)))
    result = only(judge(run, {"id": "p", "metric": "lat", "stat": "p95", "max": limit}))
    assert result.status is expected
    assert result.figures.ci_high is not None and result.figures.ci_high >= result.figures.value


def test_p95_bound_straddling_the_limit_is_insufficient() -> None:
    samples = quantiles(0.1, 0.1, 100)
    from reportgen.stats import percentile_bound

    bound = percentile_bound(samples, 0.95, 0.95, "upper")
    estimate = bound.estimate
    assert bound.bound is not None
    limit = (estimate + bound.bound) / 2  # above the point value, below its upper bound
    run = metric_run(samples_metric("lat", samples))
    result = only(judge(run, {"id": "p", "metric": "lat", "stat": "p95", "max": f"{limit}s"}))
    assert result.status is Status.INSUFFICIENT


def test_a_lower_bound_above_the_max_fails_even_with_few_samples() -> None:
    run = metric_run(samples_metric("lat", [2.0 + i / 100 for i in range(20)]))
    result = only(judge(run, {"id": "p", "metric": "lat", "stat": "p95", "max": "1s"}))
    assert result.status is Status.FAIL


@pytest.mark.parametrize(
    ("stat", "bound", "expected"),
    [
        ("mean", {"max": "1.1s"}, Status.PASS),
        ("mean", {"max": "900ms"}, Status.FAIL),
        ("max", {"max": "1.5s"}, Status.PASS),
        ("min", {"min": "0.5s"}, Status.PASS),
        ("min", {"min": "0.99s"}, Status.FAIL),
        ("count", {"min": 10}, Status.PASS),
        ("count", {"min": 11}, Status.FAIL),
        # Ten values: too few for the central limit theorem on their squared deviations
        # (skewness 0.7 of these: n > 12), which an upper bound on the stdev needs.
        ("stdev", {"max": "1s"}, Status.INSUFFICIENT),
        ("cv", {"max": "1%"}, Status.FAIL),
        ("mean", {"min": "0.5s", "max": "0.9s"}, Status.FAIL),
    ],
)
def test_point_statistics_from_samples(stat: str, bound: dict[str, Any], expected: Status) -> None:
    # 0.95 .. 1.04, mean 0.995, in an order without a drift.
    samples = [0.95 + i * 0.01 for i in (3, 8, 1, 6, 0, 9, 4, 2, 7, 5)]
    run = metric_run(samples_metric("t", samples))
    result = only(judge(run, {"id": "s", "metric": "t", "stat": stat, **bound}))
    assert result.status is expected


def test_twenty_zero_timings_are_not_a_measurement() -> None:
    run = metric_run(samples_metric("init", [0.0] * 20))
    result = only(judge(run, {"id": "i", "metric": "init", "stat": "max", "max": "1ms"}))
    assert result.status is Status.INSUFFICIENT
    assert "timer resolution" in result.reason


def test_timer_resolution_is_configurable() -> None:
    run = metric_run(samples_metric("init", [0.0005] * 20))
    item = {"id": "i", "metric": "init", "stat": "max", "max": "1ms"}
    assert only(judge(run, item)).status is Status.PASS
    coarse = {**item, "timer_resolution": "1ms"}
    assert only(judge(run, coarse)).status is Status.INSUFFICIENT


@pytest.mark.parametrize(("n", "expected"), [(9, Status.INSUFFICIENT), (10, Status.PASS)])
def test_min_samples(n: int, expected: Status) -> None:
    run = metric_run(samples_metric("t", [1.0 + i / 1000 for i in range(n)]))
    result = only(judge(run, {"id": "s", "metric": "t", "stat": "mean", "max": "2s"}))
    assert result.status is expected
    if expected is Status.INSUFFICIENT:
        assert result.to_decide == f"at least 10 samples needed; {n} observed"


def test_min_samples_default_and_override() -> None:
    run = metric_run(samples_metric("t", [1.0 + i / 1000 for i in range(5)]))
    item = {"id": "s", "metric": "t", "stat": "mean", "max": "2s"}
    assert only(judge(run, item, defaults={"min_samples": 5})).status is Status.PASS
    overridden = {**item, "min_samples": 6}
    assert only(judge(run, overridden, defaults={"min_samples": 5})).status is Status.INSUFFICIENT


def test_a_metric_in_no_input_is_insufficient() -> None:
    run = metric_run(samples_metric("other", [1.0] * 10))
    result = only(judge(run, {"id": "s", "metric": "t", "stat": "mean", "max": "2s"}))
    assert result.status is Status.INSUFFICIENT
    assert "in no input" in result.reason


def test_a_threshold_in_another_unit_is_a_criteria_error() -> None:
    run = metric_run(samples_metric("mem", [1000.0] * 10, unit="B"))
    with pytest.raises(CriteriaError, match="2s is a duration, and the values are a size"):
        judge(run, {"id": "s", "metric": "mem", "stat": "mean", "max": "2s"})


def test_point_estimate_threshold_needs_permission_and_is_marked() -> None:
    metric = Metric(name="lat", unit="s", stats={"p95": 0.8, "mean": 0.5}, n=100)
    item = {"id": "p", "metric": "lat", "stat": "p95", "max": "1s"}
    refused = only(judge(metric_run(metric), item))
    assert refused.status is Status.INSUFFICIENT
    assert "allow_point_estimates" in (refused.to_decide or "")
    result = only(judge(metric_run(metric), {**item, "allow_point_estimates": True}))
    assert result.status is Status.PASS
    assert result.figures.point_estimate
    assert "weaker evidence" in result.reason


def test_point_estimate_missing_the_statistic_is_insufficient() -> None:
    metric = Metric(name="lat", unit="s", stats={"mean": 0.5}, n=100)
    result = only(
        judge(metric_run(metric), {"id": "p", "metric": "lat", "stat": "p99", "max": "1s"})
    )
    assert result.status is Status.INSUFFICIENT


# --- variance ---------------------------------------------------------------------------------


def test_robust_cv_ignores_an_outlier_plain_cv_does_not() -> None:
    # 59 steady values and one stray: under 10%, so the interdecile range does not see it.
    # The steady values in an order without serial dependence (a repeating ramp reads as one).
    steady = [1.0 + (i % 5) * 0.01 for i in range(59)]
    samples = [steady[i] for i in sorted(range(59), key=lambda i: (i * 0.6180339887498949) % 1)]
    samples.append(5.0)
    run = metric_run(samples_metric("t", samples))
    robust = only(judge(run, {"id": "v", "metric": "t", "max_cv": "10%"}))
    plain = only(judge(run, {"id": "v", "metric": "t", "max_cv": "10%", "cv_method": "plain"}))
    assert robust.status is Status.PASS and robust.figures.stat == "robust_cv"
    assert plain.status is Status.FAIL and plain.figures.stat == "cv"


# --- baseline comparison ----------------------------------------------------------------------


def _compare(
    current: list[float],
    baseline: list[float] | None,
    direction: Direction = Direction.LOWER_IS_BETTER,
    **extra: Any,
) -> CriterionResult:
    run = metric_run(samples_metric("conn", current, direction=direction))
    base = (
        metric_run(samples_metric("conn", baseline, direction=direction), path="base.json")
        if baseline is not None
        else None
    )
    item = {"id": "reg", "metric": "conn", "compare": "baseline", "max_regression": "5%", **extra}
    return only(judge(run, item, baseline=base))


def test_slower_by_a_quarter_fails_and_reports_about_plus_25_percent() -> None:
    result = _compare(lognormal(1.5, 0.03, 30, 1), lognormal(1.2, 0.03, 30, 2))
    assert result.status is Status.FAIL
    f = result.figures
    assert f.change == pytest.approx(0.25, abs=0.03)
    assert f.regression is True
    assert f.ci_low is not None and f.ci_high is not None
    assert 0.05 < f.ci_low < f.change < f.ci_high
    assert "regressed by +2" in result.reason and "one-sided 95% bounds" in result.reason


def test_same_distribution_with_30_samples_each_passes() -> None:
    result = _compare(lognormal(1.2, 0.03, 30, 3), lognormal(1.2, 0.03, 30, 4))
    assert result.status is Status.PASS
    assert result.figures.ci_high is not None and result.figures.ci_high <= 0.05


def test_three_samples_each_are_insufficient() -> None:
    result = _compare(lognormal(1.2, 0.03, 3, 5), lognormal(1.2, 0.03, 3, 6))
    assert result.status is Status.INSUFFICIENT
    assert result.to_decide is not None and "samples per side" in result.to_decide


def test_three_samples_each_are_insufficient_even_when_min_samples_allows() -> None:
    result = _compare(lognormal(1.2, 0.03, 3, 5), lognormal(1.2, 0.03, 3, 6), min_samples=3)
    assert result.status is Status.INSUFFICIENT


def test_a_straddling_interval_says_how_many_more_samples() -> None:
    result = _compare(quantiles(1.04, 0.1, 20), quantiles(1.0, 0.1, 20))
    assert result.status is Status.INSUFFICIENT
    assert result.to_decide is not None
    assert result.to_decide.startswith("about ") and "more samples per side" in result.to_decide


def test_without_a_baseline_run_the_comparison_is_insufficient() -> None:
    result = _compare(lognormal(1.2, 0.03, 30, 3), None)
    assert result.status is Status.INSUFFICIENT
    assert "--baseline" in (result.to_decide or "")


@pytest.mark.parametrize(
    ("now", "then", "expected", "regression"),
    [
        (800.0, 1000.0, Status.FAIL, True),  # throughput down 20%: a regression
        (1250.0, 1000.0, Status.PASS, False),  # up 25%: an improvement, whatever the words
    ],
)
def test_direction_decides_regression(
    now: float, then: float, expected: Status, regression: bool
) -> None:
    result = _compare(
        quantiles(now, 0.02, 30),
        quantiles(then, 0.02, 30),
        direction=Direction.HIGHER_IS_BETTER,
    )
    assert result.status is expected
    assert result.figures.regression is regression
    assert result.figures.comparison == ">="


def test_lower_is_better_improvement_passes() -> None:
    result = _compare(quantiles(1.2, 0.02, 30), quantiles(1.5, 0.02, 30))
    assert result.status is Status.PASS
    assert result.figures.regression is False
    assert "improved" in result.reason


def test_absolute_tolerance_is_more_lenient_for_tiny_values() -> None:
    # 10% slower, but by only 0.1 ms: within a 1 ms absolute tolerance.
    current, baseline = quantiles(0.0011, 0.01, 30), quantiles(0.001, 0.01, 30)
    assert _compare(current, baseline).status is Status.FAIL
    assert _compare(current, baseline, max_regression_abs="1ms").status is Status.PASS


def test_point_estimates_need_permission_and_are_marked_weaker() -> None:
    run = metric_run(Metric(name="conn", unit="s", stats={"median": 1.5}, n=30))
    base = metric_run(Metric(name="conn", unit="s", stats={"median": 1.2}, n=30), path="b.json")
    item = {"id": "reg", "metric": "conn", "compare": "baseline", "max_regression": "5%"}
    refused = only(judge(run, item, baseline=base))
    assert refused.status is Status.INSUFFICIENT
    assert "allow_point_estimates" in (refused.to_decide or "")
    allowed = only(judge(run, {**item, "allow_point_estimates": True}, baseline=base))
    assert allowed.status is Status.FAIL
    assert allowed.figures.point_estimate
    assert allowed.figures.change == pytest.approx(0.25)
    assert "weaker" in allowed.reason


@pytest.mark.parametrize("raw", [[1.18], [1.18, 1.21]])
def test_a_point_estimate_against_too_few_raw_samples_is_insufficient(raw: list[float]) -> None:
    # The side with raw samples is held to min_samples as well: a summary of 30 against one
    # or two timings compares nothing, whichever side each is on.
    summary = Metric(name="conn", unit="s", stats={"median": 1.2}, n=30)
    item = {
        "id": "reg",
        "metric": "conn",
        "compare": "baseline",
        "max_regression": "5%",
        "allow_point_estimates": True,
    }
    for current, baseline in (
        (samples_metric("conn", raw), summary),
        (summary, samples_metric("conn", raw)),
    ):
        result = only(
            judge(metric_run(current), item, baseline=metric_run(baseline, path="b.json"))
        )
        assert result.status is Status.INSUFFICIENT, result.reason
        assert f"{len(raw)} observations, fewer than the 10 required" in result.reason


def test_glob_covers_several_metrics_with_holm_adjusted_p_values() -> None:
    names = ["api_a", "api_b", "api_c"]
    run = metric_run(
        samples_metric("api_a", lognormal(1.5, 0.03, 30, 10)),
        samples_metric("api_b", lognormal(1.0, 0.03, 30, 11)),
        samples_metric("api_c", lognormal(1.0, 0.03, 30, 12)),
    )
    base = metric_run(
        *(samples_metric(n, lognormal(1.0, 0.03, 30, 20 + i)) for i, n in enumerate(names)),
        path="b.json",
    )
    item = {"id": "reg", "metric": "api_*", "compare": "baseline", "max_regression": "5%"}
    result = only(judge(run, item, baseline=base))
    assert [i.metric for i in result.items] == names
    assert result.status is Status.FAIL
    assert [i.status for i in result.items] == [Status.FAIL, Status.PASS, Status.PASS]
    for i in result.items:
        assert i.p_value is not None and i.adjusted_p_value is not None
        assert i.adjusted_p_value >= i.p_value
    # Holm widens the intervals: each is at least as wide as the unadjusted one.
    single = only(judge(run, {**item, "metric": "api_b"}, baseline=base))
    adjusted_b = result.items[1].figures
    assert single.figures.ci_low is not None and adjusted_b.ci_low is not None
    assert adjusted_b.ci_low <= single.figures.ci_low
    assert "1 of 3 metrics" in result.reason


def test_a_glob_matching_nothing_is_insufficient() -> None:
    run = metric_run(samples_metric("x", [1.0] * 10))
    result = only(judge(run, {"id": "g", "metric": "api_*", "stat": "mean", "max": "2s"}))
    assert result.status is Status.INSUFFICIENT


# --- staleness --------------------------------------------------------------------------------


@pytest.mark.parametrize(("age_days", "expected"), [(1, Status.PASS), (30, Status.INSUFFICIENT)])
def test_stale_inputs_are_insufficient(age_days: int, expected: Status) -> None:
    stamp = (NOW - timedelta(days=age_days)).isoformat()
    run = metric_run(samples_metric("t", [1.0] * 10), timestamp=stamp)
    item = {"id": "s", "metric": "t", "stat": "mean", "max": "2s"}
    result = only(judge(run, item, defaults={"max_age": "14d"}))
    assert result.status is expected
    tests = make_tests_run(passes(5), timestamp=stamp)
    result = only(
        judge(tests, {"id": "t", "tests": {"max_failed": 0}}, defaults={"max_age": "14d"})
    )
    assert result.status is expected


TESTS_AGED = {"id": "t", "tests": {"max_failed": 0}}


def _aged(stamp: str, max_age: str = "2h") -> CriterionResult:
    return only(
        judge(make_tests_run(passes(3), timestamp=stamp), TESTS_AGED, defaults={"max_age": max_age})
    )


def test_a_zoneless_timestamp_passes_only_if_young_enough_in_every_zone() -> None:
    # NOW is 12:00 UTC. Written at UTC+14, 22:00 local meant 08:00 UTC: 4 h old at most.
    assert _aged("2026-06-01T22:00:00", "4h").status is Status.PASS
    # One second earlier it could be older than 4 h: not shown young enough.
    short = _aged("2026-06-01T21:59:59", "4h")
    assert short.status is Status.INSUFFICIENT
    assert "2026-06-01T21:59:59 names no time zone" in short.reason
    assert "up to 4 hours old" in short.reason
    assert short.to_decide is not None and "write the time zone" in short.to_decide
    assert "14 hours more in max_age" in short.to_decide
    # A local time an hour ahead of UTC's clock is normal east of Greenwich, not the future.
    ahead = _aged("2026-06-01T13:00:00", "1d")
    assert ahead.status is Status.PASS


def test_a_zoneless_timestamp_stale_in_every_zone_says_so() -> None:
    # Written at UTC−12, 20:00 local on 30 May meant 08:00 UTC on 31 May: 28 h old at least.
    result = _aged("2026-05-30T20:00:00", "1d")
    assert result.status is Status.INSUFFICIENT
    assert "at least 28 hours old in any time zone" in result.reason
    assert result.to_decide == "run the tests again"
    # The edge: at UTC−12, 23:59:59 on 30 May was a day and a second ago ...
    assert "at least 24 hours old" in _aged("2026-05-30T23:59:59", "1d").reason
    # ... and midnight exactly a day ago, which may be young enough: not shown either way.
    edge = _aged("2026-05-31T00:00:00", "1d")
    assert edge.status is Status.INSUFFICIENT and "names no time zone" in edge.reason


def test_a_timestamp_in_the_future_cannot_show_its_age() -> None:
    run = make_tests_run(passes(3), timestamp="2026-06-01T13:00:00Z")
    ev = judge(run, TESTS_AGED, defaults={"max_age": "2h"})
    result = only(ev)
    assert result.status is Status.INSUFFICIENT
    assert "60 minutes in the future" in result.reason
    assert result.to_decide is not None and "clocks" in result.to_decide
    assert any("60 minutes in the future" in w for w in ev.warnings)
    # Within five minutes of skew it is now, not the future.
    assert _aged("2026-06-01T12:05:00Z").status is Status.PASS
    assert _aged("2026-06-01T12:05:01Z").status is Status.INSUFFICIENT
    # Zoneless: in the future only when it is so even at UTC+14 (14:00 UTC + 14 h).
    assert _aged("2026-06-02T02:05:00", "1d").status is Status.PASS
    far = _aged("2026-06-02T02:06:00", "1d")
    assert far.status is Status.INSUFFICIENT and "in the future" in far.reason


def test_a_zoneless_metric_timestamp_is_judged_the_same() -> None:
    run = metric_run(samples_metric("t", [1.0] * 10), timestamp="2026-06-01T21:00:00")
    item = {"id": "s", "metric": "t", "stat": "mean", "max": "2s"}
    result = only(judge(run, item, defaults={"max_age": "4h"}))
    assert result.status is Status.INSUFFICIENT
    assert "names no time zone" in result.reason
    assert result.to_decide is not None and "write the time zone" in result.to_decide
    assert only(judge(run, item, defaults={"max_age": "6h"})).status is Status.PASS


# --- waivers, severity, verdicts --------------------------------------------------------------


FAILING = {"id": "f", "tests": {"max_failed": 0}}
PASSING = {"id": "p", "tests": {"min_total": 1}}


def _failing_run() -> Run:
    return make_tests_run({"s::a": Outcome.PASSED, "s::b": Outcome.FAILED})


def test_an_active_waiver_waives_but_keeps_the_criterion() -> None:
    waivers = [{"criterion": "f", "reason": "known, #512", "expires": "2026-12-31"}]
    ev = judge(_failing_run(), FAILING, PASSING, waivers=waivers)
    result = ev.criteria[0]
    assert result.status is Status.WAIVED and result.raw_status is Status.FAIL
    assert result.waiver is not None and result.waiver.active
    assert ev.verdict is Verdict.READY


def test_an_expired_waiver_is_ignored_with_a_warning() -> None:
    waivers = [{"criterion": "f", "reason": "known", "expires": "2026-01-31"}]
    ev = judge(_failing_run(), FAILING, PASSING, waivers=waivers)
    result = ev.criteria[0]
    assert result.status is Status.FAIL
    assert result.waiver is not None and not result.waiver.active
    assert any("expired" in w for w in ev.warnings)
    assert ev.verdict is Verdict.NOT_READY


def test_a_waiver_expires_after_its_last_day() -> None:
    waivers = [{"criterion": "f", "reason": "known", "expires": NOW.date().isoformat()}]
    assert judge(_failing_run(), FAILING, waivers=waivers).criteria[0].status is Status.WAIVED


def test_a_failing_advisory_criterion_leaves_the_verdict_ready() -> None:
    ev = judge(_failing_run(), {**FAILING, "severity": "advisory"}, PASSING)
    assert ev.criteria[0].status is Status.FAIL
    assert ev.verdict is Verdict.READY


@pytest.mark.parametrize(
    ("results", "evidence", "expected"),
    [
        ([("blocker", "pass")], True, Verdict.READY),
        ([("blocker", "pass"), ("blocker", "fail")], True, Verdict.NOT_READY),
        ([("blocker", "insufficient"), ("blocker", "fail")], True, Verdict.NOT_READY),
        ([("blocker", "pass"), ("blocker", "insufficient")], True, Verdict.INSUFFICIENT),
        ([("blocker", "waived"), ("blocker", "pass")], True, Verdict.READY),
        ([("advisory", "fail"), ("blocker", "pass")], True, Verdict.READY),
        ([("advisory", "pass")], True, Verdict.INSUFFICIENT),  # no blocker criteria
        ([], True, Verdict.INSUFFICIENT),
        ([("blocker", "pass")], False, Verdict.INSUFFICIENT),  # no evidence at all
    ],
)
def test_overall_verdict(results: list[tuple[str, str]], evidence: bool, expected: Verdict) -> None:
    made = [
        CriterionResult(
            id=f"c{i}",
            kind="tests",
            severity=Severity(sev),
            status=Status(st),
            raw_status=Status(st),
            reason="r.",
        )
        for i, (sev, st) in enumerate(results)
    ]
    assert overall_verdict(made, evidence) is expected


def test_no_inputs_is_never_ready() -> None:
    ev = evaluate(Run(), criteria(PASSING), now=NOW)
    assert ev.verdict is Verdict.INSUFFICIENT
    assert any("no evidence" in w for w in ev.warnings)


def test_phases_get_their_own_verdicts() -> None:
    cf = CriteriaFile.model_validate(
        {
            "version": 1,
            "phases": [
                {"name": "Regression", "criteria": [FAILING]},
                {"name": "Size", "criteria": [PASSING]},
            ],
        }
    )
    ev = evaluate(_failing_run(), cf, now=NOW)
    assert [(p.name, p.verdict) for p in ev.phases] == [
        ("Regression", Verdict.NOT_READY),
        ("Size", Verdict.READY),
    ]
    assert ev.verdict is Verdict.NOT_READY
    assert [c.phase for c in ev.criteria] == ["Regression", "Size"]


# --- evidence and provenance ------------------------------------------------------------------


def test_evidence_names_input_hash_and_caps_test_ids() -> None:
    run = make_tests_run(passes(100))
    result = only(judge(run, {"id": "t", "tests": {"max_failed": 0}}))
    (ref,) = result.evidence
    assert ref.path == "junit.xml"
    assert ref.sha256 == hashlib.sha256(b"junit.xml").hexdigest()
    assert len(ref.tests) == 20 and ref.tests_total == 100


def test_metric_evidence_names_both_runs() -> None:
    result = _compare(lognormal(1.2, 0.03, 30, 3), lognormal(1.2, 0.03, 30, 4))
    assert [(r.path, r.baseline, r.metrics) for r in result.evidence] == [
        ("current.json", False, ("conn",)),
        ("base.json", True, ("conn",)),
    ]


def test_every_result_has_one_sentence_and_insufficient_says_what_decides() -> None:
    ev = judge(
        make_tests_run(passes(10)),
        {"id": "a", "tests": {"min_pass_rate": "99%"}},
        {"id": "b", "metric": "m", "stat": "mean", "max": 1},
        {"id": "c", "tests": {"max_failed": 0}},
    )
    for result in ev.criteria:
        assert result.reason.endswith(".") and "\n" not in result.reason
        assert (result.to_decide is not None) == (result.status is Status.INSUFFICIENT)


def test_evaluation_is_deterministic() -> None:
    run = metric_run(samples_metric("t", lognormal(1.0, 0.05, 40, 7)))
    base = metric_run(samples_metric("t", lognormal(1.0, 0.05, 40, 8)), path="b.json")
    item = {"id": "reg", "metric": "t", "compare": "baseline", "max_regression": "5%"}
    first = judge(run, item, baseline=base).model_dump_json()
    assert first == judge(run, item, baseline=base).model_dump_json()


def test_now_defaults_to_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    assert resolve_now() == datetime(2026, 1, 1, tzinfo=UTC)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert abs((resolve_now() - datetime.now(UTC)).total_seconds()) < 60
