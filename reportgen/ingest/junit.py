"""JUnit XML ingester: every common dialect, streamed with lxml, refusing hostile documents."""

from __future__ import annotations

import codecs
import math
import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from itertools import groupby
from operator import itemgetter
from typing import Any

from lxml import etree

from reportgen.errors import InputError
from reportgen.ingest._junit_split import (
    ChildCall,
    SplitPlan,
    can_split,
    plan_split,
)
from reportgen.ingest._safexml import SAFE_PARSER_OPTIONS
from reportgen.ingest.base import (
    Ingester,
    Sink,
    Source,
    clean_optional,
    clean_text,
    first_line,
)
from reportgen.model import Attempt, Diagnostic, Outcome, RowsChunk, TestTableBuilder

#: Root elements of the JUnit family. TRX (`TestRun`), NUnit (`test-run`) and xUnit.net
#: (`assemblies`) are other ingesters' formats; XML names are case-sensitive.
ROOTS = frozenset({"testsuites", "testsuite", "testrun"})

#: Bytes handed to lxml per read; lxml asks for 32 KiB, bigger reads mean fewer filter calls.
_CHUNK = 1 << 16
#: Plain passed tests handed to the Sink at once.
_BATCH = 4096
#: Testcases with children held back at most before the pending ones are recorded.
_DEFERRED = 256
#: Distinct `time` values remembered per file.
_SECONDS_MEMO = 1 << 16
#: Bytes read at a time before the root element is found.
_PROLOG_CHUNK = 1 << 13
#: A prolog (declaration, comments, DOCTYPE) longer than this is refused: no producer writes one.
_MAX_PROLOG = 1 << 20

# Bytes that are never allowed in XML 1.0 (C0 controls except tab, LF, CR). In UTF-8 and in
# the ASCII-compatible single-byte encodings they only ever stand for themselves, so they can
# be filtered from the byte stream without decoding it.
_INVALID_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_INVALID_BYTES_RE = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# ESC is kept through the parser as a noncharacter (legal in XML) and restored afterwards, so
# that the Sink's ANSI stripping removes whole colour sequences instead of leaving "[31m".
_ESC_PLACEHOLDER = "\ufdd0"
_ESC_PLACEHOLDER_BYTES = _ESC_PLACEHOLDER.encode("utf-8")
# Character references to the same forbidden characters (`&#27;`, `&#x1B;`).
_ESC_REF = re.compile(rb"&#(?:[xX]0*1[bB]|0*27);")
_BAD_REF = re.compile(
    rb"&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9aAc-fC-F])|0*(?:[0-8]|1[124-9]|2[0-689]|3[01]));"
)

_ANY_BAD_REF = re.compile(
    rb"&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]));"
)
_DECL_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
# A DOCTYPE naming only an external DTD (which is never loaded). Anything else, that is an
# internal subset, may declare entities and is refused.
_EXTERNAL_DOCTYPE = re.compile(
    rb"""<!DOCTYPE\s+[^\s>\[]+(?:\s+(?:SYSTEM\s+(?:"[^"]*"|'[^']*')"""
    rb"""|PUBLIC\s+(?:"[^"]*"|'[^']*')\s+(?:"[^"]*"|'[^']*')))?\s*>"""
)
_SUBSET_END = re.compile(rb"\]\s*>")
_NAME = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_WS = b" \t\r\n"

_TIME_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "min": 60.0,
    "m": 60.0,
    "h": 3600.0,
}
_TIME_WITH_UNIT = re.compile(r"^\s*([0-9.,]+(?:[eE][-+]?\d+)?)\s*([A-Za-zµμ]+)\s*$")

#: testcase `status` / `result` values meaning "did not run" (ctest, googletest, Bazel, tst).
_NOT_RUN = frozenset(
    {"disabled", "notrun", "not run", "not_run", "skipped", "skip", "ignored", "suppressed"}
)
_FAILED_STATUS = frozenset({"fail", "failed", "failure"})
_ERROR_STATUS = frozenset({"error", "errored"})
_TRUE = frozenset({"true", "1", "yes"})

_FRAME_COUNTS = ("failures", "errors", "skipped", "disabled", "tests")
_GET_NAME = itemgetter("name")
_GET_CLASSNAME = itemgetter("classname")
_GET_TIME = itemgetter("time")


def _localname(tag: str) -> str:
    return tag.rpartition("}")[2] if tag[:1] == "{" else tag


# --- sniffing --------------------------------------------------------------------------------
def _utf8_head(head: bytes) -> bytes:
    """The head as UTF-8 bytes: BOMs removed, UTF-16 (with or without BOM) transcoded."""
    if head.startswith(codecs.BOM_UTF8):
        return head[3:]
    encoding = None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif head.startswith(b"<\x00"):
        encoding = "utf-16-le"
    elif head.startswith(b"\x00<"):
        encoding = "utf-16-be"
    if encoding is None:
        return head
    usable = head[: len(head) - len(head) % 2]
    return usable.decode(encoding, errors="replace").encode("utf-8")


def root_name(head: bytes) -> str | None:
    """Local name of the root element, looking past declarations, comments and a DOCTYPE.

    None when the head is not XML or the root starts beyond it.
    """
    data = _utf8_head(head)
    pos = 0
    size = len(data)
    while pos < size:
        while pos < size and data[pos] in _WS:
            pos += 1
        if data.startswith(b"<?", pos):
            end, step = data.find(b"?>", pos), 2
        elif data.startswith(b"<!--", pos):
            end, step = data.find(b"-->", pos), 3
        elif data.startswith(b"<!DOCTYPE", pos):
            end, step = data.find(b">", pos), 1
            bracket = data.find(b"[", pos)
            if 0 <= bracket < end:
                # An internal subset: claim the file anyway, so that reading it refuses the
                # declarations with a clear error instead of "not recognised".
                subset_end = _SUBSET_END.search(data, bracket)
                if subset_end is None:
                    return None
                end, step = subset_end.end() - 1, 1
        else:
            match = _NAME.match(data, pos)
            if match is None:
                return None
            return match.group(1).decode("ascii", "replace").rpartition(":")[2]
        if end < 0:
            return None
        pos = end + step
    return None


