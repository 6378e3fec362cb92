"""Benchmark: render a 100,000-test run with 1,000 failures to Markdown, HTML and PDF.

Usage: python3 benchmarks/report.py [--tests N] [--failures N] [--rounds N] [--pdf-out PATH]
                                    [--check] [--no-tagged]

Builds the run in memory (TestTableBuilder: 100 suites, failures with a message and 40 lines of
captured output, durations for every test, a compared latency metric with 200 samples on each
side) and an evaluation for it: the real `reportgen.evaluate.evaluate` over a small criteria set
when that module exists, else an equivalent hand-built Evaluation. Then times, best of
`--rounds`, view + Markdown, view + HTML and view + PDF (the default, tagged PDF, in its
sandboxed child, whose peak RSS the child reports). Targets: Markdown and HTML <= 3 s, PDF
<= 15 s and <= 800 MB peak RSS. `--check` exits 1 when a target is missed. The HTML size is
printed too: the HTML lists every failure.

Unless `--no-tagged`, it also times the tagged PDF (`pdf/ua-1`) against the untagged one, on
this run and on the Phase 4 sample, in renderer CPU seconds, best of `--rounds` (at least 3 for
the sample), and prints the ratios: the reference for keeping the default PDF tagged (<= 1.5x).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportgen.evaluation import (
    CriterionResult,
    Evaluation,
    EvidenceRef,
    Figures,
    PhaseResult,
    Status,
    Verdict,
)
from reportgen.model import InputFile, Metric, Outcome, Run, TestTableBuilder
from reportgen.render.html import render_html
from reportgen.render.markdown import render_markdown
from reportgen.render.pdf import DEFAULT_VARIANT, html_to_pdf_with_stats
from reportgen.render.view import ReportView, build_view

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "phase4-websocket"

TARGET_TEXT_S = 3.0
TARGET_PDF_S = 15.0
TARGET_PDF_RSS_MB = 800.0

OUTPUT_LINES = 40


def make_run(tests: int, failures: int, seed: int = 4) -> tuple[Run, Run]:
    """The current run (tests and metrics) and a baseline run (metrics only)."""
    rng = random.Random(seed)
    builder = TestTableBuilder()
    suites = 100
    every = max(tests // max(failures, 1), 1)
    failed = 0
    for i in range(tests):
        # Consecutive blocks of tests per suite, so the failures spread over every suite.
        suite = f"service.module{i * suites // tests:03d}"
        name = f"test_behaviour_{i:06d}[case-{i % 17}]"
        duration = rng.lognormvariate(-3.5, 1.2)
        if failures and i % every == every - 1 and failed < failures:
            failed += 1
            output = "\n".join(
                f"    at {suite.replace('.', '/')}/handler.py:{100 + k}: step {k} of request "
                f"{i}: payload={{'id': {i}, 'attempt': {k}}}"
                for k in range(OUTPUT_LINES)
            )
            builder.add(
                name=name,
                classname=suite,
                suite=("all", suite),
                outcome=Outcome.FAILED,
                duration=duration,
                message=f"AssertionError: expected status 200, got 500 for request {i}",
                type="AssertionError",
                output=output,
                file=f"tests/{suite.replace('.', '/')}.py",
                line=10 + i % 500,
            )
        else:
            outcome = Outcome.SKIPPED if i % 211 == 0 else Outcome.PASSED
            builder.add(
                name=name, classname=suite, suite=("all", suite), outcome=outcome, duration=duration
            )
    current = [rng.gauss(1.5, 0.06) for _ in range(200)]
    base = [rng.gauss(1.2, 0.05) for _ in range(200)]
    sha = hashlib.sha256(b"bench-current").hexdigest()
    base_sha = hashlib.sha256(b"bench-baseline").hexdigest()
    run = Run(
        inputs=(
            InputFile(
                path="results/junit.xml",
                format="junit",
                sha256=sha,
                size=tests * 120,
                records=tests,
            ),
            InputFile(
                path="results/latency.json",
                format="metrics-json",
                sha256=sha[::-1],
                size=4000,
                records=1,
            ),
        ),
        tests=builder.build(),
        metrics=(Metric(name="ws.connect_time", unit="s", samples=tuple(current), input=1),),
    )
    baseline = Run(
        inputs=(
            InputFile(
                path="baseline/latency.json",
                format="metrics-json",
                sha256=base_sha,
                size=4000,
                records=1,
            ),
        ),
        metrics=(Metric(name="ws.connect_time", unit="s", samples=tuple(base), input=0),),
    )
    return run, baseline


def hand_built_evaluation(run: Run) -> Evaluation:
    """What the evaluator decides for this run, written out (used until `evaluate` exists)."""
    counts = run.tests.outcome_counts()
    executed = counts[Outcome.PASSED] + counts[Outcome.FAILED] + counts[Outcome.ERROR]
    failed_ids = tuple(
        run.tests.id_of(i) for i in run.tests.indices_with_outcome(Outcome.FAILED, Outcome.ERROR)
    )
    junit = run.inputs[0]
    latency = run.inputs[1]
    tests_ref = EvidenceRef(
        path=junit.path,
        sha256=junit.sha256,
        tests=failed_ids[:20],
        tests_total=len(failed_ids),
    )
    pass_rate = counts[Outcome.PASSED] / executed if executed else 0.0
    criteria = (
        CriterionResult(
            id="no-failures",
            title="No failing tests",
            kind="tests",
            status=Status.FAIL if failed_ids else Status.PASS,
            raw_status=Status.FAIL if failed_ids else Status.PASS,
            impact="Release confidence",
            phase="Phase 4",
            figures=Figures(
                stat="failed", value=len(failed_ids), threshold=0, comparison="<=", n=executed
            ),
            evidence=(tests_ref,),
            reason=f"{len(failed_ids):,} of {executed:,} executed tests failed.",
        ),
        CriterionResult(
            id="pass-rate",
            title="Pass rate at least 99%",
            kind="tests",
            status=Status.PASS if pass_rate >= 0.99 else Status.FAIL,
            raw_status=Status.PASS if pass_rate >= 0.99 else Status.FAIL,
            phase="Phase 4",
            figures=Figures(
                stat="pass_rate",
                value=pass_rate,
                unit="ratio",
                ci_low=pass_rate - 0.0006,
                ci_high=min(pass_rate + 0.0006, 1.0),
                confidence=0.95,
                n=executed,
                threshold=0.99,
                comparison=">=",
            ),
            evidence=(tests_ref,),
            reason="The lower confidence bound of the pass rate is compared with 99%.",
        ),
        CriterionResult(
            id="connect-time",
            title="Connection time not worse than baseline by more than 5%",
            kind="baseline",
            status=Status.FAIL,
            raw_status=Status.FAIL,
            impact="User-visible latency",
            phase="Phase 4",
            metric="ws.connect_time",
            figures=Figures(
                stat="ratio",
                value=1.25,
                unit="ratio",
                ci_low=1.23,
                ci_high=1.27,
                confidence=0.95,
                n=200,
                n_baseline=200,
                baseline_value=1.2,
                threshold=1.05,
                comparison="<=",
                change=0.25,
                regression=True,
            ),
            evidence=(
                EvidenceRef(path=latency.path, sha256=latency.sha256, metrics=("ws.connect_time",)),
            ),
            reason="Median connection time rose from 1.20 s to 1.50 s (+25%), over the 5% limit.",
        ),
    )
    return Evaluation(
        title="Benchmark: 100k-test readiness report",
        subject="reportgen render benchmark",
        verdict=Verdict.NOT_READY,
        criteria=criteria,
        phases=(
            PhaseResult(
                name="Phase 4", verdict=Verdict.NOT_READY, criteria=tuple(c.id for c in criteria)
            ),
        ),
    )


def make_evaluation(run: Run, baseline: Run) -> tuple[Evaluation, str]:
    """The real evaluator over a small criteria set when it exists, else the hand-built one."""
    try:
        from reportgen.evaluate import evaluate  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return hand_built_evaluation(run), "hand-built Evaluation (reportgen.evaluate not found)"
    from reportgen import criteria as criteria_file

    criteria = criteria_file.loads(
        "version: 1\n"
        "report: {title: 'Benchmark: 100k-test readiness report'}\n"
        "phases:\n"
        "  - name: Phase 4\n"
        "    criteria:\n"
        "      - {id: no-failures, title: No failing tests, tests: {max_failed: 0}}\n"
        "      - {id: pass-rate, title: Pass rate at least 99%, tests: {min_pass_rate: 99%}}\n"
        "      - id: connect-time\n"
        "        title: Connection time not worse than baseline by more than 5%\n"
        "        metric: ws.connect_time\n"
        "        compare: baseline\n"
        "        max_regression: 5%\n",
        "benchmark-criteria.yaml",
    )
    try:
        evaluation = evaluate(run, criteria, baseline=baseline)
    except TypeError as exc:  # the call below is a guess at an API that may differ; say so
        return hand_built_evaluation(run), f"hand-built Evaluation (evaluate(...) failed: {exc})"
    return evaluation, "reportgen.evaluate.evaluate"


def best_of(rounds: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """Best wall time over `rounds` runs of `work`, and the result of that best run."""
    best = float("inf")
    result: Any = None
    for _ in range(max(rounds, 1)):
        started = time.perf_counter()
        outcome = work()
        elapsed = time.perf_counter() - started
        if elapsed < best:
            best, result = elapsed, outcome
    return best, result


def sample_view() -> ReportView:
    """The Phase 4 sample's view, read and evaluated as `reportgen report` does."""
    from reportgen import criteria as criteria_file
    from reportgen.evaluate import evaluate
    from reportgen.ingest import load

    criteria = criteria_file.load(str(SAMPLE / "criteria.yaml"))
    run = load([str(SAMPLE / "results")])
    baseline = load([str(SAMPLE / "baseline")])
    return build_view(run, evaluate(run, criteria, baseline), baseline=baseline)


