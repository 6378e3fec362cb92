"""A generated mid-sized project (18 tests, 8 metrics, 11 criteria) written as real input files.

Issue 14 measured its PDF at 13 pages; the report must fit it in 6. The inputs are written the
way harnesses write them (JUnit XML with failure output, the native metrics JSON with samples,
a baseline and a criteria file), so the page count comes from the real CLI end to end.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

#: (metric, unit, baseline centre, current centre)
METRICS = (
    ("ws_connect_time", "s", 1.20, 1.50),
    ("ws_handshake_time", "ms", 42.0, 43.0),
    ("ws_manager_init_time", "ms", 0.40, 0.45),
    ("session_restore_time", "s", 0.80, 0.81),
    ("message_roundtrip", "ms", 12.0, 15.5),
    ("reconnect_time", "s", 2.10, 2.05),
    ("startup_memory", "MB", 180.0, 184.0),
    ("broadcast_fanout_time", "ms", 95.0, 96.0),
)

#: (suite, test name, outcome) — 18 tests: 4 failures, 1 error, 2 skipped.
TESTS = (
    ("tests.staging.test_websocket", "test_staging_websocket_connection", "failure"),
    ("tests.staging.test_websocket", "test_staging_reconnect_after_deploy", "failure"),
    ("tests.staging.test_websocket", "test_staging_broadcast", "passed"),
    ("tests.staging.test_sessions", "test_session_restore", "error"),
    ("tests.staging.test_sessions", "test_session_expiry", "passed"),
    ("tests.reliability.test_startup", "test_startup_iteration[1]", "passed"),
    ("tests.reliability.test_startup", "test_startup_iteration[2]", "passed"),
    ("tests.reliability.test_startup", "test_startup_iteration[3]", "failure"),
    ("tests.reliability.test_startup", "test_startup_iteration[4]", "passed"),
    ("tests.reliability.test_startup", "test_startup_iteration[5]", "passed"),
    ("tests.concurrency.test_users", "test_five_users_connect", "failure"),
    ("tests.concurrency.test_users", "test_ten_users_connect", "skipped"),
    ("tests.concurrency.test_users", "test_user_leaves_mid_broadcast", "passed"),
    ("tests.test_critical_imports", "test_import_websocket_manager", "passed"),
    ("tests.test_critical_imports", "test_import_startup_hooks", "passed"),
    ("tests.test_critical_imports", "test_import_connection_registry", "passed"),
    ("tests.test_critical_imports", "test_import_metrics_exporter", "skipped"),
    ("tests.test_api", "test_health_endpoint", "passed"),
)

CRITERIA = """\
version: 1
report: {title: "Release 2.4: WebSocket service", subject: "Generated 18-test project"}
defaults: {confidence: 95%, min_samples: 10, timer_resolution: 1us}
phases:
  - name: Performance
    criteria:
      - {id: connect-no-regression, title: Connection time within 5% of baseline,
         impact: Time until a session is live, metric: ws_connect_time, compare: baseline,
         max_regression: 5%}
      - {id: handshake-no-regression, title: Handshake time within 5% of baseline,
         metric: ws_handshake_time, compare: baseline, max_regression: 5%}
      - {id: init-time, title: Manager initialisation under 1 ms, metric: ws_manager_init_time,
         stat: p95, max: 1ms}
      - {id: restore-no-regression, title: Session restore within 5% of baseline,
         metric: session_restore_time, compare: baseline, max_regression: 5%}
      - {id: roundtrip-no-regression, title: Message round trip within 5% of baseline,
         impact: Chat latency, metric: message_roundtrip, compare: baseline,
         max_regression: 5%}
      - {id: reconnect-p95, title: Reconnect p95 under 3 s, metric: reconnect_time, stat: p95,
         max: 3s}
      - {id: memory-no-regression, title: Startup memory within 5% of baseline,
         metric: startup_memory, compare: baseline, max_regression: 5%}
      - {id: fanout-stable, title: Broadcast fan-out CV under 10%,
         metric: broadcast_fanout_time, max_cv: 10%}
  - name: Reliability
    criteria:
      - {id: startup-success, title: Startup succeeds 99% of the time,
         tests: {select: "tests/reliability/**", min_pass_rate: 99%}}
      - {id: concurrency, title: Concurrent users all connect, impact: Users who cannot connect,
         tests: {select: "tests/concurrency/**", max_failed: 0}}
      - {id: staging-checks, title: No failing staging checks, impact: Production deploys,
         tests: {select: "tests/staging/**", max_failed: 0}}
"""


def _output(rng: random.Random, name: str, lines: int) -> str:
    return "\n".join(
        f"{name}: step {k}: connecting to wss://staging.example.invalid/ws attempt={k} "
        f"elapsed={rng.uniform(0.1, 2.0):.3f}s state={'open' if k % 3 else 'closing'}"
        for k in range(lines)
    )


def _junit(rng: random.Random) -> str:
    suites: dict[str, list[str]] = {}
    for classname, name, outcome in TESTS:
        path = classname.replace(".", "/") + ".py"
        attrs = (
            f"classname={quoteattr(classname)} name={quoteattr(name)} file={quoteattr(path)} "
            f'time="{rng.uniform(0.05, 1.5):.3f}"'
        )
        if outcome == "passed":
            body = ""
        elif outcome == "skipped":
            body = '<skipped message="needs a ten-node cluster"/>'
        else:
            message = (
                f"AssertionError: {name} expected HTTP 101 Switching Protocols, got 500 Internal "
                "Server Error from wss://staging.example.invalid/ws"
            )
            trace = escape(_output(rng, name, 30))
            body = (
                f'<{outcome} message={quoteattr(message)} type="AssertionError">{trace}'
                f"</{outcome}><system-out>{escape(_output(rng, name, 12))}</system-out>"
            )
        suites.setdefault(classname, []).append(f"<testcase {attrs}>{body}</testcase>")
    parts = ['<?xml version="1.0" encoding="utf-8"?>', "<testsuites>"]
    for suite, cases in suites.items():
        parts.append(f"<testsuite name={quoteattr(suite)}>")
        parts.extend(cases)
        parts.append("</testsuite>")
    parts.append("</testsuites>")
    return "\n".join(parts) + "\n"


def _metrics(rng: random.Random, baseline: bool) -> str:
    metrics = []
    for name, unit, base, current in METRICS:
        centre = base if baseline else current
        metrics.append(
            {
                "name": name,
                "unit": unit,
                "direction": "lower_is_better",
                "samples": [round(rng.gauss(centre, centre * 0.02), 4) for _ in range(30)],
            }
        )
    return json.dumps({"version": 1, "metrics": metrics}, indent=2) + "\n"


def write_project(root: Path, seed: int = 18) -> tuple[Path, Path, Path]:
    """Write results/, baseline/ and criteria.yaml under root; (criteria, baseline, results)."""
    rng = random.Random(seed)
    results = root / "results"
    base = root / "baseline"
    results.mkdir(parents=True)
    base.mkdir()
    (results / "junit.xml").write_text(_junit(rng), encoding="utf-8")
    (results / "metrics.json").write_text(_metrics(rng, False), encoding="utf-8")
    (base / "metrics.json").write_text(_metrics(rng, True), encoding="utf-8")
    criteria = root / "criteria.yaml"
    criteria.write_text(CRITERIA, encoding="utf-8")
    return criteria, base, results
