"""Hostile test output: nothing in it becomes live in the HTML, Markdown or PDF report.

A CTRF JSON result file (JSON can carry ANSI escapes, which XML 1.0 cannot) whose test names,
suites, messages, traces and stdout hold HTML, Markdown links and images pointing at a
loopback server, a `file://` attachment, pipes, fences, @mentions and ANSI escapes goes through
the real CLI. The rendered HTML (and the Markdown rendered to HTML by markdown-it-py) must hold
no element or attribute that could run, fetch or embed anything, and the server must record no
request.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from lxml import html as lhtml
from markdown_it import MarkdownIt

from tests.conftest import REPO, run_cli

ACTIVE_TAGS = {
    "script",
    "img",
    "link",
    "iframe",
    "frame",
    "object",
    "embed",
    "base",
    "audio",
    "video",
    "source",
    "form",
    "input",
    "meta",
    "style",
    "a",
    "image",
    "use",
    "foreignobject",
}
#: The report's own script (allowed by its Content-Security-Policy hash); nothing else may run.
OWN_SCRIPT = (REPO / "reportgen" / "templates" / "report.js").read_text(encoding="utf-8")
URL_ATTRS = {"href", "src", "srcset", "action", "formaction", "data", "poster", "background"}


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, list[str]]]:
    _Recorder.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], _Recorder.requests
    finally:
        httpd.shutdown()
        httpd.server_close()


def hostile_strings(port: int) -> list[str]:
    base = f"http://127.0.0.1:{port}"
    return [
        f"<script>fetch('{base}/script')</script>",
        f'<img src="{base}/img">',
        '<link rel="attachment" href="file:///etc/hostname">',
        f"![x]({base}/md-image)",
        "[c](javascript:alert(1))",
        "| pipes | in | cells |",
        "```\nfenced\n```",
        "@someone #123",
        "\x1b[31mred\x1b[0m \x1b]8;;http://evil/\x07link\x1b]8;;\x07",
        f"<svg onload=\"fetch('{base}/svg')\"></svg>",
        f"{base}/bare-url www.example.com",
    ]


def write_inputs(tmp_path: Path, port: int) -> tuple[Path, Path]:
    evil = hostile_strings(port)
    joined = " ".join(evil)
    tests = [
        {
            "name": f"test_{i} {s}",
            "status": "failed",
            "duration": 5,
            "suite": [f"suite {s}"],
            "message": s,
            "trace": "\n".join(evil),
            "stdout": [joined],
        }
        for i, s in enumerate(evil)
    ] + [{"name": f"skipped {evil[0]}", "status": "skipped", "duration": 1, "message": evil[1]}]
    doc = {
        "reportFormat": "CTRF",
        "specVersion": "1.0.0",
        "results": {
            "tool": {"name": "hostile"},
            "summary": {
                "tests": len(tests),
                "passed": 0,
                "failed": len(evil),
                "pending": 0,
                "skipped": 1,
                "other": 0,
                "start": 0,
                "stop": 1,
            },
            "tests": tests,
        },
    }
    results = tmp_path / "results"
    results.mkdir()
    (results / "ctrf.json").write_text(json.dumps(doc), encoding="utf-8")
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\n"
        "report: {title: " + json.dumps(evil[0] + " " + evil[3]) + "}\n"
        "criteria:\n"
        "  - id: no-failures\n"
        "    title: " + json.dumps(evil[1] + " " + evil[5]) + "\n"
        "    tests: {max_failed: 0}\n",
        encoding="utf-8",
    )
    return results, criteria


def assert_inert(page: str, port: int) -> None:
    doc = lhtml.fromstring(page)
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag == "style" and element.getparent() is not None:
            # Our own stylesheet in <head> is the one allowed <style>; it must not fetch.
            assert element.getparent().tag == "head"
            assert "url(" not in (element.text or "") and "@import" not in (element.text or "")
            continue
        if tag == "meta" and element.getparent() is not None and element.getparent().tag == "head":
            # Only our own policy, which allows nothing but the page's own style and script.
            assert element.get("http-equiv") in (None, "Content-Security-Policy")
            continue
        if tag == "script":
            # The one script is ours, word for word, with no attributes (no src).
            assert not element.attrib and element.text == OWN_SCRIPT
            continue
        if tag == "input":
            # The filter box: no form, no URL.
            assert element.get("id") == "filter"
            assert set(element.attrib) <= {"id", "type", "autocomplete", "spellcheck"}
            continue
        if tag == "a":
            # Links within the page to a criterion's explanation, or the anchor itself.
            assert set(element.attrib) <= {"href", "class", "id"}, element.attrib
            href = element.get("href")
            assert href is None or re.fullmatch(r"#c-[a-z0-9_-]+", href), href
            continue
        assert tag not in ACTIVE_TAGS, lhtml.tostring(element)[:200]
        for name, value in element.attrib.items():
            name = name.rsplit("}", 1)[-1].lower()
            assert not name.startswith("on"), (tag, name)
            if name in URL_ATTRS:
                raise AssertionError(f"<{tag} {name}={value!r}>")
            if name == "style":
                assert "url(" not in value and "expression(" not in value
            # Other attributes (aria-label, title, class) may quote hostile text: as text.
    # Escaped, the text is still there for a reader to see.
    text = doc.text_content()
    assert "<script>" in text
    assert "\x1b" not in page


@pytest.fixture(scope="module")
def rendered(
    tmp_path_factory: pytest.TempPathFactory, server: tuple[int, list[str]]
) -> tuple[Path, int, list[str], str, str]:
    """One real CLI run (Markdown, HTML and PDF) shared by the checks below."""
    port, requests = server
    tmp_path = tmp_path_factory.mktemp("hostile")
    results, criteria = write_inputs(tmp_path, port)
    out = tmp_path / "out"
    result = run_cli(
        "report",
        "-c",
        str(criteria),
        str(results),
        "-o",
        str(out / "r.md"),
        "-o",
        str(out / "r.html"),
        "-o",
        str(out / "r.pdf"),
    )
    assert result.returncode == 1, result.stderr
    md = (out / "r.md").read_text(encoding="utf-8")
    page = (out / "r.html").read_text(encoding="utf-8")
    return out, port, requests, md, page


def test_html_is_inert(rendered: tuple[Path, int, list[str], str, str]) -> None:
    _, port, _, _, page = rendered
    assert_inert(page, port)
    # Our own script only, once: hostile `<script>` text is escaped.
    assert page.count("<script") == 1 and page.count("<script>" + OWN_SCRIPT + "</script>") == 1
    assert "&lt;script&gt;" in page


def test_markdown_is_inert(rendered: tuple[Path, int, list[str], str, str]) -> None:
    _, port, _, md, _ = rendered
    as_html = MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    wrapped = f"<html><head></head><body>{as_html}</body></html>"
    # Our own <details>/<summary> wrappers are the only raw HTML the Markdown holds.
    assert_inert(wrapped, port)
    # GitHub also links bare URLs, www. names, @mentions and #refs: all broken up outside code.
    outside_code = re.sub(r"(?ms)^(`{3,}).*?^\1$", "", md)
    assert not re.search(r"https?://", outside_code)
    assert not re.search(r"\bwww\.", outside_code)
    assert not re.search(r"@someone|#123\b", outside_code)
    # Every table row has as many cells as its header: pipes in names did not add columns.
    doc = lhtml.fromstring(wrapped)
    for table in doc.iter("table"):
        width = len(table.findall("./thead/tr/th"))
        for row in table.findall("./tbody/tr"):
            assert len(row.findall("./td")) == width
    # Fences in test output did not end a code block early: each output is one code block
    # holding the whole trace, hostile fence included.
    blocks = [t for t in MarkdownIt("commonmark").parse(md) if t.type == "fence"]
    assert blocks and len(blocks) == md.count("<details>")
    assert all("```\nfenced\n```" in b.content for b in blocks)


def test_pdf_embeds_nothing_and_no_request_is_made(
    rendered: tuple[Path, int, list[str], str, str],
) -> None:
    out, _, requests, _, _ = rendered
    from pypdf import PdfReader

    reader = PdfReader(out / "r.pdf")
    assert not reader.attachments
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "NOT READY" in text
    assert requests == []
