"""Hostile-input-safe XML: the lxml options every XML reader uses; parsing and root sniffing for
the TRX, NUnit 3 and xUnit.net readers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportgen import numbers
from reportgen.ingest.base import Source
from reportgen.regex import lazy_regex

if TYPE_CHECKING:
    from lxml import etree

#: lxml parser options for untrusted XML: no entity expanded, no DTD loaded, nothing fetched,
#: comments and processing instructions dropped. `huge_tree` lets text nodes over 10 MB
#: (captured output) through; the readers refuse entity declarations before parsing, so
#: libxml2's own amplification limit is not what keeps this safe.
SAFE_PARSER_OPTIONS: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": True,
    "remove_comments": True,
    "remove_pis": True,
}

# The first element start tag: comments (`<!--`), processing instructions (`<?`) and the
# DOCTYPE (`<!`) never match, so whatever precedes it is the prologue.
_root = lazy_regex(rb"<([A-Za-z_][\w.:-]*)([^>]*)>")
_root_text = lazy_regex(r"<([A-Za-z_][\w.:-]*)([^>]*)>")
_xmlns = lazy_regex(r"""xmlns\s*=\s*["']([^"']*)["']""")


def local_name(tag: object) -> str:
    """An element's tag without its namespace (`{ns}TestRun` -> `TestRun`)."""
    text = tag if isinstance(tag, str) else ""
    return text.rpartition("}")[2]


def _head_text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 with a BOM; a cut in the middle of a code unit is harmless here.
        return head[: len(head) - len(head) % 2].decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


def sniff_root(head: bytes) -> tuple[str, str, str] | None:
    """(local root name, default namespace, attribute text) of an XML head, else None."""
    text = _head_text(head).lstrip()
    if not text.startswith("<"):
        return None
    match = _root_text().search(text)
    if match is None:
        return None
    name = match.group(1).rpartition(":")[2]
    attrs = match.group(2)
    ns = _xmlns().search(attrs)
    return name, ns.group(1) if ns else "", attrs


def parse_xml(data: bytes, source: Source) -> etree._Element:
    """Parse a whole XML document safely, or raise an InputError naming the file and line.

    No network, no DTD loading, no entity expansion; a document that declares entities is
    refused outright (the billion-laughs and external-entity attacks both need one).
    """
    from lxml import etree

    if not data.strip():
        raise source.error("file is empty")
    probe = data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        probe = data.decode("utf-16", errors="replace").encode("utf-8", errors="replace")
    root_tag = _root().search(probe)
    prologue = probe[: root_tag.start()] if root_tag else probe
    if b"<!ENTITY" in prologue:
        at = prologue.count(b"\n", 0, prologue.index(b"<!ENTITY")) + 1
        raise source.error("XML entity declarations are not allowed", line=at)
    parser = etree.XMLParser(**SAFE_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line: int | None = exc.lineno if exc.lineno and exc.lineno > 0 else None
        message = (exc.msg or str(exc)).split(", line ")[0]
        raise source.error(f"malformed XML: {message}", line=line) from exc
    if root is None:
        raise source.error("no XML root element")
    return root


def text_of(element: etree._Element | None) -> str | None:
    """All the text inside an element (CDATA included), or None when there is none."""
    if element is None:
        return None
    text = "".join(element.itertext())
    return text if text.strip() else None


def child(element: etree._Element, name: str) -> etree._Element | None:
    """The first direct child with this local name, whatever its namespace."""
    for item in element:
        if isinstance(item.tag, str) and local_name(item.tag) == name:
            return item
    return None


def children(element: etree._Element, name: str) -> list[etree._Element]:
    """The direct children with this local name, whatever their namespace."""
    return [item for item in element if isinstance(item.tag, str) and local_name(item.tag) == name]


def parse_float(text: str | None) -> float | None:
    """A decimal number, tolerating a comma decimal separator (`0,288`, from some locales)."""
    if text is None:
        return None
    cleaned = text.strip()
    if not cleaned:
        return None
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = numbers.parse_float(cleaned)
    except numbers.NumberError:
        return None  # an unreadable duration is unknown, not a failure
    return None if value < 0 else value
