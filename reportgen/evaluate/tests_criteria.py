"""Tests criteria: which executions a criterion selects, the tests it requires, its counting
checks (see `counts`), and the evidence it cites.

Each entry of `select` and `require` must match some test: one that matches nothing (a typo, a
renamed test) makes the criterion insufficient, and the reason names the closest real ids. So
does an entry of a `select` list whose tests were all skipped, as a whole selection would.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from reportgen.criteria import Criterion, Effective, Repeats, TestsSpec
from reportgen.evaluate import integrity, repeats
from reportgen.evaluate.context import MAX_IDS_PER_REF, Context, Judgement, combine
from reportgen.evaluate.counts import CHECKS, Check, Tally, count_checks
from reportgen.evaluate.wording import list_ids
from reportgen.evaluation import Figures, Status
from reportgen.model import Outcome
from reportgen.patterns import did_you_mean


def judge(ctx: Context, crit: Criterion, eff: Effective) -> Judgement:
    """The criterion's checks over the tests it selects and requires."""
    spec = crit.tests
    assert spec is not None
    run = ctx.run
    table = run.tests
    unmatched: list[str] = []
    idle: list[tuple[str, int]] = []  # (entry, its tests) of entries none of whose tests ran
    if not needs_selection(spec):
        selected: list[int] = []  # only `require`: its own rows are the evidence
    elif spec.select:
        selected = ctx.select_tests(spec.select)
        if len(spec.select) > 1 or not selected:
            for p in spec.select:
                rows = ctx.select_tests([p], selected)
                if not rows:
                    unmatched.append(p)
                elif len(spec.select) > 1 and all(
                    table.outcome_of(i) is Outcome.SKIPPED for i in rows
                ):
                    # As one `select` none of whose tests ran is no evidence, so is one entry
                    # of a list: the others' passes say nothing of it (all skipped: no database).
                    idle.append((p, len(rows)))
        # Errors that belong to no test count unless they are known to lie outside.
        selected.extend(integrity.unattributed_in_scope(ctx, spec.select, selected))
    else:
        selected = list(range(len(table)))
    counted = repeats.count(table, selected, eff.repeats, repeats.retries_marked(ctx.run))
    selected = counted.rows
    counts = repeats.outcome_counts(table, selected)
    checks: list[Check] = []
    singled: list[int] = []
    if spec.require is not None:
        check, rows = require_check(ctx, spec.require, eff.repeats)
        checks.append(check)
        singled.extend(rows)
    scope = counted.unit  # "tests", or "executions" when a test ran more than once
    if spec.select:
        matching = f"tests matching {list_ids(list(spec.select))}"
        scope = matching if scope == "tests" else f"executions of {matching}"
    if unmatched:
        ids = table.distinct_ids()
        checks.append(
            Check(
                Status.INSUFFICIENT,
                "; ".join(f"no test matches select {p!r}{did_you_mean(p, ids)}" for p in unmatched),
                Figures(stat="total", value=float(len(selected)), n=len(selected)),
                "run the selected tests (or fix the pattern)",
            )
        )
    if idle:
        checks.append(
            Check(
                Status.INSUFFICIENT,
                "; ".join(f"none of the {n} tests matching select {p!r} ran" for p, n in idle),
                Figures(stat="total", value=float(len(selected)), n=len(selected)),
                f"run the tests matching {list_ids([p for p, _ in idle])}",
            )
        )
    if not selected and needs_selection(spec):
        if not unmatched:  # else said above: the selection matched nothing
            checks.append(
                Check(
                    Status.INSUFFICIENT,
                    "the inputs contain no tests",
                    Figures(stat="total", value=0, n=0),
                    "give the test results as inputs",
                )
            )
    else:
        checks.extend(count_checks(Tally(ctx, spec, eff, selected, counts, scope, counted.flaky)))
    stale = ctx.stale((table.input_of(i) for i in [*selected, *singled]), eff.max_age)
    if stale is None and spec.new_failures is not None and ctx.baseline is not None:
        base_tests = ctx.baseline.tests.counts_by_input()
        stale = ctx.stale(base_tests, eff.max_age, baseline=True)
    if stale is not None:
        checks.insert(
            0,
            Check(
                Status.INSUFFICIENT,
                stale.reason,
                Figures(),
                stale.to_decide or "run the tests again",
            ),
        )
    status = combine(c.status for c in checks)
    deciding = [c for c in checks if c.status is status]
    reason = "; ".join(c.reason for c in deciding)
    note = counted.note() if needs_selection(spec) else None
    if note:
        reason = f"{reason}; {note}"
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


def require_check(
    ctx: Context, patterns: Sequence[str], rule: Repeats = Repeats.EACH
) -> tuple[Check, list[int]]:
    """Each required pattern must match a test, and every execution of it must pass (with
    `repeats: last_attempt`, the last execution of each)."""
    table = ctx.run.tests
    # One pass over the run with every pattern, then each pattern over the rows that matched.
    marked = repeats.retries_marked(ctx.run)
    candidates = repeats.count(table, ctx.select_tests(patterns), rule, marked).rows
    missing: list[str] = []
    failing: list[str] = []
    skipped: list[str] = []
    rows: list[int] = []
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
    rows = list(dict.fromkeys(rows))
    failing = list(dict.fromkeys(failing))
    skipped = list(dict.fromkeys(skipped))
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
        parts: list[str] = []
        ids = table.distinct_ids() if missing else []
        parts.extend(f"no test matches required {p!r}{did_you_mean(p, ids)}" for p in missing)
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
