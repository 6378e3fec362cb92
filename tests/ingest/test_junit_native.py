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
from reportgen.model import IntegrityKind, Outcome, Run
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
#include <chrono>
#include <cstdlib>
#include <thread>
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
// Fails in the first --gtest_repeat iteration only (one process runs them all).
TEST(Repeat, FailsFirstTime) {
  static int runs = 0;
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  if (std::getenv("FAIL_FIRST")) EXPECT_GT(runs, 0);
  ++runs;
}
// A global environment whose SetUp and TearDown take time (inside the run's `time`), and
// whose SetUp may skip the whole run.
static void slow_down() {
  if (std::getenv("SLOW_ENV")) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}
struct Global : ::testing::Environment {
  void SetUp() override {
    slow_down();
    if (std::getenv("GLOBAL_SKIP")) GTEST_SKIP() << "no device";
  }
  void TearDown() override { slow_down(); }
};
static auto* const global = ::testing::AddGlobalTestEnvironment(new Global);
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


@pytest.mark.parametrize("tz", ["UTC0", "EST5", "JST-9"])
def test_googletest_never_started_tests_are_seen_in_any_time_zone(
    tmp_path: Path, gtest: Path, tz: str
) -> None:
    # googletest writes the start time of a test it never started as the epoch in local time:
    # `1969-12-31T19:00:00.000` in New York. Only UTC's spelling was known, so elsewhere the
    # tests a failed SetUpTestSuite kept from running were plain skips, and beside a passing
    # test `max_failed: 0` said READY (exit 0) while googletest exited 1.
    out = tmp_path / "gtest.xml"
    argv = [str(gtest), "--gtest_filter=Math.Adds:Env.*", f"--gtest_output=xml:{out}"]
    assert _run(argv, tmp_path, SETUP_FAIL="1", TZ=tz) == 1
    outcomes = _outcomes(load([str(out)]))
    assert outcomes == {"Adds": Outcome.PASSED, "One": Outcome.ERROR, "Two": Outcome.ERROR}
    criteria = _criteria(tmp_path, "  - id: ok\n    tests: {max_failed: 0}\n")
    assert run_cli("verdict", "--ci", "none", "-c", criteria, str(out)).returncode == 1
    # A global Environment whose SetUp calls GTEST_SKIP(): googletest runs nothing and exits
    # 0, writing each test as status="run" result="completed", the shape of a pass, with the
    # never-set start time. Read as passes: READY. They did not run: no evidence.
    assert _run(argv, tmp_path, GLOBAL_SKIP="1", TZ=tz) == 0
    run = load([str(out)])
    assert set(_outcomes(run).values()) == {Outcome.SKIPPED}
    assert not [w for w in run.warnings if "declares" in w.message]
    assert run_cli("verdict", "--ci", "none", "-c", criteria, str(out)).returncode == 3
    # The same tests run: passes.
    assert _run(argv, tmp_path, TZ=tz) == 0
    assert set(_outcomes(load([str(out)])).values()) == {Outcome.PASSED}


def test_googletest_list_of_tests_is_no_run(tmp_path: Path, gtest: Path) -> None:
    # `--gtest_list_tests` with --gtest_output (or GTEST_OUTPUT set, as CMake's test discovery
    # then writes it) lists the tests without running any: testcases with a name, file and
    # line only, the shape of passes. Left where the run's XML should be (the run crashed and
    # wrote nothing), it read as a clean pass: READY. It holds no results.
    out = tmp_path / "gtest.xml"
    argv = [str(gtest), "--gtest_list_tests", "--gtest_filter=Math.*"]
    assert _run([*argv, f"--gtest_output=xml:{out}"], tmp_path) == 0
    run = load([str(out)])
    assert len(run.tests) == 0
    assert [f.kind for f in run.inputs[0].integrity] == [IntegrityKind.NO_RESULTS]
    criteria = _criteria(tmp_path, "  - id: ok\n    tests: {max_failed: 0}\n")
    assert run_cli("verdict", "--ci", "none", "-c", criteria, str(out)).returncode == 3


def test_googletest_fail_fast_leaves_the_rest_not_run(tmp_path: Path, gtest: Path) -> None:
    out = tmp_path / "gtest.xml"
    argv = [str(gtest), "--gtest_fail_fast", "--gtest_filter=Math.*:Env.*"]
    assert _run([*argv, f"--gtest_output=xml:{out}"], tmp_path) == 1
    outcomes = _outcomes(load([str(out)]))
    assert outcomes["SkipAfterFail"] is Outcome.FAILED
    assert outcomes["One"] is Outcome.ERROR and outcomes["Two"] is Outcome.ERROR
    assert outcomes["DISABLED_Later"] is Outcome.SKIPPED


