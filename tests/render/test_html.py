"""HTML report: self-contained, structured, print CSS only for the PDF, and fast."""

from __future__ import annotations

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

#: Elements that could fetch, run or embed something; the report must contain none of them.
ACTIVE = ("script", "img", "link", "iframe", "object", "embed", "base", "audio", "video", "form")


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
        "findings",
        "impact",
        "tests",
        "metrics",
        "risks",
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


def test_every_figure_row_names_its_source(view: ReportView) -> None:
    doc = lhtml.fromstring(render_html(view))
    criteria = doc.get_element_by_id("criteria")
    for row in criteria.findall(".//tbody/tr"):
        evidence = row.find_class("evidence")[0].text_content()
        assert "sha256 " in evidence, row.text_content()
    metrics = doc.get_element_by_id("metrics")
    for row in metrics.findall(".//tbody/tr"):
        assert "sha256 " in row.find_class("evidence")[0].text_content()


def test_charts_are_inline_svg(view: ReportView) -> None:
    doc = lhtml.fromstring(render_html(view))
    svgs = [e for e in doc.iter() if isinstance(e.tag, str) and e.tag.endswith("svg")]
    # Outcomes per suite, slowest tests, and the compared metric's distributions.
    assert len(svgs) == 3


def test_deterministic(view: ReportView) -> None:
    assert render_html(view) == render_html(view)
    assert render_html(view, for_pdf=True) == render_html(view, for_pdf=True)


def test_large_run_caps_the_failures_listed() -> None:
    # Speed is measured by benchmarks/report.py; this checks the caps that keep it fast.
    run = large_run()
    v = build_view(run, make_evaluation(), source_date_epoch="")
    page = render_html(v)
    assert "more failures (see the JSON report)" in page


def test_phase4_sample_golden(tmp_path: Path) -> None:
    result = render_sample(tmp_path, "phase4.html")
    assert result.returncode == 1, result.stderr
    page = (tmp_path / "phase4.html").read_text(encoding="utf-8")
    doc = lhtml.fromstring(page)
    assert doc.find_class("verdict")[0].text_content() == "NOT READY"
    assert "+25.3% (regression)" in doc.text_content()
    check_golden("phase4.html", mask(page, tmp_path))
