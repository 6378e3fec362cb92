"""One run read through two routes counts once, where the routes spell its tests differently
or split it differently: pytest's `--junit-prefix` JUnit beside its JSON report, `go test
-json` beside gotestsum's JUnit (which writes the parents of subtests, and short or relative
classnames when asked), shards beside the merged copy of them (`junitparser merge`), and
bats' TAP on standard output beside its `--report-formatter junit` report (the TAP names no
test file, the JUnit report puts each file's tests under a suite named after it).

Every input comes from the real harness, run in the test.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reportgen.ingest import load
from tests.conftest import go_module, harness_tool, run_cli

#: 60 of 60 passes cannot show 97% at 95% confidence (99 are needed); 120 would.
RATE_97 = "version: 1\ncriteria:\n  - id: rate\n    tests: {min_pass_rate: 97%}\n"
#: 120 of 120 cannot show 98% (149 are needed); 240 would.
RATE_98 = RATE_97.replace("97%", "98%")
MAX_FAILED_0 = "version: 1\ncriteria:\n  - id: none-failed\n    tests: {max_failed: 0}\n"


def _verdict(tmp_path: Path, criteria: str, *results: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "criteria.yaml"
    path.write_text(criteria)
    return run_cli("verdict", "-c", str(path), *map(str, results))


def _pytest(cwd: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", *args],
        cwd=cwd,
        capture_output=True,
        timeout=120,
        check=False,
    )


PARAMETRIZED = textwrap.dedent(
    """
    import pytest

    @pytest.mark.parametrize("i", range({count}))
    def test_{name}(i):
        pass
    """
)


def test_a_junit_prefix_does_not_make_one_session_two(tmp_path: Path) -> None:
    # `--junit-prefix=ci` writes `ci.tests.test_a` where the JSON report's node ids give
    # `tests/test_a.py`: 60 tests, not 120 (120 passes would show 97%: READY, exit 0).
    pytest.importorskip("pytest_jsonreport", reason="pytest-json-report is not installed")
    (tmp_path / "tests").mkdir()
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "tests" / "test_a.py").write_text(PARAMETRIZED.format(count=60, name="a"))
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    _pytest(
        tmp_path,
        f"--junitxml={junit}",
        "--junit-prefix=ci",
        "--json-report",
        f"--json-report-file={report}",
        "tests",
    )
    run = load([str(junit), str(report)])
    assert len(run.tests) == 60
    assert [i.duplicate_of is not None for i in run.inputs].count(True) == 1
    proc = _verdict(tmp_path, RATE_97, junit, report)
    assert proc.returncode == 3, proc.stdout + proc.stderr


GO_SUBTESTS = textwrap.dedent(
    """
    package {name}

    import (
    \t"fmt"
    \t"testing"
    )

    func TestCases(t *testing.T) {{
    \tfor i := 0; i < 30; i++ {{
    \t\ti := i
    \t\tt.Run(fmt.Sprintf("case %d/x y", i), func(t *testing.T) {{
    \t\t\tif i == {fails} {{
    \t\t\t\tt.Fatal("case fails")
    \t\t\t}}
    \t\t}})
    \t}}
    }}
    """
)


@pytest.mark.parametrize("classname", ["full", "short", "relative"])
def test_go_test_json_and_gotestsum_junit_of_one_run_count_once(
    tmp_path: Path, classname: str
) -> None:
    # gotestsum writes the stream (--jsonfile) and the JUnit of one run. The JUnit also holds
    # each parent of subtests (`TestCases`), which `go test -json` counts by its subtests, and
    # with `short`/`relative` names the package `a` or `pkg/a`, not `example.com/dup/pkg/a`:
    # 60 subtests, never 122 executions.
    gotestsum = harness_tool("gotestsum", "gotestsum")
    files = {f"pkg/{name}/{name}_test.go": GO_SUBTESTS.format(name=name, fails=-1) for name in "ab"}
    _go, env = go_module(tmp_path, "example.com/dup", files)
    stream, junit = tmp_path / "go.json", tmp_path / "junit.xml"
    subprocess.run(
        [
            gotestsum,
            f"--jsonfile={stream}",
            f"--junitfile={junit}",
            f"--junitfile-testcase-classname={classname}",
            f"--junitfile-testsuite-name={classname}",
            "./...",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=300,
        check=True,
    )
    run = load([str(stream), str(junit)])
    assert len(run.tests) in (60, 62)  # the JUnit copy keeps its two parents
    assert [i.duplicate_of is not None for i in run.inputs].count(True) == 1
    proc = _verdict(tmp_path, RATE_97, stream, junit)
    assert proc.returncode == 3, proc.stdout + proc.stderr


def test_a_failing_subtest_shown_by_either_copy_still_fails(tmp_path: Path) -> None:
    gotestsum = harness_tool("gotestsum", "gotestsum")
    _go, env = go_module(
        tmp_path, "example.com/dup", {"pkg/a/a_test.go": GO_SUBTESTS.format(name="a", fails=3)}
    )
    stream, junit = tmp_path / "go.json", tmp_path / "junit.xml"
    subprocess.run(
        [
            gotestsum,
            f"--jsonfile={stream}",
            f"--junitfile={junit}",
            "--junitfile-testcase-classname=short",
            "./...",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    for results in ((stream, junit), (junit, stream)):
        proc = _verdict(tmp_path, MAX_FAILED_0, *results)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "case_3" in proc.stdout


def _shards(tmp_path: Path) -> list[Path]:
    """Three real pytest JUnit shards of 40 tests each."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    shards = []
    for name in "abc":
        (tmp_path / "tests" / f"test_{name}.py").write_text(
            PARAMETRIZED.format(count=40, name=name)
        )
        shard = tmp_path / "results" / f"TEST-{name}.xml"
        _pytest(tmp_path, f"--junitxml={shard}", f"tests/test_{name}.py")
        shards.append(shard)
    return shards


