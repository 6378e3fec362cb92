"""max_age on timestamps real harnesses wrote in Tokyo: ctest's names no zone, pytest's does."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from reportgen.errors import ExitCode
from reportgen.ingest import load
from tests.conftest import run_cli, run_ctest, run_pytest

TOKYO = {**os.environ, "TZ": "Asia/Tokyo"}
CMAKE_PROJECT = """cmake_minimum_required(VERSION 3.16)
project(demo NONE)
enable_testing()
add_test(NAME ok COMMAND true)
add_test(NAME ok2 COMMAND true)
"""


def _gate(tmp_path: Path, max_age: str) -> str:
    path = tmp_path / f"gate-{max_age}.yaml"
    path.write_text(
        f"version: 1\ndefaults: {{max_age: {max_age}}}\ncriteria:\n"
        "  - id: all-pass\n    tests: {max_failed: 0, min_total: 2}\n",
        encoding="utf-8",
    )
    return str(path)


def _verdict(tmp_path: Path, report: Path, max_age: str, at: float) -> tuple[int, str]:
    # The verdict JSON: the terminal table shortens long reasons to the terminal's width.
    done = run_cli(
        "verdict",
        "-c",
        _gate(tmp_path, max_age),
        "--json",
        "-",
        str(report),
        env={"SOURCE_DATE_EPOCH": str(int(at))},
    )
    return done.returncode, " ".join(done.stdout.split())


@pytest.fixture(scope="module")
def ctest_tokyo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """A ctest JUnit file written under TZ=Asia/Tokyo, and when (epoch seconds) it ran."""
    ran = time.time()
    report = run_ctest(tmp_path_factory.mktemp("ctest-tokyo"), CMAKE_PROJECT, env=TOKYO)
    return report, ran


def test_ctest_writes_tokyo_local_time_without_zone(ctest_tokyo: tuple[Path, float]) -> None:
    report, ran = ctest_tokyo
    stamp = etree.parse(str(report)).getroot().get("timestamp")
    assert stamp is not None
    written = datetime.fromisoformat(stamp)
    assert written.tzinfo is None, f"ctest now writes a zone ({stamp}): this test is moot"
    # Tokyo local time, nine hours ahead of UTC: read as UTC, the run would seem 9 hours later.
    as_utc = written.replace(tzinfo=UTC).timestamp()
    assert abs(as_utc - 9 * 3600 - ran) < 120
    # ... and the model keeps the text as ctest wrote it, with no zone added.
    assert load([str(report)]).inputs[0].timestamp == stamp


def test_ctest_tokyo_ten_hours_later_is_not_ready_for_a_two_hour_max_age(
    tmp_path: Path, ctest_tokyo: tuple[Path, float]
) -> None:
    report, ran = ctest_tokyo
    # Read as UTC this run would be 1 hour old: READY before, although it is 10 hours old.
    code, out = _verdict(tmp_path, report, "2h", ran + 10 * 3600)
    assert code == ExitCode.INSUFFICIENT, out
    assert "names no time zone, so it may be up to 15 hours old" in out
    assert "have the harness write the time zone" in out
    assert "in the future" not in out


def test_ctest_tokyo_passes_a_max_age_that_covers_every_zone(
    tmp_path: Path, ctest_tokyo: tuple[Path, float]
) -> None:
    report, ran = ctest_tokyo
    # A minute after the run it is at most 5 hours old in any zone (14:00 local at UTC+14).
    code, out = _verdict(tmp_path, report, "6h", ran + 60)
    assert code == ExitCode.READY, out
    code, out = _verdict(tmp_path, report, "4h", ran + 60)
    assert code == ExitCode.INSUFFICIENT, out
    # Fifty hours later it is at least 29 hours old even at UTC−12: stale.
    code, out = _verdict(tmp_path, report, "1d", ran + 50 * 3600)
    assert code == ExitCode.INSUFFICIENT, out
    assert "at least 29 hours old in any time zone" in out


def test_pytest_junit_under_tokyo_names_its_zone(tmp_path: Path) -> None:
    """pytest ≥ 8 writes an offset: its timestamp is one instant, judged as before."""
    (tmp_path / "test_ok.py").write_text("def test_a():\n    pass\n\ndef test_b():\n    pass\n")
    report = tmp_path / "junit.xml"
    ran = time.time()
    run_pytest(
        tmp_path,
        f"--junitxml={report}",
        "test_ok.py",
        env=TOKYO,
        timeout=120,
        check=True,
    )
    stamp = etree.parse(str(report)).getroot().find("testsuite").get("timestamp")  # type: ignore[union-attr]
    if stamp is None or datetime.fromisoformat(stamp).tzinfo is None:
        pytest.skip(f"this pytest writes no zone in its timestamp ({stamp})")
    assert stamp.endswith("+09:00")
    code, out = _verdict(tmp_path, report, "1h", ran + 60)
    assert code == ExitCode.READY, out
    code, out = _verdict(tmp_path, report, "1h", ran + 3 * 3600)
    assert code == ExitCode.INSUFFICIENT, out
    assert "older than the max_age of 60 minutes" in out
    code, out = _verdict(tmp_path, report, "1h", ran - 3600)
    assert code == ExitCode.INSUFFICIENT, out
    assert "in the future" in out
