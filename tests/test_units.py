"""Quantities with units."""

from __future__ import annotations

import pytest

from reportgen.units import UnitError, format_duration, parse_quantity


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("1.2s", 1.2, "s"),
        ("250ms", 0.25, "s"),
        ("80 us", 80e-6, "s"),
        ("3ns", 3e-9, "s"),
        ("2min", 120.0, "s"),
        ("5%", 0.05, "ratio"),
        ("99.9%", 0.999, "ratio"),
        ("42", 42.0, ""),
        (7, 7.0, ""),
        ("1MB", 1e6, "B"),
    ],
)
def test_parse_quantity(text: str, value: float, kind: str) -> None:
    got, got_kind = parse_quantity(text)
    assert got == pytest.approx(value)
    assert got_kind == kind


@pytest.mark.parametrize("text", ["fast", "1.2 parsecs", "", "1..2s", True])
def test_parse_quantity_rejects(text: object) -> None:
    with pytest.raises(UnitError):
        parse_quantity(text)  # type: ignore[arg-type]


def test_format_duration_picks_unit() -> None:
    assert format_duration(1.5) == "1.5 s"
    assert format_duration(0.0012) == "1.2 ms"
    assert format_duration(3e-7) == "300 ns"
