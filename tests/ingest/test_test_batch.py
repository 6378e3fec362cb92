"""`TestBatch` records what one `Sink.test` call per row records, warnings in input order;
the CTRF reader's rows (written through it) warn in the order of the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reportgen.ingest import load
from reportgen.ingest.base import MAX_MESSAGE_CHARS, MAX_NAME_CHARS, Sink, TestBatch
from reportgen.model import Attempt, Outcome, TestTableBuilder

_LONG = "n" * (MAX_NAME_CHARS + 3)
ROWS: list[dict[str, Any]] = [
    {"name": "plain", "outcome": Outcome.PASSED, "duration": 0.5, "file": "a.py", "line": 3},
    {"name": "no file", "outcome": Outcome.PASSED},
    {"name": "empty file", "outcome": Outcome.SKIPPED, "file": "", "classname": ""},
    {
        "name": "fails \x1b[31mred\x1b[0m",
        "outcome": Outcome.FAILED,
        "classname": "pkg.C",
        "suite": ("s", "t\x07"),
        "message": "boom\x1b[0m",
        "output": "trace\n" * 3,
        "file": "b.py",
        "type": "AssertionError",
    },
    {"name": _LONG, "outcome": Outcome.PASSED, "file": "c.py"},
    {"name": "long file", "outcome": Outcome.PASSED, "file": "f" * (MAX_NAME_CHARS + 1)},
    {
        "name": "retried",
        "outcome": Outcome.PASSED,
        "attempts": (Attempt(outcome=Outcome.FAILED), Attempt(outcome=Outcome.PASSED)),
        "flaky": True,
        "properties": {"k": "v\x1b[0m"},
        "line": 9,
    },
    {"name": "long message", "outcome": Outcome.FAILED, "message": "m" * (MAX_MESSAGE_CHARS + 1)},
    {"name": "long suite", "outcome": Outcome.PASSED, "suite": ("s" * (MAX_NAME_CHARS + 1),)},
    {"name": "plain", "outcome": Outcome.PASSED, "duration": 0.5, "file": "a.py", "line": 3},
]


def _dump(sink: Sink) -> tuple[list[dict[str, Any]], list[str]]:
    table = sink._tests.build()
    return [case.model_dump() for case in table], [w.message for w in sink.warnings]


def test_a_batch_records_what_one_call_per_row_records() -> None:
    one = Sink(TestTableBuilder(), [], 0, "in")
    for row in ROWS:
        one.test(**row)
    bulk = Sink(TestTableBuilder(), [], 0, "in")
    batch = TestBatch(bulk)
    for row in ROWS:
        batch.add(**row)
    batch.flush()
    assert _dump(bulk) == _dump(one)
    assert bulk.records == one.records == len(ROWS)
    # The cut name, file, message and suite each warned once, in the order of the rows.
    assert [w.split(" of ")[0] for w in _dump(bulk)[1]] == [
        "a test name",
        "a file name",
        "a message",
        "a suite name",
    ]


def test_ctrf_warnings_keep_the_order_of_the_file(tmp_path: Path) -> None:
    tests = [
        {"name": "a", "status": "passed", "duration": 1, "suite": "x > y"},
        {"name": "b" * (MAX_NAME_CHARS + 1), "status": "passed", "duration": 1},
        {"name": "c", "status": "passed", "duration": 1, "surprise": 1},
        {"name": "d", "status": "passed"},
        {"name": "e", "status": "failed", "duration": 1, "filePath": "f" * (MAX_NAME_CHARS + 1)},
    ]
    doc = {
        "reportFormat": "CTRF",
        "specVersion": "1.0.0",
        "results": {"tool": {"name": "x"}, "tests": tests},
    }
    path = tmp_path / "ctrf-report.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    run = load([str(path)], format="ctrf")
    said = [w.message for w in run.inputs[0].warnings]
    firsts = [
        next(k for k, w in enumerate(said) if needle in w)
        for needle in (
            "suite given as a string",
            "a test name of",
            "unknown CTRF test",
            "without a duration",
            "a file name of",
        )
    ]
    assert firsts == sorted(firsts), said
    assert [t.name for t in run.tests] == ["a", "b" * MAX_NAME_CHARS, "c", "d", "e"]
