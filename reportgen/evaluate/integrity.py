"""Evidence that cannot support READY: inputs that say they are incomplete or contradict
themselves (integrity flags), files that look like results but could not be read, and errors
that belong to no test.

Each judge decides on the evidence it reads; `review` then holds the criterion to what the
inputs it could use say about themselves. A flag that shows a failure (failures declared but
not shown, a suite-level error) fails the criterion; any other flag, or an unread file that
looks like results, leaves it insufficient. A criterion that already fails stays failed.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence

from reportgen.criteria import Criterion, Kind
from reportgen.evaluate.context import Context, Judgement
from reportgen.evaluate.wording import list_ids
from reportgen.evaluation import Status
from reportgen.model import (
    METRIC_FORMATS,
    SCOPE_SEPARATOR,
    IntegrityFlag,
    IntegrityKind,
    Outcome,
    Run,
)
from reportgen.patterns import is_glob
from reportgen.records import record

#: Characters after which a pattern's literal prefix ends (any wildcard reading).
_WILDCARDS = "*?["


def literal_prefix(pattern: str) -> str:
    """The part of a glob before its first wildcard: every match starts with it."""
    cut = min((i for i in (pattern.find(c) for c in _WILDCARDS) if i >= 0), default=len(pattern))
    return pattern[:cut]


def may_reach(patterns: Sequence[str], prefixes: Iterable[str]) -> bool:
    """Whether some pattern could match an id that starts with one of `prefixes`.

    Conservative: only a pattern whose literal start disagrees with every prefix is known to
    lie outside (`pkg/a::*` cannot match under `pkg/b::`; `*slow*` may match anywhere).
    """
    starts = [literal_prefix(p) for p in patterns]
    for prefix in prefixes:
        for start in starts:
            if start.startswith(prefix) or prefix.startswith(start):
                return True
    return False


# --- errors that belong to no test -----------------------------------------------------------


def _row_prefixes(ctx: Context, i: int) -> list[str]:
    """Where an error that belongs to no test lies, as id prefixes: its file, its class or
    package and what is named below it (`pkg::`, `pkg.`), and the scope of its id with what
    may follow it there (`cache::` and `cache › `: an error of a suite reaches its tests and
    those of the suites nested in it); anywhere ("") when neither file nor class is known, as
    a suite name alone may be no place in the ids (xunit2's `errors`, Playwright's
    `playwright`)."""
    table = ctx.run.tests
    prefixes: list[str] = []
    file = table.file_of(i)
    if file:
        prefixes.append(f"{file}::")
    classname = table.classname_of(i)
    if classname:
        prefixes.extend(ctx.prefixes_of_row(i))
        # A dotted package, module or suite holds what is named below it: an error of
        # Python's module `test_x` reaches `test_x.T::*`, one of Boost.Test's suite `outer`
        # reaches `outer.inner::*`.
        prefixes.append(f"{classname}.")
    if not prefixes:
        return [""]
    scope = table.scope_of(i)
    if scope:
        prefixes.extend((f"{scope}::", f"{scope}{SCOPE_SEPARATOR}"))
    return prefixes


def unattributed_in_scope(
    ctx: Context, patterns: Sequence[str], selected: Sequence[int]
) -> list[int]:
    """Errors that belong to no test (build, collection, suite-level) that `patterns` did not
    select but that may lie within them: they count against the selection too."""
    table = ctx.run.tests
    chosen = set(selected)
    return [
        i
        for i in ctx.unattributed_rows()
        if i not in chosen
        and table.outcome_of(i) in (Outcome.FAILED, Outcome.ERROR)
        and may_reach(patterns, _row_prefixes(ctx, i))
    ]


# --- integrity flags and unread files --------------------------------------------------------


@record
class _Finding:
    path: str
    message: str
    fails: bool
    baseline: bool
    kind: IntegrityKind | None = None  # None: a file that was not read


#: What decides a criterion left insufficient by flags of one kind, where the general advice
#: (a run that finished) does not fit.
_TO_DECIDE = {
    IntegrityKind.ATTEMPTS_HIDDEN: "every attempt of the retried tests and every repeated "
    "iteration: a report that records each (pytest's --junitxml beside its JSON report, the "
    "merged output.xml beside Robot Framework's xUnit file), or a "
    "run without the retry (BATS_TEST_RETRIES) or repeat (--gtest_repeat: a run, and XML, per "
    "iteration)",
    IntegrityKind.BENCHMARK_ERRORS: "a run in which no benchmark run, request or check "
    "failed (the success-rate metrics judge the failures themselves)",
    IntegrityKind.MIXED_LABELS: "a baseline of one machine or configuration: name its labels "
    "in the history: spec (history:branch=main,label.KEY=VALUE)",
}


def _metric_reach(crit: Criterion, flag: IntegrityFlag, used: set[str]) -> bool:
    if flag.scope is None:
        return True
    if flag.kind is IntegrityKind.BENCHMARK_ERRORS:
        # The failed runs or samples are what `NAME [success]` counts: they are its evidence,
        # not a gap in it.
        used = used - {f"{flag.scope} [success]"}
    if flag.scope in used:
        return True
    pattern = crit.metric or ""
    return fnmatch.fnmatchcase(flag.scope, pattern) or any(
        name.startswith(flag.scope) or flag.scope.startswith(name) for name in used
    )


def _test_reach(crit: Criterion, flag: IntegrityFlag) -> bool:
    spec = crit.tests
    if flag.scope is None or spec is None:
        return True
    patterns = [*(spec.select or ()), *(spec.require or ())]
    if not patterns or not spec.select:
        # No selection: every test counts, so does every input's problem (require-only
        # criteria name their tests, and a run cut short may have lost them).
        return True
    return may_reach(patterns, (f"{flag.scope}::", flag.scope))


def _inputs_with_tests(run: Run) -> set[int]:
    holding = set(run.tests.counts_by_input())
    with_metrics = {m.input for m in run.metrics}
    # An input with neither (a run that stopped before any result) may have held tests.
    return holding | {i for i in range(len(run.inputs)) if i not in with_metrics}


def _empty_metric_inputs(run: Run, crit: Criterion) -> set[int]:
    """Inputs of a metrics format that hold nothing and say so (a flag), when the criterion's
    `metric:` could have named what they would have held: a wildcard pattern, or a name found
    nowhere in the run. Such a file may be where the failing benchmark was (a benchmark binary
    that crashed before its first result, a load test killed before its first sample)."""
    pattern = crit.metric
    if pattern is None:
        return set()
    if not is_glob(pattern) and any(m.name == pattern for m in run.metrics):
        return set()  # the one metric named was found: its own evidence decides it
    return {
        i
        for i, f in enumerate(run.inputs)
        if f.format in METRIC_FORMATS and f.records == 0 and f.integrity
    }


def _findings(ctx: Context, crit: Criterion, judgement: Judgement) -> list[_Finding]:
    found: list[_Finding] = []
    for baseline, run in ((False, ctx.run), (True, ctx.baseline)):
        if run is None:
            continue
        if baseline and not _uses_baseline(crit):
            continue
        refs = [r for r in judgement.evidence if r.baseline is baseline]
        empty: set[int] = set()
        by_path = {r.path: r for r in refs}
        if crit.kind is Kind.TESTS:
            candidates = _inputs_with_tests(run)
        else:
            candidates = {i for i, f in enumerate(run.inputs) if f.path in by_path}
            candidates |= {
                i
                for i, f in enumerate(run.inputs)
                if any(flag.kind is IntegrityKind.BENCHMARK_ERRORS for flag in f.integrity)
            }
            empty = _empty_metric_inputs(run, crit)
            candidates |= empty
        for index in sorted(candidates):
            source = run.inputs[index]
            ref = by_path.get(source.path)
            used = set(ref.metrics) if ref is not None else set()
            for flag in source.integrity:
                if crit.kind is Kind.TESTS:
                    if not _test_reach(crit, flag):
                        continue
                elif index in empty:
                    pass  # it read nothing: every flag of it is why
                elif ref is None and (
                    flag.kind is not IntegrityKind.BENCHMARK_ERRORS or flag.scope is None
                ):
                    continue  # an input the criterion did not read, unless it lost the metric
                elif not _metric_reach(crit, flag, used):
                    continue
                found.append(
                    _Finding(
                        source.path, flag.message, flag.fails and not baseline, baseline, flag.kind
                    )
                )
        for skipped in run.skipped:
            if skipped.evidence:
                found.append(
                    _Finding(
                        skipped.path,
                        f"{skipped.reason}, yet it looks like results; it may hold what decides "
                        "this (list it under inputs.ignore if it is not evidence)",
                        False,
                        baseline,
                    )
                )
    return found


def _uses_baseline(crit: Criterion) -> bool:
    if crit.kind is Kind.BASELINE:
        return True
    return crit.tests is not None and crit.tests.new_failures is not None


def review(ctx: Context, crit: Criterion, judgement: Judgement) -> Judgement:
    """`judgement`, held to what the inputs it could use say about themselves."""
    if judgement.status is Status.FAIL or not _any_flags(ctx):
        return judgement
    findings = _findings(ctx, crit, judgement)
    if not findings:
        return judgement
    failing = [f for f in findings if f.fails]
    status: Status = judgement.status
    if failing and status is not Status.FAIL:
        status = Status.FAIL
        picked = failing
    elif status in (Status.PASS, Status.INSUFFICIENT):
        # Already insufficient: the reason still names the inputs that could not help.
        status = Status.INSUFFICIENT
        picked = findings
    else:
        return judgement
    said = "; ".join(
        f"{'baseline ' if f.baseline else ''}{f.path}: {f.message}" for f in picked[:3]
    )
    more = f" (and {len(picked) - 3} more)" if len(picked) > 3 else ""
    reason = f"{judgement.reason.rstrip('.')}, but {said}{more}"
    to_decide = None
    if judgement.status is Status.INSUFFICIENT:
        to_decide = judgement.to_decide
    elif status is Status.INSUFFICIENT:
        kinds = {f.kind for f in picked}
        only = kinds.pop() if len(kinds) == 1 else None
        to_decide = _TO_DECIDE.get(only) if only is not None else None
        to_decide = to_decide or (
            f"complete results for {list_ids(sorted({f.path for f in picked}))}: a run that "
            "finished, or name what is not evidence in inputs.ignore"
        )
    return Judgement(
        status, reason, judgement.figures, to_decide, judgement.evidence, judgement.items
    )


def _any_flags(ctx: Context) -> bool:
    return any(
        r is not None and (any(f.integrity for f in r.inputs) or any(s.evidence for s in r.skipped))
        for r in (ctx.run, ctx.baseline)
    )


def input_warnings(run: Run, baseline: Run | None) -> tuple[str, ...]:
    """Every warning about the inputs and every file found but not read, one line each."""
    lines: list[str] = []
    for prefix, source in (("", run), ("baseline ", baseline)):
        if source is None:
            continue
        for f in source.inputs:
            for w in f.warnings:
                where = f"{w.path}:{w.line}" if w.line is not None else w.path
                lines.append(f"{prefix}{where}: {w.message}")
            for flag in f.integrity:
                where = f"{f.path}:{flag.line}" if flag.line is not None else f.path
                lines.append(f"{prefix}{where}: {flag.message}")
        for s in source.skipped:
            note = " (looks like results)" if s.evidence else ""
            lines.append(f"{prefix}{s.path}: not read: {s.reason}{note}")
    return tuple(dict.fromkeys(lines))
