"""Playwright JSON reporter ingester: corpus reports (sharded, merged), a generated report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportgen.model import Outcome
from tests.ingest.json_ingest_support import (
    FIXTURES,
    assert_never_claims_foreign,
    check_broken_file,
    counts,
    detected,
    expect,
    invalid_utf8,
    read,
)

GENERATED = FIXTURES / "playwright-json" / "pw147-results.json"
CORPUS = {
    # Shard 1/2: 9 chromium + 5 firefox tests; 'adds' failed 5 times on both; 1 flaky.
    "daun-pw-report-valid.json": expect(14, 11, 2, 0, 1, flaky=1),
    # Merged shards: 9 specs x 3 projects; webkit 'subtracts' unexpected; firefox flaky.
    "daun-pw-report-sharded-merged.json": expect(27, 23, 1, 0, 3, flaky=1),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_counts(corpus: Path, name: str) -> None:
    path = corpus / "playwright" / name
    assert detected(path) == "playwright-json"
    assert detected(path, limit=700) == "playwright-json"
    assert counts(read(path)) == CORPUS[name]


def test_retries_are_attempts(corpus: Path) -> None:
    run = read(corpus / "playwright" / "daun-pw-report-valid.json")
    flaky = next(t for t in run.tests if t.flaky)
    assert flaky.properties["project"] == "chromium" and flaky.name == "multiplies"
    assert [a.outcome for a in flaky.attempts] == [Outcome.FAILED, Outcome.FAILED, Outcome.PASSED]
    failed = [t for t in run.tests if t.outcome is Outcome.FAILED]
    assert {t.properties["project"] for t in failed} == {"chromium", "firefox"}
    assert all(len(t.attempts) == 5 for t in failed)
    assert all(t.message and "\x1b" not in t.message for t in failed)
    # The same spec in two projects is two tests with distinct ids.
    assert len({t.id for t in run.tests}) == len(run.tests)


def test_generated_report() -> None:
    run = read(GENERATED)
    assert detected(GENERATED) == "playwright-json"
    # Playwright itself counts test.fail() as passed; we count it skipped (xfail).
    assert counts(run) == expect(12, 6, 2, 0, 4, flaky=2)
    xfail = [t for t in run.tests if t.properties.get("status") == "xfail"]
    assert len(xfail) == 2 and all(t.outcome is Outcome.SKIPPED for t in xfail)
    skipped = next(t for t in run.tests if t.name == "skipped")
    assert skipped.message == "skip: not relevant here"
    top = next(t for t in run.tests if t.name == "top")
    assert top.suite == ("sample.spec.js",) and top.line == 13
    assert run.warnings == ()  # the stats block agrees with the tests


def test_stats_block_checked(tmp_path: Path) -> None:
    doc = json.loads(GENERATED.read_text())
    doc["stats"]["expected"] = 99
    path = tmp_path / "pw.json"
    path.write_text(json.dumps(doc))
    run = read(path)
    assert any("expected=99" in w.message for w in run.warnings)


def test_global_errors_are_error_tests(tmp_path: Path) -> None:
    doc = {
        "config": {"rootDir": "/p", "projects": [], "version": "1.47.2"},
        "suites": [],
        "errors": [
            {"message": "Error: cannot find module x", "location": {"file": "a.spec.ts", "line": 3}}
        ],
    }
    path = tmp_path / "pw.json"
    path.write_text(json.dumps(doc))
    (case,) = list(read(path).tests)
    assert case.outcome is Outcome.ERROR and case.file == "a.spec.ts" and case.line == 3


def test_never_claims_other_formats(corpus: Path) -> None:
    assert_never_claims_foreign(corpus, "playwright-json")


VALID = GENERATED.read_text() if GENERATED.exists() else ""


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (VALID[: len(VALID) // 2].encode(), "truncated JSON"),
        (b"", "empty"),
        (VALID.replace('"status": "passed"', '"status": "exploded"', 1).encode(), "status"),
        (VALID.replace('"duration": ', '"duration": "x", "d": ', 1).encode(), "duration"),
        (b'{"config": {}}', "suites"),
        (invalid_utf8(VALID.encode(), b'"title": "'), "UTF-8"),
    ],
    ids=["truncated", "empty", "bad-status", "duration-type", "no-suites", "utf8"],
)
def test_broken_files(tmp_path: Path, content: bytes, fragment: str) -> None:
    check_broken_file(tmp_path, content, "playwright-json", fragment)
