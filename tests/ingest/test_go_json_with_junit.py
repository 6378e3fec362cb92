"""`gotestsum --jsonfile test.json --junitfile junit.xml`: one real run written as `go test
-json` and as JUnit beside it. gotestsum's JUnit writes a test that ran subtests as a testcase
of its own, which `go test -json` counts by its subtests: the two copies are still one run,
read once (before, both were counted: each test twice in every count and pass rate)."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from reportgen.errors import ExitCode
from reportgen.ingest import load
from tests.conftest import go_module, harness_tool, run_cli

CALC = textwrap.dedent(
    """
    package calc

    import (
    \t"fmt"
    \t"testing"
    )

    func TestAdd(t *testing.T) {}

    func TestTable(t *testing.T) {
    \tfor _, n := range []int{1, 2, 3} {
    \t\tn := n
    \t\tt.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
    \t\t\tt.Parallel()
    \t\t\tif n == FAILING {
    \t\t\t\tt.Fatal("bad")
    \t\t\t}
    \t\t})
    \t}
    }

    func TestSkipped(t *testing.T) { t.Skip("needs database") }
    """
)
GATE = "version: 1\ncriteria:\n  - id: no-failures\n    tests: {max_failed: 0, min_total: 1}\n"


def gotestsum_run(where: Path, failing: int) -> Path:
    """Run the real gotestsum on a module (subtest `n=failing` fails; 0: none); return the
    folder holding its test.json and junit.xml."""
    gotestsum = harness_tool("gotestsum", "gotestsum")
    where.mkdir(parents=True)
    _, env = go_module(
        where,
        "example.com/app",
        {
            "calc/calc_test.go": CALC.replace("FAILING", str(failing)),
            "cmd/app/main.go": "package main\n\nfunc main() {}\n",
        },
    )
    results = where / "results"
    results.mkdir()
    subprocess.run(
        [
            gotestsum,
            *("--jsonfile", str(results / "test.json"), "--junitfile", str(results / "junit.xml")),
            *("--format", "standard-quiet", "--", "-count=1", "./..."),
        ],
        cwd=where,
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert (results / "junit.xml").is_file() and (results / "test.json").is_file()
    return results


def verdict(tmp_path: Path, results: Path) -> tuple[int, str]:
    criteria = tmp_path / "gate.yaml"
    criteria.write_text(GATE, encoding="utf-8")
    done = run_cli("verdict", "-c", str(criteria), "--json", "-", str(results))
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout


def test_a_clean_run_in_both_formats_is_read_once(tmp_path: Path) -> None:
    results = gotestsum_run(tmp_path / "clean", failing=0)
    run = load([str(results)])
    assert [i.duplicate_of is None for i in run.inputs].count(True) == 1
    ids = [t.id for t in run.tests]
    assert len(ids) == len(set(ids)) and "example.com/app/calc::TestTable/n=1" in ids
    code, out = verdict(tmp_path, results)
    assert code == ExitCode.READY, out
    (crit,) = json.loads(out)["criteria"]
    assert len(crit["evidence"]) == 1


@pytest.mark.parametrize("first", ["test.json", "junit.xml"])
def test_a_failing_subtest_is_not_ready_whichever_copy_is_read(tmp_path: Path, first: str) -> None:
    results = gotestsum_run(tmp_path / "failing", failing=2)
    code, out = verdict(tmp_path, results / first)
    assert code == ExitCode.NOT_READY, out
    code, out = verdict(tmp_path, results)
    assert code == ExitCode.NOT_READY, out
    assert "TestTable/n=2" in out


def test_copies_of_two_runs_that_disagree_are_not_ready(tmp_path: Path) -> None:
    # The JUnit of a run where a subtest failed beside the JSON of a clean run: read once,
    # the failing copy is the one read.
    clean = gotestsum_run(tmp_path / "clean", failing=0)
    failing = gotestsum_run(tmp_path / "failing", failing=3)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "test.json").write_bytes((clean / "test.json").read_bytes())
    (mixed / "junit.xml").write_bytes((failing / "junit.xml").read_bytes())
    code, out = verdict(tmp_path, mixed)
    assert code == ExitCode.NOT_READY, out
