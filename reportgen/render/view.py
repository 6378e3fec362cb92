"""The report view model: plain, immutable, pre-formatted data that every template renders.

`build_view` is the only place numbers are formatted and lists are capped. It reads what the
evaluation decided and describes the run (counts, medians, spreads); it never decides a status.
Untrusted text (test names, messages, output) is cleaned of control characters here and
escaped later by each renderer for its own format.
"""

from __future__ import annotations

import heapq
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportgen import __version__, clock
from reportgen.criteria import Kind, Severity
from reportgen.errors import UsageError
from reportgen.evaluation import (
    CriterionResult,
    Evaluation,
    EvidenceRef,
    Figures,
    Status,
    Verdict,
)
from reportgen.model import InputFile, Metric, Outcome, Run
from reportgen.render.charts import distribution_svg, outcomes_svg, slowest_svg
from reportgen.text import clean_text
from reportgen.units import format_percent, format_value

#: Characters of a sha256 shown next to a figure (the spec asks for at least 12).
SHA_PREFIX = 12
#: Failures listed in full; the rest are counted and pointed to the JSON.
MAX_FAILURES = 50
#: Suites shown in the per-suite table (those with failures first).
MAX_SUITES = 30
MAX_SKIPPED = 20
MAX_FLAKY = 20
MAX_SLOWEST = 10
#: Test ids listed per evidence reference.
MAX_EVIDENCE_TESTS = 3
#: Warnings listed per input file.
MAX_WARNINGS = 20
#: Captured output kept per listed failure.
OUTPUT_LINES = 25
OUTPUT_CHARS = 1500
MESSAGE_CHARS = 500

_STATUS_LABEL = {
    Status.PASS: "PASS",
    Status.FAIL: "FAIL",
    Status.INSUFFICIENT: "INSUFFICIENT",
    Status.WAIVED: "WAIVED",
}
_VERDICT_CLASS = {
    Verdict.READY: "ready",
    Verdict.NOT_READY: "not-ready",
    Verdict.INSUFFICIENT: "insufficient",
}
_COMPARISON = {"<=": "≤", ">=": "≥", "==": "=", "<": "<", ">": ">"}
_STAT_LABEL = {
    "change": "change against baseline",
    "pass_rate": "pass rate",
    "rate": "rate",
    "ratio": "ratio to baseline",
    "cv": "CV",
    "robust_cv": "robust CV",
}


# --- view dataclasses ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EvidenceView:
    """One input a figure came from, and which of its records."""

    path: str
    sha: str  # prefix of SHA_PREFIX hex characters
    baseline: bool
    tests: tuple[str, ...]
    tests_more: int
    metrics: tuple[str, ...]

    @property
    def text(self) -> str:
        """One line: where the figure came from (plain text; renderers escape it)."""
        parts = [f"{'baseline ' if self.baseline else ''}{self.path} (sha256 {self.sha})"]
        if self.metrics:
            parts.append("metrics " + ", ".join(self.metrics))
        if self.tests:
            more = f" +{self.tests_more} more" if self.tests_more else ""
            parts.append("tests " + ", ".join(self.tests) + more)
        return ": ".join(parts[:1]) + (": " + "; ".join(parts[1:]) if parts[1:] else "")


