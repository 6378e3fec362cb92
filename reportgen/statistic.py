"""The statistic vocabulary of criteria (mean, median, min, max, count, success_rate,
throughput, stdev, cv, pNN)."""

from __future__ import annotations

import re

#: The named statistics; percentiles are spelled `pNN` (p95, p99.9).
NAMES = ("mean", "median", "min", "max", "count", "success_rate", "throughput", "stdev", "cv")
_VOCABULARY = "mean, median, min, max, pNN, count, success_rate, throughput, stdev, cv"

#: A percentile as criteria spell it: ASCII digits, two before the point at most.
_PERCENTILE = r"p([0-9]{1,2}(?:\.[0-9]+)?)"
_STAT = re.compile("|".join(NAMES) + "|" + _PERCENTILE)
#: Every statistic a criterion may name, as a regular expression (the JSON Schema's too).
STAT_PATTERN = "(?:" + "|".join(NAMES) + "|" + _PERCENTILE.replace("(", "(?:", 1) + ")"
#: Those a threshold can estimate: p0 (and p00, p0.0) has no bound.
ESTIMABLE_PATTERN = STAT_PATTERN.replace("|p(?:", r"|p(?!0{1,2}(?:\.0+)?(?![\s\S]))(?:", 1)
#: Other names harnesses report a statistic under.
_HARNESS_ALIASES = {
    "median": ("median", "p50"),
    "stdev": ("stdev", "std", "stddev"),
    # Harnesses report both a success share (k6 rates, JMeter) and a per-second rate (k6
    # counters) as "rate"; which one it is follows from the metric's unit.
    "success_rate": ("rate",),
    "throughput": ("rate",),
}


def unknown(stat: str) -> str | None:
    """Why `stat` is not a statistic a criterion may name, or None."""
    if _STAT.fullmatch(stat):
        return None
    if stat == "rate":
        # A "rate" was both a share of successes and events per second: say which.
        return (
            "`stat: rate` is ambiguous: write success_rate (the share of successes, with its "
            "counts) or throughput (events per second)"
        )
    return f"unknown statistic {stat!r} ({_VOCABULARY})"


def out_of_range(stat: str) -> str | None:
    """Why a percentile `stat` cannot be estimated (p0 and p100 have no bound), or None."""
    match = _STAT.fullmatch(stat)
    digits = match.group(1) if match else None
    if digits is not None and not 0 < float(digits) < 100:
        return f"percentile {stat!r} must be between p0 and p100"
    return None


def percentile_q(stat: str) -> float | None:
    """The quantile (0.95 for p95, 0.5 for median) a statistic names, else None.

    Also reads harness-reported keys, which may go past the criteria spelling (p99.99, p100).
    """
    if stat == "median":
        return 0.5
    digits = stat[1:].replace(".", "", 1)
    if stat.startswith("p") and digits.isascii() and digits.isdigit():
        return float(stat[1:]) / 100.0
    return None


def harness_keys(stat: str) -> tuple[str, ...]:
    """The keys a harness may report `stat` under, in order of preference."""
    return _HARNESS_ALIASES.get(stat, (stat,))
