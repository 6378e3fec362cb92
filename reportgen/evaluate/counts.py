"""The counting checks of a `tests` criterion: one table of limits on counts of the selected
executions (total, failed, skipped, flaky), the pass rate, and new failures against a baseline.

Every execution is a trial (see `repeats`): ten `go test -count` runs are ten, and a test that
failed in any of them counts as failed. A new check is one row in `CHECKS`, in the order its
reason should read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field

from reportgen import stats
from reportgen.criteria import DEFAULT_HISTORY_WINDOW, Effective, Quantity, TestsSpec
from reportgen.evaluate.context import Context
from reportgen.evaluate.repeats import list_repeated
from reportgen.evaluate.wording import conf, list_ids
from reportgen.evaluation import Figures, Status
from reportgen.model import Outcome, TestTable
from reportgen.records import record
from reportgen.units import format_percent


@record(frozen=False)
class Check:
    """One check's finding within a `tests` criterion."""

    status: Status
    reason: str
    figures: Figures
    to_decide: str | None = None
    ids: list[str] = field(default_factory=list)  # tests this check singles out


@record
class Tally:
    """The selected tests of a criterion, counted once for every check."""

    ctx: Context
    spec: TestsSpec
    eff: Effective
    selected: list[int]
    counts: dict[Outcome, int]
    scope: str  # "tests", or "tests matching ..." in reasons
    #: Rows that passed after an earlier failing execution of their id (repeats: last_attempt).
    flaky: frozenset[int] = frozenset()


def executed(counts: dict[Outcome, int]) -> int:
    """Tests that ran: passed, failed or errored (skipped ones did not)."""
    return counts[Outcome.PASSED] + counts[Outcome.FAILED] + counts[Outcome.ERROR]


@record
class Limit:
    """A limit on how many of the selected tests are of one sort.

    `counted` says whether a row is of that sort (None: every selected test counts). A floor
    (`at_least`) that is not reached is missing evidence; a ceiling that is passed fails. With
    `among_executed`, the count is out of the tests that ran, and none running is insufficient.
    """

    key: str  # the TestsSpec field holding the limit
    stat: str  # Figures.stat
    word: str  # "failed": "3 of 40 tests failed"
    counted: Callable[[Tally, int], bool] | None = None
    among_executed: bool = False
    at_least: bool = False


def limit_check(row: Limit, tally: Tally) -> Check:
    """How the selected tests stand against the limit of `row`."""
    limit = getattr(tally.spec, row.key)
    assert isinstance(limit, int)
    table = tally.ctx.run.tests
    total = len(tally.selected)
    scope = tally.scope
    if row.counted is None:
        ids: list[str] = []
        value = total
    elif row.at_least:
        ids = []  # a floor names no tests; counting alone keeps a large run cheap
        counted = row.counted
        value = sum(1 for i in tally.selected if counted(tally, i))
    else:
        counted = row.counted
        ids = [table.id_of(i) for i in tally.selected if counted(tally, i)]
        value = len(ids)
    out_of = executed(tally.counts) if row.among_executed else total
    figures = Figures(
        stat=row.stat,
        value=float(value),
        n=out_of,
        threshold=float(limit),
        comparison=">=" if row.at_least else "<=",
    )
    if row.at_least:
        left_out = total - value
        aside = f"; {left_out} skipped or not a test, not counted" if left_out else ""
        if value >= limit:
            return Check(Status.PASS, f"{value} {scope} (at least {limit}){aside}", figures)
        return Check(
            Status.INSUFFICIENT,
            f"only {value} {scope} ran, fewer than the {limit} expected{aside}",
            figures,
            f"{limit} tests needed; {value} ran",
        )
    if row.among_executed and out_of == 0:
        return Check(
            Status.INSUFFICIENT, f"none of the {total} {scope} ran", figures, "run the tests"
        )
    counted_of = f"{value} of {out_of} {scope} {row.word}"
    if value <= limit:
        if total and not executed(tally.counts):
            # A ceiling is kept trivially by tests that never ran (all skipped): no evidence.
            return Check(
                Status.INSUFFICIENT,
                f"none of the {total} {scope} ran ({counted_of})",
                figures,
                "run the tests",
            )
        if limit >= out_of:
            # Nor is a ceiling at or above the tests it counts among (max_failed: 10 over 5):
            # every outcome of theirs keeps it, all of them failing too, so it shows nothing.
            among = "that ran" if row.among_executed else "selected"
            return Check(
                Status.INSUFFICIENT,
                f"{counted_of}, but {row.key}: {limit} cannot be exceeded by {out_of} {scope} "
                f"{among}: it holds whatever their outcome",
                figures,
                f"a {row.key} below {out_of}, or more than {limit} {scope} {among}",
            )
        return Check(Status.PASS, f"{counted_of} (at most {limit})", figures)
    # An id that failed in several executions is listed once, with how many.
    listed = list_repeated(ids)
    return Check(
        Status.FAIL,
        f"{counted_of}, more than {limit}: {list_ids(listed)}",
        figures,
        ids=list(dict.fromkeys(ids)),
    )


