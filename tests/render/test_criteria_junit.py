"""The criteria as JUnit XML: statuses map to elements no CI shows as green unless they passed."""

from __future__ import annotations

from datetime import UTC, datetime

import junitparser
import pytest
from lxml import etree

from reportgen.criteria import CriteriaFile
from reportgen.evaluate import evaluate
from reportgen.evaluation import Evaluation
from reportgen.model import InputFile, Outcome, Run, TestTableBuilder
from reportgen.render.criteria_junit import render_criteria_junit

NOW = datetime(2026, 6, 1, tzinfo=UTC)
HOSTILE = "a<b>&\"c'\x1b[31m\x00\x07 \u2028 ok"


def _evaluation() -> Evaluation:
    builder = TestTableBuilder()
    builder.add(name="t_pass", classname="s", outcome=Outcome.PASSED)
    builder.add(name=HOSTILE, classname="s", outcome=Outcome.FAILED)
    builder.add(name="t_skip", classname="s", outcome=Outcome.SKIPPED)
    run = Run(
        inputs=(InputFile(path="j.xml", format="junit", sha256="a" * 64, size=1, records=3),),
        tests=builder.build(),
    )
    cf = CriteriaFile.model_validate(
        {
            "version": 1,
            "phases": [
                {
                    "name": "Gates & <checks>",
                    "criteria": [
                        {"id": "pass", "title": "passes", "tests": {"require": "s::t_pass"}},
                        {"id": "fail", "tests": {"max_failed": 0}},
                        {"id": "unsure", "tests": {"require": "s::t_skip"}},
                        {"id": "waived", "tests": {"max_failed": 0}},
                        {"id": "advisory", "severity": "advisory", "tests": {"max_failed": 0}},
                    ],
                }
            ],
            "waivers": [{"criterion": "waived", "reason": "known flake, #512"}],
        }
    )
    return evaluate(run, cf, now=NOW)


@pytest.fixture(scope="module")
def xml() -> str:
    return render_criteria_junit(_evaluation())


def _cases(xml: str) -> dict[str, etree._Element]:
    root = etree.fromstring(xml.encode())
    return {c.get("name").split(":")[0]: c for c in root.iter("testcase")}


def test_each_status_maps_to_the_right_element(xml: str) -> None:
    cases = _cases(xml)
    assert cases["pass"].find("failure") is None and cases["pass"].find("error") is None
    assert cases["fail"].find("failure").get("type") == "criterion-failed"
    assert cases["unsure"].find("error").get("type") == "insufficient-evidence"
    advisory = cases["advisory"].find("failure")
    assert advisory.get("type") == "advisory-failure"
    assert advisory.get("message").startswith("advisory, does not block: ")
    waived = cases["waived"]
    assert waived.find("failure") is None and waived.find("error") is None
    props = {p.get("name"): p.get("value") for p in waived.iter("property")}
    assert props["status"] == "waived" and props["raw_status"] == "fail"
    assert "known flake" in props["waived"]
    assert "WAIVED" in waived.find("system-out").text
    assert not list(etree.fromstring(xml.encode()).iter("skipped"))


def test_counts_are_recomputed_from_the_cases(xml: str) -> None:
    root = etree.fromstring(xml.encode())
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("5", "2", "1")
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "Gates & <checks>"


def test_hostile_text_is_escaped_and_control_characters_dropped(xml: str) -> None:
    assert "\x1b" not in xml and "\x00" not in xml and "\x07" not in xml
    etree.fromstring(xml.encode())  # well-formed despite the test name
    message = _cases(xml)["fail"].find("failure").get("message")
    assert "a<b>&\"c'" in message


def test_a_junit_reader_sees_failures_and_errors(
    xml: str, tmp_path: pytest.TempPathFactory
) -> None:
    path = tmp_path / "criteria.xml"  # type: ignore[operator]
    path.write_text(xml, encoding="utf-8")
    results: dict[str, str] = {}
    for suite in junitparser.JUnitXml.fromfile(str(path)):
        for case in suite:
            kinds = [type(r).__name__ for r in case.result]
            results[case.name.split(":")[0]] = ",".join(kinds) or "passed"
    assert results == {
        "pass": "passed",
        "fail": "Failure",
        "unsure": "Error",
        "waived": "passed",
        "advisory": "Failure",
    }


def test_output_is_deterministic() -> None:
    assert render_criteria_junit(_evaluation()) == render_criteria_junit(_evaluation())
