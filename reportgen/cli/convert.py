"""`reportgen convert` (placeholder until implemented)."""

from __future__ import annotations

import argparse
from typing import Any

from reportgen.errors import UsageError


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "convert", help="convert results to CTRF JSON or JUnit XML (not implemented yet)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raise UsageError("`reportgen convert` is not implemented yet")