def test_googletest_repeat_keeps_only_the_last_iteration(tmp_path: Path, gtest: Path) -> None:
    # googletest rewrites its XML after each --gtest_repeat iteration: a test that failed in
    # the first of three and passed in the others exits 1, yet the file shows a clean pass and
    # said READY. Its root's timestamp (the program's start) and time (the last iteration's)
    # show the suites ran after the run the file describes: INSUFFICIENT.
    out = tmp_path / "gtest.xml"
    argv = [str(gtest), "--gtest_filter=Repeat.*", f"--gtest_output=xml:{out}"]
    assert _run([*argv, "--gtest_repeat=3"], tmp_path, FAIL_FIRST="1", SLOW_ENV="1") == 1
    run = load([str(out)])
    assert _outcomes(run) == {"FailsFirstTime": Outcome.PASSED}
    assert [f.kind for f in run.inputs[0].integrity] == [IntegrityKind.ATTEMPTS_HIDDEN]
    criteria = _criteria(tmp_path, "  - id: ok\n    tests: {max_failed: 0}\n")
    result = run_cli("verdict", "--ci", "none", "-c", criteria, str(out))
    assert result.returncode == 3, result.stdout
    assert "--gtest_repeat" in result.stdout
    # One iteration, with an environment whose setup and teardown take time, or shuffled:
    # nothing hidden, READY.
    for extra in ([], ["--gtest_shuffle"]):
        assert _run([*argv, *extra], tmp_path, SLOW_ENV="1") == 0
        assert not load([str(out)]).inputs[0].integrity
        assert run_cli("verdict", "--ci", "none", "-c", criteria, str(out)).returncode == 0


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


# One Catch2 program for every Catch2 test (its single header takes long to compile); each
# test runs the test cases it needs by name.
CATCH2 = """
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
TEST_CASE("adds") { REQUIRE(1 + 1 == 2); }
TEST_CASE("may fail", "[!mayfail]") { REQUIRE(false); }
TEST_CASE("should fail", "[!shouldfail]") { REQUIRE(false); }
TEST_CASE("many") { REQUIRE(1 == 1); REQUIRE(2 == 2); REQUIRE(3 == 3); }
TEST_CASE("warn only") { WARN("no assertion"); }
TEST_CASE("sections") { SECTION("x") { REQUIRE(true); } SECTION("y") { REQUIRE(true); } }
TEST_CASE("should fail but passes", "[!shouldfail]") { REQUIRE(true); }
"""


@pytest.fixture(scope="module")
def catch2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _compile(tmp_path_factory.mktemp("catch2"), CATCH2, "catch2/catch.hpp", [])


def test_catch2_expected_failures_stay_skipped(tmp_path: Path, catch2: Path) -> None:
    # Catch2 writes a failing `[!mayfail]` / `[!shouldfail]` test as <skipped> beside its
    # <failure> and does not count it as failed (exit 0): the skip stands.
    out = tmp_path / "catch2.xml"
    argv = [str(catch2), "adds,may fail,should fail", "-r", "junit", "-o", str(out)]
    assert _run(argv, tmp_path) == 0
    outcomes = _outcomes(load([str(out)]))
    assert outcomes == {
        "adds": Outcome.PASSED,
        "may fail": Outcome.SKIPPED,
        "should fail": Outcome.SKIPPED,
    }


def test_catch2_tests_attribute_counts_assertions_not_testcases(
    tmp_path: Path, catch2: Path
) -> None:
    # Catch2's JUnit `tests` is its number of assertions (5 here, for 4 testcases): read as a
    # count of tests, a run that passed was INSUFFICIENT ("declares 5 tests but contains 4"),
    # or "holds more than it declares" when testcases outnumber assertions.
    out = tmp_path / "catch2.xml"
    assert (
        _run([str(catch2), "many,warn only,sections", "-r", "junit", "-o", str(out)], tmp_path) == 0
    )
    assert b'tests="5"' in out.read_bytes()
    run = load([str(out)])
    assert [t.outcome for t in run.tests] == [Outcome.PASSED] * 4
    assert run.inputs[0].integrity == ()
    criteria = _criteria(tmp_path, "  - id: ok\n    tests: {max_failed: 0}\n")
    assert run_cli("verdict", "--ci", "none", "-c", criteria, str(out)).returncode == 0
    # Catch2 counts a `[!shouldfail]` test that passed as a failure, and writes it as a plain
    # testcase: its `failures` still shows it.
    argv = [str(catch2), "adds,should fail but passes", "-r", "junit", "-o", str(out)]
    assert _run(argv, tmp_path) == 1
    assert run_cli("verdict", "--ci", "none", "-c", criteria, str(out)).returncode == 1


def _python_has(module: str) -> bool:
    probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
    return probe.returncode == 0


BOOST = """
#define BOOST_TEST_MODULE mod
#include <boost/test/included/unit_test.hpp>
#include <cstdlib>
struct S {
  void setup() { if (std::getenv("S_SETUP")) BOOST_FAIL("suite setup"); }
  void teardown() { if (std::getenv("S_TEARDOWN")) BOOST_FAIL("suite teardown"); }
};
BOOST_AUTO_TEST_SUITE(outer)
BOOST_AUTO_TEST_SUITE(inner, * boost::unit_test::fixture<S>())
BOOST_AUTO_TEST_CASE(a) { BOOST_TEST(true); }
BOOST_AUTO_TEST_SUITE_END()
BOOST_AUTO_TEST_CASE(b) { BOOST_TEST(true); }
BOOST_AUTO_TEST_SUITE_END()
"""


