"""`reportgen summary`: read result files and show what they contain, without judging."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from reportgen.cli import COMMAND_HELP
from reportgen.cli.common import add_input_arguments, end_progress, progress_printer, stdin_for
from reportgen.errors import ExitCode, UsageError
from reportgen.ingest import load
from reportgen.summarise import Summary, summarise
from reportgen.units import format_duration

#: Suites shown in the terminal table; the rest are counted.
MAX_SUITES_SHOWN = 25


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "summary",
        help=COMMAND_HELP["summary"],
        description="Read result files and print their totals, per-suite counts, failures and "
        "warnings. Exits 0 whenever the files could be read, whatever the tests' outcomes; "
        "4 when a file is unreadable or malformed.",
    )
    add_input_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not args.paths:
        raise UsageError("no input: give result files, directories or globs")
    stdin = stdin_for(args.paths)
    result = load(
        args.paths,
        format=args.input_format,
        progress=progress_printer(),
        ignore=args.ignore,
        stdin=stdin,
    )
    end_progress()
    summary = summarise(result)
    if args.json:
        sys.stdout.write(summary.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(render_table(summary))
    return int(ExitCode.READY)


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def fmt(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)
        ).rstrip()

    return [fmt(headers), fmt(["-" * w for w in widths]), *(fmt(r) for r in rows)]


def render_table(s: Summary) -> str:
    """The terminal view of a summary."""
    lines: list[str] = []
    duration = format_duration(s.duration_s) if s.duration_s is not None else "not reported"
    lines.append(
        f"{s.total} tests: {s.passed} passed, {s.failed} failed, {s.errors} errors, "
        f"{s.skipped} skipped, {s.flaky} flaky; time {duration}"
    )
    if s.metrics:
        lines.append(f"{len(s.metrics)} metrics")
    lines.append("")
    lines.extend(
        _table(
            ["file", "format", "tests", "metrics", "sha256"],
            [[f.path, f.format, str(f.tests), str(f.metrics), f.sha256[:12]] for f in s.files],
            {2, 3},
        )
    )
    if s.suites:
        lines.append("")
        shown = sorted(s.suites, key=lambda c: (-(c.failed + c.errors), c.suite))
        rows = [
            [c.suite, str(c.total), str(c.passed), str(c.failed), str(c.errors), str(c.skipped)]
            for c in shown[:MAX_SUITES_SHOWN]
        ]
        lines.extend(
            _table(
                ["suite", "total", "passed", "failed", "errors", "skipped"], rows, {1, 2, 3, 4, 5}
            )
        )
        if len(shown) > MAX_SUITES_SHOWN:
            lines.append(f"... and {len(shown) - MAX_SUITES_SHOWN} more suites")
    if s.metrics:
        lines.append("")
        lines.extend(
            _table(["metric", "unit", "n"], [[m.name, m.unit, str(m.n)] for m in s.metrics], {2})
        )
    if s.failures:
        lines.append("")
        lines.append("Failures:")
        for f in s.failures:
            lines.append(f"  {f.outcome.value.upper():6} {f.id}")
            if f.message:
                lines.append(f"         {f.message[:200]}")
        if s.failures_not_listed:
            lines.append(f"  ... and {s.failures_not_listed} more (see --json)")
    warnings = [w for f in s.files for w in f.warnings]
    if warnings:
        lines.append("")
        lines.append("Warnings:")
        lines.extend(f"  {w}" for w in warnings)
    flagged = [(f.path, flag) for f in s.files for flag in f.integrity]
    if flagged:
        lines.append("")
        lines.append("Incomplete or contradictory (no evidence for READY):")
        lines.extend(f"  {path}: {flag.message}" for path, flag in flagged)
    if s.skipped_files:
        lines.append("")
        lines.append(f"Not read ({len(s.skipped_files)} files):")
        lines.extend(
            f"  {p.path}: {p.reason}{' (looks like results)' if p.evidence else ''}"
            for p in s.not_read[:20]
        )
        if len(s.skipped_files) > 20:
            lines.append(f"  ... and {len(s.skipped_files) - 20} more")
    return "\n".join(lines) + "\n"
