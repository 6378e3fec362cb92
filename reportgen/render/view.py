"""The report view model: plain, immutable, pre-formatted data that every template renders.

`build_view` is the only place numbers are formatted; it keeps every failing and flaky test
(the HTML lists them all) and `for_print` caps those lists for the PDF and Markdown. It reads
what the evaluation decided and describes the run (counts, medians, spreads); it never decides
a status.
Untrusted text (test names, messages, output) is cleaned of control characters here and
escaped later by each renderer for its own format.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from reportgen import __version__, clock
from reportgen.ci.context import CiContext, link_url
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
from reportgen.history.facts import ReportHistory
from reportgen.model import InputFile, Metric, Outcome, Run
from reportgen.render.charts import distribution_svg, outcomes_svg, slowest_svg, trend_svg
from reportgen.text import clean_text
from reportgen.units import format_percent, format_value

#: Characters of a sha256 shown next to a figure (the spec asks for at least 12).
SHA_PREFIX = 12
#: Failures (and flaky tests) the PDF and Markdown list in full; the HTML and the verdict JSON
#: list every one, and the capped reports say so.
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
#: What a count criterion counts, for "It passes once the ... is ≤ 0".
_COUNT_LABEL = {
    "failed": "number of failed tests",
    "total": "number of tests",
    "required_failed": "number of failed required tests",
    "flaky": "number of flaky tests",
    "new_failures": "number of new failures",
    "skipped": "number of skipped tests",
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
        """A compact reference such as `results/metrics.json#ws_connect_time` (plain text;
        renderers escape it). The full path and sha256 are listed once, under Provenance."""
        where = f"{'baseline ' if self.baseline else ''}{self.path}"
        if self.metrics:
            return ", ".join(f"{where}#{m}" for m in self.metrics)
        if self.tests:
            total = len(self.tests) + self.tests_more
            more = f" +{self.tests_more} more" if self.tests_more else ""
            noun = "test" if total == 1 else "tests"
            return f"{where} ({total} {noun}: {', '.join(self.tests)}{more})"
        return where


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
    anchor: str  # the HTML id of the one place this criterion is explained
    to_change: str | None  # for a criterion that does not pass: what would change it
    waiver: str | None
    items: tuple[ItemRow, ...] = ()

    @property
    def passed(self) -> bool:
        return self.status == Status.PASS.value


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
class ImpactGroup:
    """Criteria sharing a declared `impact`."""

    impact: str
    rows: tuple[CriterionRow, ...]
    worst: str
    worst_label: str


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
    """A failed, erroring or flaky test with its message and an excerpt of its output."""

    id: str
    outcome: str  # failed, error, flaky
    message: str | None
    output: str | None
    output_cut: str | None  # "42 more lines" etc. when the excerpt was trimmed
    duration: str | None
    source: str  # the input's path; its sha256 is under Provenance
    detail: str | None = None  # flaky: the attempts


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
    flaky_tests: tuple[FailureView, ...]
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
    #: (criterion id, anchor, status) of the criteria that judge this metric: the comparison,
    #: its figures and its why are told there, once.
    criteria: tuple[tuple[str, str, str], ...]
    sources: tuple[str, ...]  # input paths; their sha256 are under Provenance


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
class CiView:
    """Where the run happened, as its CI system's environment says (shown in the header and
    under Provenance). A URL is set only when it is a well-formed https URL: the environment of
    the CI system is trusted, but a value that could not be a plain link is shown as text."""

    system: str  # "GitHub Actions"
    commit: str | None
    commit_short: str | None
    branch: str | None
    pr: str | None  # "#88" (GitLab "!7")
    pr_label: str  # "pull request" (GitLab "merge request")
    pr_url: str | None
    run_url: str | None
    run_text: str | None  # the run's address when it cannot be a link
    job: str | None


@dataclass(frozen=True, slots=True)
class SummaryLine:
    """A criterion the summary names: a link to where it is explained, not a second copy."""

    id: str
    anchor: str
    status: str
    status_label: str
    title: str


@dataclass(frozen=True, slots=True)
class SummaryView:
    """The executive summary, generated only from the evaluation."""

    sentence: str
    counts: tuple[tuple[str, str, int], ...]  # (status key, label, count)
    blocking: tuple[SummaryLine, ...]
    advisory: tuple[SummaryLine, ...]


@dataclass(frozen=True, slots=True)
class HistoryView:
    """What the run history adds: a trend per gated metric, failing streaks, flaky tests."""

    scope: str  # "the last 20 recorded runs of branch main"
    trend_lines: tuple[TestLine, ...]  # one per gated metric: id = metric, detail = figures
    trends: tuple[ChartView, ...]
    failing_since: tuple[TestLine, ...]
    flaky: tuple[TestLine, ...]


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
    impacts: tuple[ImpactGroup, ...]
    tests: TestsView | None
    metrics: tuple[MetricRow, ...]
    metric_sources: tuple[str, ...]
    charts: tuple[ChartView, ...]
    provenance: ProvenanceView
    notes: tuple[str, ...] = field(default=())
    history: HistoryView | None = None
    ci: CiView | None = None


class Trusted(str):
    """Text from the criteria file or the command line (titles, subject, criterion titles,
    phases, impacts, waiver reasons), which its author wrote for this report: renderers keep
    its issue references (`#88`, `GH-88`, `!12`) as references. Every other string of the view
    is untrusted. An operation on a Trusted string gives a plain (untrusted) str, so only what
    is marked here is ever trusted."""

    __slots__ = ()


def trusted(value: str | None) -> Trusted | None:
    """`value` marked as trusted; None and empty stay None."""
    return Trusted(value) if value else None


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


def anchors(ids: Sequence[str]) -> dict[str, str]:
    """A unique HTML id per criterion id (`c-connect-p95`), stable for equal criteria files."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for cid in ids:
        base = "c-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", cid).strip("-").lower() or "criterion")
        anchor, k = base, 2
        while anchor in used:
            anchor, k = f"{base}-{k}", k + 1
        used.add(anchor)
        out[cid] = anchor
    return out


