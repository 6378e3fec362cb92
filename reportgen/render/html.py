"""Self-contained HTML report: one autoescaped page with inline CSS and SVG, no scripts.

Nothing in the page refers to anything outside it (no stylesheets, fonts, images or scripts
by URL), so opening it never makes a request and WeasyPrint never needs to fetch.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from reportgen.render.view import ReportView

if TYPE_CHECKING:
    from reportgen.render.outputs import RenderContext


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reportgen", "templates"),
        # Always on, whatever the template's name: every value is untrusted until shown safe.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["count"] = lambda n: f"{int(n):,}"
    env.filters["svg"] = _svg
    return env


def _svg(value: str) -> Markup:
    """A chart from `reportgen.render.charts`, which escapes its own labels."""
    return Markup(value)


def render_html(view: ReportView, *, for_pdf: bool = False) -> str:
    """The report as one HTML page.

    `for_pdf` adds the paged-media CSS WeasyPrint uses (running header with the title and the
    verdict, page numbers, tables that break between rows) and shows captured output inline
    instead of in collapsible blocks, which paper cannot open.
    """
    template = _environment().get_template("report.html.j2")
    return template.render(v=view, for_pdf=for_pdf)


def render(context: RenderContext) -> str:
    """The HTML output of the outputs registry."""
    return render_html(context.view)
