"""`reportgen convert`: write the normalised tests of any inputs as CTRF JSON or JUnit XML.

Its `--to` choices are the outputs the registry in `reportgen.render.outputs` renders from the
inputs alone.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from reportgen.cli import COMMAND_HELP
from reportgen.cli.common import (
    add_input_arguments,
    check_output_directories,
    emit_outputs,
    end_progress,
    progress_printer,
    stdin_for,
)
from reportgen.errors import ExitCode, UsageError
from reportgen.ingest import load
from reportgen.render.outputs import Needs, Output, RenderContext, by_name, offered

#: What `convert` writes: every output rendered from the inputs alone.
CONVERT_OUTPUTS: tuple[Output, ...] = offered(Needs.RUN)


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "convert",
        help=COMMAND_HELP["convert"],
        description="Read result files in any supported format and write their tests as CTRF "
        "JSON or as clean JUnit XML, so any dashboard can show them. Exits 0 when written, "
        "2 on usage errors, 4 when an input is unreadable or malformed, 6 when the output "
        "cannot be written.",
        epilog="Outputs: " + "; ".join(f"{o.name}: {o.help}" for o in CONVERT_OUTPUTS),
    )
    add_input_arguments(parser)
    parser.add_argument(
        "--to",
        dest="target",
        choices=[o.name for o in CONVERT_OUTPUTS],
        required=True,
        help="output format",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default="-",
        help="where to write (default and `-`: standard output)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not args.paths:
        raise UsageError("no input: give result files, directories or globs")
    check_output_directories([args.output])
    stdin = stdin_for(args.paths)
    result = load(
        args.paths,
        format=args.input_format,
        progress=progress_printer(),
        ignore=args.ignore,
        stdin=stdin,
    )
    end_progress()
    _written, failed = emit_outputs([(args.output, by_name(args.target))], RenderContext(result))
    if failed is not None:
        return int(failed)
    for warning in result.warnings:
        where = f"{warning.path}:{warning.line}" if warning.line else warning.path
        sys.stderr.write(f"reportgen: warning: {where}: {warning.message}\n")
    if not len(result.tests):
        sys.stderr.write("reportgen: note: the inputs hold no tests; the output lists none\n")
    if result.metrics:
        sys.stderr.write(
            f"reportgen: note: {len(result.metrics)} metrics are not part of {args.target} "
            "output and were left out\n"
        )
    return int(ExitCode.READY)
