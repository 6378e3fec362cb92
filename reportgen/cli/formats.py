"""`reportgen formats`: list every result format reportgen reads, with its file patterns."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Any

from reportgen.cli import COMMAND_HELP
from reportgen.errors import ExitCode
from reportgen.ingest.registry import all_ingesters

#: Width the description column wraps at in the table.
DESCRIPTION_WIDTH = 64


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "formats",
        help=COMMAND_HELP["formats"],
        description="List every result format reportgen recognises: the name to give "
        "--format, what produces it, and the file names it usually has. Files are recognised "
        "by content, so the patterns are only a guide.",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON array instead")
    parser.set_defaults(run=run)


def format_rows() -> list[dict[str, Any]]:
    """One row per registered ingester, in registry order."""
    return [
        {"name": ing.name, "description": ing.description, "patterns": list(ing.patterns)}
        for ing in all_ingesters()
    ]


def render_table(rows: list[dict[str, Any]], width: int = DESCRIPTION_WIDTH) -> str:
    """The rows as an aligned text table; long descriptions wrap within their column."""
    headers = ("format", "reads", "file patterns")
    cells = [
        (r["name"], textwrap.wrap(r["description"], width) or [""], ", ".join(r["patterns"]))
        for r in rows
    ]
    name_w = max(len(headers[0]), *(len(c[0]) for c in cells))
    desc_w = max(len(headers[1]), *(len(line) for c in cells for line in c[1]))

    def line(name: str, desc: str, patterns: str) -> str:
        return f"{name.ljust(name_w)}  {desc.ljust(desc_w)}  {patterns}".rstrip()

    out = [line(*headers), line("-" * name_w, "-" * desc_w, "-" * len(headers[2]))]
    for name, desc_lines, patterns in cells:
        out.append(line(name, desc_lines[0], patterns or "-"))
        out.extend(line("", more, "") for more in desc_lines[1:])
    out.append("")
    out.append(f"{len(rows)} formats; files are recognised by content, or name one with --format.")
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> int:
    rows = format_rows()
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
    else:
        sys.stdout.write(render_table(rows))
    return int(ExitCode.READY)
