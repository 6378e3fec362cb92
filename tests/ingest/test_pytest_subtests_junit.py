"""pytest counts each subtest report in its JUnit file's `tests` but writes one testcase per
test: passing subtests are no lost testcases, and a failing one fails its test.

Both files are written by the real pytest in the test (its `subtests` fixture, pytest 9).
Before, every pytest 9 run with passing subtests was INSUFFICIENT ("declares 5 test(s) but
contains 2").
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import IntegrityKind
from tests.conftest import run_cli, run_pytest

SUITE = textwrap.dedent(
    """
    def test_sub(subtests):
        for i in range(3):
            with subtests.test(msg="case", i=i):
                assert i != FAILING


    def test_plain():
        pass
    """
)
CRITERIA = "version: 1\ncriteria:\n  - id: clean\n    tests: {max_failed: 0}\n"


def _junit(where: Path, failing: int) -> Path:
    where.mkdir()
    (where / "test_sub.py").write_text(f"FAILING = {failing}\n{SUITE}")
    report = where / "junit.xml"
    run_pytest(where, f"--junitxml={report}", "test_sub.py")
    return report


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not hasattr(pytest, "Subtests"):
        pytest.skip("this pytest has no subtests fixture (pytest 9 adds it)")
    where = tmp_path_factory.mktemp("subtests")
    return {"passing": _junit(where / "passing", -1), "failing": _junit(where / "failing", 1)}


def test_passing_subtests_are_no_lost_testcases(reports: dict[str, Path], tmp_path: Path) -> None:
    text = reports["passing"].read_text()
    assert 'tests="5"' in text and text.count("<testcase ") == 2  # the shape read here
    run = load([str(reports["passing"])])
    assert not [f for i in run.inputs for f in i.integrity]
    assert any("3 subtest report(s)" in w.message for w in run.warnings)
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(CRITERIA)
    proc = run_cli("verdict", "-c", str(criteria), str(reports["passing"]))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_failing_subtest_fails_its_test(reports: dict[str, Path], tmp_path: Path) -> None:
    run = load([str(reports["failing"])])
    kinds = {f.kind for i in run.inputs for f in i.integrity}
    assert IntegrityKind.TESTS_MISSING not in kinds
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(CRITERIA)
    proc = run_cli("verdict", "-c", str(criteria), str(reports["failing"]))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "test_sub::test_sub" in proc.stdout
