"""A suite's own error (a failed `after` hook of a describe block) counts against every
selection that may reach a test inside that suite, judged on real `node --test` TAP output."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import Outcome
from tests.conftest import run_cli

# `cache`'s after hook throws while its tests pass: Node reports the describe as a `not ok`
# parent with passing subtests. `cachex` and `db` are neighbours it does not reach.
SUITE = """
import { describe, it, after } from 'node:test';
describe('cache', () => {
  it('hits', () => {});
  describe('inner', () => { it('evicts', () => {}); });
  after(() => { throw new Error('teardown boom'); });
});
describe('cachex', () => { it('other', () => {}); });
describe('db', () => { it('reads', () => {}); });
"""

#: select pattern -> whether the error of `cache` counts against it.
REACH = {
    "cache::*": True,
    "cache::hits": True,
    "cache › inner::evicts": True,
    "**": True,
    "cache*": True,
    "cachex::*": False,
    "db::*": False,
}


@pytest.fixture(scope="module")
def node_tap(tmp_path_factory: pytest.TempPathFactory) -> Path:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (apt-get install nodejs)")
    folder = tmp_path_factory.mktemp("node-hook")
    (folder / "app.test.mjs").write_text(textwrap.dedent(SUITE))
    out = folder / "out.tap"
    proc = subprocess.run(
        [
            node,
            "--test",
            "--test-reporter=tap",
            f"--test-reporter-destination={out}",
            "app.test.mjs",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr  # the hook fails the run
    assert "hookFailed" in out.read_text()
    return out


def test_the_hook_failure_is_an_error_of_its_suite(node_tap: Path) -> None:
    run = load([str(node_tap)])
    errors = [t for t in run.tests if t.outcome is Outcome.ERROR]
    assert [(t.id, t.unattributed) for t in errors] == [("cache::[suite error]", True)]
    assert errors[0].message == "teardown boom"
    assert sum(t.outcome is Outcome.PASSED for t in run.tests) == 4


@pytest.mark.parametrize("pattern", sorted(REACH))
def test_the_error_counts_where_the_selection_reaches_the_suite(
    tmp_path: Path, node_tap: Path, pattern: str
) -> None:
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\ncriteria:\n"
        f"  - id: gate\n    tests: {{select: {json.dumps(pattern)}, max_failed: 0}}\n",
        encoding="utf-8",
    )
    proc = run_cli("verdict", "--ci", "none", "-c", str(criteria), str(node_tap), "--json", "-")
    gate = json.loads(proc.stdout)["criteria"][0]
    if REACH[pattern]:
        assert (proc.returncode, gate["status"]) == (1, "fail"), gate["reason"]
        assert "cache::[suite error]" in gate["reason"]
    else:
        assert (proc.returncode, gate["status"]) == (0, "pass"), gate["reason"]
