"""Tests criteria: which tests a criterion selects, the tests it requires, its counting checks
(see `counts`), and the evidence it cites."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from reportgen.criteria import Criterion, Effective, TestsSpec
from reportgen.evaluate.context import MAX_IDS_PER_REF, Context, Judgement, combine
from reportgen.evaluate.counts import CHECKS, Check, Tally, count_checks
from reportgen.evaluate.wording import list_ids
from reportgen.evaluation import Figures, Status
from reportgen.model import Outcome


def judge(ctx: Context, crit: Criterion, eff: Effective) -> Judgement:
    """The criterion's checks over the tests it selects and requires."""
    spec = crit.tests
    assert spec is not None
    run = ctx.run
    table = run.tests
    if not needs_selection(spec):
        selected: list[int] = []  # only `require`: its own rows are the evidence
    elif spec.select:
        selected = ctx.select_tests(spec.select)
    else:
        selected = list(range(len(table)))
    if len(selected) == len(table):
        counts = table.outcome_counts()  # every test: count the outcome column in one go
    else:
        counts = dict.fromkeys(Outcome, 0)
        for i in selected:
            counts[table.outcome_of(i)] += 1
    checks: list[Check] = []
    singled: list[int] = []
    if spec.require is not None:
        check, rows = require_check(ctx, spec.require)
        checks.append(check)
        singled.extend(rows)
    scope = f"tests matching {list_ids(list(spec.select))}" if spec.select else "tests"
    if spec.select and not selected and needs_selection(spec):
        checks.append(
            Check(
                Status.INSUFFICIENT,
                f"no test matches select {list_ids(list(spec.select))}",
                Figures(stat="total", value=0, n=0),
                "run the selected tests (or fix the pattern)",
            )
        )
    elif not selected and needs_selection(spec):
        checks.append(
            Check(
                Status.INSUFFICIENT,
                "the inputs contain no tests",
                Figures(stat="total", value=0, n=0),
                "give the test results as inputs",
            )
        )
    else:
        checks.extend(count_checks(Tally(ctx, spec, eff, selected, counts, scope)))
    stale = ctx.stale((table.input_of(i) for i in [*selected, *singled]), eff.max_age)
    if stale is not None:
        checks.insert(0, Check(Status.INSUFFICIENT, stale, Figures(), "run the tests again"))
    status = combine(c.status for c in checks)
    deciding = [c for c in checks if c.status is status]
    reason = "; ".join(c.reason for c in deciding)
    to_decide = next((c.to_decide for c in deciding if c.to_decide), None)
    figures = deciding[0].figures
    # Evidence: every input holding a selected or required test, singled-out ids first. Ids are
    # built only for the rows listed (a run may hold a million tests).
    rows = list(dict.fromkeys([*singled, *selected])) if singled else selected
    totals: dict[int, int] = defaultdict(int)
    for i in rows:
        totals[table.input_of(i)] += 1
    first_ids = dict.fromkeys(x for c in deciding for x in c.ids)
    first_rows: list[int] = []
    if first_ids:
        notable = {
            table.id_of(i): i
            for i in rows
            if table.outcome_of(i) is not Outcome.PASSED or table.is_flaky(i)
        }
        first_rows = [notable[t] for t in first_ids if t in notable]
    per_input: dict[int, list[str]] = {index: [] for index in totals}
    listed: set[int] = set()
    for i in [*first_rows, *rows]:
        bucket = per_input[table.input_of(i)]
        if i not in listed and len(bucket) < MAX_IDS_PER_REF:
            bucket.append(table.id_of(i))
            listed.add(i)
    evidence = ctx.refs(per_input, tests=True, totals=totals)
    if spec.new_failures is not None and ctx.baseline is not None and ctx.baseline.inputs:
        base_inputs: dict[int, list[str]] = {
            ctx.baseline.tests.input_of(i): [] for i in range(len(ctx.baseline.tests))
        }
        evidence.extend(
            ctx.refs(dict(base_inputs), baseline=True, tests=True, totals=defaultdict(int))
        )
    return Judgement(status, reason, figures, to_decide, tuple(evidence))


def needs_selection(spec: TestsSpec) -> bool:
    """Whether any counting check is set (`require` alone reads only the tests it names)."""
    return any(getattr(spec, key) is not None for key, _check in CHECKS)


def require_check(ctx: Context, patterns: Sequence[str]) -> tuple[Check, list[int]]:
    """Each required pattern must match a test, and every matching test must pass."""
    table = ctx.run.tests
    # One pass over the run with every pattern, then each pattern over the rows that matched.
    candidates = ctx.select_tests(patterns)
    missing: list[str] = []
    failing: list[str] = []
    skipped: list[str] = []
    rows: list[int] = []
    matched = 0
    for pattern in patterns:
        found = ctx.select_tests([pattern], candidates)
        if not found:
            missing.append(pattern)
        for i in found:
            rows.append(i)
            outcome = table.outcome_of(i)
            if outcome in (Outcome.FAILED, Outcome.ERROR):
                failing.append(table.id_of(i))
            elif outcome is Outcome.SKIPPED:
                skipped.append(table.id_of(i))
        matched += len(found)
    rows = list(dict.fromkeys(rows))
    figures = Figures(
        stat="required_failed",
        value=float(len(failing)),
        n=len(rows),
        threshold=0.0,
        comparison="<=",
    )
    if failing:
        return (
            Check(
                Status.FAIL,
                f"{len(failing)} required test{'s' if len(failing) > 1 else ''} failed: "
                f"{list_ids(failing)}",
                figures,
                ids=failing,
            ),
            rows,
        )
    if missing or skipped:
        parts = []
        if missing:
            parts.append(f"no test matches required {list_ids([repr(p) for p in missing])}")
        if skipped:
            parts.append(
                f"{len(skipped)} required test{'s were' if len(skipped) > 1 else ' was'} "
                f"skipped: {list_ids(skipped)}"
            )
        return (
            Check(
                Status.INSUFFICIENT,
                "; ".join(parts),
                figures,
                "run the required tests: each must exist and pass",
                ids=skipped,
            ),
            rows,
        )
    return (
        Check(
            Status.PASS,
            f"all {len(rows)} required tests passed"
            if len(rows) > 1
            else f"the required test {table.id_of(rows[0])} passed",
            figures,
        ),
        rows,
    )
