"""`reportgen report` (placeholder until implemented)."""

from __future__ import annotations

import argparse
from typing import Any

from reportgen.errors import UsageError


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "report", help="render Markdown, HTML, PDF and JSON reports (not implemented yet)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raise UsageError("`reportgen report` is not implemented yet")
