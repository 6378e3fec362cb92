"""`reportgen init`: a commented starter criteria file written from what the inputs hold.

Every criterion it writes is one the same inputs can decide: the pass-rate target is one the
number of tests that ran could show, and each metric threshold names the highest percentile
whose confidence bound the samples support, placed beyond that bound. Each candidate is judged
by the evaluator itself (`evaluate.threshold.judge`) before it is written, so init and verdict
cannot disagree on what the evidence shows.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import textwrap
from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Any

from reportgen import stats
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
from reportgen.criteria import CriteriaFile, Criterion, Effective
from reportgen.errors import CriteriaError, ExitCode, UsageError
from reportgen.evaluate import baseline, threshold
from reportgen.evaluate.context import Context, Judgement, Series, resolve_now
from reportgen.evaluate.counts import executed
from reportgen.evaluate.metrics import recording
from reportgen.evaluate.wording import conf, fmt
from reportgen.evaluation import Figures, Status
from reportgen.ingest import load
from reportgen.model import Direction, Run
from reportgen.units import format_value

#: Starter thresholds are this much beyond the confidence bound (or the point value) the
#: inputs show: room for run-to-run noise, not a target.
HEADROOM = 1.5
#: The highest pass-rate target written: above it, `max_failed: 0` is the gate that means it.
PASS_RATE_CAP = 99
#: The lowest pass-rate target written. A gate that tolerates more than one failing test in
#: ten adds nothing `max_failed: 0` does not already say, so below it the criterion is left
#: commented out with the number of tests it would need.
PASS_RATE_FLOOR = 90
#: Statistics tried for a threshold, most demanding first: the upper tail of a metric where
#: lower is better, the lower tail where higher is better (the same sample-size needs).
UPPER_TAIL = ("p99", "p95", "p90", "p75", "median")
LOWER_TAIL = ("p1", "p5", "p10", "p25", "median")
#: Point values without samples have no percentile bound; their mean is also tried.
POINT_EXTRA = ("mean",)


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "init",
        help=COMMAND_HELP["init"],
        description="Read result files and write a commented starter criteria file that the "
        "same inputs can decide: no failing tests, a pass rate the number of tests that ran "
        "can show, a required-tests placeholder, and per metric a threshold on the highest "
        "percentile its samples can bound (placed beyond that bound) and a baseline "
        "comparison. Review every number before gating on it.",
    )
    add_input_arguments(parser)
    parser.add_argument(
        "-o", "--output", default="-", metavar="FILE", help="file to write (default: stdout)"
    )
    parser.set_defaults(run=run)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "metric"


def _value(value: float, unit: str, rounding: str = ROUND_HALF_EVEN) -> str:
    """`value` as a criteria quantity: with its unit where criteria have one (durations, sizes,
    percentages), else a plain number; three significant figures rounded by `rounding`, never
    an exponent."""
    if unit == "ratio":
        return format_value(value, unit)
    scales = {"s": _DURATION_SCALES, "B": _SIZE_SCALES, "B/s": _SIZE_RATE_SCALES}.get(unit)
    if scales is None:
        return _decimal(value, rounding)
    factor, name = next(((f, n) for f, n in scales if abs(value) >= f), scales[-1])
    return f"{_decimal(value / factor, rounding)} {name}"


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


def _decimal(value: float, rounding: str = ROUND_HALF_EVEN) -> str:
    """Three significant figures written out in full (`1230`, `0.0000123`), as criteria take;
    a threshold is rounded away from the bound it is placed beyond (`rounding`)."""
    exact = Decimal(repr(value))
    if exact == 0:
        return "0"
    rounded = exact.quantize(Decimal(1).scaleb(exact.adjusted() - 2), rounding=rounding)
    return format(rounded.normalize(), "f")


def _pass_rate(run: Run, eff: Effective) -> list[str]:
    """The pass-rate criterion: the highest whole-percent target the tests that ran could show
    if all of them passed (capped), or a commented-out one saying how many tests it needs."""
    ran = executed(run.tests.outcome_counts())
    c = eff.confidence
    best = stats.clopper_pearson(ran, ran, c).lower if ran else 0.0
    target = min(PASS_RATE_CAP, math.floor(best * 100))
    # Products of floats: settle on the bound itself, never on its rounding.
    while target > 0 and best < target / 100:
        target -= 1
    cap_needs = stats.min_consecutive_successes(PASS_RATE_CAP / 100, c)
    floor_needs = stats.min_consecutive_successes(PASS_RATE_FLOOR / 100, c)
    shown = (
        f"if all {ran} tests that ran pass, the {conf(c)} lower bound (Clopper-Pearson) is "
        f"{format_value(best, 'ratio')}"
    )
    if target < PASS_RATE_FLOOR:
        return [
            *_comment(
                f"Pass rate: {shown}, too few to show {PASS_RATE_FLOOR}% (that needs "
                f"{floor_needs} tests that ran, {PASS_RATE_CAP}% needs {cap_needs}); until "
                "then max_failed: 0 above is the gate.",
                2,
            ),
            "  # - id: pass-rate",
            "  #   tests:",
            f"  #     min_pass_rate: {PASS_RATE_FLOOR}%",
        ]
    why = f"{target}%: {shown}"
    if target < PASS_RATE_CAP:
        why += f" ({PASS_RATE_CAP}% needs {cap_needs} tests that ran)"
    return [
        "  - id: pass-rate",
        *_comment(why, 4),
        f"    title: At least {target}% of tests pass",
        "    tests:",
        f"      min_pass_rate: {target}%",
    ]


def _defaults() -> Effective:
    """The settings a criterion without its own gets: init writes none, so all of them."""
    probe = Criterion.model_validate({"id": "init", "tests": {"max_failed": 0}})
    return CriteriaFile.model_validate({"version": 1, "criteria": []}).effective(probe)


def _judge(ctx: Context, eff: Effective, fields: dict[str, Any]) -> Judgement | str:
    """The evaluator's judgement of a threshold criterion on the inputs, or why it cannot be
    held against them (a criteria error the inputs reveal, such as a unit that does not fit)."""
    try:
        return threshold.judge(ctx, Criterion.model_validate(fields), eff)
    except CriteriaError as exc:
        return str(exc)


#: The tolerance a starter comparison takes when the run's own noise allows it.
TOLERANCE = 5


def _comparison(itself: Context, eff: Effective, fields: dict[str, Any]) -> tuple[int, list[str]]:
    """The regression tolerance (whole percent) a baseline comparison decides with the run as
    its own baseline (no change), and the comment saying how it was placed; (0, why) when
    none does, where why says what the evaluator could not decide."""

    def probe(tolerance: int) -> Judgement | str:
        try:
            crit = Criterion.model_validate({**fields, "max_regression": f"{tolerance}%"})
            return baseline.judge(itself, crit, eff)
        except CriteriaError as exc:
            return str(exc)

    first = probe(TOLERANCE)
    if isinstance(first, str):
        return 0, _comment(f"No baseline comparison: {first.rstrip('.')}.", 2)
    if first.status is Status.PASS:
        return TOLERANCE, []
    # The bounds on a change of nothing straddle the tolerance: the run's noise is wider. A
    # tolerance beyond the widest bound (with the thresholds' headroom) is one it decides.
    widest = max((f.ci_high for f in _figures(first) if f.ci_high is not None), default=None)
    if widest is not None and math.isfinite(widest) and widest > 0:
        tolerance = max(TOLERANCE + 1, math.ceil(widest * 100 * HEADROOM))
        second = probe(tolerance)
        if not isinstance(second, str) and second.status is Status.PASS:
            return tolerance, _comment(
                f"this run's own noise bounds a change of nothing within +{widest:.1%} "
                f"(one-sided {conf(eff.confidence)}): {TOLERANCE}% cannot be decided, so the "
                "tolerance "
                f"is that bound +{round((HEADROOM - 1) * 100)}%",
                4,
            )
    return 0, _comment(
        f"No baseline comparison: with this run as its own baseline, {first.reason.rstrip('.')}.",
        2,
    )


def _figures(judgement: Judgement) -> list[Figures]:
    """The figures of each series a criterion covered (a metric judged per input has several)."""
    return [i.figures for i in judgement.items] or [judgement.figures]


def _edge(figures: Figures, lower: bool) -> float | None:
    """What a limit must lie beyond to pass: the bound on the side it is judged on, or the
    point value where the input gave no samples to bound."""
    if figures.point_estimate:
        return figures.value
    return figures.ci_high if lower else figures.ci_low


def _threshold(
    ctx: Context, eff: Effective, name: str, series: Sequence[Series]
) -> tuple[list[str], bool]:
    """A threshold on `name` that its own inputs decide (True), or a comment saying why none
    is (False)."""
    slug = _slug(name)
    lower = series[0].direction is not Direction.HIGHER_IS_BETTER
    point = any(s.samples is None for s in series)
    unit = series[0].unit
    key = "max" if lower else "min"
    base: dict[str, Any] = {"id": f"{slug}-threshold", "metric": name}
    if point:
        base["allow_point_estimates"] = True
    # Durations at or below this are no measurement (timer_resolution, per iteration).
    resolution = max((recording(s, eff)[0] for s in series if s.unit == "s"), default=0.0)
    why = f"{name} has no statistic a threshold can be held against"
    for stat in (UPPER_TAIL if lower else LOWER_TAIL) + (POINT_EXTRA if point else ()):
        # First the bound the evaluator takes on these inputs (held against any limit), then
        # a limit beyond it, judged again: only a criterion that passes on its inputs is kept.
        probe = _judge(ctx, eff, {**base, "stat": stat, key: _value(0.0, unit)})
        if isinstance(probe, str):
            why = probe
            continue
        figures = _figures(probe)
        edges = [_edge(f, lower) for f in figures]
        if None in edges or not all(math.isfinite(e) for e in edges if e is not None):
            why = probe.reason
            continue
        if resolution > 0 and any(f.value is not None and f.value <= resolution for f in figures):
            why = (
                f"its {stat} is at or below the timer resolution of "
                f"{format_value(resolution, 's')}: values below what the timer can resolve "
                "are no measurement to hold a limit against"
            )
            continue
        known = [e for e in edges if e is not None]
        edge = max(known) if lower else min(known)
        if not lower and edge <= 0:
            why = f"the lower bound of its {stat} is {fmt(edge, unit)}: such a minimum cannot fail"
            continue
        limit = _value(
            edge * HEADROOM if lower else edge / HEADROOM,
            unit,
            ROUND_CEILING if lower else ROUND_FLOOR,
        )
        final = _judge(ctx, eff, {**base, "stat": stat, key: limit})
        if isinstance(final, str):
            why = final
            continue
        if final.status is not Status.PASS:
            why = final.reason
            continue
        lines = [f"  - id: {slug}-threshold"]
        lines += _margin(stat, figures, edge, lower, unit, eff)
        lines += [f"    metric: {_quoted(name)}", f"    stat: {stat}", f"    {key}: {limit}"]
        if point:
            lines.append("    allow_point_estimates: true  # no samples: weaker evidence")
        return lines, True
    return _comment(f"No threshold on {_quoted(name)}: {why.rstrip('.')}.", 2), False


def _margin(
    stat: str, figures: list[Figures], edge: float, lower: bool, unit: str, eff: Effective
) -> list[str]:
    """The comment saying what the limit is placed from and by how much."""
    c = conf(eff.confidence)
    room = f"+{round((HEADROOM - 1) * 100)}%" if lower else f"-{round((1 - 1 / HEADROOM) * 100)}%"
    observed = ", ".join(
        f"{fmt(f.value, unit)}" + (f" over {f.n} samples" if f.n else "") for f in figures
    )
    if all(f.point_estimate for f in figures):
        return _comment(
            f"{stat} the input reports (a point value, no samples to bound): {observed}; "
            f"the limit is that value {room}",
            4,
        )
    side = "upper" if lower else "lower"
    return _comment(
        f"observed {stat} {observed}; its {c} {side} bound is {fmt(edge, unit)} and the "
        f"limit is that bound {room}",
        4,
    )


def _comment(text: str, indent: int) -> list[str]:
    """`text` as YAML comment lines at `indent`, wrapped to the width of the code."""
    prefix = " " * indent + "# "
    return textwrap.wrap(text, 100, initial_indent=prefix, subsequent_indent=prefix)


def _quoted(name: str) -> str:
    """A metric name as a YAML scalar: a JSON string is one."""
    return json.dumps(name)


def starter(run: Run, paths: list[str]) -> str:
    """The criteria file's text (YAML with comments)."""
    eff = _defaults()
    lines = [
        "# Starter criteria written by `reportgen init` from: " + " ".join(paths),
        "# Every limit below is one these inputs can decide, placed from what they show:",
        "# review each one before gating on it.",
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
            *_pass_rate(run, eff),
            "  # Tests that must run and pass; `reportgen ls` lists the names patterns accept.",
            "  # - id: required-tests",
            "  #   tests:",
            '  #     require: ["tests/test_critical.py::*"]',
        ]
    now = resolve_now()
    ctx = Context(run, None, now)
    # The run as its own baseline: a comparison it cannot decide (no change at all) no later
    # baseline of the same harness decides either.
    itself = Context(run, run, now)
    by_metric: dict[str, list[Series]] = {}
    for series in ctx.series.values():
        by_metric.setdefault(series.metric or series.name, []).append(series)
    for name, series_of in by_metric.items():
        slug = _slug(name)
        threshold_lines, decided = _threshold(ctx, eff, name, series_of)
        lines += threshold_lines
        fields: dict[str, Any] = {"id": f"{slug}-no-regression", "metric": name}
        fields["compare"] = "baseline"
        point = any(s.samples is None for s in series_of)
        if point:
            # Where the threshold holds only on point values, so would the comparison; without
            # this it is INSUFFICIENT on every baseline the same harness writes.
            fields["allow_point_estimates"] = True
        tolerance, notes = _comparison(itself, eff, fields) if decided else (0, [])
        regression = [
            f"  - id: {slug}-no-regression",
            f"    metric: {_quoted(name)}",
            "    compare: baseline",
            f"    max_regression: {tolerance or TOLERANCE}%",
        ]
        if point:
            regression.append("    allow_point_estimates: true  # no samples: weaker evidence")
        if tolerance:
            lines += [
                regression[0],
                "    # needs --baseline PATH (results of the same measurement before the change):",
                "    # without one this criterion is INSUFFICIENT",
                *notes,
                *regression[1:],
            ]
        else:
            # A comparison needs the same evidence from both runs, and this run's is not enough.
            lines += [
                *(notes or ["  # A baseline comparison is undecidable for the same reason:"]),
                *(f"  # {line[2:]}" for line in regression),
            ]
    if not any(line.startswith("  - id:") for line in lines):
        # Only comments below: YAML would read the list as null.
        start = lines.index("criteria:")
        lines[start] = (
            "criteria: []  # the inputs hold no tests or metrics"
            if start == len(lines) - 1
            else "criteria: []  # none can be decided on these inputs: see below"
        )
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
