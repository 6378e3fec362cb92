"""JUnit suites that declare fewer tests than they hold: a sign of tests that did not run only
when the extra ones look like it (committed real files, see tests/fixtures/junit-counts)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import IntegrityKind, Outcome
from tests.conftest import REPO, run_cli

FIXTURES = REPO / "tests" / "fixtures" / "junit-counts"
JEST_TODO = FIXTURES / "jest-junit-todo.xml"
SUREFIRE_RERUN = FIXTURES / "surefire-rerun-flaky.xml"
SUREFIRE_UNTIMED = FIXTURES / "surefire-rerun-untimed.xml"


def _criteria(tmp_path: Path, body: str) -> str:
    path = tmp_path / "criteria.yaml"
    path.write_text(f"version: 1\ncriteria:\n{body}")
    return str(path)


def test_a_jest_junit_todo_test_is_no_pass(tmp_path: Path) -> None:
    # jest-junit writes `test.todo('later')` as an empty testcase with time 0 and does not count
    # it in `tests`: read as written it would be a pass of a test that never ran.
    run = load([str(JEST_TODO)])
    (item,) = run.inputs
    kinds = {flag.kind for flag in item.integrity}
    assert kinds == {IntegrityKind.TESTS_UNDECLARED}
    assert any("declares 3 test(s) but holds 4" in f.message for f in item.integrity)
    criteria = _criteria(tmp_path, "  - id: later\n    tests: {require: ['**later']}\n")
    proc = run_cli("verdict", "-c", criteria, str(JEST_TODO))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "holds 4" in proc.stdout


def test_surefires_count_after_a_rerun_is_only_a_warning(tmp_path: Path) -> None:
    # After a rerun Surefire declares tests="1" for three testcases, all of which ran (a pass,
    # a flaky pass, a disabled test): the under-count is reported, not taken for missing runs.
    run = load([str(SUREFIRE_RERUN)])
    (item,) = run.inputs
    assert item.integrity == ()
    assert any("declares tests=1 but it contains 3" in w.message for w in item.warnings)
    outcomes = sorted(t.outcome for t in run.tests)
    assert outcomes == sorted([Outcome.PASSED, Outcome.PASSED, Outcome.SKIPPED])
    assert [t.flaky for t in run.tests if t.name == "flaky"] == [True]
    criteria = _criteria(tmp_path, "  - id: ok\n    tests: {select: '**', max_failed: 0}\n")
    proc = run_cli("verdict", "-c", criteria, str(SUREFIRE_RERUN))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_surefire_rerun_count_beside_a_pass_that_took_no_time_is_ready(tmp_path: Path) -> None:
    # Before: INSUFFICIENT (3), "declares 12 test(s) but holds 13: the producer did not count
    # some of them": Surefire's `tests` after a rerun is its last round's, and the one test not
    # rerun took under a millisecond, the shape of a test that never ran. mvn passed.
    run = load([str(SUREFIRE_UNTIMED)])
    (item,) = run.inputs
    assert item.integrity == ()
    assert any("declares tests=12 but it contains 13" in w.message for w in item.warnings)
    assert {t.name: t.duration for t in run.tests if not t.flaky} == {"b": 0.0}
    assert sum(t.flaky for t in run.tests) == 12
    criteria = _criteria(tmp_path, "  - id: ok\n    tests: {max_failed: 0, min_total: 13}\n")
    proc = run_cli("verdict", "-c", criteria, str(SUREFIRE_UNTIMED))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    criteria = _criteria(tmp_path, "  - id: ok\n    tests: {max_flaky: 0}\n")
    proc = run_cli("verdict", "-c", criteria, str(SUREFIRE_UNTIMED))
    assert proc.returncode == 1, proc.stdout + proc.stderr


NODE_TODO = """
const { describe, test } = require('node:test');
describe('client', () => {
  test('passes', () => {});
  test('failing todo', { todo: true }, () => { throw new Error('not yet'); });
});
"""


def test_nodes_failing_todo_is_skipped_and_its_suite_counts_agree(tmp_path: Path) -> None:
    # Node writes a failing `todo` with <skipped> and <failure>, and counts it among both the
    # suite's failures and its skipped tests: read as skipped, the declared failure is no
    # hidden one.
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    (tmp_path / "todo.test.js").write_text(NODE_TODO)
    out = tmp_path / "node.xml"
    with out.open("w") as handle:
        subprocess.run(
            [node, "--test", "--test-reporter=junit", "todo.test.js"],
            cwd=tmp_path,
            stdout=handle,
            timeout=120,
            check=False,
        )
    assert b"<failure" in out.read_bytes() and b'type="todo"' in out.read_bytes()
    run = load([str(out)])
    assert sorted(t.outcome for t in run.tests) == sorted([Outcome.PASSED, Outcome.SKIPPED])
    assert run.inputs[0].integrity == ()
    gate = "  - id: ok\n    tests: {select: 'client::passes', max_failed: 0}\n"
    criteria = _criteria(tmp_path, gate)
    assert run_cli("verdict", "-c", criteria, str(out)).returncode == 0
