"""Test file paths as Windows leaves them in ids.

A pytest node id spelled with `\\` (a Windows tool that does not normalise it; pytest itself
always writes `/`) kept the `\\` in the canonical id (`tests\\unit\\test_x::test_a`), not the
dotted module path pytest's junitxml gives the same test (`tests.unit.test_x::test_a`): a
`require` written from the JUnit report's ids matched nothing (INSUFFICIENT, exit 3, on a clean
run), and a baseline read from the JUnit report could not pair the tests for `new_failures`.
Drive letters spelled `C:` and `c:` in one report left every id with the checkout's path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.errors import ExitCode
from reportgen.ingest import load
from tests.conftest import gate_verdict


def test_a_windows_node_id_gives_the_junit_id(tmp_path: Path) -> None:
    """Real pytest's JSON report and JUnit XML of one run, the JSON's node ids re-spelled with
    `\\` as a Windows tool that does not normalise them writes them: the same ids."""
    pytest.importorskip("pytest_jsonreport", reason="pytest-json-report is not installed")
    suite = tmp_path / "suite"
    (suite / "tests" / "unit").mkdir(parents=True)
    (suite / "pytest.ini").write_text("[pytest]\n")
    (suite / "tests" / "unit" / "test_x.py").write_text(
        "import pytest\n\n\ndef test_a():\n    pass\n\n\nclass TestB:\n"
        "    @pytest.mark.parametrize('n', [1, 2])\n    def test_b(self, n):\n        pass\n"
    )
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--json-report",
            f"--json-report-file={report}",
            f"--junitxml={junit}",
        ],
        cwd=suite,
        env=os.environ,
        capture_output=True,
        timeout=120,
        check=True,
    )
    doc = json.loads(report.read_text())
    for row in (*doc["tests"], *doc.get("collectors", ())):
        row["nodeid"] = row["nodeid"].replace("/", "\\")
    windows = tmp_path / "windows.json"
    windows.write_text(json.dumps(doc))
    junit_ids = sorted(t.id for t in load([str(junit)]).tests)
    assert sorted(t.id for t in load([str(windows)]).tests) == junit_ids
    assert "tests.unit.test_x.TestB::test_b[1]" in junit_ids
    code, out = gate_verdict(
        tmp_path,
        str(windows),
        criteria="version: 1\ncriteria:\n  - id: r\n"
        '    tests: {require: ["tests.unit.test_x::test_a", "tests.unit.test_x.TestB::*"]}\n',
    )
    assert code == ExitCode.READY, out


@pytest.mark.parametrize("drives", [("C:",), ("C:", "c:")], ids=["one-spelling", "two-spellings"])
def test_drive_letter_paths_are_made_relative(
    tmp_path: Path, corpus: Path, drives: tuple[str, ...]
) -> None:
    """The corpus's Jest JSON (written on macOS) with its test files' paths as Jest on Windows
    writes them: the same ids. Jest keeps the case of the drive of the directory it was started
    in, so one run can name `C:` and `c:`; before, such files shared no directory and every id
    kept the checkout's absolute path (`c:/Users/.../GitHub.test.js::...`)."""
    source = corpus / "jest-json" / "jesteditor-failing-jest-json.json"
    doc = json.loads(source.read_text(encoding="utf-8"))
    for i, result in enumerate(doc["testResults"]):
        below = result["name"].split("/danger-js/", 1)[1].replace("/", "\\")
        result["name"] = f"{drives[i % len(drives)]}\\Users\\orta\\danger-js\\{below}"
    windows = tmp_path / "jest.json"
    windows.write_text(json.dumps(doc), encoding="utf-8")
    want = sorted(t.id for t in load([str(source)]).tests)
    assert sorted(t.id for t in load([str(windows)]).tests) == want
    assert not any(":" in i.split("::")[0] for i in want)
