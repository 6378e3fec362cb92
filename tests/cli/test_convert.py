"""`reportgen convert`: CTRF and JUnit output through the real CLI, exit codes, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import run_cli


def test_convert_to_ctrf_file_validates(corpus: Path, tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    out = tmp_path / "ctrf.json"
    proc = run_cli(
        "convert",
        str(corpus / "trx" / "dorny-dotnet-trx.trx"),
        str(corpus / "nunit3" / "dorny-dotnet-nunit3.xml"),
        "--to",
        "ctrf",
        "-o",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    document = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads((corpus / "ctrf" / "ctrf.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    summary = document["results"]["summary"]
    # TRX 11 (5 passed, 5 failed, 1 skipped) + NUnit 9 (3 passed, 3 failed, 2 errors, 1 skipped).
    assert (summary["tests"], summary["passed"], summary["failed"], summary["skipped"]) == (
        20,
        8,
        10,
        2,
    )
    assert document["results"]["tool"]["name"] == "nunit3+trx"
    # The TRX counters warning reaches the user on stderr, not in the document.
    assert "warning:" in proc.stderr and "notExecuted=0" in proc.stderr


def test_convert_to_junit_on_stdout(corpus: Path) -> None:
    proc = run_cli("convert", str(corpus / "tap"), "--to", "junit", "-o", "-")
    assert proc.returncode == 0, proc.stderr
    root = etree.fromstring(proc.stdout.encode("utf-8"))
    # Sum of the five TAP corpus files: 281 tests, 268 passed, 3 failed, 3 errors, 7 skipped
    # (a `not ok ... # SKIP` is failed, as prove counts it).
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "281",
        "3",
        "3",
        "7",
    )


def test_same_inputs_give_the_same_bytes(corpus: Path, tmp_path: Path) -> None:
    outputs = []
    for i in range(2):
        out = tmp_path / f"out{i}.json"
        proc = run_cli(
            "convert",
            str(corpus / "xunit2"),
            "--to",
            "ctrf",
            "-o",
            str(out),
            env={"SOURCE_DATE_EPOCH": "1700000000"},
        )
        assert proc.returncode == 0, proc.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["timestamp"] == "2023-11-14T22:13:20Z"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["convert", "--to", "ctrf"], 2),  # no input
        (["convert", "x.trx"], 2),  # no --to
        (["convert", "x.trx", "--to", "yaml"], 2),
        (["convert", "does-not-exist.trx", "--to", "junit"], 4),
    ],
)
def test_exit_codes(args: list[str], code: int, tmp_path: Path) -> None:
    proc = run_cli(*args, cwd=None)
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr


def test_broken_input_is_exit_4_and_writes_nothing(corpus: Path, tmp_path: Path) -> None:
    data = (corpus / "nunit3" / "dorny-dotnet-nunit3.xml").read_bytes()
    broken = tmp_path / "TestResult.xml"
    broken.write_bytes(data[:3000])
    out = tmp_path / "out.xml"
    proc = run_cli("convert", str(broken), "--to", "junit", "-o", str(out))
    assert proc.returncode == 4
    assert "TestResult.xml" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [broken]
