"""Quantities with units: durations, percentages, sizes and plain numbers, and their display."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from reportgen import numbers
from reportgen.model import Direction
from reportgen.records import record

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

#: Bytes per size unit. Not `KB`: 1000 bytes to some, 1024 to others (GNU time's "Kbytes"
#: of `%M` are KiB), so an input's `KB` is kept as written (see AMBIGUOUS_SIZE_UNITS).
SIZE_UNITS: dict[str, float] = {
    "B": 1.0,
    "kB": 1e3,
    "MB": 1e6,
    "GB": 1e9,
    "KiB": 1024.0,
    "MiB": 1024.0**2,
    "GiB": 1024.0**3,
}

#: Bytes per second per rate-of-size unit (Go's `MB/s`, a metrics file's `kB/s`): a rate of
#: bytes is kept in B/s, whatever multiple the harness printed, so that a threshold's unit and a
#: baseline from another harness compare with it.
SIZE_RATE_UNITS: dict[str, float] = {f"{unit}/s": factor for unit, factor in SIZE_UNITS.items()}

#: Statistics that are not in the metric's unit (never rescaled, compared as plain numbers).
UNITLESS_STATS = frozenset({"count", "cv"})

#: Size units that mean 1000 or 1024 bytes by habit: an input's values in them are kept in
#: them, never converted by a guess (a threshold needs a plain number in the same unit), and a
#: criteria file may not write them (it writes the sizes and rates above).
AMBIGUOUS_SIZE_UNITS = frozenset({"KB", "KB/s"})
#: Duration units a criteria file may write: the harness ones, and `m` for minutes.
CRITERIA_DURATION_UNITS: dict[str, float] = {**DURATION_UNITS, "m": 60.0}
#: Seconds per unit an age (`max_age`) may also be written in: days and weeks.
AGE_UNITS: dict[str, float] = {"d": 86400.0, "w": 7 * 86400.0}
#: Digits a written quantity may have before and after its decimal point: far beyond any real
#: threshold (or a float's precision), and a bound that keeps every value finite in any unit.
MAX_WHOLE_DIGITS = 30
MAX_FRACTION_DIGITS = 30

#: A number as a criteria quantity writes it: ASCII digits, an optional sign and decimal point,
#: no exponent (units make one unnecessary). The JSON Schema uses the same text.
NUMBER_PATTERN = (
    rf"[+-]?(?:[0-9]{{1,{MAX_WHOLE_DIGITS}}}(?:\.[0-9]{{0,{MAX_FRACTION_DIGITS}}})?"
    rf"|\.[0-9]{{1,{MAX_FRACTION_DIGITS}}})"
)
#: Blanks allowed around the number and the unit (spaces and tabs only).
BLANK_PATTERN = r"[ \t]*"

_WRITTEN = re.compile(r"[ \t]*([+-]?[0-9.]+)([eE][+-]?[0-9]+)?[ \t]*([A-Za-zµμ%/]*)[ \t]*")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_NUMBER = re.compile(NUMBER_PATTERN)


class UnitError(ValueError):
    """A quantity that cannot be parsed or whose unit is unknown."""


@record
class Written:
    """A quantity as a criteria file writes it: the exact number, its unit, and its value."""

    number: Decimal
    unit: str
    #: In the canonical unit of `kind`.
    value: float
    #: "s" (seconds), "ratio" (a percentage), "B" (bytes), "B/s" (bytes per second) or ""
    #: (a plain number).
    kind: str


def read_quantity(text: str, extra: Mapping[str, float] | None = None) -> Written:
    """Read `"1.2s"`, `"5%"`, `"250 ms"`, `"3"`: a decimal number (no exponent, at most
    MAX_WHOLE_DIGITS digits before the point and MAX_FRACTION_DIGITS after) and a unit.

    `extra` maps more duration units to seconds (days and weeks for ages). Raises UnitError
    saying what is wrong.
    """
    match = _WRITTEN.fullmatch(text)
    if not match or not _DECIMAL.fullmatch(match.group(1)):
        raise UnitError(f"cannot read {text[:40]!r} as a quantity (e.g. 1.2s, 250ms, 5%, 42)")
    digits, exponent, unit = match.groups()
    if exponent:
        raise UnitError(
            f"{text[:40]!r}: write the number without an exponent (1ms or 0.001s, not 1e-3s)"
        )
    if not _NUMBER.fullmatch(digits):
        raise UnitError(
            f"{text[:40]!r} has too many digits (at most {MAX_WHOLE_DIGITS} before the point "
            f"and {MAX_FRACTION_DIGITS} after)"
        )
    number = Decimal(digits)
    if unit == "":
        return Written(number, unit, float(number), "")
    if unit == "%":
        return Written(number, unit, float(number) / 100.0, "ratio")
    seconds = CRITERIA_DURATION_UNITS.get(unit) or (extra or {}).get(unit)
    if seconds is not None:
        return Written(number, unit, float(number) * seconds, "s")
    if unit in AMBIGUOUS_SIZE_UNITS:
        # 1000 bytes to some, 1024 to others: a threshold must say which.
        raise UnitError(
            f"{text[:40]!r}: KB is ambiguous; write kB (1000 bytes) or KiB (1024)"
            + (" per second" if unit == "KB/s" else "")
        )
    if unit in SIZE_UNITS:
        return Written(number, unit, float(number) * SIZE_UNITS[unit], "B")
    if unit in SIZE_RATE_UNITS:
        return Written(number, unit, float(number) * SIZE_RATE_UNITS[unit], "B/s")
    raise UnitError(
        f"unknown unit {unit!r} in {text!r} (durations: ns us ms s min; percent: %; sizes: B kB "
        "MB; rates of bytes: B/s kB/s MB/s)"
    )


def parse_quantity(text: str | float | int) -> tuple[float, str]:
    """Parse `"1.2s"`, `"5%"`, `"250 ms"`, `"3"` or a number into (value in canonical unit, kind).

    Kinds: `"s"` (seconds), `"ratio"` (from a percentage: 5% -> 0.05), `"B"` (bytes), `"B/s"`
    (bytes per second) or `""` (a plain number). Raises UnitError for anything else (see
    `read_quantity`).
    """
    if isinstance(text, bool):
        raise UnitError(f"expected a number, got {text!r}")
    if isinstance(text, int | float):
        try:
            return numbers.finite(text), ""
        except numbers.NumberError as exc:
            raise UnitError(f"{exc} in {str(text)[:40]!r}") from None
    written = read_quantity(text)
    return written.value, written.kind


def quantity_pattern(unit_names: Iterable[str], number: str = NUMBER_PATTERN) -> str:
    """A JSON Schema `pattern` for a quantity written with `number` and one of `unit_names`
    ("" for none), meaning the same in ECMA 262 and Python regular expressions."""
    choices = "|".join(re.escape(u) for u in sorted(set(unit_names), key=lambda u: (-len(u), u)))
    return anchored(f"{BLANK_PATTERN}(?:{number}){BLANK_PATTERN}(?:{choices}){BLANK_PATTERN}")


def anchored(body: str) -> str:
    """`body` matching the whole text: `(?![\\s\\S])` ends it where `$` would also match
    before a final newline in Python."""
    return f"^(?:{body})(?![\\s\\S])"


def normalise_unit(value: float, unit: str) -> tuple[float, str]:
    """Convert a harness value to the canonical unit of its kind (seconds, bytes)."""
    if unit in DURATION_UNITS:
        return value * DURATION_UNITS[unit], "s"
    if (per := time_per_work(unit)) is not None:
        # The time of one operation, iteration, item... is a duration, as Go's ns/op is: the
        # same quantity a harness that states no denominator gives (pytest-benchmark, hyperfine).
        return value * per, "s"
    if unit in SIZE_UNITS:
        return value * SIZE_UNITS[unit], "B"
    if unit in SIZE_RATE_UNITS:
        return value * SIZE_RATE_UNITS[unit], "B/s"
    if unit == "%":
        return value / 100.0, "ratio"
    return value, unit


def time_per_work(unit: str) -> float | None:
    """Seconds per unit of a time per unit of work, `ns/op`, `ms/iter`, `sec/op`, `us/item`
    (a duration over one of WORK_PER_SECOND), else None."""
    head, slash, per = unit.partition("/")
    if slash and head in DURATION_UNITS and per in WORK_PER_SECOND and per not in ("", "1"):
        return DURATION_UNITS[head]
    return None


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
    if unit in ("B", "B/s"):
        per = unit[1:]  # "" or "/s"
        for name, factor in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
            if abs(value) >= factor:
                return f"{value / factor:.3g} {name}{per}"
        return f"{value:.0f} {unit}" if unit == "B" else f"{value:.3g} {unit}"
    # A count of KB is shown whole: 5.157e+04 KB would hide the digits a threshold is held to.
    text = f"{value:.6g}" if unit in AMBIGUOUS_SIZE_UNITS else f"{value:.4g}"
    return f"{text} {unit}".rstrip()


def format_percent(ratio: float, digits: int = 1) -> str:
    """0.0523 -> '5.2%'."""
    if math.isnan(ratio):
        return "n/a"
    return f"{ratio * 100:.{digits}f}%"


def direction_for_unit(unit: str) -> Direction | None:
    """Which way is better by a canonical unit's dimension alone, or None when it does not say.

    Durations (`s`) and sizes (`B`): lower. Work done per second (`B/s` and its multiples,
    `1/s`, `Hz`, `ops/s`, `req/s`, `items/s`, ...: see WORK_PER_SECOND): higher. Any other count
    per second (`errors/s`, `retries/s`, `misses/s`) says only how often something happens,
    good or bad: None, as for ratios, counts and plain numbers (an error rate and a success
    rate are both ratios). A name is never read (`https` contains "tps", `password` "pass").
    """
    if unit in ("s", "B", "KB"):
        # KB is a size whichever kilobyte it means.
        return Direction.LOWER_IS_BETTER
    if unit == "Hz":
        return Direction.HIGHER_IS_BETTER
    if unit.endswith("/s"):
        work = unit[: -len("/s")].strip()
        if work in WORK_PER_SECOND or work in SIZE_UNITS or unit in AMBIGUOUS_SIZE_UNITS:
            return Direction.HIGHER_IS_BETTER
    return None


#: What a unit "X/s" counts when it is throughput, work done in a fixed time (so higher is
#: better): operations, requests, iterations, items, messages, transactions, queries, bytes.
#: Anything else per second (errors/s, GC/s) has no direction of its own.
WORK_PER_SECOND = frozenset(
    {
        "", "1", "op", "ops", "operation", "operations", "req", "reqs", "request", "requests",
        "iter", "iters", "iteration", "iterations", "item", "items", "msg", "msgs", "message",
        "messages", "tx", "txn", "txns", "transaction", "transactions", "query", "queries",
        "call", "calls",
    }
)  # fmt: skip


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


def stat_direction(stat: str, unit: str, direction: Direction) -> Direction:
    """Which way statistic `stat` of values in `unit` gets better, when the values themselves
    get better `direction`: a spread (`stdev`, `cv`) is never better wider, a success rate
    always higher, and a throughput of durations (n over their sum) rises as they fall; any
    other statistic is in the values' unit and goes their way."""
    if stat in ("stdev", "cv"):
        return Direction.LOWER_IS_BETTER
    if stat == "success_rate":
        return Direction.HIGHER_IS_BETTER
    if stat == "throughput" and unit == "s":
        return (
            Direction.HIGHER_IS_BETTER
            if direction is Direction.LOWER_IS_BETTER
            else Direction.LOWER_IS_BETTER
        )
    return direction


