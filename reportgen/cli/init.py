"""`reportgen init`: a commented starter criteria file written from what the inputs hold."""

from __future__ import annotations

import argparse
import json
import re
import sys
from decimal import Decimal
from typing import Any

from reportgen.cli import COMMAND_HELP
from reportgen.cli.common import (
    add_input_arguments,
    end_progress,
    make_parent,
    progress_printer,
    shown_paths,
    stdin_for,
    write_output,
)
from reportgen.errors import ExitCode, UsageError
from reportgen.ingest import load
from reportgen.model import Metric, Run
from reportgen.units import format_value

#: Starter thresholds are this much above (or below) what the inputs show: room, not a target.
HEADROOM = 1.5


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "init",
        help=COMMAND_HELP["init"],
        description="Read result files and write a commented starter criteria file: no "
        "failing tests, a pass rate, a required-tests placeholder, and per metric one threshold "
        "and one baseline comparison, with units. Review every number before gating on it.",
    )
    add_input_arguments(parser)
    parser.add_argument(
        "-o", "--output", default="-", metavar="FILE", help="file to write (default: stdout)"
    )
    parser.set_defaults(run=run)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "metric"


def _observed(metric: Metric) -> tuple[str, float] | None:
    """(statistic, value) the starter threshold is placed from."""
    if metric.samples:
        ordered = sorted(metric.samples)
        return "p95", ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    for stat in ("p95", "mean", "median", "max"):
        if stat in metric.stats:
            return stat, metric.stats[stat]
    return None


def _value(value: float, unit: str) -> str:
    """`value` as a criteria quantity: with its unit where criteria have one (durations, sizes,
    percentages), else a plain number; three significant figures, never an exponent."""
    if unit == "ratio":
        return format_value(value, unit)
    scales = {"s": _DURATION_SCALES, "B": _SIZE_SCALES, "B/s": _SIZE_RATE_SCALES}.get(unit)
    if scales is None:
        return _decimal(value)
    factor, name = next(((f, n) for f, n in scales if abs(value) >= f), scales[-1])
    return f"{_decimal(value / factor)} {name}"


# Largest first: the first a value reaches is its unit.
_DURATION_SCALES = (
    (3600.0, "h"),
    (60.0, "min"),
    (1.0, "s"),
    (1e-3, "ms"),
    (1e-6, "us"),
    (1e-9, "ns"),
)
_SIZE_SCALES = ((1e9, "GB"), (1e6, "MB"), (1e3, "kB"), (1.0, "B"))
_SIZE_RATE_SCALES = tuple((factor, f"{name}/s") for factor, name in _SIZE_SCALES)


def _decimal(value: float) -> str:
    """Three significant figures written out in full (`1230`, `0.0000123`), as criteria take."""
    return format(Decimal(f"{value:.3g}"), "f")


def starter(run: Run, paths: list[str]) -> str:
    """The criteria file's text (YAML with comments)."""
    lines = [
        "# Starter criteria written by `reportgen init` from: " + " ".join(paths),
        "# Every threshold below is a placeholder from what these inputs show: review each one.",
        "version: 1",
        "report:",
        '  title: "Readiness"',
        "criteria:",
    ]
    if len(run.tests):
        lines += [
            "  - id: no-failing-tests",
            "    title: No failing tests",
            "    tests:",
            "      max_failed: 0",
            "  - id: pass-rate",
            "    title: At least 99% of tests pass (needs enough runs to show it)",
            "    tests:",
            "      min_pass_rate: 99%",
            "  # Tests that must run and pass; `reportgen ls` lists the names patterns accept.",
            "  # - id: required-tests",
            "  #   tests:",
            '  #     require: ["tests/test_critical.py::*"]',
        ]
    samples: dict[str, int] = {}
    for metric in run.metrics:
        n = metric.n if metric.n is not None else len(metric.samples or ())
        samples[metric.name] = samples.get(metric.name, 0) + n
    seen: set[str] = set()
    for metric in run.metrics:
        if metric.name in seen:
            continue
        seen.add(metric.name)
        observed = _observed(metric)
        name = json.dumps(metric.name)  # a JSON string is a valid YAML scalar
        slug = _slug(metric.name)
        lower = metric.direction is None or metric.direction.value == "lower_is_better"
        if observed is not None:
            stat, value = observed
            bound = value * HEADROOM if lower else value / HEADROOM
            lines += [
                f"  - id: {slug}-threshold",
                f"    # observed {stat} {_value(value, metric.unit)}"
                + (f" over {samples[metric.name]} samples" if samples[metric.name] else ""),
                f"    metric: {name}",
                f"    stat: {stat}",
                f"    {'max' if lower else 'min'}: {_value(bound, metric.unit)}",
            ]
        lines += [
            f"  - id: {slug}-no-regression",
            "    # needs --baseline PATH (results of the same measurement before the change)",
            f"    metric: {name}",
            "    compare: baseline",
            "    max_regression: 5%",
        ]
    if lines[-1] == "criteria:":
        lines[-1] = "criteria: []  # the inputs hold no tests or metrics"
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    if not args.paths:
        raise UsageError("no input: give result files, directories or globs")
    stdin = stdin_for(args.paths)
    result = load(args.paths, format=args.input_format, progress=progress_printer(), stdin=stdin)
    end_progress()
    text = starter(result, shown_paths(args.paths))
    if args.output != "-":
        make_parent(args.output)
    write_output(args.output, text)
    if args.output != "-":
        sys.stderr.write(f"wrote {args.output}\n")
    return int(ExitCode.READY)
