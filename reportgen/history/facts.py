"""What history knows, as plain frozen models: flaky tests, failing streaks, metric trends.

Light on purpose (pydantic only): the evaluator and the report view take these without
importing the database or pandas stack.
"""

from __future__ import annotations

from pydantic import Field

from reportgen.model import Frozen


class FlakyTest(Frozen):
    """A test that history shows passing and failing without a change that explains it."""

    __test__ = False

    id: str
    reason: str = Field(description="Why history calls it flaky, in one sentence.")
    runs: int = Field(description="Runs in the window that executed the test.")
    flips: int = Field(description="Changes between passing and failing, run to run.")
    flip_rate: float = Field(description="flips / (runs - 1); 0 with fewer than two runs.")
    same_commit: tuple[str, ...] = Field(
        default=(), description="Commits on which it both passed and failed."
    )


class FlakyHistory(Frozen):
    """Flaky tests over a window of recorded runs (what `max_flaky_history` judges)."""

    window: int = Field(description="Most recent runs looked at.")
    branch: str | None = Field(description="Branch the runs were recorded on; None: any branch.")
    runs: tuple[int, ...] = Field(description="Ids of the runs looked at, newest first.")
    tests: tuple[FlakyTest, ...] = ()
    executed_in: dict[str, int] = Field(
        default_factory=dict,
        description="Runs of the window that executed each test asked about (absent: none). "
        "A test seen in fewer than two runs cannot show flakiness across runs.",
    )


class FailingSince(Frozen):
    """A test failing in a run, and the first run of its unbroken failing streak."""

    id: str
    since_run: int
    since_commit: str | None
    runs_failing: int = Field(description="Consecutive runs of the branch it failed in.")


class MetricTrend(Frozen):
    """One metric across the last runs: per-run medians, their median and its interval."""

    name: str
    unit: str
    direction: str
    runs: tuple[int, ...] = Field(description="Run ids, oldest first.")
    medians: tuple[float, ...] = Field(description="Median of each run's samples, oldest first.")
    median: float
    low: float | None = Field(description="Lower 95% bound of the median; None: too few runs.")
    high: float | None = Field(description="Upper 95% bound of the median; None: too few runs.")


class ReportHistory(Frozen):
    """What a report shows from history: trends of the gated metrics, failing streaks and
    flaky tests of the branch."""

    branch: str | None
    runs: tuple[str, ...] = Field(description="Names of the runs looked at, newest first.")
    trends: tuple[MetricTrend, ...] = ()
    failing_since: tuple[FailingSince, ...] = ()
    flaky: tuple[FlakyTest, ...] = ()
