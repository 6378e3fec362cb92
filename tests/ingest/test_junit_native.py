"""JUnit XML written at test time by real C++ harnesses (googletest, Boost.Test, Catch2) and by
Python's unittest-xml-reporting, then read: failures their XML words unusually are no pass."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import Outcome, Run
from tests.conftest import run_cli


def _criteria(tmp_path: Path, body: str) -> str:
    path = tmp_path / "criteria.yaml"
    path.write_text(f"version: 1\ncriteria:\n{body}")
    return str(path)


def _compile(where: Path, source: str, header: str, libs: list[str]) -> Path:
    """Build one C++ test program with g++; skip when the compiler or the harness is missing."""
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.skip("g++ is not installed")
    if not Path("/usr/include", header).exists():
        pytest.skip(f"{header} is not installed")
    (where / "t.cc").write_text(source)
    program = where / "t"
    subprocess.run(
        [gxx, "-std=c++17", "t.cc", "-o", str(program), *libs, "-pthread"],
        cwd=where,
        capture_output=True,
        timeout=600,
        check=True,
    )
    return program


def _run(argv: list[str], where: Path, **env: str) -> int:
    return subprocess.run(
        argv,
        cwd=where,
        env={**os.environ, **env},
        capture_output=True,
        timeout=120,
        check=False,
    ).returncode


def _outcomes(run: Run) -> dict[str, Outcome]:
    return {t.name: t.outcome for t in run.tests}


GTEST = """
#include <gtest/gtest.h>
#include <cstdlib>
TEST(Math, Adds) { EXPECT_EQ(2, 1 + 1); }
TEST(Math, SkipAfterFail) { EXPECT_EQ(1, 2); GTEST_SKIP() << "skip after fail"; }
TEST(Math, SkipsItself) { GTEST_SKIP() << "no gpu"; }
TEST(Math, DISABLED_Later) { EXPECT_EQ(1, 1); }
class Env : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { if (std::getenv("SETUP_FAIL")) FAIL() << "setup failed"; }
};
TEST_F(Env, One) { EXPECT_TRUE(true); }
TEST_F(Env, Two) { EXPECT_TRUE(true); }
"""


@pytest.fixture(scope="module")
def gtest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The googletest program above, built once for the tests that run it."""
    where = tmp_path_factory.mktemp("gtest")
    return _compile(where, GTEST, "gtest/gtest.h", ["-lgtest", "-lgtest_main"])


def test_googletest_failure_then_skip_is_a_failure(tmp_path: Path, gtest: Path) -> None:
    # A test whose EXPECT failed and which then called GTEST_SKIP() is FAILED to googletest
    # (exit 1, listed under FAILED); its XML holds <failure> and then <skipped>, and was read
    # as a skip: `max_failed: 0` said READY.
    out = tmp_path / "gtest.xml"
    rc = _run([str(gtest), "--gtest_filter=Math.*", f"--gtest_output=xml:{out}"], tmp_path)
    assert rc == 1
    run = load([str(out)])
    outcomes = _outcomes(run)
    assert outcomes["SkipAfterFail"] is Outcome.FAILED
    assert outcomes["SkipsItself"] is Outcome.SKIPPED
    assert outcomes["DISABLED_Later"] is Outcome.SKIPPED
    failed = next(t for t in run.tests if t.name == "SkipAfterFail")
    assert "Expected equality" in (failed.message or "")
    # googletest's own counts agree with that reading: no warning about them.
    assert not [w for w in run.warnings if "declares" in w.message]
    criteria = _criteria(tmp_path, "  - id: ok\n    tests: {max_failed: 0}\n")
    assert run_cli("verdict", "--ci", "none", "-c", criteria, str(out)).returncode == 1


def test_googletest_tests_skipped_after_their_suite_setup_failed_are_no_skips(
    tmp_path: Path, gtest: Path
) -> None:
    # When SetUpTestSuite fails, googletest skips the suite's tests without running them and
    # writes the failure nowhere in the XML (exit 1): only the skips' never-set start time and
    # empty message tell. Read as plain skips, `max_failed: 0` said READY.
    out = tmp_path / "gtest.xml"
    argv = [str(gtest), "--gtest_filter=Math.Adds:Env.*", f"--gtest_output=xml:{out}"]
    assert _run(argv, tmp_path, SETUP_FAIL="1") == 1
    run = load([str(out)])
    outcomes = _outcomes(run)
    assert outcomes == {"Adds": Outcome.PASSED, "One": Outcome.ERROR, "Two": Outcome.ERROR}
    assert not [w for w in run.warnings if "declares" in w.message]
    criteria = _criteria(tmp_path, "  - id: ok\n    tests: {max_failed: 0}\n")
    assert run_cli("verdict", "--ci", "none", "-c", criteria, str(out)).returncode == 1
    # Without the failure, the same suite passes, and a skip of its own stays a skip.
    assert _run(argv, tmp_path) == 0
    assert set(_outcomes(load([str(out)])).values()) == {Outcome.PASSED}


def test_googletest_fail_fast_leaves_the_rest_not_run(tmp_path: Path, gtest: Path) -> None:
    out = tmp_path / "gtest.xml"
    argv = [str(gtest), "--gtest_fail_fast", "--gtest_filter=Math.*:Env.*"]
    assert _run([*argv, f"--gtest_output=xml:{out}"], tmp_path) == 1
    outcomes = _outcomes(load([str(out)]))
    assert outcomes["SkipAfterFail"] is Outcome.FAILED
    assert outcomes["One"] is Outcome.ERROR and outcomes["Two"] is Outcome.ERROR
    assert outcomes["DISABLED_Later"] is Outcome.SKIPPED


NODE_SKIP_THEN_THROW = """
const { test } = require('node:test');
test('skip then throw', (t) => { t.skip('later'); throw new Error('boom'); });
"""


def test_node_skip_then_throw_is_a_failure(tmp_path: Path) -> None:
    # node exits 1 for a test that called t.skip() and then threw; its JUnit holds <skipped>
    # (type "skipped", not "todo") and <failure>.
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    (tmp_path / "s.test.js").write_text(NODE_SKIP_THEN_THROW)
    out = tmp_path / "node.xml"
    with out.open("w") as handle:
        subprocess.run(
            [node, "--test", "--test-reporter=junit", "s.test.js"],
            cwd=tmp_path,
            stdout=handle,
            timeout=120,
            check=False,
        )
    assert b"<failure" in out.read_bytes() and b"<skipped" in out.read_bytes()
    assert [t.outcome for t in load([str(out)]).tests] == [Outcome.FAILED]


CATCH2 = """
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
TEST_CASE("adds") { REQUIRE(1 + 1 == 2); }
TEST_CASE("may fail", "[!mayfail]") { REQUIRE(false); }
TEST_CASE("should fail", "[!shouldfail]") { REQUIRE(false); }
"""


def test_catch2_expected_failures_stay_skipped(tmp_path: Path) -> None:
    # Catch2 writes a failing `[!mayfail]` / `[!shouldfail]` test as <skipped> beside its
    # <failure> and does not count it as failed (exit 0): the skip stands.
    program = _compile(tmp_path, CATCH2, "catch2/catch.hpp", [])
    out = tmp_path / "catch2.xml"
    assert _run([str(program), "-r", "junit", "-o", str(out)], tmp_path) == 0
    outcomes = _outcomes(load([str(out)]))
    assert outcomes == {
        "adds": Outcome.PASSED,
        "may fail": Outcome.SKIPPED,
        "should fail": Outcome.SKIPPED,
    }


def _python_has(module: str) -> bool:
    probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
    return probe.returncode == 0
