"""Test names with markup, quotes, non-ASCII text, separators and surrounding spaces: one run
written by two reporters of its harness reads to the same ids, so it is counted once, its
failures stay, and a `require` pattern copied from the harness's output matches in either.

Each case runs the real harness (skipped when it is not installed).
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import Outcome
from tests.conftest import gate_verdict, run_cli, run_pytest


def _ids(path: Path) -> list[tuple[str, Outcome]]:
    return sorted((t.id, t.outcome) for t in load([str(path)]).tests)


def _require(pattern: str) -> str:
    return f"version: 1\ncriteria:\n  - id: named\n    tests: {{require: ['{pattern}']}}\n"


# --- node --test: TAP and JUnit ---------------------------------------------------------------

NODE_HOSTILE = textwrap.dedent(
    """
    const { describe, it } = require('node:test');
    const assert = require('node:assert');
    describe('say "hi" & <go>', () => {
      describe(' padded ', () => {
        it('adds "x" & <b>', () => {});
        it('fails "é"', () => { assert.fail('no'); });
      });
      it(' lead', () => {});
      it('trail ', () => {});
      it('中文 🙂 e\\u0301', () => {});
    });
    """
)


def _node_reports(where: Path) -> tuple[Path, Path]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (apt-get install nodejs)")
    (where / "hostile.test.js").write_text(NODE_HOSTILE, encoding="utf-8")
    tap, junit = where / "run.tap", where / "run.xml"
    subprocess.run(
        [
            node,
            "--test",
            "--test-reporter=tap",
            f"--test-reporter-destination={tap}",
            "--test-reporter=junit",
            f"--test-reporter-destination={junit}",
            "hostile.test.js",
        ],
        cwd=where,
        capture_output=True,
        timeout=120,
        check=False,
    )
    if "<testsuites" not in junit.read_text(encoding="utf-8"):
        pytest.skip("this node has no junit reporter (needs Node 20.13)")
    return tap, junit


def test_node_tap_and_junit_agree_on_quotes_and_spaces(tmp_path: Path) -> None:
    # Node's junit reporter writes `"` as `&amp;quot;` (it escapes `&` after `"`), and keeps
    # the spaces around a name that its TAP reporter's readers cannot keep.
    tap, junit = _node_reports(tmp_path)
    ids = _ids(tap)
    assert _ids(junit) == ids
    assert ('say "hi" & <go> › padded::fails "é"', Outcome.FAILED) in ids
    assert ('say "hi" & <go>::lead', Outcome.PASSED) in ids
    assert ('say "hi" & <go>::trail', Outcome.PASSED) in ids
    # One run read once: five tests, the failure kept.
    code, out = gate_verdict(tmp_path, str(tap), str(junit))
    assert code == 1, out
    assert "n=5 " in out, out
    # The describe path and title as the TAP output prints them, matched in the JUnit alone.
    code, out = gate_verdict(
        tmp_path, str(junit), criteria=_require('say "hi" & <go> › padded::adds "x" & <b>')
    )
    assert code == 0, out


# --- pytest: JUnit XML and pytest-json-report ----------------------------------------------------

PYTEST_HOSTILE = textwrap.dedent(
    """
    import pytest

    @pytest.mark.parametrize(
        "v", ["a&b", '<"q">', "🙂", "中文 e\\u0301", "ctl\\x1bz", "#x41", " pad "]
    )
    def test_p(v):
        assert v != "🙂"
    """
)


@pytest.mark.parametrize("raw_ids", [False, True])
def test_pytest_junit_and_json_report_agree_on_escaped_names(tmp_path: Path, raw_ids: bool) -> None:
    # With ids left unescaped (the ini option below), pytest's JUnit writer spells an emoji
    # `#x1F642` and ESC `#x1B`, where pytest-json-report and pytest's own output keep them.
    pytest.importorskip("pytest_jsonreport", reason="pytest-json-report is not installed")
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\n"
        + (
            "disable_test_id_escaping_and_forfeit_all_rights_to_community_support = true\n"
            if raw_ids
            else ""
        )
    )
    (tmp_path / "test_hostile.py").write_text(PYTEST_HOSTILE, encoding="utf-8")
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    run_pytest(
        tmp_path, f"--junitxml={junit}", "--json-report", f"--json-report-file={report}", "."
    )
    ids = _ids(junit)
    assert _ids(report) == ids
    smile = "test_hostile::test_p[🙂]" if raw_ids else "test_hostile::test_p[\\U0001f642]"
    assert (smile, Outcome.FAILED) in ids
    code, out = gate_verdict(tmp_path, str(junit), str(report))
    assert code == 1 and "n=7 " in out, out
    # The node id pytest prints for the test, as a user copies it into `require`.
    code, out = gate_verdict(
        tmp_path, str(junit), criteria=_require(smile.replace("::", ".py::", 1))
    )
    assert code == 1 and "INSUFFICIENT" not in out, out


# --- Mocha: its JSON and xunit reporters ---------------------------------------------------------

MOCHA_XUNIT = Path(__file__).parent / "fixtures" / "ids" / "mocha-xunit"


def test_mocha_xunit_reads_as_mocha_json(tmp_path: Path) -> None:
    # Mocha's own xunit reporter names the describe path as classname (empty outside any
    # describe block, where the suite `Mocha Tests` stood in for it) and the file on each
    # testcase: it reads to the JSON reporter's `file › describe path::title`.
    json_report, xunit = MOCHA_XUNIT / "mocha.json", MOCHA_XUNIT / "mocha.xunit.xml"
    ids = _ids(json_report)
    assert _ids(xunit) == ids
    assert ("a.spec.js::top 🙂", Outcome.FAILED) in ids
    assert ('db/a.spec.js › outer & <co> "q" \'s::Case', Outcome.PASSED) in ids
    # A failed `before all` hook, a failed testcase there, is the JSON reporter's error of
    # its suite: one run read once, its failures kept.
    assert ('hooks.spec.js › hooks::"before all" hook for "never"', Outcome.ERROR) in ids
    code, out = gate_verdict(tmp_path, str(json_report), str(xunit))
    assert code == 1 and "n=15 " in out, out
    code, out = gate_verdict(
        tmp_path, str(xunit), criteria=_require("db/a.spec.js › outer & <co> \"q\" ''s::Case")
    )
    assert code == 0, out


def test_node_tap_converted_to_junit_keeps_its_ids(tmp_path: Path) -> None:
    # `reportgen convert --to junit` wrote a test without a classname (TAP's describe path)
    # under the suite path joined by `.`: read back, `outer.inner::adds`, another id.
    tap, _junit = _node_reports(tmp_path)
    converted = tmp_path / "converted.xml"
    done = run_cli("convert", str(tap), "--to", "junit", "-o", str(converted))
    assert done.returncode == 0, done.stderr
    assert _ids(converted) == _ids(tap)
    code, out = gate_verdict(tmp_path, str(tap), str(converted))
    assert code == 1 and "n=5 " in out, out
