"""SVG charts: well-formed, inert (no script, filter, foreignObject or external reference),
hostile labels escaped, caps honoured, deterministic, and rendered by WeasyPrint."""

from __future__ import annotations

import io
import logging
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from reportgen.render import charts
from reportgen.render.charts import distribution_svg, outcomes_svg, slowest_svg

SVG_NS = "{http://www.w3.org/2000/svg}"
HOSTILE = (
    '<script>alert(1)</script><img src="http://127.0.0.1:9/">'
    '<link rel="attachment" href="file:///etc/hostname"> & "quotes" \x1b[31mred\x1b[0m \x07bell'
)
ALLOWED_TAGS = {"svg", "title", "g", "text", "rect", "line", "circle"}


def parse(svg: str) -> etree._Element:
    """Parse as strict XML (raises on anything malformed)."""
    root = etree.fromstring(svg.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False))
    assert root.tag == f"{SVG_NS}svg"
    return root


def assert_inert(svg: str) -> etree._Element:
    """Only the drawing elements we emit; no attribute that can fetch or run anything."""
    root = parse(svg)
    for attr in ("width", "height", "viewBox"):
        assert root.get(attr), f"root <svg> lacks {attr}"
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert width > 0 and height > 0
    for el in root.iter():
        assert isinstance(el.tag, str), "comments or processing instructions in chart"
        local = etree.QName(el).localname
        assert local in ALLOWED_TAGS, f"unexpected element <{local}>"
        for name, value in el.attrib.items():
            lname = etree.QName(name).localname.lower()
            assert lname != "href" and not lname.startswith("on"), f"attribute {name}"
            assert lname not in {"filter", "style", "id", "mask", "clip-path"}, name
            assert "url(" not in value and "javascript:" not in value.lower()
    return root


