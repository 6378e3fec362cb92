"""TAP and JUnit XML written at test time by bats (Bash Automated Testing System), then read:
a failing test whose name holds `# skip` is no skip, and a file that stopped is no pass."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reportgen.ingest import load
from tests.conftest import harness_tool, run_cli

#: One bats file per case.
FILES = {
    # bats writes test names as they are: `not ok 1 parses # skip markers`.
    "hashes.bats": '@test "parses # skip markers" { false; }\n@test "plain" { true; }\n',
    "setup.bats": 'setup_file() { false; }\n@test "one" { true; }\n@test "two" { true; }\n',
    "good.bats": '@test "one" { true; }\n@test "two # skip in a passing name" { true; }\n',
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each file's TAP (`NAME.tap`) and JUnit XML (`NAME.xml`)."""
    bats = harness_tool("bats", "bats")
    where = tmp_path_factory.mktemp("bats")
    files: dict[str, Path] = {}
    for name, body in FILES.items():
        (where / name).write_text(body)
        for kind, options in (("tap", []), ("xml", ["--formatter", "junit"])):
            done = subprocess.run(
                [bats, *options, name], cwd=where, capture_output=True, timeout=60, check=False
            )
            out = files[f"{name}.{kind}"] = where / f"{Path(name).stem}.{kind}"
            out.write_bytes(done.stdout)
    return files


def _verdict(tmp_path: Path, report: Path) -> tuple[int, str]:
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text("version: 1\ncriteria:\n  - id: f\n    tests: {max_failed: 0}\n")
    done = run_cli("verdict", "-c", str(criteria), str(report))
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("kind", ["tap", "xml"])
def test_a_failing_test_named_with_skip_is_failed(
    reports: dict[str, Path], tmp_path: Path, kind: str
) -> None:
    code, out = _verdict(tmp_path, reports[f"hashes.bats.{kind}"])
    assert code == 1, out


@pytest.mark.parametrize("kind", ["tap", "xml"])
def test_a_failing_setup_file_is_no_pass(
    reports: dict[str, Path], tmp_path: Path, kind: str
) -> None:
    code, out = _verdict(tmp_path, reports[f"setup.bats.{kind}"])
    assert code == 1, out


@pytest.mark.parametrize("kind", ["tap", "xml"])
def test_a_passing_run_is_ready(reports: dict[str, Path], tmp_path: Path, kind: str) -> None:
    code, out = _verdict(tmp_path, reports[f"good.bats.{kind}"])
    assert code == 0, out


#: A run in which bats retries one test (`BATS_TEST_RETRIES`): it fails on its first attempt
#: unless the file `passed-before` exists beside it.
RETRY_FILES = {
    "first.bats": '@test "steady" { true; }\n',
    "retry.bats": "BATS_TEST_RETRIES=2\n"
    '@test "flaky" {\n'
    '  [ -e "$BATS_TEST_DIRNAME/passed-before" ] && return 0\n'
    '  touch "$BATS_TEST_DIRNAME/passed-before"\n'
    "  false\n"
    "}\n"
    '@test "after" { true; }\n',
    "later.bats": '@test "later" { true; }\n',
}


def _retry_run(where: Path, formatter: str, *, retried: bool) -> Path:
    """The report (`junit` or `tap`, on standard output) of one run of RETRY_FILES."""
    bats = harness_tool("bats", "bats")
    for name, body in RETRY_FILES.items():
        (where / name).write_text(body)
    mark = where / "passed-before"
    mark.unlink(missing_ok=True)
    if not retried:
        mark.touch()
    done = subprocess.run(
        [bats, "--formatter", formatter, *RETRY_FILES],
        cwd=where,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    out = where / f"run.{'xml' if formatter == 'junit' else 'tap'}"
    out.write_bytes(done.stdout)
    return out


def test_a_retried_test_in_the_junit_report_is_no_clean_pass(tmp_path: Path) -> None:
    # bats 1.8 writes every attempt's `begin N name` line and keeps only the last attempt; its
    # JUnit formatter then names the retried test, and every later one, by the whole `begin`
    # line (`begin 2 flaky`): the run exits 0 and its report read as a clean pass, READY even
    # under `max_flaky: 0`. Its TAP shows no trace of the retry, and beside it lifted nothing.
    junit = _retry_run(tmp_path, "junit", retried=True)
    assert b'name="begin 2 flaky"' in junit.read_bytes()
    tap = _retry_run(tmp_path, "tap", retried=True)
    listing = run_cli("ls", str(junit)).stdout
    assert "retry.bats::flaky " in listing and "later.bats::later " in listing
    assert "begin" not in listing
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\ncriteria:\n  - id: f\n    tests: {max_failed: 0, max_flaky: 0}\n"
    )
    for inputs in ([junit], [junit, tap]):
        done = run_cli("verdict", "-c", str(criteria), *map(str, inputs))
        assert done.returncode == 3, done.stdout
        assert "BATS_TEST_RETRIES" in done.stdout
    # The same run without a retry: READY.
    junit = _retry_run(tmp_path, "junit", retried=False)
    assert b"begin" not in junit.read_bytes()
    assert run_cli("verdict", "-c", str(criteria), str(junit)).returncode == 0


def test_a_junit_report_of_a_run_cut_short_is_no_pass(tmp_path: Path) -> None:
    # A test file's process killed midway (here by its own test): bats exits 1 and its TAP
    # plan shows the test that never ran, but its JUnit report holds only the tests that ran,
    # all passed, and says so only in the last one's <system-out> ("bats warning: Executed 3
    # instead of expected 4 tests"); the later file's test is named `begin 4 b one`. It read
    # as a clean pass: READY. Now the test that never ran is an error (as in the TAP).
    bats = harness_tool("bats", "bats")
    (tmp_path / "a.bats").write_text(
        '@test "one" { true; }\n@test "two kills its file" { kill -9 $PPID; }\n'
        '@test "three" { true; }\n'
    )
    (tmp_path / "b.bats").write_text('@test "b one" { true; }\n')
    done = subprocess.run(
        [bats, "--formatter", "junit", "a.bats", "b.bats"],
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert b"Executed 3 instead of expected 4 tests" in done.stdout
    junit = tmp_path / "run.xml"
    junit.write_bytes(done.stdout)
    listing = run_cli("ls", str(junit)).stdout
    assert "b.bats::b one " in listing and "begin" not in listing
    code, out = _verdict(tmp_path, junit)
    assert code == 1, out
    run = load([str(junit)])
    assert any("1 never ran" in w.message for w in run.warnings)
    assert not run.inputs[0].integrity  # no retry is claimed


def test_a_test_named_like_a_begin_line_is_left_as_it_is(tmp_path: Path) -> None:
    # Only a run of `begin N name` names to the end of the run is bats' count gone off.
    bats = harness_tool("bats", "bats")
    (tmp_path / "a.bats").write_text(
        '@test "begin 1 phase commit" { true; }\n@test "x" { true; }\n'
    )
    done = subprocess.run(
        [bats, "--formatter", "junit", "a.bats"],
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
        check=True,
    )
    junit = tmp_path / "run.xml"
    junit.write_bytes(done.stdout)
    run = load([str(junit)])
    assert {t.name for t in run.tests} == {"begin 1 phase commit", "x"}
    assert not run.inputs[0].integrity
