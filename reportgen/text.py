"""The boundary for untrusted text: what every string read from an input goes through once.

Ingest cleans each string that came from a result file (names, classnames, suites, messages,
output, metric names and units, properties) with these functions, so the model only holds
printable text. Renderers escape for their own format (HTML, Markdown, XML) on top of that and
import from here, never from `reportgen.ingest`. A terminal / CI-log sanitiser belongs here too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportgen.regex import lazy_regex

# CSI sequences (colours, cursor moves), OSC sequences (titles, hyperlinks) and lone
# two-character escapes. Test output is full of them and they must never reach a report.
_ansi = lazy_regex(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, terminated by BEL or ST (or unterminated)
    r"|\x1b[@-Z\\-_]"  # other Fe escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
# C0 and C1 controls except tab and newline; DEL too. Lone surrogates (`\ud800` from a JSON
# escape) cannot be encoded by any writer: they go too.
_control = lazy_regex(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Printable ASCII, tab and newline: deleting these from ASCII text leaves only what needs cleaning.
_ASCII_KEPT = bytes(range(0x20, 0x7F)) + b"\t\n"
# The ASCII characters `_control` matches.
_ASCII_CONTROLS = tuple(map(chr, (*range(0x09), *range(0x0B, 0x20), 0x7F)))
# Length from which ASCII text is scanned once per control character (see `_is_clean`).
_SCAN_FROM = 4096


def _is_clean(text: str) -> bool:
    """Whether `clean_text` would leave `text` as it is.

    ASCII text (nearly every name) is checked without the regular expression, which only
    non-ASCII text needs: printable ASCII (most strings) by `isprintable`, long text (a batch
    of names joined) by looking for each control character (a `memchr` each, which reads at
    memory speed), and the rest by a byte translation.
    """
    if text.isascii():
        if len(text) >= _SCAN_FROM:
            return not any(map(text.__contains__, _ASCII_CONTROLS))
        return text.isprintable() or not text.encode("ascii").translate(None, _ASCII_KEPT)
    return _control().search(text) is None


def clean_text(text: str) -> str:
    """Strip ANSI escapes and control characters; normalise line endings to \\n."""
    # ESC, CSI (\x9b) and CR are controls too: clean text (the common case) costs one check.
    if _is_clean(text):
        return text
    if "\x1b" in text or "\x9b" in text:
        text = _ansi().sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _control().sub("", text)


def clean_optional(text: str | None) -> str | None:
    """`clean_text` for optional values; empty (after cleaning) becomes None."""
    if text is None:
        return None
    cleaned = clean_text(text)
    return cleaned if cleaned.strip() else None


def clean_name(text: str | None) -> str | None:
    """A name (test, class, suite, file, metric) cleaned; None stays None.

    Unlike `clean_optional` an empty name stays empty: whether it is allowed is the model's call.
    """
    return None if text is None else clean_text(text)


def clean_names(names: Sequence[str]) -> Sequence[str]:
    """`clean_name` over a batch; the batch itself when nothing in it needs cleaning.

    One search over the joined batch keeps the common case (clean names) cheap for the
    million-test files the JUnit reader hands over in batches.
    """
    if _is_clean("".join(names)):
        return names
    return [clean_text(name) for name in names]


def clean_suite(suite: Sequence[str]) -> tuple[str, ...]:
    """A suite path with each part cleaned."""
    if not suite:
        return ()
    if _is_clean("".join(suite)):
        return suite if isinstance(suite, tuple) else tuple(suite)
    return tuple(clean_text(part) for part in suite)


def clean_mapping(values: dict[str, str] | None) -> dict[str, str] | None:
    """Properties with keys and values cleaned (the mapping itself when already clean)."""
    if not values:
        return values
    if _is_clean("".join(values)) and _is_clean("".join(values.values())):
        return values
    return {clean_text(k): clean_text(v) for k, v in values.items()}


# --- The terminal and CI-log boundary -------------------------------------------------------
# Input text is already free of C0/C1 controls after ingest, but file names, argv and error
# messages are not, and a terminal or a CI log reads more than controls: bidi overrides and
# zero-width characters hide text; a line starting `::` (GitHub Actions) or `##[` / containing
# `##vso[` (Azure Pipelines) is a workflow command.
_TERMINAL_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f"
    r"\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
_WORKFLOW_LINE = re.compile(r"^([ \t]*)(::|##\[)", re.MULTILINE)
_AZURE_COMMAND = re.compile(r"##vso\[", re.IGNORECASE)
_TERMINAL_ASCII_KEPT = bytes(range(0x20, 0x7F)) + b"\t\n"


def _visible(match: re.Match[str]) -> str:
    """A character that must not reach a terminal, spelled out (`\\x07`, `<U+202E>`)."""
    char = match.group()
    if char == "\t":
        return "\t"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"<U+{code:04X}>"


def terminal_text(text: str) -> str:
    """`text` safe to print on a terminal or into a CI log.

    Escape sequences are removed; other controls, bidi and zero-width characters are made
    visible; a line that would start a workflow command (`::`, `##[`) gets a leading backslash
    and `##vso[` is broken up. Tab and newline stay; CRLF / CR become newlines.
    """
    if (
        text.isascii()
        and not text.encode("ascii").translate(None, _TERMINAL_ASCII_KEPT)
        and "::" not in text
        and "##" not in text
    ):
        return text
    if "\x1b" in text or "\x9b" in text:
        text = _ansi().sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _TERMINAL_UNSAFE.sub(_visible, text)
    if "::" in text or "##" in text:
        text = _WORKFLOW_LINE.sub(r"\1\\\2", text)
        text = _AZURE_COMMAND.sub(lambda m: m.group()[0] + "\\" + m.group()[1:], text)
    return text


def could_start_command(partial_line: str) -> bool:
    """Whether more text appended to this unfinished line could make it a workflow command."""
    head = partial_line.lstrip(" \t")
    return head in ("", ":", "#", "##") or "#" in partial_line[-5:]
