"""Putting the judgement together: each criterion to the judge of its kind, waivers, and the
overall and per-phase verdicts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from reportgen.criteria import CriteriaFile, Criterion, Effective, Kind, Severity
from reportgen.errors import CriteriaError
from reportgen.evaluate import baseline, integrity, tests_criteria, threshold, variance
from reportgen.evaluate.context import Context, Judgement, resolve_now
from reportgen.evaluate.failing import failing_tests
from reportgen.evaluate.wording import sentence
from reportgen.evaluation import (
    CriterionResult,
    Evaluation,
    PhaseResult,
    Status,
    Verdict,
    Waiver,
)
from reportgen.model import Run

if TYPE_CHECKING:
    from reportgen.history.facts import FlakyHistory

Judge = Callable[[Context, Criterion, Effective], Judgement]

#: The judge of each criterion kind: a new kind is a module with a `judge` and one line here.
JUDGES: dict[Kind, Judge] = {
    Kind.THRESHOLD: threshold.judge,
    Kind.BASELINE: baseline.judge,
    Kind.VARIANCE: variance.judge,
    Kind.TESTS: tests_criteria.judge,
}


def _has_evidence(run: Run) -> bool:
    return bool(run.inputs) and (len(run.tests) > 0 or bool(run.metrics))


def overall_verdict(results: Sequence[CriterionResult], has_evidence: bool = True) -> Verdict:
    """NOT READY if a blocker fails; else INSUFFICIENT EVIDENCE if a blocker is insufficient,
    there is no blocker, or no evidence at all; else READY. Advisory criteria never count."""
    blockers = [r for r in results if r.severity is Severity.BLOCKER]
    if any(r.status is Status.FAIL for r in blockers):
        return Verdict.NOT_READY
    if not has_evidence or not blockers or any(r.status is Status.INSUFFICIENT for r in blockers):
        return Verdict.INSUFFICIENT
    return Verdict.READY


def evaluate(
    run: Run,
    criteria: CriteriaFile,
    baseline: Run | None = None,
    *,
    now: datetime | None = None,
    criteria_path: str | None = None,
    criteria_sha256: str | None = None,
    history: Mapping[int, FlakyHistory] | None = None,
) -> Evaluation:
    """Judge every criterion on the evidence in `run` (and `baseline`) and give the verdict.

    `now` (default: SOURCE_DATE_EPOCH, else the current UTC time) decides waiver expiry and
    input staleness. `history` holds what the run history says about flaky tests, by window
    (for `max_flaky_history`); without it those criteria are insufficient.
    """
    moment = resolve_now(now)
    ctx = Context(run, baseline, moment, criteria, history)
    results: list[CriterionResult] = []
    for phase, crit in criteria.all_criteria():
        eff = criteria.effective(crit)
        try:
            outcome = JUDGES[crit.kind](ctx, crit, eff)
        except CriteriaError as exc:
            # A criterion that only the inputs show to be wrong (a threshold without a unit,
            # a comparison without a direction) is still an error of the criteria file.
            if exc.path is None:
                exc.path = criteria_path
            raise
        outcome = integrity.review(ctx, crit, outcome)
        status, waiver = _apply_waivers(ctx, criteria, crit, outcome.status)
        results.append(
            CriterionResult(
                id=crit.id,
                title=crit.title,
                kind=crit.kind,
                severity=crit.severity,
                status=status,
                raw_status=outcome.status,
                impact=crit.impact,
                phase=phase,
                metric=crit.metric,
                figures=outcome.figures,
                items=outcome.items,
                evidence=outcome.evidence,
                reason=sentence(outcome.reason),
                to_decide=outcome.to_decide if outcome.status is Status.INSUFFICIENT else None,
                waiver=waiver,
            )
        )
    evidence = _has_evidence(run)
    if not evidence:
        ctx.warnings.append(
            "no evidence: the inputs hold no tests and no metrics"
            if run.inputs
            else "no evidence: no result files were given or found"
        )
    phases = tuple(
        PhaseResult(
            name=phase.name,
            verdict=overall_verdict([r for r in results if r.phase == phase.name], evidence),
            criteria=tuple(c.id for c in phase.criteria),
        )
        for phase in criteria.phases
    )
    return Evaluation(
        title=criteria.report.title,
        subject=criteria.report.subject,
        verdict=overall_verdict(results, evidence),
        criteria=tuple(results),
        phases=phases,
        warnings=tuple(dict.fromkeys(ctx.warnings)),
        input_warnings=integrity.input_warnings(run, baseline),
        criteria_file=criteria_path,
        criteria_sha256=criteria_sha256,
        failing_tests=failing_tests(run),
    )


def _apply_waivers(
    ctx: Context, criteria: CriteriaFile, crit: Criterion, raw: Status
) -> tuple[Status, Waiver | None]:
    """The status after waivers. An expired waiver is ignored (with a warning) but still shown;
    a waiver only turns fail or insufficient into waived, it never hides the criterion."""
    today = ctx.now.date()
    chosen: Waiver | None = None
    for spec in criteria.waivers:
        if spec.criterion != crit.id:
            continue
        active = spec.expires is None or spec.expires >= today
        waiver = Waiver(
            reason=spec.reason,
            expires=spec.expires.isoformat() if spec.expires else None,
            active=active,
        )
        if not active:
            ctx.warnings.append(
                f"the waiver for {crit.id} expired on {spec.expires}; it was ignored"
            )
        if chosen is None or (active and not chosen.active):
            chosen = waiver
    if chosen is not None and chosen.active and raw in (Status.FAIL, Status.INSUFFICIENT):
        return Status.WAIVED, chosen
    return raw, chosen