@dataclass(frozen=True, slots=True)
class CriterionRow:
    """One criterion as a table row."""

    id: str
    title: str
    status: str  # pass, fail, insufficient, waived (CSS class and key)
    status_label: str
    severity: str
    advisory: bool
    measured: str
    threshold: str
    n: str
    evidence: tuple[EvidenceView, ...]
    reason: str
    impact: str | None
    items: tuple[ItemRow, ...] = ()


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One metric of a criterion that covers several."""

    metric: str
    status: str
    status_label: str
    measured: str
    reason: str


@dataclass(frozen=True, slots=True)
class PhaseView:
    """A group of criteria with its own verdict."""

    name: str
    verdict: str
    verdict_class: str
    rows: tuple[CriterionRow, ...]


@dataclass(frozen=True, slots=True)
class FindingView:
    """A non-passing criterion: what the evidence says and what would change it."""

    id: str
    title: str
    status: str
    status_label: str
    severity: str
    reason: str
    measured: str
    threshold: str
    to_change: str
    evidence: tuple[EvidenceView, ...]
    waiver: str | None


@dataclass(frozen=True, slots=True)
class ImpactGroup:
    """Criteria sharing a declared `impact`."""

    impact: str
    rows: tuple[CriterionRow, ...]
    worst: str
    worst_label: str


@dataclass(frozen=True, slots=True)
class RiskView:
    """A risk and next step derived from one non-passing criterion."""

    id: str
    severity: str
    status: str
    status_label: str
    risk: str
    next_step: str


@dataclass(frozen=True, slots=True)
class SuiteRow:
    name: str
    total: int
    passed: int
    failed: int
    errors: int
    skipped: int


@dataclass(frozen=True, slots=True)
class FailureView:
    id: str
    outcome: str
    message: str | None
    output: str | None
    output_cut: str | None  # "42 more lines" etc. when the excerpt was trimmed
    duration: str | None
    source: str  # path (sha256 prefix)


@dataclass(frozen=True, slots=True)
class TestLine:
    """A test mentioned in a list (skipped, flaky, slowest)."""

    __test__ = False

    id: str
    detail: str
    source: str


@dataclass(frozen=True, slots=True)
class TestsView:
    """The test overview."""

    __test__ = False

    total: int
    passed: int
    failed: int
    errors: int
    skipped: int
    flaky: int
    duration: str | None
    suites: tuple[SuiteRow, ...]
    suites_more: int
    failures: tuple[FailureView, ...]
    failures_more: int
    flaky_tests: tuple[TestLine, ...]
    flaky_more: int
    skipped_tests: tuple[TestLine, ...]
    skipped_more: int
    slowest: tuple[TestLine, ...]
    outcomes_chart: str
    slowest_chart: str


@dataclass(frozen=True, slots=True)
class MetricRow:
    """One metric: what was measured (descriptive only) and what the evaluation compared."""

    name: str
    unit: str
    n: str
    median: str
    spread: str
    baseline_n: str
    baseline_median: str
    change: str  # "+25.0% (regression), ratio 1.25 (95% CI 1.21–1.29)" from the evaluation
    source: str
    note: str | None


@dataclass(frozen=True, slots=True)
class ChartView:
    title: str
    svg: str


@dataclass(frozen=True, slots=True)
class InputView:
    path: str
    format: str
    sha256: str
    size: int
    records: int
    baseline: bool
    warnings: tuple[str, ...]
    warnings_more: int


@dataclass(frozen=True, slots=True)
class ProvenanceView:
    inputs: tuple[InputView, ...]
    skipped: tuple[str, ...]
    criteria_file: str | None
    criteria_sha256: str | None
    tool_version: str
    command: str | None
    generated: str | None  # from SOURCE_DATE_EPOCH only
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SummaryView:
    """The executive summary, generated only from the evaluation."""

    sentence: str
    counts: tuple[tuple[str, str, int], ...]  # (status key, label, count)
    blocking: tuple[str, ...]
    advisory: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReportView:
    """Everything a report shows, ready for a template."""

    title: str
    subject: str | None
    verdict: str
    verdict_class: str
    exit_code: int
    summary: SummaryView
    phases: tuple[PhaseView, ...]
    findings: tuple[FindingView, ...]
    impacts: tuple[ImpactGroup, ...]
    risks: tuple[RiskView, ...]
    tests: TestsView | None
    metrics: tuple[MetricRow, ...]
    charts: tuple[ChartView, ...]
    provenance: ProvenanceView
    notes: tuple[str, ...] = field(default=())


# --- formatting helpers ---------------------------------------------------------------------
def text(value: str | None, limit: int | None = None) -> str:
    """Untrusted text made printable: control characters and ANSI removed, optionally capped."""
    if not value:
        return ""
    cleaned = clean_text(value)
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[:limit].rstrip() + " …"
    return cleaned


def one_line(value: str | None, limit: int = MESSAGE_CHARS) -> str:
    """Untrusted text on one line (whitespace runs collapsed)."""
    return text(" ".join((value or "").split()), limit)


def fmt(value: float | None, unit: str) -> str:
    """A value in its unit; ratios of a baseline comparison are shown as multipliers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit in ("x", "×"):
        return f"{value:.3g}×"
    return format_value(value, unit)


