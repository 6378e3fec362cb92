"""`reportgen report`: evaluate criteria and write Markdown, HTML, PDF and JSON reports.

Everything is rendered in memory first and written only when every output rendered, each file
atomically, so a failure leaves no half-written report. The exit code is the verdict's, so one
command both reports and gates.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen import __version__
from reportgen.cli.common import (
    add_criteria_arguments,
    add_input_arguments,
    evaluate_arguments,
    input_notes,
    terminal_width,
    write_output,
)
from reportgen.cli.verdict import render_table
from reportgen.errors import ExitCode, UsageError
from reportgen.evaluation import Evaluation
from reportgen.render import GITHUB_COMMENT_CHARS

if TYPE_CHECKING:
    from reportgen.render.view import ReportView

#: Output formats by file suffix.
SUFFIXES: dict[str, str] = {
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".json": "json",
}
FORMATS: tuple[str, ...] = ("md", "html", "pdf", "json")
#: Below this a trimmed Markdown report cannot hold even the verdict and the trimmed note.
MIN_MAX_CHARS = 1000


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "report",
        help="evaluate criteria and write Markdown, HTML, PDF and JSON reports",
        description="Read result files, evaluate the criteria and write one report per -o "
        "(format from the suffix: .md .html .pdf .json). Missing output directories are "
        "created. Exits with the verdict's code: 0 READY, 1 NOT READY, 3 INSUFFICIENT "
        "EVIDENCE (or 0 with --exit-zero once the reports are written); 2 usage error, "
        "4 invalid input.",
    )
    add_input_arguments(parser)
    add_criteria_arguments(parser)
    parser.add_argument(
        "-o",
        "--output",
        action="append",
        default=[],
        metavar="OUT",
        help="report file to write (repeatable); `-` writes to stdout (needs --to)",
    )
    parser.add_argument(
        "--to",
        choices=FORMATS,
        metavar="FORMAT",
        help="output format for every OUT whose suffix does not say (md, html, pdf, json)",
    )
    parser.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 once the reports are written, whatever the verdict",
    )
    parser.add_argument(
        "--pdf-variant",
        choices=("pdf/ua-1", "pdf/a-3b", "untagged"),
        default="pdf/ua-1",
        help="a tagged, accessible PDF/UA-1 (the default), an archival PDF/A-3b, or an "
        "untagged PDF",
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--max-chars",
        type=int,
        metavar="N",
        help="trim the Markdown report to at most N characters (details first, then all but "
        "failures, then cut), ending with a note saying so",
    )
    size.add_argument(
        "--github-comment",
        action="store_true",
        help=f"trim the Markdown report to fit a GitHub comment ({GITHUB_COMMENT_CHARS:,} chars)",
    )
    parser.set_defaults(run=run)


def _targets(args: argparse.Namespace) -> list[tuple[str, str]]:
    """(path, format) for every -o, checked before any work is done."""
    if not args.output:
        raise UsageError("no output: give one or more -o OUT (e.g. -o report.html)")
    targets: list[tuple[str, str]] = []
    seen: set[str] = set()
    for out in args.output:
        fmt = SUFFIXES.get(Path(out).suffix.lower()) if out != "-" else None
        fmt = fmt or args.to
        if fmt is None:
            raise UsageError(
                f"cannot tell the format of output {out!r}",
                hint="use a .md, .html, .pdf or .json suffix, or --to FORMAT",
            )
        key = out if out == "-" else str(Path(out).resolve())
        if key in seen:
            raise UsageError(f"output {out!r} given twice")
        seen.add(key)
        targets.append((out, fmt))
    if sum(1 for out, _ in targets if out == "-") > 1:
        raise UsageError("only one output can go to stdout")
    return targets


def _max_chars(args: argparse.Namespace) -> int | None:
    if args.github_comment:
        return GITHUB_COMMENT_CHARS
    if args.max_chars is not None and args.max_chars < MIN_MAX_CHARS:
        raise UsageError(f"--max-chars must be at least {MIN_MAX_CHARS}")
    return None if args.max_chars is None else int(args.max_chars)


def run(args: argparse.Namespace) -> int:
    targets = _targets(args)
    max_chars = _max_chars(args)
    run_, baseline, evaluation = evaluate_arguments(args)

    from reportgen.render.view import build_view

    command = "reportgen " + shlex.join(sys.argv[1:]) if sys.argv[1:] else None
    view = build_view(
        run_,
        evaluation,
        baseline=baseline,
        command=command,
        criteria_path=args.criteria,
        tool_version=__version__,
    )
    others = [out for out, fmt in targets if fmt != "md" and out != "-"]
    hint = f"in {', '.join(others)}" if others else None

    # Render everything before writing anything: a failure leaves no partial set of reports.
    rendered: list[tuple[str, str | bytes]] = []
    for out, fmt in targets:
        rendered.append((out, _render(fmt, view, evaluation, args, max_chars, hint)))

    for out, _ in rendered:
        if out != "-":
            Path(out).parent.mkdir(parents=True, exist_ok=True)
    for out, data in rendered:
        write_output(out, data)

    # The same table `reportgen verdict` prints; stdout stays clean when a report goes there.
    stream = sys.stderr if any(out == "-" for out, _ in targets) else sys.stdout
    stream.write(render_table(evaluation, input_notes(args, run_), terminal_width(stream)))
    written = [out for out, _ in targets if out != "-"]
    if written:
        stream.write(f"wrote {', '.join(written)}\n")
    if args.exit_zero:
        return int(ExitCode.READY)
    return int(evaluation.verdict.exit_code)


def _render(
    fmt: str,
    view: ReportView,
    evaluation: Evaluation,
    args: argparse.Namespace,
    max_chars: int | None,
    hint: str | None,
) -> str | bytes:
    if fmt == "md":
        from reportgen.render.markdown import render_markdown

        return render_markdown(view, max_chars=max_chars, full_report_hint=hint)
    if fmt == "html":
        from reportgen.render.html import render_html

        return render_html(view)
    if fmt == "pdf":
        from reportgen.render.pdf import render_pdf

        return render_pdf(view, variant=args.pdf_variant)
    return evaluation.model_dump_json(indent=2) + "\n"
