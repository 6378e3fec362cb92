"""The statistic vocabulary of criteria (mean, median, min, max, count, success_rate,
throughput, stdev, cv, pNN)."""

from __future__ import annotations

import re

#: The named statistics; percentiles are spelled `pNN` (p95, p99.9).
NAMES = ("mean", "median", "min", "max", "count", "success_rate", "throughput", "stdev", "cv")
_VOCABULARY = "mean, median, min, max, pNN, count, success_rate, throughput, stdev, cv"

_STAT = re.compile(r"^(" + "|".join(NAMES) + r"|p(\d{1,2}(?:\.\d+)?))$")
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
    if _STAT.match(stat):
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
    match = _STAT.match(stat)
    digits = match.group(2) if match else None
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
