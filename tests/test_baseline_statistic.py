"""A baseline comparison that names a statistic (`stat: p95`, `mean`, `min`, `max`) judges the
change of that statistic, not the medians' shift: the tail can get worse while the median
stays where it was (docs/statistics.md, "Baseline comparison")."""

from __future__ import annotations

import json
import math
from pathlib import Path
from statistics import NormalDist
from typing import Any

import pytest

from reportgen import stats
from reportgen.criteria import loads
from reportgen.evaluate import evaluate
from reportgen.evaluation import CriterionResult, Status
from reportgen.ingest import load
from tests.conftest import run_cli
from tests.test_evaluate import NOW, quantiles


def split(median: float, low: float, high: float, n: int) -> list[float]:
    """Evenly spread quantiles of a log-normal whose upper half has log-sigma `high` and its
    lower half `low`: the median stays `median` whatever the tail does. In an order that
    shows no serial dependence (as `quantiles`)."""
    dist = NormalDist()
    z = [dist.inv_cdf((i + 0.5) / n) for i in range(n)]
    ordered = [round(median * math.exp((high if v > 0 else low) * v), 3) for v in z]
    return [ordered[i] for i in sorted(range(n), key=lambda i: (i * 0.6180339887498949) % 1)]


def _sigma_for(q: float, ratio: float) -> float:
    """The upper log-sigma that makes the q-quantile `ratio` times the sigma-0.1 baseline's."""
    return 0.1 + math.log(ratio) / NormalDist().inv_cdf(q)


def compare(tmp_path: Path, base: list[float], cur: list[float], criterion: str) -> CriterionResult:
    """Both runs as metrics JSON (milliseconds, lower is better) through load and evaluate."""
    paths = []
    for name, samples in (("base", base), ("cur", cur)):
        metric: dict[str, Any] = {"name": "t", "unit": "ms", "samples": samples}
        (tmp_path / f"{name}.json").write_text(json.dumps({"version": 1, "metrics": [metric]}))
        paths.append(str(tmp_path / f"{name}.json"))
    criteria = loads(
        "version: 1\ncriteria:\n  - {id: r, metric: t, compare: baseline, max_regression: 10%, "
        f"{criterion}}}\n"
    )
    (result,) = evaluate(load([paths[1]]), criteria, load([paths[0]]), now=NOW).criteria
    return result


def test_a_p95_twenty_percent_worse_with_the_median_unchanged_fails(tmp_path: Path) -> None:
    # The medians agree, so the Hodges–Lehmann ratio read "within 10%" and the gate was
    # READY (exit 0) with p95 truly 20% worse. Now the p95 ratio itself is bounded (97.5%
    # order-statistic bounds on each run): with 300 a side its lower bound is beyond 10%,
    # with 200 the bounds straddle it.
    base = quantiles(100.0, 0.1, 300)
    cur = split(100.0, 0.1, _sigma_for(0.95, 1.2), 300)
    result = compare(tmp_path, base, cur, "stat: p95")
    assert result.status is Status.FAIL
    assert "p95" in result.reason
    assert result.figures.ci_low is not None and result.figures.ci_low > 0.10
    fewer = compare(tmp_path, base[:200], cur[:200], "stat: p95")
    assert fewer.status is Status.INSUFFICIENT
    assert fewer.figures.ci_high is not None and fewer.figures.ci_high > 0.10


@pytest.mark.parametrize(("n_base", "n_cur"), [(200, 20), (20, 200), (60, 60)])
def test_too_few_samples_for_the_ranks_say_how_many_each_side_needs(
    tmp_path: Path, n_base: int, n_cur: int
) -> None:
    # Before: READY on the medians with the p95 truly 20% worse. A 97.5% order-statistic
    # upper bound on p95 needs 72 samples (ln 0.025 / ln 0.95).
    base = quantiles(100.0, 0.1, n_base)
    cur = split(100.0, 0.1, _sigma_for(0.95, 1.2), n_cur)
    result = compare(tmp_path, base, cur, "stat: p95")
    assert result.status is Status.INSUFFICIENT
    assert result.to_decide is not None and "at least 72" in result.to_decide


