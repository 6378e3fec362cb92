"""TAP 13/14: corpus samples, node's reporters (TAP vs JUnit parity), directives, plans, broken."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import detect, load
from reportgen.ingest.base import HEAD_BYTES
from reportgen.model import IntegrityKind, Outcome, Run
from tests.conftest import REPO, counts, harness_tool, run_cli

NODE_SUITE = REPO / "tests" / "fixtures" / "tap" / "node-suite.test.mjs"


def tap(tmp_path: Path, text: str, name: str = "run.tap") -> Run:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load([str(path)], format="tap")


# Counted by hand from the files (see the notes in the corpus SOURCES-formats.md):
# - node bail: nested/first ok, nested/second not ok, nested/third announced but never
#   reported (child plan 1..3 after 2 points -> 1 missing, error), then Bail out! (error).
# - mocha: 63 points, `not ok 38`.
# - node-tap npm: 278 point lines; 36 top-level and 33 second-level points are parents of
#   subtests, leaving 209 leaves; 5 top-level `# SKIP No tests found`.
# - todo: both points carry TODO -> skipped, the `not ok` one included.
# - yaml/skip/bail: ok 1, `not ok 2 # SKIP` (failed, as prove counts it), Bail out! (error);
#   `ok 3` after the bail is not read.
CORPUS_COUNTS = {
    "node-test-bail-tap.snapshot.tap": (4, 1, 1, 2, 0),
    "tap4j-mocha-tap-failures.tap": (63, 62, 1, 0, 0),
    "tap4j-node-tap-npm-test.tap": (209, 204, 0, 0, 5),
    "tap4j-todo-directives.tap": (2, 0, 0, 0, 2),
    "tap4j-yaml-skip-bailout.tap": (3, 1, 1, 1, 0),
}


@pytest.mark.parametrize("name", sorted(CORPUS_COUNTS))
def test_corpus_counts(corpus: Path, name: str) -> None:
    path = corpus / "tap" / name
    assert detect(path.read_bytes()[:HEAD_BYTES], str(path)) is not None
    run = load([str(path)])
    assert run.inputs[0].format == "tap"
    assert counts(run) == CORPUS_COUNTS[name]


def test_every_corpus_file_has_expected_counts(corpus: Path) -> None:
    assert sorted(p.name for p in (corpus / "tap").iterdir()) == sorted(CORPUS_COUNTS)


def test_node_bail_names_the_missing_subtest_and_warns(corpus: Path) -> None:
    run = load([str(corpus / "tap" / "node-test-bail-tap.snapshot.tap")])
    by_id = {t.id: t for t in run.tests}
    assert by_id["nested::first"].outcome == Outcome.PASSED
    assert by_id["nested::second"].outcome == Outcome.FAILED
    assert by_id["nested::third"].outcome == Outcome.ERROR
    assert by_id["Bail out!"].outcome == Outcome.ERROR
    messages = " | ".join(w.message for w in run.warnings)
    assert "plan 1..3" in messages and "1 missing" in messages
    assert "Bail out!" in messages


def test_mocha_bare_stack_lines_stay_with_the_failing_test(corpus: Path) -> None:
    run = load([str(corpus / "tap" / "tap4j-mocha-tap-failures.tap")])
    failed = [t for t in run.tests if t.outcome == Outcome.FAILED]
    assert [t.name for t in failed] == ["Calculate offset should return zero for page 1"]
    assert failed[0].message == "AssertionError: expected 0 to equal 1"
    assert failed[0].output is not None and "runnable.js:184:32" in failed[0].output


def test_node_tap_subtests_are_suites_and_skips_keep_reasons(corpus: Path) -> None:
    run = load([str(corpus / "tap" / "tap4j-node-tap-npm-test.tap")])
    ids = {t.id for t in run.tests}
    # Leaves under a parent are named by it; parents themselves are not tests.
    assert "array test::should be equivalent" in ids
    assert "test/array.js" not in ids
    skipped = [t for t in run.tests if t.outcome == Outcome.SKIPPED]
    assert {t.name for t in skipped} == {
        "test/no_callback.js",
        "test/only2.js",
        "test/only3.js",
        "test/only4.js",
        "test/only5.js",
    }
    assert all(t.message == "No tests found" for t in skipped)
    # 100 identical descriptions in one stream are 100 executions of one test id.
    many = [t for t in run.tests if t.suite == ("test/many.js",)]
    assert len(many) == 100 and len({t.id for t in many}) == 1


def test_todo_is_skipped_with_properties_and_a_passing_todo_is_reported(corpus: Path) -> None:
    run = load([str(corpus / "tap" / "tap4j-todo-directives.tap")])
    first, second = list(run.tests)
    assert first.properties["directive"] == "TODO"
    assert first.properties["todo_result"] == "ok"
    assert first.message == "enhance throughput"
    assert second.properties["todo_result"] == "not ok"
    assert any("TODO test(s) passed" in w.message for w in run.warnings)


# --- node's own reporters -----------------------------------------------------------------
def _node_report(tmp_path: Path, reporter: str, suffix: str) -> Path:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: cannot generate node:test reports")
    suite = tmp_path / "suite.test.mjs"
    shutil.copyfile(NODE_SUITE, suite)
    out = tmp_path / f"node.{suffix}"
    proc = subprocess.run(
        [
            node,
            "--test",
            f"--test-reporter={reporter}",
            f"--test-reporter-destination={out}",
            str(suite),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # The suite fails on purpose (exit 1); anything else means node itself broke.
    assert proc.returncode == 1, proc.stderr
    assert out.stat().st_size > 0
    return out


def test_node_tap_reporter(tmp_path: Path) -> None:
    path = _node_report(tmp_path, "tap", "tap")
    run = load([str(path)])
    assert run.inputs[0].format == "tap"
    # 10 leaves: adds, fails, skipped, 2 todos, group/{inner ok, inner fail, deeper/deep ok},
    # parent with subtests/{child a, child b}. The describe blocks are not tests.
    assert counts(run) == (10, 5, 2, 0, 3)
    fails = next(t for t in run.tests if t.name == "fails")
    assert fails.type == "AssertionError"
    assert fails.message is not None and "2 !== 3" in fails.message
    assert fails.file is not None and fails.file.endswith("suite.test.mjs")
    assert fails.duration is not None and 0 < fails.duration < 10
    inner = next(t for t in run.tests if t.name == "inner fail")
    assert inner.suite == ("group",)
    assert inner.message == 'boom <&> "q"'
    deep = next(t for t in run.tests if t.name == "deep ok")
    assert deep.suite == ("group", "deeper")


def test_node_tap_and_junit_reporters_give_the_same_counts(tmp_path: Path) -> None:
    """Parity: the same suite through node's TAP and JUnit reporters."""
    tap_run = load([str(_node_report(tmp_path, "tap", "tap"))])
    junit_run = load([str(_node_report(tmp_path, "junit", "xml"))])
    assert junit_run.inputs[0].format == "junit"
    assert counts(tap_run) == counts(junit_run)
    # The same ids too: Node's JUnit classname `test` is no class (`group › deeper::deep ok`).
    assert sorted(t.id for t in tap_run.tests) == sorted(t.id for t in junit_run.tests)
    assert {"adds", "group::inner ok", "group › deeper::deep ok"} <= {t.id for t in junit_run.tests}


