"""`reportgen history`: show what the history database holds, and prune old runs."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from reportgen.cli import COMMAND_HELP
from reportgen.cli.common import add_db_argument
from reportgen.errors import UsageError
from reportgen.units import format_value

if TYPE_CHECKING:
    from reportgen.history.store import Store

_KEEP = re.compile(r"^\s*(\d+)\s*([dhw])\s*$")
_SECONDS = {"h": 3600, "d": 86400, "w": 7 * 86400}


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "history",
        help=COMMAND_HELP["history"],
        description="Read the history database that `reportgen record` writes. Exit codes: "
        "0 shown, 2 usage error, 4 no or unusable database, 5 internal error.",
    )
    views = parser.add_subparsers(dest="view", metavar="VIEW", required=True)
    helps = {
        "runs": "recorded runs, newest first",
        "tests": "the latest run's failing tests (failing since which run and commit) and the "
        "tests added and removed since the run before it",
        "metrics": "per metric, the median of each recent run and their median with its 95% "
        "interval",
        "flaky": "tests that passed and failed on one commit, or flipped at least twice, in "
        "the last runs",
    }
    for name, text in helps.items():
        # argparse %-formats help strings ("95%" would break --help); descriptions are not.
        view = views.add_parser(
            name, help=text.replace("%", "%%"), description=text[0].upper() + text[1:] + "."
        )
        add_db_argument(view)
        view.add_argument("--branch", help="only runs recorded on this branch")
        view.add_argument(
            "--last", type=int, default=20, metavar="N", help="look at the last N runs (20)"
        )
        view.add_argument("--json", action="store_true", help="print JSON instead of a table")
        view.set_defaults(run=run)
    prune = views.add_parser(
        "prune",
        help="delete runs recorded longer ago than --keep",
        description="Delete the runs recorded longer ago than --keep (e.g. 90d, 12w, 36h).",
    )
    add_db_argument(prune)
    prune.add_argument("--keep", required=True, metavar="AGE", help="e.g. 90d, 12w or 36h")
    prune.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from reportgen.history import database_url
    from reportgen.history.store import open_store

    if args.view != "prune" and args.last < 1:
        raise UsageError("--last must be at least 1")
    keep = _keep(args.keep) if args.view == "prune" else None
    with open_store(database_url(args.db, os.environ), create=False) as store:
        if keep is not None:
            from reportgen.history.store import prune

            removed = prune(store, datetime.now(UTC) - keep)
            sys.stdout.write(f"deleted {removed} runs recorded before the last {args.keep}\n")
            return 0
        data, table = VIEWS[args.view](store, args)
    sys.stdout.write(json.dumps(data, indent=2) + "\n" if args.json else table)
    return 0


def _keep(text: str) -> timedelta:
    match = _KEEP.match(text)
    if not match:
        raise UsageError(f"--keep {text!r}: expected an age such as 90d, 12w or 36h")
    return timedelta(seconds=int(match.group(1)) * _SECONDS[match.group(2)])


def _table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return empty + "\n"
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def fmt(cells: list[str]) -> str:
        return "  ".join(c.ljust(widths[i]) for i, c in enumerate(cells)).rstrip()

    lines = [fmt(headers), fmt(["-" * w for w in widths]), *(fmt(r) for r in rows)]
    return "\n".join(lines) + "\n"


def _runs(store: Store, args: argparse.Namespace) -> tuple[Any, str]:
    from reportgen.history.store import find_runs

    infos = find_runs(store, branch=args.branch, last=args.last)
    rows = [
        [
            str(i.id),
            i.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
            i.branch or "-",
            (i.commit or "-")[:12],
            i.pr or "-",
            i.job or "-",
            str(len(i.inputs)),
            " ".join(f"{k}={v}" for k, v in i.labels.items()) or "-",
        ]
        for i in infos
    ]
    headers = ["run", "recorded (UTC)", "branch", "commit", "pr", "job", "inputs", "labels"]
    return [i.as_dict() for i in infos], _table(headers, rows, "no runs recorded")


def _tests(store: Store, args: argparse.Namespace) -> tuple[Any, str]:
    from reportgen.history.analysis import added_removed, failing_since
    from reportgen.history.store import find_runs

    infos = find_runs(store, branch=args.branch, last=2)
    if not infos:
        return {"run": None}, "no runs recorded\n"
    latest = infos[0]
    failing = failing_since(store, latest)
    added, removed = added_removed(store, latest, infos[1]) if len(infos) > 1 else ([], [])
    data = {
        "run": latest.as_dict(),
        "compared_with": infos[1].id if len(infos) > 1 else None,
        "failing": [f.model_dump() for f in failing],
        "added": added,
        "removed": removed,
    }
    lines = [f"Latest: {latest.name()}"]
    rows = [
        [f.id, f"run {f.since_run}", (f.since_commit or "-")[:12], str(f.runs_failing)]
        for f in failing
    ]
    lines.append(_table(["failing test", "since", "commit", "runs"], rows, "no failing tests"))
    if len(infos) > 1:
        lines.append(f"Added since {infos[1].name()}: {len(added)}")
        lines.extend(f"  + {t}" for t in added)
        lines.append(f"Removed since {infos[1].name()}: {len(removed)}")
        lines.extend(f"  - {t}" for t in removed)
    return data, "\n".join(lines).rstrip("\n") + "\n"


def _metrics(store: Store, args: argparse.Namespace) -> tuple[Any, str]:
    from reportgen.history.analysis import metric_trends

    trends = metric_trends(store, branch=args.branch, last=args.last)

    def value(x: float | None, unit: str) -> str:
        return "…" if x is None else format_value(x, unit)

    rows = [
        [
            t.name,
            str(len(t.runs)),
            value(t.median, t.unit),
            f"[{value(t.low, t.unit)}, {value(t.high, t.unit)}]",
            value(t.medians[-1], t.unit),
            t.direction,
        ]
        for t in trends
    ]
    headers = ["metric", "runs", "median", "95% interval", "latest", "direction"]
    return [t.model_dump() for t in trends], _table(headers, rows, "no metrics recorded")


def _flaky(store: Store, args: argparse.Namespace) -> tuple[Any, str]:
    from reportgen.history.analysis import flaky_tests

    found = flaky_tests(store, branch=args.branch, window=args.last)
    rows = [[t.id, f"{t.flip_rate:.2f}", str(t.runs), t.reason] for t in found.tests]
    scope = f"branch {args.branch}" if args.branch else "any branch"
    head = f"{len(found.tests)} flaky tests in the last {len(found.runs)} runs ({scope})\n"
    table = _table(["test", "flip rate", "runs", "why"], rows, "") if rows else ""
    return found.model_dump(), head + table


VIEWS = {"runs": _runs, "tests": _tests, "metrics": _metrics, "flaky": _flaky}