def _signed_percent(change: float) -> str:
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return f"{sign}{format_percent(abs(change))}"


def _is_change(f: Figures) -> bool:
    """A baseline comparison stated as a relative change (+0.25 = 25% up)."""
    return f.stat == "change" or (f.stat is None and f.change is not None and f.unit == "ratio")


def format_measured(f: Figures, medians: tuple[str, str] | None = None) -> str:
    """The measured value with its confidence interval, as the evaluation computed them.

    `medians` (baseline, current), already formatted, are shown before a baseline change.
    """
    if f.value is None and f.change is None:
        return "no measurement"
    unit = "×" if f.stat == "ratio" and f.unit in ("", "ratio", "x") else f.unit
    parts: list[str] = []
    change = _is_change(f)
    if medians is not None and (change or f.change is not None):
        parts.append(f"median {medians[0]} → {medians[1]}")
    if f.value is not None and not change:
        label = _STAT_LABEL.get(f.stat or "", (f.stat or "").replace("_", " "))
        parts.append(f"{label} {fmt(f.value, unit)}".strip())
    if f.change is not None or (change and f.value is not None):
        amount = f.change if f.change is not None else f.value
        assert amount is not None
        direction = ""
        if f.regression is not None:
            direction = " (regression)" if f.regression else " (improvement)"
        if amount == 0:
            direction = " (no change)"
        parts.append(f"{_signed_percent(amount)}{direction}")
    if f.ci_low is not None and f.ci_high is not None:
        conf = f"{f.confidence * 100:g}% " if f.confidence is not None else ""
        if change:
            low, high = _signed_percent(f.ci_low), _signed_percent(f.ci_high)
        else:
            low, high = fmt(f.ci_low, unit), fmt(f.ci_high, unit)
        parts.append(f"{conf}CI {low} to {high}")
    if f.point_estimate:
        parts.append("point estimate (weaker)")
    return ", ".join(parts)


def format_threshold(f: Figures) -> str:
    """The threshold as the evaluation applied it ('≤ 1.05×', '≥ 99.0%', '≤ +5.0%')."""
    if f.threshold is None:
        return "—"
    op = _COMPARISON.get(f.comparison or "", f.comparison or "")
    if _is_change(f):
        return f"{op} {_signed_percent(f.threshold)}".strip()
    unit = "×" if f.stat == "ratio" and f.unit in ("", "ratio", "x") else f.unit
    return f"{op} {fmt(f.threshold, unit)}".strip()


def _format_n(f: Figures) -> str:
    if f.n is None:
        return "—"
    if f.n_baseline is not None:
        return f"{f.n}, baseline {f.n_baseline}"
    return str(f.n)


def _evidence(refs: Sequence[EvidenceRef]) -> tuple[EvidenceView, ...]:
    return tuple(
        EvidenceView(
            path=text(r.path),
            sha=r.sha256[:SHA_PREFIX],
            baseline=r.baseline,
            tests=tuple(one_line(t, 200) for t in r.tests[:MAX_EVIDENCE_TESTS]),
            tests_more=max(r.tests_total, len(r.tests)) - min(len(r.tests), MAX_EVIDENCE_TESTS),
            metrics=tuple(one_line(m, 200) for m in r.metrics),
        )
        for r in refs
    )


