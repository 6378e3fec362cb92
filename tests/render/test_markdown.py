"""Markdown report: escaping of untrusted text, content, stepwise trimming and speed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from reportgen.ci.github import COMMENT_CHARS
from reportgen.model import Outcome
from reportgen.render.markdown import (
    code_block,
    escape_inline,
    render_markdown,
)
from reportgen.render.view import MAX_FAILURES, ReportView, build_view
from tests.render.helpers import (
    check_golden,
    large_run,
    make_baseline,
    make_evaluation,
    make_run,
    mask,
    render_sample,
)

ZWJ = "\u200d"


def md_to_html(text: str) -> str:
    """CommonMark + tables with raw HTML allowed, so anything that slipped through shows."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


@pytest.fixture
def view() -> ReportView:
    return build_view(make_run(), make_evaluation(), baseline=make_baseline(), source_date_epoch="")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain words", "plain words"),
        ("a | b", r"a \| b"),
        ("<script>x</script>", r"\<script\>x\</script\>"),
        ("`code` and ```fence```", r"\`code\` and \`\`\`fence\`\`\`"),
        ("![x](http://h/)", r"\!\[x\](http:" + ZWJ + "//h/)"),
        ("[c](javascript:alert(1))", r"\[c\](javascript:alert(1))"),
        ("ping @someone", "ping @" + ZWJ + "someone"),
        ("fixes #12", "fixes #" + ZWJ + "12"),
        ("see www.example.com", "see www" + ZWJ + ".example.com"),
        ("*bold* _it_ ~~s~~", r"\*bold\* \_it\_ \~\~s\~\~"),
        ("two\nlines\r\n", "two lines"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("a & b &amp; $x$", r"a \& b \&amp; \$x\$"),
        (None, ""),
    ],
)
def test_escape_inline(raw: str | None, expected: str) -> None:
    assert escape_inline(raw) == expected


def test_code_block_fence_outlasts_any_backtick_run() -> None:
    block = code_block("a\n````\nb ``````` c")
    fence = block.splitlines()[0].removesuffix("text")
    assert fence == "`" * 8
    assert block.endswith("\n" + fence)
    html = md_to_html(block)
    assert html.count("<pre>") == 1 and "b ``````` c" in html


def test_report_content(view: ReportView) -> None:
    text = render_markdown(view)
    assert text.startswith("# Phase 4: Performance \\& Regression\n")
    assert "## ❌ Verdict: NOT READY" in text
    assert "+25.0% (regression)" in text
    assert "299 consecutive passes would show at least 99%." in text
    for heading in ("## Criteria", "## Tests", "## Metrics", "## Provenance"):
        assert heading in text
    # Each criterion's why is said once, where its anchor is; the summary links there.
    for row in (r for phase in view.phases for r in phase.rows):
        why = escape_inline(row.reason)
        assert text.count(why) == 1, why
        assert text.count(f'<a id="{row.anchor}"></a>') == 1
    assert "[connect-no-regression](#c-connect-no-regression)" in text
    assert "## Findings" not in text and "## Risks" not in text


def test_tables_keep_their_shape(view: ReportView) -> None:
    html = md_to_html(render_markdown(view))
    from lxml import html as lhtml

    doc = lhtml.fromstring(html)
    tables = doc.findall(".//table")
    assert len(tables) >= 5
    for table in tables:
        header = len(table.findall("./thead/tr/th"))
        for row in table.findall("./tbody/tr"):
            assert len(row.findall("./td")) == header


def test_deterministic(view: ReportView) -> None:
    assert render_markdown(view) == render_markdown(view)


def _big_view(failures: int = 400, tests: int = 2000) -> ReportView:
    names = [
        (
            f"pkg.mod{i % 37}.Test",
            f"test_{i}",
            Outcome.FAILED if i < failures else Outcome.PASSED,
            f"assert {i} == 0" if i < failures else None,
            "".join(f"traceback line {n}\n" for n in range(60)) if i < failures else None,
        )
        for i in range(tests)
    ]
    return build_view(make_run(names=names), make_evaluation(), source_date_epoch="")


def _fences_balanced(text: str) -> bool:
    fence: str | None = None
    for line in text.splitlines():
        m = re.match(r"^(`{3,})", line)
        if m and fence is None:
            fence = m.group(1)
        elif fence is not None and line.strip() == fence:
            fence = None
    return fence is None


@pytest.mark.parametrize("limit", [1000, 5000, 20_000, 30_000])
def test_trimmed_report_fits_and_says_so(limit: int) -> None:
    v = _big_view()
    full = render_markdown(v)
    assert len(full) > limit  # the case under test
    text = render_markdown(v, max_chars=limit, full_report_hint="in out/report.html")
    assert len(text) <= limit
    assert _fences_balanced(text)
    last = text.rstrip().splitlines()[-1]
    assert "**Trimmed** to fit" in last and "out/report.html" in last


def test_trimming_goes_step_by_step() -> None:
    v = _big_view(failures=40, tests=200)
    full = render_markdown(v)
    compact = render_markdown(v, max_chars=len(full) - 1)
    # Step 1: output excerpts go first, the failure list stays.
    assert "captured output and long lists were left out" in compact
    assert "<details>" not in compact and "pkg.mod0.Test::test\\_0" in compact
    assert len(compact) < len(full)
    cut = render_markdown(v, max_chars=1500)
    assert "the report was cut short" in cut
    assert "## ❌ Verdict: NOT READY" in cut


def test_short_report_is_not_trimmed(view: ReportView) -> None:
    text = render_markdown(view, max_chars=COMMENT_CHARS)
    assert text == render_markdown(view)
    assert "Trimmed" not in text


def test_large_run_caps_the_failures_listed() -> None:
    # 100,000 tests with 1,000 failures; speed is measured by benchmarks/report.py.
    run = large_run()
    v = build_view(run, make_evaluation(), source_date_epoch="")
    text = render_markdown(v)
    # The view holds all 1,000 (the HTML lists them); the Markdown keeps its cap and says where
    # the full list is.
    assert v.tests is not None and len(v.tests.failures) == 1000
    assert text.count("- **failed** ") == MAX_FAILURES
    assert (
        f"…and {1000 - MAX_FAILURES} more failures: every failing test is listed in the HTML "
        "report and in the verdict JSON" in text
    )


def test_phase4_sample_golden(tmp_path: Path) -> None:
    result = render_sample(tmp_path, "phase4.md")
    assert result.returncode == 1, result.stderr
    text = (tmp_path / "phase4.md").read_text(encoding="utf-8")
    # The honest reading of the hand-written report's claims.
    assert "## ❌ Verdict: NOT READY" in text
    assert "median 1.2 s → 1.51 s, +25.3% (regression)" in text
    assert "not a measurement" in text
    assert "95% lower bound 74.1% cannot show 99%" in text
    assert "HTTP 500" in text
    check_golden("phase4.md", mask(text, tmp_path))
