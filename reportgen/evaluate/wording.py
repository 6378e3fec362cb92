"""The words of the judging stage: numbers, percentages, id lists and sentences in reasons."""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportgen.units import format_percent, format_value

#: Ids quoted in a reason sentence.
MAX_IDS_IN_REASON = 3


def fmt(value: float | None, unit: str) -> str:
    """A value in its unit, or n/a."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return format_value(value, unit)


def signed_pct(change: float) -> str:
    """A relative change as +12.3% / -4.0%."""
    return f"{change * 100:+.1f}%"


def conf(confidence: float) -> str:
    """A confidence level: 95%, 97.5%."""
    return format_percent(confidence, 0 if round(confidence * 100, 6).is_integer() else 1)


def list_ids(ids: Sequence[str]) -> str:
    """The first few ids, and how many more."""
    shown = ", ".join(ids[:MAX_IDS_IN_REASON])
    more = len(ids) - MAX_IDS_IN_REASON
    return f"{shown} and {more} more" if more > 0 else shown


def days(seconds: float) -> str:
    """An age in the largest unit that reads well: days, hours or minutes."""
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.0f} hours"
    return f"{seconds / 60:.0f} minutes"


def sentence(text: str) -> str:
    """One line, ending in a full stop."""
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."
