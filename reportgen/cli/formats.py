"""`reportgen formats` (placeholder until implemented)."""

from __future__ import annotations

import argparse
from typing import Any

from reportgen.errors import UsageError


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "formats", help="list the result formats reportgen reads (not implemented yet)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raise UsageError("`reportgen formats` is not implemented yet")
