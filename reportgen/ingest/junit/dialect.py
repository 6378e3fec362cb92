"""JUnit dialect rules: how producers spell times, statuses, counts and timestamps."""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from reportgen.model import Outcome

#: Distinct `time` values remembered per file.
_SECONDS_MEMO = 1 << 16

_TIME_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "min": 60.0,
    "m": 60.0,
    "h": 3600.0,
}
_TIME_WITH_UNIT = re.compile(r"^\s*([0-9.,]+(?:[eE][-+]?\d+)?)\s*([A-Za-zµμ]+)\s*$")

#: testcase `status` / `result` values meaning "did not run" (ctest, googletest, Bazel, tst).
_NOT_RUN = frozenset(
    {"disabled", "notrun", "not run", "not_run", "skipped", "skip", "ignored", "suppressed"}
)
_FAILED_STATUS = frozenset({"fail", "failed", "failure"})
_ERROR_STATUS = frozenset({"error", "errored"})
_TRUE = frozenset({"true", "1", "yes"})


#: Counts a suite may declare, checked against its testcases.
FRAME_COUNTS = ("failures", "errors", "skipped", "disabled", "tests")


def outcome_from_status(get: Any) -> tuple[Outcome, str | None] | None:
    """Outcome (and message) a testcase without result elements states in its attributes.

    `get` reads an attribute. ctest, googletest, Bazel and tst write `status` or `result`;
    some write `ignored` or `skipped` flags. None when the attributes say nothing.
    """
    status = (get("status") or get("result") or "").strip().lower()
    if status in _NOT_RUN or (get("ignored") or "").lower() in _TRUE:
        return Outcome.SKIPPED, (f"status {status}" if status else "ignored")
    if (get("skipped") or "").lower() in _TRUE:
        return Outcome.SKIPPED, None
    if status in _FAILED_STATUS:
        return Outcome.FAILED, None
    if status in _ERROR_STATUS:
        return Outcome.ERROR, None
    return None


def parse_time_text(text: str) -> float | None:
    """Seconds from the less common spellings: `1,234.5`, `0,03`, `80.803us`, `1.5 s`."""
    value = text.strip()
    factor = 1.0
    match = _TIME_WITH_UNIT.match(value)
    if match is not None:
        unit = match.group(2)
        if unit not in _TIME_UNITS:
            return None
        factor = _TIME_UNITS[unit]
        value = match.group(1)
    if "," in value:
        # Both separators: the comma groups thousands. A single comma alone is a decimal
        # comma (German, French locales): `0,03`. Several commas group thousands.
        if "." in value or value.count(",") > 1:
            value = value.replace(",", "")
        else:
            value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return None
    return number * factor


def parse_count(text: str | None) -> int | None:
    """An integer attribute (a count, a line); None when absent or not an integer."""
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def parse_timestamp(text: str) -> datetime | None:
    """An ISO 8601 timestamp (UTC when it names no zone); None for unreadable or placeholder."""
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if stamp.year < 1971:
        return None  # Go's zero time and similar placeholders mean "unknown"
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


class _Seconds(dict[str, float]):
    """Plain `time` attributes and their seconds, filled on demand; raises ValueError for
    anything that needs `Times.one` (units, commas, negative, nanoseconds, ...).

    Producers write times with a fixed number of decimals, so values repeat a lot, and a
    lookup costs less than `float`.
    """

    __slots__ = ()

    def __missing__(self, text: str) -> float:
        value = float(text)
        # NaN passes, which is right: NaN is how "unknown" is stored.
        if not 0.0 <= value < 1e6 and value == value:
            raise ValueError(text)
        if len(self) >= _SECONDS_MEMO:
            self.clear()
        self[text] = value
        return value


class Times:
    """Seconds from `time` attributes, one file's worth: remembers whether the file writes
    integer nanoseconds (container-structure-test) and warns once per unreadable value.
    """

    def __init__(self, warn: Callable[..., None]) -> None:
        self._warn = warn
        #: The file's times are integer nanoseconds (set on the first one seen).
        self.ns = False
        #: Seconds of a plain `time` attribute (ValueError for any other), memoised.
        self._plain = _Seconds().__getitem__

    def many(self, texts: list[str]) -> array[float]:
        """Seconds for a batch of `time` attributes (NaN for unknown), converted in bulk."""
        if not self.ns:
            try:
                return array("d", map(self._plain, texts))
            except ValueError:
                pass
        return array("d", (math.nan if (v := self.one(text)) is None else v for text in texts))

    def one(self, text: str) -> float | None:
        """Seconds from one `time` attribute; None when it cannot be read."""
        try:
            value = float(text)
        except ValueError:
            pass
        else:
            if 0.0 <= value < 1e6 and not self.ns:
                return value

        stripped = text.strip()
        if stripped.isascii() and stripped.isdigit():
            value = float(stripped)
            # container-structure-test writes integer nanoseconds; no test takes a million
            # seconds, and once one such value is seen the file's other integers are too.
            if value >= 1e6 or self.ns:
                self.ns = True
                return value / 1e9
            return value
        value_or_none = parse_time_text(stripped)
        if value_or_none is None or value_or_none != value_or_none or value_or_none < 0:
            self._warn(f"unreadable test time {text!r} treated as unknown", once=f"time:{text}")
            return None
        if value_or_none == float("inf"):
            return None
        return value_or_none
