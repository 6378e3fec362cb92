"""Parity: one pytest session reported as JUnit XML and as pytest-json-report reads the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ingest.json_ingest_support import counts, read, run_pytest_suite


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return run_pytest_suite(tmp_path_factory.mktemp("parity"))


def test_same_counts(reports: tuple[Path, Path]) -> None:
    report, junit = reports
    from_json = read(report)
    from_junit = read(junit)
    assert from_json.inputs[0].format == "pytest-json"
    assert from_junit.inputs[0].format == "junit"
    assert counts(from_json) == counts(from_junit)


def test_same_ids_and_outcomes(reports: tuple[Path, Path]) -> None:
    report, junit = reports
    from_json = {t.id: t.outcome for t in read(report).tests}
    from_junit = {t.id: t.outcome for t in read(junit).tests}
    assert from_json == from_junit
