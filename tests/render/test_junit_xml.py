"""JUnit XML writer: well-formed, counts recomputed, escaping, Surefire flaky/rerun elements."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from reportgen.ingest import load
from reportgen.ingest.registry import by_name
from reportgen.model import Attempt, InputFile, Outcome, Run, TestTableBuilder
from reportgen.render.junit_xml import render_junit

SAMPLES = [
    "tap/tap4j-node-tap-npm-test.tap",
    "tap/node-test-bail-tap.snapshot.tap",
    "trx/dorny-dotnet-trx.trx",
    "trx/dorny-dotnet-xunitv3.trx",
    "nunit3/dorny-dotnet-nunit3.xml",
    "nunit3/enricomi-nunit3-parameterized-de.xml",
    "xunit2/jenkins-xunit2-testcase1.xml",
]


def _parse(text: str) -> etree._Element:
    return etree.fromstring(text.encode("utf-8"))


def _counts_from_cases(root: etree._Element) -> dict[str, int]:
    cases = root.findall(".//testcase")
    return {
        "tests": len(cases),
        "failures": sum(1 for c in cases if c.find("failure") is not None),
        "errors": sum(1 for c in cases if c.find("error") is not None),
        "skipped": sum(1 for c in cases if c.find("skipped") is not None),
    }


@pytest.mark.parametrize("sample", SAMPLES)
def test_counts_are_recomputed_and_match_the_run(corpus: Path, sample: str) -> None:
    run = load([str(corpus / sample)])
    root = _parse(render_junit(run))
    assert root.tag == "testsuites"
    from_cases = _counts_from_cases(root)
    counts = run.tests.outcome_counts()
    assert from_cases == {
        "tests": len(run.tests),
        "failures": counts[Outcome.FAILED],
        "errors": counts[Outcome.ERROR],
        "skipped": counts[Outcome.SKIPPED],
    }
    assert {k: int(root.get(k, "-1")) for k in from_cases} == from_cases
    for suite in root.findall("testsuite"):
        assert {k: int(suite.get(k, "-1")) for k in from_cases} == _counts_from_cases(suite)
    # One problem element at most per test case.
    for case in root.iter("testcase"):
        assert sum(case.find(t) is not None for t in ("failure", "error", "skipped")) <= 1


@pytest.mark.parametrize("sample", SAMPLES)
def test_junitparser_reads_the_same_counts(corpus: Path, sample: str) -> None:
    """An independent JUnit reader (junitparser) agrees with the run."""
    junitparser = pytest.importorskip("junitparser")
    run = load([str(corpus / sample)])
    text = render_junit(run)
    xml = junitparser.JUnitXml.fromstring(text.encode("utf-8"))
    tests = failures = errors = skipped = 0
    for suite in xml:
        for case in suite:
            tests += 1
            kinds = {type(r).__name__ for r in case.result}
            failures += "Failure" in kinds
            errors += "Error" in kinds
            skipped += "Skipped" in kinds
    counts = run.tests.outcome_counts()
    assert (tests, failures, errors, skipped) == (
        len(run.tests),
        counts[Outcome.FAILED],
        counts[Outcome.ERROR],
        counts[Outcome.SKIPPED],
    )


def _tricky_run() -> Run:
    builder = TestTableBuilder()
    # Passed after a failure: flaky.
    builder.add(
        name="flaky", classname="C", outcome=Outcome.FAILED, duration=0.5, message="m1", merge=True
    )
    builder.add(name="flaky", classname="C", outcome=Outcome.PASSED, duration=0.25, merge=True)
    # Failed every time: failure plus a rerun.
    builder.add(name="stuck", classname="C", outcome=Outcome.FAILED, message="first", merge=True)
    builder.add(name="stuck", classname="C", outcome=Outcome.FAILED, message="second", merge=True)
    builder.add(
        name='quote " amp & lt < bell \x07 esc \x1b[31m',
        suite=("S",),
        outcome=Outcome.ERROR,
        message="line one <b>\x00\nline two",
        output="stack ]]> end",
        properties={"k": "v & w"},
        attempts=(Attempt(outcome=Outcome.ERROR),),
    )
    builder.add(name="skip", classname="C", outcome=Outcome.SKIPPED, message="why")
    inputs = (InputFile(path="in.xml", format="junit", sha256="0" * 64, size=1, records=6),)
    return Run(inputs=inputs, tests=builder.build())


def test_surefire_flaky_and_rerun_elements() -> None:
    root = _parse(render_junit(_tricky_run()))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    flaky = cases["flaky"]
    assert flaky.find("failure") is None
    assert [e.tag for e in flaky if e.tag.startswith("flaky")] == ["flakyFailure"]
    assert flaky.find("flakyFailure").get("message") == "m1"
    assert flaky.find("flakyFailure/stackTrace").text == "m1"
    assert flaky.get("time") == "0.75"
    stuck = cases["stuck"]
    assert stuck.find("failure").get("message") == "first"
    assert [e.get("message") for e in stuck.findall("rerunFailure")] == ["second"]
    assert cases["skip"].find("skipped").get("message") == "why"
    assert root.get("tests") == "4" and root.get("failures") == "1"
    assert root.get("errors") == "1" and root.get("skipped") == "1"


def test_escaping_and_control_characters() -> None:
    text = render_junit(_tricky_run())
    assert "\x07" not in text and "\x00" not in text and "\x1b" not in text
    root = _parse(text)  # well-formed despite <, &, ", ]]> in the content
    error_case = next(c for c in root.iter("testcase") if c.find("error") is not None)
    assert error_case.get("name") == 'quote " amp & lt < bell  esc '
    error = error_case.find("error")
    assert error.get("message") == "line one <b>"
    assert error.text == "line one <b>\nline two\nstack ]]> end"
    assert error_case.find("properties/property").get("value") == "v & w"


def test_output_is_deterministic() -> None:
    assert render_junit(_tricky_run()) == render_junit(_tricky_run())


def test_reingests_to_the_same_counts(corpus: Path, tmp_path: Path) -> None:
    """Round trip through the JUnit ingester."""
    ingester = by_name("junit")
    assert ingester is not None
    if ingester.sniff(b'<?xml version="1.0"?>\n<testsuites>', "x.xml") == 0:
        pytest.fail("the JUnit ingester does not recognise JUnit XML yet")
    for sample in SAMPLES:
        run = load([str(corpus / sample)])
        out = tmp_path / (Path(sample).name + ".junit.xml")
        out.write_text(render_junit(run), encoding="utf-8")
        again = load([str(out)])
        assert again.inputs[0].format == "junit"
        assert again.tests.outcome_counts() == run.tests.outcome_counts(), sample
        assert len(again.tests) == len(run.tests), sample