@pytest.fixture(scope="module")
def boost(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Boost.Test program above, built once (the header-only build is slow)."""
    where = tmp_path_factory.mktemp("boost")
    return _compile(where, BOOST, "boost/test/included/unit_test.hpp", [])


@pytest.mark.parametrize("fixture", ["S_SETUP", "S_TEARDOWN"])
def test_boost_suite_fixture_failure_counts_in_that_suite(
    tmp_path: Path, boost: Path, fixture: str
) -> None:
    # Boost.Test writes a failing suite fixture as a testcase `inner-setup-teardown` with the
    # enclosing suite as classname (`outer`), while the suite's tests have `outer.inner`: read
    # as a test `outer::inner-setup-teardown`, `select: "outer.inner::*"` said READY after a
    # failed teardown (and INSUFFICIENT, all skipped, after a failed setup).
    out = tmp_path / "boost.xml"
    argv = [str(boost), "--log_format=JUNIT", f"--log_sink={out}"]
    assert _run(argv, tmp_path, **{fixture: "1"}) != 0
    run = load([str(out)])
    error = next(t for t in run.tests if t.outcome is Outcome.FAILED)
    assert (error.classname, error.name, error.unattributed) == (
        "outer.inner",
        "[suite failure]",
        True,
    )
    body = (
        "  - id: inner\n    tests: {select: 'outer.inner::*', max_failed: 0}\n"
        "  - id: deeper\n    tests: {select: 'outer.inner.deeper::*', max_failed: 0}\n"
    )
    proc = run_cli("verdict", "--ci", "none", "-c", _criteria(tmp_path, body), str(out))
    assert proc.returncode == 1, proc.stdout
    assert "outer.inner::[suite failure]" in proc.stdout
    # A sibling suite's selection is not touched by it.
    sibling = "  - id: b\n    tests: {select: 'outer::b', max_failed: 0}\n"
    proc = run_cli("verdict", "--ci", "none", "-c", _criteria(tmp_path, sibling), str(out))
    assert proc.returncode == 0, proc.stdout


UNITTEST = """
import os, unittest
class T(unittest.TestCase):
    @classmethod
    def tearDownClass(cls):
        if os.environ.get("TEARDOWNCLASS_FAIL"): raise RuntimeError("tearDownClass broke")
    def test_ok(self): pass
def tearDownModule():
    if os.environ.get("TEARDOWNMODULE_FAIL"): raise RuntimeError("tearDownModule broke")
"""

XMLRUNNER = """
import sys, unittest, xmlrunner
suite = unittest.defaultTestLoader.discover(".", pattern="test_*.py")
with open(sys.argv[1], "wb") as out:
    result = xmlrunner.XMLTestRunner(output=out, verbosity=0).run(suite)
sys.exit(0 if result.wasSuccessful() else 1)
"""


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("TEARDOWNCLASS_FAIL", ("test_x.T", "tearDownClass")),
        ("TEARDOWNMODULE_FAIL", ("test_x", "tearDownModule")),
        ("IMPORT_FAIL", ("test_broken", "[load error]")),
    ],
)
def test_xmlrunner_fixture_and_import_errors_count_where_they_happened(
    tmp_path: Path, fixture: str, expected: tuple[str, str]
) -> None:
    # unittest-xml-reporting writes a failing tearDownClass as a testcase `tearDownClass
    # (test_x.T)` without a classname in a suite `unittest.suite._ErrorHolder-<time>`, and a
    # module that failed to import under classname `unittest.loader._FailedTest`: a selection
    # of the class's or module's tests did not reach them and said READY.
    if not _python_has("xmlrunner"):
        pytest.skip("unittest-xml-reporting is not installed")
    (tmp_path / "test_x.py").write_text(UNITTEST)
    if fixture == "IMPORT_FAIL":
        (tmp_path / "test_broken.py").write_text("import no_such_module_here\n")
    (tmp_path / "run.py").write_text(XMLRUNNER)
    out = tmp_path / "xmlrunner.xml"
    assert _run([sys.executable, "run.py", str(out)], tmp_path, **{fixture: "1"}) == 1
    run = load([str(out)])
    error = next(t for t in run.tests if t.outcome is Outcome.ERROR)
    assert (error.classname, error.name, error.unattributed) == (*expected, True)
    module = expected[0].split(".")[0]
    body = (
        f"  - id: ok\n    tests: {{select: ['test_x.T::test_ok', '{module}.*'], max_failed: 0}}\n"
    )
    proc = run_cli("verdict", "--ci", "none", "-c", _criteria(tmp_path, body), str(out))
    assert proc.returncode == 1, proc.stdout
