"""Numbers read from untrusted text: one place that bounds, checks and converts them.

Every reader and the criteria loader go through these helpers, so an integer beyond Python's
digit limit, a Unicode digit (`²`, `١`), NaN, infinity or an overflowing sum is a `NumberError`
(a ValueError the caller turns into its own input error naming the file and field), never a
traceback or a silently wrong value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

#: Longest integer accepted (digits): far beyond any count or duration, far below Python's
#: 4,300-digit conversion limit.
MAX_INT_DIGITS = 30
#: Longest numeric text accepted for a float.
MAX_NUMBER_CHARS = 64

_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_FLOAT = re.compile(
    r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|nan|inf|infinity)",
    re.ASCII | re.IGNORECASE,
)


class NumberError(ValueError):
    """A value that is not an acceptable number; the message says why (no file named)."""


class NotFiniteError(NumberError):
    """A number that is NaN, infinite or beyond the float range."""


def _shown(text: str) -> str:
    return repr(text[:40] + ("..." if len(text) > 40 else ""))


def parse_int(text: str) -> int:
    """A decimal integer of ASCII digits (surrounding blanks allowed), at most MAX_INT_DIGITS."""
    stripped = text.strip()
    if not _INT.fullmatch(stripped):
        raise NumberError(f"expected an integer, got {_shown(text)}")
    if len(stripped.lstrip("+-")) > MAX_INT_DIGITS:
        raise NumberError(f"integer too large ({len(stripped)} digits)")
    return int(stripped)


def parse_float(text: str) -> float:
    """A finite decimal number of ASCII characters; NaN, infinity and overflow are refused."""
    stripped = text.strip()
    if len(stripped) > MAX_NUMBER_CHARS or not _FLOAT.fullmatch(stripped):
        raise NumberError(f"expected a number, got {_shown(text)}")
    return finite(float(stripped))


def finite(value: float | int) -> float:
    """`value` as a finite float; a huge integer, NaN or infinity is refused."""
    if isinstance(value, bool):
        raise NumberError("expected a number, got a boolean")
    try:
        result = float(value)
    except OverflowError:
        raise NotFiniteError("number too large") from None
    if not math.isfinite(result):
        raise NotFiniteError(f"expected a finite number, got {result}")
    return result


def bounded_int(value: int) -> int:
    """An already-parsed integer (JSON, YAML) within MAX_INT_DIGITS."""
    if isinstance(value, bool):
        raise NumberError("expected an integer, got a boolean")
    if abs(value) >= 10**MAX_INT_DIGITS:
        raise NumberError("integer too large")
    return value


def count_or_none(text: str | None) -> int | None:
    """A declared count of ASCII digits (blanks around allowed, bounded), else None.

    For counts a file states about itself that are only compared with what was read:
    absent, signed, non-ASCII (`²`) or oversized text is not a count, never an exception.
    """
    if text is None:
        return None
    stripped = text.strip()
    if not (stripped.isascii() and stripped.isdigit()) or len(stripped) > MAX_INT_DIGITS:
        return None
    return int(stripped)


def json_int(text: str) -> int:
    """`parse_int` for `json.loads(parse_int=...)`: refuses huge literals before converting."""
    if len(text) > MAX_INT_DIGITS + 1:
        raise NumberError(f"integer too large ({len(text)} digits)")
    return int(text)


def safe_sum(values: Iterable[float]) -> float:
    """The exact sum of finite values; a sum that overflows is a NumberError."""
    try:
        total = math.fsum(values)
    except OverflowError:
        raise NotFiniteError("sum of the values is too large") from None
    if not math.isfinite(total):
        raise NotFiniteError("sum of the values is not finite")
    return total
