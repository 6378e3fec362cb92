"""`reportgen record`: store one run (tests, metrics, CI context) in the history database."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

from reportgen.cli import COMMAND_HELP
from reportgen.cli.common import (
    add_db_argument,
    add_input_arguments,
    end_progress,
    progress_printer,
    shown_paths,
    stdin_for,
)
from reportgen.errors import InputError, UsageError


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "record",
        help=COMMAND_HELP["record"],
        description="Read result files and store them as one run: every test execution, every "
        "metric's samples, the input hashes and where the run happened (commit, branch, pull "
        "request, CI run and job, from GitHub Actions or GitLab CI variables, else git). The "
        "same inputs recorded twice are stored once. Exit codes: 0 stored (or already "
        "stored), 2 usage error, 4 invalid input or unusable database, 5 internal error.",
    )
    add_input_arguments(parser)
    add_db_argument(parser)
    parser.add_argument(
        "--label",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a label stored with the run (repeatable), e.g. --label os=linux",
    )
    parser.add_argument("--branch", help="the branch the run is of (overrides the CI context)")
    parser.add_argument("--commit", help="the commit SHA the run is of (overrides the CI context)")
    parser.set_defaults(run=run)


def _labels(values: list[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--label {value!r}: expected KEY=VALUE")
        labels[key.strip()] = text.strip()
    return labels


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = done.stdout.strip()
    return value if done.returncode == 0 and value else None


def run(args: argparse.Namespace) -> int:
    from reportgen.history import database_url
    from reportgen.history.context import RunContext, ci_context
    from reportgen.ingest import load

    labels = _labels(args.label)
    if not args.paths:
        raise UsageError("record needs result files: reportgen record PATH...")
    stdin = stdin_for(args.paths)
    found = ci_context(os.environ)
    commit = args.commit or found.get("commit")
    branch = args.branch or found.get("branch")
    # Outside CI, the checkout the command runs in says where the run is from.
    if commit is None:
        commit = _git("rev-parse", "HEAD")
    if branch is None:
        branch = _git("symbolic-ref", "--short", "-q", "HEAD")
    context = RunContext(
        commit=commit,
        branch=branch,
        pr=found.get("pr"),
        run_url=found.get("run_url"),
        job=found.get("job"),
        recorded_at=datetime.now(UTC),
        labels=labels,
    )
    progress = progress_printer()
    results = load(
        args.paths, format=args.input_format, progress=progress, ignore=args.ignore, stdin=stdin
    )
    end_progress()
    if not results.inputs:
        shown = " ".join(shown_paths(args.paths))
        raise InputError(f"no result files found under {shown}; nothing recorded")

    from reportgen.history.store import open_store, record

    url = database_url(args.db, os.environ)
    with open_store(url) as store:
        done = record(store, results, context)
        where = store.display
    name = f"run {done.run_id}"
    if done.duplicate:
        sys.stdout.write(
            f"already recorded as {name} (the same inputs); stored once, nothing added to {where}\n"
        )
        return 0
    on = " ".join(
        part
        for part in (
            f"branch {branch}" if branch else "no branch",
            f"commit {commit[:12]}" if commit else "",
        )
        if part
    )
    sys.stdout.write(
        f"recorded {name} ({on}): {done.tests} tests ({done.executions} executions), "
        f"{done.metrics} metrics into {where}\n"
    )
    return 0
