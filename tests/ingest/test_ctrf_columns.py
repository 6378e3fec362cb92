"""CTRF's column reading records what the test-by-test reading records, or gives way to it.

`_read_columns` takes whole columns of a report's tests at once and hands the tests it does not
read plainly to `_read_test`; `_read_one_by_one` is the reading it must match. Every generated
report is read both ways: the same rows, warnings and integrity flags, or the same error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.errors import InputError
from reportgen.ingest import ctrf, load
from reportgen.ingest.base import MAX_NAME_CHARS, Sink, Source
from reportgen.model import TestTableBuilder


def _read(path: Path, *, columns: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    """What `load` gives for the report (rows, warnings, flags), or the error it raises."""
    with monkeypatch.context() as patch:
        if not columns:
            patch.setattr(ctrf, "_read_columns", lambda *args: None)
        try:
            run = load([str(path)], format="ctrf")
        except InputError as exc:
            return ("error", str(exc))
    return (
        [case.model_dump() for case in run.tests],
        [w.message for w in run.warnings],
        run.inputs[0].integrity,
        run.inputs[0].records,
    )


_TEXT = st.sampled_from(
    ["login works", "a", " ", "", "x\x1b[31mred", "ü", "y" * (MAX_NAME_CHARS + 1)]
)
_DURATION = st.one_of(
    st.integers(min_value=0, max_value=5000),
    st.floats(min_value=0, max_value=1e4, allow_nan=False),
    st.sampled_from([-3, -0.0, 2**53, 1e308, float("inf"), None, True, "12", [1]]),
)
_SUITE = st.one_of(
    st.none(),
    st.lists(
        st.sampled_from(["e2e", "login.spec.ts", "[chromium]", "tests/a.test.js", "d"]), max_size=3
    ),
    st.sampled_from(["e2e > login", [1], ["a", None], "z" * (MAX_NAME_CHARS + 1)]),
    st.just(["s" * (MAX_NAME_CHARS + 1)]),
)
_STATUS = st.sampled_from(
    ["passed", "passed", "failed", "skipped", "pending", "other", "broken", 3]
)
_OPTIONAL: dict[str, Any] = {
    "filePath": st.sampled_from(["tests/a.spec.ts", "/abs/ci/tests/b.spec.ts", None, 4]),
    "message": st.sampled_from(["expected 1, got 2", "\x1b[1mboom", None, 5]),
    "trace": st.sampled_from(["Error: x\n  at a.js:1", None]),
    "flaky": st.sampled_from([True, False, "yes"]),
    "retries": st.sampled_from([0, 2, 1.5]),
    "rawStatus": st.sampled_from(["error", "timedOut"]),
    "tags": st.sampled_from([["@smoke"], "smoke"]),
    "line": st.sampled_from([12, -1, "7"]),
    "extra": st.sampled_from([{"classname": "pkg.Login"}, {"outcome": "error"}, []]),
    "retryAttempts": st.sampled_from([[{"attempt": 1, "status": "failed", "duration": 5}], [{}]]),
    "id": st.just("4f1c"),
    "steps": st.just([{"name": "open"}]),
    "browser": st.sampled_from(["chromium", 7]),
    "unknownField": st.just(1),
}


@st.composite
def _test(draw: st.DrawFn) -> dict[str, Any]:
    test: dict[str, Any] = {"name": draw(_TEXT), "status": draw(_STATUS)}
    if draw(st.integers(0, 9)):
        test["duration"] = draw(_DURATION)
    if draw(st.booleans()):
        test["suite"] = draw(_SUITE)
    for key in draw(st.lists(st.sampled_from(sorted(_OPTIONAL)), max_size=3, unique=True)):
        test[key] = draw(_OPTIONAL[key])
    return test


_PLAIN = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["adds", "subtracts", "login works"]),
        "status": st.sampled_from(["passed", "failed", "skipped"]),
        "duration": st.integers(min_value=0, max_value=900),
        "suite": st.sampled_from([["e2e", "login.spec.ts", "login"], ["unit"]]),
        "filePath": st.just("tests/login.spec.ts"),
    }
)


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    tests=st.lists(st.one_of(_PLAIN, _test()), max_size=12),
    tool=st.sampled_from(["playwright", "jest", "pytest", "vitest", None, ["jest"]]),
)
def test_columns_read_what_the_tests_one_by_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tests: list[dict[str, Any]], tool: object
) -> None:
    results: dict[str, Any] = {"tests": tests}
    if tool is not None:
        results["tool"] = {"name": tool}
    path = tmp_path / "ctrf-report.json"
    path.write_text(
        json.dumps({"reportFormat": "CTRF", "specVersion": "1.0.0", "results": results})
    )
    assert _read(path, columns=True, monkeypatch=monkeypatch) == _read(
        path, columns=False, monkeypatch=monkeypatch
    )


@pytest.mark.parametrize("tool", ["playwright", "jest", "pytest", "vitest"])
def test_a_plain_report_is_read_by_columns(tmp_path: Path, tool: str) -> None:
    """The column reading is taken (not given way) for the shape most reporters write."""
    tests = [
        {
            "name": f"tests/test_a.py::test_{i}" if tool == "pytest" else f"case {i}",
            "status": ("passed", "failed", "skipped", "pending")[i % 4],
            "duration": i * 7,
            "suite": ["[chromium]", "login.spec.ts", "login"] if tool != "pytest" else ["a"],
            "filePath": "tests/login.spec.ts",
            **({"message": "expected 1", "line": 4} if i % 4 == 1 else {}),
        }
        for i in range(40)
    ]
    path = tmp_path / "ctrf.json"
    path.write_text("{}")
    sink = Sink(TestTableBuilder(), [], 0, "ctrf.json")
    counted = ctrf._read_columns(tests, Source(path, "ctrf.json", b"{}"), sink, tool)
    assert counted is not None
    assert counted[0] == {"passed": 10, "failed": 10, "skipped": 10, "pending": 10}
    table = sink._tests.build()
    assert len(table) == 40
    assert table[1].message == "expected 1" and table[1].line == 4
    assert table[3].properties == {"status": "pending"}
