"""PDF renderer: text read back with pypdf, deterministic bytes, data:-only fetching (no file
embedded, no request reaching a loopback server), variants, and the time limit."""

from __future__ import annotations

import http.server
import io
import os
import re
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from reportgen.errors import RenderError, UsageError
from reportgen.render.charts import distribution_svg, outcomes_svg
from reportgen.render.pdf import RenderStats, html_to_pdf, html_to_pdf_with_stats
from tests.conftest import run_cli

pypdf = pytest.importorskip("pypdf")
pytest.importorskip("weasyprint")

EPOCH = "1700000000"  # 2023-11-14T22:13:20Z
HARFBUZZ = "HarfBuzz"  # font-subsetting advice about the system library, not about our HTML


def png_data_url(width: int = 4, height: int = 4) -> str:
    """A small red PNG as a data: URL, built by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def report_html() -> str:
    """A report-like print document: running header, page numbers, a long table, a chart."""
    rows = "".join(
        f"<tr><td>tests/test_api.py::test_case_{i:03d}</td>"
        f"<td>{'failed' if i % 7 == 0 else 'passed'}</td><td>{i * 0.013:.3f} s</td></tr>"
        for i in range(100)
    )
    chart = distribution_svg(
        [1.18, 1.2, 1.21, 1.22, 1.25], [1.45, 1.5, 1.52, 1.55, 1.6], unit="s", title="connect_time"
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Phase 4 readiness</title>
<style>
@page {{ size: A4; margin: 2cm 1.5cm;
  @top-left {{ content: "Phase 4 readiness: NOT READY"; font-size: 9pt; }}
  @bottom-right {{ content: "page " counter(page) " of " counter(pages); font-size: 9pt; }} }}
body {{ font-family: sans-serif; font-size: 10pt; }}
table {{ border-collapse: collapse; width: 100%; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; }}
td, th {{ border-bottom: 1px solid #ccc; padding: 2pt 4pt; }}
</style></head><body>
<h1>Phase 4 readiness</h1>
<p class="verdict">Verdict: NOT READY</p>
<p>ws.connect_time 1.20 s → 1.52 s (+26.7%, regression), CI [1.45 s, 1.58 s], n=30.</p>
<p><img alt="marker" src="{png_data_url()}" width="40" height="40"></p>
{chart}
{outcomes_svg([("api", 128, 22, 0, 0)])}
<table><thead><tr><th>test</th><th>outcome</th><th>duration</th></tr></thead>
<tbody>{rows}</tbody></table>
</body></html>"""


def page_text(pdf: bytes) -> tuple[list[str], object]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [page.extract_text() for page in reader.pages], reader


def squash(text: str) -> str:
    """pypdf drops some spaces between SVG text runs; compare without whitespace."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def rendered() -> tuple[bytes, RenderStats]:
    """The report-like document rendered once (with SOURCE_DATE_EPOCH) for several checks."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return html_to_pdf_with_stats(report_html())


def test_text_has_verdict_figures_header_and_page_numbers(
    rendered: tuple[bytes, RenderStats],
) -> None:
    pdf, stats = rendered
    texts, _ = page_text(pdf)
    assert pdf.startswith(b"%PDF-")
    assert stats.pages == len(texts)
    assert 2 <= len(texts) <= 8, f"{len(texts)} pages for a 100-row table"
    everything = "\n".join(texts)
    assert "Verdict: NOT READY" in everything
    assert "1.20 s → 1.52 s (+26.7%, regression)" in everything
    # Every row of the table made it, across page breaks.
    assert "test_case_000" in everything and "test_case_099" in everything
    for number, text in enumerate(texts, start=1):
        assert "Phase 4 readiness: NOT READY" in text
        assert f"page {number} of {len(texts)}" in text
    # The chart's text is real text in the PDF (drawn by WeasyPrint's SVG renderer).
    assert "connect_time" in everything
    assert "median1.52s" in squash(everything)
    assert "failed22" in squash(everything)


