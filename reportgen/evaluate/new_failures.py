"""`new_failures`: tests failing now that did not fail in the baseline, matched by canonical id.

The comparison only means something when both runs hold the same tests. So it says how many
baseline tests it matched; a test that passed in the baseline and is absent now makes the
criterion insufficient (it may be the one that would fail) unless `allow_missing` permits
that many; and a baseline and current run that share fewer than half of the smaller run's
ids are not compared at all ("0 new failures" between two different suites proves nothing).
"""

from __future__ import annotations

from collections.abc import Sequence

from reportgen.criteria import Effective, TestsSpec
from reportgen.evaluate import repeats
from reportgen.evaluate.context import Context
from reportgen.evaluate.counts import Check
from reportgen.evaluate.wording import list_ids
from reportgen.evaluation import Figures, Status
from reportgen.model import Outcome, TestTable

#: Below this share of the smaller run's ids in common, the two runs are not comparable.
MIN_OVERLAP = 0.5
_BAD = (Outcome.FAILED, Outcome.ERROR)


def _outcomes_by_id(table: TestTable, rows: Sequence[int]) -> dict[str, set[Outcome]]:
    out: dict[str, set[Outcome]] = {}
    for i in rows:
        out.setdefault(table.id_of(i), set()).add(table.outcome_of(i))
    return out


def new_failures_check(ctx: Context, spec: TestsSpec, eff: Effective, selected: list[int]) -> Check:
    """Tests failing now that did not fail in the baseline, against `new_failures`."""
    assert spec.new_failures is not None
    limit = spec.new_failures
    allowed = spec.allow_missing or 0
    figures = Figures(stat="new_failures", threshold=float(limit), comparison="<=")
    base = ctx.baseline
    if base is None:
        return Check(
            Status.INSUFFICIENT,
            "new failures can only be counted against a baseline, and none was given",
            figures,
            "run again with --baseline PATH",
        )
    if len(base.tests) == 0:
        return Check(
            Status.INSUFFICIENT,
            "the baseline contains no tests to compare with",
            figures,
            "give a baseline with test results",
        )
    base_table = base.tests
    base_rows = (
        ctx.select_tests(spec.select, table=base_table)
        if spec.select
        else list(range(len(base_table)))
    )
    base_rows = repeats.count(base_table, base_rows, eff.repeats).rows
    before = _outcomes_by_id(base_table, base_rows)
    now = _outcomes_by_id(ctx.run.tests, selected)
    matched = len(before.keys() & now.keys())
    figures = figures.model_copy(update={"n": len(selected), "n_baseline": matched})
    if not before:
        return Check(
            Status.INSUFFICIENT,
            "no baseline test matches the selection",
            figures,
            "give a baseline that ran the selected tests",
        )
    smaller = min(len(before), len(now))
    if matched < MIN_OVERLAP * smaller:
        return Check(
            Status.INSUFFICIENT,
            f"the baseline and the current run barely overlap: {matched} of the baseline's "
            f"{len(before)} tests are in the current run of {len(now)}, so new failures "
            "cannot be told from renamed or missing tests",
            figures,
            "compare runs of the same test suite (the same test ids)",
        )
    failed_before = {t for t, seen in before.items() if seen & set(_BAD)}
    passed_before = {
        t for t, seen in before.items() if Outcome.PASSED in seen and not seen & set(_BAD)
    }
    missing = sorted(passed_before - now.keys())
    failing_now = [ctx.run.tests.id_of(i) for i in selected if ctx.run.tests.outcome_of(i) in _BAD]
    new = list(dict.fromkeys(t for t in failing_now if t not in failed_before))
    still = len(set(failing_now)) - len(new)
    figures = figures.model_copy(update={"value": float(len(new))})
    compared = f"{matched} of the baseline's {len(before)} tests matched by id"
    carried = f"; {still} failing in the baseline too" if still else ""
    if len(new) > limit:
        return Check(
            Status.FAIL,
            f"{len(new)} tests fail now that did not fail in the baseline, "
            f"more than {limit}: {list_ids(new)} ({compared}{carried})",
            figures,
            ids=new,
        )
    if len(missing) > allowed:
        return Check(
            Status.INSUFFICIENT,
            f"{len(missing)} test{'s' if len(missing) > 1 else ''} that passed in the baseline "
            f"{'are' if len(missing) > 1 else 'is'} absent now: {list_ids(missing)} "
            f"({compared}; allow_missing: {allowed})",
            figures,
            "run the missing tests, or set allow_missing if they were removed on purpose",
        )
    absent = f"; {len(missing)} absent (allow_missing: {allowed})" if missing else ""
    return Check(
        Status.PASS,
        f"{len(new)} new failures against the baseline (at most {limit}; "
        f"{compared}{absent}{carried})",
        figures,
    )
