"""`load_document`'s fast parse (pydantic-core) gives what `json.loads` gives, or the same error.

The fast parser is only trusted where it agrees with the standard library: every document here
is read both ways, through `load_document` and through `_load_text` (the `json.loads` path whose
values and error messages the JSON readers were written against).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.errors import InputError
from reportgen.ingest._jsonread import _load_text, load_document, read_bytes
from reportgen.ingest.base import Source, decode_text


def _both(tmp_path: Path, data: bytes) -> tuple[Any, Any]:
    """(what load_document gives, what the json.loads path gives): a value or an error text."""
    path = tmp_path / "doc.json"
    path.write_bytes(data)
    source = Source(path=path, display="doc.json", head=data[:8192])
    results = []
    for read in (load_document, lambda s: _load_text(decode_text(read_bytes(s), s), s)):
        try:
            results.append(("value", read(source)))
        except InputError as exc:
            results.append(("error", str(exc)))
    return results[0], results[1]


def _same(a: Any, b: Any) -> bool:
    """Equal values of equal types all the way down (1 and 1.0 differ; NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (
            a == b and math.copysign(1, a) == math.copysign(1, b)
        )
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
)
_DOCS = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_DOCS, ascii_only=st.booleans(), indent=st.sampled_from([None, 1, "\t"]))
def test_generated_documents_read_alike(
    tmp_path: Path, doc: Any, ascii_only: bool, indent: int | str | None
) -> None:
    data = json.dumps({"doc": doc}, ensure_ascii=ascii_only, indent=indent).encode("utf-8")
    fast, slow = _both(tmp_path, data)
    assert fast[0] == slow[0]
    assert _same(fast[1], slow[1]) if fast[0] == "value" else fast[1] == slow[1]


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(literal=st.from_regex(r"\A-?(0|[1-9][0-9]{0,40})(\.[0-9]{1,40})?([eE][-+]?[0-9]{1,4})?\Z"))
def test_number_literals_read_alike(tmp_path: Path, literal: str) -> None:
    fast, slow = _both(tmp_path, f'{{"n": [{literal}]}}'.encode())
    assert fast[0] == slow[0]
    assert _same(fast[1], slow[1]) if fast[0] == "value" else fast[1] == slow[1]


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": 1, "b": 2, "a": 3}',  # a repeated key: the last value, at the first place
        b'{"n": [NaN, Infinity, -Infinity, 1e999, -0, -0.0, 5e-324]}',
        b'{"s": "\\ud83d\\ude00 \\u0000 \\/"}',
        b'\xef\xbb\xbf{"bom": true}',
        '{"utf16": "\u00e9"}'.encode("utf-16"),
        b'{"n": ' + b"1" * 30 + b"}",  # the longest literal numbers.json_int takes
        b'{"n": -' + b"1" * 30 + b"}",
        b'{"n": ' + b"1" * 31 + b"}",
        b'{"n": -' + b"1" * 31 + b"}",  # refused by numbers.json_int
        b'{"n": ' + b"9" * 5000 + b"}",
        b'{"s": "' + b"7" * 64 + b'"}',  # a long digit string is no number
        b'{"s": "\\ud800"}',  # a lone surrogate escape is no text
        b'{"\\udc00": 1}',
        b'{"s": "\\ud800\\u0041"}',
        b'{"a": [1,]}',
        b'{"a": 1,}',
        b'{"a": "tab\there"}',
        b'{"a": "\xff"}',
        b'{"a": "\xed\xa0\x80"}',
        b'{"a": 1} x',
        b'{"a": 01}',
        b'{"a": .5}',
        b'{"a": -NaN}',
        b'{"a": "unterminated',
        b'{"a": [' * 300 + b"]" * 300 + b"}",
        b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b"   \n",
        b"[1]\x00",
    ],
)
def test_edge_documents_read_alike(tmp_path: Path, data: bytes) -> None:
    fast, slow = _both(tmp_path, data)
    assert fast[0] == slow[0], (fast, slow)
    assert _same(fast[1], slow[1]) if fast[0] == "value" else fast[1] == slow[1]
