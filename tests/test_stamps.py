"""Timestamps read in one place: one instant with a zone, the world's offsets without one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reportgen import stamps
from reportgen.ingest._jsonread import note_timestamp
from reportgen.ingest.base import Sink
from reportgen.ingest.junit.dialect import parse_timestamp
from reportgen.model import TestTableBuilder

HOUR = 3600.0


def test_a_zoned_timestamp_is_one_instant() -> None:
    stamp = stamps.read(" 2026-12-01T14:29:32+09:00 ")
    assert stamp is not None and stamp.zoned
    assert stamp.text == "2026-12-01T14:29:32+09:00"  # as written, only trimmed
    assert stamp.earliest == stamp.latest == datetime(2026, 12, 1, 5, 29, 32, tzinfo=UTC)
    now = datetime(2026, 12, 1, 7, 29, 32, tzinfo=UTC)
    assert stamp.ages(now) == (2 * HOUR, 2 * HOUR)


@pytest.mark.parametrize(
    "text", ["2026-12-01T05:29:32Z", "2026-12-01 05:29:32Z", "2026-12-01T05:29:32.0000000+00:00"]
)
def test_spellings_of_utc(text: str) -> None:
    stamp = stamps.read(text)
    assert stamp is not None and stamp.zoned
    assert stamp.earliest == datetime(2026, 12, 1, 5, 29, 32, tzinfo=UTC)


def test_a_timestamp_without_zone_spans_the_world_offsets() -> None:
    stamp = stamps.read("2026-12-01T14:29:32")
    assert stamp is not None and not stamp.zoned
    assert stamp.text == "2026-12-01T14:29:32"
    # Written at UTC+14 it meant 00:29:32 UTC; at UTC−12, 02:29:32 UTC the next day.
    assert stamp.earliest == datetime(2026, 12, 1, 0, 29, 32, tzinfo=UTC)
    assert stamp.latest == datetime(2026, 12, 2, 2, 29, 32, tzinfo=UTC)
    # Ten hours after the run in Tokyo (05:29:32 UTC): read as UTC it would be 1 hour old.
    now = datetime(2026, 12, 1, 15, 29, 32, tzinfo=UTC)
    assert stamp.ages(now) == (1 * HOUR - 12 * HOUR, 1 * HOUR + 14 * HOUR)


def test_a_date_alone_spans_its_whole_day_in_every_zone() -> None:
    stamp = stamps.read("2026-12-01")
    assert stamp is not None and not stamp.zoned
    assert stamp.earliest == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    assert stamp.latest == datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "yesterday", "2019/01/01-12:00:00", "2026-13-01T00:00:00"])
def test_not_iso_8601_is_unreadable(text: str) -> None:
    assert stamps.read(text) is None


def test_the_ends_of_the_calendar_without_zone_are_unreadable() -> None:
    assert stamps.read("0001-01-01T00:00:00") is None
    assert stamps.read("9999-12-31T23:00:00") is None
    assert stamps.read("9999-12-31T23:00:00Z") is not None


def test_junit_keeps_the_placeholder_rule() -> None:
    assert parse_timestamp("0001-01-01T00:00:00Z") is None  # Go's zero time
    assert parse_timestamp("1970-01-01T00:00:00") is None
    stamp = parse_timestamp("2026-12-01T14:29:32")
    assert stamp is not None and stamp.earliest + timedelta(hours=14) == datetime(
        2026, 12, 1, 14, 29, 32, tzinfo=UTC
    )


def _noted(*values: str | float, epoch_ms: bool = False) -> str | None:
    sink = Sink(TestTableBuilder(), [], 0, "in")
    for value in values:
        note_timestamp(sink, value, epoch_ms=epoch_ms)
    return sink.timestamp


def test_json_readers_store_a_zoneless_timestamp_as_written() -> None:
    # No zone is invented: stored data says only what the file said.
    assert _noted("2026-12-01T14:29:32") == "2026-12-01T14:29:32"
    # With a zone, the same instant in UTC, as before.
    assert _noted("2026-12-01T14:29:32+09:00") == "2026-12-01T05:29:32Z"
    assert _noted(1_796_102_972_000, epoch_ms=True) == "2026-12-01T05:29:32Z"


def test_json_readers_keep_the_earliest_instant_not_the_smallest_text() -> None:
    # 10:00+09:00 (01:00 UTC) ran before 02:00Z although its text sorts after.
    assert _noted("2026-12-01T02:00:00Z", "2026-12-01T10:00:00+09:00") == "2026-12-01T01:00:00Z"
    # A zoneless time counts from the earliest instant it can mean (14 h before, as UTC).
    assert _noted("2026-12-01T00:00:00Z", "2026-12-01T13:00:00") == "2026-12-01T13:00:00"
    assert _noted("2026-12-01T13:00:00", "2026-12-01T00:00:00Z") == "2026-12-01T13:00:00"
    assert _noted("2026-11-30T22:00:00Z", "2026-12-01T13:00:00") == "2026-11-30T22:00:00Z"
