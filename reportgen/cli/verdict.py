"""`reportgen verdict` (placeholder until implemented)."""

from __future__ import annotations

import argparse
from typing import Any

from reportgen.errors import UsageError


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "verdict", help="evaluate criteria and exit with the verdict's code (not implemented yet)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raise UsageError("`reportgen verdict` is not implemented yet")
