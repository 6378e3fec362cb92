"""Robot Framework output.xml written at test time by real robot and rebot runs: a rerun that
`rebot --merge` folded into a pass is flaky, and a dry run is no run."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import Outcome
from tests.conftest import run_cli

robot = pytest.importorskip("robot")

SUITE = """
*** Settings ***
Library    OperatingSystem

*** Test Cases ***
Stable
    Log    ok
Sometimes
    ${exists}=    Run Keyword And Return Status    File Should Exist    ${CURDIR}/marker
    IF    not ${exists}    Create File    ${CURDIR}/marker    x
    Should Be True    ${exists}
Skipped
    Skip    not today
"""


def _quiet() -> dict[str, object]:
    return {"stdout": io.StringIO(), "stderr": io.StringIO(), "report": "NONE", "log": "NONE"}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A first run (Sometimes fails), its `--rerunfailed` run (it passes), their `rebot
    --merge`, and a `--dryrun` of the same suite."""
    where = tmp_path_factory.mktemp("robot")
    (where / "flaky.robot").write_text(SUITE)
    first, rerun, merged, dry = (where / f"{n}.xml" for n in ("first", "rerun", "merged", "dry"))
    robot.run(str(where / "flaky.robot"), output=str(first), **_quiet())
    robot.run(str(where / "flaky.robot"), output=str(rerun), rerunfailed=str(first), **_quiet())
    robot.rebot(str(first), str(rerun), merge=True, output=str(merged), **_quiet())
    robot.run(str(where / "flaky.robot"), output=str(dry), dryrun=True, **_quiet())
    return {"first": first, "rerun": rerun, "merged": merged, "dry": dry}


def _criteria(tmp_path: Path, body: str) -> str:
    path = tmp_path / "criteria.yaml"
    path.write_text(f"version: 1\ncriteria:\n{body}")
    return str(path)


def test_statuses(outputs: dict[str, Path]) -> None:
    run = load([str(outputs["first"])])
    assert run.inputs[0].format == "robot"
    assert {t.name: t.outcome for t in run.tests} == {
        "Stable": Outcome.PASSED,
        "Sometimes": Outcome.FAILED,
        "Skipped": Outcome.SKIPPED,
    }


def test_a_merged_rerun_is_flaky_not_a_pass(outputs: dict[str, Path], tmp_path: Path) -> None:
    run = load([str(outputs["merged"])])
    sometimes = next(t for t in run.tests if t.name == "Sometimes")
    assert sometimes.outcome is Outcome.PASSED
    assert sometimes.flaky
    assert [a.outcome for a in sometimes.attempts] == [Outcome.FAILED, Outcome.PASSED]
    criteria = _criteria(tmp_path, "  - id: stable\n    tests: {max_failed: 0, max_flaky: 0}\n")
    result = run_cli("verdict", "-c", criteria, str(outputs["merged"]))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Sometimes" in result.stdout


def test_a_dry_run_is_no_run(outputs: dict[str, Path], tmp_path: Path) -> None:
    run = load([str(outputs["dry"])])
    assert {t.outcome for t in run.tests} == {Outcome.SKIPPED}
    criteria = _criteria(tmp_path, "  - id: green\n    tests: {max_failed: 0}\n")
    result = run_cli("verdict", "-c", criteria, str(outputs["dry"]))
    assert result.returncode == 3, result.stdout + result.stderr


TEARDOWNS = {
    "__init__.robot": "*** Settings ***\nSuite Teardown    Fail    outer broke\n",
    "inner/a.robot": "*** Test Cases ***\nA1\n    Log    hi\nA2\n    Skip    nah\n",
    "setup.robot": (
        "*** Settings ***\nSuite Setup    Fail    setup broke\n"
        "*** Test Cases ***\nB1\n    Log    hi\n"
    ),
    "skipped/c.robot": (
        "*** Settings ***\nSuite Teardown    Skip    not here\n"
        "*** Test Cases ***\nC1\n    Log    hi\nC2\n    Fail    no\n"
    ),
}


@pytest.fixture(scope="module")
def teardown_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """robot's output.xml of suites whose teardown failed or skipped: robot writes that only
    on the suite, the tests under it keeping the PASS they ended with."""
    where = tmp_path_factory.mktemp("robot-teardown")
    for name, text in TEARDOWNS.items():
        (where / "suites" / name).parent.mkdir(parents=True, exist_ok=True)
        (where / "suites" / name).write_text(text)
    output = where / "output.xml"
    robot.run(str(where / "suites"), output=str(output), **_quiet())
    return output


def test_a_failed_suite_teardown_fails_its_tests_as_robot_reads_them(
    teardown_run: Path, tmp_path: Path
) -> None:
    from robot.api import ExecutionResult

    robots = {t.name: t.status for t in ExecutionResult(str(teardown_run)).suite.all_tests}
    assert robots == {"A1": "FAIL", "A2": "SKIP", "B1": "FAIL", "C1": "SKIP", "C2": "SKIP"}
    ours = {t.name: t.outcome for t in load([str(teardown_run)]).tests}
    assert ours == {name: robot_outcome(status) for name, status in robots.items()}
    criteria = _criteria(tmp_path, "  - id: green\n    tests: {max_failed: 0}\n")
    result = run_cli("verdict", "-c", criteria, str(teardown_run))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Inner.A::A1" in result.stdout


