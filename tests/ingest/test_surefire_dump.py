"""Surefire's dump files beside its reports (committed real reports,
tests/fixtures/junit-surefire-fork): a `.dump` that records a fork's problem keeps the verdict
from READY, since the reports beside it may show every test passed; a `.dumpstream` of a clean
run, which holds only warnings about a test writing to the native output stream, does not."""

from __future__ import annotations

import shutil
from pathlib import Path

from reportgen.errors import ExitCode
from reportgen.ingest import load
from reportgen.model import SkipKind
from tests.conftest import REPO, gate_verdict

FIXTURES = REPO / "tests" / "fixtures" / "junit-surefire-fork"
DUMP = "2026-12-01T19-00-38_311-jvmRun1.dump"
STREAM = "2026-12-01T19-00-00_039-jvmRun1.dumpstream"


def test_a_fork_timeout_is_not_ready(tmp_path: Path) -> None:
    # Before: READY (0): both reports say every test passed, and the thread dump Surefire
    # wrote when it killed the timed-out fork was listed as unrecognised.
    code, out = gate_verdict(tmp_path, str(FIXTURES / "timeout"))
    assert code == ExitCode.INSUFFICIENT, out
    assert f"{DUMP}: not read: Surefire's dump" in out
    (skip,) = (s for s in load([str(FIXTURES / "timeout")]).skipped if s.path.endswith(DUMP))
    assert skip.evidence
    assert skip.reason.startswith("Surefire's dump of a forked JVM's problem (Thread dump for ")


def test_native_stream_warnings_of_a_clean_run_stay_ready(tmp_path: Path) -> None:
    code, out = gate_verdict(tmp_path, str(FIXTURES / "native-stream"))
    assert code == ExitCode.READY, out
    (skip,) = (
        s for s in load([str(FIXTURES / "native-stream")]).skipped if s.path.endswith(STREAM)
    )
    assert skip.kind is SkipKind.NOT_RESULTS
    assert not skip.evidence


def test_any_other_entry_in_a_dumpstream_is_a_problem(tmp_path: Path) -> None:
    results = tmp_path / "reports"
    shutil.copytree(FIXTURES / "native-stream", results)
    with (results / STREAM).open("a", encoding="utf-8") as handle:
        handle.write(
            "# Created at 2026-12-01T19:00:06.001\njava.lang.IllegalStateException: Stream closed\n"
        )
    code, out = gate_verdict(tmp_path, str(results))
    assert code == ExitCode.INSUFFICIENT, out
    (skip,) = (s for s in load([str(results)]).skipped if s.path.endswith(STREAM))
    assert skip.evidence
    assert "(java.lang.IllegalStateException: Stream closed)" in skip.reason


def test_a_file_of_the_name_without_surefire_header_keeps_the_other_rules(
    tmp_path: Path,
) -> None:
    results = tmp_path / "reports"
    shutil.copytree(FIXTURES / "native-stream", results)
    (results / "core.dump").write_bytes(b"\x7fELF\x02\x01\x01")
    code, out = gate_verdict(tmp_path, str(results))
    assert code == ExitCode.READY, out
    assert "core.dump: not read: not a results file reportgen recognises" in out