def children_cpu() -> float:
    """CPU seconds used so far by finished child processes (the PDF renderers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def pdf_cpu(print_html: str, variant: str | None) -> tuple[float, int]:
    """(the renderer child's CPU seconds, pages) for one PDF. CPU time, unlike wall time,
    does not count waiting for the cores other processes hold, so A/B ratios stay fair on a
    busy machine."""
    before = children_cpu()
    _, stats = html_to_pdf_with_stats(print_html, variant=variant, timeout=300)
    return children_cpu() - before, stats.pages


def tagged_ratio(print_html: str, rounds: int) -> tuple[float, float, int, int]:
    """(untagged CPU s, tagged CPU s, untagged pages, tagged pages): best of `rounds` each,
    alternated so that both see the same machine."""
    plain = tagged = float("inf")
    pages = (0, 0)
    for _ in range(max(rounds, 1)):
        plain_s, plain_pages = pdf_cpu(print_html, None)
        tagged_s, tagged_pages = pdf_cpu(print_html, "pdf/ua-1")
        plain, tagged = min(plain, plain_s), min(tagged, tagged_s)
        pages = (plain_pages, tagged_pages)
    return plain, tagged, pages[0], pages[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=100_000)
    parser.add_argument("--failures", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--pdf-out", type=Path, default=None, help="also keep the PDF here")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--no-tagged", action="store_true", help="skip timing the tagged (pdf/ua-1) PDF"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")

    started = time.perf_counter()
    run, baseline = make_run(args.tests, args.failures)
    evaluation, how = make_evaluation(run, baseline)
    counts = run.tests.outcome_counts()
    print(
        f"run: {len(run.tests):,} tests ({counts[Outcome.FAILED]:,} failed, "
        f"{counts[Outcome.SKIPPED]:,} skipped), built in {time.perf_counter() - started:.2f} s; "
        f"evaluation: {how}"
    )

    def view() -> ReportView:
        return build_view(run, evaluation, baseline=baseline, command="benchmarks/report.py")

    md_s, markdown = best_of(args.rounds, lambda: render_markdown(view()))
    html_s, html = best_of(args.rounds, lambda: render_html(view()))

    def pdf() -> tuple[bytes, Any, int, float]:
        print_html = render_html(view(), for_pdf=True)
        before = children_cpu()
        # As `reportgen report` writes it by default (tagged).
        data, stats = html_to_pdf_with_stats(print_html, variant=DEFAULT_VARIANT, timeout=120)
        return data, stats, len(print_html), children_cpu() - before

    pdf_s, (pdf_bytes, stats, print_chars, child_cpu) = best_of(args.rounds, pdf)
    rss_mb = stats.peak_rss_bytes / 1e6
    parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6
    if args.pdf_out:
        args.pdf_out.write_bytes(pdf_bytes)

    rows = [
        ("view + Markdown", md_s, TARGET_TEXT_S, f"{len(markdown):,} chars"),
        (
            "view + HTML",
            html_s,
            TARGET_TEXT_S,
            f"{len(html):,} chars, HTML size {len(html.encode('utf-8')) / 1e6:.2f} MB",
        ),
        (
            "view + PDF",
            pdf_s,
            TARGET_PDF_S,
            f"{len(pdf_bytes):,} bytes, {stats.pages} pages, print HTML {print_chars:,} chars, "
            f"child render {stats.seconds:.2f} s wall, {child_cpu:.2f} s CPU",
        ),
    ]
    ok = True
    for name, seconds, target, detail in rows:
        met = seconds <= target
        ok &= met
        print(
            f"{name:16s} {seconds:7.2f} s  (target <= {target:g} s: {'ok' if met else 'MISSED'})"
            f"  {detail}"
        )
    rss_ok = rss_mb <= TARGET_PDF_RSS_MB
    ok &= rss_ok
    print(
        f"{'PDF child RSS':16s} {rss_mb:7.1f} MB (target <= {TARGET_PDF_RSS_MB:g} MB: "
        f"{'ok' if rss_ok else 'MISSED'}); this process peaked at {parent_mb:.1f} MB"
    )
    other = [w for w in stats.warnings if "HarfBuzz" not in w]
    if other:
        print(f"PDF warnings: {len(other)}; first: {other[0]}")
    if not args.no_tagged:
        print_html = render_html(view(), for_pdf=True)
        sample_html = render_html(sample_view(), for_pdf=True)
        for name, page, rounds in (
            (f"{len(run.tests):,} tests", print_html, args.rounds),
            ("Phase 4 sample", sample_html, max(args.rounds, 3)),
        ):
            plain, tagged, plain_pages, tagged_pages = tagged_ratio(page, rounds)
            print(
                f"tagged PDF, {name}: pdf/ua-1 {tagged:.2f} s CPU vs untagged {plain:.2f} s CPU "
                f"= {tagged / plain:.2f}x (limit 1.5x; {tagged_pages} vs {plain_pages} pages)"
            )
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
