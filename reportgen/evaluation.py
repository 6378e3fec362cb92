"""The result of evaluating criteria against a run: per-criterion status, figures and evidence.

This is what `reportgen verdict --json` writes (`schemas/verdict.schema.json`) and what every
report renders; renderers read it and never recompute a status.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from reportgen.ci.context import CiContext
from reportgen.criteria import Kind, Severity
from reportgen.errors import ExitCode
from reportgen.model import Frozen

#: Version of the saved verdict JSON; bump on incompatible change.
VERDICT_SCHEMA_VERSION = 1


class Status(StrEnum):
    """Status of one criterion."""

    PASS = "pass"
    FAIL = "fail"
    INSUFFICIENT = "insufficient"
    WAIVED = "waived"


class Verdict(StrEnum):
    """Overall (or per-phase) readiness."""

    READY = "READY"
    NOT_READY = "NOT READY"
    INSUFFICIENT = "INSUFFICIENT EVIDENCE"

    @property
    def exit_code(self) -> ExitCode:
        return {
            Verdict.READY: ExitCode.READY,
            Verdict.NOT_READY: ExitCode.NOT_READY,
            Verdict.INSUFFICIENT: ExitCode.INSUFFICIENT,
        }[self]


class EvidenceRef(Frozen):
    """Which records of which input a figure came from."""

    path: str
    sha256: str
    baseline: bool = Field(default=False, description="True when the input is a baseline file.")
    tests: tuple[str, ...] = Field(default=(), description="Test ids (capped; see tests_total).")
    tests_total: int = Field(default=0, description="How many test ids this reference covers.")
    metrics: tuple[str, ...] = ()


class Figures(Frozen):
    """The numbers a criterion was decided on. Values are in `unit` (seconds, ratio, ...)."""

    stat: str | None = Field(default=None, description="pass_rate, p95, ratio, cv, failed, ...")
    value: float | None = None
    unit: str = ""
    ci_low: float | None = None
    ci_high: float | None = None
    confidence: float | None = None
    n: int | None = Field(default=None, description="Observations behind the value.")
    n_baseline: int | None = None
    baseline_value: float | None = None
    threshold: float | None = None
    comparison: str | None = Field(
        default=None, description="How value relates to threshold to pass: '<=', '>=', '=='."
    )
    point_estimate: bool = Field(
        default=False, description="Decided on a harness-reported statistic without samples."
    )
    change: float | None = Field(
        default=None,
        description="Baseline comparisons: relative change current/baseline - 1 (+0.25 = 25% up).",
    )
    regression: bool | None = Field(
        default=None, description="Baseline comparisons: change is worse per the metric direction."
    )


class MetricResult(Frozen):
    """One metric's part of a criterion that covers several (glob in `metric`)."""

    metric: str
    status: Status
    figures: Figures
    reason: str
    p_value: float | None = None
    adjusted_p_value: float | None = Field(default=None, description="Holm-adjusted.")


class Waiver(Frozen):
    """A waiver as applied to a criterion."""

    reason: str
    expires: str | None = None
    active: bool = Field(description="False when expired (then it was ignored).")


class CriterionResult(Frozen):
    """How one criterion came out and why."""

    id: str
    title: str | None = None
    kind: Kind = Field(description="threshold, baseline, variance or tests.")
    severity: Severity = Severity.BLOCKER
    status: Status
    raw_status: Status = Field(description="Status before any waiver (what the evidence says).")
    impact: str | None = None
    phase: str | None = None
    metric: str | None = None
    figures: Figures = Field(default_factory=Figures)
    items: tuple[MetricResult, ...] = Field(
        default=(), description="Per-metric results when the criterion covers several metrics."
    )
    evidence: tuple[EvidenceRef, ...] = ()
    reason: str = Field(description="One sentence: why this status.")
    to_decide: str | None = Field(
        default=None, description="For insufficient: what evidence would decide it."
    )
    waiver: Waiver | None = None


class FailingTest(Frozen):
    """A failed, erroring or flaky test, listed in full so the verdict JSON names every one."""

    id: str
    outcome: str = Field(description="failed, error or flaky (failed, then passed on a retry).")
    message: str | None = Field(default=None, description="The failure message, on one line.")
    source: str = Field(description="Path of the input file the test was read from.")
    file: str | None = Field(default=None, description="Source file of the test, as reported.")
    line: int | None = None


class PhaseResult(Frozen):
    """Verdict of one phase (a group of criteria)."""

    name: str
    verdict: Verdict
    criteria: tuple[str, ...]


class Evaluation(Frozen):
    """Everything decided about a run."""

    schema_version: int = VERDICT_SCHEMA_VERSION
    title: str | None = None
    subject: str | None = None
    verdict: Verdict
    criteria: tuple[CriterionResult, ...] = ()
    phases: tuple[PhaseResult, ...] = ()
    warnings: tuple[str, ...] = Field(
        default=(), description="Evaluation warnings (expired waivers, ignored inputs, ...)."
    )
    input_warnings: tuple[str, ...] = Field(
        default=(),
        description="What the inputs said about themselves (declared counts that disagree, "
        "failed benchmark runs, TAP plan errors, aborted runs) and every file found but not "
        "read, with why: `path[:line]: message`.",
    )
    criteria_file: str | None = None
    criteria_sha256: str | None = None
    failing_tests: tuple[FailingTest, ...] = Field(
        default=(),
        description="Every failed, erroring and flaky test of the run, in input order.",
    )
    ci: CiContext | None = Field(
        default=None,
        description="Where the run happened (commit, branch, PR, run URL, job) as the CI "
        "system's environment says; absent outside a known CI system.",
    )

    def counts(self) -> dict[Status, int]:
        """Criteria per status (every status present as a key)."""
        out = dict.fromkeys(Status, 0)
        for c in self.criteria:
            out[c.status] += 1
        return out
