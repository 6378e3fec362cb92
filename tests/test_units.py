"""Quantities with units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reportgen.units import AGE_UNITS, UnitError, format_duration, parse_quantity, read_quantity


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


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("fast", "cannot read"),
        ("1.2 parsecs", "unknown unit"),
        ("", "cannot read"),
        ("1..2s", "cannot read"),
        (True, "expected a number"),
        # Written quantities are decimal, ASCII and bounded, as the criteria schema says.
        ("1e-3s", "without an exponent"),
        ("2.5E+1%", "without an exponent"),
        ("1" * 31 + "s", "too many digits"),
        ("0." + "1" * 31, "too many digits"),
        ("\u0661\u0662ms", "cannot read"),  # Arabic-Indic digits
        ("5\u00a0ms", "cannot read"),  # only spaces and tabs around the unit
        ("5%\n", "cannot read"),
    ],
)
def test_parse_quantity_rejects(text: object, why: str) -> None:
    with pytest.raises(UnitError, match=why):
        parse_quantity(text)  # type: ignore[arg-type]


def test_read_quantity_keeps_the_number_exactly() -> None:
    written = read_quantity(" 99.99999999999999999999 % ")
    assert written.number == Decimal("99.99999999999999999999") and written.unit == "%"
    assert written.kind == "ratio" and written.number / 100 < 1
    assert read_quantity("2d", AGE_UNITS).value == 2 * 86400
    assert read_quantity("3m").value == 180.0  # minutes, in criteria


def test_format_duration_picks_unit() -> None:
    assert format_duration(1.5) == "1.5 s"
    assert format_duration(0.0012) == "1.2 ms"
    assert format_duration(3e-7) == "300 ns"


def test_kb_in_a_threshold_must_say_which_kilobyte() -> None:
    # KB is 1000 bytes to some and 1024 to others: nothing is guessed.
    with pytest.raises(UnitError, match=r"KB is ambiguous; write kB .* or KiB"):
        read_quantity("1000KB")
    assert read_quantity("1000kB").value == 1e6
    assert read_quantity("1000KiB").value == 1024e3
