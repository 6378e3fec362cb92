"""Helpers shared by the metric ingesters: JSON loading, value checks, units and directions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from reportgen import numbers
from reportgen.ingest.base import Source
from reportgen.model import PARAMETER
from reportgen.units import direction_for_unit, normalise_unit

__all__ = ["direction_for_unit"]

#: Statistics that are not in the metric's unit and so are never rescaled.
UNITLESS_STATS = frozenset({"count", "cv"})


def unit_factor(unit: str) -> tuple[float, str]:
    """(factor to the canonical unit, canonical unit) for a harness unit."""
    return normalise_unit(1.0, unit)


def scale_stats(stats: Mapping[str, float], factor: float) -> dict[str, float]:
    """Statistics in the canonical unit; counts and CVs are dimensionless and kept."""
    if factor == 1.0:
        return dict(stats)
    return {k: (v if k in UNITLESS_STATS else v * factor) for k, v in stats.items()}


def where(path: Iterable[str | int]) -> str:
    """`metrics[3].samples[5]` from a JSON location."""
    text = ""
    for part in path:
        if part == "[key]":  # pydantic's marker for an invalid dict key
            continue
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "document"


def number(value: Any, source: Source, at: str, *, allow_negative: bool = False) -> float:
    """A finite number from a JSON value, else an input error naming its location."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise source.error(f"{at}: expected a number, got {json.dumps(value)[:40]}")
    try:
        result = numbers.finite(value)
    except numbers.NumberError as exc:
        raise source.error(f"{at}: {exc}") from None
    if result < 0 and not allow_negative:
        raise source.error(f"{at}: negative value {value} cannot be a measurement")
    return result


def optional_number(
    value: Any, source: Source, at: str, *, allow_negative: bool = False
) -> float | None:
    """`number`, or None when the value is absent (None)."""
    if value is None:
        return None
    return number(value, source, at, allow_negative=allow_negative)


def mapping(value: Any, source: Source, at: str) -> dict[str, Any]:
    """A JSON object, else an input error."""
    if not isinstance(value, dict):
        raise source.error(f"{at}: expected an object, got {type(value).__name__}")
    return value


def sequence(value: Any, source: Source, at: str) -> list[Any]:
    """A JSON array, else an input error."""
    if not isinstance(value, list):
        raise source.error(f"{at}: expected an array, got {type(value).__name__}")
    return value


def text_field(value: Any, source: Source, at: str) -> str:
    """A non-empty string, else an input error."""
    if not isinstance(value, str) or not value.strip():
        raise source.error(f"{at}: expected a non-empty string")
    return value


def parameter_properties(raw: Mapping[str, Any]) -> dict[str, str]:
    """A harness's parameters of one measurement as `Metric.properties` (see `PARAMETER`):
    strings as they are, other JSON values as compact JSON, so that 1024 and "1024" differ
    the same way on both sides of a baseline comparison."""
    return {
        f"{PARAMETER}{key}": value
        if isinstance(value, str)
        else json.dumps(value, sort_keys=True, separators=(",", ":"))
        for key, value in raw.items()
    }
