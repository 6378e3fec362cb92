"""pytest-json-report ingester: a report from real pytest, outcomes per phase, broken files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.ingest.pytest_json import _mangle, mangle_nodeid
from reportgen.model import Outcome
from tests.ingest.json_ingest_support import (
    assert_cli_rejects,
    assert_input_error,
    assert_never_claims_foreign,
    counts,
    detected,
    expect,
    invalid_utf8,
    read,
    run_pytest_suite,
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_pytest_suite(tmp_path_factory.mktemp("pytest-json"))[0]


def test_detected(report: Path) -> None:
    assert detected(report) == "pytest-json"
    assert detected(report, limit=150) == "pytest-json"


def test_outcomes(report: Path) -> None:
    run = read(report)
    # passed: pass, xpass, param[1], param[a/b::c]; failed: fail, fail+teardown, strict xpass,
    # param[2]; errors: setup, teardown, the teardown after the failed call (an execution of
    # its own, as pytest's JUnit writer has it); skipped: skip, skip inside, xfail.
    assert counts(run) == expect(14, 4, 4, 3, 3)
    ids = {t.id: t for t in run.tests}
    assert ids["tests.test_sample::test_xfail"].properties == {"status": "xfail"}
    assert ids["tests.test_sample::test_xfail"].outcome is Outcome.SKIPPED
    assert ids["tests.test_sample::test_xpass"].outcome is Outcome.PASSED
    assert ids["tests.test_sample::test_xpass"].properties == {"status": "xpass"}
    assert ids["tests.test_sample::test_xpass_strict"].outcome is Outcome.FAILED
    setup = ids["tests.test_sample::test_setup_error"]
    assert setup.outcome is Outcome.ERROR and setup.type == "setup error"
    assert setup.message == "RuntimeError: setup exploded"
    teardown = ids["tests.test_sample::test_teardown_error"]
    assert teardown.outcome is Outcome.ERROR and teardown.type == "teardown error"
    both = [t for t in run.tests if t.id == "tests.test_sample::test_fail_and_teardown_error"]
    assert [(t.outcome, t.type) for t in both] == [
        (Outcome.FAILED, None),
        (Outcome.ERROR, "teardown error"),
    ]
    param = ids["tests.test_sample.TestGroup::test_param[a/b::c]"]
    assert param.file == "tests/test_sample.py" and param.line is not None
    assert ids["tests.test_sample::test_skip"].message == "Skipped: not today"
    assert ids["tests.test_sample::test_pass"].output == "hello out\n"
    assert run.inputs[0].timestamp is not None
    assert run.warnings == ()


def test_collection_error(tmp_path: Path, report: Path) -> None:
    doc = json.loads(report.read_text())
    doc["collectors"].append(
        {
            "nodeid": "tests/test_bad.py",
            "outcome": "failed",
            "result": [],
            "longrepr": "ImportError: no module x",
        }
    )
    # pytest-json-report counts tests only: a collector that failed is in no summary count.
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    run = read(path)
    bad = next(t for t in run.tests if t.name == "tests.test_bad")
    assert bad.outcome is Outcome.ERROR and bad.message == "ImportError: no module x"
    assert run.warnings == ()


def test_declared_summary_checked(tmp_path: Path, report: Path) -> None:
    doc = json.loads(report.read_text())
    doc["summary"]["passed"] = 40
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    assert any("passed=40" in w.message for w in read(path).warnings)


def test_never_claims_other_formats(corpus: Path) -> None:
    assert_never_claims_foreign(corpus, "pytest-json")


def _edited(valid: str, index: int, key: str, value: object) -> bytes:
    doc = json.loads(valid)
    doc["tests"][index][key] = value
    return json.dumps(doc, indent=2).encode()


def test_broken_files(tmp_path: Path, report: Path) -> None:
    valid = report.read_text()
    cases = {
        "truncated": (valid[: len(valid) // 2].encode(), "truncated JSON"),
        "empty": (b"", "empty"),
        "outcome": (_edited(valid, 0, "outcome", "great"), "outcome"),
        "nodeid": (_edited(valid, 0, "nodeid", 3), "nodeid"),
        "phase": (_edited(valid, 1, "call", "oops"), "call"),
        "no-tests": (b'{"created": 1, "exitcode": 0, "root": "/"}', "tests"),
        "utf8": (invalid_utf8(valid.encode(), b'"nodeid": "tests/'), "UTF-8"),
    }
    for name, (content, fragment) in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_bytes(content)
        err = assert_input_error(path, "pytest-json", contains=fragment)
        if fragment in ("truncated JSON", "UTF-8"):
            assert err.line is not None, name
    assert_cli_rejects(tmp_path / "truncated.json", "pytest-json")


@given(
    st.text(alphabet="ab/.:[]py\n", max_size=24),
    st.sampled_from(["", "tests/test_x.py::", "a/b.py::C::", "x.py\n::"]),
)
@settings(max_examples=400, deadline=None)
def test_classnames_worked_out_once_match_mangle_nodeid(tail: str, head: str) -> None:
    known: dict[Any, Any] = {}
    for nodeid in (head + tail, head + tail + "[p::q/r]", head + tail):
        assert _mangle(nodeid, known) == mangle_nodeid(nodeid)
