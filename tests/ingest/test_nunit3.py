"""NUnit 3 XML: corpus samples, labels and sites, NUnit 2 refused, declared counts, broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import detect, load
from reportgen.ingest.base import HEAD_BYTES
from reportgen.model import IntegrityKind, Outcome
from tests.conftest import counts, run_cli

# Counted by hand from the <test-case> elements:
# - dorny: 9 cases; 3 Passed; Failed with label="Error" (an unexpected exception) x2 -> errors;
#   Failing_Test, Is_Even_Number(3) and the Timeout_Test (free-text label) fail; 1 Skipped.
# - inconclusive: 1 Passed, 1 Inconclusive (-> skipped) although the run says Passed.
# - parameterized-de: 3 Passed, 3 Failed, one ParameterizedMethod level.
CORPUS_COUNTS = {
    "dorny-dotnet-nunit3.xml": (9, 3, 3, 2, 1),
    "enricomi-nunit3-inconclusive.xml": (2, 1, 0, 0, 1),
    "enricomi-nunit3-parameterized-de.xml": (6, 3, 3, 0, 0),
}


@pytest.mark.parametrize("name", sorted(CORPUS_COUNTS))
def test_corpus_counts(corpus: Path, name: str) -> None:
    path = corpus / "nunit3" / name
    assert detect(path.read_bytes()[:HEAD_BYTES], str(path)) is not None
    run = load([str(path)])
    assert run.inputs[0].format == "nunit3"
    assert counts(run) == CORPUS_COUNTS[name]
    # The declared test-run counts agree with the cases in all three files.
    assert not run.warnings


def test_every_corpus_file_has_expected_counts(corpus: Path) -> None:
    assert sorted(p.name for p in (corpus / "nunit3").iterdir()) == sorted(CORPUS_COUNTS)


def test_dorny_details(corpus: Path) -> None:
    run = load([str(corpus / "nunit3" / "dorny-dotnet-nunit3.xml")])
    by_id = {t.id: t for t in run.tests}
    cls = "DotnetTests.XUnitTests.CalculatorTests"
    error = by_id[f"{cls}::Exception_In_TargetTest"]
    assert error.outcome == Outcome.ERROR and error.properties["label"] == "Error"
    assert error.message == "System.DivideByZeroException : Attempted to divide by zero."
    assert error.output is not None and "Calculator.cs:line 9" in error.output
    timeout = by_id[f"{cls}::Timeout_Test"]
    assert timeout.outcome == Outcome.FAILED and timeout.type == "Timeout"
    assert timeout.message == "Test exceeded Timeout value 1ms."
    skipped = by_id[f"{cls}::Skipped_Test"]
    assert skipped.message == "Skipped" and skipped.properties["_SKIPREASON"] == "Skipped"
    theory = by_id[f"{cls}::Is_Even_Number(3)"]
    assert theory.suite[-2:] == ("CalculatorTests", "Is_Even_Number")
    assert theory.duration == pytest.approx(0.001098)
    assert by_id[f"{cls}::Passing_Test_With_Description"].properties == {
        "Description": "Some description"
    }
    assert run.inputs[0].timestamp == "2021-06-28T20:23:41Z"


def test_inconclusive_is_skipped_and_passing_reasons_are_not_messages(corpus: Path) -> None:
    run = load([str(corpus / "nunit3" / "enricomi-nunit3-inconclusive.xml")])
    inconclusive = next(t for t in run.tests if t.outcome == Outcome.SKIPPED)
    assert inconclusive.properties["nunit_result"] == "Inconclusive"
    assert inconclusive.message is not None
    assert inconclusive.message.startswith("No matching step definition")
    assert inconclusive.output is not None and "Given I have entered 50" in inconclusive.output
    de = load([str(corpus / "nunit3" / "enricomi-nunit3-parameterized-de.xml")])
    passing = next(t for t in de.tests if t.name == "DoATest")
    assert passing.message is None  # its <reason> says "Success"
    assert any(t.name == 'TestWithParameters("Ä")' for t in de.tests)


def test_nunit2_is_not_claimed_and_is_refused_when_forced(corpus: Path) -> None:
    path = corpus / "nunit2" / "enricomi-nunit2-mock-assembly.xml"
    from reportgen.ingest.nunit3 import NUnit3Ingester

    assert NUnit3Ingester().sniff(path.read_bytes()[:HEAD_BYTES], str(path)) == 0
    with pytest.raises(InputError, match="NUnit 2"):
        load([str(path)], format="nunit3")


RUN = """<?xml version="1.0" encoding="utf-8"?>
<test-run id="0" total="{total}" passed="{passed}" failed="{failed}" skipped="0"
          inconclusive="0" start-time="2024-01-02 03:04:05Z">
 <test-suite type="Assembly" name="A.dll">
  {body}
 </test-suite>
