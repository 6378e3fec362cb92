"""Mocha JSON reporter ingester: corpus report, a Mocha-10-generated report, broken files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportgen.model import Outcome
from tests.conftest import run_cli
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

GENERATED = FIXTURES / "mocha-json" / "mocha10-results.json"


def test_corpus_counts_each_test_once(corpus: Path) -> None:
    path = corpus / "mocha-json" / "dorny-mocha-json.json"
    assert detected(path) == "mocha-json"
    assert detected(path, limit=120) == "mocha-json"
    run = read(path)
    assert counts(run) == expect(6, 1, 4, 0, 1)
    assert run.warnings == ()
    timeout = next(t for t in run.tests if t.name == "Timeout test")
    assert timeout.type == "ERR_MOCHA_TIMEOUT" and timeout.duration == pytest.approx(0.008)
    failing = next(t for t in run.tests if t.name == "Failing test")
    # The test file (a Windows path, made relative) comes first, then the describe path.
    assert failing.suite == ("main.test.js", "Test 1 Test 1.1")
    assert failing.id == "main.test.js › Test 1 Test 1.1::Failing test"
    skipped = next(t for t in run.tests if t.outcome is Outcome.SKIPPED)
    assert skipped.duration is None


def test_generated_report() -> None:
    run = read(GENERATED)
    assert detected(GENERATED) == "mocha-json"
    assert counts(run) == expect(8, 4, 1, 1, 2, flaky=1)
    hook = next(t for t in run.tests if t.outcome is Outcome.ERROR)
    assert hook.name.startswith('"before all" hook') and hook.message == "setup broke"
    retried = next(t for t in run.tests if t.name == "passes on retry")
    assert retried.flaky and retried.properties["retries"] == "1"


def test_never_claims_other_formats(corpus: Path) -> None:
    assert_never_claims_foreign(corpus, "mocha-json")


def test_declared_stats_checked(tmp_path: Path) -> None:
    text = GENERATED.read_text().replace('"tests": 7', '"tests": 70', 1)
    path = tmp_path / "m.json"
    path.write_text(text)
    run = read(path)
    assert any("tests=70" in w.message for w in run.warnings)


VALID = GENERATED.read_text() if GENERATED.exists() else ""


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (VALID[: len(VALID) // 2].encode(), "truncated JSON"),
        (b"", "empty"),
        (VALID.replace('"title": "passes"', '"title": null', 1).encode(), "title"),
        (VALID.replace('"duration": 0,', '"duration": "fast",', 1).encode(), "duration"),
        (b'{"stats": {"tests": 1}}', "not a Mocha JSON report"),
        (invalid_utf8(VALID.encode(), b'"title": "pass'), "UTF-8"),
    ],
    ids=["truncated", "empty", "title-type", "duration-type", "no-arrays", "utf8"],
)
def test_broken_files(tmp_path: Path, content: bytes, fragment: str) -> None:
    check_broken_file(tmp_path, content, "mocha-json", fragment)


def test_duplicate_titles_each_failure_on_its_own_entry() -> None:
    # Real Mocha 10 output (see the fixtures README): three `same title` tests, the second fails.
    path = FIXTURES / "mocha-json" / "duplicate-titles.json"
    run = read(path)
    assert counts(run) == expect(7, 4, 1, 0, 2)
    same = [t for t in run.tests if t.name == "same title"]
    assert [t.outcome for t in same] == [Outcome.PASSED, Outcome.FAILED, Outcome.PASSED]
    assert same[1].message is not None and "n is two" in same[1].message
    pending = [t for t in run.tests if t.name == "pending title"]
    assert [t.outcome for t in pending] == [Outcome.SKIPPED, Outcome.PASSED]
    # The counts agree with the file's own stats: no declared-vs-counted warning.
    assert run.warnings == ()


def test_test_in_no_outcome_list_is_an_error_not_a_pass(tmp_path: Path) -> None:
    # Real Mocha 10 output with one passing test taken out of `passes` (and out of the
    # declared count, so the stats agree): nothing then says how it ended. Read as passed,
    # a report cut or merged after `tests` was written would pass the gate.
    doc = json.loads(GENERATED.read_text())
    gone = doc["passes"].pop(0)
    doc["stats"]["passes"] -= 1
    path = tmp_path / "mocha.json"
    path.write_text(json.dumps(doc))
    run = read(path)
    assert counts(run) == expect(8, 3, 1, 2, 2, flaky=1)
    unknown = next(t for t in run.tests if t.type == "unknown outcome")
    assert unknown.name == gone["title"] and unknown.outcome is Outcome.ERROR
    assert "none of passes, failures and pending" in (unknown.message or "")
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\nphases:\n  - name: Unit\n    criteria:\n"
        f"      - id: needed\n        tests: {{require: [{json.dumps(unknown.id)}]}}\n"
    )
    done = run_cli("verdict", "-c", str(criteria), str(path))
    assert done.returncode == 1, done.stdout + done.stderr
