"""Helpers shared by every JSON ingester: reading, sniffing keys, typed access, timestamps."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from reportgen import numbers, stamps
from reportgen.ingest.base import Sink, Source, decode_text
from reportgen.regex import lazy_regex

# Strings (with escapes) and the structural characters of JSON; everything else is skipped.
_token = lazy_regex(r'"(?:[^"\\]|\\.)*"|[{}\[\]:]', re.DOTALL)


class HeadKeys:
    """Object keys found in the (possibly truncated) first bytes of a JSON document."""

    __slots__ = ("nested", "top")

    def __init__(self, top: tuple[str, ...], nested: dict[str, tuple[str, ...]]) -> None:
        #: Keys of the top-level object, in order of appearance.
        self.top = top
        #: Keys of the objects that are values of top-level keys, by that key.
        self.nested = nested

    def inner(self, parent: str) -> tuple[str, ...]:
        """Keys of the object under the top-level key `parent` (empty when not seen)."""
        return self.nested.get(parent, ())


_NO_KEYS = HeadKeys((), {})


@lru_cache(maxsize=8)
def head_keys(head: bytes) -> HeadKeys:
    """The keys at depth 1 and 2 of a JSON object, read from its head only.

    The head is cut at an arbitrary byte, so this never parses the document: it walks the
    tokens and stops where the head ends. Cached because every JSON ingester sniffs the same
    head.
    """
    text = head_text(head).lstrip()
    if not text.startswith("{"):
        return _NO_KEYS
    top: list[str] = []
    nested: dict[str, list[str]] = {}
    depth = 0
    # The top-level key whose value we are inside (only tracked for object values).
    parent: str | None = None
    pending: str | None = None  # the last string token, a key if a ':' follows
    for match in _token().finditer(text):
        token = match.group()
        if token[0] == '"':
            pending = token
            continue
        if token == ":":
            if pending is not None:
                key = _unquote(pending)
                if depth == 1:
                    top.append(key)
                    parent = key
                elif depth == 2 and parent is not None:
                    nested.setdefault(parent, []).append(key)
        elif token in "{[":
            depth += 1
        else:
            depth -= 1
            if depth <= 0:
                break
        pending = None
    return HeadKeys(tuple(top), {k: tuple(v) for k, v in nested.items()})


def _unquote(token: str) -> str:
    try:
        value = json.loads(token)
    except ValueError:
        return token[1:-1]
    return value if isinstance(value, str) else token[1:-1]


def head_text(head: bytes) -> str:
    """The sniffing head as text, tolerant of a cut multi-byte character and a BOM."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    return head.decode("utf-8", errors="ignore").lstrip("\ufeff")


def read_bytes(source: Source) -> bytes:
    """The whole file; an empty (or blank) file is an input error."""
    with source.open() as handle:
        data = handle.read()
    if not data.strip():
        raise source.error("file is empty")
    return data


def load_document(source: Source) -> Any:
    """Read and parse a whole JSON file; malformed input is an InputError with line and column.

    The document is parsed by pydantic-core's JSON parser (a runtime dependency already, and
    about 1.5x as fast as `json.loads`) when it accepts the text and holds no integer literal
    that `numbers.json_int` would refuse; it then gives the same values as `json.loads` (a
    test compares them on generated documents). Anything else — a syntax error, a lone
    surrogate escape, nesting it will not follow, UTF-16 — is read by `json.loads`, whose
    errors are the ones reported.
    """
    data = read_bytes(source)
    text = decode_text(data, source)
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and _LONG_DIGITS not in data.translate(
        _DIGIT_MAP
    ):
        from pydantic_core import from_json

        try:
            return from_json(text, allow_inf_nan=True)
        except ValueError:
            pass  # reported below, in json's words
    return _load_text(text, source)


#: Bytes mapped to b"1" for an ASCII digit and b"0" otherwise: a run of `_LONG_DIGITS` in the
#: mapped file is a literal `numbers.json_int` may refuse (or a long digit string, read slowly).
_DIGIT_MAP = bytes(0x31 if 0x30 <= byte <= 0x39 else 0x30 for byte in range(256))
_LONG_DIGITS = b"1" * (numbers.MAX_INT_DIGITS + 1)


def _load_text(text: str, source: Source) -> Any:
    """`json.loads` of a whole document, its errors as input errors."""
    try:
        document = json.loads(text, parse_int=numbers.json_int)
    except numbers.NumberError as exc:
        raise source.error(f"invalid JSON: {exc}") from exc
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise source.error("truncated JSON: the document ends early", line=exc.lineno) from exc
        raise source.error(
            f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno
        ) from exc
    except RecursionError as exc:
        raise source.error("JSON nested too deeply") from exc
    if "\\ud" in text or "\\uD" in text:
        check_surrogates(document, source, None)
    return document