</test-run>
"""


def _write(tmp_path: Path, body: str, total: int, passed: int, failed: int) -> Path:
    path = tmp_path / "TestResult.xml"
    path.write_text(
        RUN.format(body=body, total=total, passed=passed, failed=failed), encoding="utf-8"
    )
    return path


def test_setup_and_teardown_failures_are_errors(tmp_path: Path) -> None:
    body = """
  <test-suite type="TestFixture" name="Setup" fullname="Ns.Setup" classname="Ns.Setup"
              result="Failed" site="SetUp">
   <failure><message>OneTimeSetUp: db down</message></failure>
   <test-case name="A" classname="Ns.Setup" result="Failed" site="Parent">
    <failure><message>OneTimeSetUp: db down</message></failure></test-case>
   <test-case name="B" classname="Ns.Setup" result="Failed" site="Parent"/>
  </test-suite>
  <test-suite type="TestFixture" name="Tear" fullname="Ns.Tear" classname="Ns.Tear"
              result="Failed" site="TearDown">
   <failure><message>TearDown : cleanup threw</message></failure>
   <test-case name="C" classname="Ns.Tear" result="Passed" duration="0.5"/>
  </test-suite>
  <test-suite type="TestFixture" name="Empty" fullname="Ns.Empty" result="Failed" site="SetUp">
   <failure><message>could not construct fixture</message></failure>
  </test-suite>
  <test-case name="D" classname="Ns.X" result="Failed" label="Cancelled"/>
  <test-case name="E" classname="Ns.X" result="Skipped" label="Explicit"/>
  <test-case name="F" classname="Ns.X" result="Warning"/>