Medians = dict[str, tuple[str, str]]


def _medians_for(metric: str | None, medians: Medians) -> tuple[str, str] | None:
    return medians.get(metric) if metric else None


def _row(c: CriterionResult, medians: Medians) -> CriterionRow:
    return CriterionRow(
        id=one_line(c.id, 200),
        title=one_line(c.title or c.id, 300),
        status=c.status.value,
        status_label=_STATUS_LABEL[c.status],
        severity=c.severity.value,
        advisory=c.severity is Severity.ADVISORY,
        measured=format_measured(c.figures, _medians_for(c.metric, medians)),
        threshold=format_threshold(c.figures),
        n=_format_n(c.figures),
        evidence=_evidence(c.evidence),
        reason=one_line(c.reason),
        impact=one_line(c.impact, 200) if c.impact else None,
        items=tuple(
            ItemRow(
                metric=one_line(i.metric, 200),
                status=i.status.value,
                status_label=_STATUS_LABEL[i.status],
                measured=format_measured(i.figures, _medians_for(i.metric, medians)),
                reason=one_line(i.reason),
            )
            for i in c.items
        ),
    )


def _sentence(value: str) -> str:
    """Evaluator phrases as sentences: capitalised, with a full stop."""
    value = value[:1].upper() + value[1:]
    return value if value.endswith((".", "!", "?")) else value + "."


def _to_change(c: CriterionResult, medians: Medians) -> str:
    """What would change the outcome, in the evaluation's own terms."""
    if c.to_decide:
        return _sentence(one_line(c.to_decide))
    f = c.figures
    if c.raw_status is Status.FAIL and f.threshold is not None:
        what = _STAT_LABEL.get(f.stat or "", (f.stat or "the measured value").replace("_", " "))
        now = format_measured(f, _medians_for(c.metric, medians))
        return f"It passes once {what} is {format_threshold(f)} (now {now})."
    if c.raw_status is Status.FAIL:
        return "It passes once the evidence it names no longer fails: " + one_line(c.reason)
    return "More evidence of the kind this criterion reads."


def _waiver_text(c: CriterionResult) -> str | None:
    if c.waiver is None:
        return None
    state = "active" if c.waiver.active else "expired, ignored"
    expires = f", expires {c.waiver.expires}" if c.waiver.expires else ""
    return f"{one_line(c.waiver.reason)} ({state}{expires})"


_SEVERITY_ORDER = {Status.FAIL: 0, Status.INSUFFICIENT: 1, Status.WAIVED: 2, Status.PASS: 3}


# --- sections -------------------------------------------------------------------------------
def _summary(ev: Evaluation) -> SummaryView:
    counts = ev.counts()
    total = len(ev.criteria)
    order = (Status.FAIL, Status.INSUFFICIENT, Status.WAIVED, Status.PASS)
    pieces = [f"{counts[s]} {s.value}" for s in order if counts[s]]
    if total:
        sentence = (
            f"{ev.verdict.value}: of {total} criteria, {', '.join(pieces)}."
            if pieces
            else f"{ev.verdict.value}."
        )
    else:
        sentence = f"{ev.verdict.value}: no criteria were evaluated."
    blocking: list[str] = []
    advisory: list[str] = []
    for c in sorted(ev.criteria, key=lambda c: _SEVERITY_ORDER[c.status]):
        if c.status not in (Status.FAIL, Status.INSUFFICIENT):
            continue
        line = f"{c.id} ({c.status.value}): {one_line(c.reason, 300)}"
        (advisory if c.severity is Severity.ADVISORY else blocking).append(line)
    return SummaryView(
        sentence=sentence,
        counts=tuple((s.value, _STATUS_LABEL[s], counts[s]) for s in order),
        blocking=tuple(blocking),
        advisory=tuple(advisory),
    )