def _row(c: CriterionResult, medians: Medians, anchor: str) -> CriterionRow:
    return CriterionRow(
        id=one_line(c.id, 200),
        title=Trusted(one_line(c.title or c.id, 300)),
        status=c.status.value,
        status_label=_STATUS_LABEL[c.status],
        severity=c.severity.value,
        advisory=c.severity is Severity.ADVISORY,
        measured=format_measured(c.figures, _medians_for(c.metric, medians)),
        threshold=format_threshold(c.figures),
        n=_format_n(c.figures),
        evidence=_evidence(c.evidence),
        reason=one_line(c.reason, 1000),
        impact=trusted(one_line(c.impact, 200)),
        anchor=anchor,
        to_change=_to_change(c, medians) if c.status is not Status.PASS else None,
        waiver=_waiver_text(c),
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
        stat = f.stat or ""
        what = _COUNT_LABEL.get(stat) or _STAT_LABEL.get(stat, stat.replace("_", " "))
        what = what or "measured value"
        # The measured value stands beside this sentence; it is not repeated here.
        return f"It passes once the {what} is {format_threshold(f)}."
    if c.raw_status is Status.FAIL:
        return "It passes once the evidence it names no longer fails: " + one_line(c.reason)
    return "More evidence of the kind this criterion reads."


def _waiver_text(c: CriterionResult) -> str | None:
    if c.waiver is None:
        return None
    state = "active" if c.waiver.active else "expired, ignored"
    expires = f", expires {c.waiver.expires}" if c.waiver.expires else ""
    # The reason and date come from the criteria file; the rest is ours.
    return Trusted(f"{one_line(c.waiver.reason)} ({state}{expires})")


_SEVERITY_ORDER = {Status.FAIL: 0, Status.INSUFFICIENT: 1, Status.WAIVED: 2, Status.PASS: 3}


# --- sections -------------------------------------------------------------------------------
def _summary(ev: Evaluation, rows: dict[str, CriterionRow]) -> SummaryView:
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
    blocking: list[SummaryLine] = []
    advisory: list[SummaryLine] = []
    for c in sorted(ev.criteria, key=lambda c: _SEVERITY_ORDER[c.status]):
        if c.status not in (Status.FAIL, Status.INSUFFICIENT):
            continue
        row = rows[c.id]
        line = SummaryLine(
            id=row.id,
            anchor=row.anchor,
            status=row.status,
            status_label=row.status_label,
            title=row.title,
        )
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
                name=Trusted(one_line(phase.name, 200)),
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


def _impacts(ev: Evaluation, rows: dict[str, CriterionRow]) -> tuple[ImpactGroup, ...]:
    groups: dict[str, list[CriterionResult]] = {}
    for c in ev.criteria:
        if c.impact:
            groups.setdefault(Trusted(one_line(c.impact, 200)), []).append(c)
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


def _source(inputs: Sequence[InputFile], index: int) -> str:
    """The input's path; its sha256 is listed once, under Provenance."""
    if 0 <= index < len(inputs):
        return text(inputs[index].path)
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
    # Column-wise passes over the table (no per-test models): this runs on 100,000s of tests.
    suites = {
        key: [c[Outcome.PASSED], c[Outcome.FAILED], c[Outcome.ERROR], c[Outcome.SKIPPED]]
        for key, c in tests.counts_by_suite()
    }
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

    # Every failure and flaky test: the HTML lists them all; `for_print` caps the PDF and
    # Markdown.
    failures: list[FailureView] = []
    for i in tests.indices_with_outcome(Outcome.FAILED, Outcome.ERROR):
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

    flaky: list[FailureView] = []
    for i in tests.flaky_indices():
        case = tests[i]
        attempts = ", ".join(a.outcome.value for a in case.attempts)
        failed = next((a for a in case.attempts if a.message or a.output), None)
        output, cut = _excerpt(
            case.output or (failed.output if failed else None), case.output_truncated
        )
        flaky.append(
            FailureView(
                id=one_line(case.id, 300),
                outcome="flaky",
                message=one_line(case.message or (failed.message if failed else None)) or None,
                output=output,
                output_cut=cut,
                duration=fmt(case.duration, "s") if case.duration is not None else None,
                source=_source(run.inputs, case.input),
                detail=f"attempts: {attempts}" if attempts else "marked flaky",
            )
        )
    skipped: list[TestLine] = []
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
    # Ties broken by input order, so the list is deterministic.
    top = tests.slowest(MAX_SLOWEST)
    slowest = [
        TestLine(
            id=one_line(tests.id_of(i), 300),
            detail=fmt(d, "s"),
            source=_source(run.inputs, tests.input_of(i)),
        )
        for d, i in top
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
        flaky=len(flaky),
        duration=fmt(tests.total_duration(), "s") if tests.has_durations() else None,
        suites=tuple(suite_rows[:MAX_SUITES]),
        suites_more=max(0, len(suite_rows) - MAX_SUITES),
        failures=tuple(failures),
        failures_more=0,
        flaky_tests=tuple(flaky),
        flaky_more=0,
        skipped_tests=tuple(skipped),
        skipped_more=counts[Outcome.SKIPPED] - len(skipped),
        slowest=tuple(slowest),
        outcomes_chart=outcomes_chart,
        slowest_chart=slowest_chart,
    )


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
    run: Run, baseline: Run | None, ev: Evaluation, anchor: dict[str, str]
) -> tuple[tuple[MetricRow, ...], tuple[ChartView, ...], tuple[str, ...]]:
    compared: dict[str, Figures] = {}
    judged: dict[str, list[tuple[str, str, str]]] = {}
    for c in ev.criteria:
        link = (one_line(c.id, 200), anchor[c.id], c.status.value)
        if c.items:
            for item in c.items:
                if c.kind is Kind.BASELINE:
                    compared.setdefault(item.metric, item.figures)
                judged.setdefault(item.metric, []).append(link)
        elif c.metric:
            if c.kind is Kind.BASELINE:
                compared.setdefault(c.metric, c.figures)
            judged.setdefault(c.metric, []).append(link)
    names: dict[str, list[Metric]] = {}
    for m in run.metrics:
        names.setdefault(m.name, []).append(m)
    rows: list[MetricRow] = []
    charts: list[ChartView] = []
    all_sources: dict[str, None] = {}
    for name, metrics in names.items():
        unit = metrics[0].unit
        n, median, spread = _describe(metrics, unit)
        base = baseline.metrics_named(name) if baseline is not None else ()
        b_n, b_median, _ = _describe(base, unit) if base else ("—", "—", "")
        figures = compared.get(name)
        sources = sorted({_source(run.inputs, m.input) for m in metrics})
        if base and baseline is not None:
            sources += sorted({"baseline " + _source(baseline.inputs, m.input) for m in base})
        all_sources.update(dict.fromkeys(sources))
        rows.append(
            MetricRow(
                name=one_line(name, 200),
                unit=text(unit, 20),
                n=n,
                median=median,
                spread=spread,
                baseline_n=b_n,
                baseline_median=b_median,
                criteria=tuple(dict.fromkeys(judged.get(name, ()))),
                sources=tuple(sources),
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
    return tuple(rows), tuple(charts), tuple(all_sources)


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
    history: ReportHistory | None = None,
) -> ReportView:
    """The view of one report. `source_date_epoch` defaults to the environment variable; the
    wall clock is never read, so equal inputs give equal views."""
    if source_date_epoch is None:
        moment = clock.source_date()
        generated = clock.iso(moment) if moment is not None else None
    else:
        generated = generated_time(source_date_epoch)
    ev = evaluation
    anchor = anchors([c.id for c in ev.criteria])
    metrics, charts, metric_sources = _metrics(run, baseline, ev, anchor)
    # Baseline and current medians, as described in the metrics table, shown beside changes.
    medians = {m.name: (m.baseline_median, m.median) for m in metrics if m.baseline_n != "—"}
    rows = {c.id: _row(c, medians, anchor[c.id]) for c in ev.criteria}
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
        title=Trusted(one_line(ev.title, 300) or "Readiness report"),
        subject=trusted(one_line(ev.subject, 300)),
        verdict=ev.verdict.value,
        verdict_class=_VERDICT_CLASS[ev.verdict],
        exit_code=int(ev.verdict.exit_code),
        summary=_summary(ev, rows),
        phases=_phases(ev, rows),
        impacts=_impacts(ev, rows),
        tests=_tests(run),
        metrics=metrics,
        metric_sources=metric_sources,
        charts=charts,
        provenance=provenance,
        notes=tuple(notes),
        history=None if history is None else _history(history, run),
        ci=None if ev.ci is None else ci_view(ev.ci),
    )