def check_surrogates(document: Any, source: Source, line: int | None) -> None:
    """Refuse a document holding a lone surrogate (`\\ud800`): it is not text, and no writer
    could encode it. Only called when the raw text has such an escape (rare)."""
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise source.error(
            "invalid JSON: a lone surrogate escape (\\ud800-\\udfff) is not text", line=line
        ) from None


def type_name(value: Any) -> str:
    """JSON's name for the type of a parsed value, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def obj(value: Any, source: Source, at: str) -> dict[str, Any]:
    """A JSON object, else an input error naming where in the document."""
    if not isinstance(value, dict):
        raise source.error(f"{at}: expected an object, got {type_name(value)}")
    return value


def arr(value: Any, source: Source, at: str) -> list[Any]:
    """A JSON array, else an input error."""
    if not isinstance(value, list):
        raise source.error(f"{at}: expected an array, got {type_name(value)}")
    return value


def opt_arr(parent: Mapping[str, Any], key: str, source: Source, at: str) -> list[Any]:
    """An optional array member (absent or null is empty)."""
    value = parent.get(key)
    return [] if value is None else arr(value, source, f"{at}.{key}")


def req_str(parent: Mapping[str, Any], key: str, source: Source, at: str) -> str:
    """A required string member."""
    value = parent.get(key)
    if not isinstance(value, str):
        what = "missing" if key not in parent else f"expected a string, got {type_name(value)}"
        raise source.error(f"{at}.{key}: {what}")
    return value


def opt_str(parent: Mapping[str, Any], key: str, source: Source, at: str) -> str | None:
    """An optional string member (null is absent)."""
    value = parent.get(key)
    if value is None or isinstance(value, str):
        return value
    raise source.error(f"{at}.{key}: expected a string, got {type_name(value)}")


def opt_num(parent: Mapping[str, Any], key: str, source: Source, at: str) -> float | None:
    """An optional finite number member; numeric strings (Mocha writes some) are accepted."""
    value = parent.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        raise source.error(f"{at}.{key}: expected a number, got boolean")
    if not isinstance(value, str | int | float):
        raise source.error(f"{at}.{key}: expected a number, got {type_name(value)}")
    try:
        return numbers.parse_float(value) if isinstance(value, str) else numbers.finite(value)
    except numbers.NumberError as exc:
        raise source.error(f"{at}.{key}: {exc}") from None


def opt_int(parent: Mapping[str, Any], key: str, source: Source, at: str) -> int | None:
    """An optional integer member (a float with no fraction is accepted)."""
    value = opt_num(parent, key, source, at)
    if value is None:
        return None
    if not value.is_integer() or abs(value) >= 10**numbers.MAX_INT_DIGITS:
        raise source.error(f"{at}.{key}: expected an integer, got {value}")
    return int(value)


def ms_to_s(value: float | None) -> float | None:
    """Milliseconds to seconds; negative durations (clock skew) are treated as unknown."""
    if value is None or value < 0:
        return None
    return value / 1000.0


def note_timestamp(sink: Sink, value: str | float | None, *, epoch_ms: bool = False) -> None:
    """Record when results were produced (ISO 8601 text, or epoch ms); the earliest wins.

    A time with a zone is stored in UTC, so that timestamps from different offsets compare
    correctly as text; one without is stored as written: any zone given to it would be a guess
    (`stamps.read` says what it can mean).
    """
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int | float):
        try:
            moment = datetime.fromtimestamp(value / 1000.0 if epoch_ms else float(value), UTC)
        except (OverflowError, OSError, ValueError):
            return
        stamp = stamps.read(moment.isoformat())
    else:
        stamp = stamps.read(value)
    if stamp is None:
        return
    text = stamp.text
    if stamp.zoned:
        text = stamp.earliest.isoformat().replace("+00:00", "Z")
    held = stamps.read(sink.timestamp) if sink.timestamp is not None else None
    if held is None or stamp.earliest < held.earliest:
        sink.timestamp = text


def check_declared(
    sink: Sink,
    declared: Mapping[str, int | None],
    counted: Mapping[str, int],
    where: str,
    *,
    total: str | None = None,
    bad: tuple[str, ...] = (),
) -> None:
    """Warn for each count a file declares that disagrees with what it contains.

    The contents win: the declared figure is only reported, never used. A file that declares
    more tests (key `total`) or more failures and errors (keys `bad`) than it holds is also
    flagged (see `Sink.check_counts`): it is no evidence for READY.
    """
    for key, value in declared.items():
        if value is None:
            continue
        actual = counted.get(key, 0)
        if value != actual:
            sink.warn(
                f"{where} declares {key}={value} but the file contains {actual}; "
                "the tests in the file are used"
            )
    said_bad = [declared[k] for k in bad if declared.get(k) is not None]
    sink.check_counts(
        where,
        declared_total=declared.get(total) if total is not None else None,
        total=counted.get(total, 0) if total is not None else 0,
        declared_bad=sum(n for n in said_bad if n is not None) if said_bad else None,
        bad=sum(counted.get(k, 0) for k in bad),
    )
