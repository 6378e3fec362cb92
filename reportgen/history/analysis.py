"""What history knows, computed with pandas: flaky tests, failing streaks, added and removed
tests, metric trends.

Queries start from the few executions that did not pass (a partial index finds them), then read
only the tests those belong to; pandas groups and orders per test and per metric.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text

from reportgen import stats
from reportgen.history.facts import FailingSince, FlakyHistory, FlakyTest, MetricTrend
from reportgen.history.schema import BAD_CODES, OUTCOME_CODES, executions, metrics, test_names
from reportgen.history.store import RunInfo, Store, find_runs
from reportgen.model import Outcome

if TYPE_CHECKING:
    import pandas as pd

#: A test whose pass/fail state changes this often within the window is flaky (pass, fail,
#: pass); a single change is a regression or a fix, which "failing since" describes.
FLAKY_FLIPS = 2
#: Confidence of a metric trend's interval (two-sided).
TREND_CONFIDENCE = 0.95
_PASSED = OUTCOME_CODES[Outcome.PASSED]
_SKIPPED = OUTCOME_CODES[Outcome.SKIPPED]
_CHUNK = 2000


def _frame(store: Store, queries: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    with store.errors("read history"), store.reading() as conn:
        frames = [pd.read_sql(query, conn) for query in queries]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame({c: [] for c in columns})
    return pd.concat(frames, ignore_index=True)


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def _not_passed(run_ids: Sequence[int]) -> list[Any]:
    # A literal condition (not a parameter) so that the partial index on it can be used.
    return [
        select(executions.c.test_id, executions.c.run_id)
        .where(text("executions.outcome <> 0"))
        .where(executions.c.outcome.in_(BAD_CODES))
        .where(executions.c.run_id.in_(part))
        for part in _chunks(run_ids)
    ]


def _executions_of(run_ids: Sequence[int], test_ids: Sequence[int]) -> list[Any]:
    queries = []
    for runs_part in _chunks(run_ids):
        for tests_part in _chunks(test_ids):
            queries.append(
                select(executions.c.test_id, executions.c.run_id, executions.c.outcome).where(
                    executions.c.run_id.in_(runs_part), executions.c.test_id.in_(tests_part)
                )
            )
    return queries


def _names(store: Store, test_ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    with store.errors("read history"), store.reading() as conn:
        for part in _chunks(test_ids):
            query = select(test_names.c.id, test_names.c.name).where(test_names.c.id.in_(part))
            found.update((row.id, row.name) for row in conn.execute(query))
    return found


def _run_states(frame: pd.DataFrame) -> pd.DataFrame:
    """Per (test, run): whether any execution passed and any failed (skips are neither)."""
    frame = frame[frame["outcome"] != _SKIPPED]
    frame = frame.assign(
        passed=frame["outcome"] == _PASSED, failed=frame["outcome"].isin(BAD_CODES)
    )
    return frame.groupby(["test_id", "run_id"], as_index=False)[["passed", "failed"]].any()


def flaky_tests(
    store: Store,
    *,
    branch: str | None = None,
    window: int = 20,
    counted: Collection[str] = (),
) -> FlakyHistory:
    """Tests flaky over the last `window` runs (of `branch`, or of any branch when None), and
    how many of those runs executed each test named in `counted`.

    Flaky: passed and failed on the same commit (retries within a run included), or changed
    between passing and failing at least FLAKY_FLIPS times from run to run.
    """
    import pandas as pd

    infos = find_runs(store, branch=branch, last=window)
    result = FlakyHistory(
        window=window,
        branch=branch,
        runs=tuple(i.id for i in infos),
        executed_in=_executed_in(store, [i.id for i in infos], counted),
    )
    if not infos:
        return result
    order = {info.id: position for position, info in enumerate(reversed(infos))}  # oldest 0
    commits = {info.id: info.commit for info in infos}
    bad = _frame(store, _not_passed(list(order)), ["test_id", "run_id"])
    candidates = sorted(int(t) for t in bad["test_id"].unique())
    if not candidates:
        return result
    rows = _frame(store, _executions_of(list(order), candidates), ["test_id", "run_id", "outcome"])
    states = _run_states(rows)
    states["order"] = states["run_id"].map(order)
    states["commit"] = states["run_id"].map(commits)
    # A run where the test both passed and failed is a state of its own ("both"): it already
    # shows flakiness on one commit, and counts as a change against either neighbour.
    states["state"] = states["passed"].astype(int) + 2 * states["failed"].astype(int)
    states = states.sort_values(["test_id", "order"])
    flips = (
        states.groupby("test_id")["state"]
        .agg(lambda s: int((s.diff().fillna(0) != 0).sum()))
        .rename("flips")
    )
    executed = states.groupby("test_id")["run_id"].nunique().rename("runs")
    with_commit = states.dropna(subset=["commit"])
    per_commit = with_commit.groupby(["test_id", "commit"])[["passed", "failed"]].any()
    both = per_commit[per_commit["passed"] & per_commit["failed"]].reset_index()
    same_commit = both.groupby("test_id")["commit"].agg(lambda c: tuple(sorted(c)))
    summary = pd.concat([flips, executed, same_commit.rename("same_commit")], axis=1)
    flagged = summary[(summary["flips"] >= FLAKY_FLIPS) | summary["same_commit"].notna()]
    names = _names(store, [int(t) for t in flagged.index])
    tests = []
    for test_id, row in flagged.iterrows():
        runs_n, flip_n = int(row["runs"]), int(row["flips"])
        commits_both: tuple[str, ...] = (
            row["same_commit"] if isinstance(row["same_commit"], tuple) else ()
        )
        rate = flip_n / (runs_n - 1) if runs_n > 1 else 0.0
        if commits_both:
            shown = ", ".join(c[:12] for c in commits_both[:3])
            reason = f"passed and failed on the same commit ({shown})"
        else:
            reason = f"changed between passing and failing {flip_n} times in {runs_n} runs"
        tests.append(
            FlakyTest(
                id=names[int(str(test_id))],
                reason=reason,
                runs=runs_n,
                flips=flip_n,
                flip_rate=round(rate, 4),
                same_commit=commits_both,
            )
        )
    tests.sort(key=lambda t: (-t.flip_rate, t.id))
    return result.model_copy(update={"tests": tuple(tests)})


def _executed_in(store: Store, run_ids: Sequence[int], names: Collection[str]) -> dict[str, int]:
    """How many of `run_ids` executed each of `names` (a test never executed is left out)."""
    if not run_ids or not names:
        return {}
    query = (
        select(test_names.c.name, func.count(func.distinct(executions.c.run_id)))
        .join(executions, executions.c.test_id == test_names.c.id)
        .where(executions.c.run_id.in_(list(run_ids)))
        .group_by(test_names.c.name)
    )
    wanted = set(names)
    with store.errors("read runs"), store.reading() as conn:
        return {name: int(n) for name, n in conn.execute(query) if name in wanted}


def failing_since(store: Store, run: RunInfo) -> list[FailingSince]:
    """For each test failing in `run`: the first run of its unbroken failing streak on the
    run's branch (a run without the test, or where it passed, ends the streak)."""
    bad = _frame(store, _not_passed([run.id]), ["test_id", "run_id"])
    if bad.empty:
        return []
    rows = _frame(store, _executions_of([run.id], sorted(set(bad["test_id"]))), ["test_id"])
    now = _run_states(rows)
    failing = sorted(int(t) for t in now[now["failed"] & ~now["passed"]]["test_id"])
    if not failing:
        return []
    earlier = [
        info
        for info in find_runs(store, branch=run.branch)
        if (info.recorded_at, info.id) <= (run.recorded_at, run.id)
    ]  # newest first, `run` itself first
    states = _run_states(
        _frame(
            store,
            _executions_of([i.id for i in earlier], failing),
            ["test_id", "run_id", "outcome"],
        )
    )
    failed_in = {
        (int(r.test_id), int(r.run_id)) for r in states.itertuples() if r.failed and not r.passed
    }
    names = _names(store, failing)
    out = []
    for test_id in failing:
        streak = 0
        for info in earlier:
            if (test_id, info.id) not in failed_in:
                break
            streak += 1
        first = earlier[streak - 1]
        out.append(
            FailingSince(
                id=names[test_id],
                since_run=first.id,
                since_commit=first.commit,
                runs_failing=streak,
            )
        )
    out.sort(key=lambda f: f.id)
    return out


