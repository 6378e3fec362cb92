"""CTRF writer: schema validity on every converted corpus sample, counts, retries, determinism."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reportgen.ingest import load
from reportgen.model import Attempt, InputFile, Outcome, Run, TestTableBuilder
from reportgen.render.ctrf import render_ctrf

SAMPLES = [
    "tap/tap4j-node-tap-npm-test.tap",
    "tap/node-test-bail-tap.snapshot.tap",
    "trx/dorny-dotnet-trx.trx",
    "trx/dorny-dotnet-xunitv3.trx",
    "nunit3/dorny-dotnet-nunit3.xml",
    "xunit2/jenkins-xunit2-testcase1.xml",
    "xunit2/jenkins-xunit2-empty-assembly.xml",
]


@pytest.fixture(scope="module")
def validator(corpus: Path) -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((corpus / "ctrf" / "ctrf.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.mark.parametrize("sample", SAMPLES)
def test_converted_samples_are_valid_ctrf_with_the_same_counts(
    corpus: Path, validator: Any, sample: str
) -> None:
    run = load([str(corpus / sample)])
    document = json.loads(render_ctrf(run))
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, errors[0].message
    summary = document["results"]["summary"]
    counts = run.tests.outcome_counts()
    assert summary["tests"] == len(run.tests) == len(document["results"]["tests"])
    assert summary["passed"] == counts[Outcome.PASSED]
    # CTRF has no error status: errors are failed, with rawStatus saying so.
    assert summary["failed"] == counts[Outcome.FAILED] + counts[Outcome.ERROR]
    assert summary["extra"]["errors"] == counts[Outcome.ERROR]
    assert summary["skipped"] == counts[Outcome.SKIPPED]
    statuses = [t["status"] for t in document["results"]["tests"]]
    assert statuses.count("failed") == summary["failed"]
    raw = [t.get("rawStatus") for t in document["results"]["tests"]]
    assert raw.count("error") == counts[Outcome.ERROR]


def test_start_comes_from_the_input_timestamp(corpus: Path) -> None:
    run = load([str(corpus / "trx" / "dorny-dotnet-trx.trx")])
    summary = json.loads(render_ctrf(run))["results"]["summary"]
    # Times start="2021-04-20T08:31:31.9866971+02:00"
    assert summary["start"] == 1618900291986
    assert summary["stop"] == summary["start"] + summary["duration"]


def _flaky_run() -> Run:
    builder = TestTableBuilder()
    # A marked retry (merge): failed, then passed.
    builder.add(
        name="t", classname="C", outcome=Outcome.FAILED, duration=0.5, message="boom", merge=True
    )
    builder.add(name="t", classname="C", outcome=Outcome.PASSED, duration=0.25, merge=True)
    builder.add(
        name="bad\x07name",
        suite=("S",),
        outcome=Outcome.ERROR,
        message="<&>\"'",
        attempts=(Attempt(outcome=Outcome.ERROR),),
    )
    inputs = (InputFile(path="x.xml", format="junit", sha256="0" * 64, size=1, records=3),)
    return Run(inputs=inputs, tests=builder.build())


def test_flaky_attempts_are_retry_attempts(validator: Any) -> None:
    document = json.loads(render_ctrf(_flaky_run()))
    assert not list(validator.iter_errors(document))
    flaky = document["results"]["tests"][0]
    assert flaky["status"] == "passed" and flaky["flaky"] is True
    assert flaky["retries"] == 1
    assert [a["status"] for a in flaky["retryAttempts"]] == ["failed", "passed"]
    assert flaky["retryAttempts"][0]["message"] == "boom"
    assert flaky["duration"] == 750
    assert document["results"]["summary"]["flaky"] == 1


def test_output_is_deterministic_and_generated_only_when_given() -> None:
    run = _flaky_run()
    assert render_ctrf(run) == render_ctrf(run)
    assert "timestamp" not in json.loads(render_ctrf(run))
    stamped = json.loads(render_ctrf(run, generated="2024-01-01T00:00:00Z"))
    assert stamped["timestamp"] == "2024-01-01T00:00:00Z"
