"""CTRF ingester: real corpus reports, schema rules, retries and flaky, broken files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reportgen.model import Outcome
from tests.ingest.json_ingest_support import (
    assert_cli_rejects,
    assert_input_error,
    assert_never_claims_foreign,
    counts,
    detected,
    expect,
    invalid_utf8,
    read,
)

# Hand-counted from the files (see the corpus notes: their summaries are not trusted).
CORPUS = {
    "ctrf-comprehensive.json": (expect(3, 2, 1, 0, 0, flaky=1), ["summary declares suites=2"]),
    "ctrf-with-retries.json": (expect(2, 2, 0, 0, 0, flaky=1), []),
    "ghtr-jest-ctrf-ci-run.json": (expect(65, 65, 0, 0, 0), ["pre-1.0", "suite given as a string"]),
    # 5 passed, 2 failed, skipped + pending + other -> 3 skipped; 3 passed tests flagged flaky.
    "ghtr-legacy-demo.json": (expect(10, 5, 2, 0, 3, flaky=3), ["pre-1.0"]),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_counts(corpus: Path, name: str) -> None:
    path = corpus / "ctrf" / name
    run = read(path)
    assert run.inputs[0].format == "ctrf"
    want, warnings = CORPUS[name]
    assert counts(run) == want
    messages = " | ".join(w.message for w in run.warnings)
    for fragment in warnings:
        assert fragment in messages


def test_schema_file_is_not_a_report(corpus: Path) -> None:
    assert detected(corpus / "ctrf" / "ctrf.schema.json") is None


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_detected_from_a_cut_head(corpus: Path, name: str) -> None:
    path = corpus / "ctrf" / name
    assert detected(path) == "ctrf"
    assert detected(path, limit=300) == "ctrf"


def test_never_claims_other_formats(corpus: Path) -> None:
    assert_never_claims_foreign(corpus, "ctrf")


def test_retry_attempts_and_flaky(corpus: Path) -> None:
    run = read(corpus / "ctrf" / "ctrf-with-retries.json")
    flaky = next(t for t in run.tests if t.name == "flaky test")
    assert flaky.outcome is Outcome.PASSED and flaky.flaky
    assert [a.outcome for a in flaky.attempts] == [
        Outcome.FAILED,
        Outcome.FAILED,
        Outcome.PASSED,
    ]
    assert flaky.attempts[0].message == "Connection timeout"
    assert flaky.duration == pytest.approx(0.3)
    assert run.inputs[0].timestamp == "2021-01-01T00:00:00Z"


def test_statuses_suites_and_ansi(corpus: Path) -> None:
    run = read(corpus / "ctrf" / "ghtr-legacy-demo.json")
    by_name = {t.name: t for t in run.tests}
    assert by_name["should load user data"].properties["status"] == "pending"
    assert by_name["should clean up user session on logout"].properties["status"] == "other"
    assert by_name["should be able to logout"].outcome is Outcome.SKIPPED
    title = next(t for t in run.tests if t.message and "Timed out" in t.message)
    assert title.suite == ("login.test.ts", "profile")
    assert "\x1b" not in title.message and "[31m" not in title.message
    assert title.file == "tests/login.test.ts"


def test_comprehensive_fields(corpus: Path) -> None:
    run = read(corpus / "ctrf" / "ctrf-comprehensive.json")
    failed = next(t for t in run.tests if t.outcome is Outcome.FAILED)
    assert failed.suite == ("Admin", "Dashboard")
    assert failed.line == 42
    assert failed.message == "Element not found: .dashboard-metrics"
    assert failed.output is not None and "Loading admin dashboard" in failed.output
    assert failed.duration == pytest.approx(8.0)
    assert failed.properties["tags"] == "regression"


def _report(cases: list[dict[str, Any]], **summary: Any) -> dict[str, Any]:
    base = {"tests": len(cases), "passed": 0, "failed": 0, "skipped": 0, "pending": 0, "other": 0}
    base.update(start=1700000000000, stop=1700000001000)
    base.update(summary)
    return {
        "reportFormat": "CTRF",
        "specVersion": "1.0.0",
        "results": {"tool": {"name": "t"}, "summary": base, "tests": cases},
    }


def test_declared_counts_lose_to_contents(tmp_path: Path) -> None:
    path = tmp_path / "ctrf.json"
    tests = [
        {"name": "a", "status": "passed", "duration": 1},
        {"name": "b", "status": "failed", "duration": 2},
    ]
    path.write_text(json.dumps(_report(tests, passed=5, failed=0, tests=5)))
    run = read(path)
    assert counts(run) == expect(2, 1, 1, 0, 0)
    text = " | ".join(w.message for w in run.warnings)
    assert "declares tests=5" in text and "declares passed=5" in text
    assert all(w.path == str(path) for w in run.warnings)


def test_huge_trace_is_capped_not_rejected(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    tests = [{"name": "big", "status": "failed", "duration": 1, "trace": "x" * 3_000_000}]
    path.write_text(json.dumps(_report(tests, failed=1)))
    run = read(path)
    case = run.tests[0]
    assert case.outcome is Outcome.FAILED
    assert case.output_truncated > 0 and case.output is not None and len(case.output) < 3_000_000


VALID = json.dumps(_report([{"name": "a", "status": "passed", "duration": 1}], passed=1), indent=2)


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        (VALID[: len(VALID) // 2].encode(), None, "truncated JSON"),
        (b"", None, "empty"),
        (VALID.replace('"passed",', '"passed!",', 1).encode(), None, "status"),
        (VALID.replace('"duration": 1', '"duration": "slow"').encode(), None, "duration"),
        (
            VALID.replace('"tests": [', '"tests": {"x": [')
            .replace("]\n  }\n}", "]}\n  }\n}")
            .encode(),
            None,
            "tests",
        ),
        (VALID.replace('"name": "a"', '"name": 7').encode(), None, "name"),
        (VALID.replace('"CTRF"', '"JUNIT"').encode(), None, "reportFormat"),
        (
            invalid_utf8(VALID.encode(), b'"name": "a'),
            VALID.count("\n", 0, VALID.index('"name": "a')) + 1,
            "UTF-8",
        ),
    ],
    ids=[
        "truncated",
        "empty",
        "bad-status",
        "duration-type",
        "tests-type",
        "name-type",
        "format",
        "utf8",
    ],
)
def test_broken_files(tmp_path: Path, content: bytes, line: int | None, fragment: str) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    err = assert_input_error(path, "ctrf", line=line, contains=fragment)
    if fragment == "truncated JSON":
        assert err.line is not None
        # One end-to-end run per format is enough: the CLI path is shared.
        assert_cli_rejects(path, "ctrf")


def test_cli_end_to_end(corpus: Path) -> None:
    from tests.conftest import run_cli

    result = run_cli("summary", "--json", str(corpus / "ctrf" / "ctrf-comprehensive.json"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert "ctrf" in json.dumps(data)


SCHEMA_WARNINGS = ("CTRF schema", "pre-1.0", "suite given as a string", "unknown")


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_schema_rules_agree_with_the_official_schema(corpus: Path, name: str) -> None:
    """Files the official schema accepts get no schema warning; the others get one."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((corpus / "ctrf" / "ctrf.schema.json").read_text())
    path = corpus / "ctrf" / name
    valid = not list(jsonschema.Draft7Validator(schema).iter_errors(json.loads(path.read_text())))
    run = read(path)
    schema_warnings = [w for w in run.warnings if any(s in w.message for s in SCHEMA_WARNINGS)]
    assert (not schema_warnings) == valid, [w.message for w in schema_warnings]
