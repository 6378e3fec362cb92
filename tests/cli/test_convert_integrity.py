"""A conversion is no more evidence than its source: what an input says it lacks (integrity
flags) travels through `reportgen convert` to CTRF and JUnit and is read back.

Before, converting a file that said it was incomplete gave a clean file: READY on evidence
its source could not carry.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import IntegrityKind
from tests.conftest import run_cli
from tests.ingest.json_ingest_support import FIXTURES

CRITERIA = """\
version: 1
phases:
  - name: gate
    criteria:
      - id: clean
        tests:
          select: ["pkg::*", "test_flaky_plugin::test_passes", "*fails_then_passes"]
          max_failed: 0
"""

# A suite that declares five tests and holds three: a run cut short.
CUT_JUNIT = """<?xml version="1.0"?>
<testsuite name="pkg" tests="5" failures="0" errors="0" skipped="0">
  <testcase classname="pkg" name="a" time="0.1"/>
  <testcase classname="pkg" name="b" time="0.1"/>
  <testcase classname="pkg" name="c" time="0.1"/>
</testsuite>
"""


def _sources(tmp_path: Path) -> dict[str, Path]:
    cut = tmp_path / "cut.xml"
    cut.write_text(CUT_JUNIT)
    empty = tmp_path / "shard.xml"
    empty.write_text('<?xml version="1.0"?>\n<testsuites/>\n')
    # A session in which nothing failed, written by a reporter that hides retried attempts.
    flaky = FIXTURES / "junit-reruns" / "flaky-clean.json"
    return {"tests_missing": cut, "no_results": empty, "attempts_hidden": flaky}


@pytest.mark.parametrize("to", ["ctrf", "junit"])
@pytest.mark.parametrize("kind", ["tests_missing", "no_results", "attempts_hidden"])
def test_a_conversion_keeps_what_its_source_lacks(tmp_path: Path, to: str, kind: str) -> None:
    source = _sources(tmp_path)[kind]
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(CRITERIA)
    assert run_cli("verdict", "-c", str(criteria), str(source)).returncode == 3
    converted = tmp_path / ("converted.json" if to == "ctrf" else "converted.xml")
    proc = run_cli("convert", str(source), "--to", to, "-o", str(converted))
    assert proc.returncode == 0, proc.stderr
    (read,) = load([str(converted)]).inputs
    assert IntegrityKind(kind) in {f.kind for f in read.integrity}
    assert any(source.name in f.message or "converted" in f.message for f in read.integrity)
    proc = run_cli("verdict", "-c", str(criteria), str(converted))
    assert proc.returncode == 3, proc.stdout + proc.stderr


@pytest.mark.parametrize("to", ["ctrf", "junit"])
def test_a_clean_conversion_adds_no_flag(tmp_path: Path, to: str) -> None:
    source = FIXTURES / "junit-reruns" / "pytest-retry-junit.xml"
    converted = tmp_path / ("converted.json" if to == "ctrf" else "converted.xml")
    assert run_cli("convert", str(source), "--to", to, "-o", str(converted)).returncode == 0
    run = load([str(converted)])
    assert not [f for i in run.inputs for f in i.integrity]
    assert not [w for w in run.warnings if "declares" in w.message]
