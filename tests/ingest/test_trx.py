"""Visual Studio TRX: corpus samples, class join, counters, data rows, reruns, broken files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import detect, load
from reportgen.ingest.base import HEAD_BYTES
from reportgen.ingest.trx import parse_timespan
from reportgen.model import IntegrityKind, Outcome
from tests.conftest import counts, run_cli

NS = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "trx"


# Counted by hand from <Results>:
# - dorny xUnit: 11 results, 5 Passed, 5 Failed, 1 NotExecuted (Counters say notExecuted=0).
# - dorny xUnit v3: 2 real tests (1 Failed, 1 Passed) and 2 synthetic
#   "[Test Class Cleanup Failure (...)]" results -> errors, not test failures.
# - MSTest: 7 results, 3 Passed, 3 Failed, 1 NotExecuted (Counters say notExecuted=0).
CORPUS_COUNTS = {
    "dorny-dotnet-trx.trx": (11, 5, 5, 0, 1),
    "dorny-dotnet-xunitv3.trx": (4, 1, 1, 2, 0),
    "liquid-mstest-net9.trx": (7, 3, 3, 0, 1),
}


@pytest.mark.parametrize("name", sorted(CORPUS_COUNTS))
def test_corpus_counts(corpus: Path, name: str) -> None:
    path = corpus / "trx" / name
    assert detect(path.read_bytes()[:HEAD_BYTES], str(path)) is not None
    run = load([str(path)])
    assert run.inputs[0].format == "trx"
    assert counts(run) == CORPUS_COUNTS[name]
    assert run.inputs[0].timestamp is not None


def test_every_corpus_file_has_expected_counts(corpus: Path) -> None:
    assert sorted(p.name for p in (corpus / "trx").iterdir()) == sorted(CORPUS_COUNTS)


def test_display_names_join_their_class_by_test_id(corpus: Path) -> None:
    run = load([str(corpus / "trx" / "dorny-dotnet-trx.trx")])
    by_id = {t.id: t for t in run.tests}
    custom = by_id["DotnetTests.XUnitTests.CalculatorTests::Should be even number(i: 3)"]
    assert custom.outcome == Outcome.FAILED
    assert custom.message is not None and custom.message.startswith("Assert.True() Failure")
    assert custom.output is not None and "CalculatorTests.cs:line 67" in custom.output
    divide = by_id["DotnetTests.XUnitTests.CalculatorTests::Exception_In_TargetTest"]
    assert divide.type == "System.DivideByZeroException"
    assert divide.duration == pytest.approx(0.0008377)
    skipped = by_id["DotnetTests.XUnitTests.CalculatorTests::Skipped_Test"]
    assert skipped.outcome == Outcome.SKIPPED and skipped.message == "Skipped test"
    assert any("notExecuted=0 (results: 1)" in w.message for w in run.warnings)


def test_xunit_v3_cleanup_failures_are_errors_of_their_class(corpus: Path) -> None:
    run = load([str(corpus / "trx" / "dorny-dotnet-xunitv3.trx")])
    errors = [t for t in run.tests if t.outcome == Outcome.ERROR]
    assert len(errors) == 2
    assert all(t.classname == "DotnetTests.XUnitV3Tests.FixtureTests" for t in errors)
    assert all(t.name.startswith("[Test Class Cleanup Failure") for t in errors)
    # The counters agree with the results in this file: no warning.
    assert not run.warnings


def test_mstest_skip_reason_and_categories(corpus: Path) -> None:
    run = load([str(corpus / "trx" / "liquid-mstest-net9.trx")])
    skip = next(t for t in run.tests if t.name == "SkipTest")
    assert skip.outcome == Outcome.SKIPPED
    assert skip.message == "Skipped"
    assert skip.duration is None
    assert skip.properties["categories"] == "Skip"
    passing = next(t for t in run.tests if t.name == "PassingTest")
    assert passing.output is not None and passing.output.startswith("TestContext Messages:")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("00:00:00.1084258", 0.1084258),
        ("00:00:00", 0.0),
        ("01:02:03.5", 3723.5),
        ("1.00:00:01", 86401.0),
        ("garbage", None),
        ("", None),
    ],
)
def test_timespans(text: str, seconds: float | None) -> None:
    assert parse_timespan(text) == (pytest.approx(seconds) if seconds is not None else None)


def _trx(tmp_path: Path, results: str, definitions: str = "", counters: str = "") -> Path:
    path = tmp_path / "run.trx"
    summary = f"<ResultSummary outcome='Completed'><Counters {counters}/></ResultSummary>"
    path.write_text(
        f'<?xml version="1.0" encoding="utf-8"?>\n<TestRun id="1" xmlns="{NS}">\n'
        f"<Results>{results}</Results><TestDefinitions>{definitions}</TestDefinitions>"
        f"{summary if counters else ''}</TestRun>\n",
        encoding="utf-8",
    )
    return path


def test_outcome_vocabulary(tmp_path: Path) -> None:
    outcomes = [
        "Passed",
        "Failed",
        "Error",
        "Timeout",
        "Aborted",
        "NotExecuted",
        "Inconclusive",
        "NotRunnable",
        "PassedButRunAborted",
        "Pending",
    ]
    results = "".join(
        f'<UnitTestResult testId="id{i}" testName="T{i}" outcome="{o}" duration="00:00:01"/>'
        for i, o in enumerate(outcomes)
    )
    run = load([str(_trx(tmp_path, results, counters='total="10" passed="2" failed="1"'))])
    got = {t.name: t.outcome for t in run.tests}
    assert got == {
        "T0": Outcome.PASSED,
        "T1": Outcome.FAILED,
        "T2": Outcome.ERROR,
        "T3": Outcome.FAILED,
        "T4": Outcome.ERROR,
        "T5": Outcome.SKIPPED,
        "T6": Outcome.SKIPPED,
        "T7": Outcome.ERROR,
        "T8": Outcome.PASSED,
        "T9": Outcome.SKIPPED,
    }
    assert next(t for t in run.tests if t.name == "T3").type == "Timeout"
    # Declared counters are checked against the results: only `passed` disagrees.
    counters = [w.message for w in run.warnings if w.message.startswith("ResultSummary")]
    assert [w.split(": ", 1)[1] for w in counters] == ["passed=2 (results: 1)"]
    # An aborted test says the run did not finish: no evidence for READY.
    (flag,) = run.inputs[0].integrity
    assert flag.kind is IntegrityKind.ABORTED and not flag.fails
    assert flag.message in [w.message for w in run.warnings]


def test_data_driven_inner_results_are_the_tests(tmp_path: Path) -> None:
    results = (
        '<UnitTestResult testId="a" testName="DataTest" outcome="Failed" '
        'resultType="DataDrivenTest"><InnerResults>'
        '<UnitTestResult testId="a" testName="DataTest" dataRowInfo="1" outcome="Passed"/>'
        '<UnitTestResult testId="a" testName="DataTest" dataRowInfo="2" outcome="Failed">'
        "<Output><ErrorInfo><Message>row 2 bad</Message></ErrorInfo></Output>"
        "</UnitTestResult></InnerResults></UnitTestResult>"
    )
    definitions = (
        '<UnitTest name="DataTest" id="a"><TestMethod className="Ns.Data" name="DataTest"/>'
        "</UnitTest>"
    )
    run = load([str(_trx(tmp_path, results, definitions))])
    assert counts(run) == (2, 1, 1, 0, 0)
    assert {t.id for t in run.tests} == {"Ns.Data::DataTest (row 1)", "Ns.Data::DataTest (row 2)"}


def test_a_failed_parent_whose_rows_all_passed_is_an_error(tmp_path: Path) -> None:
    # The parent's outcome was ignored once it had inner results: a data-driven test whose
    # result says Failed (its data source did not load) over rows that passed was READY.
    results = (
        '<UnitTestResult testId="a" testName="DataTest" outcome="Failed" '
        'resultType="DataDrivenTest"><Output><ErrorInfo><Message>data source not loaded'
        "</Message></ErrorInfo></Output><InnerResults>"
        '<UnitTestResult testId="a" testName="DataTest" dataRowInfo="1" outcome="Passed"/>'
        "</InnerResults></UnitTestResult>"
        '<UnitTestResult testId="b" testName="Ordered" outcome="Passed" resultType="OrderedTest">'
        '<InnerResults><UnitTestResult testId="c" testName="Step" outcome="Passed"/>'
        "</InnerResults></UnitTestResult>"
    )
    definitions = (
        '<UnitTest name="DataTest" id="a"><TestMethod className="Ns.Data" name="DataTest"/>'
        '</UnitTest><UnitTest name="Step" id="c"><TestMethod className="Ns.O" name="Step"/>'
        "</UnitTest>"
    )
    trx = _trx(tmp_path, results, definitions)
    run = load([str(trx)])
    errors = [t for t in run.tests if t.outcome is Outcome.ERROR]
    assert [(t.id, t.message) for t in errors] == [
        ("Ns.Data::DataTest (outside its rows)", "data source not loaded")
    ]
    # A passing parent over passing rows adds nothing: the rows are the tests.
    assert counts(run) == (3, 2, 0, 1, 0)
    criteria = tmp_path / "gate.yaml"
    criteria.write_text("version: 1\ncriteria:\n  - id: ok\n    tests: {max_failed: 0}\n")
    assert run_cli("verdict", "-c", str(criteria), str(trx)).returncode == 1


def test_a_repeated_test_id_is_two_executions_not_attempts(tmp_path: Path) -> None:
    results = (
        '<UnitTestResult testId="a" testName="Ns.C.Retry" outcome="Failed">'
        "<Output><ErrorInfo><Message>first try</Message></ErrorInfo></Output></UnitTestResult>"
        '<UnitTestResult testId="a" testName="Ns.C.Retry" outcome="Passed"/>'
        '<UnitTestResult testId="b" testName="Ns.C.Retry" outcome="Passed"/>'
    )
    definitions = "".join(
        f'<UnitTest name="Ns.C.Retry" id="{i}"><TestMethod className="Ns.C" name="Retry"/>'
        "</UnitTest>"
        for i in "ab"
    )
    run = load([str(_trx(tmp_path, results, definitions))])
    assert counts(run) == (3, 2, 1, 0, 0)
    assert all(len(t.attempts) <= 1 for t in run.tests)


# xUnit theory rows reported under one test case (data not enumerated at discovery), two with
# the same display name: one failed, one passed. Was READY (merged as a flaky pass), exit 0.
THEORY_ROWS = FIXTURES / "xunit-theory-rows-one-test-id.trx"


def test_theory_rows_sharing_a_test_id_keep_the_failed_row(tmp_path: Path) -> None:
    run = load([str(THEORY_ROWS)])
    assert counts(run) == (3, 2, 1, 0, 0)
    rows = [t for t in run.tests if t.id.startswith("DotnetTests.XUnitTests.LogParserTests::")]
    assert sorted(t.outcome.value for t in rows) == ["failed", "passed"]
    criteria = tmp_path / "c.yaml"
    criteria.write_text(
        "version: 1\nphases:\n  - name: P\n    criteria:\n"
        "      - id: none-failed\n        tests: {max_failed: 0}\n"
    )
    result = run_cli("verdict", "-c", str(criteria), str(THEORY_ROWS))
    assert result.returncode == 1, result.stdout + result.stderr


def test_nunit_and_xunit_files_are_not_trx() -> None:
    from reportgen.ingest.trx import TrxIngester

    sniff = TrxIngester().sniff
    assert sniff(b'<?xml version="1.0"?>\n<test-run id="2">', "x.xml") == 0
    assert sniff(b'<?xml version="1.0"?>\n<testsuites>', "x.trx") == 0
    assert sniff(f'\ufeff<?xml version="1.0"?>\n<TestRun xmlns="{NS}">'.encode(), "x") > 0.9


BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE TestRun [\n <!ENTITY a "aaaaaaaaaa">\n'
    ' <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n'
    f'<TestRun xmlns="{NS}"><Results><UnitTestResult testName="&c;" outcome="Passed"/>'
    "</Results></TestRun>\n"
)
EXTERNAL = (
    '<?xml version="1.0"?>\n<!DOCTYPE TestRun [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    f'<TestRun xmlns="{NS}"><Results><UnitTestResult testName="&x;" outcome="Passed"/>'
    "</Results></TestRun>\n"
)


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (f'<?xml version="1.0"?>\n<TestRun xmlns="{NS}">\n<Results>\n'.encode(), "malformed"),
        (f'<TestRun xmlns="{NS}"><Results name="caf\xe9"/></TestRun>'.encode("latin-1"), "XML"),
        (BOMB.encode(), "entity"),
        (EXTERNAL.encode(), "entity"),
        (b'<?xml version="1.0"?><testsuites/>', "not a TRX"),
    ],
)
def test_broken_files_are_input_errors(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "broken.trx"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        load([str(path)], format="trx")
    assert "broken.trx" in str(info.value) and needle in str(info.value)


def test_broken_file_through_the_cli_is_one_line_and_exit_4(tmp_path: Path) -> None:
    path = tmp_path / "bomb.trx"
    path.write_text(BOMB, encoding="utf-8")
    proc = run_cli("summary", str(path))
    assert proc.returncode == 4
    assert "bomb.trx" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_truncated_corpus_file_is_an_input_error_with_a_line(corpus: Path, tmp_path: Path) -> None:
    data = (corpus / "trx" / "dorny-dotnet-trx.trx").read_bytes()
    path = tmp_path / "cut.trx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as info:
        load([str(path)])
    assert info.value.path == str(path) and info.value.line is not None


def test_huge_captured_output_is_read_and_capped(tmp_path: Path) -> None:
    """12 MB of StdOut (over libxml2's default 10 MB text limit) is read, then capped."""
    big = "x" * (12 * 1024 * 1024)
    results = (
        '<UnitTestResult testId="a" testName="Chatty" outcome="Failed" duration="00:00:01">'
        f"<Output><StdOut>{big}</StdOut><ErrorInfo><Message>boom</Message></ErrorInfo>"
        "</Output></UnitTestResult>"
    )
    run = load([str(_trx(tmp_path, results))])
    (case,) = list(run.tests)
    assert case.outcome is Outcome.FAILED
    assert case.message == "boom"
    assert case.output is not None and len(case.output) <= 64 * 1024
    assert case.output_truncated > 0


def _passing_trx(corpus: Path, tmp_path: Path, outcome: str, run_infos: str) -> Path:
    """liquid-mstest-net9.trx cut to its passing results, as vstest's TrxLogger writes a run
    whose run-level messages are `run_infos` (microsoft/vstest,
    src/Microsoft.TestPlatform.Extensions.TrxLogger/TrxLogger.cs: a message of level Error
    becomes `<RunInfo outcome="Error">` under ResultSummary and makes the run outcome Failed;
    a test host crash is such a message, after the results of the tests that finished)."""
    from lxml import etree

    root = etree.fromstring((corpus / "trx" / "liquid-mstest-net9.trx").read_bytes())
    results = root.find(f"{{{NS}}}Results")
    for result in list(results):
        if result.get("outcome") != "Passed":
            results.remove(result)
    summary = root.find(f"{{{NS}}}ResultSummary")
    summary.set("outcome", outcome)
    counters = summary.find(f"{{{NS}}}Counters")
    for attribute in ("total", "executed", "passed"):
        counters.set(attribute, "3")
    for attribute in ("failed", "notExecuted"):
        counters.set(attribute, "0")
    if run_infos:
        summary.append(etree.fromstring(f'<RunInfos xmlns="{NS}">{run_infos}</RunInfos>'))
    path = tmp_path / "run.trx"
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
    return path


_CRASH = (
    '<RunInfo computerName="DESKTOP" outcome="Error" timestamp="2024-11-14T17:13:48+10:00">'
    "<Text>The active test run was aborted. Reason: Test host process crashed : Fatal error. "
    "Internal CLR error. (0x80131506)\r\n</Text></RunInfo>"
)


def _verdict(tmp_path: Path, path: Path) -> int:
    gate = tmp_path / "gate.yaml"
    gate.write_text(
        "version: 1\ncriteria:\n  - id: all\n    tests: {max_failed: 0, min_total: 3}\n"
    )
    return run_cli("verdict", "-c", str(gate), str(path)).returncode


def test_a_crashed_test_host_is_an_aborted_run(corpus: Path, tmp_path: Path) -> None:
    path = _passing_trx(corpus, tmp_path, "Failed", _CRASH)
    run = load([str(path)])
    assert counts(run) == (3, 3, 0, 0, 0)
    (flag,) = run.inputs[0].integrity
    assert flag.kind is IntegrityKind.ABORTED and "Test host process crashed" in flag.message
    assert _verdict(tmp_path, path) == 3


def test_an_error_run_info_with_no_failed_test_is_an_error_of_no_test(
    corpus: Path, tmp_path: Path
) -> None:
    info = (
        '<RunInfo computerName="DESKTOP" outcome="Error" timestamp="2024-11-14T17:13:48+10:00">'
        "<Text>Exception thrown executing tests in X.dll: could not load Y</Text></RunInfo>"
    )
    path = _passing_trx(corpus, tmp_path, "Failed", info)
    run = load([str(path)])
    assert counts(run) == (4, 3, 0, 1, 0)
    error = next(t for t in run.tests if t.outcome is Outcome.ERROR)
    assert error.unattributed and error.message is not None and "could not load Y" in error.message
    assert not run.inputs[0].integrity
    assert _verdict(tmp_path, path) == 1


def test_a_failed_run_with_nothing_failed_is_a_contradiction(corpus: Path, tmp_path: Path) -> None:
    path = _passing_trx(corpus, tmp_path, "Failed", "")
    run = load([str(path)])
    (flag,) = run.inputs[0].integrity
    assert flag.kind is IntegrityKind.FAILURES_MISSING
    assert _verdict(tmp_path, path) == 1


def test_warning_run_infos_leave_a_finished_run_ready(corpus: Path, tmp_path: Path) -> None:
    # The shape of dorny-dotnet-trx.trx's Warning RunInfo: a notice, nothing failed.
    info = (
        '<RunInfo computerName="DORNY-PC" outcome="Warning" timestamp="2021-04-20T08:31:33">'
        "<Text>[xUnit.net 00:00:00.45]     DotnetTests.XUnitTests.CalculatorTests.Skipped_Test "
        "[SKIP]</Text></RunInfo>"
    )
    path = _passing_trx(corpus, tmp_path, "Completed", info)
    run = load([str(path)])
    assert counts(run) == (3, 3, 0, 0, 0)
    assert not run.inputs[0].integrity
    assert _verdict(tmp_path, path) == 0


def test_error_run_infos_beside_failed_tests_add_no_error(corpus: Path) -> None:
    # dorny's Error RunInfos echo the failed tests ("... [FAIL]"): the failures are counted once.
    run = load([str(corpus / "trx" / "dorny-dotnet-trx.trx")])
    assert not any(t.unattributed for t in run.tests)
    assert not run.inputs[0].integrity


@pytest.mark.parametrize("outcome", ["Completed", "Warning"])
def test_completed_and_warning_are_no_pass(corpus: Path, tmp_path: Path, outcome: str) -> None:
    # vstest's `Completed` says a test ran, not that it passed; `Warning` that it ran with
    # problems. A require of that test must not pass on it.
    source = (corpus / "trx" / "dorny-dotnet-trx.trx").read_text(encoding="utf-8-sig")
    changed, n = re.subn(
        r'(testName="[^"]*Passing_Test"[^>]*outcome=")Passed"', rf'\1{outcome}"', source
    )
    assert n == 1
    path = tmp_path / "run.trx"
    path.write_text(changed, encoding="utf-8")
    (case,) = [t for t in load([str(path)]).tests if t.name.endswith("Passing_Test")]
    assert case.outcome is Outcome.SKIPPED
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\ncriteria:\n  - id: r\n    tests: {require: ['**Passing_Test']}\n"
    )
    assert run_cli("verdict", "-c", str(criteria), str(path)).returncode == 3
