"""Mocha ids keep the test file: the same titles in two files are two tests, in Mocha's JSON
reporter and in mocha-junit-reporter alike.

The inputs are committed outputs of real Mocha runs (tests/fixtures/ids/README.md, section
`mocha-files/`): `api.spec.js` and `db/api.spec.js` hold the same describe path and titles;
in the `before` run the first file's `client › connects` fails, in the `after` run the
second's does instead.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import Outcome
from tests.conftest import run_cli
from tests.ingest.json_ingest_support import FIXTURES

MOCHA = FIXTURES / "ids" / "mocha-files"
FORMATS = ("json", "junit.xml")


def _ids(path: Path) -> list[tuple[str, Outcome]]:
    return sorted((t.id, t.outcome) for t in load([str(path)]).tests)


def _verdict(tmp_path: Path, criteria: str, *args: str) -> tuple[int, dict[str, object]]:
    path = tmp_path / "criteria.yaml"
    path.write_text("version: 1\n" + textwrap.dedent(criteria))
    proc = run_cli("verdict", "--json", "-", "-c", str(path), *args)
    assert proc.returncode in (0, 1, 3), proc.stdout + proc.stderr
    document = json.loads(proc.stdout)
    return proc.returncode, next(c for c in document["criteria"] if c["id"] == "gate")


def test_the_same_titles_in_two_files_are_two_tests() -> None:
    from_json = _ids(MOCHA / "mocha-before.json")
    assert from_json == [
        ("api.spec.js › client::connects", Outcome.FAILED),
        ("api.spec.js › client::reads", Outcome.PASSED),
        ("api.spec.js::smoke", Outcome.PASSED),
        ("db/api.spec.js › client::connects", Outcome.PASSED),
        ("db/api.spec.js › client::reads", Outcome.PASSED),
        ("db/api.spec.js::smoke", Outcome.PASSED),
    ]
    # No id holds the checkout's absolute path.
    assert not [i for i, _ in from_json if "/home/ci" in i]


def test_json_and_junit_give_the_same_ids_inside_describe_blocks() -> None:
    for run in ("before", "after"):
        from_json = _ids(MOCHA / f"mocha-{run}.json")
        from_junit = _ids(MOCHA / f"mocha-{run}.junit.xml")
        inside = [i for i in from_json if " › " in i[0]]
        assert [i for i in from_junit if " › " in i[0]] == inside
        # mocha-junit-reporter puts tests outside any describe block in its root suite,
        # which names no file: the id is the title alone (matched by full title).
        assert [i for i in from_junit if " › " not in i[0]] == [("smoke", Outcome.PASSED)] * 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_last_attempt_cannot_hide_one_files_failure_behind_the_others_pass(
    tmp_path: Path, fmt: str
) -> None:
    # With the file left out of the id, `client › connects` ran "twice", the failing one
    # first: "last one decides" read the run as READY.
    code, gate = _verdict(
        tmp_path,
        """
        defaults: {repeats: last_attempt}
        criteria:
          - id: gate
            tests: {max_failed: 0}
        """,
        str(MOCHA / f"mocha-before.{fmt}"),
    )
    assert code == 1 and gate["status"] == "fail", gate
    assert "api.spec.js › client::connects" in str(gate["reason"])


@pytest.mark.parametrize("baseline", FORMATS)
@pytest.mark.parametrize("current", FORMATS)
def test_new_failures_pair_each_file_with_itself(
    tmp_path: Path, baseline: str, current: str
) -> None:
    # db/api.spec.js's `client › connects` broke; api.spec.js's was fixed. Paired by title
    # alone the broken one matched the baseline failure and nothing was new.
    code, gate = _verdict(
        tmp_path,
        "criteria:\n  - id: gate\n    tests: {new_failures: 0}\n",
        str(MOCHA / f"mocha-after.{current}"),
        "--baseline",
        str(MOCHA / f"mocha-before.{baseline}"),
    )
    assert code == 1 and gate["status"] == "fail", gate
    assert "db/api.spec.js › client::connects" in str(gate["reason"])