def threshold_kind_matches(kind: str, unit: str) -> bool:
    """Whether a threshold of quantity kind `kind` ("s", "ratio", "B", "B/s", "") can be compared
    with values in `unit`: a percentage only with a ratio, a duration, size or rate of bytes only
    with its own dimension, a plain number with anything but those (see `threshold_problem`)."""
    return threshold_problem(kind, "x", unit) is None


_DIMENSION_WORD = {
    "s": "a duration",
    "B": "a size",
    "B/s": "a rate of bytes per second",
    "ratio": "a ratio",
}
# A plain number on these is refused: the harness may have printed the values in any multiple
# (Go prints MB/s, and its metric is named so; the values are kept in B/s), so `min: 100` could
# mean 100 B/s or 100 MB/s.
_UNIT_EXAMPLES = {"s": ("ms", "s"), "B": ("kB", "MB"), "B/s": ("kB/s", "MB/s")}


def threshold_problem(kind: str, text: str, unit: str) -> str | None:
    """Why a threshold written `text` (of quantity kind `kind`) cannot be held against values in
    `unit`, or None. Units are never guessed: a plain number on a duration, a size or a rate of
    bytes has no unit (25 could be ms or s; 100 on Go's `[MB/s]` could be B/s or MB/s), a
    percentage needs a ratio (a unitless 71.3 may be a percent or a fraction), and a duration,
    size or rate of bytes needs its own dimension."""
    if unit in AMBIGUOUS_SIZE_UNITS and kind != "":
        # The values were kept in the input's KB: converting the threshold to them would
        # guess which kilobyte the input meant.
        return (
            f"{text} is {_DIMENSION_WORD.get(kind, kind)}, and the values are in {unit}, 1000 "
            f"bytes to some and 1024 to others: give the input's unit as "
            f"{unit.replace('KB', 'kB')} or {unit.replace('KB', 'KiB')}, or a plain number "
            f"of {unit}"
        )
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
