"""Quantities with units: durations, percentages, sizes and plain numbers, and their display."""

from __future__ import annotations

import math
import re

from reportgen import numbers
from reportgen.model import Direction

#: Seconds per duration unit. `min` is minutes; `m` is accepted as minutes only in criteria.
DURATION_UNITS: dict[str, float] = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "sec": 1.0,
    "min": 60.0,
    "h": 3600.0,
}

#: Bytes per size unit.
SIZE_UNITS: dict[str, float] = {
    "B": 1.0,
    "kB": 1e3,
    "KB": 1e3,
    "MB": 1e6,
    "GB": 1e9,
    "KiB": 1024.0,
    "MiB": 1024.0**2,
    "GiB": 1024.0**3,
}

#: Statistics that are not in the metric's unit (never rescaled, compared as plain numbers).
UNITLESS_STATS = frozenset({"count", "cv"})

_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-zµμ%/]*)\s*$")


class UnitError(ValueError):
    """A quantity that cannot be parsed or whose unit is unknown."""


def parse_quantity(text: str | float | int) -> tuple[float, str]:
    """Parse `"1.2s"`, `"5%"`, `"250 ms"`, `"3"` into (value in canonical unit, kind).

    Kinds: `"s"` (seconds), `"ratio"` (from a percentage: 5% -> 0.05), `"B"` (bytes) or `""`
    (a plain number). Raises UnitError for anything else.
    """
    if isinstance(text, bool):
        raise UnitError(f"expected a number, got {text!r}")
    try:
        if isinstance(text, int | float):
            return numbers.finite(text), ""
        match = _QUANTITY.match(text)
        if not match:
            raise UnitError(f"cannot read {text[:40]!r} as a quantity (e.g. 1.2s, 250ms, 5%, 42)")
        value = numbers.parse_float(match.group(1))
    except numbers.NumberError as exc:
        raise UnitError(f"{exc} in {str(text)[:40]!r}") from None
    unit = match.group(2)
    if unit == "":
        return value, ""
    if unit == "%":
        return value / 100.0, "ratio"
    if unit in DURATION_UNITS:
        return value * DURATION_UNITS[unit], "s"
    if unit == "m":
        return value * 60.0, "s"
    if unit in SIZE_UNITS:
        return value * SIZE_UNITS[unit], "B"
    raise UnitError(
        f"unknown unit {unit!r} in {text!r} (durations: ns us ms s min; percent: %; sizes: B kB MB)"
    )


def normalise_unit(value: float, unit: str) -> tuple[float, str]:
    """Convert a harness value to the canonical unit of its kind (seconds, bytes)."""
    if unit in DURATION_UNITS:
        return value * DURATION_UNITS[unit], "s"
    if unit in SIZE_UNITS:
        return value * SIZE_UNITS[unit], "B"
    if unit == "%":
        return value / 100.0, "ratio"
    return value, unit


def format_duration(seconds: float) -> str:
    """Human-readable duration with a unit chosen for three significant figures."""
    if math.isnan(seconds):
        return "n/a"
    magnitude = abs(seconds)
    if magnitude == 0:
        return "0 s"
    if magnitude < 1e-6:
        return f"{seconds * 1e9:.3g} ns"
    if magnitude < 1e-3:
        return f"{seconds * 1e6:.3g} µs"
    if magnitude < 1:
        return f"{seconds * 1e3:.3g} ms"
    if magnitude < 120:
        return f"{seconds:.3g} s"
    return f"{seconds / 60:.3g} min"


def format_value(value: float, unit: str) -> str:
    """Display a value in its canonical unit."""
    if unit == "s":
        return format_duration(value)
    if unit == "ratio":
        return format_percent(value)
    if unit == "B":
        for name, factor in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
            if abs(value) >= factor:
                return f"{value / factor:.3g} {name}"
        return f"{value:.0f} B"
    text = f"{value:.4g}"
    return f"{text} {unit}".rstrip()


def format_percent(ratio: float, digits: int = 1) -> str:
    """0.0523 -> '5.2%'."""
    if math.isnan(ratio):
        return "n/a"
    return f"{ratio * 100:.{digits}f}%"


def direction_for_unit(unit: str) -> Direction | None:
    """Which way is better by a canonical unit's dimension alone, or None when it does not say.

    Durations (`s`) and sizes (`B`): lower. Anything per second (`B/s`, `1/s`, `req/s`, `Hz`):
    higher, since it counts work done in a fixed time. Ratios, counts and plain numbers have no
    direction of their own (an error rate and a success rate are both ratios): None. A name is
    never read (`https` contains "tps", `password` contains "pass").
    """
    if unit in ("s", "B"):
        return Direction.LOWER_IS_BETTER
    if unit == "Hz" or unit.endswith("/s"):
        return Direction.HIGHER_IS_BETTER
    return None


def stat_unit(stat: str, unit: str) -> str:
    """The unit of statistic `stat` of values in `unit`: a count has none, a CV and a success
    rate are ratios, a throughput is per second (of durations: operations per second; of a
    counter of bytes or events: bytes or events per second)."""
    if stat == "count":
        return ""
    if stat in ("cv", "success_rate"):
        return "ratio"
    if stat == "throughput":
        if unit == "s":
            return "1/s"
        return f"{unit or '1'}/s" if "/" not in unit else unit
    return unit


def threshold_kind_matches(kind: str, unit: str) -> bool:
    """Whether a threshold of quantity kind `kind` ("s", "ratio", "B", "") can be compared with
    values in `unit`: a percentage only with a ratio, a duration or size only with its own
    dimension, a plain number with anything but those three (see `threshold_problem`)."""
    return threshold_problem(kind, "x", unit) is None


_DIMENSION_WORD = {"s": "a duration", "B": "a size", "ratio": "a ratio"}
_UNIT_EXAMPLES = {"s": ("ms", "s"), "B": ("kB", "MB")}


def threshold_problem(kind: str, text: str, unit: str) -> str | None:
    """Why a threshold written `text` (of quantity kind `kind`) cannot be held against values in
    `unit`, or None. Units are never guessed: a plain number on a duration or a size has no
    unit (25 could be ms or s), a percentage needs a ratio (a unitless 71.3 may be a percent
    or a fraction), and a duration or size needs its own dimension."""
    if kind == "":
        if unit in _UNIT_EXAMPLES:
            a, b = _UNIT_EXAMPLES[unit]
            what = _DIMENSION_WORD[unit]
            return f"{text} has no unit, and the values are {what}: write {text}{a} or {text}{b}"
        if unit == "ratio":
            try:
                value = float(text)
            except ValueError:
                return None
            if not 0.0 <= value < 1.0:
                return f"{text} is not a fraction of 1, and the values are a ratio: write {text}%"
        return None
    if kind == unit:
        return None
    measured = _DIMENSION_WORD.get(unit, f"in {unit}" if unit else "plain numbers")
    if kind == "ratio":
        return (
            f"a percentage ({text}) needs values that are a ratio or percent, and these are "
            f"{measured}: give the input's unit as % or ratio, or a threshold in its unit"
        )
    return f"{text} is {_DIMENSION_WORD.get(kind, kind)}, and the values are {measured}"