def robot_outcome(status: str) -> Outcome:
    return {"PASS": Outcome.PASSED, "FAIL": Outcome.FAILED, "SKIP": Outcome.SKIPPED}[status]


def test_robots_own_totals_catch_a_failure_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a test's failure be written in a way the reader misses (here: suite teardowns
    ignored), the file's `<statistics>` totals keep the verdict from READY."""
    import reportgen.ingest.robot as reader

    (tmp_path / "td.robot").write_text(
        "*** Settings ***\nSuite Teardown    Fail    broke\n*** Test Cases ***\nT\n    Log    hi\n"
    )
    output = tmp_path / "output.xml"
    robot.run(str(tmp_path / "td.robot"), output=str(output), **_quiet())
    monkeypatch.setattr(reader, "_teardown", lambda suite: None)
    run = load([str(output)])
    assert [t.outcome for t in run.tests] == [Outcome.PASSED]
    assert [f.message for f in run.inputs[0].integrity] == [
        "<statistics> declares 1 failed or errored test(s) but shows 0"
    ]


# --- xUnit files of a `rebot --merge` --------------------------------------------------------
MERGED_SUITES = {
    "flaky.robot": SUITE.replace("${CURDIR}/marker", "${MARKER}"),
    "steady.robot": "*** Test Cases ***\nAlways\n    Log    ok\n",
}


@pytest.fixture(scope="module")
def merged_xunit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A directory of two suites run once (Sometimes fails), its `--rerunfailed` run (it
    passes), and `rebot --merge` of the two writing output.xml and the xUnit file; the xUnit
    file of the first run, and of `rebot` combining (not merging) the two outputs."""
    where = tmp_path_factory.mktemp("robot-merged")
    for name, text in MERGED_SUITES.items():
        (where / "suites" / name).parent.mkdir(parents=True, exist_ok=True)
        (where / "suites" / name).write_text(text)
    out = {n: where / f"{n}.xml" for n in ("first", "rerun", "merged", "xunit", "first-x", "both")}
    marker = f"MARKER:{where / 'marker'}"
    suites = str(where / "suites")
    first, rerun = str(out["first"]), str(out["rerun"])
    robot.run(suites, output=first, xunit=str(out["first-x"]), variable=[marker], **_quiet())
    robot.run(suites, output=rerun, rerunfailed=first, variable=[marker], **_quiet())
    merged, xunit = str(out["merged"]), str(out["xunit"])
    robot.rebot(first, rerun, merge=True, output=merged, xunit=xunit, **_quiet())
    robot.rebot(first, rerun, output="NONE", xunit=str(out["both"]), **_quiet())
    return out


def test_a_merged_xunit_file_hides_the_failed_attempt(
    merged_xunit: dict[str, Path], tmp_path: Path
) -> None:
    # Before: READY (0) for both criteria: rebot's xUnit file writes the merged Sometimes as a
    # plain pass. The merged suite has `timestamp=""`; its tests are INSUFFICIENT (3).
    run = load([str(merged_xunit["xunit"])])
    assert {t.name: t.outcome for t in run.tests}["Sometimes"] is Outcome.PASSED
    assert [f.scope for f in run.inputs[0].integrity] == ["Suites.Flaky"]
    body = "  - id: green\n    tests: {max_failed: 0, max_flaky: 0, min_total: 3}\n"
    result = run_cli("verdict", "-c", _criteria(tmp_path, body), str(merged_xunit["xunit"]))
    assert result.returncode == 3, result.stdout + result.stderr
    assert "rebot --merge" in result.stdout
    # The suite the rerun did not reach keeps its start time and its tests are evidence.
    body = "  - id: steady\n    tests: {select: ['Suites.Steady::*'], max_flaky: 0}\n"
    result = run_cli("verdict", "-c", _criteria(tmp_path, body), str(merged_xunit["xunit"]))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_merged_output_xml_beside_it_shows_the_rerun(
    merged_xunit: dict[str, Path], tmp_path: Path
) -> None:
    # One run by two writers: read once, from output.xml, which records the failed attempt.
    files = [str(merged_xunit["xunit"]), str(merged_xunit["merged"])]
    body = "  - id: green\n    tests: {max_failed: 0, min_total: 3}\n"
    result = run_cli("verdict", "-c", _criteria(tmp_path, body), *files)
    assert result.returncode == 0, result.stdout + result.stderr
    body = "  - id: green\n    tests: {max_failed: 0, max_flaky: 0}\n"
    result = run_cli("verdict", "-c", _criteria(tmp_path, body), *files)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Sometimes" in result.stdout


@pytest.mark.parametrize("which", ["first-x", "both"])
def test_xunit_files_robot_did_not_merge_keep_their_start_times(
    merged_xunit: dict[str, Path], which: str
) -> None:
    # robot's own xUnit file, and rebot combining two outputs (its root has no start time but
    # holds no test of its own), are not merged runs.
    run = load([str(merged_xunit[which])])
    assert not run.inputs[0].integrity
