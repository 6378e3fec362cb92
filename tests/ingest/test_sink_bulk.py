"""Bulk adds (`Sink.add_tests`, `TestTableBuilder.add_rows`) record what one `Sink.test` call
per row records: the same rows, ids, cleaning, caps and warnings."""

from __future__ import annotations

import math
from array import array
from typing import Any

import pytest

from reportgen.ingest.base import MAX_NAME_CHARS, Sink
from reportgen.model import OUTCOME_CODE, Attempt, Outcome, TestTable, TestTableBuilder

_LONG = "x" * (MAX_NAME_CHARS + 5)
ROWS: list[tuple[str, Outcome, float, str | None, tuple[str, ...]]] = [
    ("adds", Outcome.PASSED, 0.25, "pkg.Calc", ("suite",)),
    ("\x1b[31mred\x1b[0m name", Outcome.FAILED, math.nan, "pkg.Calc", ("suite",)),
    ("skips", Outcome.SKIPPED, 0.0, "", ("suite", "inner")),
    ("no class", Outcome.ERROR, 1.5, None, ()),
    (_LONG, Outcome.PASSED, 2.0, "pkg.\x1b[1mBold\x1b[0m", ("s\x07uite",)),
    ("adds", Outcome.PASSED, 0.25, "pkg.Calc", ("suite",)),  # a repeat: another execution
]


def _one_by_one() -> tuple[TestTable, Sink]:
    sink = Sink(TestTableBuilder(), [], 0, "in.xml")
    for name, outcome, duration, classname, suite in ROWS:
        sink.test(
            name=name,
            outcome=outcome,
            duration=None if math.isnan(duration) else duration,
            classname=classname,
            suite=suite,
        )
    return sink._tests.build(), sink


def _rows(table: TestTable) -> list[dict[str, object]]:
    return [case.model_dump() for case in table]


def test_per_row_columns_match_one_call_per_row() -> None:
    expected, expected_sink = _one_by_one()
    builder = TestTableBuilder()
    sink = Sink(builder, [], 0, "in.xml")
    sink.add_tests(
        [r[0] for r in ROWS],
        outcomes=bytes(OUTCOME_CODE[r[1]] for r in ROWS),
        durations=array("d", (r[2] for r in ROWS)),
        classnames=[r[3] for r in ROWS],
        suites=[r[4] for r in ROWS],
    )
    table = builder.build()
    assert _rows(table) == _rows(expected)
    assert table[1].name == "red name"
    assert table[1].duration is None
    assert table[2].classname is None  # an empty classname is none
    assert table[4].classname == "pkg.Bold"
    assert len(table[4].name) == MAX_NAME_CHARS
    assert sink.records == expected_sink.records == len(ROWS)
    assert sorted(w.message for w in sink.warnings) == sorted(
        w.message for w in expected_sink.warnings
    )
    assert [t.id for t in table].count("pkg.Calc::adds") == 2


def test_shared_class_and_suite_match_one_call_per_row() -> None:
    names = ["a", "\x1b[32mb\x1b[0m", "c"]
    expected_sink = Sink(TestTableBuilder(), [], 3, "in.xml")
    for name in names:
        expected_sink.test(
            name=name, outcome=Outcome.SKIPPED, classname="pkg.\x1bC", suite=("x", "y")
        )
    builder = TestTableBuilder()
    Sink(builder, [], 3, "in.xml").add_tests(
        names, outcomes=Outcome.SKIPPED, classname="pkg.\x1bC", suite=("x", "y")
    )
    assert _rows(builder.build()) == _rows(expected_sink._tests.build())


def test_bulk_rows_keep_their_place_between_single_ones() -> None:
    builder = TestTableBuilder()
    sink = Sink(builder, [], 0, "in.xml")
    sink.add_tests(["a", "b"], classname="C")
    sink.test(name="c", outcome=Outcome.FAILED, classname="C", message="boom")
    sink.add_tests(["d"], durations=array("d", [0.5]), classname="C")
    table = builder.build()
    assert [(t.name, t.outcome, t.message, t.position) for t in table] == [
        ("a", Outcome.PASSED, None, 0),
        ("b", Outcome.PASSED, None, 1),
        ("c", Outcome.FAILED, "boom", 2),
        ("d", Outcome.PASSED, None, 3),
    ]
    assert table[3].duration == 0.5


@pytest.mark.parametrize(
    "kwargs",
    [
        {"outcomes": b"\x00"},
        {"outcomes": b"\x00\x09"},
        {"durations": array("d", [1.0])},
        {"classnames": ["C"]},
        {"suites": [()]},
    ],
)
def test_columns_of_another_length_or_unknown_codes_are_refused(
    kwargs: dict[str, object],
) -> None:
    builder = TestTableBuilder()
    with pytest.raises(ValueError):
        builder.add_rows(["a", "b"], **{"outcomes": Outcome.PASSED, **kwargs})  # type: ignore[arg-type]
    assert len(builder) == 0


def test_details_ride_along_by_row_number() -> None:
    attempt = Attempt(outcome=Outcome.FAILED, message="first try")
    detail: dict[str, Any] = {
        "message": "\x1b[31mboom\x1b[0m",
        "type": "AssertionError",
        "output": "line 1\r\nline 2",
        "file": "t/test_a.py",
        "line": 12,
        "properties": {"k": "v\x1b[0m"},
        "attempts": [attempt],
        "flaky": True,
    }
    expected_sink = Sink(TestTableBuilder(), [], 0, "in.xml")
    expected_sink.test(name="a", outcome=Outcome.PASSED, classname="C")
    expected_sink.test(name="b", outcome=Outcome.FAILED, classname="C", **detail)
    expected_sink.test(name="c", outcome=Outcome.ERROR, classname="C", unattributed=True)
    builder = TestTableBuilder()
    sink = Sink(builder, [], 0, "in.xml")
    sink.add_tests(
        ["a", "b", "c"],
        outcomes=bytes(OUTCOME_CODE[o] for o in (Outcome.PASSED, Outcome.FAILED, Outcome.ERROR)),
        classname="C",
        details={1: detail, 2: {"unattributed": True}},
    )
    table = builder.build()
    assert _rows(table) == _rows(expected_sink._tests.build())
    assert table[1].message == "boom"
    assert table[1].output == "line 1\nline 2"
    assert table[1].properties == {"k": "v"}
    assert table.is_unattributed(2)
    with pytest.raises(ValueError):
        builder.add_rows(["d"], Outcome.PASSED, details={1: {"message": "x"}})
    assert len(builder) == 3