def _merge(into: Path, *parts: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "junitparser", "merge", *map(str, parts), str(into)],
        capture_output=True,
        timeout=120,
        check=True,
    )


def test_shards_beside_their_merged_copy_count_once(tmp_path: Path) -> None:
    pytest.importorskip("junitparser", reason="junitparser is not installed")
    shards = _shards(tmp_path)
    merged = tmp_path / "results" / "merged.xml"
    _merge(merged, *shards)
    run = load([str(tmp_path / "results")])
    assert len(run.tests) == 120
    assert {i.duplicate_of for i in run.inputs if i.duplicate_of} == {str(merged)}
    assert _verdict(tmp_path, RATE_98, tmp_path / "results").returncode == 3
    # One shard beside a merged copy of all three: its 40 tests are in the merged copy.
    alone = tmp_path / "one"
    alone.mkdir()
    (alone / "TEST-a.xml").write_bytes(shards[0].read_bytes())
    (alone / "all.xml").write_bytes(merged.read_bytes())
    assert len(load([str(alone)]).tests) == 120


def test_two_runs_of_a_shard_are_not_one(tmp_path: Path) -> None:
    # A shard run again is another run: its times differ, so it is not part of the merged copy.
    pytest.importorskip("junitparser", reason="junitparser is not installed")
    shards = _shards(tmp_path)
    merged = tmp_path / "merged.xml"
    _merge(merged, *shards)
    again = tmp_path / "again.xml"
    # The same shard, each test timed 5 ms slower (a second run on a busier machine).
    again.write_text(
        re.sub(
            r'(<testcase [^>]*time=")([0-9.]+)"',
            lambda m: f'{m[1]}{float(m[2]) + 0.005:.3f}"',
            shards[0].read_text(),
        )
    )
    run = load([str(merged), str(again)])
    assert len(run.tests) == 160
    assert not any(i.duplicate_of for i in run.inputs)


def test_untimed_streams_of_two_scripts_are_not_parts_of_one(tmp_path: Path) -> None:
    # Perl's Test::More writes TAP without times or file names: `ok 1 - works` from one script
    # and `ok 1 - works`, `ok 2 - other` from another share a name, which shows nothing.
    perl = harness_tool("perl", "perl")
    for name, script in (
        ("a.tap", 'use Test::More; ok(1, "works"); done_testing;'),
        ("b.tap", 'use Test::More; ok(1, "works"); ok(1, "other"); done_testing;'),
    ):
        tap = subprocess.run([perl, "-e", script], capture_output=True, timeout=60, check=True)
        (tmp_path / name).write_bytes(tap.stdout)
    run = load([str(tmp_path / "a.tap"), str(tmp_path / "b.tap")])
    assert len(run.tests) == 3
    assert not any(i.duplicate_of for i in run.inputs)


def _bats(where: Path, files: dict[str, str]) -> Path:
    """Run the real bats over `files` with TAP on stdout and its JUnit report beside it, as
    `bats --formatter tap --report-formatter junit --output DIR` writes them; return DIR."""
    binary = harness_tool("bats", "bats")
    out = where / "results"
    out.mkdir(parents=True)
    for name, text in files.items():
        (where / name).write_text(text)
    done = subprocess.run(
        [binary, "--formatter", "tap", "--report-formatter", "junit", "--output", str(out)]
        + [str(where / name) for name in files],
        capture_output=True,
        timeout=120,
        check=False,
    )
    (out / "bats.tap").write_bytes(done.stdout)
    return out


def _bats_tests(names: range, extra: str = "") -> str:
    return "".join(f'@test "case {i}" {{ true; }}\n' for i in names) + extra


def test_bats_tap_and_its_junit_report_count_once(tmp_path: Path) -> None:
    # 60 tests in two files, 40 names in both: read twice, 120 passes showed 97% (exit 0).
    results = _bats(tmp_path, {"a.bats": _bats_tests(range(40)), "b.bats": _bats_tests(range(20))})
    run = load([str(results)])
    assert len(run.tests) == 60
    assert {t.id for t in run.tests} >= {"a.bats::case 0", "b.bats::case 0"}
    done = _verdict(tmp_path, RATE_97, results)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "bats.tap: holds the same evidence as" in done.stdout


def test_a_bats_failure_in_either_copy_still_fails(tmp_path: Path) -> None:
    failing = _bats_tests(range(10), '@test "broken" { false; }\n@test "later" { skip; }\n')
    results = _bats(tmp_path, {"a.bats": failing})
    done = _verdict(tmp_path, MAX_FAILED_0, results)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "a.bats::broken" in done.stdout