def _table(tally: Tally) -> TestTable:
    return tally.ctx.run.tests


def _ran(tally: Tally, i: int) -> bool:
    # A skipped test did not run, and an error that belongs to no test is not a test.
    table = _table(tally)
    return table.outcome_of(i) is not Outcome.SKIPPED and not table.is_unattributed(i)


def _failed(tally: Tally, i: int) -> bool:
    return _table(tally).outcome_of(i) in (Outcome.FAILED, Outcome.ERROR)


def _skipped(tally: Tally, i: int) -> bool:
    return _table(tally).outcome_of(i) is Outcome.SKIPPED


def _flaky(tally: Tally, i: int) -> bool:
    return i in tally.flaky or _table(tally).is_flaky(i)


def _pass_rate(tally: Tally) -> Check:
    assert tally.spec.min_pass_rate is not None
    return pass_rate_check(tally.spec.min_pass_rate, tally.counts, tally.eff, tally.scope)


def _new_failures(tally: Tally) -> Check:
    # Imported here: the new-failures module builds on this one's Check.
    from reportgen.evaluate.new_failures import new_failures_check

    return new_failures_check(tally.ctx, tally.spec, tally.eff, tally.selected)


def _row(limit: Limit) -> tuple[str, Callable[[Tally], Check]]:
    return limit.key, lambda tally: limit_check(limit, tally)


#: (TestsSpec key, check): each check runs when its key is set, in this order.
def flaky_history_check(tally: Tally) -> Check:
    """At most `max_flaky_history` of the selected tests flaky in the recorded runs."""
    spec, ctx = tally.spec, tally.ctx
    assert spec.max_flaky_history is not None
    limit = spec.max_flaky_history
    window = spec.window or DEFAULT_HISTORY_WINDOW
    figures = Figures(stat="flaky_history", threshold=float(limit), comparison="<=")
    found = None if ctx.history is None else ctx.history.get(window)
    if found is None:
        return Check(
            Status.INSUFFICIENT,
            "flakiness across runs needs the run history, and no history database was read",
            figures,
            "record runs with `reportgen record` and give the database with --db",
        )
    where = f"branch {found.branch}" if found.branch else "any branch"
    if len(found.runs) < 2:
        return Check(
            Status.INSUFFICIENT,
            f"the history holds {len(found.runs)} recorded runs of {where}; flakiness across "
            "runs needs at least 2",
            figures.model_copy(update={"n": len(found.runs)}),
            f"record more runs (up to {window} are looked at)",
        )
    table = ctx.run.tests
    ids = {table.id_of(i) for i in tally.selected}
    flaky = [t for t in found.tests if t.id in ids]
    figures = figures.model_copy(update={"value": float(len(flaky)), "n": len(found.runs)})
    runs = f"the last {len(found.runs)} recorded runs of {where}"
    # A test the window holds in fewer than two runs (new, renamed, or recorded under another
    # id by another format) has no history that could show it flaky.
    unseen = sorted(i for i in ids if found.executed_in.get(i, 0) < 2)
    if len(flaky) <= limit and unseen:
        return Check(
            Status.INSUFFICIENT,
            f"{len(unseen)} of {len(ids)} {tally.scope} ran in fewer than 2 of {runs}, so "
            f"history cannot show whether they are flaky: {list_ids(unseen)}",
            figures,
            "record more runs of these tests under the same ids on this branch",
            ids=unseen,
        )
    if len(flaky) <= limit:
        return Check(
            Status.PASS, f"{len(flaky)} {tally.scope} flaky in {runs} (at most {limit})", figures
        )
    named = [f"{t.id} ({t.reason})" for t in flaky]
    return Check(
        Status.FAIL,
        f"{len(flaky)} {tally.scope} flaky in {runs}, more than {limit}: {list_ids(named)}",
        figures,
        ids=[t.id for t in flaky],
    )


