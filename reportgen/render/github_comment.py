"""The Markdown report as a GitHub PR comment: a hidden per-gate marker, then the report
trimmed so the whole body fits GitHub's 65,536 characters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportgen.ci.github import COMMENT_CHARS, comment_marker
from reportgen.render.markdown import render_markdown

if TYPE_CHECKING:
    from reportgen.render.outputs import RenderContext


def render(context: RenderContext) -> str:
    """Marker line plus the report, at most COMMENT_CHARS characters in all."""
    marker = comment_marker(context.criteria_path or "criteria") + "\n"
    # The trimmed Markdown keeps the verdict, the failing and insufficient criteria with their
    # why, then as many failures as fit, and ends with a note saying what was left out.
    body = render_markdown(
        context.view,
        max_chars=COMMENT_CHARS - len(marker),
        full_report_hint=context.full_report_hint,
    )
    return marker + body
