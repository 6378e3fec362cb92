"""`reportgen report` end to end: the real CLI in a subprocess on the Phase 4 sample."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.render.helpers import GOLDEN_EPOCH, render_sample

SAMPLE_ARGS = (
    "report",
    "-c",
    "samples/phase4-websocket/criteria.yaml",
    "--baseline",
    "samples/phase4-websocket/baseline",
    "samples/phase4-websocket/results",
)


def test_writes_every_format_and_exits_with_the_verdict(tmp_path: Path) -> None:
    out = tmp_path / "new" / "dir"  # missing directories are created
    result = render_sample(out, "r.md", "r.html", "r.pdf", "r.json")
    assert result.returncode == 1, result.stderr
    # The same criteria table as `reportgen verdict`, then what was written.
    assert "connect-no-regression  FAIL" in result.stdout
    assert "Verdict: NOT READY (2 pass, 2 fail, 3 insufficient)\nwrote " in result.stdout
    assert result.stderr == ""
    assert sorted(p.name for p in out.iterdir()) == ["r.html", "r.json", "r.md", "r.pdf"]

    verdict = json.loads((out / "r.json").read_text(encoding="utf-8"))
    assert verdict["verdict"] == "NOT READY"
    assert len(verdict["criteria_sha256"]) == 64
    # Every failing test, in full, for the reports that list only the first few.
    assert verdict["failing_tests"] == [
        {
            "id": "tests.staging.test_websocket::test_staging_websocket_connection",
            "outcome": "failed",
            "message": "AssertionError: WebSocket handshake to wss://staging.example.invalid/ws "
            "failed: HTTP 500 Internal Server Error",
            "source": "samples/phase4-websocket/results/junit.xml",
            "file": "tests/staging/test_websocket.py",
            "line": 18,
        }
    ]

    from pypdf import PdfReader

    reader = PdfReader(out / "r.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "NOT READY" in text
    assert "+25.3% (regression)" in text
    assert "not a measurement" in " ".join(text.split())  # wherever the line wraps
    assert "74.1%" in text
    assert f"Page 1 of {len(reader.pages)}" in text
    assert not reader.attachments  # nothing embedded

    # The Markdown points to the other reports when it has to be trimmed.
    md = (out / "r.md").read_text(encoding="utf-8")
    assert "Trimmed" not in md


def test_same_inputs_give_identical_bytes(tmp_path: Path) -> None:
    # Markdown, HTML and JSON here; the PDF's byte-identity is tested with the PDF renderer.
    names = ("r.md", "r.html", "r.json")
    outputs = [arg for name in names for arg in ("-o", str(tmp_path / name))]
    runs = []
    for _ in range(2):
        # Same output paths both times: the recorded command line is part of the report.
        result = run_cli(
            *SAMPLE_ARGS, *outputs, "--exit-zero", env={"SOURCE_DATE_EPOCH": GOLDEN_EPOCH}
        )
        assert result.returncode == 0, result.stderr
        runs.append([(tmp_path / name).read_bytes() for name in names])
    assert runs[0] == runs[1]


def test_stdout_output_keeps_the_document_pure(tmp_path: Path) -> None:
    result = run_cli(*SAMPLE_ARGS, "-o", "-", "--to", "md")
    assert result.returncode == 1
    assert result.stdout.startswith("# Phase 4: Performance \\& Regression Testing")
    assert "Verdict: NOT READY" in result.stderr
    assert "To decide:" not in result.stdout  # the terminal table stays off stdout


def test_github_comment_and_max_chars_trim_the_markdown(tmp_path: Path) -> None:
    result = run_cli(
        *SAMPLE_ARGS,
        "-o",
        str(tmp_path / "r.md"),
        "-o",
        str(tmp_path / "r.html"),
        "--max-chars",
        "4000",
    )
    assert result.returncode == 1, result.stderr
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert len(md) <= 4000
    assert "**Trimmed**" in md and str(tmp_path / "r.html") in md.replace("\\", "")
    result = run_cli(*SAMPLE_ARGS, "-o", str(tmp_path / "g.md"), "--github-comment")
    assert result.returncode == 1
    comment = (tmp_path / "g.md").read_text(encoding="utf-8")
    # The flag writes the PR comment body, not a trimmed report: same as --to github-comment.
    result = run_cli(*SAMPLE_ARGS, "-o", str(tmp_path / "c.txt"), "--to", "github-comment")
    assert result.returncode == 1
    assert comment == (tmp_path / "c.txt").read_text(encoding="utf-8")
    assert comment.startswith("<!-- reportgen:") and len(comment) <= 65_536


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ((), "no output"),
        (("-o", "report.txt"), "cannot tell the format"),
        (("-o", "a.md", "-o", "a.md"), "given twice"),
        (("-o", "a.md", "--max-chars", "10"), "at least"),
    ],
)
def test_usage_errors(tmp_path: Path, extra: tuple[str, ...], message: str) -> None:
    result = run_cli(*SAMPLE_ARGS, *extra, cwd=None)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_input_leaves_nothing_written(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text("<testsuite><testcase name='x'>", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(
        "report",
        "-c",
        "samples/phase4-websocket/criteria.yaml",
        str(broken),
        "-o",
        str(out / "r.md"),
        "-o",
        str(out / "r.html"),
    )
    assert result.returncode == 4, result.stderr
    assert "broken.xml" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_invalid_criteria_exit_4(tmp_path: Path) -> None:
    criteria = tmp_path / "c.yaml"
    criteria.write_text("version: 1\ncriteria:\n  - id: x\n    bogus: 1\n", encoding="utf-8")
    result = run_cli(
        "report",
        "-c",
        str(criteria),
        "samples/phase4-websocket/results",
        "-o",
        str(tmp_path / "r.md"),
    )
    assert result.returncode == 4, result.stderr
    assert "c.yaml" in result.stderr
    assert not (tmp_path / "r.md").exists()


def test_exit_zero(tmp_path: Path) -> None:
    result = run_cli(*SAMPLE_ARGS, "-o", str(tmp_path / "r.json"), "--exit-zero")
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["verdict"] == "NOT READY"


def _alt_texts(node: Any, found: list[str]) -> list[str]:
    """Every /Alt in a structure tree (charts carry their description there)."""
    node = node.get_object()
    if isinstance(node, dict):
        if "/Alt" in node:
            found.append(str(node["/Alt"]))
        kids = node.get("/K")
        if kids is not None:
            for kid in kids if isinstance(kids, list) else [kids]:
                _alt_texts(kid, found)
    return found


def test_default_pdf_is_tagged_with_language_title_and_chart_alt_text(tmp_path: Path) -> None:
    from pypdf import PdfReader

    result = run_cli(*SAMPLE_ARGS, "-o", str(tmp_path / "r.pdf"), "--exit-zero")
    assert result.returncode == 0, result.stderr
    reader = PdfReader(tmp_path / "r.pdf")
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert (reader.metadata or {}).get("/Title") == (
        "Phase 4: Performance & Regression Testing: NOT READY"
    )
    alts = _alt_texts(root["/StructTreeRoot"], [])
    assert any(a.startswith("Test outcomes per suite") for a in alts), alts
    assert any(a.startswith("ws_connect_time") for a in alts), alts


def test_pdf_variant_reaches_the_pdf(tmp_path: Path) -> None:
    """`--pdf-variant` passes through: PDF/UA-1 is tagged, PDF/A-3b declares its part,
    `untagged` has no structure tree."""
    from pypdf import PdfReader

    for variant, name in (("pdf/ua-1", "ua.pdf"), ("pdf/a-3b", "a.pdf"), ("untagged", "u.pdf")):
        result = run_cli(
            *SAMPLE_ARGS, "-o", str(tmp_path / name), "--pdf-variant", variant, "--exit-zero"
        )
        assert result.returncode == 0, result.stderr
    tagged = PdfReader(tmp_path / "ua.pdf").trailer["/Root"]
    assert "/StructTreeRoot" in tagged
    assert "/StructTreeRoot" not in PdfReader(tmp_path / "u.pdf").trailer["/Root"]
    archival = PdfReader(tmp_path / "a.pdf").xmp_metadata
    assert archival is not None
    raw = archival.stream.get_data()
    assert b"pdfaid" in raw and b'part="3"' in raw


def test_unknown_pdf_variant_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(*SAMPLE_ARGS, "-o", str(tmp_path / "r.pdf"), "--pdf-variant", "pdf/x-9")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "r.pdf").exists()
