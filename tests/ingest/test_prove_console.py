"""prove's verbose console (`prove -v t/ > log`) of several test files, written at test time by
the real prove: read as one TAP stream per file under its header, held to prove's own words on
each file and to its summary. Before, the streams ran together (plans and numbers collided,
prove's bare `ok` was a test point): a clean run was NOT READY."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reportgen.errors import ExitCode
from reportgen.ingest import load
from reportgen.model import Outcome
from tests.conftest import gate_verdict, harness_tool

CLEAN = {
    "a.t": "use Test::More tests => 2;\nok(1, 'first');\nis(2, 2, 'second');\n",
    "b.t": "use Test::More;\nok(1, 'alpha');\nok(1, 'beta');\nok(1, 'gamma');\ndone_testing();\n",
    "c.t": "use Test::More;\nsubtest 'grouped' => sub { plan tests => 1; ok(1, 'inner'); };\n"
    "ok(1, 'outer');\ndone_testing;\n",
    "d.t": "use Test::More skip_all => 'no network';\n",
}
FAILS = "use Test::More tests => 3;\nok(1, 'one');\nok(0, 'two');\nok(1, 'three');\n"
DIES = "use Test::More tests => 3;\nok(1, 'one');\ndie \"boom\\n\";\nok(1, 'two');\n"
EXITS = "use Test::More tests => 1;\nok(1, 'one');\nexit 3;\n"


def prove(where: Path, scripts: dict[str, str], *options: str, stderr: bool = False) -> Path:
    """Run the real `prove -v` on `scripts` in `where`; return the file holding its stdout
    (with `stderr`, its standard error too, as `prove -v t/ > prove.log 2>&1` captures it)."""
    binary = harness_tool("prove", "perl")
    (where / "t").mkdir(parents=True)
    for name, body in scripts.items():
        (where / "t" / name).write_text(body, encoding="utf-8")
    console = where / "prove.log"
    with console.open("wb") as out:
        subprocess.run(
            [binary, "-v", *options, "t/"],
            cwd=where,
            stdout=out,
            stderr=subprocess.STDOUT if stderr else subprocess.DEVNULL,
            timeout=120,
            check=False,
        )
    return console


def verdict(tmp_path: Path, console: Path, *options: str) -> tuple[int, str]:
    return gate_verdict(tmp_path, *options, str(console))


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prove(tmp_path_factory.mktemp("clean"), CLEAN)


def test_a_clean_console_of_several_files_is_ready(tmp_path: Path, clean: Path) -> None:
    # Before: exit 4 (not recognised), and NOT READY (1) with --format tap.
    run = load([str(clean)])
    assert {t.id: t.outcome for t in run.tests} == {
        "t/a.t::first": Outcome.PASSED,
        "t/a.t::second": Outcome.PASSED,
        "t/b.t::alpha": Outcome.PASSED,
        "t/b.t::beta": Outcome.PASSED,
        "t/b.t::gamma": Outcome.PASSED,
        "t/c.t › grouped::inner": Outcome.PASSED,
        "t/c.t::outer": Outcome.PASSED,
        "t/d.t": Outcome.SKIPPED,
    }
    assert not run.warnings and not any(f.integrity for f in run.inputs)
    assert verdict(tmp_path, clean)[0] == ExitCode.READY
    # Found in a folder, or read with the format named, it is the same.
    assert verdict(tmp_path, clean.parent)[0] == ExitCode.READY
    assert verdict(tmp_path, clean, "--format", "tap")[0] == ExitCode.READY


def test_a_clean_console_with_timer_is_ready(tmp_path: Path) -> None:
    console = prove(tmp_path / "run", CLEAN, "--timer")
    assert verdict(tmp_path, console)[0] == ExitCode.READY


def test_one_failing_test_is_not_ready(tmp_path: Path) -> None:
    console = prove(tmp_path / "run", {**CLEAN, "fails.t": FAILS})
    code, out = verdict(tmp_path, console)
    assert code == ExitCode.NOT_READY, out
    assert "t/fails.t::two" in out


@pytest.mark.parametrize("options", [(), ("--merge",)])
def test_a_file_that_died_midway_is_not_ready(tmp_path: Path, options: tuple[str, ...]) -> None:
    console = prove(tmp_path / "run", {**CLEAN, "dies.t": DIES}, *options)
    code, out = verdict(tmp_path, console)
    assert code == ExitCode.NOT_READY, out
    assert "t/dies.t::test 2" in out


def test_a_file_that_exited_with_an_error_after_passing_is_not_ready(tmp_path: Path) -> None:
    console = prove(tmp_path / "run", {**CLEAN, "exits.t": EXITS})
    code, out = verdict(tmp_path, console)
    assert code == ExitCode.NOT_READY, out
    assert "exited with an error" in out


def test_a_console_cut_short_is_not_ready(tmp_path: Path, clean: Path) -> None:
    lines = clean.read_text(encoding="utf-8").splitlines(keepends=True)
    # Cut where a file ends (before the summary) and inside a file.
    at_boundary = lines[: next(i for i, x in enumerate(lines) if x.startswith("t/c.t"))]
    (tmp_path / "boundary.log").write_text("".join(at_boundary), encoding="utf-8")
    code, out = verdict(tmp_path, tmp_path / "boundary.log")
    assert code == ExitCode.INSUFFICIENT, out
    assert "no summary" in out
    (tmp_path / "inside.log").write_text("".join(at_boundary + lines[-8:-6]), encoding="utf-8")
    assert verdict(tmp_path, tmp_path / "inside.log")[0] != ExitCode.READY


def test_a_summary_that_disagrees_is_not_ready(tmp_path: Path, clean: Path) -> None:
    text = clean.read_text(encoding="utf-8")
    start = text.index("t/b.t ..")
    dropped = text[:start] + text[text.index("t/c.t ..") :]
    (tmp_path / "dropped.log").write_text(dropped, encoding="utf-8")
    # The evaluation as JSON: the table cuts long reasons, and this one names a temp path.
    evaluation = tmp_path / "evaluation.json"
    code, out = verdict(tmp_path, tmp_path / "dropped.log", "--json", str(evaluation))
    assert code == ExitCode.INSUFFICIENT, out
    assert "Files=4, Tests=7 but the console shows 3 files and 4 tests" in evaluation.read_text(
        encoding="utf-8"
    )

    failed = text.replace("Result: PASS", "Result: FAIL")
    (tmp_path / "failed.log").write_text(failed, encoding="utf-8")
    code, out = verdict(tmp_path, tmp_path / "failed.log")
    assert code == ExitCode.NOT_READY, out


def test_lines_after_a_skipped_file_are_still_read(tmp_path: Path, clean: Path) -> None:
    text = clean.read_text(encoding="utf-8")
    header = next(x for x in text.splitlines() if x.startswith("t/d.t") and "skipped:" in x)
    sneaky = text.replace(header, header + "\nnot ok 1 - hidden after the skip")
    (tmp_path / "sneaky.log").write_text(sneaky, encoding="utf-8")
    code, out = verdict(tmp_path, tmp_path / "sneaky.log")
    assert code == ExitCode.NOT_READY, out


def test_prove_without_verbose_beside_results_withholds_ready(tmp_path: Path, clean: Path) -> None:
    # No TAP to read, but its lines may say a file failed: unread, it keeps READY away.
    binary = harness_tool("prove", "perl")
    where = tmp_path / "quiet"
    (where / "t").mkdir(parents=True)
    (where / "t" / "fails.t").write_text(FAILS, encoding="utf-8")
    done = subprocess.run([binary, "t/"], cwd=where, capture_output=True, timeout=120, check=False)
    results = tmp_path / "results"
    results.mkdir()
    (results / "prove-v.log").write_bytes(clean.read_bytes())
    (results / "prove.log").write_bytes(done.stdout)
    code, out = verdict(tmp_path, results)
    assert code == ExitCode.INSUFFICIENT, out
    assert "prove.log: not read: not a results file reportgen recognises (looks like" in out


NOISY = {
    **CLEAN,
    "a.t": "use Test::More tests => 2;\ndiag('connecting');\nwarn \"deprecated call\\n\";\n"
    "ok(1, 'first');\nis(2, 2, 'second');\n",
    "e.t": "use Test::More;\nok(1, 'epsilon');\nnote('fine');\ndiag('slow disk');\n"
    "done_testing();\n",
}


@pytest.mark.parametrize("options", [(), ("-j2",)])
def test_standard_error_captured_with_the_console_is_read_as_no_test(
    tmp_path: Path, options: tuple[str, ...]
) -> None:
    """`prove -v t/ > log 2>&1`: the scripts' diagnostics and warnings land before the header
    of their file (prove's own output is buffered), after the closing `ok` of the file before
    or before the first header. Before: exit 4 (not recognised) or NOT READY (plans collided
    where a header was missed) on a clean run."""
    console = prove(tmp_path / "run", NOISY, *options, stderr=True)
    assert "deprecated call" in console.read_text(encoding="utf-8")
    quiet = prove(tmp_path / "quiet", NOISY, *options)
    run = load([str(console)])
    assert {t.id: t.outcome for t in run.tests} == {
        t.id: t.outcome for t in load([str(quiet)]).tests
    }
    assert not any(f.integrity for f in run.inputs)
    assert verdict(tmp_path, console)[0] == ExitCode.READY


def test_standard_error_of_a_failing_file_stays_with_it(tmp_path: Path) -> None:
    console = prove(tmp_path / "run", {**NOISY, "dies.t": DIES, "fails.t": FAILS}, stderr=True)
    run = load([str(console)])
    bad = {t.id for t in run.tests if t.outcome in (Outcome.FAILED, Outcome.ERROR)}
    assert bad and all(id.startswith(("t/dies.t", "t/fails.t")) for id in bad), bad
    assert "t/fails.t::two" in bad
    assert verdict(tmp_path, console)[0] == ExitCode.NOT_READY