def texts(root: etree._Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{SVG_NS}text")]


# --- distribution ------------------------------------------------------------------------


def test_distribution_shows_both_samples_with_unit_aware_axis() -> None:
    baseline = [1.18, 1.2, 1.21, 1.22, 1.25]
    current = [1.45, 1.5, 1.52, 1.55, 1.6]
    svg = distribution_svg(baseline, current, unit="s", title="ws.connect_time")
    root = assert_inert(svg)
    words = texts(root)
    assert "ws.connect_time" in words
    assert "baseline" in words and "current" in words
    assert "n=5, median 1.21 s" in words
    assert "n=5, median 1.52 s" in words
    ticks = [w for w in words if re.fullmatch(r"[\d.]+ s", w)]
    assert len(ticks) >= 3
    values = [float(t.split()[0]) for t in ticks]
    assert values == sorted(values)
    assert values[0] <= 1.18 and values[-1] >= 1.6
    # One point per sample (both rows), well under the thinning cap.
    assert len(list(root.iter(f"{SVG_NS}circle"))) == 10


@pytest.mark.parametrize(
    ("values", "unit", "tick_pattern"),
    [
        ([0.0012, 0.0015, 0.0019], "s", r"[\d.]+ ms"),
        ([2e-6, 5e-6, 9e-6], "s", r"[\d.]+ µs"),
        ([0.95, 0.97, 0.99], "ratio", r"[\d.]+%"),
        ([120_000, 180_000, 250_000], "B", r"[\d.]+ kB"),
        ([1500.0, 2500.0], "1/s", r"[\d.]+ k 1/s"),
        ([3.0, 4.0, 7.0], "", r"[\d.]+"),
    ],
)
def test_distribution_axis_labels_pick_a_readable_scale(
    values: list[float], unit: str, tick_pattern: str
) -> None:
    root = assert_inert(distribution_svg(None, values, unit=unit, title="m"))
    ticks = [w for w in texts(root) if re.fullmatch(tick_pattern, w)]
    assert len(ticks) >= 3, texts(root)


def test_distribution_of_identical_zero_timings_does_not_divide_by_zero() -> None:
    # The sample's WebSocket-manager init timings are all 0.00 ms.
    root = assert_inert(distribution_svg(None, [0.0] * 10, unit="s", title="init"))
    words = texts(root)
    assert "n=10, median 0 s" in words
    assert "0.0 ms" in words  # the axis starts at zero, not at a negative time
    assert not any(w.startswith("-") for w in words)


def test_distribution_ignores_non_finite_and_handles_empty() -> None:
    root = assert_inert(
        distribution_svg([float("nan")], [float("inf"), 2.0, 3.0], unit="", title="t")
    )
    assert "n=2, median 2.50" in texts(root)
    assert "no samples" in texts(root)  # the baseline row had nothing finite
    root = assert_inert(distribution_svg(None, [], unit="s", title="empty"))
    assert "no samples" in texts(root)


def test_large_samples_are_thinned_but_keep_their_extremes() -> None:
    current = [i / 1000 for i in range(100_000)]
    svg = distribution_svg(current, current, unit="s", title="big")
    root = assert_inert(svg)
    circles = list(root.iter(f"{SVG_NS}circle"))
    assert len(circles) == 2 * charts.MAX_POINTS
    assert "n=100,000, median 50.0 s" in texts(root)
    xs = sorted(float(c.get("cx")) for c in circles)
    assert xs[0] == pytest.approx(150, abs=0.5)  # minimum drawn at the axis start
    assert len(svg) < 100_000


# --- outcomes ----------------------------------------------------------------------------


def test_outcomes_bars_and_legend_totals() -> None:
    rows = [("api", 90, 5, 1, 4), ("ui", 10, 0, 0, 0), ("empty", 0, 0, 0, 0)]
    root = assert_inert(outcomes_svg(rows))
    words = texts(root)
    for legend in ("passed 100", "failed 5", "errors 1", "skipped 4"):
        assert legend in words
    assert "100 tests, 6 not passed" in words
    assert "10 tests" in words and "0 tests" in words
    fills = [r.get("fill") for r in root.iter(f"{SVG_NS}rect")]
    assert "#c62828" in fills and "#ef6c00" in fills


def test_outcomes_tiny_failure_in_a_big_suite_stays_visible() -> None:
    root = assert_inert(outcomes_svg([("big", 99_999, 1, 0, 0)]))
    failed = [
        r for r in root.iter(f"{SVG_NS}rect") if r.get("fill") == "#c62828" and r.get("y") != "27"
    ]
    assert len(failed) == 1 and float(failed[0].get("width")) >= 2.0


def test_outcomes_cap_keeps_failing_suites_and_counts_the_rest() -> None:
    rows = [(f"suite{i:02d}", 100, 0, 0, 0) for i in range(30)]
    rows[27] = ("suite27", 50, 7, 0, 0)
    root = assert_inert(outcomes_svg(rows))
    groups = list(root.iter(f"{SVG_NS}g"))
    assert len(groups) == charts.MAX_OUTCOME_ROWS
    words = texts(root)
    assert "suite27" in words
    assert "10 more suites not shown (of 30)" in words
    # The legend counts every suite, shown or not.
    assert "passed 2,950" in words


def test_outcomes_without_rows() -> None:
    assert "no tests" in texts(assert_inert(outcomes_svg([])))


# --- slowest -----------------------------------------------------------------------------


def test_slowest_sorted_capped_and_formatted() -> None:
    rows = [(f"t{i}", float(i)) for i in range(20)]
    rows.append(("bad", float("nan")))
    root = assert_inert(slowest_svg(rows))
    words = texts(root)
    labels = [w for w in words if re.fullmatch(r"t\d+", w)]
    assert labels == [f"t{i}" for i in range(19, 19 - charts.MAX_SLOWEST_ROWS, -1)]
    assert "19.0 s" in words
    assert f"{20 - charts.MAX_SLOWEST_ROWS} more tests not shown" in words
    assert "bad" not in words


def test_slowest_long_labels_are_shortened_in_the_middle() -> None:
    label = "tests/" + "deep/" * 30 + "test_module.py::TestClass::test_the_interesting_end"
    root = assert_inert(slowest_svg([(label, 1.5)]))
    shown = [w for w in texts(root) if "…" in w]
    assert len(shown) == 1
    assert shown[0].startswith("tests/") and shown[0].endswith("test_the_interesting_end")
    assert len(shown[0]) < len(label)


# --- hostile labels, determinism ---------------------------------------------------------


def test_hostile_labels_are_escaped_and_cleaned() -> None:
    svgs = [
        distribution_svg([1.0], [2.0], unit="s", title=HOSTILE),
        outcomes_svg([(HOSTILE, 1, 1, 0, 0)]),
        slowest_svg([(HOSTILE, 2.0)]),
    ]
    for svg in svgs:
        root = assert_inert(svg)
        assert "<script" not in svg and "<img" not in svg and "<link" not in svg
        assert "\x1b" not in svg and "\x07" not in svg
        # The text survives as text (possibly shortened), not as markup.
        assert any("&lt;script&gt;" in etree.tostring(el).decode() for el in root.iter())


@settings(max_examples=150, deadline=None)
@given(label=st.text(max_size=200), value=st.floats(allow_nan=True, allow_infinity=True))
def test_any_label_and_value_give_well_formed_inert_svg(label: str, value: float) -> None:
    assert_inert(distribution_svg([value], [value, 1.0], unit="s", title=label))
    assert_inert(outcomes_svg([(label, 1, 2, 3, 4)]))
    assert_inert(slowest_svg([(label, value), ("x", 0.5)]))


def test_output_is_deterministic() -> None:
    def all_charts() -> str:
        return (
            distribution_svg([1.2, 1.3, 1.1], [1.5, 1.4], unit="s", title="d")
            + outcomes_svg([("a", 1, 2, 3, 4), ("b", 5, 0, 0, 1)])
            + slowest_svg([("x", 1.0), ("y", 1.0), ("z", 2.0)])
        )

    assert all_charts() == all_charts()


# --- WeasyPrint renders them -------------------------------------------------------------


def test_weasyprint_renders_charts_without_warnings(caplog: pytest.LogCaptureFixture) -> None:
    """The charts go through WeasyPrint's SVG renderer into PDF text and vector paths."""
    weasyprint = pytest.importorskip("weasyprint")
    pypdf = pytest.importorskip("pypdf")
    html = (
        "<html><body>"
        + distribution_svg([1.2, 1.21, 1.19], [1.5, 1.52, 1.48], unit="s", title="ws.connect_time")
        + outcomes_svg([("suite.alpha", 90, 5, 1, 4)])
        + slowest_svg([("test_slow_one", 3.25)])
        + "</body></html>"
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = weasyprint.HTML(string=html).write_pdf()
    problems = [
        r.getMessage()
        for r in caplog.records
        # Font subsetting advice depends on the system's HarfBuzz, not on the chart.
        if r.levelno >= logging.WARNING and "HarfBuzz" not in r.getMessage()
    ]
    assert not problems
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    # pypdf drops the spaces between SVG text runs; compare without whitespace.
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    for expected in ("ws.connect_time", "median1.50s", "suite.alpha", "failed5", "3.25s"):
        assert expected in text, text
    content = reader.pages[0].get_contents()
    assert content is not None
    ops = content.get_data()
    # Filled rectangles (bars, boxes) reached the page as path operators.
    assert b" re" in ops or b"\nre" in ops