def ci_view(ci: CiContext) -> CiView:
    """The CI context as the reports show it."""
    commit = one_line(ci.commit, 100) or None
    gitlab = ci.system == "gitlab-ci"
    pr = one_line(ci.pr, 50) or None
    run_url = link_url(ci.run_url)
    return CiView(
        system=one_line(ci.system_name, 100),
        commit=commit,
        # A hex object name is shortened as git does; anything else is shown as given.
        commit_short=commit[:12] if commit and re.fullmatch(r"[0-9a-f]{7,64}", commit) else commit,
        branch=one_line(ci.branch, 300) or None,
        # The number comes from the CI system, not from an input: it may stay a reference.
        pr=Trusted(("!" if gitlab else "#") + pr) if pr and pr.isdigit() else pr,
        pr_label="merge request" if gitlab else "pull request",
        pr_url=link_url(ci.pr_url) if pr else None,
        run_url=run_url,
        run_text=None if run_url else (one_line(ci.run_url, 500) or None),
        job=one_line(ci.job, 300) or None,
    )


def _history(history: ReportHistory, run: Run) -> HistoryView:
    """Trend charts of the gated metrics (the current run marked) and, for the current run's
    tests, failing streaks and flakiness from the recorded runs."""
    current = {
        name: statistics.median(values) for name, values in _samples_by_name(run).items() if values
    }
    charts = tuple(
        ChartView(
            title=f"{text(t.name)} over recorded runs",
            svg=trend_svg(
                [(f"run {r}", v) for r, v in zip(t.runs, t.medians, strict=True)],
                unit=t.unit,
                title=f"{text(t.name)}: median per run",
                median=t.median,
                low=t.low,
                high=t.high,
                current=current.get(t.name),
            ),
        )
        for t in history.trends
    )
    lines = []
    for t in history.trends:
        interval = (
            f" (95% interval {fmt(t.low, t.unit)} to {fmt(t.high, t.unit)})"
            if t.low is not None and t.high is not None
            else " (too few runs for an interval)"
        )
        now = current.get(t.name)
        lines.append(
            TestLine(
                id=text(t.name),
                detail=f"median {fmt(t.median, t.unit)} over {len(t.runs)} recorded runs"
                + interval
                + (f"; current run {fmt(now, t.unit)}" if now is not None else ""),
                source="history",
            )
        )
    table = run.tests
    bad = (Outcome.FAILED, Outcome.ERROR)
    failing_now = {table.id_of(i) for i in table.indices_with_outcome(*bad)}
    present = {table.id_of(i) for i in range(len(table))} if history.flaky else set()
    since = tuple(
        TestLine(
            id=text(f.id),
            detail=f"failing since run {f.since_run}"
            + (f" (commit {text(f.since_commit[:12])})" if f.since_commit else "")
            + f", {f.runs_failing} recorded run{'' if f.runs_failing == 1 else 's'} in a row",
            source="history",
        )
        for f in history.failing_since
        if f.id in failing_now
    )
    flaky = tuple(
        TestLine(id=text(t.id), detail=one_line(t.reason), source="history")
        for t in history.flaky
        if t.id in present
    )
    where = f"branch {text(history.branch)}" if history.branch else "any branch"
    return HistoryView(
        scope=f"the last {len(history.runs)} recorded runs of {where}",
        trend_lines=tuple(lines),
        trends=charts,
        failing_since=since,
        flaky=flaky,
    )


