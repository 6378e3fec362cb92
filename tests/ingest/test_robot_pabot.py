"""pabot's output folder (committed real output, tests/fixtures/robot-pabot): besides the
merged and per-process output.xml, it holds pabot's manager log, whose lines start with
`[INFO]`, and each process's empty `robot_stderr.out`; neither is results. The log is read for
pabot's word that a process's results were left out of the merged output.xml."""

from __future__ import annotations

import shutil
from pathlib import Path

from reportgen.errors import ExitCode
from reportgen.ingest import load
from tests.conftest import REPO, gate_verdict

OUT = REPO / "tests" / "fixtures" / "robot-pabot" / "out"
KILLED = REPO / "tests" / "fixtures" / "robot-pabot" / "killed"


def test_a_clean_pabot_run_is_ready(tmp_path: Path) -> None:
    # Before: INSUFFICIENT (3): pabot_manager.log "looks like results" (it starts with `[`) and
    # so did each empty robot_stderr.out.
    code, out = gate_verdict(tmp_path, str(OUT))
    assert code == ExitCode.READY, out
    run = load([str(OUT)])
    assert not [s.path for s in run.skipped if s.evidence]
    assert len(run.tests) == 3


def test_an_empty_standard_output_capture_still_withholds(tmp_path: Path) -> None:
    results = tmp_path / "out"
    shutil.copytree(OUT, results)
    (results / "pabot_results" / "0" / "robot_stdout.out").write_bytes(b"")
    code, out = gate_verdict(tmp_path, str(results))
    assert code == ExitCode.INSUFFICIENT, out


def test_a_killed_robot_process_is_not_ready(tmp_path: Path) -> None:
    code, out = gate_verdict(tmp_path, str(KILLED))
    assert code == ExitCode.INSUFFICIENT, out


def test_the_manager_log_tells_of_a_process_that_left_no_output(tmp_path: Path) -> None:
    # Robot killed before it wrote output.xml: only pabot's log says so.
    results = tmp_path / "out"
    shutil.copytree(KILLED, results)
    (results / "pabot_results" / "1" / "output.xml").unlink()
    code, out = gate_verdict(tmp_path, str(results))
    assert code == ExitCode.INSUFFICIENT, out
    (skip,) = (s for s in load([str(results)]).skipped if s.evidence)
    assert skip.path.endswith("pabot_manager.log")
    assert "[ERROR]   Reading XML source" in skip.reason


def test_the_quoted_log_line_is_cleaned_input_text(tmp_path: Path) -> None:
    # The reason quotes the log's line: input text, cleaned at ingest like every other.
    folder = tmp_path / "pabot_results"
    folder.mkdir()
    (folder / "pabot_manager.log").write_bytes(
        b"[INFO] start\n[ERROR] Reading XML source '\x1b[31mout.xml\x1b[0m' failed\x07\n"
    )
    (skipped,) = load([str(folder)]).skipped
    assert skipped.evidence and "Reading XML source 'out.xml' failed)" in skipped.reason
