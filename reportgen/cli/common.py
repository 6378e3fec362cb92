"""Helpers shared by the CLI commands: atomic output files, progress, input arguments."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from reportgen.errors import ReportgenError, UsageError


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """The PATH... and --format arguments every reading command takes."""
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="result files, directories (searched recursively, files recognised by content) "
        "or glob patterns",
    )
    parser.add_argument(
        "--format",
        dest="input_format",
        metavar="NAME",
        help="read every PATH as this format instead of detecting it (see `reportgen formats`)",
    )


def progress_printer() -> Callable[[str], None] | None:
    """A progress callback writing to stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(path: str) -> None:
        sys.stderr.write(f"\r\x1b[Kreading {path}")
        sys.stderr.flush()

    return show


def end_progress() -> None:
    """Clear the progress line, if one was drawn."""
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()


def write_output(target: str, data: str | bytes) -> None:
    """Write `data` to `target` atomically (temp file + rename); `-` is stdout.

    A failure leaves no half-written file behind.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if target == "-":
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return
    path = Path(target)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"output directory does not exist: {directory}", path=target)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ReportgenError(f"cannot write: {exc.strerror or exc}", path=target) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