_FORKED_PERL_TEST = """use strict;
use warnings;
use Test::More tests => 3;

ok(1, 'parses the header');
my $pid = fork();
if ($pid == 0) {
    ok(1, 'child sends the payload');
    exit 0;
}
waitpid($pid, 0);
ok(1, 'parent reads the reply');
die "lost the connection\\n";
ok(1, 'closes cleanly');
"""


def test_perl_fork_duplicated_number_hides_a_test_that_never_ran(tmp_path: Path) -> None:
    # Real Test::More output: a child forked without Test2's IPC shares the parent's counter,
    # so it and the parent both write `ok 2`, and the parent then dies before test 3. Three
    # points meet the plan 1..3, yet `closes cleanly` never ran: prove fails the stream
    # ("Tests out of sequence"), and so must the gate.
    perl = shutil.which("perl")
    if perl is None:
        pytest.skip("perl is not installed")
    script = tmp_path / "fork.t"
    script.write_text(_FORKED_PERL_TEST)
    done = subprocess.run([perl, str(script)], capture_output=True, text=True, check=False)
    assert "ok 2 - child sends the payload\nok 2 - parent reads the reply" in done.stdout
    path = tmp_path / "fork.tap"
    path.write_text(done.stdout)
    run = load([str(path)], format="tap")
    assert counts(run) == (4, 3, 0, 1, 0)
    assert any("test point 3 is numbered 2 at line 4" in w.message for w in run.warnings)
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\nphases:\n  - name: Unit\n    criteria:\n"
        "      - id: all\n        tests: {select: '**', max_failed: 0}\n"
    )
    verdict = run_cli("verdict", "-c", str(criteria), str(path))
    assert verdict.returncode == 1, verdict.stdout + verdict.stderr


