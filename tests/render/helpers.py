"""Hand-built runs and evaluations for renderer unit tests (the evaluator is tested elsewhere)."""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from pathlib import Path
from subprocess import CompletedProcess

from reportgen.evaluation import (
    CriterionResult,
    Evaluation,
    EvidenceRef,
    Figures,
    PhaseResult,
    Severity,
    Status,
    Verdict,
    Waiver,
)
from reportgen.model import Diagnostic, Direction, InputFile, Metric, Outcome, Run, TestTableBuilder
from tests.conftest import REPO, run_cli

JUNIT_SHA = hashlib.sha256(b"junit").hexdigest()
METRICS_SHA = hashlib.sha256(b"metrics").hexdigest()
BASE_SHA = hashlib.sha256(b"baseline").hexdigest()


def make_run(
    *,
    names: list[tuple[str, str, Outcome, str | None, str | None]] | None = None,
    connect: tuple[float, ...] = (1.48, 1.5, 1.52, 1.49, 1.51, 1.5, 1.47, 1.53, 1.5, 1.5),
) -> Run:
    """A run like the Phase 4 sample: (classname, name, outcome, message, output) tests."""
    builder = TestTableBuilder()
    rows = names or [
        ("staging.WebSocket", "test_connect", Outcome.FAILED, "HTTP 500", "GET /ws -> 500"),
        ("tests.test_imports", "test_import_manager", Outcome.PASSED, None, None),
        ("tests.test_imports", "test_import_routes", Outcome.PASSED, None, None),
        ("tests.test_imports", "test_skip_me", Outcome.SKIPPED, "not on CI", None),
    ]
    for i, (classname, name, outcome, message, output) in enumerate(rows):
        builder.add(
            name=name,
            classname=classname,
            suite=(classname.split(".")[0],),
            outcome=outcome,
            message=message,
            output=output,
            duration=0.1 * (i + 1),
        )
    return Run(
        inputs=(
            InputFile(
                path="results/junit.xml",
                format="junit",
                sha256=JUNIT_SHA,
                size=1000,
                records=len(rows),
                warnings=(Diagnostic(path="results/junit.xml", line=3, message="odd count"),),
            ),
            InputFile(
                path="results/metrics.json",
                format="metrics-json",
                sha256=METRICS_SHA,
                size=500,
                records=2,
            ),
        ),
        tests=builder.build(),
        metrics=(
            Metric(name="ws_connect_time", unit="s", samples=connect, input=1),
            Metric(name="ws_manager_init", unit="s", samples=(0.0,) * 10, input=1),
        ),
    )


def make_baseline() -> Run:
    return Run(
        inputs=(
            InputFile(
                path="baseline/metrics.json",
                format="metrics-json",
                sha256=BASE_SHA,
                size=300,
                records=1,
            ),
        ),
        metrics=(
            Metric(
                name="ws_connect_time",
                unit="s",
                direction=Direction.LOWER_IS_BETTER,
                samples=(1.19, 1.2, 1.21, 1.2, 1.18, 1.22, 1.2, 1.2, 1.21, 1.19),
            ),
        ),
    )