# --- the byte stream lxml reads --------------------------------------------------------------
class _Stream:
    """File-like object feeding lxml: refuses entity declarations, transcodes UTF-16 to UTF-8,
    repairs invalid UTF-8 and drops characters XML 1.0 forbids, each with a warning.
    """

    def __init__(
        self, source: Source, sink: Sink, ranges: Sequence[tuple[int, int | None]] = ((0, None),)
    ) -> None:
        self._source = source
        self._sink = sink
        self._handle = source.open()
        self.root: str | None = None
        #: File offset of the root element's "<" (once found; not for UTF-16 files).
        self.root_at: int | None = None
        # The byte ranges of the file read in turn (one part of a split read: see
        # _junit_split), and where each began in the stream, to map offsets back to the file.
        self._pending = list(ranges)
        self._range_end: int | None = 0
        self.file_position = 0
        self._starts: list[tuple[int, int]] = []
        #: Set once an ESC was seen, so text is only scanned for the placeholder when needed.
        self.had_escape = False
        self._consumed = 0  # input bytes read so far (for warning line numbers)
        self._lines = 0  # newlines before the current chunk (only tracked for UTF-16)
        self._carry = b""
        self._eof = False
        self._decoder: codecs.IncrementalDecoder | None = None
        self._check_utf8 = True
        self._force_utf8 = False
        self._warned_utf8 = False
        self._warned_control = False
        self._prolog_done = False
        self._prolog = b""
        self._setup(source.head)

    def close(self) -> None:
        self._handle.close()

    @property
    def transcoding(self) -> bool:
        """Whether the file is UTF-16 (its byte offsets are not those of the parsed text)."""
        return self._decoder is not None

    def stop_at(self, offset: int) -> None:
        """End the current range at file offset `offset` (the parent's part of a split read)."""
        self._range_end = offset

    def resume(self, offset: int, end: int | None = None) -> None:
        """Go on reading from file offset `offset` (to `end`), after the stream ended."""
        self._pending.append((offset, end))
        self._eof = False

    def _read_raw(self, size: int) -> bytes:
        while True:
            end = self._range_end
            if end is None or self.file_position < end:
                want = size if end is None else min(size, end - self.file_position)
                data = self._handle.read(want)
                self.file_position += len(data)
                if data or not self._pending:
                    return data
            elif not self._pending:
                return b""
            start, self._range_end = self._pending.pop(0)
            self._starts.append((self._consumed, start))
            if start != self.file_position:
                self._handle.seek(start)
                self.file_position = start

    def _setup(self, head: bytes) -> None:
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self._decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
        elif head.startswith(b"<\x00"):
            self._decoder = codecs.getincrementaldecoder("utf-16-le")(errors="replace")
        elif head.startswith(b"\x00<"):
            self._decoder = codecs.getincrementaldecoder("utf-16-be")(errors="replace")
        if self._decoder is not None:
            return
        declared = _DECL_ENCODING.match(head.removeprefix(codecs.BOM_UTF8))
        if declared is not None:
            name = declared.group(1).decode("ascii").lower().replace("_", "-")
            # Other declared encodings (ISO-8859-1, windows-1252, ...) accept any byte; lxml
            # decodes them itself.
            self._check_utf8 = name in ("utf-8", "utf8", "us-ascii", "ascii")
            if name.startswith(("utf-16", "utf16")):
                # Declared UTF-16 but written without a BOM in an ASCII-compatible encoding
                # (the declaration was copied, the bytes were not): read it as UTF-8.
                self._check_utf8 = True
                self._force_utf8 = True

    @property
    def lxml_encoding(self) -> str | None:
        """Encoding lxml must assume instead of the declaration (the stream is UTF-8 then)."""
        return "utf-8" if self._decoder is not None or self._force_utf8 else None

    def _line_at(self, offset: int) -> int:
        """1-based line of a byte offset in the stream (rare path: re-reads the file)."""
        if self._decoder is not None:
            return self._lines + 1
        offset_in_file = offset
        for stream_at, file_at in reversed(self._starts):
            if offset >= stream_at:
                offset_in_file = file_at + offset - stream_at
                break
        lines = 0
        remaining = offset_in_file
        with self._source.path.open("rb") as handle:
            while remaining > 0:
                block = handle.read(min(remaining, 1 << 20))
                if not block:
                    break
                lines += block.count(b"\n")
                remaining -= len(block)
        return lines + 1

    def read(self, size: int = -1) -> bytes:
        # lxml stops at b"" only; never return an empty chunk before the end.
        while True:
            if self._eof:
                return b""
            # Small reads until the root element is found: a split read is planned then,
            # and must not have read past its cut (see _Reader._start_child).
            raw = self._read_raw(_CHUNK if self._prolog_done else _PROLOG_CHUNK)
            start = self._consumed
            self._consumed += len(raw)
            if not raw:
                self._eof = True
                if self._decoder is not None:
                    tail = self._decoder.decode(b"", final=True).encode("utf-8")
                    data = self._carry + tail
                else:
                    data = self._carry
                self._carry = b""
                if not self._prolog_done:
                    data = self._check_prolog(data, final=True)
                return self._clean(data, start, final=True) if data else b""
            if self._decoder is not None:
                text = self._decoder.decode(raw)
                self._lines += text.count("\n")
                raw = text.encode("utf-8")
            data = self._carry + raw
            start -= len(self._carry)
            self._carry = b""
            if not self._prolog_done:
                data = self._check_prolog(data, final=False)
                if not data:
                    continue
            out = self._clean(data, start, final=False)
            if out:
                return out

    def _check_prolog(self, data: bytes, *, final: bool) -> bytes:
        """Hold bytes back until the root element starts; refuse entity declarations."""
        buffered = self._prolog + data
        pos = 3 if buffered.startswith(codecs.BOM_UTF8) else 0
        size = len(buffered)
        while True:
            while pos < size and buffered[pos] in _WS:
                pos += 1
            if pos >= size:
                break
            if buffered.startswith(b"<?", pos):
                end = buffered.find(b"?>", pos)
                step = 2
            elif buffered.startswith(b"<!--", pos):
                end = buffered.find(b"-->", pos)
                step = 3
            elif buffered.startswith(b"<!DOCTYPE", pos):
                match = _EXTERNAL_DOCTYPE.match(buffered, pos)
                if match is not None:
                    pos = match.end()
                    continue
                gt = buffered.find(b">", pos)
                if gt < 0 and not final and size < _MAX_PROLOG:
                    break
                line = buffered.count(b"\n", 0, pos) + 1
                if b"<!ENTITY" in buffered[pos:]:
                    raise self._source.error(
                        "refusing a DOCTYPE that declares entities "
                        "(entity expansion and external entities are not allowed)",
                        line=line,
                    )
                raise self._source.error(
                    "refusing a DOCTYPE with an internal subset "
                    "(JUnit XML needs no DTD; entity declarations are not allowed)",
                    line=line,
                )
            elif buffered.startswith(b"<!", pos) and size - pos >= 9:
                raise self._source.error(
                    "not JUnit XML: unexpected markup before the root element",
                    line=buffered.count(b"\n", 0, pos) + 1,
                )
            else:
                match = _NAME.match(buffered, pos)
                if match is None:
                    if size - pos < 64 and not final:
                        break
                    raise self._source.error(
                        "not XML: no root element found",
                        line=buffered.count(b"\n", 0, pos) + 1,
                    )
                name = _localname(match.group(1).decode("utf-8", "replace")).rpartition(":")[2]
                if match.end() == size and not final:
                    break  # the name may continue in the next chunk
                if name not in ROOTS:
                    raise self._source.error(
                        f"not JUnit XML: the root element is <{name}>, "
                        "expected <testsuites>, <testsuite> or <testrun>",
                        line=buffered.count(b"\n", 0, pos) + 1,
                    )
                self.root = name
                self.root_at = pos
                self._prolog_done = True
                self._prolog = b""
                return buffered
            if end < 0:
                break
            pos = end + step
        if final:
            if not buffered.strip(_WS + codecs.BOM_UTF8):
                raise self._source.error("file is empty")
            raise self._source.error(
                "not XML: no root element found", line=buffered.count(b"\n") + 1
            )
        if size > _MAX_PROLOG:
            raise self._source.error("not JUnit XML: more than 1 MiB before the root element")
        self._prolog = buffered
        return b""

    def _clean(self, data: bytes, start: int, *, final: bool) -> bytes:
        if not final:
            # Keep a possibly split multi-byte character or character reference for the next
            # chunk, so that neither check below sees half of one.
            cut = len(data)
            tail = data[-12:]
            amp = tail.rfind(b"&")
            if amp >= 0 and b";" not in tail[amp:]:
                cut = len(data) - len(tail) + amp
            if self._check_utf8:
                for back in range(1, 4):
                    if back > cut:
                        break
                    byte = data[cut - back]
                    if byte < 0x80:
                        break
                    if byte >= 0xC0:
                        need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
                        if need > back:
                            cut -= back
                        break
            if cut < len(data):
                self._carry = data[cut:]
                data = data[:cut]
        if self._check_utf8 and self._decoder is None and not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                if not self._warned_utf8:
                    self._warned_utf8 = True
                    self._sink.warn(
                        f"invalid UTF-8 (byte 0x{data[exc.start]:02x}) replaced by U+FFFD",
                        line=self._line_at(start + exc.start),
                        once="invalid-utf8",
                    )
                data = data.decode("utf-8", errors="replace").encode("utf-8")
        kept = data.translate(None, _INVALID_BYTES)
        if len(kept) != len(data):
            self._note_control(data, start)
            data = kept
        if b"\x1b" in data:
            self._note_control(data, start)
            self.had_escape = True
            data = data.replace(b"\x1b", _ESC_PLACEHOLDER_BYTES)
        # Character references to forbidden characters are rare; one regex search finds both
        # kinds faster than a substring test for "&#".
        if _ANY_BAD_REF.search(data):
            if _ESC_REF.search(data):
                self.had_escape = True
                data = _ESC_REF.sub(_ESC_PLACEHOLDER_BYTES, data)
            if _BAD_REF.search(data):
                self._note_control(data, start)
                data = _BAD_REF.sub(b"", data)
        return data

    def _note_control(self, data: bytes, start: int) -> None:
        if self._warned_control:
            return
        self._warned_control = True
        match = _INVALID_BYTES_RE.search(data) or _BAD_REF.search(data)
        offset = start + (match.start() if match else 0)
        self._sink.warn(
            "raw control characters, which XML 1.0 forbids, were removed "
            "(the producer wrote terminal output such as colour codes unescaped)",
            line=self._line_at(offset),
            once="control-characters",
        )