def test_numbers_out_of_sequence_are_one_error_wherever_read(tmp_path: Path) -> None:
    # A repeated number in a long run of plain points (read as columns), with leading zeros
    # (equal by value, so in sequence), and inside a subtest (read line by line).
    plain = "".join(f"ok {k} - t{k}\n" for k in range(1, 40))
    run = tap(tmp_path, f"1..40\n{plain}ok 39 - again\n", "run.tap")
    assert counts(run) == (41, 40, 0, 1, 0)
    assert any("test point 40 is numbered 39 at line 41" in w.message for w in run.warnings)
    assert counts(tap(tmp_path, "1..2\nok 01 - a\nok 002 - b\n", "zeros.tap")) == (2, 2, 0, 0, 0)
    nested = "1..1\n# Subtest: s\n    1..2\n    ok 1 - a\n    ok 1 - a\nok 1 - s\n"
    run = tap(tmp_path, nested, "nested.tap")
    assert any("numbered 1" in w.message for w in run.warnings)
    assert counts(run)[3] == 1


_EXITS_EARLY = """const test = require('node:test');
test('saves the draft', () => {});
test('flushes and exits', () => { process.exit(0); });
test('restores the draft', () => { throw new Error('never reached'); });
"""


@pytest.mark.parametrize(("reporter", "suffix"), [("tap", "tap"), ("junit", "xml")])
def test_node_test_file_reported_whole_is_no_pass(
    tmp_path: Path, reporter: str, suffix: str
) -> None:
    # Real node --test output: a test that calls process.exit(0) ends its file before any of
    # its tests reported, and a helper file in the run defines no test. Node reports each
    # such file as one passing "test" named by its absolute path, and exits 0. Read as a
    # pass, the gate was READY on a run that lost `restores the draft`, which would fail.
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: cannot generate node:test reports")
    (tmp_path / "draft.test.js").write_text(_EXITS_EARLY)
    (tmp_path / "helpers.js").write_text("module.exports = { answer: 42 };\n")
    (tmp_path / "math.test.js").write_text(
        "const test = require('node:test');\ntest('adds', () => {});\n"
    )
    out = tmp_path / f"node.{suffix}"
    files = ["draft.test.js", "math.test.js", "helpers.js"]
    options = [f"--test-reporter={reporter}", f"--test-reporter-destination={out}"]
    proc = subprocess.run(
        [node, "--test", *options, *files],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    run = load([str(out)])
    whole = sorted(t.name for t in run.tests if t.type == "no test reported")
    assert whole == [str(tmp_path / "draft.test.js"), str(tmp_path / "helpers.js")]
    assert counts(run) == (3, 1, 0, 0, 2)
    assert not [w.message for w in run.warnings if "out of sequence" in w.message]
    assert any("exited before its tests reported" in f.message for f in run.inputs[0].integrity)
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\nphases:\n  - name: Unit\n    criteria:\n"
        "      - id: all\n        tests: {select: '**', max_failed: 0}\n"
    )
    verdict = run_cli("verdict", "-c", str(criteria), str(out))
    assert verdict.returncode == 3, verdict.stdout + verdict.stderr


