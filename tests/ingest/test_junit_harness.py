"""JUnit files written at test time by real harnesses (pytest, node --test, ctest), then read."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import Outcome
from tests.conftest import run_ctest, run_pytest

PYTEST_SUITE = """
import pytest

@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("teardown exploded")

def test_passes():
    assert True

def test_fails_and_teardown_errors(broken_teardown):
    assert 1 == 2, "one is not two"

@pytest.mark.xfail(reason="known bug 42")
def test_xfail():
    assert False

@pytest.mark.skip(reason="needs a GPU")
def test_skip():
    pass

def test_output():
    print("hello from stdout")
"""


@pytest.mark.parametrize("family", ["xunit1", "xunit2"])
def test_pytest_junit_families(tmp_path: Path, family: str) -> None:
    (tmp_path / "test_sample.py").write_text(PYTEST_SUITE)
    report = tmp_path / f"{family}.xml"
    proc = run_pytest(
        tmp_path,
        "-o",
        f"junit_family={family}",
        "-o",
        "junit_logging=system-out",
        f"--junitxml={report}",
        "test_sample.py",
        timeout=120,
    )
    assert proc.returncode == 1, proc.stdout[-2000:]  # a test failed, as written
    run = load([str(report)])
    cases = {case.name: case for case in run.tests}
    # Five tests; the failed call and its teardown error are two executions of one of them.
    assert sorted(cases) == [
        "test_fails_and_teardown_errors",
        "test_output",
        "test_passes",
        "test_skip",
        "test_xfail",
    ]
    assert len(run.tests) == 6
    executions = [c for c in run.tests if c.name == "test_fails_and_teardown_errors"]
    assert [c.outcome for c in executions] == [Outcome.FAILED, Outcome.ERROR]
    failed = executions[0]
    assert failed.message is not None and "one is not two" in failed.message
    assert failed.id == "test_sample::test_fails_and_teardown_errors"
    xfail = cases["test_xfail"]
    assert xfail.outcome is Outcome.SKIPPED and xfail.properties["xfail"] == "known bug 42"
    skip = cases["test_skip"]
    assert skip.outcome is Outcome.SKIPPED and skip.message == "needs a GPU"
    assert "hello from stdout" in (cases["test_output"].output or "")
    assert cases["test_passes"].outcome is Outcome.PASSED
    assert all(case.duration is not None for case in run.tests)
    if family == "xunit1":
        assert cases["test_passes"].file == "test_sample.py"
        assert cases["test_passes"].line is not None
    assert run.inputs[0].timestamp is not None
    # pytest's declared counts agree with the contents once duplicates are understood.
    assert run.warnings == ()


NODE_SUITE = """
import { test, describe } from 'node:test';
import assert from 'node:assert';
describe('group', () => {
  test('passes', () => { assert.ok(true); });
  test('fails in colour', () => { throw new Error('\\x1b[31mexpected red\\x1b[39m'); });
  test('skipped', { skip: 'not today' }, () => {});
  test('todo', { todo: true }, () => {});
});
test('top level', () => { assert.deepStrictEqual({ a: 1 }, { a: 2 }); });
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_test_runner_junit_reporter(tmp_path: Path) -> None:
    (tmp_path / "sample.test.mjs").write_text(NODE_SUITE)
    report = tmp_path / "node.xml"
    proc = subprocess.run(
        [
            "node",
            "--test",
            "--test-reporter=junit",
            f"--test-reporter-destination={report}",
            "sample.test.mjs",
        ],
        cwd=tmp_path,
        env={**os.environ, "FORCE_COLOR": "3"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if not report.exists() or proc.returncode not in (0, 1):
        pytest.skip(f"this node has no junit reporter: {proc.stderr[-300:]}")
    assert b"\x1b" in report.read_bytes()  # the raw ESC Node writes, invalid in XML 1.0
    run = load([str(report)])
    cases = {case.name: case for case in run.tests}
    assert cases["passes"].outcome is Outcome.PASSED
    coloured = cases["fails in colour"]
    assert coloured.outcome is Outcome.FAILED
    assert coloured.message == "expected red"
    assert "\x1b" not in (coloured.output or "")
    assert cases["skipped"].outcome is Outcome.SKIPPED
    assert cases["todo"].outcome is Outcome.SKIPPED
    assert cases["top level"].outcome is Outcome.FAILED
    assert cases["passes"].suite == ("group",)
    assert any("control characters" in w.message for w in run.warnings)
    assert len(run.tests) == 5
    # Node's classname `test` is dropped (its run summary comments say the file is Node's):
    # the ids are the ones Node's TAP reporter gives.
    assert cases["passes"].id == "group::passes"
    assert cases["top level"].id == "top level"


def test_a_class_named_test_outside_node_keeps_its_name(tmp_path: Path) -> None:
    # pytest names the class of every test in a root `test.py` `test`, as Node does: without
    # Node's other marks that is a class, and the JUnit ids agree with pytest-json-report's.
    pytest.importorskip("pytest_jsonreport", reason="pytest-json-report is not installed")
    (tmp_path / "test.py").write_text("def test_one():\n    pass\n\ndef test_two():\n    pass\n")
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            f"--junitxml={junit}",
            "--json-report",
            f"--json-report-file={report}",
            "test.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert 'classname="test"' in junit.read_text()
    ids = sorted(t.id for t in load([str(junit)]).tests)
    assert ids == ["test::test_one", "test::test_two"]
    assert ids == sorted(t.id for t in load([str(report)]).tests)


CMAKE_PROJECT = """
cmake_minimum_required(VERSION 3.10)
project(demo NONE)
enable_testing()
add_test(NAME passes COMMAND sh -c "echo hello; exit 0")
add_test(NAME fails COMMAND sh -c "echo boom >&2; exit 3")
add_test(NAME disabled_one COMMAND sh -c "exit 0")
set_tests_properties(disabled_one PROPERTIES DISABLED TRUE)
add_test(NAME skipper COMMAND sh -c "echo skipping; exit 77")
set_tests_properties(skipper PROPERTIES SKIP_RETURN_CODE 77)
"""


def test_ctest_output_junit(tmp_path: Path) -> None:
    report = run_ctest(tmp_path, textwrap.dedent(CMAKE_PROJECT))
    run = load([str(report)])
    cases = {case.name: case for case in run.tests}
    assert cases["passes"].outcome is Outcome.PASSED
    assert "hello" in (cases["passes"].output or "")
    assert cases["fails"].outcome is Outcome.FAILED
    assert cases["disabled_one"].outcome is Outcome.SKIPPED  # not passed
    assert cases["skipper"].outcome is Outcome.SKIPPED
    assert len(run.tests) == 4
    assert run.warnings == ()


def test_pytest_junit_names_with_ampersands_read_as_pytest_wrote_them(tmp_path: Path) -> None:
    # pytest escapes `&`, `<` and `"` in its JUnit attributes; the names read back must be the
    # ones pytest collected, or ids stop matching other formats, `require` and baselines.
    (tmp_path / "test_amp.py").write_text(
        textwrap.dedent(
            """
            import pytest

            class TestR_and_D:
                @pytest.mark.parametrize("v", ["a&b", "x<y", 'q"r', "&#38;"])
                def test_case(self, v):
                    assert v
            """
        )
    )
    report = tmp_path / "junit.xml"
    proc = run_pytest(tmp_path, f"--junitxml={report}", "test_amp.py", timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert b"&amp;" in report.read_bytes()  # the escaping this test is about
    listed = run_pytest(tmp_path, "--collect-only", "test_amp.py", timeout=120)
    collected = sorted(
        line.split("::")[-1] for line in listed.stdout.splitlines() if "::test_case[" in line
    )
    assert len(collected) == 4, listed.stdout[-2000:]
    run = load([str(report)])
    assert sorted(case.name for case in run.tests) == collected
    assert {case.classname for case in run.tests} == {"test_amp.TestR_and_D"}
