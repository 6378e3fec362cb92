"""pabot's output folder (committed real output, tests/fixtures/robot-pabot): besides the
merged and per-process output.xml, it holds pabot's manager log, whose lines start with
`[INFO]`, and each process's empty `robot_stderr.out`; neither is results."""

from __future__ import annotations

import shutil
from pathlib import Path

from reportgen.errors import ExitCode
from reportgen.ingest import load
from tests.conftest import REPO, gate_verdict

OUT = REPO / "tests" / "fixtures" / "robot-pabot" / "out"


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
