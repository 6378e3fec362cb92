"""`reportgen ls`: the test ids and metric names of the inputs, spelled as criteria patterns
match them, so a criteria file can be written without guessing names."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from reportgen.cli import COMMAND_HELP
from reportgen.cli.common import add_input_arguments, end_progress, progress_printer, stdin_for
from reportgen.errors import ExitCode, UsageError
from reportgen.ingest import load
from reportgen.model import Outcome, Run


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "ls",
        help=COMMAND_HELP["ls"],
        description="List the tests (with counts by outcome) and metrics (with unit, number of "
        "samples and direction) of result files, named exactly as the `tests:` and `metric:` "
        "patterns of a criteria file match them. Exits 0 when the files could be read; 4 when "
        "one is unreadable or malformed.",
    )
    add_input_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.set_defaults(run=run)


def test_names(run: Run) -> dict[str, dict[str, int]]:
    """Pattern name -> counts by outcome: the canonical test id, which selection matches
    first. `file::name` would merge tests of one file that share a name (`test_ok` of two
    classes), and TAP's ids hold no file. Brackets in names need no escaping: only `*` and
    `?` are wildcards in criteria patterns."""
    table = run.tests
    found: dict[str, dict[str, int]] = {}
    for i in range(len(table)):
        name = table.id_of(i)
        counts = found.setdefault(name, dict.fromkeys((o.value for o in Outcome), 0))
        counts[table.outcome_of(i).value] += 1
    return dict(sorted(found.items()))


def metric_rows(run: Run) -> list[dict[str, Any]]:
    """One row per metric name: unit, samples (n) and direction."""
    rows: dict[str, dict[str, Any]] = {}
    for metric in run.metrics:
        n = metric.n if metric.n is not None else len(metric.samples or ())
        row = rows.get(metric.name)
        if row is None:
            rows[metric.name] = {
                "name": metric.name,
                "unit": metric.unit,
                "n": n,
                "direction": metric.direction.value if metric.direction else "unknown",
            }
        else:
            row["n"] += n
    return [rows[name] for name in sorted(rows)]


def run(args: argparse.Namespace) -> int:
    if not args.paths:
        raise UsageError("no input: give result files, directories or globs")
    stdin = stdin_for(args.paths)
    result = load(args.paths, format=args.input_format, progress=progress_printer(), stdin=stdin)
    end_progress()
    tests = test_names(result)
    metrics = metric_rows(result)
    if args.json:
        payload = {
            "tests": [{"name": name, **counts} for name, counts in tests.items()],
            "metrics": metrics,
        }
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return int(ExitCode.READY)
    out: list[str] = [f"tests ({len(tests)}):"]
    for name, counts in tests.items():
        shown = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
        out.append(f"  {name}  [{shown}]")
    out.append(f"metrics ({len(metrics)}):")
    for row in metrics:
        unit = f" {row['unit']}" if row["unit"] else ""
        out.append(f"  {row['name']}  [unit{unit or ' none'}, n={row['n']}, {row['direction']}]")
    sys.stdout.write("\n".join(out) + "\n")
    return int(ExitCode.READY)
