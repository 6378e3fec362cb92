"""The pure parts of history: CI context, baseline specs, and the max_flaky_history criterion
judged on given facts (no database)."""

from __future__ import annotations

from typing import Any

import pytest

from reportgen.criteria import CriteriaFile, loads
from reportgen.errors import CriteriaError, UsageError
from reportgen.evaluate import evaluate
from reportgen.evaluation import Status
from reportgen.history import HistorySpec, database_url, parse_spec
from reportgen.history.context import ci_context
from reportgen.history.facts import FlakyHistory, FlakyTest
from reportgen.model import InputFile, Outcome, Run, TestTableBuilder


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {}),
        (
            {
                "GITHUB_ACTIONS": "true",
                "GITHUB_SHA": "abc",
                "GITHUB_REF": "refs/heads/main",
                "GITHUB_REF_NAME": "main",
                "GITHUB_REPOSITORY": "o/r",
                "GITHUB_RUN_ID": "9",
                "GITHUB_JOB": "build",
            },
            {
                "commit": "abc",
                "branch": "main",
                "job": "build",
                "run_url": "https://github.com/o/r/actions/runs/9",
            },
        ),
        (
            {
                "GITLAB_CI": "true",
                "CI_COMMIT_SHA": "def",
                "CI_COMMIT_REF_NAME": "feature",
                "CI_MERGE_REQUEST_IID": "5",
                "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature",
                "CI_JOB_URL": "https://gitlab.example/j/1",
                "CI_JOB_NAME": "test",
            },
            {
                "commit": "def",
                "branch": "feature",
                "pr": "5",
                "job": "test",
                "run_url": "https://gitlab.example/j/1",
            },
        ),
        # Variables of a CI that is not the one running are not read.
        ({"GITHUB_SHA": "abc"}, {}),
    ],
)
def test_ci_context(env: dict[str, str], expected: dict[str, str]) -> None:
    assert ci_context(env) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("history:branch=main", HistorySpec(branch="main")),
        ("history:branch=main,last=5", HistorySpec(branch="main", last=5)),
        ("history: commit=ABCDEF1 ", HistorySpec(commit="ABCDEF1")),
    ],
)
def test_parse_spec(value: str, expected: HistorySpec) -> None:
    assert parse_spec(value) == expected


@pytest.mark.parametrize(
    "value", ["history:", "history:branch", "history:last=2", "history:branch=a,branch=b"]
)
def test_bad_specs(value: str) -> None:
    with pytest.raises(UsageError):
        parse_spec(value)


def test_database_url() -> None:
    assert database_url(None, {}) == "sqlite:///.reportgen/history.db"
    assert database_url(None, {"REPORTGEN_DB": "postgresql://h/db"}) == "postgresql://h/db"
    assert database_url("x.db", {"REPORTGEN_DB": "postgresql://h/db"}) == "sqlite:///x.db"


def test_window_needs_max_flaky_history() -> None:
    with pytest.raises(CriteriaError, match="window"):
        loads("version: 1\ncriteria:\n  - {id: a, tests: {max_failed: 0, window: 5}}\n")


def _run(*names: str) -> Run:
    builder = TestTableBuilder()
    for name in names:
        builder.add(name=name, classname="m", outcome=Outcome.PASSED)
    source = InputFile(path="r.xml", format="junit", sha256="0" * 64, size=1, records=len(names))
    return Run(inputs=(source,), tests=builder.build())


def _flaky(
    *ids: str, runs: int = 5, branch: str | None = "main", seen: int | None = None
) -> FlakyHistory:
    """Flaky `ids` over `runs` runs, each test of `_run` executed in `seen` of them (all)."""
    tests = tuple(
        FlakyTest(
            id=t,
            reason="changed between passing and failing 2 times in 5 runs",
            runs=runs,
            flips=2,
            flip_rate=0.5,
        )
        for t in ids
    )
    executed = {f"m::{name}": runs if seen is None else seen for name in "abc"}
    return FlakyHistory(
        window=20,
        branch=branch,
        runs=tuple(range(runs, 0, -1)),
        tests=tests,
        executed_in=executed,
    )


def _judge(spec: dict[str, Any], history: dict[int, FlakyHistory] | None) -> tuple[Status, str]:
    criteria = CriteriaFile.model_validate({"version": 1, "criteria": [{"id": "c", "tests": spec}]})
    result = evaluate(_run("a", "b", "c"), criteria, history=history).criteria[0]
    return result.status, result.reason


@pytest.mark.parametrize(
    ("spec", "history", "status"),
    [
        ({"max_flaky_history": 0}, None, Status.INSUFFICIENT),
        ({"max_flaky_history": 0}, {20: _flaky(runs=1)}, Status.INSUFFICIENT),
        ({"max_flaky_history": 0}, {20: _flaky()}, Status.PASS),
        ({"max_flaky_history": 0}, {20: _flaky("m::a")}, Status.FAIL),
        ({"max_flaky_history": 1}, {20: _flaky("m::a")}, Status.PASS),
        # Only selected tests count; a flaky test no longer in the run does not either.
        ({"max_flaky_history": 0, "select": "m::b"}, {20: _flaky("m::a")}, Status.PASS),
        ({"max_flaky_history": 0}, {20: _flaky("m::gone")}, Status.PASS),
        # A test in fewer than two runs of the window has no history to show flakiness.
        ({"max_flaky_history": 0}, {20: _flaky(seen=1)}, Status.INSUFFICIENT),
        ({"max_flaky_history": 0, "select": "m::b"}, {20: _flaky(seen=0)}, Status.INSUFFICIENT),
        # ... but flaky tests that are seen still fail it.
        ({"max_flaky_history": 0}, {20: _flaky("m::a", seen=1)}, Status.FAIL),
        # The window asked for must be the one computed.
        ({"max_flaky_history": 0, "window": 5}, {20: _flaky("m::a")}, Status.INSUFFICIENT),
    ],
)
def test_max_flaky_history(
    spec: dict[str, Any], history: dict[int, FlakyHistory] | None, status: Status
) -> None:
    assert _judge(spec, history)[0] is status


def test_max_flaky_history_reason_names_tests_and_scope() -> None:
    status, reason = _judge({"max_flaky_history": 0}, {20: _flaky("m::a", branch=None)})
    assert status is Status.FAIL
    assert "the last 5 recorded runs of any branch" in reason
    assert "m::a (changed between passing and failing 2 times in 5 runs)" in reason
