"""pytest-json column reading: the same tests, warnings and errors as reading row by row."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reportgen.errors import InputError
from reportgen.ingest.base import MAX_NAME_CHARS, Sink, Source
from reportgen.ingest.pytest_json import _plain_rows, _read, _read_columns
from reportgen.model import TestTableBuilder
from tests.ingest.json_ingest_support import run_pytest_suite


def _read_both(path: Path) -> tuple[object, object]:
    """What `_read` records with and without column reading: (cases, warnings, integrity,
    records, timestamp), or the input error it raises, as comparable values."""
    results = []
    for columns in (True, False):
        builder = TestTableBuilder()
        sink = Sink(builder, [], 0, str(path))
        try:
            _read(Source(path, str(path), path.read_bytes()[:100]), sink, columns=columns)
        except InputError as exc:
            results.append(("error", str(exc), exc.line))
            continue
        builder.relativise_paths(0)
        cases = list(builder.build())
        results.append(
            (
                cases,
                # repr keeps what == does not: the sign of a zero, NaN, the float's every bit.
                [repr(case) for case in cases],
                sink.warnings,
                sink.integrity,
                sink.records,
                sink.timestamp,
            )
        )
    return results[0], results[1]


@pytest.fixture(scope="module")
def real_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_pytest_suite(tmp_path_factory.mktemp("pytest-json-columns"))[0]


def test_real_report_reads_the_same(real_report: Path) -> None:
    columns, rows = _read_both(real_report)
    assert columns == rows
    tests = json.loads(real_report.read_text())["tests"]
    plain = _plain_rows(tests, {})
    assert plain is not None
    # The passes with no output are the plain rows; the rest are read one by one.
    quiet = [
        i
        for i, t in enumerate(tests)
        if t["outcome"] == "passed" and not {"stdout", "longrepr"} & set(t["call"])
    ]
    assert len(plain.names) == len(quiet) > 0
    assert plain.others == [i for i in range(len(tests)) if i not in quiet]


#: A larger suite for real pytest: parametrised tests and classes (ids with `[`, `/`, `::`),
#: output, logging, skips, xfail and xpass, failures in every phase, among many plain passes.
BIG_SUITE = textwrap.dedent(
    """
    import logging

    import pytest


    @pytest.mark.parametrize("n", range(120))
    def test_param(n):
        if n % 17 == 3:
            print("output of", n)
        if n % 29 == 4:
            pytest.skip("not this one")
        if n % 23 == 5:
            logging.getLogger("t").warning("a warning from %d", n)
        assert n % 31 != 6, "thirty-one"


    class TestGroup:
        @pytest.mark.parametrize("p", ["a/b::c", "x[y]", "plain", "q::r::s"])
        def test_ids(self, p):
            pass

        @pytest.mark.xfail(reason="known")
        def test_xfail(self):
            assert False

        @pytest.mark.xfail(reason="known")
        def test_xpass(self):
            pass


    @pytest.fixture
    def broken_setup():
        raise RuntimeError("setup exploded")


    @pytest.fixture
    def broken_teardown():
        yield
        raise RuntimeError("teardown exploded")


    def test_setup_error(broken_setup):
        pass


    def test_teardown_error(broken_teardown):
        pass


    def test_fail_and_teardown_error(broken_teardown):
        assert False


    @pytest.mark.skip(reason="skipped in setup")
    def test_skipped():
        pass
    """
)


def test_larger_real_report_reads_the_same(tmp_path: Path) -> None:
    report, _junit = run_pytest_suite(tmp_path, BIG_SUITE)
    columns, rows = _read_both(report)
    assert columns == rows
    assert columns[0] != "error" and len(columns[0]) > 120
    tests = json.loads(report.read_text())["tests"]
    plain = _plain_rows(tests, {})
    assert plain is not None and len(plain.names) > 100 and len(plain.others) > 10


def test_real_rerun_report_reads_the_same(tmp_path: Path) -> None:
    from tests.test_pytest_reruns_junit import _run

    report = _run(tmp_path, "-p", "no:xdist")[1]
    columns, rows = _read_both(report)
    assert columns == rows
    assert columns[0] != "error"
    assert any(case.attempts for case in columns[0])  # the reruns were read


def _plain_test(i: int, nodeid: str | None = None) -> dict[str, Any]:
    phase = {"duration": 0.001 * (i % 7), "outcome": "passed"}
    return {
        "nodeid": nodeid or f"tests/test_m{i % 3}.py::TestC::test_{i}[p::{i}]",
        "lineno": i % 40,
        "outcome": "passed",
        "keywords": [],
        "setup": dict(phase),
        "call": dict(phase),
        "teardown": dict(phase),
    }


def _write(tmp_path: Path, tests: list[Any], **extra: Any) -> Path:
    path = tmp_path / "report.json"
    doc = {"created": 1764223260.0, "exitcode": 0, "root": "/src", "tests": tests, **extra}
    path.write_text(json.dumps(doc))
    return path


def _setup_integer(test: dict[str, Any]) -> None:
    test["setup"]["duration"] = 1  # an integer: checked by opt_num, row by row


def _stdout(test: dict[str, Any]) -> None:
    test["call"]["stdout"] = "out\n"


def _skipped(test: dict[str, Any]) -> None:
    test["outcome"] = "skipped"


def _no_lineno(test: dict[str, Any]) -> None:
    del test["lineno"]


def _null_lineno(test: dict[str, Any]) -> None:
    test["lineno"] = None


def _big_lineno(test: dict[str, Any]) -> None:
    test["lineno"] = 2**60


def _no_class_path(test: dict[str, Any]) -> None:
    test["nodeid"] = "::test_no_module"


def _colons(test: dict[str, Any]) -> None:
    test["nodeid"] = "a:::b"


def _failed_call(test: dict[str, Any]) -> None:
    test["call"]["outcome"] = "failed"


def _failed_call_and_teardown(test: dict[str, Any]) -> None:
    # Two executions: a failure and a teardown error.
    test["call"]["outcome"] = "failed"
    test["teardown"] = {"duration": 0.0, "outcome": "failed", "longrepr": "boom"}


def _overflowing(test: dict[str, Any]) -> None:
    for phase in ("setup", "call", "teardown"):
        test[phase]["duration"] = 1e308  # plain, though the column's sum overflows


def _negative_zeros(test: dict[str, Any]) -> None:
    for phase in ("setup", "call", "teardown"):
        test[phase]["duration"] = -0.0  # plain, and its total is 0.0 (as `sum` has it)


def _crash(test: dict[str, Any]) -> None:
    test["call"]["crash"] = {"message": "passed, yet a crash"}


def _skewed(test: dict[str, Any]) -> None:
    test["teardown"]["duration"] = -1.0  # clock skew: left out of the total


def _no_teardown(test: dict[str, Any]) -> None:
    del test["teardown"]


def _teardown_without_outcome(test: dict[str, Any]) -> None:
    del test["teardown"]["outcome"]


#: Changes to one row among plain ones, and whether the row stays plain.
_ODD_ROWS = {
    _setup_integer: False,
    _stdout: False,
    _skipped: False,
    _no_lineno: True,
    _null_lineno: True,
    _big_lineno: False,
    _no_class_path: False,
    _colons: False,
    _failed_call: False,
    _failed_call_and_teardown: False,
    _overflowing: True,
    _negative_zeros: True,
    _crash: False,
    _skewed: False,
    _no_teardown: False,
    _teardown_without_outcome: False,
}


@pytest.mark.parametrize("change", list(_ODD_ROWS), ids=lambda change: change.__name__[1:])
def test_one_odd_row_among_plain_ones(tmp_path: Path, change: Any) -> None:
    tests = [_plain_test(i) for i in range(20)]
    change(tests[3])
    columns, rows = _read_both(_write(tmp_path, tests, summary={"passed": 19, "total": 20}))
    assert columns == rows
    plain = _plain_rows(tests, {})
    assert plain is not None
    assert plain.others == ([] if _ODD_ROWS[change] else [3])
    assert len(plain.names) == 20 - len(plain.others)
    if change is _negative_zeros:
        zeros = next(case for case in columns[0] if case.name == "test_3[p::3]")
        assert zeros.duration == 0.0 and math.copysign(1.0, zeros.duration) == 1.0


def test_odd_rows_together(tmp_path: Path) -> None:
    tests = [_plain_test(i) for i in range(60)]
    for row, change in enumerate(_ODD_ROWS):
        change(tests[2 * row + 1])
    columns, rows = _read_both(_write(tmp_path, tests))
    assert columns == rows
    plain = _plain_rows(tests, {})
    assert plain is not None
    assert plain.others == [2 * row + 1 for row, keep in enumerate(_ODD_ROWS.values()) if not keep]


@pytest.mark.parametrize(
    ("row", "key", "value", "fragment"),
    [
        (5, "nodeid", 35, "tests[5].nodeid: expected a string, got number"),
        (6, "lineno", True, "tests[6].lineno: expected a number, got boolean"),
        (7, "call", "oops", "tests[7].call: expected an object, got string"),
        (8, "outcome", "great", "tests[8].outcome: expected one of"),
        (9, "setup", {"duration": math.nan, "outcome": "passed"}, "tests[9].setup.duration"),
    ],
)
def test_a_broken_row_among_plain_ones(
    tmp_path: Path, row: int, key: str, value: object, fragment: str
) -> None:
    tests = [_plain_test(i) for i in range(20)]
    tests[row][key] = value
    tests[15][key] = value  # a later broken row: the first one is reported
    columns, rows = _read_both(_write(tmp_path, tests))
    assert columns == rows
    assert columns[0] == "error" and fragment in str(columns[1])


def test_a_name_to_cut_reads_row_by_row(tmp_path: Path) -> None:
    tests = [_plain_test(i) for i in range(5)]
    tests[2]["nodeid"] = "t.py::C::" + "x" * (MAX_NAME_CHARS + 1)
    tests[4]["outcome"] = tests[4]["call"]["outcome"] = "failed"
    tests[4]["call"]["longrepr"] = "E" * 70_000  # its first line is the message
    path = _write(tmp_path, tests)
    columns, rows = _read_both(path)
    assert columns == rows
    assert _plain_rows(tests, {}) is None
    tests[2] = _plain_test(2)
    source = Source(path, str(path), b"")
    # A message to cut among the other rows: the file is read row by row as well.
    assert _read_columns(tests, source, Sink(TestTableBuilder(), [], 0, str(path))) is None


# --- Generated reports ------------------------------------------------------------------------

_TEXT = st.one_of(st.none(), st.just(""), st.text(alphabet="ab \n\x1b", max_size=6), st.integers())
_DURATION = st.one_of(
    st.floats(min_value=0.0, max_value=50.0),
    st.sampled_from([0.0, -0.0, 1e308, -1.0, math.nan, math.inf, 2.5e-5]),
    st.integers(-1, 3),
    st.sampled_from(["0.5", "x", None, True]),
)
_PHASE_OUTCOME = st.sampled_from(["passed", "passed", "passed", "failed", "skipped", None, 3])
_PLAIN_PHASE = st.fixed_dictionaries(
    {"duration": st.floats(min_value=0.0, max_value=50.0), "outcome": st.just("passed")}
)
_ANY_PHASE = st.one_of(
    _PLAIN_PHASE,
    st.fixed_dictionaries(
        {},
        optional={
            "duration": _DURATION,
            "outcome": _PHASE_OUTCOME,
            "longrepr": st.one_of(
                _TEXT,
                st.just("('tests/t.py', 3, 'Skipped: not today')"),
                st.lists(st.integers(), max_size=2),
            ),
            "stdout": _TEXT,
            "stderr": _TEXT,
            "log": st.one_of(_TEXT, st.lists(st.just({"msg": "m"}), max_size=1)),
            "crash": st.one_of(_TEXT, st.fixed_dictionaries({"message": _TEXT})),
        },
    ),
    st.sampled_from(["oops", None, [], 0]),
)
_NODEID = st.one_of(
    st.sampled_from(
        [
            "tests/test_a.py::test_x",
            "tests/test_a.py::TestC::test_y[1]",
            "tests/test_a.py::TestC::test_y[a/b::c]",
            "b.py::test_z[x[y]]",
            "::test_root",
            "a:::b",
            "no_class",
            "tests/x.py\n::t",
            "t.py::C::" + "n" * (MAX_NAME_CHARS + 1),
            "c" * (MAX_NAME_CHARS + 1) + ".py::t",
        ]
    ),
    st.text(alphabet="ab/.:[]p\x1b", max_size=16),
    st.sampled_from([3, None, ["x"]]),
)
_LINENO = st.one_of(
    st.integers(-3, 500),
    st.sampled_from([None, 2**53, -(2**53), 2**60, 3.0, 3.5, "7", True, "x"]),
)
_OUTCOME = st.sampled_from(
    ["passed"] * 6
    + ["failed", "error", "skipped", "xfailed", "xpassed", "rerun", "retried", "great", 3]
)
_PLAIN_TEST = st.fixed_dictionaries(
    {
        "nodeid": st.sampled_from(
            ["tests/test_a.py::test_x", "tests/test_a.py::TestC::test_y[a/b::c]", "t.py::t"]
        ),
        "lineno": st.integers(0, 300),
        "outcome": st.just("passed"),
        "setup": _PLAIN_PHASE,
        "call": _PLAIN_PHASE,
        "teardown": _PLAIN_PHASE,
    }
)
_ANY_TEST = st.fixed_dictionaries(
    {"nodeid": _NODEID, "outcome": _OUTCOME},
    optional={"lineno": _LINENO, "setup": _ANY_PHASE, "call": _ANY_PHASE, "teardown": _ANY_PHASE},
)
_DELETE = object()
_VALUE = st.one_of(
    st.just(_DELETE),
    _DURATION,
    _TEXT,
    _OUTCOME,
    _NODEID,
    _LINENO,
    st.fixed_dictionaries({"message": _TEXT}),
)
_PHASE_VALUES = {
    "duration": _DURATION,
    "outcome": _PHASE_OUTCOME,
    "longrepr": _TEXT,
    "stdout": _TEXT,
    "log": _TEXT,
    "crash": st.fixed_dictionaries({"message": _TEXT}),
}
#: A change to a plain row: a member of the row or of one of its phases, mostly given a
#: value of its own kind (an odd one or a missing member), sometimes any value at all.
_CHANGE = st.one_of(
    st.tuples(st.just(("nodeid",)), _NODEID | _VALUE),
    st.tuples(st.just(("lineno",)), _LINENO | _VALUE),
    st.tuples(st.just(("outcome",)), _OUTCOME | _VALUE),
    st.tuples(st.sampled_from([("setup",), ("call",), ("teardown",)]), _VALUE),
    *(
        st.tuples(
            st.sampled_from([(phase, key) for phase in ("setup", "call", "teardown")]),
            values | _VALUE,
        )
        for key, values in _PHASE_VALUES.items()
    ),
)


def _changed(test: dict[str, Any], changes: list[tuple[tuple[str, ...], Any]], zeros: bool) -> Any:
    """A plain row with a few members changed (each change only where its parent is an
    object); `zeros` gives each phase a duration of -0.0 (whose sum is 0.0)."""
    test = json.loads(json.dumps(test))
    if zeros:
        for phase in ("setup", "call", "teardown"):
            test[phase]["duration"] = -0.0
    for where, value in changes:
        parent = test
        for key in where[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(parent, dict):
            continue
        if value is _DELETE:
            parent.pop(where[-1], None)
        else:
            parent[where[-1]] = value
    return test


_CHANGED_TEST = st.builds(_changed, _PLAIN_TEST, st.lists(_CHANGE, max_size=2), st.booleans())
_ROW = st.one_of(_PLAIN_TEST, _CHANGED_TEST, _CHANGED_TEST, _CHANGED_TEST, _ANY_TEST)
_COUNTS = st.fixed_dictionaries(
    {},
    optional={
        k: st.integers(0, 6) for k in ("passed", "failed", "error", "skipped", "total", "rerun")
    },
)


@given(
    tests=st.lists(_ROW, max_size=12),
    not_an_object=st.none() | st.tuples(st.integers(0, 12), st.sampled_from(["oops", None, 1])),
    summary=st.one_of(st.none(), _COUNTS),
    collectors=st.lists(
        st.fixed_dictionaries(
            {"nodeid": st.sampled_from(["tests/test_bad.py", ""]), "outcome": _PHASE_OUTCOME},
            optional={"longrepr": _TEXT},
        ),
        max_size=2,
    ),
)
@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_reports_read_the_same(
    tmp_path_factory: pytest.TempPathFactory,
    tests: list[Any],
    not_an_object: tuple[int, Any] | None,
    summary: dict[str, int] | None,
    collectors: list[dict[str, Any]],
) -> None:
    if not_an_object is not None:
        tests.insert(*not_an_object)
    extra: dict[str, Any] = {"collectors": collectors}
    if summary is not None:
        extra["summary"] = summary
    path = _write(tmp_path_factory.getbasetemp(), tests, **extra)
    columns, rows = _read_both(path)
    assert columns == rows
    if all(isinstance(t, dict) for t in tests):
        plain = _plain_rows(tests, {})
        event("plain rows" if plain is not None and plain.names else "no plain row")
        event("an error" if columns[0] == "error" else "read")
