"""Self-contained HTML report: one autoescaped page with inline CSS, SVG and one small script.

Nothing in the page refers to anything outside it (no stylesheets, fonts, images or scripts
by URL), so opening it never makes a request and WeasyPrint never needs to fetch. A
Content-Security-Policy meta allows exactly the page's own style and script (by sha256) and
nothing else, so even markup that slipped past escaping could neither run nor load anything.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from reportgen.render.view import ReportView, for_print

#: Lines of captured output shown per listed failure on paper (the HTML shows the view's
#: excerpt, collapsed): enough for the assertion and its context.
PDF_OUTPUT_LINES = 10

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


def _asset(name: str) -> str:
    return (resources.files("reportgen") / "templates" / name).read_text(encoding="utf-8")


def _hash_source(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@cache
def _assets(for_pdf: bool) -> tuple[Markup, Markup, str]:
    """(style, script, Content-Security-Policy) of the page; both are our own files."""
    css = _asset("report.css")
    if for_pdf:
        return Markup(css + _asset("report-pdf.css")), Markup(""), ""
    css += _asset("report-screen.css")
    script = _asset("report.js")
    csp = (
        f"default-src 'none'; style-src {_hash_source(css)}; script-src {_hash_source(script)}; "
        "base-uri 'none'; form-action 'none'"
    )
    return Markup(css), Markup(script), csp


def render_html(view: ReportView, *, for_pdf: bool = False) -> str:
    """The report as one HTML page.

    The screen page lists every failure and flaky test (output collapsed) with a filter box.
    `for_pdf` renders the print page instead: the paged-media CSS WeasyPrint uses (running
    header with the title and the verdict, page numbers, tables that break between rows),
    lists capped as in the Markdown, output shown inline (paper cannot open a collapsed
    block) and no script.
    """
    if for_pdf:
        view = for_print(view, output_lines=PDF_OUTPUT_LINES)
    css, script, csp = _assets(for_pdf)
    template = _environment().get_template("report.html.j2")
    return template.render(v=view, for_pdf=for_pdf, css=css, script=script, csp=csp)


def render(context: RenderContext) -> str:
    """The HTML output of the outputs registry."""
    return render_html(context.view)