def make_evaluation(*, title: str = "Phase 4: Performance & Regression") -> Evaluation:
    junit = EvidenceRef(
        path="results/junit.xml",
        sha256=JUNIT_SHA,
        tests=("staging.WebSocket::test_connect",),
        tests_total=1,
    )
    metrics = EvidenceRef(
        path="results/metrics.json", sha256=METRICS_SHA, metrics=("ws_connect_time",)
    )
    base = EvidenceRef(
        path="baseline/metrics.json", sha256=BASE_SHA, baseline=True, metrics=("ws_connect_time",)
    )
    return Evaluation(
        title=title,
        subject="WebSocket startup race fix",
        verdict=Verdict.NOT_READY,
        criteria=(
            CriterionResult(
                id="connect-no-regression",
                title="Connection time not worse than baseline by more than 5%",
                kind="baseline",
                status=Status.FAIL,
                raw_status=Status.FAIL,
                metric="ws_connect_time",
                impact="User-visible latency",
                figures=Figures(
                    stat="change",
                    value=0.25,
                    unit="ratio",
                    ci_low=0.23,
                    ci_high=0.27,
                    confidence=0.95,
                    n=10,
                    n_baseline=10,
                    baseline_value=1.2,
                    threshold=0.05,
                    comparison="<=",
                    change=0.25,
                    regression=True,
                ),
                evidence=(metrics, base),
                reason="ws_connect_time is 25.0% slower than baseline (1.2 s → 1.5 s).",
            ),
            CriterionResult(
                id="reliability",
                title="Success rate at least 99%",
                kind="tests",
                status=Status.INSUFFICIENT,
                raw_status=Status.INSUFFICIENT,
                figures=Figures(
                    stat="pass_rate",
                    value=1.0,
                    unit="ratio",
                    ci_low=0.741,
                    ci_high=1.0,
                    confidence=0.95,
                    n=10,
                    threshold=0.99,
                    comparison=">=",
                ),
                evidence=(junit,),
                reason="10/10 passed; the 95% lower bound 74.1% is below 99%.",
                to_decide="299 consecutive passes would show at least 99%.",
            ),
            CriterionResult(
                id="init-time",
                title="Manager init under 1 ms",
                kind="threshold",
                status=Status.INSUFFICIENT,
                raw_status=Status.INSUFFICIENT,
                metric="ws_manager_init",
                figures=Figures(stat="median", value=0.0, unit="s", n=10, threshold=0.001),
                evidence=(
                    EvidenceRef(
                        path="results/metrics.json",
                        sha256=METRICS_SHA,
                        metrics=("ws_manager_init",),
                    ),
                ),
                reason="all 10 samples are 0 s: below the timer resolution, no measurement.",
                to_decide="Measure with a finer timer.",
            ),
            CriterionResult(
                id="critical-imports",
                title="Critical imports pass",
                kind="tests",
                status=Status.PASS,
                raw_status=Status.PASS,
                figures=Figures(stat="passed", value=2, n=2),
                evidence=(junit,),
                reason="2 required tests passed.",
            ),
            CriterionResult(
                id="latency-cv",
                title="Latency CV under 10%",
                kind="variance",
                severity=Severity.ADVISORY,
                status=Status.WAIVED,
                raw_status=Status.FAIL,
                metric="ws_connect_time",
                figures=Figures(stat="cv", value=0.12, unit="ratio", threshold=0.1),
                evidence=(metrics,),
                reason="CV 12% is above 10%.",
                waiver=Waiver(reason="noisy runners, #512", expires="2026-12-31", active=True),
            ),
        ),
        phases=(
            PhaseResult(
                name="Performance",
                verdict=Verdict.NOT_READY,
                criteria=("connect-no-regression", "init-time", "latency-cv"),
            ),
            PhaseResult(
                name="Regression",
                verdict=Verdict.INSUFFICIENT,
                criteria=("reliability", "critical-imports"),
            ),
        ),
        criteria_file="criteria.yaml",
        criteria_sha256=hashlib.sha256(b"criteria").hexdigest(),
    )


# --- the Phase 4 sample through the real CLI, for golden files ----------------------------
SAMPLE = REPO / "samples" / "phase4-websocket"
#: A fixed report time, so the golden files carry a "Generated" line that never changes.
GOLDEN_EPOCH = "1767225600"  # 2026-01-01T00:00:00Z


def render_sample(out_dir: Path, *names: str, extra: tuple[str, ...] = ()) -> CompletedProcess[str]:
    """Run `reportgen report` on the sample (paths relative to the repository) into out_dir."""
    outputs = [arg for name in names for arg in ("-o", str(out_dir / name))]
    return run_cli(
        "report",
        "-c",
        "samples/phase4-websocket/criteria.yaml",
        "--baseline",
        "samples/phase4-websocket/baseline",
        "samples/phase4-websocket/results",
        *outputs,
        *extra,
        env={"SOURCE_DATE_EPOCH": GOLDEN_EPOCH},
    )


def mask(text: str, out_dir: Path) -> str:
    """Volatile fields masked: where the test wrote its outputs, and the tool version."""
    from reportgen.render.markdown import escape_inline

    # The directory as written in HTML and as escaped in Markdown.
    text = text.replace(str(out_dir), "<out>").replace(escape_inline(str(out_dir)), "<out>")
    return re.sub(r"reportgen \d+\.\d+\.\d+\S*", "reportgen <version>", text)


def check_golden(name: str, actual: str) -> None:
    """Compare with samples/phase4-websocket/expected/NAME; REPORTGEN_UPDATE_GOLDEN=1 rewrites."""
    path = SAMPLE / "expected" / name
    if os.environ.get("REPORTGEN_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"{path} missing: run REPORTGEN_UPDATE_GOLDEN=1 pytest tests/render"
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                f"expected/{name}",
                "rendered",
                n=1,
            )
        )
        raise AssertionError(
            f"{name} differs from the golden file (if intended: "
            f"REPORTGEN_UPDATE_GOLDEN=1 python3 -m pytest tests/render):\n{diff[:4000]}"
        )


def large_run() -> Run:
    """100,000 tests over 500 classes, every hundredth failed with a message and output."""
    names = [
        (
            f"pkg.mod{i % 500}.Test",
            f"test_{i}",
            Outcome.FAILED if i % 100 == 0 else Outcome.PASSED,
            "assert x" if i % 100 == 0 else None,
            "out\n" * 5 if i % 100 == 0 else None,
        )
        for i in range(100_000)
    ]
    return make_run(names=names)