# --- hand-written streams for each rule ---------------------------------------------------
def test_short_plan_counts_missing_tests_as_errors(tmp_path: Path) -> None:
    run = tap(tmp_path, "TAP version 13\n1..4\nok 1 - a\nok 2 - b\n")
    assert counts(run) == (4, 2, 0, 2, 0)
    assert any("plan 1..4" in w.message and w.line == 2 for w in run.warnings)


def test_exceeded_plan_is_one_error(tmp_path: Path) -> None:
    run = tap(tmp_path, "1..1\nok 1 - a\nok 2 - b\n")
    assert counts(run) == (3, 2, 0, 1, 0)


def test_missing_plan_is_not_silently_passed(tmp_path: Path) -> None:
    run = tap(tmp_path, "TAP version 14\nok 1 - a\nok 2 - b\n")
    assert counts(run) == (3, 2, 0, 1, 0)
    assert any("no plan" in w.message for w in run.warnings)


def test_tap14_subtests_count_leaves_and_keep_a_lone_parent_failure(tmp_path: Path) -> None:
    text = (
        "TAP version 14\n"
        "1..2\n"
        "# Subtest: parent one\n"
        "    1..2\n"
        "    ok 1 - child a\n"
        "    ok 2 - child b\n"
        "not ok 1 - parent one\n"
        "  ---\n"
        "  message: after hook failed\n"
        "  severity: fail\n"
        "  ...\n"
        "# Subtest: parent two\n"
        "    1..1\n"
        "    not ok 1 - child c\n"
        "not ok 2 - parent two\n"
    )
    run = tap(tmp_path, text)
    # child a, child b pass; parent one failed with passing children -> one error;
    # parent two failed because child c did -> no extra error.
    assert counts(run) == (4, 2, 1, 1, 0)
    error = next(t for t in run.tests if t.outcome == Outcome.ERROR)
    # The parent's own error, inside its suite: an error that belongs to no test.
    assert (error.id, error.suite, error.unattributed) == (
        "parent one::[suite error]",
        ("parent one",),
        True,
    )
    assert error.message == "after hook failed"
    assert error.properties["severity"] == "fail"


def test_buffered_subtests(tmp_path: Path) -> None:
    text = "TAP version 14\n1..1\nok 1 - group {\n    1..2\n    ok 1 - x\n    ok 2 - y\n}\n"
    run = tap(tmp_path, text)
    assert counts(run) == (2, 2, 0, 0, 0)
    assert {t.id for t in run.tests} == {"group::x", "group::y"}


def test_yaml_diagnostics_and_directives(tmp_path: Path) -> None:
    text = (
        "TAP version 13\n"
        "1..4\n"
        "not ok 1 - compares \\# signs\n"
        "  ---\n"
        "  message: 'values differ'\n"
        "  severity: fail\n"
        "  duration_ms: 1500\n"
        "  at:\n"
        "    file: test/x.js\n"
        "    line: 12\n"
        "  stack: |\n"
        "    Error: values differ\n"
        "      at test/x.js:12:3\n"
        "  ...\n"
        "not ok 2 - not yet # SKIP needs a database\n"
        "ok 3 - later # todo write it\n"
        "ok 4 - fine # time=250ms\n"
    )
    run = tap(tmp_path, text)
    # `not ok 2 # SKIP` failed: a skip does not excuse a `not ok` (prove counts it failed).
    assert counts(run) == (4, 1, 2, 0, 1)
    first, second, third, fourth = list(run.tests)
    assert first.name == "compares # signs"
    assert first.message == "values differ"
    assert first.duration == pytest.approx(1.5)
    assert (first.file, first.line) == ("test/x.js", 12)
    assert first.output is not None and "at test/x.js:12:3" in first.output
    assert second.message == "needs a database"
    assert third.properties == {"directive": "TODO", "reason": "write it", "todo_result": "ok"}
    assert fourth.duration == pytest.approx(0.25)