def _phases(ev: Evaluation, rows: dict[str, CriterionRow]) -> tuple[PhaseView, ...]:
    if not ev.phases:
        return (
            PhaseView(
                name="Criteria",
                verdict=ev.verdict.value,
                verdict_class=_VERDICT_CLASS[ev.verdict],
                rows=tuple(rows.values()),
            ),
        )
    out: list[PhaseView] = []
    placed: set[str] = set()
    for phase in ev.phases:
        members = tuple(rows[cid] for cid in phase.criteria if cid in rows)
        placed.update(phase.criteria)
        out.append(
            PhaseView(
                name=one_line(phase.name, 200),
                verdict=phase.verdict.value,
                verdict_class=_VERDICT_CLASS[phase.verdict],
                rows=members,
            )
        )
    rest = tuple(r for cid, r in rows.items() if cid not in placed)
    if rest:
        # Criteria outside every phase still count towards the overall verdict; show them.
        out.append(
            PhaseView(
                name="Other criteria",
                verdict=ev.verdict.value,
                verdict_class=_VERDICT_CLASS[ev.verdict],
                rows=rest,
            )
        )
    return tuple(out)


def _findings(ev: Evaluation, medians: Medians) -> tuple[FindingView, ...]:
    chosen = [c for c in ev.criteria if c.status is not Status.PASS]
    chosen.sort(key=lambda c: (c.severity is Severity.ADVISORY, _SEVERITY_ORDER[c.status]))
    return tuple(
        FindingView(
            id=one_line(c.id, 200),
            title=one_line(c.title or c.id, 300),
            status=c.status.value,
            status_label=_STATUS_LABEL[c.status],
            severity=c.severity.value,
            reason=one_line(c.reason, 1000),
            measured=format_measured(c.figures, _medians_for(c.metric, medians)),
            threshold=format_threshold(c.figures),
            to_change=_to_change(c, medians),
            evidence=_evidence(c.evidence),
            waiver=_waiver_text(c),
        )
        for c in chosen
    )


def _impacts(ev: Evaluation, rows: dict[str, CriterionRow]) -> tuple[ImpactGroup, ...]:
    groups: dict[str, list[CriterionResult]] = {}
    for c in ev.criteria:
        if c.impact:
            groups.setdefault(one_line(c.impact, 200), []).append(c)
    out = []
    for impact, members in groups.items():
        worst = min((c.status for c in members), key=lambda s: _SEVERITY_ORDER[s])
        out.append(
            ImpactGroup(
                impact=impact,
                rows=tuple(rows[c.id] for c in members),
                worst=worst.value,
                worst_label=_STATUS_LABEL[worst],
            )
        )
    return tuple(out)


def _risks(ev: Evaluation, medians: Medians) -> tuple[RiskView, ...]:
    chosen = [c for c in ev.criteria if c.status is not Status.PASS]
    chosen.sort(key=lambda c: (c.severity is Severity.ADVISORY, _SEVERITY_ORDER[c.status]))
    out = []
    for c in chosen:
        if c.status is Status.WAIVED:
            risk = f"Accepted by waiver although the evidence says {c.raw_status.value}: " + (
                one_line(c.reason, 300)
            )
            step = f"Resolve before the waiver expires ({_waiver_text(c)})."
        elif c.status is Status.FAIL:
            risk = one_line(c.reason, 300)
            step = _to_change(c, medians)
        else:
            risk = "Not shown either way: " + one_line(c.reason, 300)
            step = _to_change(c, medians)
        out.append(
            RiskView(
                id=one_line(c.id, 200),
                severity=c.severity.value,
                status=c.status.value,
                status_label=_STATUS_LABEL[c.status],
                risk=risk,
                next_step=step,
            )
        )
    return tuple(out)


def _source(inputs: Sequence[InputFile], index: int) -> str:
    if 0 <= index < len(inputs):
        f = inputs[index]
        return f"{text(f.path)} (sha256 {f.sha256[:SHA_PREFIX]})"
    return "unknown input"


