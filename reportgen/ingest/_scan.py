"""What a results scan needs besides the readers: ignore globs, "looks like results", and
compressed files read through a temporary copy."""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import lzma
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from reportgen.errors import InputError
from reportgen.regex import lazy_regex

#: Decompressed size at which a compressed input is refused (a decompression bomb, not results).
MAX_DECOMPRESSED = 4 << 30

# File name endings of the formats reportgen reads or that hold results in other tools.
_RESULT_SUFFIXES = frozenset(
    {".xml", ".json", ".jsonl", ".ndjson", ".tap", ".trx", ".csv", ".tsv", ".junit", ".jtl"}
)
# Endings of a harness's standard output redirected to a file (`go test -bench . > bench.txt`,
# `prove > prove.out`). Their content tells whether they hold results; an empty one is what the
# redirect leaves when the harness wrote nothing there (a build failure goes to standard error),
# so it may be where the results were lost. So may an empty archive (a failed download).
_CAPTURE_SUFFIXES = frozenset({".txt", ".out"})
# A capture named as standard error (`stderr.out`, pabot's `robot_stderr.out`) beside the
# standard output: empty is how a clean run leaves it, and the results were not sent there.
_stderr_name = lazy_regex(r"(?:.*[._\-/\\])?stderr", re.IGNORECASE)
# A JSON array's first element: a file starting with `[` is JSON only if one follows, not a
# log whose lines start with a bracketed level or time (`[INFO]    ...`, `[2026-12-01 ...]`).
# Cut short after `[` or its first value, it may be a truncated array.
_json_array = lazy_regex(
    rb"\[\s*(?:\Z|[\[{\"\]]|(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity)"
    rb"\s*(?:[,\]]|\Z))"
)
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tgz", ".tbz2", ".txz", ".tar.gz", ".tar.bz2", ".tar.xz")
#: Endings of compressed files, which are named by what they hold (`junit.xml.gz`).
COMPRESSED_SUFFIXES = frozenset({".gz", ".bz2", ".xz", ".zst"})
_COMPRESSORS: tuple[tuple[bytes, str, Callable[[Path], io.BufferedIOBase]], ...] = (
    (b"\x1f\x8b", ".gz", gzip.GzipFile),
    (b"BZh", ".bz2", bz2.BZ2File),
    (b"\xfd7zXZ\x00", ".xz", lzma.LZMAFile),
)
# Text that starts like results of a line-based format: TAP, go test, benchmark lines. The
# indentation takes no line break: from every line start, `\s*` would run over all the blank
# lines after it (quadratic in a head of blank lines).
_result_text = lazy_regex(
    rb"^[ \t\r\f\v]*"
    rb"(?:TAP version \d|1\.\.\d+\s*$|(?:not )?ok \d+\b|=== RUN|--- (?:PASS|FAIL|SKIP):|"
    rb"(?:ok|FAIL)\s+\S+\s+(?:\d[\d.]*s\b|\[)|Benchmark\w+(?:-\d+)?\s+\d+\s|"
    rb"# \S+ \[\S+\.test\]|"
    # prove's console without -v (a line per test file, then its summary): no TAP to read,
    # but it may say that a file failed.
    rb"\S+\.t \.{2,} |Files=\d+, Tests=\d+,\s+\d+ wallclock secs|"
    # Load and benchmark tools reportgen does not read, whose reports hold failed requests
    # or benchmarks: wrk, ApacheBench, vegeta, Locust, Google Benchmark's and libtest's
    # console tables.
    rb"Running \d+\S* test @ |This is ApacheBench|Requests/sec:|Requests per second:|"
    rb"Requests\s+\[total, rate|Type\s+Name\s+# reqs|Benchmark\s+Time\s+CPU\s+Iterations|"
    rb"test \S+ \.\.\. bench:|"
    # Rust's libtest console as `cargo test > test.log` captures it (cargo-junit reads only
    # its JUnit documents): what cargo ran, each test's line, the result and cargo's failure.
    rb"running \d+ tests?\s*$|test \S+ \.\.\. (?:ok|FAILED|ignored)\b|"
    rb"test result: (?:ok|FAILED)\.|Running (?:unittests )?\S+ \(target[/\\]|Doc-tests \S+\s*$|"
    rb"Finished `test` profile|"
    rb"error: test failed, to rerun pass|"
    # Consoles of test runners whose reports reportgen reads, kept beside them (`node --test`
    # with its spec reporter, `pytest | tee`): a run that failed there may be missing from the
    # reports given. Node's spec marks (U+2714 passed, U+2716 failed) and its summary (U+2139),
    # pytest's session header, progress line (`..F.s  [100%]`, in -q too) and summary line.
    rb"\xe2\x9c[\x94\x96] .+ \(\d[\d.]*m?s\)|\xe2\x84\xb9 (?:tests|fail) \d+|"
    rb"=+ test session starts =+|(?:\S+\.py )?[.FEsxX]+ +\[ *\d+%\]|"
    rb"=+ (?:[^=\n]*\b)?\d+ (?:passed|failed|errors?)\b[^=\n]* in \d)",
    re.MULTILINE,
)
# A page or a picture (an HTML report, the SVG plots Criterion's gnuplot writes after an XML
# declaration and a doctype) holds no results to read.
_html = lazy_regex(
    rb"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!doctype (?:html|svg)|<html|<svg)", re.IGNORECASE
)