def test_yaml_anchor_bomb_is_harmless(tmp_path: Path) -> None:
    lines = ["1..1", "not ok 1 - bomb", "  ---", '  a: &a ["x","x","x","x","x","x","x","x"]']
    for i in range(1, 20):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"  {name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    lines += ["  message: boom", "  ..."]
    run = tap(tmp_path, "\n".join(lines) + "\n")
    assert counts(run) == (1, 0, 1, 0, 0)
    assert run.tests[0].message == "boom"


def test_truncated_stream_never_passes(corpus: Path, tmp_path: Path) -> None:
    data = (corpus / "tap" / "tap4j-node-tap-npm-test.tap").read_bytes()
    cut = tmp_path / "cut.tap"
    cut.write_bytes(data[: len(data) // 2])
    run = load([str(cut)])
    _total, passed, _failed, errors, _skipped = counts(run)
    assert errors >= 1
    assert passed < 204


def test_sniffing_is_specific() -> None:
    from reportgen.ingest.tap import TapIngester

    sniff = TapIngester().sniff
    assert sniff(b"TAP version 14\n1..1\nok 1\n", "x.txt") >= 0.9
    assert sniff(b"\n> npm test\n\nTAP version 13\nok 1\n", "log") >= 0.9
    assert sniff(b"1..2\nok 1 - a\nok 2 - b\n", "x.txt") >= 0.5
    # go test's summary line and JUnit XML are not TAP.
    assert sniff(b"ok  \tgithub.com/x/y\t0.012s\n", "go.txt") == 0
    assert sniff(b'<?xml version="1.0"?><testsuites/>', "junit.xml") == 0
    assert sniff(b"okay then\n", "notes.txt") == 0


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (b"TAP version 13\nok 1 - caf\xe9\n", "UTF-8"),
        (b"\nhello world\n1..\n", "no TAP test lines"),
    ],
)
def test_broken_files_are_input_errors(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "broken.tap"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        load([str(path)], format="tap")
    assert "broken.tap" in str(info.value) and needle in str(info.value)


def test_node_killed_before_its_first_result_holds_nothing(tmp_path: Path) -> None:
    # node --test writes `TAP version 13` as it starts; killed (a CI timeout) before its first
    # test reported, that line is all there is: TAP that holds nothing (INSUFFICIENT, naming
    # the file), not invalid input (it was exit 4), whether named, found or read with --format.
    node = harness_tool("node", "nodejs")
    (tmp_path / "hang.test.mjs").write_text(
        'import { test } from "node:test";\n'
        'test("waits", async () => { await new Promise((r) => setTimeout(r, 60000)); });\n'
    )
    out = tmp_path / "results" / "node.tap"
    out.parent.mkdir()
    proc = subprocess.Popen(
        [node, "--test", "--test-reporter=tap", f"--test-reporter-destination={out}"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):  # until the reporter has written its first line
        if out.exists() and out.read_bytes().endswith(b"\n"):
            break
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    assert out.read_text() == "TAP version 13\n"
    run = load([str(out)])
    assert run.inputs[0].format == "tap" and len(run.tests) == 0
    (flag,) = run.inputs[0].integrity
    assert flag.kind is IntegrityKind.NO_RESULTS and flag.line == 1
    (tmp_path / "crit.yaml").write_text(
        "version: 1\ncriteria:\n  - {id: t, tests: {max_failed: 0}}\n"
    )
    for args in (["results/node.tap"], ["results"], ["--format", "tap", "results/node.tap"]):
        done = run_cli(
            "verdict", "-c", "crit.yaml", *args, cwd=tmp_path, env={"PYTHONPATH": str(REPO)}
        )
        assert done.returncode == 3, done.stdout + done.stderr
        assert "node.tap:1: a TAP version line, then no plan and no test line" in done.stdout


def test_broken_file_through_the_cli_is_one_line_and_exit_4(tmp_path: Path) -> None:
    path = tmp_path / "latin1.tap"
    path.write_bytes(b"TAP version 13\n1..1\nok 1 - caf\xe9\n")
    proc = run_cli("summary", str(path))
    assert proc.returncode == 4
    assert "latin1.tap" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