def _excerpt(output: str | None, truncated: int) -> tuple[str | None, str | None]:
    if not output:
        return None, None
    cleaned = text(output).strip("\n")
    lines = cleaned.splitlines()
    kept = "\n".join(lines[:OUTPUT_LINES])
    cut: list[str] = []
    if len(lines) > OUTPUT_LINES:
        cut.append(f"{len(lines) - OUTPUT_LINES} more lines")
    if len(kept) > OUTPUT_CHARS:
        cut.append(f"{len(kept) - OUTPUT_CHARS} more characters")
        kept = kept[:OUTPUT_CHARS]
    if truncated:
        cut.append(f"{truncated} characters cut when read")
    return kept, (", ".join(cut) if cut else None)


def _tests(run: Run) -> TestsView | None:
    tests = run.tests
    if not len(tests):
        return None
    counts = tests.outcome_counts()
    suites: dict[tuple[str, ...], list[int]] = {}
    durations: list[tuple[float, int]] = []
    any_duration = False
    for i in range(len(tests)):
        key = tests.suite_of(i)
        bucket = suites.get(key)
        if bucket is None:
            bucket = suites[key] = [0, 0, 0, 0]
        bucket[_OUTCOME_COL[tests.outcome_of(i)]] += 1
        d = tests.duration_of(i)
        if d is not None:
            any_duration = True
            durations.append((d, -i))
    suite_rows = [
        SuiteRow(
            name=one_line(" / ".join(key), 300) or "(no suite)",
            total=sum(c),
            passed=c[0],
            failed=c[1],
            errors=c[2],
            skipped=c[3],
        )
        for key, c in suites.items()
    ]
    # Suites with failures first, then by name: stable and useful when capped.
    suite_rows.sort(key=lambda r: (-(r.failed + r.errors), r.name))

    failures: list[FailureView] = []
    failing = 0
    for i in tests.indices_with_outcome(Outcome.FAILED, Outcome.ERROR):
        failing += 1
        if len(failures) >= MAX_FAILURES:
            continue
        case = tests[i]
        output, cut = _excerpt(case.output, case.output_truncated)
        failures.append(
            FailureView(
                id=one_line(case.id, 300),
                outcome=case.outcome.value,
                message=one_line(case.message) or None,
                output=output,
                output_cut=cut,
                duration=fmt(case.duration, "s") if case.duration is not None else None,
                source=_source(run.inputs, case.input),
            )
        )

    flaky: list[TestLine] = []
    flaky_total = 0
    skipped: list[TestLine] = []
    for i in range(len(tests)):
        if tests.is_flaky(i):
            flaky_total += 1
            if len(flaky) < MAX_FLAKY:
                case = tests[i]
                attempts = ", ".join(a.outcome.value for a in case.attempts)
                flaky.append(
                    TestLine(
                        id=one_line(case.id, 300),
                        detail=f"attempts: {attempts}" if attempts else "marked flaky",
                        source=_source(run.inputs, case.input),
                    )
                )
    for i in tests.indices_with_outcome(Outcome.SKIPPED):
        if len(skipped) >= MAX_SKIPPED:
            break
        case = tests[i]
        skipped.append(
            TestLine(
                id=one_line(case.id, 300),
                detail=one_line(case.message, 300) or "no reason given",
                source=_source(run.inputs, case.input),
            )
        )
    # Ties broken by input order (the negated index), so the list is deterministic.
    top = heapq.nlargest(MAX_SLOWEST, durations)
    slowest = [
        TestLine(
            id=one_line(tests.id_of(-neg), 300),
            detail=fmt(d, "s"),
            source=_source(run.inputs, tests.input_of(-neg)),
        )
        for d, neg in top
    ]
    outcomes_chart = outcomes_svg(
        [(r.name, r.passed, r.failed, r.errors, r.skipped) for r in suite_rows[:MAX_SUITES]],
    )
    slowest_chart = (
        slowest_svg([(t.id, d) for t, (d, _) in zip(slowest, top, strict=True)]) if slowest else ""
    )
    return TestsView(
        total=len(tests),
        passed=counts[Outcome.PASSED],
        failed=counts[Outcome.FAILED],
        errors=counts[Outcome.ERROR],
        skipped=counts[Outcome.SKIPPED],
        flaky=flaky_total,
        duration=fmt(tests.total_duration(), "s") if any_duration else None,
        suites=tuple(suite_rows[:MAX_SUITES]),
        suites_more=max(0, len(suite_rows) - MAX_SUITES),
        failures=tuple(failures),
        failures_more=failing - len(failures),
        flaky_tests=tuple(flaky),
        flaky_more=flaky_total - len(flaky),
        skipped_tests=tuple(skipped),
        skipped_more=counts[Outcome.SKIPPED] - len(skipped),
        slowest=tuple(slowest),
        outcomes_chart=outcomes_chart,
        slowest_chart=slowest_chart,
    )