def looks_like_results(name: str, head: bytes) -> bool:
    """Whether a file that no reader took looks like results, by its name or its content.

    Such a file makes the verdict insufficient unless it is ignored: it may hold the failures.
    """
    head = utf8_head(head)
    if results_suffix(name) or empty_capture(name, head):
        return True
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"<", b"{") and not _html().match(text):
        return True
    if _json_array().match(text):
        return True
    return looks_like_result_text(head)


def results_suffix(name: str) -> bool:
    """Whether `name` ends like a file of results (`.xml`, `.json`, `.tap`, ...), compressed
    or not (`junit.xml.gz`)."""
    return held_suffix(name) in _RESULT_SUFFIXES


def held_suffix(name: str) -> str:
    """The ending of `name` once compression endings are taken off (`.xml` for `a.xml.gz`)."""
    return _held_name(name).suffix.lower()


def _held_name(name: str) -> Path:
    path = Path(name)
    while path.suffix.lower() in COMPRESSED_SUFFIXES:
        path = path.with_suffix("")
    return path


def empty_capture(name: str, head: bytes) -> bool:
    """Whether this is a redirected standard output (`.txt`, `.out`) or an archive, left empty.

    A standard error capture (`stderr.out`, `robot_stderr.out`) is not one.
    """
    if utf8_head(head).lstrip(b"\xef\xbb\xbf \t\r\n"):
        return False
    if name.lower().endswith(ARCHIVE_SUFFIXES):
        return True
    held = _held_name(name)
    return held.suffix.lower() in _CAPTURE_SUFFIXES and not _stderr_name().fullmatch(held.stem)


def looks_like_result_text(head: bytes) -> bool:
    """Whether `head` starts like results of a line-based format (TAP, go test, benchmarks)."""
    return bool(_result_text().search(utf8_head(head[:8192])[:4096]))


def compression(head: bytes) -> tuple[str, Callable[[Path], io.BufferedIOBase]] | None:
    """(suffix, opener) when `head` starts a compressed file reportgen reads, else None."""
    for magic, suffix, opener in _COMPRESSORS:
        if head.startswith(magic):
            return suffix, opener
    return None


def inner_name(display: str, suffix: str) -> str:
    """The name a compressed file's content goes by: `results.xml.gz` -> `results.xml`."""
    return display[: -len(suffix)] if display.lower().endswith(suffix) else display


@contextmanager
def decompressed(
    path: Path, display: str, opener: Callable[[Path], io.BufferedIOBase]
) -> Iterator[Path]:
    """A temporary file holding the decompressed content of `path`, removed afterwards.

    Readers get an ordinary file (some read it twice or in parallel); a corrupt or truncated
    archive is an input error naming the file.
    """
    with tempfile.TemporaryDirectory(prefix="reportgen-") as tmp:
        target = Path(tmp) / PurePosixPath(Path(display).name).name
        try:
            with opener(path) as source, target.open("wb") as sink:
                copied = 0
                while chunk := source.read(1 << 20):
                    copied += len(chunk)
                    if copied > MAX_DECOMPRESSED:
                        raise InputError(
                            f"decompresses to more than {MAX_DECOMPRESSED >> 30} GiB; refused",
                            path=display,
                        )
                    sink.write(chunk)
        except (OSError, EOFError, lzma.LZMAError, ValueError) as exc:
            raise InputError(
                f"cannot decompress: {exc} (a truncated or corrupt archive)", path=display
            ) from exc
        yield target


#: How much of a head tells BOM-less UTF-16 from other bytes.
_UTF16_SAMPLE = 512


