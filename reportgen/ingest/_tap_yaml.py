"""An exact fast reader for the usual shape of TAP's YAML diagnostics; PyYAML reads the rest.

node-tap, `node --test`, tape and pytest-tap write a diagnostics block as `key: scalar` lines,
`key:` over a more indented mapping, and `|` / `|-` block literals. `load` reads exactly that
shape and gives what `yaml.safe_load` gives for it (tested against it, on generated blocks and
on every TAP file in the fixtures and the corpus); for anything else (anchors, tags, flow
collections, sequences, comments, folded or indented-indicator scalars, escapes, tabs,
multi-line plain or quoted scalars) it returns None and the caller hands the block to PyYAML.
Plain scalars are typed by PyYAML's own implicit resolvers and constructors, so `true`,
`1_000`, `0x1f`, `~` or a date read as PyYAML reads them.
"""

from __future__ import annotations

import re
from typing import Any

from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

# Characters PyYAML reads as themselves in every position of a line: no tab, no line break
# other than "\n" (NEL, LS and PS break lines in YAML), nothing its reader refuses as
# non-printable, no byte order mark.
_UNSAFE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# `key:` and what follows; the key is a plain word. The value is taken whole and its trailing
# blanks cut in code: a lazy value before ` *$` backtracks over a long run of blanks once per
# character (quadratic), and so does a greedy one that must end in a non-blank.
_KEY = r"( *)([A-Za-z_][A-Za-z0-9_.-]*):(?: +(.*))?$"
_KEY_LINE = re.compile(_KEY)
# Anchored at line starts: a search from every position of a long line that is not a key line
# would read the rest of the line as a key each time (quadratic), and a key line is a whole
# line anyway.
_KEY_LINES = re.compile("^" + _KEY, re.MULTILINE)
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
_DOUBLE = re.compile(r'"([^"\\]*)"')
# First characters that make a value something other than a plain scalar (or that PyYAML
# reads specially after them); such values go to PyYAML.
_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@` ")
_STR_TAG = "tag:yaml.org,2002:str"
#: Tags of plain scalars built here with PyYAML's own constructors.
_BUILT_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("bool", "int", "float", "null", "timestamp")
)
_CONSTRUCTOR = SafeConstructor()
_RESOLVER = Resolver()
#: Deepest nesting of mappings read here (deeper blocks go to PyYAML).
_MAX_DEPTH = 16
# Plain scalars seen before, with what they read as (they repeat across a stream's blocks).
_PLAIN_CACHE: dict[str, Any] = {}
# Short one-line values (quoted or plain) seen before, with what they read as (long ones are
# rarely repeated, and would keep memory after the file is read).
_SCALAR_CACHE: dict[str, Any] = {}
_CACHED_CHARS = 200
_PLAIN_CACHE_SIZE = 4096


class _Other(Exception):
    """The block is not of the shape read here."""


class _Literal(Exception):
    """A block literal, which only `_mapping` reads."""


#: A mapping read, and the index of the line after it.
_Read = tuple[dict[Any, Any], int]


def load(text: str) -> dict[Any, Any] | None:
    """What `yaml.safe_load(text)` gives, when `text` is a non-empty mapping of the shape
    read here; None when it is not (PyYAML must read it)."""
    if _UNSAFE.search(text):
        return None
    try:
        # Most blocks are key lines only (no blank line): one regex pass.
        rows = _KEY_LINES.findall(text)
        if len(rows) == text.count("\n") + 1:
            try:
                data, _ = _rows(rows, 0, 0)
            except _Literal:
                data, _ = _mapping(text.split("\n"), 0, 0)
        else:
            data, _ = _mapping(text.split("\n"), 0, 0)
    except _Other:
        return None
    return data or None


def _rows(rows: list[tuple[str, str, str]], i: int, column: int, depth: int = 0) -> _Read:
    """`_mapping` for a block whose every line is a key line, given as (indentation, key,
    value) from `_KEY_LINES`; from row `i`."""
    if depth > _MAX_DEPTH:
        raise _Other
    data: dict[Any, Any] = {}
    total = len(rows)
    while i < total:
        indent, key, value = rows[i]
        if value:
            value = value.rstrip(" ")
        if len(indent) != column:
            if len(indent) < column:
                return data, i
            raise _Other
        i += 1
        if not value:
            if i < total and len(rows[i][0]) > column:
                data[_plain(key)], i = _rows(rows, i, len(rows[i][0]), depth + 1)
            else:
                data[_plain(key)] = None
        elif value == "|" or value == "|-":
            raise _Literal
        else:
            data[_plain(key)] = _scalar(value)
    return data, i


def _mapping(lines: list[str], i: int, column: int, depth: int = 0) -> _Read:
    """The mapping whose keys start at `column`, from line `i`; and the line after it."""
    if depth > _MAX_DEPTH:
        raise _Other
    data: dict[Any, Any] = {}
    total = len(lines)
    while i < total:
        line = lines[i]
        if not line.strip(" "):
            i += 1
            continue
        match = _KEY_LINE.match(line)
        if match is None:
            raise _Other
        indent = len(match.group(1))
        if indent < column:
            return data, i
        if indent > column:
            raise _Other
        key = _plain(match.group(2))
        value = match.group(3)
        if value:
            value = value.rstrip(" ")
        i += 1
        if not value:
            following = _next_content(lines, i)
            if following < total and _indent(lines[following]) > column:
                data[key], i = _mapping(lines, following, _indent(lines[following]), depth + 1)
            else:
                data[key] = None
        elif value == "|" or value == "|-":
            data[key], i = _literal(lines, i, column, clip=value == "|")
        else:
            data[key] = _scalar(value)
    return data, i


def _next_content(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip(" "):
        i += 1
    return i


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _scalar(value: str) -> Any:
    """A one-line value: quoted or plain."""
    try:
        return _SCALAR_CACHE[value]
    except KeyError:
        pass
    first = value[0]
    if first == "'":
        match = _SINGLE.fullmatch(value)
        if match is None:
            raise _Other
        result: Any = match.group(1).replace("''", "'")
    elif first == '"':
        match = _DOUBLE.fullmatch(value)
        if match is None:
            raise _Other
        result = match.group(1)
    elif first in _NOT_PLAIN_START or ": " in value or " #" in value or value.endswith(":"):
        raise _Other
    else:
        result = _plain(value)
    if len(value) <= _CACHED_CHARS:
        if len(_SCALAR_CACHE) >= _PLAIN_CACHE_SIZE:
            _SCALAR_CACHE.clear()
        _SCALAR_CACHE[value] = result
    return result


def _plain(value: str) -> Any:
    """A plain scalar as PyYAML types it (its implicit resolvers, then its constructor)."""
    try:
        return _PLAIN_CACHE[value]
    except KeyError:
        pass
    tag = _RESOLVER.resolve(ScalarNode, value, (True, False))
    if tag == _STR_TAG:
        result: Any = value
    elif tag in _BUILT_TAGS:
        result = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, ScalarNode(tag, value))
    else:
        raise _Other
    if len(_PLAIN_CACHE) >= _PLAIN_CACHE_SIZE:
        _PLAIN_CACHE.clear()
    _PLAIN_CACHE[value] = result
    return result


def _literal(lines: list[str], i: int, column: int, *, clip: bool) -> tuple[str, int]:
    """A `|` (clip) or `|-` (strip) block literal of a key at `column`, from line `i`,
    read as PyYAML's scanner reads it; and the line after it."""
    total = len(lines)
    first = _next_content(lines, i)
    if first == total:
        raise _Other
    indent = _indent(lines[first])
    # A leading blank line longer than the first content line, or content not indented past
    # the key, makes an empty or broken literal: PyYAML decides those.
    if indent <= column or any(len(lines[k]) > indent for k in range(i, first)):
        raise _Other
    chunks = ["\n"] * (first - i)
    margin = " " * indent
    j = first
    line_break = ""
    while True:
        chunks.append(lines[j][indent:])
        line_break = "\n" if j + 1 < total else ""
        j += 1
        blanks = j
        # Lines of spaces no longer than the indentation are empty lines of the literal.
        while j < total and len(lines[j]) <= indent and not lines[j].strip(" "):
            j += 1
        if j < total and lines[j].startswith(margin):
            chunks.append(line_break)
            chunks.extend("\n" * (j - blanks))
            continue
        break
    if clip:
        chunks.append(line_break)
    return "".join(chunks), j
