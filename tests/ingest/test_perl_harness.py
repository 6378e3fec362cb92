"""Results written at test time by Perl's harness, then read: JUnit XML from prove with
TAP::Formatter::JUnit, where what the formatter writes as a pass (a skipped test, a failing
TODO, a whole file skipped, a stream whose test numbers are out of sequence) is no pass; and
TAP from a test script that exited with an error after all its test points passed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import Outcome, Run
from tests.conftest import harness_tool, run_cli

#: One Perl test file per case the formatter writes as passing testcases only.
SCRIPTS = {
    "skips.t": "use Test::More tests => 2;\n"
    "SKIP: { skip 'no database', 1; ok(1, 'db'); }\nok(1, 'plain');\n",
    "todo.t": "use Test::More tests => 2;\n"
    "TODO: { local $TODO = 'not yet'; ok(0, 'unfinished'); }\nok(1, 'done');\n",
    "skipall.t": "use Test::More skip_all => 'no network';\n",
    "renumbered.t": 'print "1..2\\nok 1 - first\\nok 1 - first\\n";\n',
    "good.t": "use Test::More tests => 2;\nok(1, 'one');\nok(1, 'two');\n",
    "dies.t": "use Test::More tests => 2;\nok(1, 'one');\nok(1, 'two');\ndie 'cleanup failed';\n",
    "exits.t": "use Test::More tests => 1;\nok(1, 'one');\nexit 3;\n",
}


def _prove_junit(where: Path, scripts: list[str]) -> Path:
    """Run `prove --formatter TAP::Formatter::JUnit` on `scripts`; its XML is stdout."""
    prove = harness_tool("prove", "perl")
    found = subprocess.run(
        ["perl", "-MTAP::Formatter::JUnit", "-e", "1"], capture_output=True, check=False
    )
    if found.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("TAP::Formatter::JUnit is not installed; .ci/run installs it")
        pytest.skip("TAP::Formatter::JUnit is not installed (libtap-formatter-junit-perl)")
    done = subprocess.run(
        [prove, "--formatter", "TAP::Formatter::JUnit", *scripts],
        cwd=where,
        capture_output=True,
        timeout=120,
        check=False,
    )
    out = where / f"{'-'.join(Path(s).stem for s in scripts)}.xml"
    out.write_bytes(done.stdout)
    return out


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each script's JUnit XML alone, plus all of them in one file."""
    where = tmp_path_factory.mktemp("prove")
    (where / "t").mkdir()
    for name, body in SCRIPTS.items():
        (where / "t" / name).write_text(body)
    files = {name: _prove_junit(where, [f"t/{name}"]) for name in SCRIPTS}
    files["all"] = _prove_junit(where, [f"t/{name}" for name in SCRIPTS])
    for name in ("dies.t", "exits.t", "good.t"):
        # The script's TAP with its stderr, as `perl t/x.t 2>&1` and `prove --merge` keep it.
        tap = subprocess.run(
            ["perl", f"t/{name}"],
            cwd=where,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=60,
            check=False,
        )
        files[f"{name}.tap"] = where / f"{name}.tap"
        files[f"{name}.tap"].write_bytes(tap.stdout)
        # prove's console, as `prove -v t/x.t > log` keeps it (stderr apart).
        console = subprocess.run(
            ["prove", "-v", f"t/{name}"], cwd=where, capture_output=True, timeout=60, check=False
        )
        files[f"{name}.prove"] = where / f"{name}.prove.txt"
        files[f"{name}.prove"].write_bytes(console.stdout)
    return files


def _outcomes(run: Run) -> dict[str, Outcome]:
    return {t.id: t.outcome for t in run.tests}


def _verdict(tmp_path: Path, report: Path, body: str, *options: str) -> tuple[int, str]:
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(f"version: 1\ncriteria:\n{body}")
    done = run_cli("verdict", "-c", str(criteria), *options, str(report))
    return done.returncode, done.stdout + done.stderr


def test_a_skipped_test_is_skipped(reports: dict[str, Path], tmp_path: Path) -> None:
    run = load([str(reports["skips.t"])])
    assert _outcomes(run) == {
        "skips_t::1": Outcome.SKIPPED,
        "skips_t::2 - plain": Outcome.PASSED,
    }
    code, out = _verdict(tmp_path, reports["skips.t"], "  - id: s\n    tests: {max_skipped: 0}\n")
    assert code == 1, out


def test_a_failing_todo_is_skipped_not_passed(reports: dict[str, Path]) -> None:
    run = load([str(reports["todo.t"])])
    assert _outcomes(run) == {
        "todo_t::1 - unfinished": Outcome.SKIPPED,
        "todo_t::2 - done": Outcome.PASSED,
    }


def test_a_file_that_skipped_all_its_tests_is_a_skipped_test(
    reports: dict[str, Path], tmp_path: Path
) -> None:
    run = load([str(reports["all"])])
    assert _outcomes(run)["skipall_t"] is Outcome.SKIPPED
    assert any("whole file was skipped" in w.message for w in run.warnings)
    code, out = _verdict(tmp_path, reports["all"], "  - id: s\n    tests: {max_skipped: 0}\n")
    assert code == 1, out
    assert "skipall_t" in out


def test_test_numbers_out_of_sequence_are_no_pass(reports: dict[str, Path], tmp_path: Path) -> None:
    # prove fails this stream ("Tests out of sequence"); the formatter writes two passes.
    code, out = _verdict(
        tmp_path, reports["renumbered.t"], "  - id: f\n    tests: {max_failed: 0}\n"
    )
    assert code == 1, out
    assert "out of sequence" in out


def test_a_clean_run_stays_ready(reports: dict[str, Path], tmp_path: Path) -> None:
    run = load([str(reports["good.t"])])
    assert _outcomes(run) == {
        "good_t::1 - one": Outcome.PASSED,
        "good_t::2 - two": Outcome.PASSED,
    }
    assert not run.warnings
    body = "  - id: f\n    tests: {max_failed: 0, max_skipped: 0}\n"
    code, out = _verdict(tmp_path, reports["good.t"], body)
    assert code == 0, out


@pytest.mark.parametrize("script", ["dies.t", "exits.t"])
@pytest.mark.parametrize("kind", ["tap", "prove"])
def test_a_script_that_exits_with_an_error_is_no_pass(
    reports: dict[str, Path], tmp_path: Path, script: str, kind: str
) -> None:
    # Every test point passed and the plan was met; only the harness's words show the exit.
    report = reports[f"{script}.{kind}"]
    code, out = _verdict(
        tmp_path, report, "  - id: f\n    tests: {max_failed: 0}\n", "--format", "tap"
    )
    assert code == 1, out
    assert "exited with an error" in out


def test_a_script_that_exits_cleanly_stays_ready(reports: dict[str, Path], tmp_path: Path) -> None:
    report = reports["good.t.tap"]
    code, out = _verdict(
        tmp_path, report, "  - id: f\n    tests: {max_failed: 0}\n", "--format", "tap"
    )
    assert code == 0, out
