"""One canonical test id across formats: one Jest run and one Playwright run, each written by
every reporter of its harness, read to the same ids; `new_failures` across formats.

The inputs are committed outputs of the real harnesses (tests/fixtures/ids/README.md names the
commands and versions): each rule is checked on what the reporters really write.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import Outcome, TestCase, is_absolute_path
from tests.conftest import run_cli
from tests.ingest.json_ingest_support import FIXTURES

IDS = FIXTURES / "ids"
JEST = IDS / "jest"
PLAYWRIGHT = IDS / "playwright"


def _ids(path: Path) -> list[tuple[str, Outcome]]:
    return sorted((t.id, t.outcome) for t in load([str(path)]).tests)


def _full_title(test: TestCase) -> str:
    """Jest's fullName from the JSON reporter's fields: describe blocks and title."""
    return " ".join((*test.suite[1:], test.name))


# --- Jest -----------------------------------------------------------------------------------


def test_jest_json_and_its_ctrf_reporter_give_the_same_ids() -> None:
    from_json = _ids(JEST / "jest.json")
    assert _ids(JEST / "jest-ctrf.json") == from_json
    assert len(from_json) == 11
    # The same describe path and title in two files are two tests, not repeats of one.
    assert ("math.test.js › math › add::adds", Outcome.PASSED) in from_json
    assert ("nested/math.test.js › math › add::adds", Outcome.PASSED) in from_json
    assert ("math.test.js::top level", Outcome.PASSED) in from_json
    assert ("nested/math.test.js::top level", Outcome.FAILED) in from_json


def test_jest_junit_ids_are_the_file_and_full_title() -> None:
    # jest-junit's default templates write the describe blocks and title joined by spaces as
    # both classname and name, so the split between them is lost: the id is the full title,
    # after the file when addFileAttribute gives it (relative to the files' shared directory).
    tests = load([str(JEST / "jest.json")]).tests
    with_file = sorted((f"{t.file}::{_full_title(t)}", t.outcome) for t in tests)
    without = sorted((_full_title(t), t.outcome) for t in tests)
    assert _ids(JEST / "jest-junit-file.xml") == with_file
    assert _ids(JEST / "jest-junit-default.xml") == without
    # A test outside any describe block (written " top level") loses the leading space.
    assert ("top level", Outcome.FAILED) in without


def test_jest_junit_with_file_suites_gives_the_json_ids() -> None:
    # Suite = the file's path, classname = the describe path joined by " › ": every part of
    # the id is there, and it reads as Jest's JSON id.
    assert _ids(JEST / "jest-junit-paths.xml") == _ids(JEST / "jest.json")
    # Default templates with the path as suite name: the file comes from the suite.
    tests = load([str(JEST / "jest.json")]).tests
    with_file = sorted((f"{t.file}::{_full_title(t)}", t.outcome) for t in tests)
    assert _ids(JEST / "jest-junit-suitepath.xml") == with_file


def test_one_jest_run_written_by_every_reporter_counts_once() -> None:
    files = ["jest.json", "jest-ctrf.json", "jest-junit-default.xml", "jest-junit-file.xml"]
    run = load([str(JEST / name) for name in files])
    assert [i.duplicate_of is None for i in run.inputs].count(True) == 1
    assert len(run.tests) == len(load([str(JEST / "jest.json")]).tests)


# --- Playwright -----------------------------------------------------------------------------


def test_playwright_json_junit_and_ctrf_give_the_same_ids() -> None:
    from_json = _ids(PLAYWRIGHT / "pw.json")
    assert _ids(PLAYWRIGHT / "pw-junit.xml") == from_json
    assert _ids(PLAYWRIGHT / "pw-ctrf.json") == from_json
    assert len(from_json) == 18  # 9 tests in each of the projects alpha and beta
    for project in ("alpha", "beta"):
        assert (f"[{project}] › math.spec.js › math › add::adds", Outcome.PASSED) in from_json
        assert (f"[{project}] › nested/math.spec.js::top level", Outcome.FAILED) in from_json


def test_playwright_ctrf_retries_without_attempt_numbers_are_read() -> None:
    # playwright-ctrf-json-reporter 0.0.x lists the failed attempts without numbering them.
    run = load([str(PLAYWRIGHT / "pw-ctrf.json")])
    retried = [t for t in run.tests if t.name == "passes on retry"]
    assert len(retried) == 2
    for test in retried:
        assert test.flaky and test.outcome is Outcome.PASSED
        assert [(a.number, a.outcome) for a in test.attempts] == [
            (1, Outcome.FAILED),
            (2, Outcome.PASSED),
        ]


# --- every format ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", sorted(p for p in IDS.rglob("*") if p.suffix in (".json", ".xml")), ids=str
)
def test_ids_hold_no_checkout_path(path: Path) -> None:
    run = load([str(path)])
    assert run.tests
    for test in run.tests:
        assert "/home/ci" not in test.id
        assert not any(is_absolute_path(part) for part in test.id.split(" › "))
        assert test.file is None or not is_absolute_path(test.file)


# --- new_failures across formats ------------------------------------------------------------

NEW_FAILURES = "version: 1\ncriteria:\n  - id: new\n    tests: {new_failures: 0}\n"


def _new_failures(tmp_path: Path, baseline: Path, current: Path) -> tuple[int, dict[str, object]]:
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(textwrap.dedent(NEW_FAILURES))
    proc = run_cli(
        "verdict", "--json", "-", "-c", str(criteria), str(current), "--baseline", str(baseline)
    )
    assert proc.returncode in (0, 1, 3), proc.stdout + proc.stderr
    document = json.loads(proc.stdout)
    return proc.returncode, next(c for c in document["criteria"] if c["id"] == "new")


def _listed(criterion: dict[str, object]) -> list[str]:
    """The ids a failing `new_failures` reason names as new failures."""
    return str(criterion["reason"]).split("more than 0: ", 1)[1].split(" (", 1)[0].split(", ")


@pytest.mark.parametrize(
    ("baseline", "current", "broken"),
    [
        # Baseline in one format, current run (one test broken since) in another.
        ("jest-ctrf.json", "after/jest.json", ["nested/math.test.js › math › add::adds"]),
        ("jest-junit-file.xml", "after/jest.json", ["nested/math.test.js › math › add::adds"]),
        ("jest.json", "after/jest-junit-file.xml", ["nested/math.test.js::math add adds"]),
        # Without the file, the broken test's full title is shared, but none of the tests of
        # that title failed before: it is a new failure whichever it was.
        ("jest-junit-default.xml", "after/jest.json", ["nested/math.test.js › math › add::adds"]),
    ],
)
def test_jest_new_failures_across_formats(
    tmp_path: Path, baseline: str, current: str, broken: list[str]
) -> None:
    code, new = _new_failures(tmp_path, JEST / baseline, JEST / current)
    assert code == 1 and new["status"] == "fail", new
    assert _listed(new) == broken
    # The two tests that fail in both runs are carried over, not new. Without files, one of
    # them (`top level`, of which one failed and one passed before) cannot be told either way.
    reason = str(new["reason"])
    if baseline == "jest-junit-default.xml":
        assert "1 failing in the baseline too" in reason
        assert "1 that cannot be matched to one baseline test (nested/math.test.js::top" in reason
    else:
        assert "2 failing in the baseline too" in reason


@pytest.mark.parametrize(
    ("baseline", "current"),
    [
        ("pw-junit.xml", "after/pw.json"),
        ("pw.json", "after/pw-junit.xml"),
        ("pw-ctrf.json", "after/pw.json"),
    ],
)
def test_playwright_new_failures_across_formats(
    tmp_path: Path, baseline: str, current: str
) -> None:
    code, new = _new_failures(tmp_path, PLAYWRIGHT / baseline, PLAYWRIGHT / current)
    assert code == 1 and new["status"] == "fail", new
    assert _listed(new) == [
        f"[{project}] › nested/math.spec.js › math › add::adds" for project in ("alpha", "beta")
    ]
    assert "18 of the baseline's 18 tests matched by id" in str(new["reason"])


def test_a_full_title_no_file_tells_apart_is_insufficient(tmp_path: Path) -> None:
    # jest-junit's defaults write `top level` for the tests of that title in both files; one
    # of them failed. Now (Jest JSON, with files) `nested/math.test.js::top level` fails:
    # whether it is the one that failed before cannot be known, so no verdict either way.
    code, new = _new_failures(tmp_path, JEST / "jest-junit-default.xml", JEST / "jest.json")
    assert code == 3 and new["status"] == "insufficient", new
    assert "nested/math.test.js::top level" in str(new["reason"])
    assert "cannot be matched to one baseline test" in str(new["reason"])
    # The other way round: two baseline tests of one title, and now one id for both.
    code, new = _new_failures(tmp_path, JEST / "jest.json", JEST / "jest-junit-default.xml")
    assert code == 3 and new["status"] == "insufficient", new
    assert "2 tests cannot be matched to one baseline test: top level, math add adds" in str(
        new["reason"]
    )
    # With the file on both sides the same runs compare cleanly.
    code, new = _new_failures(tmp_path, JEST / "jest-junit-file.xml", JEST / "jest.json")
    assert code == 0 and new["status"] == "pass", new


# --- pytest and Mocha -----------------------------------------------------------------------


def test_pytest_json_ctrf_names_read_as_pytest_ids() -> None:
    # pytest-json-ctrf writes the node id (`tests/sub/test_math.py::TestAdd::test_adds`) as
    # the name; it reads as pytest's own JUnit and pytest-json-report ids.
    pytest_dir = IDS / "pytest"
    from_ctrf = _ids(pytest_dir / "ctrf.json")
    assert from_ctrf == _ids(pytest_dir / "report.json")
    assert {i for i, _ in from_ctrf} == {i for i, _ in _ids(pytest_dir / "junit.xml")}
    assert ("tests.sub.test_math.TestAdd::test_inc[1-2]", Outcome.PASSED) in from_ctrf


def test_mocha_junit_reporter_top_level_test_reads_as_its_title() -> None:
    mocha = IDS / "mocha"
    from_json = load([str(mocha / "mocha.json")]).tests
    # mocha-junit-reporter leaves skipped tests out unless told (includePending).
    ran = sorted((t.id, t.outcome) for t in from_json if t.outcome is not Outcome.SKIPPED)
    # It writes a test outside any describe block in the root suite, which has no file: the
    # id is the title; the JSON reporter's has the file. Every other id is the same.
    top = [
        (f"{file}::top level", Outcome.PASSED) for file in ("math.spec.js", "nested/math.spec.js")
    ]
    assert [i for i in ran if i[0].endswith("::top level")] == top
    in_describe = [i for i in ran if i not in top]
    from_junit = _ids(mocha / "mocha-junit.xml")
    assert [i for i in from_junit if i[1] is not Outcome.SKIPPED] == sorted(
        [*in_describe, *[("top level", Outcome.PASSED)] * 2]
    )
    # The pending tests it counts but does not write are read as that many skipped tests.
    skipped = sum(1 for t in from_json if t.outcome is Outcome.SKIPPED)
    assert sum(1 for _, outcome in from_junit if outcome is Outcome.SKIPPED) == skipped


def test_vitest_json_and_junit_give_the_same_ids() -> None:
    # Vitest's junit reporter writes the machine's name as hostname: it must not read as a
    # Playwright project, or ids would change from machine to machine.
    vitest = IDS / "vitest"
    from_json = _ids(vitest / "vitest.json")
    assert _ids(vitest / "junit.xml") == from_json
    assert ("nested/math.test.js › math › add::adds", Outcome.PASSED) in from_json
    run = load([str(vitest / "vitest.json")])
    assert not [w for w in run.warnings if "numTotalTestSuites" in w.message]


@pytest.mark.parametrize(
    "source",
    [
        "jest/jest.json",
        "jest/jest-junit-default.xml",
        "playwright/pw-junit.xml",
        "vitest/junit.xml",
        "mocha/mocha-junit.xml",
    ],
)
def test_reportgen_ctrf_keeps_the_source_ids(tmp_path: Path, source: str) -> None:
    converted = tmp_path / "converted.ctrf.json"
    proc = run_cli("convert", "--to", "ctrf", "-o", str(converted), str(IDS / source))
    assert proc.returncode == 0, proc.stderr
    assert _ids(converted) == _ids(IDS / source)


@pytest.mark.skipif(shutil.which("ctest") is None, reason="cmake/ctest are not installed")
def test_other_producers_writing_the_name_as_classname_keep_their_ids(tmp_path: Path) -> None:
    # ctest writes classname = name, like jest-junit's defaults, but is not jest-junit: its
    # ids stay `name::name` (no leading-space test, no jest-junit root).
    (tmp_path / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.21)\nproject(p NONE)\nenable_testing()\n"
        'add_test(NAME passes COMMAND sh -c "exit 0")\n'
        'add_test(NAME fails COMMAND sh -c "exit 1")\n'
    )
    build = tmp_path / "build"
    subprocess.run(
        ["cmake", "-S", str(tmp_path), "-B", str(build)], capture_output=True, check=True
    )
    report = build / "junit.xml"
    subprocess.run(
        ["ctest", "--output-junit", str(report)], cwd=build, capture_output=True, check=False
    )
    if not report.exists():
        pytest.skip("this ctest has no --output-junit (needs CMake 3.21)")
    tests = load([str(report)]).tests
    assert sorted(t.id for t in tests) == ["fails::fails", "passes::passes"]
