"""Plain counts over a Run (what `reportgen summary` shows); no judgement, no formatting."""

from __future__ import annotations

from pydantic import Field

from reportgen.model import Frozen, IntegrityFlag, Outcome, Run, SkippedPath

#: Every outcome (iterating the enum class itself is a Python-level loop, once per suite).
_OUTCOMES = tuple(Outcome)

#: Failures listed in a summary; the rest are counted.
MAX_FAILURES_LISTED = 50


class SuiteCounts(Frozen):
    suite: str
    total: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0


class FailureLine(Frozen):
    id: str
    outcome: Outcome
    message: str | None
    path: str


class FileSummary(Frozen):
    path: str
    format: str
    sha256: str
    tests: int
    metrics: int
    warnings: list[str]
    integrity: list[IntegrityFlag] = Field(
        default_factory=list, description="Where the file says it is incomplete."
    )


class MetricSummary(Frozen):
    name: str
    unit: str
    n: int


class Summary(Frozen):
    """What `reportgen summary --json` prints."""

    total: int
    passed: int
    failed: int
    errors: int
    skipped: int
    flaky: int
    duration_s: float | None
    files: list[FileSummary]
    metrics: list[MetricSummary]
    suites: list[SuiteCounts]
    failures: list[FailureLine]
    failures_not_listed: int = 0
    skipped_files: list[str] = Field(
        default_factory=list, description="Files found but not read (details in not_read)."
    )
    not_read: list[SkippedPath] = Field(
        default_factory=list, description="Every file found but not read, with the reason."
    )


def summarise(run: Run, max_failures: int = MAX_FAILURES_LISTED) -> Summary:
    """Count tests by outcome, per suite and per file; list the first failures."""
    tests = run.tests
    counts = tests.outcome_counts()
    per_file_tests = [0] * len(run.inputs)
    for index, n in tests.counts_by_input().items():
        per_file_tests[index] = n
    per_file_metrics = [0] * len(run.inputs)
    # Bulk counts over the columns: a million tests must not mean a million model objects.
    suites: dict[str, dict[Outcome, int]] = {}
    for path, by_outcome in tests.counts_by_suite():
        name = " / ".join(path) or "(no suite)"
        bucket = suites.setdefault(name, dict.fromkeys(_OUTCOMES, 0))
        for outcome, n in by_outcome.items():
            bucket[outcome] += n
    any_duration = tests.has_durations()
    for metric in run.metrics:
        per_file_metrics[metric.input] += 1
    failures: list[FailureLine] = []
    # The rest are only counted: stop scanning the tests once enough are listed.
    not_listed = max(0, counts[Outcome.FAILED] + counts[Outcome.ERROR] - max_failures)
    for i in tests.indices_with_outcome(Outcome.FAILED, Outcome.ERROR):
        if len(failures) >= max_failures:
            break
        case = tests[i]
        message = (case.message or "").strip().splitlines()
        failures.append(
            FailureLine(
                id=case.id,
                outcome=case.outcome,
                message=message[0] if message else None,
                path=run.inputs[case.input].path,
            )
        )
    return Summary(
        total=len(tests),
        passed=counts[Outcome.PASSED],
        failed=counts[Outcome.FAILED],
        errors=counts[Outcome.ERROR],
        skipped=counts[Outcome.SKIPPED],
        flaky=tests.flaky_count(),
        duration_s=tests.total_duration() if any_duration else None,
        files=[
            FileSummary(
                path=f.path,
                format=f.format,
                sha256=f.sha256,
                tests=per_file_tests[i],
                metrics=per_file_metrics[i],
                warnings=[
                    f"{w.path}:{w.line}: {w.message}" if w.line else f"{w.path}: {w.message}"
                    for w in f.warnings
                ],
                integrity=list(f.integrity),
            )
            for i, f in enumerate(run.inputs)
        ],
        metrics=[MetricSummary(name=m.name, unit=m.unit, n=m.sample_count) for m in run.metrics],
        suites=[
            SuiteCounts(
                suite=name,
                total=sum(c.values()),
                passed=c[Outcome.PASSED],
                failed=c[Outcome.FAILED],
                errors=c[Outcome.ERROR],
                skipped=c[Outcome.SKIPPED],
            )
            for name, c in suites.items()
        ],
        failures=failures,
        failures_not_listed=not_listed,
        skipped_files=[s.path for s in run.skipped],
        not_read=list(run.skipped),
    )
