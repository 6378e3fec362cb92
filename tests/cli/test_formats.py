"""`reportgen formats`: every registered format, as a table and as JSON, through the real CLI."""

from __future__ import annotations

import json

from reportgen.ingest.registry import all_ingesters
from tests.conftest import run_cli


def test_json_lists_every_registered_format() -> None:
    proc = run_cli("formats", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    expected = [
        {"name": i.name, "description": i.description, "patterns": list(i.patterns)}
        for i in all_ingesters()
    ]
    assert rows == expected
    names = [r["name"] for r in rows]
    assert {"tap", "trx", "nunit3", "xunit2", "junit"} <= set(names)
    assert len(names) == len(set(names))


def test_table_shows_name_description_and_patterns() -> None:
    proc = run_cli("formats")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["format", "reads", "file", "patterns"]
    starts = {line.split()[0] for line in lines[2:] if line and not line.startswith(" ")}
    for ingester in all_ingesters():
        assert ingester.name in starts
        row = next(line for line in lines if line.startswith(ingester.name + " "))
        if ingester.patterns:
            assert ingester.patterns[0] in row
    assert f"{len(all_ingesters())} formats" in proc.stdout
    assert all(len(line) < 200 for line in lines)


def test_unknown_flag_is_a_usage_error() -> None:
    proc = run_cli("formats", "--nope")
    assert proc.returncode == 2