_OUTCOME_COL = {Outcome.PASSED: 0, Outcome.FAILED: 1, Outcome.ERROR: 2, Outcome.SKIPPED: 3}


def _samples(metrics: Sequence[Metric]) -> list[float]:
    return [v for m in metrics for v in (m.samples or ()) if math.isfinite(v)]


def _describe(metrics: Sequence[Metric], unit: str) -> tuple[str, str, str]:
    """(n, median, spread) of a metric's samples; harness statistics when there are none."""
    values = _samples(metrics)
    if values:
        median = statistics.median(values)
        if len(values) >= 4:
            q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
            spread = f"IQR {fmt(q1, unit)} – {fmt(q3, unit)}; "
        else:
            spread = ""
        spread += f"range {fmt(min(values), unit)} – {fmt(max(values), unit)}"
        return str(len(values)), fmt(median, unit), spread
    stats = {k: v for m in metrics for k, v in m.stats.items()}
    n = sum(m.n or 0 for m in metrics)
    reported = stats.get("median", stats.get("p50"))
    shown = ", ".join(
        f"{k} {fmt(v, unit)}" for k, v in sorted(stats.items()) if k not in ("median", "p50")
    )
    return (
        str(n) if n else "—",
        (fmt(reported, unit) + " (reported)") if reported is not None else "—",
        (shown + " (reported)") if shown else "—",
    )


def _metrics(
    run: Run, baseline: Run | None, ev: Evaluation
) -> tuple[tuple[MetricRow, ...], tuple[ChartView, ...]]:
    compared: dict[str, Figures] = {}
    notes: dict[str, list[str]] = {}
    for c in ev.criteria:
        if c.items:
            for item in c.items:
                if c.kind is Kind.BASELINE:
                    compared.setdefault(item.metric, item.figures)
                if item.status is not Status.PASS:
                    notes.setdefault(item.metric, []).append(
                        f"{c.id}: {one_line(item.reason, 300)}"
                    )
        elif c.metric:
            if c.kind is Kind.BASELINE:
                compared.setdefault(c.metric, c.figures)
            if c.status is not Status.PASS:
                notes.setdefault(c.metric, []).append(f"{c.id}: {one_line(c.reason, 300)}")
    names: dict[str, list[Metric]] = {}
    for m in run.metrics:
        names.setdefault(m.name, []).append(m)
    rows: list[MetricRow] = []
    charts: list[ChartView] = []
    for name, metrics in names.items():
        unit = metrics[0].unit
        n, median, spread = _describe(metrics, unit)
        base = baseline.metrics_named(name) if baseline is not None else ()
        b_n, b_median, _ = _describe(base, unit) if base else ("—", "—", "")
        figures = compared.get(name)
        sources = sorted({_source(run.inputs, m.input) for m in metrics})
        if base and baseline is not None:
            sources += sorted({"baseline " + _source(baseline.inputs, m.input) for m in base})
        rows.append(
            MetricRow(
                name=one_line(name, 200),
                unit=text(unit, 20),
                n=n,
                median=median,
                spread=spread,
                baseline_n=b_n,
                baseline_median=b_median,
                change=format_measured(figures) if figures is not None else "—",
                source="; ".join(sources),
                note=" ".join(notes.get(name, ())) or None,
            )
        )
        current = _samples(metrics)
        if figures is not None and current:
            svg = distribution_svg(
                _samples(base) or None,
                current,
                unit=unit,
                title=name,
            )
            if svg:
                charts.append(ChartView(title=one_line(name, 200), svg=svg))
    return tuple(rows), tuple(charts)


