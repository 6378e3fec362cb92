"""Test file paths as Windows leaves them in ids.

A pytest node id spelled with `\\` (a Windows tool that does not normalise it; pytest itself
always writes `/`) kept the `\\` in the canonical id (`tests\\unit\\test_x::test_a`), not the
dotted module path pytest's junitxml gives the same test (`tests.unit.test_x::test_a`): a
`require` written from the JUnit report's ids matched nothing (INSUFFICIENT, exit 3, on a clean
run), and a baseline read from the JUnit report could not pair the tests for `new_failures`.
Drive letters spelled `C:` and `c:` in one report left every id with the checkout's path.
A test file's relative Windows path in a classname or scope
(`[chromium] › tests\\unit\\add.spec.ts`) kept its `\\`: a `require` written with `/` matched
nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportgen.errors import ExitCode
from reportgen.ingest import load
from reportgen.model import make_test_id
from tests.conftest import gate_verdict, run_pytest


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
    run_pytest(
        suite, "--json-report", f"--json-report-file={report}", f"--junitxml={junit}", check=True
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


def _respelled(corpus_file: Path, target: Path, sep: str) -> Path:
    """The corpus's Playwright JSON with its spec files moved under `tests/unit/`, the path
    spelled with `sep` (`\\` as a reporter that does not normalise paths writes it on
    Windows)."""
    doc = json.loads(corpus_file.read_text(encoding="utf-8"))

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("file", "title") and isinstance(value, str) and value.endswith(".ts"):
                    node[key] = sep.join(("tests", "unit", value.rsplit("/", 1)[-1]))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(doc)
    target.write_text(json.dumps(doc), encoding="utf-8")
    return target


def test_a_windows_file_path_in_a_scope_is_spelled_with_slashes(
    tmp_path: Path, corpus: Path
) -> None:
    # Before: `[chromium] › tests\unit\add.spec.ts › add::adds`; a require written with `/`
    # matched nothing (INSUFFICIENT, 3) -> it sees the failure (NOT READY, 1).
    source = corpus / "playwright" / "daun-pw-report-valid.json"
    posix = _respelled(source, tmp_path / "posix.json", "/")
    windows = _respelled(source, tmp_path / "windows.json", "\\")
    ids = sorted(t.id for t in load([str(windows)]).tests)
    assert ids == sorted(t.id for t in load([str(posix)]).tests)
    assert "[chromium] › tests/unit/add.spec.ts › add::adds" in ids
    code, out = gate_verdict(
        tmp_path,
        str(windows),
        criteria="version: 1\ncriteria:\n  - id: r\n"
        '    tests: {require: ["[chromium] › tests/unit/add.spec.ts › *"]}\n',
    )
    assert code == ExitCode.NOT_READY, out


def test_a_namespace_classname_keeps_its_backslashes() -> None:
    # PHPUnit's class: a PHP namespace, no file path.
    assert make_test_id("testAdd", "App\\Tests\\CalcTest", ()) == "App\\Tests\\CalcTest::testAdd"
    assert make_test_id("adds", "src\\a.test.js › outer", ()) == "src/a.test.js › outer::adds"