def test_data_image_is_embedded_and_nothing_warned(rendered: tuple[bytes, RenderStats]) -> None:
    pdf, stats = rendered
    _, reader = page_text(pdf)
    assert any(len(page.images) for page in reader.pages), "the data: PNG is missing"
    assert [w for w in stats.warnings if HARFBUZZ not in w] == []
    assert stats.peak_rss_bytes > 10 * 1024 * 1024  # the child reported its own peak


def test_dates_come_from_source_date_epoch(rendered: tuple[bytes, RenderStats]) -> None:
    pdf, _ = rendered
    _, reader = page_text(pdf)
    meta = reader.metadata
    assert meta is not None
    assert meta.get("/CreationDate") == "D:20231114221320Z"
    assert meta.get("/ModDate") == "D:20231114221320Z"


def test_same_html_gives_identical_bytes(
    rendered: tuple[bytes, RenderStats], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert html_to_pdf(report_html()) == rendered[0]


def test_pdf_a3b_variant_is_declared_with_a_content_identifier(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    pdf = html_to_pdf(
        "<html lang='en'><title>t</title><p>Verdict: NOT READY, 1.2 s → 1.5 s</p></html>",
        variant="pdf/a-3b",
    )
    _, reader = page_text(pdf)
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data()
    assert b"pdfaid" in raw and b'part="3"' in raw and b'conformance="B"' in raw
    # PDF/A requires a file identifier; WeasyPrint derives it from the content (an MD5 of the
    # objects), so it does not break byte-identical output the way a random one would.
    assert "/ID" in reader.trailer
    assert b"2023-11-14T22:13:20Z" in raw  # XMP dates follow SOURCE_DATE_EPOCH too


def test_pdf_ua1_is_tagged_and_without_epoch_has_no_dates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    pdf = html_to_pdf(
        "<html lang='en'><title>t</title><h1>Report</h1><p>Verdict: READY</p></html>",
        variant="pdf/ua-1",
    )
    texts, reader = page_text(pdf)
    assert "Verdict: READY" in texts[0]
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    # No wall-clock time sneaks in when SOURCE_DATE_EPOCH is unset: the dates are omitted.
    meta = reader.metadata or {}
    assert "/CreationDate" not in meta and "/ModDate" not in meta


def test_unknown_variant_and_bad_timeout_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="pdf/x-9"):
        html_to_pdf("<p>x</p>", variant="pdf/x-9")
    with pytest.raises(UsageError, match="positive"):
        html_to_pdf("<p>x</p>", timeout=0)


# --- hostile HTML: nothing leaves the renderer ---------------------------------------------


@pytest.fixture
def loopback() -> Iterator[tuple[int, list[str]]]:
    """A loopback HTTP server recording every request; it stops itself after 60 s at most."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = b"body { color: red }"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    deadline = threading.Timer(60, server.shutdown)
    deadline.daemon = True
    deadline.start()
    try:
        yield server.server_address[1], requests
    finally:
        deadline.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_hostile_references_are_refused(
    loopback: tuple[int, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port, requests = loopback
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    # The child runs with an empty working directory; make sure a relative reference could
    # not have found this file even if it were resolved against our own cwd.
    monkeypatch.chdir(tmp_path)
    url = f"http://127.0.0.1:{port}"
    html = f"""<html><head>
<base href="file:///etc/">
<link rel="stylesheet" href="{url}/style.css">
<link rel="attachment" href="file:///etc/hostname">
<link rel="attachment" href="file://{secret}">
<link rel="attachment" href="{url}/attachment.txt">
<link rel="attachment" title="allowed" href="data:text/plain,hello%20from%20data">
<style>
@import url({url}/import.css);
@font-face {{ font-family: x; src: url({url}/font.woff); }}
body {{ background-image: url({url}/bg.png); font-family: x, sans-serif; }}
p {{ background: url(file://{secret}); }}
</style></head><body>
<p>Verdict: NOT READY</p>
<img src="{url}/">
<img src="file://{secret}">
<img src="secret.txt"><img src="hostname">
<img src="{url.replace("http", "https")}/tls.png">
<a rel="attachment" href="file://{secret}">a</a>
<object data="{url}/object"></object><embed src="{url}/embed"><iframe src="{url}/frame"></iframe>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="{url}/svg.png"
 width="10" height="10"/></svg>
</body></html>"""
    pdf, stats = html_to_pdf_with_stats(html)
    _, reader = page_text(pdf)
    # The data: attachment is the positive control: attachments do work, just not from files.
    [(name, contents)] = reader.attachments.items()
    assert contents == [b"hello from data"], name
    streams = zlib_streams(pdf)
    assert b"hello from data" in streams  # the helper does see inside embedded files
    assert b"TOP-SECRET" not in pdf and b"TOP-SECRET" not in streams
    hostname = Path("/etc/hostname")
    if hostname.is_file() and hostname.read_bytes().strip():
        assert hostname.read_bytes().strip() not in streams
    assert "Verdict: NOT READY" in page_text(pdf)[0][0]
    time.sleep(0.2)  # let any late request land before looking
    assert requests == []
    refused = [w for w in stats.warnings if "only data: URLs are allowed" in w]
    assert refused, stats.warnings


def zlib_streams(pdf: bytes) -> bytes:
    """Every stream of the PDF, inflated when compressed: to look inside embedded objects."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        data = match.group(1)
        try:
            out.append(zlib.decompress(data))
        except zlib.error:
            out.append(data)
    return b"\n".join(out)


# --- time limit ----------------------------------------------------------------------------


def _renderer_children() -> list[int]:
    """Our child processes that are PDF workers (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == os.getpid() and b"reportgen.render.pdf" in cmdline:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_timeout_kills_the_child_and_raises() -> None:
    rows = "".join(f"<tr><td>row {i}</td><td>{'x' * 50}</td></tr>" for i in range(20_000))
    started = time.perf_counter()
    with pytest.raises(RenderError, match=r"exceeded the 0\.5 s time limit") as info:
        html_to_pdf(f"<table>{rows}</table>", timeout=0.5)
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"the renderer was not stopped promptly ({elapsed:.1f} s)"
    assert "\n" not in str(info.value)
    assert _renderer_children() == []


# --- end to end: the real CLI on the Phase 4 sample ------------------------------------------

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "phase4-websocket"


@pytest.mark.skipif(not (SAMPLE / "criteria.yaml").is_file(), reason="Phase 4 sample absent")
def test_cli_renders_the_sample_to_a_readable_pdf(tmp_path: Path) -> None:
    out = tmp_path / "phase4.pdf"
    result = run_cli(
        "report",
        "-c",
        str(SAMPLE / "criteria.yaml"),
        "--baseline",
        str(SAMPLE / "baseline"),
        str(SAMPLE / "results"),
        "-o",
        str(out),
        env={"SOURCE_DATE_EPOCH": EPOCH},
    )
    assert result.returncode == 1, result.stderr  # NOT READY gates the command
    assert "Traceback" not in result.stderr
    texts, reader = page_text(out.read_bytes())
    assert 2 <= len(texts) <= 20
    everything = "\n".join(texts)
    squashed = squash(everything)
    assert "NOT READY" in texts[0]
    # The headline figures: a ~25% connection-time regression from 1.2 s to 1.5 s, the
    # 0.00 ms init timings as no measurement, 10/10 reliability passes as insufficient.
    assert re.search(r"\+2[45]\.\d%", everything), everything[:2000]
    assert "1.2s→1.51s" in squashed or "1.20s→1.51s" in squashed
    assert "nomeasurement" in squashed
    assert "10of10tests" in squashed
    assert "HTTP500" in squashed
    for number, text in enumerate(texts, start=1):
        assert "Verdict: NOT READY" in text, f"page {number} lacks the running header"
        assert f"Page {number} of {len(texts)}" in text
    meta = reader.metadata
    assert meta is not None and meta.get("/CreationDate") == "D:20231114221320Z"