# --- times, counts, timestamps ---------------------------------------------------------------
def _parse_time_text(text: str) -> float | None:
    """Seconds from the less common spellings: `1,234.5`, `0,03`, `80.803us`, `1.5 s`."""
    value = text.strip()
    factor = 1.0
    match = _TIME_WITH_UNIT.match(value)
    if match is not None:
        unit = match.group(2)
        if unit not in _TIME_UNITS:
            return None
        factor = _TIME_UNITS[unit]
        value = match.group(1)
    if "," in value:
        # Both separators: the comma groups thousands. A single comma alone is a decimal
        # comma (German, French locales): `0,03`. Several commas group thousands.
        if "." in value or value.count(",") > 1:
            value = value.replace(",", "")
        else:
            value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return None
    return number * factor


def _parse_count(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def _parse_timestamp(text: str) -> datetime | None:
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if stamp.year < 1971:
        return None  # Go's zero time and similar placeholders mean "unknown"
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


class _Frame:
    """A testsuite (or another element around testcases) being read."""

    __slots__ = ("declared", "file", "name", "ordinal", "path", "start")

    def __init__(
        self,
        name: str,
        path: tuple[str, ...],
        file: str | None,
        declared: dict[str, int],
        start: tuple[int, int, int, int, int],
        ordinal: int,
    ) -> None:
        self.name = name
        self.path = path
        self.file = file
        self.declared = declared
        self.start = start
        #: Which element outside the testcases this is (0 for the root), to find its line.
        self.ordinal = ordinal


class _Seconds(dict[str, float]):
    """Plain `time` attributes and their seconds, filled on demand; raises ValueError for
    anything that needs `_Reader._time` (units, commas, negative, nanoseconds, ...).

    Producers write times with a fixed number of decimals, so values repeat a lot, and a
    lookup costs less than `float`.
    """

    __slots__ = ()

    def __missing__(self, text: str) -> float:
        value = float(text)
        # NaN passes, which is right: NaN is how "unknown" is stored.
        if not 0.0 <= value < 1e6 and value == value:
            raise ValueError(text)
        if len(self) >= _SECONDS_MEMO:
            self.clear()
        self[text] = value
        return value


class _Target:
    """The callbacks lxml's target parser calls (looked up once, when the parser is made)."""

    __slots__ = ("close", "data", "end", "start")

    def __init__(
        self,
        start: Callable[[str, Any], None],
        end: Callable[[str], None],
        data: Callable[[str], None],
        close: Callable[[], None],
    ) -> None:
        self.start = start
        self.end = end
        self.data = data
        self.close = close


class _Reader:
    """One pass over one file: an lxml target parser fed by `_Stream`, no tree built.

    Plain testcases (name, classname and time, no children) are batched from their attribute
    dicts. A testcase with children is rebuilt as an element with a TreeBuilder and read by
    `_case`, as is one with other attributes. Suites are frames opened at their start.
    """

    def __init__(self, source: Source, sink: Sink, part: SplitPlan | None = None) -> None:
        self.source = source
        self.sink = sink
        #: Set in the child of a split read: this reader reads the second part (see
        #: _junit_split) and leaves the root's counts and warning lines to the parent.
        self.part = part
        ranges: tuple[tuple[int, int | None], ...] = ((0, None),)
        if part is not None:
            ranges = ((0, part.root_end), (part.cut, None))
        self.stream = _Stream(source, sink, ranges)
        #: How a split read went: "joined" when the child's part was taken, else why this
        #: process read the rest itself.
        self.split_status = "not split"
        self.frames: list[_Frame] = []
        # Running counts of testcase elements by outcome, snapshotted per suite to check the
        # counts it declares. Passed tests are derived from the sink, not counted here.
        self.n_failed = 0
        self.n_errors = 0
        self.n_skipped = 0
        self.ns_times = False
        self.earliest: datetime | None = None
        #: Seconds of a plain `time` attribute (ValueError for any other), memoised.
        self.seconds = _Seconds().__getitem__
        #: Elements started outside testcases so far (the ordinal of the next one).
        self.n_outer = 0
        #: Warnings whose line is found after the pass: (index in sink.warnings, kind, ordinal).
        self.fixups: list[tuple[int, str, int]] = []
        # Testcases without children, as their attribute dicts, not yet recorded: classified
        # in bulk by `_drain` (most are plain passed tests) at the end of each suite.
        self.pending: list[Any] = []
        #: Testcases with children, as (len(pending) when read, element, attributes):
        #: recorded by `_drain` too, in their place among the pending ones.
        self.deferred: list[tuple[int, Any, Any]] = []
        self.escaped = False  # an ESC was seen: names must be cleaned (general path)
        self.suite: tuple[str, ...] = ()

    # The hot path: `start` and `end` run once per testcase, from C.
    def run(self) -> None:
        sink = self.sink
        stream = self.stream
        pending = self.pending
        add_pending = pending.append
        drain = self._drain
        start_outer = self._start_outer
        end_outer = self._end_outer
        general = self._general
        # Character data between events; only read inside a testcase with children.
        chars: list[str] = []
        chars_clear = chars.clear
        join = "".join
        case: Any = None  # the attributes of the open testcase
        builder: Any = None  # TreeBuilder of the open testcase, once it has a child
        depth = 0  # open children of the testcase

        def start(tag: str, attrib: Any) -> None:
            nonlocal case, builder, depth
            if case is None:
                if tag == "testcase" or (tag[0] == "{" and _localname(tag) == "testcase"):
                    case = attrib
                else:
                    chars_clear()
                    start_outer(tag, attrib)
                return
            if builder is None:
                # The first child: rebuild the testcase as an element from here on (its own
                # tag does not matter to `_case`).
                builder = etree.TreeBuilder()
                builder.start("testcase", case)
                chars_clear()  # the testcase's own text and the whitespace before it
            elif chars:
                builder.data(join(chars))
                chars_clear()
            builder.start(tag, attrib)
            depth += 1

        def end(tag: str) -> None:
            nonlocal case, builder, depth
            attrib = case
            if attrib is None:
                chars_clear()
                end_outer()
                return
            if builder is None:
                case = None
                add_pending(attrib)
                if len(pending) >= _BATCH:
                    drain()
                    chars_clear()
                return
            if chars:
                builder.data(join(chars))
                chars_clear()
            if depth:
                builder.end(tag)
                depth -= 1
                return
            builder.end("testcase")
            elem = builder.close()
            builder = None
            case = None
            general(elem, attrib)

        def close() -> None:
            return None

        target = _Target(start, end, chars.append, close)
        # Entity declarations are refused before parsing (see _Stream).
        parser = etree.XMLParser(
            target=target, encoding=stream.lxml_encoding, **SAFE_PARSER_OPTIONS
        )
        feed = parser.feed
        read = stream.read

        def pump(chunk: bytes) -> None:
            while chunk:
                if stream.had_escape and not self.escaped:
                    drain()
                    self.escaped = True
                feed(chunk)
                chunk = read()

        started: tuple[ChildCall, SplitPlan] | None = None
        try:
            first = read()
            if self.part is None and first:
                started = self._start_child()
            pump(first)
            if started is not None:
                child, plan = started
                # Proof that the cut is between two top-level suites, and not, say, inside a
                # comment that holds suites: the suite is open before its end tag and closed
                # by exactly those bytes (libxml2 reports complete markup as soon as it has
                # it, and a comment or CDATA section reports nothing until it ends).
                at_top = case is None and builder is None and len(self.frames) == 2
                stream.resume(plan.suite_end, plan.cut)
                pump(read())
                at_top = at_top and case is None and builder is None and len(self.frames) == 1
                stream.resume(self._join_child(child, plan, at_top))
                pump(read())
            parser.close()
            drain()
        except etree.XMLSyntaxError as exc:
            raise self._syntax_error(exc) from None
        finally:
            stream.close()
            if started is not None:
                started[0].cancel()
        if self.part is not None:
            return
        if self.ns_times:
            sink.warn("times are integers in nanoseconds (container-structure-test); converted")
        if self.fixups:
            self._resolve_lines()

    # --- reading on two cores (see _junit_split) -----------------------------------------
    def _start_child(self) -> tuple[ChildCall, SplitPlan] | None:
        """Plan a split read of a large file and start the child reading the second part."""
        stream = self.stream
        if stream.root_at is None or stream.transcoding:
            return None
        path = self.source.path
        try:
            size = path.stat().st_size
        except OSError:
            return None
        if not can_split(size):
            return None
        plan = plan_split(path, stream.root_at, size)
        if plan is None or stream.file_position > plan.suite_end:
            return None
        sink = self.sink
        try:
            child = ChildCall(partial(_read_part, self.source, sink.input_index, sink.path, plan))
        except OSError:  # no temporary file or no process to be had: read it all here
            return None
        stream.stop_at(plan.suite_end)
        return child, plan

    def _join_child(self, child: ChildCall, plan: SplitPlan, at_top: bool) -> int:
        """Take the child's part when it can stand for reading on; returns where to resume."""
        reason = None
        if not at_top or self.pending or self.deferred:
            reason = "the cut is not between top-level suites"
        elif self.ns_times:
            # Nanosecond times seen already would change how the child's part reads.
            reason = "times are in nanoseconds"
        if reason is not None:
            child.cancel()
            self.split_status = reason
            return plan.cut
        part = child.result()
        if not isinstance(part, _Part):
            self.split_status = "the second part could not be read apart"
            return plan.cut
        if self.sink.collides(part.rows):
            self.split_status = "a test id is in both parts"
            return plan.cut
        self.split_status = "joined"
        moved = self.sink.absorb(part.rows, part.records, part.warnings, part.warning_keys)
        # The child's elements outside testcases are numbered from its root (0), which is
        # this reader's root; its first suite is the next one here.
        base = self.n_outer - 1
        for index, kind, ordinal in part.fixups:
            if index in moved:
                self.fixups.append((moved[index], kind, ordinal + base if ordinal else 0))
        self.n_outer += part.n_outer - 1
        self.n_failed += part.n_failed
        self.n_errors += part.n_errors
        self.n_skipped += part.n_skipped
        self.ns_times = part.ns_times
        if part.earliest is not None and (self.earliest is None or part.earliest < self.earliest):
            self.earliest = part.earliest
            self.sink.timestamp = part.timestamp
        return plan.root_close

    def _part(self) -> _Part:
        sink = self.sink
        return _Part(
            rows=sink.export_rows(),
            records=sink.records,
            warnings=sink.warnings,
            warning_keys=sink.warning_keys,
            fixups=self.fixups,
            n_outer=self.n_outer,
            n_failed=self.n_failed,
            n_errors=self.n_errors,
            n_skipped=self.n_skipped,
            ns_times=self.ns_times,
            earliest=self.earliest,
            timestamp=sink.timestamp,
        )

    def _drain(self) -> None:
        """Record the pending testcases, in document order.

        The plain ones (name, classname and time, nothing else) go to the Sink in bulk, a run
        of one class at a time, between the testcases with children (deferred), which are
        recorded in turn. When some are not plain, `_drain_in_order` takes them one by one.
        """
        pending = self.pending
        deferred = self.deferred
        count = len(pending)
        if not count:
            if deferred:
                self._drain_in_order()
            return
        try:
            if self.escaped or list(map(len, pending)).count(3) != count:
                raise KeyError
            names = list(map(_GET_NAME, pending))
            classes = list(map(_GET_CLASSNAME, pending))
            times = list(map(_GET_TIME, pending))
        except KeyError:
            self._drain_in_order()
            return
        pending.clear()
        suite = self.suite
        durations = self._times(times)
        if not deferred:
            self._passed(names, classes, durations, suite)
            return
        at = 0
        for upto, elem, attrib in deferred:
            if upto > at:
                self._passed(names[at:upto], classes[at:upto], durations[at:upto], suite)
                at = upto
            self._case(attrib, elem, suite)
        deferred.clear()
        if at < count:
            self._passed(names[at:], classes[at:], durations[at:], suite)

    def _passed(
        self,
        names: list[str],
        classes: list[str],
        durations: array[float],
        suite: tuple[str, ...],
    ) -> None:
        """Record plain passed testcases, a run of one class at once."""
        passed_tests = self.sink.passed_tests
        if classes.count(classes[0]) == len(classes):
            passed_tests(names, durations, classname=classes[0], suite=suite)
            return
        at = 0
        for classname, group in groupby(classes):
            upto = at + len(list(group))
            passed_tests(names[at:upto], durations[at:upto], classname=classname, suite=suite)
            at = upto

    def _drain_in_order(self) -> None:
        """`_drain` one testcase at a time: plain runs of one class in bulk, the rest in turn."""
        pending = self.pending[:]
        deferred = self.deferred[:]
        self.pending.clear()
        self.deferred.clear()
        names: list[str] = []
        times: list[str] = []
        batch_class: str | None = None
        suite = self.suite
        escaped = self.escaped

        def flush() -> None:
            if names:
                self.sink.passed_tests(
                    names, self._times(times), classname=batch_class, suite=suite
                )
                names.clear()
                times.clear()

        def general(attrib: Any, children: Any) -> None:
            flush()
            self._case(attrib, children, suite)

        next_deferred = 0
        for index, attrib in enumerate(pending):
            while next_deferred < len(deferred) and deferred[next_deferred][0] <= index:
                _at, elem, case_attrib = deferred[next_deferred]
                general(case_attrib, elem)
                next_deferred += 1
            get = attrib.get
            name = get("name")
            classname = get("classname")
            time = get("time")
            # Attributes beyond these three (status, file, ...), a missing name or time, or
            # text that held an ESC take the general path.
            if (
                escaped
                or name is None
                or time is None
                or len(attrib) != 2 + (classname is not None)
            ):
                general(attrib, ())
                continue
            if classname != batch_class:
                flush()
                batch_class = classname
            names.append(name)
            times.append(time)
        for _at, elem, case_attrib in deferred[next_deferred:]:
            general(case_attrib, elem)
        flush()

    def _general(self, elem: Any, attrib: Any) -> None:
        """A testcase with children: deferred to the next `_drain` (see there)."""
        deferred = self.deferred
        deferred.append((len(self.pending), elem, attrib))
        if len(deferred) >= _DEFERRED:
            self._drain()

    # --- suites --------------------------------------------------------------------------
    def _snapshot(self) -> tuple[int, int, int, int, int]:
        sink = self.sink
        return (sink.records, sink.rows, self.n_failed, self.n_errors, self.n_skipped)

    def _start_outer(self, tag: str, attrib: Any) -> None:
        """An element outside testcases starts: a suite, the root, or another wrapper."""
        if self.pending or self.deferred:
            # Before the new frame counts from here; also when the path stays (a nested
            # unnamed suite may name another file).
            self._drain()
        frames = self.frames
        if not frames and _localname(tag) != "testsuite":
            self._note_timestamp(attrib.get("timestamp"))
            frame = self._open_suite(attrib)
            frame.path = ()
            frame.name = _localname(tag)
        else:
            frame = self._open_suite(attrib)
        frames.append(frame)
        self.suite = frame.path

    def _end_outer(self) -> None:
        """A suite (or the root, or another element outside testcases) ends."""
        if self.pending or self.deferred:
            self._drain()
        frames = self.frames
        if frames:
            self._close_suite(frames.pop())
        self.suite = frames[-1].path if frames else ()

    def _open_suite(self, attrib: Any) -> _Frame:
        get = attrib.get
        parent = self.frames[-1] if self.frames else None
        name = (self._plain(get("name")) or "").strip()
        base = parent.path if parent is not None else ()
        # Unnamed suites (container-structure-test) add nothing to the path.
        path = (*base, name) if name else base
        declared: dict[str, int] = {}
        if attrib:
            for key in _FRAME_COUNTS:
                value = _parse_count(get(key))
                if value is not None:
                    declared[key] = value
            self._note_timestamp(get("timestamp"))
        file = get("file") or (parent.file if parent is not None else None)
        ordinal = self.n_outer
        self.n_outer = ordinal + 1
        return _Frame(name, path, file, declared, self._snapshot(), ordinal)

    def _close_suite(self, frame: _Frame) -> None:
        declared = frame.declared
        if not declared or (self.part is not None and frame.ordinal == 0):
            # The second part of a split read has seen only some of the root's contents.
            return
        records, _rows, failed, errors, skipped = self._snapshot()
        s_records, s_rows, s_failed, s_errors, s_skipped = frame.start
        elements = records - s_records
        distinct = elements
        if declared.get("tests", elements) != elements:
            # pytest counts a failed call and its teardown error, written as two testcases,
            # as one test: compare with the distinct ids too.
            distinct = self.sink.distinct_since(s_rows)
        found = {
            "failures": failed - s_failed,
            "errors": errors - s_errors,
            "skipped": skipped - s_skipped,
        }
        problems: list[str] = []
        if "tests" in declared and declared["tests"] not in (elements, distinct):
            problems.append(f"tests={declared['tests']} but it contains {elements}")
        for key in ("failures", "errors"):
            if key in declared and declared[key] != found[key]:
                problems.append(f"{key}={declared[key]} but it contains {found[key]}")
        if "skipped" in declared or "disabled" in declared:
            # ctest counts disabled tests apart from skipped ones; both are skipped here.
            said = declared.get("skipped", 0) + declared.get("disabled", 0)
            if said != found["skipped"] and declared.get("skipped", 0) != found["skipped"]:
                problems.append(f"skipped={said} but it contains {found['skipped']}")
        if problems:
            what = f"suite {frame.name!r}" if frame.name else "an unnamed suite"
            if not frame.path and frame.name in ROOTS:
                what = f"<{frame.name}>"
            self._warn_at(
                f"{what} declares {'; '.join(problems)} (counted from the testcases)",
                "outer",
                frame.ordinal,
            )

    # --- warning lines -------------------------------------------------------------------
    def _warn_at(self, message: str, kind: str, ordinal: int, once: str | None = None) -> None:
        """A warning about an element whose line is looked up after the pass.

        The target parser reports no positions; the (rare) warnings that need one remember
        which element they are about, and `_resolve_lines` finds the lines in one more pass.
        """
        warnings = self.sink.warnings
        before = len(warnings)
        self.sink.warn(message, once=once)
        if len(warnings) > before:
            self.fixups.append((before, kind, ordinal))

    def _resolve_lines(self) -> None:
        """Fill in the lines of warnings about elements, re-reading the file up to the last."""
        wanted = {(kind, ordinal) for _index, kind, ordinal in self.fixups}
        lines: dict[tuple[str, int], int | None] = {}
        quiet = Sink(TestTableBuilder(), [], self.sink.input_index, self.sink.path)
        stream = _Stream(self.source, quiet)
        parser = etree.iterparse(
            stream,
            events=("start", "end"),
            encoding=stream.lxml_encoding,
            **SAFE_PARSER_OPTIONS,
        )
        outer = 0
        depth = 0  # inside a testcase: its open elements
        try:
            for event, elem in parser:
                if event == "start":
                    if depth:
                        depth += 1
                        continue
                    if _localname(elem.tag) == "testcase":
                        depth = 1
                        name = elem.get("name")
                        if name is not None and name.strip():
                            continue
                        key = ("noname", 0)
                        if key in lines:
                            continue
                    else:
                        key = ("outer", outer)
                        outer += 1
                    if key in wanted:
                        lines[key] = elem.sourceline
                        if len(lines) == len(wanted):
                            break
                else:
                    if depth:
                        depth -= 1
                    if not depth:
                        parent = elem.getparent()
                        if parent is not None:
                            parent.remove(elem)
        except etree.XMLSyntaxError:
            pass
        finally:
            stream.close()
        warnings = self.sink.warnings
        for index, kind, ordinal in self.fixups:
            line = lines.get((kind, ordinal))
            if line is not None:
                warnings[index] = warnings[index].model_copy(update={"line": line})

    def _note_timestamp(self, text: str | None) -> None:
        if not text:
            return
        stamp = _parse_timestamp(text)
        if stamp is None:
            return
        if self.earliest is None or stamp < self.earliest:
            self.earliest = stamp
            self.sink.timestamp = text.strip()

    # --- times ---------------------------------------------------------------------------
    def _times(self, texts: list[str]) -> array[float]:
        """Seconds for a batch of `time` attributes (NaN for unknown), converted in bulk."""
        if not self.ns_times:
            try:
                return array("d", map(self.seconds, texts))
            except ValueError:
                pass
        return array("d", (math.nan if (v := self._time(text)) is None else v for text in texts))

    def _time(self, text: str) -> float | None:
        """Seconds from one `time` attribute; None when it cannot be read."""
        try:
            value = float(text)
        except ValueError:
            pass
        else:
            if 0.0 <= value < 1e6 and not self.ns_times:
                return value

        stripped = text.strip()
        if stripped.isdigit():
            value = float(stripped)
            # container-structure-test writes integer nanoseconds; no test takes a million
            # seconds, and once one such value is seen the file's other integers are too.
            if value >= 1e6 or self.ns_times:
                self.ns_times = True
                return value / 1e9
            return value
        value_or_none = _parse_time_text(stripped)
        if value_or_none is None or value_or_none != value_or_none or value_or_none < 0:
            self.sink.warn(f"unreadable test time {text!r} treated as unknown", once=f"time:{text}")
            return None
        if value_or_none == float("inf"):
            return None
        return value_or_none

    # --- testcases (the general path) ----------------------------------------------------
    def _case(self, attrib: Any, children: Any, suite: tuple[str, ...]) -> None:
        """One testcase from its attributes and its child elements (an element, or `()`)."""
        get = attrib.get
        frame = self.frames[-1] if self.frames else None
        name = get("name")
        if name is None or not name.strip():
            # The line is that of the first testcase without a name.
            self._warn_at("testcase without a name", "noname", 0, once="noname")
            name = name or "(unnamed)"
        classname = get("classname") or get("class") or None
        time = get("time") or get("duration")
        duration = None if time is None else self._time(time)
        file = get("file") or (frame.file if frame is not None else None)
        line = _parse_count(get("line"))
        outcome: Outcome | None = None
        message: str | None = None
        type_: str | None = None
        body: str | None = None
        properties: dict[str, str] = {}
        attempts: list[Attempt] = []
        outputs: list[str] = []
        flaky = False
        for child in children:
            ctag = child.tag
            if not isinstance(ctag, str):
                continue
            kind = ctag.rpartition("}")[2] if ctag[0] == "{" else ctag
            if kind in ("failure", "error"):
                this = Outcome.FAILED if kind == "failure" else Outcome.ERROR
                if outcome is not None:
                    # A second failure element, or the failure of a test also marked skipped
                    # (Node's failing `todo` tests): keep its text; it does not decide.
                    extra = self._text(child)
                    if extra:
                        outputs.append(extra)
                    if outcome is Outcome.SKIPPED and message in (None, "true"):
                        message = self._message(child.get("message")) or first_line(extra)
                    continue
                outcome = this
                body = self._text(child)
                message = self._message(child.get("message")) or first_line(body)
                type_ = child.get("type")
                file = file or child.get("file")
                line = line if line is not None else _parse_count(child.get("line"))
            elif kind == "skipped":
                # A test marked skipped is not counted as failed even when the harness also
                # wrote its failure (Node: a failing `todo` test; node itself reports it as
                # todo, not fail). The failure text is kept.
                failed_message = message if outcome in (Outcome.FAILED, Outcome.ERROR) else None
                if failed_message is not None and body:
                    outputs.insert(0, body)
                    body = None
                outcome = Outcome.SKIPPED
                skip_text = self._text(child)
                message = self._message(child.get("message")) or first_line(skip_text)
                if message in (None, "true") and failed_message:
                    message = failed_message
                type_ = child.get("type")
                if skip_text:
                    body = skip_text
                if type_ == "pytest.xfail":
                    properties["xfail"] = message or "true"
            elif kind in ("flakyFailure", "flakyError", "rerunFailure", "rerunError"):
                attempts.append(self._attempt(child, kind))
                if kind.startswith("flaky"):
                    flaky = True
            elif kind in ("system-out", "system-err"):
                text = self._text(child)
                if text and text.strip():
                    outputs.append(f"[{kind}]\n{text}")
            elif kind == "properties":
                for prop in child:
                    if not isinstance(prop.tag, str) or _localname(prop.tag) != "property":
                        continue
                    pname = prop.get("name")
                    if pname:
                        value = prop.get("value")
                        properties[pname] = (
                            self._restore(value if value is not None else prop.text) or ""
                        )
        if outcome is None:
            status = (get("status") or get("result") or "").strip().lower()
            if status in _NOT_RUN or (get("ignored") or "").lower() in _TRUE:
                outcome = Outcome.SKIPPED
                message = f"status {status}" if status else "ignored"
            elif (get("skipped") or "").lower() in _TRUE:
                outcome = Outcome.SKIPPED
            elif status in _FAILED_STATUS:
                outcome = Outcome.FAILED
            elif status in _ERROR_STATUS:
                outcome = Outcome.ERROR
            elif attempts and not flaky:
                # Only rerun elements: every execution failed.
                outcome = attempts[-1].outcome
            else:
                outcome = Outcome.PASSED
        if outcome is Outcome.FAILED:
            self.n_failed += 1
        elif outcome is Outcome.ERROR:
            self.n_errors += 1
        elif outcome is Outcome.SKIPPED:
            self.n_skipped += 1
        if attempts:
            # The recorded execution comes first for reruns (Surefire writes <failure> then
            # <rerunFailure>s) and last for flaky passes (the reruns failed before the pass).
            final = Attempt(outcome=outcome, duration=duration, message=message, type=type_)
            attempts = [*attempts, final] if flaky else [final, *attempts]
        output_parts = ([body] if body else []) + outputs
        output = "\n".join(output_parts) if output_parts else None
        if output is not None and self.stream.had_escape:
            output = output.replace(_ESC_PLACEHOLDER, "\x1b")
        if message is not None and self.stream.had_escape:
            message = message.replace(_ESC_PLACEHOLDER, "\x1b")
        self.sink.test(
            name=self._plain(name) or name,
            outcome=outcome,
            classname=self._plain(classname),
            suite=suite,
            duration=duration,
            message=message,
            type=type_,
            output=output,
            file=file,
            line=line,
            properties=properties or None,
            attempts=attempts,
            flaky=flaky,
        )

    def _attempt(self, child: Any, kind: str) -> Attempt:
        outcome = Outcome.FAILED if kind.endswith("Failure") else Outcome.ERROR
        parts: list[str] = []
        text = child.text
        if text and text.strip():
            parts.append(text)
        for sub in child:
            if isinstance(sub.tag, str):
                sub_text = self._text(sub)
                if sub_text and sub_text.strip():
                    local = _localname(sub.tag)
                    parts.append(sub_text if local == "stackTrace" else f"[{local}]\n{sub_text}")
        body = "\n".join(parts) or None
        time = child.get("time")
        return Attempt(
            outcome=outcome,
            duration=None if time is None else self._time(time),
            message=clean_optional(self._message(child.get("message")))
            or clean_optional(first_line(body)),
            type=clean_optional(child.get("type")),
            output=clean_optional(self._restore(body)),
        )

    def _text(self, elem: Any) -> str | None:
        if len(elem):
            return "".join(elem.itertext()) or None
        return elem.text

    def _restore(self, text: str | None) -> str | None:
        if text is not None and self.stream.had_escape:
            return text.replace(_ESC_PLACEHOLDER, "\x1b")
        return text

    def _plain(self, text: str | None) -> str | None:
        """A name as read: after an ESC was seen, colour codes are removed from names too."""
        if text is not None and self.stream.had_escape:
            return clean_text(text.replace(_ESC_PLACEHOLDER, "\x1b"))
        return text

    def _message(self, text: str | None) -> str | None:
        """A message attribute without the blank lines and indentation around it."""
        text = self._restore(text)
        return text.strip() if text is not None else None

    def _syntax_error(self, exc: etree.XMLSyntaxError) -> InputError:
        message = str(exc.msg or exc)
        message = re.sub(r",? line \d+, column \d+$", "", message)
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        if "Premature end of data" in message or "EndTag" in message or "end of data" in message:
            hint = "the file is truncated or not well-formed"
        else:
            hint = None
        return self.source.error(f"malformed XML: {message}", line=line, hint=hint)


@dataclass(frozen=True)
class _Part:
    """What the child of a split read found in the second part, for `_Reader._join_child`."""

    rows: RowsChunk
    records: int
    warnings: list[Diagnostic]
    warning_keys: list[str | None]
    fixups: list[tuple[int, str, int]]
    n_outer: int
    n_failed: int
    n_errors: int
    n_skipped: int
    ns_times: bool
    earliest: datetime | None
    timestamp: str | None


def _read_part(source: Source, input_index: int, path: str, plan: SplitPlan) -> _Part:
    """Run in the child of a split read: the prolog, the root's start tag, then the second part."""
    reader = _Reader(source, Sink(TestTableBuilder(), [], input_index, path), part=plan)
    reader.run()
    return reader._part()


class JUnitIngester(Ingester):
    """JUnit XML in its dialects: Surefire, Gradle, pytest, jest-junit, mocha, go, ctest, ..."""

    name = "junit"
    description = (
        "JUnit XML (Surefire, Gradle, pytest, jest-junit, mocha/Cypress, go-junit-report, "
        "gotestsum, ctest, PHPUnit, Catch2, nextest, .NET, Node, Bazel)"
    )
    patterns = ("TEST-*.xml", "junit*.xml", "*.junit.xml", "report.xml")

    def sniff(self, head: bytes, path: str) -> float:
        return 0.9 if root_name(head) in ROOTS else 0.0

    def read(self, source: Source, sink: Sink) -> None:
        _Reader(source, sink).run()
