"""Timestamps that inputs state, read in one place: the instants a timestamp's text can mean."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from reportgen.records import record

# .NET writes 7 fractional digits: cut to the 6 a datetime holds (Python < 3.11 refused more).
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")
#: Local time runs at most 14 hours ahead of UTC (UTC+14, Line Islands) ...
AHEAD_OF_UTC = timedelta(hours=14)
#: ... and at most 12 hours behind it (UTC−12, Baker Island).
BEHIND_UTC = timedelta(hours=12)


@record
class Stamp:
    """The instants a timestamp's text can mean: one when it names a zone, else a range.

    A timestamp without a zone (`2026-12-01T14:29:32`, ctest and unittest-xml-reporting write
    local time so) only bounds the instant to within the world's UTC offsets; reading it as UTC
    would be a guess, and one that makes a stale input from east of Greenwich look fresh.
    """

    text: str
    #: The earliest instant the text can mean (aware, UTC).
    earliest: datetime
    #: The latest instant the text can mean (aware, UTC); `earliest` when it names a zone.
    latest: datetime

    @property
    def zoned(self) -> bool:
        """Whether the text names its zone (an offset or Z), so it means one instant."""
        return self.earliest == self.latest

    def ages(self, now: datetime) -> tuple[float, float]:
        """(youngest, oldest) age in seconds at `now`; negative when in the future."""
        return (now - self.latest).total_seconds(), (now - self.earliest).total_seconds()


def read(text: str) -> Stamp | None:
    """`text` as ISO 8601 with the instants it can mean; None when it is not ISO 8601."""
    stripped = text.strip()
    try:
        moment = datetime.fromisoformat(_LONG_FRACTION.sub(r"\1", stripped))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        instant = moment.astimezone(UTC)
        return Stamp(stripped, instant, instant)
    # A date alone covers that whole local day.
    span = timedelta(days=1) if _date_only(stripped) else timedelta(0)
    as_utc = moment.replace(tzinfo=UTC)
    try:
        return Stamp(stripped, as_utc - AHEAD_OF_UTC, as_utc + span + BEHIND_UTC)
    except OverflowError:
        return None  # within a day of year 1 or 9999: no run happened then


def _date_only(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
