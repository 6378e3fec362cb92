"""Jest --json ingester: corpus reports, a Jest-29-generated report, broken files."""

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

CORPUS = {
    "jesteditor-ancestors-each.json": expect(7, 5, 2, 0, 0),
    # 32 results although numTotalTests says 31: a todo was hand-added upstream.
    "jesteditor-failing-jest-json.json": expect(32, 29, 1, 0, 2),
}
GENERATED = FIXTURES / "jest-json" / "jest29-results.json"


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_counts(corpus: Path, name: str) -> None:
    path = corpus / "jest-json" / name
    assert detected(path) == "jest-json"
    assert detected(path, limit=200) == "jest-json"
    assert counts(read(path)) == CORPUS[name]


def test_declared_total_disagrees(corpus: Path) -> None:
    run = read(corpus / "jest-json" / "jesteditor-failing-jest-json.json")
    assert any("numTotalTests=31" in w.message and "32" in w.message for w in run.warnings)
    todo = next(t for t in run.tests if t.properties.get("status") == "todo")
    assert todo.outcome is Outcome.SKIPPED
    # Same titles in one file are distinct tests, never merged into retries.
    assert not any(t.attempts for t in run.tests)


def test_ancestors_are_the_suite_path(corpus: Path) -> None:
    run = read(corpus / "jest-json" / "jesteditor-ancestors-each.json")
    nested = next(t for t in run.tests if t.name == "testing" and t.outcome is Outcome.PASSED)
    # The test file's absolute path is made relative to the input's common directory.
    assert nested.suite == ("tricky-test.ts", "block-1", "block-1-1")
    assert nested.id == "tricky-test.ts › block-1 › block-1-1::testing"
    failed = next(t for t in run.tests if t.name == "test should fail")
    assert failed.message is not None and failed.output is not None


def test_generated_report() -> None:
    run = read(GENERATED)
    assert detected(GENERATED) == "jest-json"
    assert counts(run) == expect(10, 5, 2, 1, 2, flaky=1)
    by_name = {t.name: t for t in run.tests}
    assert by_name["skipped"].properties["status"] == "pending"
    assert by_name["write me"].properties["status"] == "todo"
    flaky = by_name["flaky until third call"]
    assert flaky.flaky and [a.outcome for a in flaky.attempts] == [
        Outcome.FAILED,
        Outcome.FAILED,
        Outcome.PASSED,
    ]
    broken = by_name["[test file failed]"]
    assert broken.outcome is Outcome.ERROR and broken.file is not None
    assert broken.file.endswith("broken.test.js")
    assert by_name["each 1+1"].suite[-2:] == ("math", "add")
    assert run.inputs[0].timestamp is not None


def test_never_claims_other_formats(corpus: Path) -> None:
    assert_never_claims_foreign(corpus, "jest-json")


VALID = GENERATED.read_text() if GENERATED.exists() else ""


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (VALID[: len(VALID) // 2].encode(), "truncated JSON"),
        (b"", "empty"),
        (VALID.replace('"title":"adds"', '"title":12').encode(), "title"),
        (VALID.replace('"assertionResults":[', '"assertionResults":{"a":[', 1).encode(), "JSON"),
        (b'{"numTotalTests": 1}', "testResults"),
        (invalid_utf8(VALID.encode(), b'"title":"a'), "UTF-8"),
    ],
    ids=["truncated", "empty", "title-type", "structure", "no-results", "utf8"],
)
def test_broken_files(tmp_path: Path, content: bytes, fragment: str) -> None:
    check_broken_file(tmp_path, content, "jest-json", fragment)


def test_huge_failure_message_is_capped(tmp_path: Path) -> None:
    doc = {
        "numTotalTests": 1,
        "numTotalTestSuites": 1,
        "testResults": [
            {
                "name": "/x.test.js",
                "status": "failed",
                "assertionResults": [
                    {"title": "big", "status": "failed", "failureMessages": ["e" * 2_000_000]}
                ],
            }
        ],
    }
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc))
    (case,) = list(read(path).tests)
    assert case.outcome is Outcome.FAILED and case.output_truncated > 0


def test_vitest_retry_passed_with_failure_messages_is_flaky(tmp_path: Path) -> None:
    """Vitest's JSON (Jest's shape) has no `invocations`; a test that passed on its third call
    under `retry: 2` keeps its two failures in `failureMessages`. Before: a plain pass, READY
    on `max_flaky: 0`."""
    from tests.conftest import gate_verdict

    path = FIXTURES / "vitest-json" / "vitest3-retry.json"
    assert detected(path) == "jest-json"
    tests = {t.name: t for t in read(path).tests}
    assert tests["stable"].outcome is Outcome.PASSED and not tests["stable"].flaky
    retried = tests["passes on the third try"]
    assert retried.outcome is Outcome.PASSED and retried.flaky
    assert [a.outcome for a in retried.attempts] == [Outcome.FAILED] * 2 + [Outcome.PASSED]
    code, out = gate_verdict(
        tmp_path,
        str(path),
        criteria="version: 1\ncriteria:\n  - id: steady\n    tests: {max_flaky: 0}\n",
    )
    assert code == 1, out
