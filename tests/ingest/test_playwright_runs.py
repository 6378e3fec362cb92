"""Playwright runs split into shards or repeated (real reports, tests/fixtures/playwright-runs).

A shard's JSON report says which part of the run it holds (`config.shard`); read without the
other shards it is not the run, however green. A repeated id (`--repeat-each`) is never a
retry in Playwright's reports: one failing repeat fails whatever `repeats:` says.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import ExitCode
from reportgen.ingest import load
from reportgen.model import IntegrityKind
from tests.conftest import REPO, gate_verdict

FIXTURES = REPO / "tests" / "fixtures" / "playwright-runs"
SHARDS = [FIXTURES / f"shard-{n}-of-3" / "pw.json" for n in (1, 2, 3)]


def _missing(paths: list[Path]) -> dict[str, list[str]]:
    """The `tests_missing` messages of each input read (not left out as a copy), by path."""
    run = load([str(p) for p in paths])
    return {
        f.path: [flag.message for flag in f.integrity if flag.kind is IntegrityKind.TESTS_MISSING]
        for f in run.inputs
        if f.duplicate_of is None
    }


def test_every_shard_is_the_whole_run(tmp_path: Path) -> None:
    # Shard 3 was given no tests: before, it alone made the run INSUFFICIENT (no results).
    assert _missing(SHARDS) == {str(p): [] for p in SHARDS}
    code, out = gate_verdict(tmp_path, *map(str, SHARDS))
    assert code == ExitCode.READY, out


@pytest.mark.parametrize(
    ("given", "absent"),
    [((1,), "shards 2, 3 of 3 are"), ((1, 3), "shard 2 of 3 is"), ((2, 3), "shard 1 of 3 is")],
)
def test_a_shard_missing_is_insufficient(
    tmp_path: Path, given: tuple[int, ...], absent: str
) -> None:
    # Before: shard 1 alone (1 passing test of 3) was READY (exit 0).
    paths = [SHARDS[n - 1] for n in given]
    for messages in _missing(paths).values():
        assert len(messages) == 1 and absent in messages[0] and "merge-reports" in messages[0]
    code, out = gate_verdict(tmp_path, *map(str, paths))
    assert code == ExitCode.INSUFFICIENT, out


def test_junit_copy_of_a_shard_carries_the_shard(tmp_path: Path) -> None:
    # The junit reporter's copy of shard 1 does not say it is a shard; read in the json's
    # place (or beside it), the run is still one shard of three.
    pair = [FIXTURES / "shard-1-of-3" / "pw.xml", SHARDS[0]]
    assert [bool(m) for m in _missing(pair).values()] == [True]
    code, out = gate_verdict(tmp_path, *map(str, pair))
    assert code == ExitCode.INSUFFICIENT, out


def test_merged_report_declares_no_shard(corpus: Path) -> None:
    # A report merged from the shards (merge-reports) writes `"shard": null`; a real shard
    # 1 of 2 of another project, alone, lacks its shard 2.
    merged = corpus / "playwright" / "daun-pw-report-sharded-merged.json"
    assert _missing([merged]) == {str(merged): []}
    shard = corpus / "playwright" / "daun-pw-report-valid.json"
    [messages] = _missing([shard]).values()
    assert len(messages) == 1 and "shard 1 of 2" in messages[0]


LAST_ATTEMPT = """\
version: 1
defaults: {repeats: last_attempt}
criteria:
  - id: all-pass
    tests: {max_failed: 0, min_total: 1}
  - id: required
    tests: {require: ["login.spec.js › form::remembers the user"]}
"""


@pytest.mark.parametrize("repeats", ["each", "last_attempt"])
def test_one_failing_repeat_fails_whatever_the_rule(tmp_path: Path, repeats: str) -> None:
    # --repeat-each=3 with the second repeat failing: before, `repeats: last_attempt` let the
    # passing third repeat decide (READY, exit 0), though Playwright marks its retries and a
    # repeat is no retry.
    report = FIXTURES / "repeat-each-3" / "pw.json"
    criteria = LAST_ATTEMPT.replace("last_attempt", repeats)
    code, out = gate_verdict(tmp_path, str(report), criteria=criteria)
    assert code == ExitCode.NOT_READY, out
    assert out.count("login.spec.js › form::remembers the user") >= 2, out


def test_a_rerun_of_the_failed_tests_is_not_the_run(tmp_path: Path) -> None:
    # `--last-failed` after a failing run: one passing test of two. Before: READY (exit 0).
    rerun = FIXTURES / "rerun" / "last-failed" / "pw.json"
    [messages] = _missing([rerun]).values()
    assert len(messages) == 1 and "--last-failed" in messages[0]
    code, out = gate_verdict(tmp_path, str(rerun))
    assert code == ExitCode.INSUFFICIENT, out
    # Beside the full run it reran, the failure there decides.
    full = FIXTURES / "rerun" / "full-run" / "pw.json"
    assert _missing([full]) == {str(full): []}
    code, out = gate_verdict(tmp_path, str(full), str(rerun))
    assert code == ExitCode.NOT_READY, out


def test_shards_beside_the_report_merged_from_them(tmp_path: Path) -> None:
    # Shards 1 and 2 are read as parts of the merged report; shard 3, given nothing, is no
    # part of it but its siblings are there (through the merged copy): READY. Flagging the
    # empty shard alone here was caught while writing the shard check.
    merged = FIXTURES / "merged"
    paths = [*(merged / f"shard-{n}-of-3.json" for n in (1, 2, 3)), merged / "merged.json"]
    assert all(not m for m in _missing(paths).values())
    code, out = gate_verdict(tmp_path, *map(str, paths))
    assert code == ExitCode.READY, out
