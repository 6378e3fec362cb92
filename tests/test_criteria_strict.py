"""Criteria files parse strictly in every form: a repeated key is an error, never "last wins"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportgen import criteria
from reportgen.errors import CriteriaError, ExitCode
from tests.conftest import run_cli

GOOD = {"version": 1, "criteria": [{"id": "gate", "tests": {"max_failed": 0}}]}


def _tab_indented(document: object) -> str:
    # PyYAML refuses tab indentation, so this JSON is read by the JSON parser alone.
    return json.dumps(document, indent="\t") + "\n"


@pytest.mark.parametrize(
    ("name", "text", "line", "key"),
    [
        # Compact JSON is read by the YAML parser (JSON is YAML).
        (
            "compact.json",
            '{"version": 1, "criteria": [{"id": "a", "tests": {"max_failed": 0}}], "version": 1}\n',
            1,
            "version",
        ),
        # Tab-indented JSON: YAML cannot read it, the JSON parser must still refuse repeats.
        (
            "tabs.json",
            _tab_indented(GOOD).replace('\t"version": 1,', '\t"version": 1,\n\t"version": 1,'),
            3,
            "version",
        ),
        (
            "nested.json",
            _tab_indented(GOOD).replace(
                '"max_failed": 0', '"max_failed": 0,\n\t\t\t\t"max_failed": 5'
            ),
            8,
            "max_failed",
        ),
        # The extension does not decide: JSON text in a .yaml file is as strict.
        (
            "tabs.yaml",
            _tab_indented(GOOD).replace('\t"version": 1,', '\t"version": 1,\n\t"version": 1,'),
            3,
            "version",
        ),
        ("plain.yaml", "version: 1\ncriteria: []\nversion: 1\n", 3, "version"),
        (
            "quoted.yaml",
            "version: 1\ncriteria:\n  - id: a\n    tests: {max_failed: 0, 'max_failed': 3}\n",
            4,
            "max_failed",
        ),
    ],
)
def test_a_repeated_key_is_an_error_naming_file_and_line(
    tmp_path: Path, name: str, text: str, line: int, key: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CriteriaError) as info:
        criteria.load(path)
    assert str(info.value) == f"{path}:{line}: duplicate key {key!r}"
    assert info.value.exit_code is ExitCode.INVALID_INPUT


def test_the_same_key_in_different_objects_is_fine(tmp_path: Path) -> None:
    document = {
        "version": 1,
        "criteria": [
            {"id": "a", "tests": {"max_failed": 0}},
            {"id": "b", "tests": {"max_failed": 1, "select": ["x::*", "id"]}},
        ],
    }
    path = tmp_path / "ok.json"
    path.write_text(_tab_indented(document), encoding="utf-8")
    loaded = criteria.load(path)
    assert [c.id for _, c in loaded.all_criteria()] == ["a", "b"]


def test_a_key_inside_a_string_value_is_not_a_key(tmp_path: Path) -> None:
    document = {
        "version": 1,
        "report": {"title": '"version": 1, {"a": 1}'},
        "criteria": [{"id": "a", "tests": {"max_failed": 0}}],
    }
    path = tmp_path / "strings.json"
    path.write_text(_tab_indented(document), encoding="utf-8")
    assert criteria.load(path).report.title == '"version": 1, {"a": 1}'


def test_verdict_exits_4_on_a_repeated_key_in_tab_indented_json(tmp_path: Path) -> None:
    path = tmp_path / "gate.json"
    path.write_text(
        _tab_indented(GOOD).replace('"max_failed": 0', '"max_failed": 0,\n\t\t\t\t"max_failed": 9'),
        encoding="utf-8",
    )
    result = run_cli("verdict", "-c", str(path))
    assert result.returncode == ExitCode.INVALID_INPUT, result.stderr
    assert f"{path}:8: duplicate key 'max_failed'" in result.stderr
    assert result.stderr.count("\n") == 1
