"""Criteria files a CI pipeline gets wrong in ways that must not read as READY, on the JUnit
file of a real pytest run."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.cli.test_gathering import FAILING, PASSING, pytest_junit
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("gates")
    junit = where / "junit.xml"
    pytest_junit(where / "suite", PASSING, junit)
    return junit


def verdict(tmp_path: Path, criteria: str, results: Path) -> tuple[int, str, str]:
    path = tmp_path / "criteria.yaml"
    path.write_text(textwrap.dedent(criteria), encoding="utf-8")
    proc = run_cli("verdict", "-c", str(path), str(results))
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize(
    ("phases", "line", "message"),
    [
        # The second phase's list lost (mis-indented, or left for later): it showed
        # INSUFFICIENT EVIDENCE under an overall READY that nothing in it decided.
        ("  - name: Performance\n", 7, "phases[1]: missing required key 'criteria'"),
        ("  - name: Performance\n    criteria: []\n", 8, "a phase needs at least one criterion"),
        # Ids where the criteria belong, as a reader of "criteria: [...]" would write them.
        (
            "  - name: Performance\n    criteria: [no-failures]\n",
            8,
            "a phase holds its criteria written out in full, not their ids: move the "
            "criterion 'no-failures'",
        ),
    ],
)
def test_a_phase_without_criteria_is_an_invalid_criteria_file(
    tmp_path: Path, results: Path, phases: str, line: int, message: str
) -> None:
    criteria = (
        "version: 1\n"
        "phases:\n"
        "  - name: Correctness\n"
        "    criteria:\n"
        "      - id: no-failures\n"
        "        tests: {max_failed: 0}\n" + phases
    )
    code, out, err = verdict(tmp_path, criteria, results)
    assert code == 4, out + err
    assert err.startswith(f"reportgen: {tmp_path / 'criteria.yaml'}:{line}: "), err
    assert message in err
    assert err.count("\n") == 1


SKIPPED_GROUP = """
import pytest

def test_api():
    assert True

@pytest.mark.skip(reason="no database on this runner")
def test_db_migrates():
    assert False
"""


def test_a_select_entry_whose_tests_all_skipped_is_insufficient(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    pytest_junit(tmp_path / "suite", SKIPPED_GROUP, junit)
    criteria = """\
        version: 1
        criteria:
          - id: api-and-db
            tests: {select: ["*test_api", "*test_db_*"], max_failed: 0}
        """
    # The database tests never ran, and the API test's pass was READY for both.
    code, out, err = verdict(tmp_path, criteria, junit)
    assert code == 3, out + err
    assert "none of the 1 tests matching select '*test_db_*' ran" in out
    # An entry with one test that ran is evidence, whatever its neighbours did.
    code, out, err = verdict(tmp_path, criteria.replace("*test_db_*", "*test_*"), junit)
    assert code == 0, out + err


@pytest.mark.parametrize(
    ("check", "message"),
    [
        # Every rate reaches 0%: the gate said READY over a suite whose every test failed.
        ("min_pass_rate: 0%", "min_pass_rate: '0%' can never fail (every pass rate reaches 0)"),
        ("min_pass_rate: 0", "min_pass_rate: 0 can never fail"),
        ("min_total: 0", "min_total: Input should be greater than or equal to 1"),
    ],
)
def test_a_floor_that_can_never_fail_is_an_invalid_criteria_file(
    tmp_path: Path, check: str, message: str
) -> None:
    junit = tmp_path / "junit.xml"
    pytest_junit(tmp_path / "suite", FAILING, junit)
    criteria = f"version: 1\ncriteria:\n  - id: rate\n    tests: {{{check}}}\n"
    code, out, err = verdict(tmp_path, criteria, junit)
    assert code == 4, out + err
    assert err.startswith(f"reportgen: {tmp_path / 'criteria.yaml'}:4: "), err
    assert message in err
