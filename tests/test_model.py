"""The run model: column store round trips, executions and marked retries, JSON form."""

from __future__ import annotations

import json

import pytest

from reportgen.model import Attempt, Outcome, Run, TestCase, TestTable, TestTableBuilder


def _table(*rows: dict[str, object]) -> TestTable:
    builder = TestTableBuilder()
    for row in rows:
        builder.add(**row)  # type: ignore[arg-type]
    return builder.build()


def test_ids_use_classname_then_the_suite_path() -> None:
    table = _table(
        {"name": "a", "classname": "pkg.C", "suite": ("s",), "outcome": Outcome.PASSED},
        {"name": "b", "suite": ("outer", "inner"), "outcome": Outcome.FAILED},
        {"name": "c", "outcome": Outcome.SKIPPED},
    )
    assert [t.id for t in table] == ["pkg.C::a", "outer › inner::b", "c"]
    assert table[1].suite == ("outer", "inner")
    assert table.outcome_counts() == {
        Outcome.PASSED: 1,
        Outcome.FAILED: 1,
        Outcome.ERROR: 0,
        Outcome.SKIPPED: 1,
    }


def test_unknown_duration_stays_none() -> None:
    table = _table(
        {"name": "a", "outcome": Outcome.PASSED},
        {"name": "b", "outcome": Outcome.PASSED, "duration": 0.0},
    )
    assert table[0].duration is None
    assert table[1].duration == 0.0
    assert table.total_duration() == 0.0


def test_marked_retry_that_passes_is_flaky_pass() -> None:
    table = _table(
        {
            "name": "t",
            "classname": "C",
            "outcome": Outcome.FAILED,
            "message": "boom",
            "duration": 1.0,
            "merge": True,
        },
        {"name": "t", "classname": "C", "outcome": Outcome.PASSED, "duration": 2.0, "merge": True},
    )
    assert len(table) == 1
    case = table[0]
    assert case.outcome is Outcome.PASSED
    assert case.flaky
    assert [(a.number, a.outcome) for a in case.attempts] == [
        (1, Outcome.FAILED),
        (2, Outcome.PASSED),
    ]
    assert case.duration == 3.0
    assert table.flaky_count() == 1
    assert table.attempt_count(0) == 2


def test_marked_retry_last_attempt_decides() -> None:
    # Passed, then failed on the retry: the retry is what counts, and it is not flaky.
    table = _table(
        {"name": "t", "outcome": Outcome.PASSED, "merge": True},
        {"name": "t", "outcome": Outcome.FAILED, "message": "late", "merge": True},
    )
    assert len(table) == 1
    assert (table[0].outcome, table[0].flaky, table[0].message) == (Outcome.FAILED, False, "late")


def test_unmarked_repeats_are_executions_of_their_own() -> None:
    # pytest's failed call plus teardown error, or `go test -count=3`: every execution counts.
    table = _table(
        {"name": "t", "classname": "C", "outcome": Outcome.FAILED, "message": "assert 0"},
        {"name": "t", "classname": "C", "outcome": Outcome.ERROR, "message": "teardown"},
        {"name": "u", "outcome": Outcome.PASSED, "input": 1},
        {"name": "t", "classname": "C", "outcome": Outcome.PASSED},
    )
    assert [t.id for t in table] == ["C::t", "C::t", "u", "C::t"]
    assert [t.outcome for t in table] == [
        Outcome.FAILED,
        Outcome.ERROR,
        Outcome.PASSED,
        Outcome.PASSED,
    ]
    assert not any(t.flaky or t.attempts for t in table)
    assert [(t.input, t.position) for t in table] == [(0, 0), (0, 1), (1, 0), (0, 2)]


def test_same_name_in_different_inputs_is_not_merged() -> None:
    table = _table(
        {"name": "t", "classname": "C", "outcome": Outcome.PASSED, "input": 0},
        {"name": "t", "classname": "C", "outcome": Outcome.FAILED, "input": 1},
    )
    assert len(table) == 2


def test_run_json_round_trip() -> None:
    table = _table(
        {
            "name": "t",
            "classname": "C",
            "outcome": Outcome.FAILED,
            "message": "m",
            "properties": {"k": "v"},
            "attempts": (Attempt(outcome=Outcome.FAILED),),
        },
        {"name": "u", "outcome": Outcome.PASSED, "duration": 0.5},
    )
    run = Run(tests=table)
    text = run.model_dump_json()
    data = json.loads(text)
    assert data["tests"][0]["id"] == "C::t"
    again = Run.model_validate_json(text)
    assert list(again.tests) == list(run.tests)


def test_models_are_frozen() -> None:
    case = TestCase(id="a", name="a", outcome=Outcome.PASSED)
    with pytest.raises(ValueError):
        case.name = "b"  # type: ignore[misc]


def test_positions_and_rows_count_within_each_input_even_when_inputs_interleave() -> None:
    builder = TestTableBuilder()
    for name, input in [("a", 0), ("b", 0), ("c", 1), ("d", 0), ("e", 2), ("f", 1)]:
        builder.add(name=name, outcome=Outcome.PASSED, input=input)
    table = builder.build()
    assert [(t.name, t.input, t.position) for t in table] == [
        ("a", 0, 0),
        ("b", 0, 1),
        ("c", 1, 0),
        ("d", 0, 2),
        ("e", 2, 0),
        ("f", 1, 1),
    ]
    assert table.rows_by_input() == {0: [0, 1, 3], 1: [2, 5], 2: [4]}
    assert TestTable.empty().rows_by_input() == {}