def added_removed(store: Store, run: RunInfo, previous: RunInfo) -> tuple[list[str], list[str]]:
    """Test ids in `run` but not in `previous`, and the other way round (sorted)."""
    query = select(executions.c.run_id, executions.c.test_id).where(
        executions.c.run_id.in_([run.id, previous.id]), executions.c.attempt == 1
    )
    frame = _frame(store, [query], ["run_id", "test_id"])
    now = set(frame[frame["run_id"] == run.id]["test_id"])
    before = set(frame[frame["run_id"] == previous.id]["test_id"])
    names = _names(store, sorted(int(t) for t in now ^ before))
    return (
        sorted(names[int(t)] for t in now - before),
        sorted(names[int(t)] for t in before - now),
    )


def metric_trends(
    store: Store, *, branch: str | None = None, last: int = 20, names: Sequence[str] = ()
) -> list[MetricTrend]:
    """Per metric, the median of each of the last `last` runs and, across runs, their median
    with a distribution-free 95% interval (order statistics; None with too few runs)."""
    infos = find_runs(store, branch=branch, last=last)
    if not infos:
        return []
    order = {info.id: position for position, info in enumerate(reversed(infos))}
    query = select(
        metrics.c.run_id,
        metrics.c.name,
        metrics.c.unit,
        metrics.c.direction,
        metrics.c.samples,
        metrics.c.stats,
    ).where(metrics.c.run_id.in_(list(order)))
    if names:
        query = query.where(metrics.c.name.in_(list(names)))
    frame = _frame(store, [query], ["run_id", "name", "unit", "direction", "samples", "stats"])
    if frame.empty:
        return []
    frame["median"] = [
        _run_median(samples, stats_text)
        for samples, stats_text in zip(frame["samples"], frame["stats"], strict=True)
    ]
    frame = frame.dropna(subset=["median"])
    frame["order"] = frame["run_id"].map(order)
    # Several records of one metric in a run: their medians' median stands for the run.
    per_run = (
        frame.groupby(["name", "unit", "direction", "order", "run_id"], as_index=False)["median"]
        .median()
        .sort_values(["name", "order"])
    )
    trends = []
    for (name, unit, direction), group in per_run.groupby(["name", "unit", "direction"]):
        values = [float(v) for v in group["median"]]
        low, high = _median_interval(values)
        trends.append(
            MetricTrend(
                name=str(name),
                unit=str(unit),
                direction=str(direction),
                runs=tuple(int(r) for r in group["run_id"]),
                medians=tuple(values),
                median=statistics.median(values),
                low=low,
                high=high,
            )
        )
    return trends


def _run_median(samples: str | None, stats_text: str) -> float | None:
    if samples is not None:
        values = [v for v in json.loads(samples) if math.isfinite(v)]
        return statistics.median(values) if values else None
    reported = json.loads(stats_text).get("median")
    return float(reported) if reported is not None else None


def _median_interval(values: Sequence[float]) -> tuple[float | None, float | None]:
    """Two one-sided order-statistic bounds of the median at (1 + c) / 2 each."""
    side = (1 + TREND_CONFIDENCE) / 2
    low = stats.percentile_bound(values, 0.5, side, side="lower").bound
    high = stats.percentile_bound(values, 0.5, side, side="upper").bound
    return low, high
