"""HTML report: self-contained, structured, complete, print CSS only for the PDF, and fast."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from lxml import html as lhtml

from reportgen.render.html import render_html
from reportgen.render.view import ReportView, build_view
from tests.render.helpers import (
    check_golden,
    large_run,
    make_baseline,
    make_evaluation,
    make_run,
    mask,
    render_sample,
)

#: Elements that could fetch, run or embed something; the report must contain none of them
#: (apart from its own inline script, checked against the page's Content-Security-Policy).
ACTIVE = ("img", "link", "iframe", "object", "embed", "base", "audio", "video", "form")


@pytest.fixture
def view() -> ReportView:
    return build_view(
        make_run(),
        make_evaluation(),
        baseline=make_baseline(),
        command="reportgen report -c c.yaml r -o r.html",
        source_date_epoch="",
    )


def test_page_structure(view: ReportView) -> None:
    doc = lhtml.fromstring(render_html(view))
    assert doc.findtext(".//h1") == "Phase 4: Performance & Regression"
    banner = doc.find_class("banner")[0]
    assert "not-ready" in banner.get("class")
    assert banner.find_class("verdict")[0].text_content() == "NOT READY"
    sections = [s.get("id") for s in doc.iter("section") if s.get("id")]
    assert sections == [
        "summary",
        "criteria",
        "impact",
        "tests",
        "metrics",
        "provenance",
    ]
    statuses = [s.text_content() for s in doc.find_class("status")]
    assert "FAIL" in statuses and "INSUFFICIENT" in statuses and "WAIVED" in statuses


def test_self_contained(view: ReportView) -> None:
    page = render_html(view)
    doc = lhtml.fromstring(page)
    for tag in ACTIVE:
        assert doc.find(f".//{tag}") is None, tag
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on")
            if name.startswith("xmlns"):
                continue  # a namespace name, never fetched
            assert "url(" not in value and "://" not in value, (element.tag, name, value)
    assert "@import" not in page and "url(" not in page
    # One script, inline, with no source of its own.
    scripts = doc.findall(".//script")
    assert len(scripts) == 1 and scripts[0].get("src") is None


def _sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_content_security_policy_allows_only_the_pages_own_style_and_script(
    view: ReportView,
) -> None:
    page = render_html(view)
    doc = lhtml.fromstring(page)
    metas = [m for m in doc.iter("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    policy = dict(
        (part.split()[0], part.split()[1:]) for part in metas[0].get("content").split(";")
    )
    assert policy["default-src"] == ["'none'"]
    # The hashes are of the exact text in the page (a mismatch would block it in a browser).
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)  # type: ignore[union-attr]
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)  # type: ignore[union-attr]
    assert policy["style-src"] == [_sha256_source(style)]
    assert policy["script-src"] == [_sha256_source(script)]
    assert "'unsafe-inline'" not in metas[0].get("content")


def test_reads_fully_without_scripts(view: ReportView) -> None:
    doc = lhtml.fromstring(render_html(view))
    # The filter box appears only when the script runs; everything else is plain markup.
    assert doc.get_element_by_id("filter-box").get("hidden") is not None
    assert doc.get_element_by_id("failures") is not None
    assert "HTTP 500" in doc.get_element_by_id("tests").text_content()


def test_screen_page_has_no_paged_media_and_collapses_output(view: ReportView) -> None:
    page = render_html(view)
    assert "@page" not in page
    doc = lhtml.fromstring(page)
    details = doc.findall(".//details")
    assert len(details) == 1 and details[0].findtext("pre") == "GET /ws -> 500"


def test_pdf_page_has_running_header_and_page_numbers(view: ReportView) -> None:
    page = render_html(view, for_pdf=True)
    assert "@page" in page
    assert "string(doc-title)" in page and "string(doc-verdict)" in page
    assert 'counter(page) " of " counter(pages)' in page
    assert "thead { display: table-header-group; }" in page
    doc = lhtml.fromstring(page)
    assert doc.find(".//details") is None  # paper cannot open a <details>
    assert any(p.text == "GET /ws -> 500" for p in doc.iter("pre"))


def test_each_criterion_is_explained_once_and_linked(view: ReportView) -> None:
    doc = lhtml.fromstring(render_html(view))
    text = doc.text_content()
    for row in (r for phase in view.phases for r in phase.rows):
        place = doc.get_element_by_id(row.anchor)
        assert row.id in place.text_content()
        # Its why appears once in the whole page, in its own place.
        assert text.count(row.reason) == 1, row.reason
        assert row.reason in place.text_content()
        if not row.passed:
            assert row.to_change and row.to_change in place.text_content()
    links = {a.get("href") for a in doc.get_element_by_id("summary").iter("a")}
    blocking = {f"#{s.anchor}" for s in view.summary.blocking}
    assert blocking and blocking <= links


def test_every_figure_names_its_source_and_provenance_has_the_sha(view: ReportView) -> None:
    doc = lhtml.fromstring(render_html(view))
    criteria = doc.get_element_by_id("criteria")
    for block in criteria.find_class("criterion"):
        assert block.find_class("evidence")[0].text_content().strip() not in ("", "none")
    assert "results/metrics.json#ws_connect_time" in criteria.text_content()
    # Full sha256 only in Provenance, never squeezed into a table column.
    provenance = doc.get_element_by_id("provenance").text_content()
    for i in view.provenance.inputs:
        assert i.sha256 in provenance
        assert i.sha256[:12] not in criteria.text_content()
    metrics = doc.get_element_by_id("metrics")
    assert "results/metrics.json" in metrics.find_class("evidence")[0].text_content()


def test_charts_are_inline_svg(view: ReportView) -> None:
    doc = lhtml.fromstring(render_html(view))
    svgs = [e for e in doc.iter() if isinstance(e.tag, str) and e.tag.endswith("svg")]
    # Outcomes per suite, slowest tests, and the compared metric's distributions.
    assert len(svgs) == 3


def test_deterministic(view: ReportView) -> None:
    assert render_html(view) == render_html(view)
    assert render_html(view, for_pdf=True) == render_html(view, for_pdf=True)


def test_large_run_lists_every_failure_on_screen_and_caps_paper() -> None:
    # Speed is measured by benchmarks/report.py; this checks what each page holds.
    run = large_run()
    v = build_view(run, make_evaluation(), source_date_epoch="")
    doc = lhtml.fromstring(render_html(v))
    names = [e.text_content() for e in doc.find_class("name")]
    assert len(names) == 1000 and "pkg.mod0.Test::test_0" in names and names[-1].endswith("_99900")
    assert len(doc.findall(".//details")) == 1000
    paper = lhtml.fromstring(render_html(v, for_pdf=True))
    assert len(paper.find_class("name")) == 50
    assert (
        "950 more failures: every failing test is listed in the HTML report and in the "
        "verdict JSON" in paper.text_content()
    )


def test_phase4_sample_golden(tmp_path: Path) -> None:
    result = render_sample(tmp_path, "phase4.html")
    assert result.returncode == 1, result.stderr
    page = (tmp_path / "phase4.html").read_text(encoding="utf-8")
    doc = lhtml.fromstring(page)
    assert doc.find_class("verdict")[0].text_content() == "NOT READY"
    assert "+25.3% (regression)" in doc.text_content()
    check_golden("phase4.html", mask(page, tmp_path))
