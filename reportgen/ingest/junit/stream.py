"""The byte stream the JUnit reader parses: root sniffing, entity refusal, UTF-16 transcoding,
invalid UTF-8 repaired and characters XML 1.0 forbids removed, each with one warning.
"""

from __future__ import annotations

import codecs
import io
import itertools
import re
from typing import IO

from reportgen.errors import InputError
from reportgen.ingest.base import Sink, Source
from reportgen.records import record
from reportgen.regex import lazy_regex

#: Root elements of the JUnit family. TRX (`TestRun`), NUnit (`test-run`) and xUnit.net
#: (`assemblies`) are other ingesters' formats; XML names are case-sensitive.
ROOTS = frozenset({"testsuites", "testsuite", "testrun"})

#: Bytes handed to lxml per read; lxml asks for 32 KiB, bigger reads mean fewer filter calls.
CHUNK = 1 << 16
#: A prolog (declaration, comments, DOCTYPE) longer than this is refused: no producer writes one.
_MAX_PROLOG = 1 << 20

# Bytes that are never allowed in XML 1.0 (C0 controls except tab, LF, CR). In UTF-8 and in
# the ASCII-compatible single-byte encodings they only ever stand for themselves, so they can
# be filtered from the byte stream without decoding it.
_INVALID_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_invalid_bytes_re = lazy_regex(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# ESC is kept through the parser as a noncharacter (legal in XML) and restored afterwards, so
# that the Sink's ANSI stripping removes whole colour sequences instead of leaving "[31m".
ESC_PLACEHOLDER = "\ufdd0"
_ESC_PLACEHOLDER_BYTES = ESC_PLACEHOLDER.encode("utf-8")
# Character references to the same forbidden characters (`&#27;`, `&#x1B;`).
_esc_ref = lazy_regex(rb"&#(?:[xX]0*1[bB]|0*27);")
_bad_ref = lazy_regex(
    rb"&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9aAc-fC-F])|0*(?:[0-8]|1[124-9]|2[0-689]|3[01]));"
)

_any_bad_ref = lazy_regex(
    rb"&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]));"
)
#: How far across a chunk boundary pass-through looks for a character reference: where the
#: cleaning stream carries one over (an `&` in the last 12 bytes), and its zero padding.
_REF_TAIL = 12
_REF_HEAD = 64
_DECL_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
# A DOCTYPE naming only an external DTD (which is never loaded). Anything else, that is an
# internal subset, may declare entities and is refused.
_external_doctype = lazy_regex(
    rb"""<!DOCTYPE\s+[^\s>\[]+(?:\s+(?:SYSTEM\s+(?:"[^"]*"|'[^']*')"""
    rb"""|PUBLIC\s+(?:"[^"]*"|'[^']*')\s+(?:"[^"]*"|'[^']*')))?\s*>"""
)
_subset_end = lazy_regex(rb"\]\s*>")
_NAME = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_WS = b" \t\r\n"


def localname(tag: str) -> str:
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
                subset_end = _subset_end().search(data, bracket)
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


# --- several documents in one file ----------------------------------------------------------
class SeveralDocuments(Exception):
    """The root element closed and more followed it: the file may hold XML documents one after
    another, as `cargo test -- --format junit` writes one per test binary to stdout.

    Carries the error the parser raised, for when the file cannot be split into documents.
    """

    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error


# A markup token, found by its `<`: comment, CDATA, processing instruction or declaration,
# DOCTYPE, or a tag (group 1: "/" for an end tag), whose quoted attributes may hold `>`.
_token = lazy_regex(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE(?:[^\[>]|\[.*?\])*>"
    rb"""|<(/?)[^\s/>!?](?:[^>"']|"[^"]*"|'[^']*')*>""",
    re.S,
)
_declaration_end = lazy_regex(rb"\s*<\?xml\s.*?\?>", re.S)


@record
class Part(Source):
    """One document of a file holding several, padded so that its lines keep their numbers."""

    data: bytes = b""

    def open(self) -> IO[bytes]:
        return io.BytesIO(self.data)


def split_documents(source: Source) -> list[Part]:
    """The XML documents of a file written one after another, each as a `Part`.

    A document ends where its root element closes (comments, CDATA and quoted attributes
    are skipped over); the last part is whatever follows the last closed root, if anything.
    """
    with source.open() as handle:
        data = handle.read()
    bounds = [0]
    depth = 0
    for match in _token().finditer(data):
        slash = match.group(1)
        if slash is None:
            continue
        if slash:
            depth -= 1
        elif not match.group().endswith(b"/>"):
            depth += 1
            continue
        if depth < 0:
            break  # not well-formed: the parser says where
        if depth == 0:
            bounds.append(match.end())
    if bounds[-1] < len(data) and data[bounds[-1] :].strip(_WS):
        bounds.append(len(data))
    parts = []
    for start, end in itertools.pairwise(bounds):
        text = data[start:end]
        body = text.lstrip(_WS)
        # Newlines in front of the root keep each line's number (those before the document
        # included); before a declaration they are not allowed, so they go after it.
        padding = b"\n" * data.count(b"\n", 0, start + len(text) - len(body))
        declaration = _declaration_end().match(body)
        cut = declaration.end() if declaration is not None else 0
        joined = body[:cut] + padding + body[cut:]
        parts.append(Part(source.path, source.display, joined[: len(source.head)], joined))
    return parts


# --- the byte stream lxml reads --------------------------------------------------------------
class NeedsCleaning(Exception):
    """A stream trusted to need no repair met bytes that do: read the file again, cleaned.

    Raised by a `Stream` in pass-through mode, and by the reader when lxml refuses bytes in
    that mode; never leaves the JUnit ingester.
    """


class Stream:
    """File-like object feeding lxml: refuses entity declarations, transcodes UTF-16 to UTF-8,
    repairs invalid UTF-8 and drops characters XML 1.0 forbids, each with a warning.

    With `passthrough`, a UTF-8 (or other ASCII-compatible) file goes to lxml as read, past
    the same prolog checks: nearly every file needs no repair, and libxml2 itself refuses each
    byte the repairs would change (control characters, ESC, invalid UTF-8), which the reader
    turns into `NeedsCleaning`. The one repair libxml2 cannot see, a character reference to
    a forbidden character inside CDATA, is searched for here.
    """

    def __init__(self, source: Source, sink: Sink, *, passthrough: bool = False) -> None:
        self._source = source
        self._sink = sink
        self._handle = source.open()
        self.root: str | None = None
        #: Bytes go to lxml unrepaired (see the class docstring).
        self.passthrough = False
        self._tail = b""  # the end of the last chunk passed through, for split references
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
        self.passthrough = passthrough and self._decoder is None and not self._force_utf8

    def close(self) -> None:
        self._handle.close()

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
    def transcoded(self) -> bool:
        """The file is UTF-16, read through a decoder (its bytes cannot be split by markup)."""
        return self._decoder is not None

    @property
    def lxml_encoding(self) -> str | None:
        """Encoding lxml must assume instead of the declaration (the stream is UTF-8 then)."""
        return "utf-8" if self._decoder is not None or self._force_utf8 else None

    def _line_at(self, offset: int) -> int:
        """1-based line of a byte offset in the stream (rare path: re-reads the file)."""
        if self._decoder is not None:
            return self._lines + 1
        lines = 0
        remaining = offset
        with self._source.open() as handle:
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
            raw = self._handle.read(CHUNK)
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
                if not data:
                    return b""
                if self.passthrough:
                    return self._pass(data)
                return self._clean(data, start, final=True)
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
            if self.passthrough:
                return self._pass(data)
            out = self._clean(data, start, final=False)
            if out:
                return out

    def _pass(self, data: bytes) -> bytes:
        """`data` as read, unless a reference to a forbidden character needs cleaning."""
        # Most chunks hold no `&` at all: one memchr rules them out, several times faster than
        # the regular expression's scan of every byte (which chunks with an `&` still get).
        if (b"&" in data and _any_bad_ref().search(data)) or (
            self._tail and _any_bad_ref().search(self._tail + data[:_REF_HEAD])
        ):
            raise NeedsCleaning
        self._tail = data[-_REF_TAIL:]
        return data

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
                match = _external_doctype().match(buffered, pos)
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
                name = localname(match.group(1).decode("utf-8", "replace")).rpartition(":")[2]
                if match.end() == size and not final:
                    break  # the name may continue in the next chunk
                if name not in ROOTS:
                    raise self._source.error(
                        f"not JUnit XML: the root element is <{name}>, "
                        "expected <testsuites>, <testsuite> or <testrun>",
                        line=buffered.count(b"\n", 0, pos) + 1,
                    )
                self.root = name
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
        if _any_bad_ref().search(data):
            if _esc_ref().search(data):
                self.had_escape = True
                data = _esc_ref().sub(_ESC_PLACEHOLDER_BYTES, data)
            if _bad_ref().search(data):
                self._note_control(data, start)
                data = _bad_ref().sub(b"", data)
        return data

    def _note_control(self, data: bytes, start: int) -> None:
        if self._warned_control:
            return
        self._warned_control = True
        match = _invalid_bytes_re().search(data) or _bad_ref().search(data)
        offset = start + (match.start() if match else 0)
        self._sink.warn(
            "raw control characters, which XML 1.0 forbids, were removed "
            "(the producer wrote terminal output such as colour codes unescaped)",
            line=self._line_at(offset),
            once="control-characters",
        )
