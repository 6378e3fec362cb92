"""The one clock: SOURCE_DATE_EPOCH parsed in one place, else the current UTC time.

Reports, waiver expiry and converted files all take their time from here, so equal inputs give
equal outputs when SOURCE_DATE_EPOCH is set, and a bad value is the same clear error whatever
the command.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from reportgen.errors import UsageError

#: The environment variable of the reproducible-builds specification.
VARIABLE = "SOURCE_DATE_EPOCH"
#: The last second a timestamp can name (9999-12-31T23:59:59Z).
_MAX_EPOCH = 253_402_300_799


def parse_epoch(value: str) -> datetime:
    """A SOURCE_DATE_EPOCH value as an aware UTC time; UsageError when it is not one.

    The specification asks for a decimal count of seconds since 1970-01-01 UTC and for a
    malformed value to stop the build rather than be ignored.
    """
    text = value.strip()
    if not text.isascii() or not text.isdigit() or int(text) > _MAX_EPOCH:
        raise UsageError(
            f"{VARIABLE} must be a whole number of seconds since 1970-01-01 UTC "
            f"(0 to {_MAX_EPOCH}), got {value[:40]!r}",
            hint=f"fix or unset {VARIABLE}",
        )
    return datetime.fromtimestamp(int(text), UTC)


def source_date() -> datetime | None:
    """The time SOURCE_DATE_EPOCH names; None when it is unset or empty."""
    value = os.environ.get(VARIABLE, "")
    return parse_epoch(value) if value.strip() else None


def now() -> datetime:
    """SOURCE_DATE_EPOCH when set, else the current UTC time."""
    return source_date() or datetime.now(UTC)


def iso(moment: datetime) -> str:
    """`moment` as ISO 8601 in UTC to the second (`2023-11-14T22:13:20Z`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
