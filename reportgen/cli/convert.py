"""`reportgen convert`: write the normalised tests of any inputs as CTRF JSON or JUnit XML."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from typing import Any

from reportgen.cli.common import add_input_arguments, end_progress, progress_printer, write_output
from reportgen.errors import ExitCode, UsageError
from reportgen.ingest import load

TARGETS = ("ctrf", "junit")


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "convert",
        help="convert results to CTRF JSON or JUnit XML",
        description="Read result files in any supported format and write their tests as CTRF "
        "JSON or as clean JUnit XML, so any dashboard can show them. Exits 0 when written, "
        "2 on usage errors, 4 when an input is unreadable or malformed.",
    )
    add_input_arguments(parser)
    parser.add_argument("--to", dest="target", choices=TARGETS, required=True, help="output format")
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default="-",
        help="where to write (default and `-`: standard output)",
    )
    parser.set_defaults(run=run)


def _generated() -> str | None:
    """The generation time from SOURCE_DATE_EPOCH (UTC, ISO 8601); None when unset/invalid."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromtimestamp(int(raw), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def run(args: argparse.Namespace) -> int:
    if not args.paths:
        raise UsageError("no input: give result files, directories or globs")
    result = load(
        args.paths, format=args.input_format, progress=progress_printer(), ignore=args.ignore
    )
    end_progress()
    if args.target == "ctrf":
        from reportgen.render.ctrf import render_ctrf

        text = render_ctrf(result, generated=_generated())
    else:
        from reportgen.render.junit_xml import render_junit

        text = render_junit(result)
    write_output(args.output, text)
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