def _inputs(files: Sequence[InputFile], baseline: bool) -> list[InputView]:
    out = []
    for f in files:
        warnings = [
            one_line(f"{w.path}:{w.line}: {w.message}" if w.line else f"{w.path}: {w.message}")
            for w in f.warnings
        ]
        out.append(
            InputView(
                path=text(f.path),
                format=f.format,
                sha256=f.sha256,
                size=f.size,
                records=f.records,
                baseline=baseline,
                warnings=tuple(warnings[:MAX_WARNINGS]),
                warnings_more=max(0, len(warnings) - MAX_WARNINGS),
            )
        )
    return out


def generated_time(source_date_epoch: str | None) -> str | None:
    """The report time from a SOURCE_DATE_EPOCH value (UTC, ISO 8601); None when unset or
    invalid (the CLI refuses an invalid value before any work, see `reportgen.clock`)."""
    if not source_date_epoch:
        return None
    try:
        return clock.iso(clock.parse_epoch(source_date_epoch))
    except UsageError:
        return None


def build_view(
    run: Run,
    evaluation: Evaluation,
    *,
    baseline: Run | None = None,
    command: str | None = None,
    criteria_path: str | None = None,
    tool_version: str = __version__,
    source_date_epoch: str | None = None,
) -> ReportView:
    """The view of one report. `source_date_epoch` defaults to the environment variable; the
    wall clock is never read, so equal inputs give equal views."""
    if source_date_epoch is None:
        moment = clock.source_date()
        generated = clock.iso(moment) if moment is not None else None
    else:
        generated = generated_time(source_date_epoch)
    ev = evaluation
    metrics, charts = _metrics(run, baseline, ev)
    # Baseline and current medians, as described in the metrics table, shown beside changes.
    medians = {m.name: (m.baseline_median, m.median) for m in metrics if m.baseline_n != "—"}
    rows = {c.id: _row(c, medians) for c in ev.criteria}
    inputs = _inputs(run.inputs, False) + (_inputs(baseline.inputs, True) if baseline else [])
    skipped = [f"{text(s.path)}: {one_line(s.reason, 200)}" for s in run.skipped]
    provenance = ProvenanceView(
        inputs=tuple(inputs),
        skipped=tuple(skipped),
        criteria_file=text(criteria_path or ev.criteria_file) or None,
        criteria_sha256=ev.criteria_sha256,
        tool_version=tool_version,
        command=one_line(command, 4000) if command else None,
        generated=generated,
        warnings=tuple(one_line(w) for w in ev.warnings),
    )
    notes: list[str] = []
    if not run.inputs:
        notes.append("No result files were read: there is no evidence to decide on.")
    return ReportView(
        title=one_line(ev.title, 300) or "Readiness report",
        subject=one_line(ev.subject, 300) or None,
        verdict=ev.verdict.value,
        verdict_class=_VERDICT_CLASS[ev.verdict],
        exit_code=int(ev.verdict.exit_code),
        summary=_summary(ev),
        phases=_phases(ev, rows),
        findings=_findings(ev, medians),
        impacts=_impacts(ev, rows),
        risks=_risks(ev, medians),
        tests=_tests(run),
        metrics=metrics,
        charts=charts,
        provenance=provenance,
        notes=tuple(notes),
    )