def utf16_text(head: bytes) -> str | None:
    """The codec of a UTF-16 (or UTF-32) text file that is not XML, from its head, else None.

    Windows leaves results so: PowerShell 5's `>` and `Out-File` write UTF-16LE with a BOM
    (`go test -json > results.json`, `prove -v > prove.txt`); .NET's writers can leave it out.
    XML is left to the XML readers, which honour a BOM and the declaration as the XML rules say.
    """
    codec = _utf16(head)
    if codec is None or _utf8(head, codec).lstrip(b" \t\r\n").startswith(b"<"):
        return None
    return codec


def _utf16(head: bytes) -> str | None:
    """The codec of a UTF-16 head, else None. BOM-less UTF-16 is recognised by its zero
    bytes: every code unit's high byte zero (ASCII text) but for a few, and no low byte zero
    (text holds no NUL)."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        # UTF-32 (PowerShell's `-Encoding utf32`), whose BOM starts like UTF-16LE's.
        return "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = head[: min(len(head) - len(head) % 2, _UTF16_SAMPLE)]
    if len(sample) < 4:
        return None
    low_first, high_first = sample[0::2], sample[1::2]
    if high_first.count(0) * 10 >= len(high_first) * 9 and 0 not in low_first:
        return "utf-16-le"
    if low_first.count(0) * 10 >= len(low_first) * 9 and 0 not in high_first:
        return "utf-16-be"
    return None


def _utf8(head: bytes, codec: str) -> bytes:
    unit = 4 if codec == "utf-32" else 2
    even = head[: len(head) - len(head) % unit]
    return even.decode(codec, errors="replace").lstrip("\ufeff").encode("utf-8")


def utf8_head(head: bytes) -> bytes:
    """`head` as UTF-8 when it is UTF-16 (see `utf16_text`), else as it is: what the checks
    on raw heads (an empty capture, result text, an archive's members) look at, so that a
    UTF-16 file or member is judged as its UTF-8 twin is."""
    codec = _utf16(head)
    return head if codec is None else _utf8(head, codec)


@contextmanager
def transcoded(path: Path, display: str, codec: str) -> Iterator[Path]:
    """A temporary file holding `path`'s UTF-16 text as UTF-8 (no BOM), removed afterwards.

    Every reader then reads one encoding, and a UTF-16 file found in a folder is recognised
    by content like the same file in UTF-8, not skipped as unrecognised bytes. Code units
    that do not decode (a file cut mid-character when its writer was killed) become U+FFFD,
    so what follows is the reader's own word on a cut file.
    """
    with tempfile.TemporaryDirectory(prefix="reportgen-") as tmp:
        target = Path(tmp) / PurePosixPath(Path(display).name).name
        decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        try:
            with path.open("rb") as source, target.open("wb") as sink:
                while chunk := source.read(1 << 20):
                    sink.write(decoder.decode(chunk).encode("utf-8"))
                sink.write(decoder.decode(b"", final=True).encode("utf-8"))
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", path=display) from exc
        yield target


class IgnoreRules:
    """`inputs.ignore` / `--ignore` globs: which found files are not evidence.

    `*` and `?` stay within one path segment, `**` spans segments; everything else is literal.
    A glob without `/` matches the file name; one with `/` matches the path relative to the
    results path it was found under, or the path as shown.
    """

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(dict.fromkeys(p.strip() for p in patterns if p.strip()))
        self._compiled = [(p, _glob_regex(p)) for p in self.patterns]

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def match(self, display: str, relative: str | None) -> str | None:
        """The first glob that names this file, or None."""
        shown = display.replace("\\", "/")
        candidates = {shown.removeprefix("./")}
        if relative is not None:
            candidates.add(relative.replace("\\", "/"))
        name = shown.rsplit("/", 1)[-1]
        for pattern, regex in self._compiled:
            if "/" not in pattern.rstrip("/"):
                if regex.fullmatch(name):
                    return pattern
            elif any(regex.fullmatch(c) for c in candidates):
                return pattern
        return None


def _glob_regex(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    text = pattern.removeprefix("./")
    while i < len(text):
        if text.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif text.startswith("**", i):
            out.append(".*")
            i += 2
        elif text[i] == "*":
            out.append("[^/]*")
            i += 1
        elif text[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(text[i]))
            i += 1
    if text.endswith("/"):
        out.append(".*")  # a directory: everything under it
    return re.compile("".join(out), re.DOTALL)
