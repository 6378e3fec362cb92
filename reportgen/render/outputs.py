"""The outputs registry: every output reportgen writes, registered once.

Each entry names the output, its file suffixes, its help text, what it is rendered from and
the module whose `render(context)` produces it. The CLI takes its choices and help text from
here (`report -o/--to`, `verdict --json/--junit/...`, `convert --to`), so adding an output is one
module with a `render` function plus one line in `OUTPUTS`. Renderer modules are imported only
when their output is asked for, which keeps `reportgen verdict` free of the report stack.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING

from reportgen.records import record

if TYPE_CHECKING:
    from reportgen.evaluation import Evaluation
    from reportgen.history.facts import ReportHistory
    from reportgen.model import Run
    from reportgen.render.view import ReportView


class Needs(Enum):
    """What an output is rendered from; it decides which commands can offer it."""

    #: The tests of the inputs alone (`convert`).
    RUN = "run"
    #: The evaluation of the criteria (`verdict` and `report`).
    EVALUATION = "evaluation"
    #: The full report view: run, evaluation, baseline and provenance (`report`).
    VIEW = "view"


@record
class RenderContext:
    """Everything an output may be rendered from; the report view is built on first use."""

    run: Run
    evaluation: Evaluation | None = None
    baseline: Run | None = None
    #: The command line, recorded in the report's provenance.
    command: str | None = None
    criteria_path: str | None = None
    #: Notes about the inputs for the terminal table (e.g. "no inputs given").
    notes: tuple[str, ...] = ()
    #: Terminal columns the table may use; None for logs and files (one row per line).
    width: int | None = None
    #: Markdown: trim to at most this many characters.
    max_chars: int | None = None
    #: Markdown: where the full report is, named when the Markdown is trimmed.
    full_report_hint: str | None = None
    pdf_variant: str | None = None
    #: PDF: the renderer's time limit in seconds (None: the renderer's default).
    pdf_timeout: float | None = None
    #: What the run history adds to the reports (with --db); None without a history.
    history: ReportHistory | None = None

    def need_evaluation(self) -> Evaluation:
        """The evaluation; a bug when an output that needs it is rendered without one."""
        if self.evaluation is None:
            raise ValueError("this output is rendered from an evaluation; none was given")
        return self.evaluation

    @cached_property
    def view(self) -> ReportView:
        """The report view (built once, shared by Markdown, HTML and PDF)."""
        from reportgen import __version__
        from reportgen.render.view import build_view

        return build_view(
            self.run,
            self.need_evaluation(),
            baseline=self.baseline,
            command=self.command,
            criteria_path=self.criteria_path,
            tool_version=__version__,
            history=self.history,
        )


@record
class Output:
    """One output: its name (for `--to`), suffixes, help text, input and renderer module."""

    name: str
    suffixes: tuple[str, ...]
    help: str
    needs: Needs
    #: Module under `reportgen.render` with `render(context: RenderContext) -> str | bytes`
    #: (default: the name, `-` read as `_`).
    module: str | None = None
    #: The option `verdict` offers it under, when not `--NAME`.
    flag: str | None = None

    @property
    def option(self) -> str:
        """The `verdict` option that writes this output (e.g. `--json`)."""
        return "--" + (self.flag or self.name)

    def renderer(self) -> Callable[[RenderContext], str | bytes]:
        """The render function (imports the renderer module now)."""
        name = self.module or self.name.replace("-", "_")
        module = importlib.import_module(f"reportgen.render.{name}")
        render: Callable[[RenderContext], str | bytes] = module.render
        return render

    def render(self, context: RenderContext) -> str | bytes:
        """This output rendered from `context`."""
        return self.renderer()(context)


OUTPUTS: tuple[Output, ...] = (
    Output("md", (".md", ".markdown"), "GitHub-flavoured Markdown report", Needs.VIEW, "markdown"),
    Output("github-comment", (), "Markdown PR comment with a per-gate marker", Needs.VIEW),
    Output("html", (".html", ".htm"), "self-contained HTML report", Needs.VIEW),
    Output("pdf", (".pdf",), "PDF report (WeasyPrint, sandboxed)", Needs.VIEW),
    Output("json", (".json",), "the evaluation as JSON", Needs.EVALUATION, "verdict_json"),
    Output("criteria-junit", (".xml",), "criteria as JUnit XML", Needs.EVALUATION, flag="junit"),
    Output("table", (), "the terminal table of the criteria", Needs.EVALUATION),
    Output("gitlab-codequality", (), "GitLab Code Quality JSON of failures", Needs.EVALUATION),
    Output("gitlab-dotenv", (".env",), "GitLab dotenv report of the verdict", Needs.EVALUATION),
    Output("ctrf", (".json",), "the inputs' tests as CTRF JSON", Needs.RUN),
    Output("junit", (".xml",), "the inputs' tests as clean JUnit XML", Needs.RUN, "junit_xml"),
)


def by_name(name: str) -> Output:
    """The output registered under `name`."""
    for output in OUTPUTS:
        if output.name == name:
            return output
    raise KeyError(name)


def offered(*needs: Needs) -> tuple[Output, ...]:
    """The outputs rendered from one of `needs`, in registry order."""
    return tuple(output for output in OUTPUTS if output.needs in needs)


def for_suffix(suffix: str, outputs: tuple[Output, ...]) -> Output | None:
    """The first of `outputs` whose file suffix is `suffix` (case-insensitive)."""
    suffix = suffix.lower()
    for output in outputs:
        if suffix in output.suffixes:
            return output
    return None