CHECKS: tuple[tuple[str, Callable[[Tally], Check]], ...] = (
    _row(Limit("min_total", "total", "", _ran, at_least=True)),
    ("min_pass_rate", _pass_rate),
    _row(Limit("max_failed", "failed", "failed", _failed, among_executed=True)),
    _row(Limit("max_skipped", "skipped", "skipped", _skipped)),
    _row(Limit("max_flaky", "flaky", "flaky", _flaky)),
    ("new_failures", _new_failures),
    ("max_flaky_history", flaky_history_check),
)


def count_checks(tally: Tally) -> list[Check]:
    """Every check the criterion sets, over its selected tests."""
    return [check(tally) for key, check in CHECKS if getattr(tally.spec, key) is not None]


def pass_rate_check(
    target_q: Quantity, counts: dict[Outcome, int], eff: Effective, scope: str
) -> Check:
    """The Clopper-Pearson bounds of passed / executed against `min_pass_rate`."""
    target = target_q.value
    c = eff.confidence
    passed = counts[Outcome.PASSED]
    ran = executed(counts)
    failed = ran - passed
    figures = Figures(
        stat="pass_rate", unit="ratio", n=ran, threshold=target, comparison=">=", confidence=c
    )
    if ran == 0:
        return Check(
            Status.INSUFFICIENT,
            f"none of the {scope} ran, so there is no pass rate",
            figures,
            "run the tests",
        )
    bounds = stats.clopper_pearson(passed, ran, c)
    figures = figures.model_copy(
        update={"value": bounds.estimate, "ci_low": bounds.lower, "ci_high": bounds.upper}
    )
    observed = f"{passed} of {ran} {scope} passed ({format_percent(bounds.estimate)})"
    if bounds.lower >= target:
        return Check(
            Status.PASS,
            f"{observed}; the {conf(c)} lower bound {format_percent(bounds.lower)} reaches "
            f"{target_q}",
            figures,
        )
    if bounds.upper < target:
        return Check(
            Status.FAIL,
            f"{observed}; even the {conf(c)} upper bound {format_percent(bounds.upper)} is "
            f"below {target_q}",
            figures,
        )
    reason = (
        f"{observed}, but the {conf(c)} lower bound {format_percent(bounds.lower)} cannot show "
        f"{target_q}"
    )
    return Check(Status.INSUFFICIENT, reason, figures, _passes_to_decide(passed, failed, target, c))


def _passes_to_decide(passed: int, failed: int, target: float, confidence: float) -> str:
    """How many more consecutive passes would show the target rate."""
    if target >= 1.0:
        return "no number of runs can show a 100% pass rate; use max_failed: 0 instead"
    if failed == 0:
        needed = stats.min_consecutive_successes(target, confidence)
        return f"{needed} consecutive passes needed; {passed} observed"

    def enough(extra: int) -> bool:
        n = passed + failed + extra
        return stats.clopper_pearson(passed + extra, n, confidence).lower >= target

    hi = 1
    while not enough(hi):
        hi *= 2
        if hi > 10**9:
            return "the failures seen so far keep the rate out of reach"
    lo = hi // 2
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if enough(mid):
            hi = mid
        else:
            lo = mid
    return (
        f"{hi} more consecutive passes needed ({passed + failed} executed so far, {failed} failed)"
    )