"""
    run = load([str(_write(tmp_path, body, total=6, passed=2, failed=4))])
    outcomes = {t.id: t.outcome for t in run.tests}
    assert outcomes == {
        "Ns.Setup::A": Outcome.ERROR,
        "Ns.Setup::B": Outcome.ERROR,
        "Ns.Tear::C": Outcome.PASSED,
        "Ns.Tear::[OneTimeTearDown]": Outcome.ERROR,
        "Ns.Empty::[OneTimeSetUp]": Outcome.ERROR,
        "Ns.X::D": Outcome.ERROR,
        "Ns.X::E": Outcome.SKIPPED,
        "Ns.X::F": Outcome.SKIPPED,  # `Warning` (Assert.Warn) is no pass
    }
    teardown = next(t for t in run.tests if t.name == "[OneTimeTearDown]")
    assert teardown.message == "TearDown : cleanup threw"
    # Declared counts are checked against the raw results: only C is `Passed` (F is a
    # `Warning`), and 3 cases are `Failed`.
    messages = " ".join(w.message for w in run.warnings)
    assert "passed=2 (test cases: 1)" in messages
    assert "failed=4 (test cases: 3)" in messages


BOMB = """<?xml version="1.0"?>
<!DOCTYPE test-run [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<test-run><test-suite name="&b;"/></test-run>
"""


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (b'<?xml version="1.0"?>\n<test-run>\n<test-suite name="x">\n', "malformed"),
        (b'<test-run><test-case name="caf\xe9" result="Passed"/></test-run>', "XML"),
        (BOMB.encode(), "entity"),
        (b"<assemblies/>", "not an NUnit 3"),
    ],
)
def test_broken_files_are_input_errors(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "broken.xml"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        load([str(path)], format="nunit3")
    assert "broken.xml" in str(info.value) and needle in str(info.value)


# NUnit's engine writes an assembly it cannot load or run as this suite, single quotes and all,
# with no site and no test case under it (nunit/nunit-console,
# src/NUnitEngine/nunit.engine.core/Drivers/NotRunnableFrameworkDriver.cs, RUN_RESULT_FORMAT).
_NOT_RUNNABLE = (
    "<test-suite type='{type}' id='1-1001' name='{name}' fullname='{fullname}' {extra}"
    "testcasecount='0' runstate='NotRunnable' result='Failed' label='Invalid'><properties>"
    "<property name='_SKIPREASON' value='{reason}'/></properties><reason><message>{reason}"
    "</message></reason></test-suite>"
)
_REASON = "Could not load file or assembly Newtonsoft.Json, Version=13.0.0.0"


def _with_suite(corpus: Path, tmp_path: Path, suite: str, run_result: str = "Failed") -> Path:
    """enricomi-nunit3-inconclusive.xml (1 passed, 1 inconclusive) with `suite` added as a
    second top-level suite and the run result the engine then writes."""
    text = (corpus / "nunit3" / "enricomi-nunit3-inconclusive.xml").read_text(encoding="utf-8")
    text = text.replace('result="Passed" total="2"', f'result="{run_result}" total="2"', 1)
    text = text.replace("</test-run>", f"{suite}\n</test-run>")
    path = tmp_path / "TestResult.xml"
    path.write_text(text, encoding="utf-8")
    return path


def _verdict(tmp_path: Path, path: Path, select: str | None = None) -> int:
    gate = tmp_path / "gate.yaml"
    where = f", select: ['{select}']" if select else ""
    gate.write_text(f"version: 1\ncriteria:\n  - id: all\n    tests: {{max_failed: 0{where}}}\n")
    return run_cli("verdict", "-c", str(gate), str(path)).returncode


def test_an_assembly_that_cannot_load_is_an_error_of_no_test(corpus: Path, tmp_path: Path) -> None:
    suite = _NOT_RUNNABLE.format(
        type="Assembly",
        name="Api.Tests.dll",
        fullname="C:\\build\\Api.Tests.dll",
        extra="",
        reason=_REASON,
    )
    path = _with_suite(corpus, tmp_path, suite)
    run = load([str(path)])
    assert counts(run) == (3, 1, 0, 1, 1)
    error = next(t for t in run.tests if t.outcome is Outcome.ERROR)
    assert error.unattributed and error.classname is None
    assert error.message == _REASON
    assert not run.inputs[0].integrity
    assert _verdict(tmp_path, path) == 1
    # An assembly's tests could be any: a selection of other classes counts the error too.
    assert _verdict(tmp_path, path, "Automation.Features.*") == 1


def test_a_fixture_that_cannot_run_is_an_error_of_its_class(corpus: Path, tmp_path: Path) -> None:
    suite = _NOT_RUNNABLE.format(
        type="TestFixture",
        name="Broken",
        fullname="Other.Broken",
        extra="classname='Other.Broken' ",
        reason="No suitable constructor was found",
    )
    path = _with_suite(corpus, tmp_path, suite)
    run = load([str(path)])
    error = next(t for t in run.tests if t.outcome is Outcome.ERROR)
    assert error.unattributed and error.classname == "Other.Broken"
    assert _verdict(tmp_path, path, "Other.*") == 1
    assert _verdict(tmp_path, path, "Automation.Features.SubFeature::*") == 0


def test_a_failed_run_with_nothing_failed_is_a_contradiction(corpus: Path, tmp_path: Path) -> None:
    path = _with_suite(corpus, tmp_path, "")
    run = load([str(path)])
    (flag,) = run.inputs[0].integrity
    assert flag.kind is IntegrityKind.FAILURES_MISSING
    assert _verdict(tmp_path, path) == 1