def test_a_short_side_with_point_estimates_allowed_is_a_labelled_point_comparison(
    tmp_path: Path,
) -> None:
    base = quantiles(100.0, 0.1, 60)
    cur = quantiles(100.0, 0.1, 60)
    result = compare(tmp_path, base, cur, "stat: p95, allow_point_estimates: true")
    assert result.status is Status.PASS
    assert result.figures.point_estimate and "weaker evidence" in result.reason


def test_a_mean_twenty_percent_worse_with_the_median_unchanged_fails(tmp_path: Path) -> None:
    # The upper half of the current run spread out (log-sigma 0.45): the median is the same,
    # the mean 20% higher. Before: READY on the medians (bounds +2.2% and +9.4%). Now the
    # ratio of means is bounded (a skew-corrected t bound on each run at 97.5%).
    base = quantiles(100.0, 0.1, 200)
    cur = split(100.0, 0.1, 0.45, 200)
    assert stats.percentile(cur, 0.5) == pytest.approx(stats.percentile(base, 0.5), rel=1e-2)
    assert sum(cur) / sum(base) > 1.18
    result = compare(tmp_path, base, cur, "stat: mean")
    assert result.status is Status.FAIL
    assert "mean" in result.reason
    # 100 a side: too skewed for the current run's t bound (n > 25 G1² needs 108).
    fewer = compare(tmp_path, base[:100], split(100.0, 0.1, 0.45, 100), "stat: mean")
    assert fewer.status is Status.INSUFFICIENT
    assert fewer.to_decide is not None and "at least 108 current" in fewer.to_decide


def test_an_observed_maximum_is_compared_as_observed(tmp_path: Path) -> None:
    # One run 50% slower than any in the baseline; the medians agree (READY before).
    base = quantiles(100.0, 0.1, 30)
    cur = [*quantiles(100.0, 0.1, 29), round(max(base) * 1.5, 3)]
    assert compare(tmp_path, base, cur, "stat: max").status is Status.FAIL
    # The minimum did not move: within the tolerance, exactly.
    result = compare(tmp_path, base, cur, "stat: min")
    assert result.status is Status.PASS
    assert result.figures.confidence is None


def test_a_statistic_without_a_ratio_bound_is_not_the_medians(tmp_path: Path) -> None:
    base = quantiles(100.0, 0.1, 60)
    cur = split(100.0, 0.1, 0.4, 60)
    result = compare(tmp_path, base, cur, "stat: stdev")
    assert result.status is Status.INSUFFICIENT
    assert result.to_decide is not None and "allow_point_estimates" in result.to_decide
    allowed = compare(tmp_path, base, cur, "stat: stdev, allow_point_estimates: true")
    assert allowed.status is Status.FAIL and allowed.figures.point_estimate


def test_clean_runs_still_pass_and_the_median_is_unchanged(tmp_path: Path) -> None:
    base = quantiles(100.0, 0.1, 300)
    cur = quantiles(101.0, 0.1, 300)
    assert compare(tmp_path, base, cur, "stat: p95").status is Status.PASS
    assert compare(tmp_path, base, cur, "stat: mean").status is Status.PASS
    # `stat: median` and `p50` are the Hodges–Lehmann ratio of medians, as without a stat.
    plain = compare(tmp_path, base, cur, "direction: lower_is_better")
    for stat in ("median", "p50"):
        named = compare(tmp_path, base, cur, f"stat: {stat}")
        assert (named.status, named.figures, named.reason) == (
            plain.status,
            plain.figures,
            plain.reason,
        )