def _samples_by_name(run: Run) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    for m in run.metrics:
        if m.samples:
            found.setdefault(m.name, []).extend(x for x in m.samples if math.isfinite(x))
    return found


def shorten_output(f: FailureView, lines: int) -> FailureView:
    """`f` with its output excerpt cut to `lines` lines, the cut counted in `output_cut`."""
    if f.output is None:
        return f
    kept = f.output.split("\n")
    if len(kept) <= lines:
        return f
    more = len(kept) - lines
    rest = f.output_cut or ""
    # Lines the excerpt had already left out add up with the ones left out here.
    earlier = re.match(r"(\d+) more lines?(?:, )?", rest)
    if earlier:
        more += int(earlier.group(1))
        rest = rest[earlier.end() :]
    cut = f"{more} more line{'s' if more != 1 else ''}" + (f", {rest}" if rest else "")
    return replace(f, output="\n".join(kept[:lines]), output_cut=cut)


def for_print(view: ReportView, *, output_lines: int | None = None) -> ReportView:
    """The view the PDF and Markdown render: failures and flaky tests capped (the HTML and the
    verdict JSON list every one, and the capped lists say so), and with `output_lines` each
    output excerpt cut to that many lines (paper shows it open, the HTML collapsed)."""
    t = view.tests
    if t is None:
        return view
    failures, flaky = t.failures[:MAX_FAILURES], t.flaky_tests[:MAX_FLAKY]
    if output_lines is not None:
        failures = tuple(shorten_output(f, output_lines) for f in failures)
        flaky = tuple(shorten_output(f, output_lines) for f in flaky)
    t = replace(
        t,
        failures=failures,
        failures_more=t.failures_more + len(t.failures) - len(failures),
        flaky_tests=flaky,
        flaky_more=t.flaky_more + len(t.flaky_tests) - len(flaky),
    )
    return replace(view, tests=t)
