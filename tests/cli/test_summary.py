"""`reportgen summary` end to end: the real CLI in a subprocess on real files."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from tests.conftest import run_cli

JSON_KEYS = {"total", "passed", "failed", "errors", "skipped", "flaky", "duration_s", "files"}


def _copy(corpus: Path, relative: str, target: Path) -> Path:
    """Copy a corpus file into a temporary tree (never into the repository)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(corpus / "junit" / relative, target)
    return target


def test_json_output_keys_and_counts(corpus: Path) -> None:
    path = corpus / "junit/gotestsum/junitxml-report.golden"
    proc = run_cli("summary", "--json", str(path))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert JSON_KEYS | {"metrics"} <= set(data)
    assert (data["total"], data["passed"], data["failed"], data["errors"], data["skipped"]) == (
        60,
        42,
        13,
        0,
        5,
    )
    assert data["flaky"] == 0
    assert data["duration_s"] > 0
    assert data["metrics"] == []
    (entry,) = data["files"]
    assert {"path", "format", "sha256", "tests", "warnings"} <= set(entry)
    assert entry["path"] == str(path)
    assert entry["format"] == "junit"
    assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert entry["tests"] == 60
    assert any("tests=59 but it contains 60" in w for w in entry["warnings"])


def test_table_output(corpus: Path) -> None:
    proc = run_cli("summary", str(corpus / "junit/jest-junit/jest-junit.xml"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("6 tests: 1 passed, 4 failed, 0 errors, 1 skipped, 0 flaky")
    # Per-suite counts: jest-junit's file suites read with their describe paths.
    assert "main.test.js / Test 1 / Test 1.1" in out
    assert "Failures:" in out
    assert "Error: expect(received).toBeTruthy()" in out  # the first message line
    assert proc.stderr == ""


def test_failing_tests_still_exit_zero_and_flaky_counted(corpus: Path) -> None:
    proc = run_cli(
        "summary",
        "--json",
        str(corpus / "junit/maven-surefire/flakyFailure-surefire-report.xml"),
        str(corpus / "junit/pytest/report.xml"),
    )
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert (data["total"], data["passed"], data["failed"], data["flaky"]) == (4, 2, 2, 1)
    assert [f["tests"] for f in data["files"]] == [1, 3]


def test_directory_with_non_result_file(corpus: Path, tmp_path: Path) -> None:
    _copy(corpus, "phpunit/phpunit.xml", tmp_path / "results" / "a" / "phpunit.xml")
    _copy(corpus, "catch2/report.xml", tmp_path / "results" / "b" / "catch2.xml")
    (tmp_path / "results" / "notes.txt").write_text("not a result file\n")
    proc = run_cli("summary", "--json", str(tmp_path / "results"))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["total"] == 13
    assert [Path(f["path"]).name for f in data["files"]] == ["phpunit.xml", "catch2.xml"]
    assert data["skipped_files"] == [str(tmp_path / "results" / "notes.txt")]
    table = run_cli("summary", str(tmp_path / "results"))
    assert table.returncode == 0
    assert "Not read (1 files):" in table.stdout
    assert f"{tmp_path / 'results' / 'notes.txt'}: not a results file" in table.stdout


def test_glob_input(corpus: Path, tmp_path: Path) -> None:
    _copy(corpus, "pytest/report.xml", tmp_path / "TEST-one.xml")
    _copy(corpus, "catch2/report.xml", tmp_path / "TEST-two.xml")
    _copy(corpus, "mocha-junit-reporter/mocha.xml", tmp_path / "other.xml")
    proc = run_cli("summary", "--json", str(tmp_path / "TEST-*.xml"))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["total"] == 4
    assert len(data["files"]) == 2


def test_forced_format(corpus: Path, tmp_path: Path) -> None:
    path = _copy(corpus, "container-structure-test/test.xml", tmp_path / "results.data")
    proc = run_cli("summary", "--json", "--format", "junit", str(path))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["files"][0]["format"] == "junit"
    unknown = run_cli("summary", "--format", "no-such-format", str(path))
    assert unknown.returncode == 2
    assert "unknown format" in unknown.stderr


def test_no_paths_is_a_usage_error() -> None:
    proc = run_cli("summary")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_bad_inputs_exit_4_with_one_line(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.xml"
    truncated.write_text('<?xml version="1.0"?>\n<testsuites>\n<testsuite name="s">\n<testcase')
    bomb = Path(__file__).resolve().parent.parent / "fixtures" / "junit" / "entity-bomb.xml"
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.xml"
    for path, fragment in (
        (truncated, "malformed XML"),
        (bomb, "entities"),
        (empty, "empty"),
        (missing, "no such file"),
    ):
        proc = run_cli("summary", str(path))
        assert proc.returncode == 4, (path, proc.stderr)
        assert proc.stdout == ""
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert str(path) in lines[0] and fragment in lines[0]
        assert "Traceback" not in proc.stderr
    forced = run_cli("summary", "--format", "junit", str(truncated))
    assert forced.returncode == 4
    assert f"{truncated}:4:" in forced.stderr