def test_holm_corrects_the_fails_of_a_percentile_over_a_glob(tmp_path: Path) -> None:
    # Two metrics, each with p95 30% worse: each bound is beyond, and each p-value survives
    # Holm over the two. (20% worse: each beyond on its own bound, p = 0.032, but not after
    # Holm, adjusted 0.064: INSUFFICIENT.)
    base = quantiles(100.0, 0.1, 300)
    cur = split(100.0, 0.1, _sigma_for(0.95, 1.3), 300)
    docs = []
    for name, samples in (("base", base), ("cur", cur)):
        metrics = [{"name": m, "unit": "ms", "samples": samples} for m in ("a", "b")]
        (tmp_path / f"{name}.json").write_text(json.dumps({"version": 1, "metrics": metrics}))
        docs.append(str(tmp_path / f"{name}.json"))
    criteria = loads(
        "version: 1\ncriteria: [{id: r, metric: '*', compare: baseline, max_regression: 10%, "
        "stat: p95}]"
    )
    (result,) = evaluate(load([docs[1]]), criteria, load([docs[0]]), now=NOW).criteria
    assert result.status is Status.FAIL
    assert len(result.items) == 2
    for each in result.items:
        assert each.p_value is not None and each.adjusted_p_value is not None
        assert each.p_value <= each.adjusted_p_value <= 0.05


def test_hyperfine_runs_with_a_slower_tail_are_not_ready(tmp_path: Path) -> None:
    # hyperfine JSON (`times` in seconds, in the order run), 300 runs a side; the current
    # command's slowest tenth is 25-40% slower, its median the same. Before: READY (exit 0)
    # on the medians; now p95 is bounded and the gate fails (exit 1).
    base = [t / 1000 for t in quantiles(100.0, 0.1, 300)]
    cur = [t / 1000 for t in split(100.0, 0.1, _sigma_for(0.95, 1.25), 300)]
    for name, times in (("base", base), ("cur", cur)):
        result = {"command": "t", "mean": sum(times) / 300, "times": times, "exit_codes": [0] * 300}
        (tmp_path / f"{name}.json").write_text(json.dumps({"results": [result]}))
    (tmp_path / "c.yaml").write_text(
        "version: 1\ncriteria: [{id: r, metric: t, compare: baseline, max_regression: 10%, "
        "stat: p95}]\n"
    )
    proc = run_cli(
        "verdict",
        "-c",
        str(tmp_path / "c.yaml"),
        "--baseline",
        str(tmp_path / "base.json"),
        str(tmp_path / "cur.json"),
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr


def test_the_records_and_serial_dependence_widen_a_percentile_ratio() -> None:
    base = quantiles(100.0, 0.1, 300)
    cur = quantiles(104.0, 0.1, 300)
    sharp = stats.statistic_ratio(base, cur, "p95", edge=1.1, above=True)
    # On a 5 ms grid each value stands for 5 ms around it: the bounds only move outwards.
    coarse = stats.statistic_ratio(
        base, cur, "p95", edge=1.1, above=True, resolution=(5.0, 5.0), quantum=(5.0, 5.0)
    )
    assert sharp.low is not None and sharp.high is not None
    assert coarse.low is not None and coarse.high is not None
    assert coarse.low < sharp.low and coarse.high > sharp.high and coarse.widened
    # Sorted, the current run reads as a drift: its samples hold the evidence of far fewer.
    drifting = stats.statistic_ratio(base, sorted(cur), "p95", edge=1.1, above=True)
    assert drifting.high is None and drifting.needs[1] > 300


def test_the_p_value_beyond_the_edge_agrees_with_the_bound() -> None:
    base = quantiles(100.0, 0.1, 300)
    for ratio, beyond in ((1.2, True), (1.12, False)):
        cur = split(100.0, 0.1, _sigma_for(0.95, ratio), 300)
        found = stats.statistic_ratio(base, cur, "p95", edge=1.1, above=True)
        assert found.low is not None
        assert (found.low > 1.1) is beyond
        assert (found.p_beyond is not None and found.p_beyond <= 0.05) is beyond
