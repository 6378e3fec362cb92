"""`reportgen report`: evaluate criteria and write Markdown, HTML, PDF and JSON reports.

The outputs come from the registry in `reportgen.render.outputs`. Each is rendered on its own
into a temp file beside its destination, then all are put in place together
(`reportgen.cli.common.emit_outputs`): one that fails (a PDF that cannot render here, an
unwritable path) leaves no half-written file, no older file under its name, and does not cost
the others, and the exit code says so (6); a killed run leaves the previous reports as they were.
Otherwise the exit code is the verdict's, so one command both reports and gates.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from reportgen.ci.github import COMMENT_CHARS
from reportgen.cli import COMMAND_HELP
from reportgen.cli.ci import add_ci_argument, add_title_arguments, publish, with_run_context
from reportgen.cli.common import (
    add_criteria_arguments,
    add_input_arguments,
    emit_outputs,
    evaluate_arguments,
    input_notes,
    terminal_width,
)
from reportgen.errors import ExitCode, UsageError
from reportgen.render.outputs import Needs, Output, RenderContext, by_name, for_suffix, offered
from reportgen.render.table import render_table

#: What `report` writes: every output rendered from the report view or the evaluation.
REPORT_OUTPUTS: tuple[Output, ...] = offered(Needs.VIEW, Needs.EVALUATION)
#: Below this a trimmed Markdown report cannot hold even the verdict and the trimmed note.
MIN_MAX_CHARS = 1000


def _suffixes() -> str:
    return " ".join(s for o in REPORT_OUTPUTS for s in o.suffixes[:1])


def add_parser(sub: Any) -> None:
    names = ", ".join(o.name for o in REPORT_OUTPUTS)
    parser = sub.add_parser(
        "report",
        help=COMMAND_HELP["report"],
        description="Read result files, evaluate the criteria and write one report per -o "
        f"(format from the suffix: {_suffixes()}, or --to). Missing output directories are "
        "created; each output is rendered on its own, then all are put in place together, so one "
        "that fails does not cost the others (and leaves no older file under its name), and a "
        "killed run leaves the previous reports untouched. Exits with the verdict's code: "
        "0 READY, 1 NOT READY, 3 INSUFFICIENT EVIDENCE (or 0 with --exit-zero once the reports "
        "are written); 2 usage error, 4 invalid input, 6 an output could not be rendered or "
        "written.",
        epilog="Outputs: "
        + "; ".join(
            f"{o.name} ({' '.join(o.suffixes) or 'no suffix'}): {o.help}" for o in REPORT_OUTPUTS
        ),
    )
    add_input_arguments(parser)
    add_criteria_arguments(parser)
    add_ci_argument(parser)
    add_title_arguments(parser)
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
        choices=[o.name for o in REPORT_OUTPUTS],
        metavar="FORMAT",
        help=f"output format for every OUT whose suffix does not say ({names})",
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
    parser.add_argument(
        "--pdf-timeout",
        type=float,
        metavar="SECONDS",
        help="stop the PDF renderer after this long (default 120); the other outputs are "
        "still written and the exit code is 6",
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
        help="write each .md output as a GitHub PR comment (the same as --to github-comment): "
        f"at most {COMMENT_CHARS:,} characters holding, in order, the verdict, failing and "
        "insufficient criteria, failures with their output, then counts of what was left out",
    )
    parser.set_defaults(run=run)


def _targets(args: argparse.Namespace) -> list[tuple[str, Output]]:
    """(path, output) for every -o, checked before any work is done."""
    if not args.output:
        raise UsageError("no output: give one or more -o OUT (e.g. -o report.html)")
    targets: list[tuple[str, Output]] = []
    seen: set[str] = set()
    for out in args.output:
        output = for_suffix(Path(out).suffix, REPORT_OUTPUTS) if out != "-" else None
        if output is None and args.to is not None:
            output = by_name(args.to)
        if args.github_comment and (output is None or output.name == "md"):
            # A PR comment is ordered by value, not a trimmed report: the same body as
            # --to github-comment, so the flag and the output never disagree.
            output = by_name("github-comment")
        if output is None:
            raise UsageError(
                f"cannot tell the format of output {out!r}",
                hint=f"use a {', '.join(_suffixes().split())} suffix, or --to FORMAT",
            )
        key = out if out == "-" else str(Path(out).resolve())
        if key in seen:
            raise UsageError(f"output {out!r} given twice")
        seen.add(key)
        targets.append((out, output))
    if sum(1 for out, _ in targets if out == "-") > 1:
        raise UsageError("only one output can go to stdout")
    return targets


def _max_chars(args: argparse.Namespace) -> int | None:
    if args.max_chars is not None and args.max_chars < MIN_MAX_CHARS:
        raise UsageError(f"--max-chars must be at least {MIN_MAX_CHARS}")
    return None if args.max_chars is None else int(args.max_chars)


def run(args: argparse.Namespace) -> int:
    targets = _targets(args)
    max_chars = _max_chars(args)
    if args.pdf_timeout is not None and not args.pdf_timeout > 0:
        raise UsageError(f"--pdf-timeout must be positive, got {args.pdf_timeout:g}")
    run_, baseline, evaluation = evaluate_arguments(args)
    evaluation = with_run_context(args, evaluation)

    history = None
    if args.db or os.environ.get("REPORTGEN_DB"):
        from reportgen.cli.history_inputs import report_history

        history = report_history(args, evaluation)
    # Where a trimmed Markdown report or a PR comment sends its reader: the other reports.
    others = [
        out for out, output in targets if output.name not in ("md", "github-comment") and out != "-"
    ]
    notes = input_notes(args, run_)
    context = RenderContext(
        run=run_,
        evaluation=evaluation,
        baseline=baseline,
        command="reportgen " + shlex.join(sys.argv[1:]) if sys.argv[1:] else None,
        criteria_path=args.criteria,
        notes=tuple(notes),
        max_chars=max_chars,
        full_report_hint=f"in {', '.join(others)}" if others else None,
        pdf_variant=args.pdf_variant,
        pdf_timeout=args.pdf_timeout,
        history=history,
    )
    written, failed = emit_outputs(targets, context, create_dirs=True)

    # The same table `reportgen verdict` prints; stdout stays clean when a report goes there.
    stream = sys.stderr if any(out == "-" for out, _ in targets) else sys.stdout
    stream.write(render_table(evaluation, notes, terminal_width(stream)))
    if written:
        stream.write(f"wrote {', '.join(written)}\n")
    if failed is not None:
        code = int(failed)
    elif args.exit_zero:
        code = int(ExitCode.READY)
    else:
        code = int(evaluation.verdict.exit_code)
    reports = [(o.name, out) for out, o in targets if out in written]
    publish(args, context, code, reports, stream)
    return code
