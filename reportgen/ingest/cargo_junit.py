"""`cargo test -- -Z unstable-options --format junit > file 2>&1`: libtest's JUnit documents,
one per test binary, between cargo's own lines (`Compiling`, `Running unittests src/lib.rs`,
`Doc-tests demo`, `error: test failed, to rerun pass ...`).

Each document is read by the JUnit reader. libtest writes a binary's document when the binary
finishes, so a binary that aborted (`std::process::abort`, a signal, a stack overflow) has a
`Running` line and cargo's `error: test failed` but no document: its tests are unknown, which
flags the file. So does an `error:` line a failing document does not explain (a build error,
a binary whose document shows no failure) and a `Running` line with no document after it (the
output cut short).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportgen.ingest.base import Ingester, Sink, Source
from reportgen.ingest.junit import JUnitIngester
from reportgen.ingest.junit.stream import Part
from reportgen.model import IntegrityKind

# cargo's status lines: a right-aligned verb, then what it is about.
_STATUS = re.compile(
    rb"[ \t]*(?:Compiling|Checking|Finished|Fresh|Blocking|Locking|Adding|Updating|Updated|"
    rb"Downloading|Downloaded|Unpacking|Building|Waiting|Documenting|Removed|Running|"
    rb"Doc-tests)\s"
)
# The line that starts a test binary's run, and its name: `Running tests/integ.rs
# (target/debug/deps/integ-6a21baa472736a34)`, `Doc-tests demo` (not a test's own "Running").
_BINARY = re.compile(rb"[ \t]*(?:Running\s+(\S.*\(\S+\))|Doc-tests\s+(\S+))\s*$")
_DOCUMENT = re.compile(rb"[ \t]*(?:<\?xml\s|<testsuites[\s>/])")
_DOCUMENT_END = re.compile(rb"</testsuites>\s*$|<testsuites\b[^>]*/>\s*$")
# rustdoc's build and run times of merged doctests, after their document: no results.
_RUSTDOC_TIMES = re.compile(rb"""\s*<report(?:\s+\w+\s*=\s*"[^"<]*")*\s*(?:/>|>\s*</report>)\s*""")
_TEST_FAILED = re.compile(rb"error: test failed, to rerun pass ")
_TARGETS_FAILED = re.compile(rb"error: \d+ targets? failed:")
_FAILURE = re.compile(rb"<(?:failure|error)[\s>/]")
_DECLARATION_END = re.compile(rb"\s*<\?xml\s.*?\?>", re.S)
# What the head must hold besides a first status line: a document, or the command of a
# binary that aborted before writing one.
_JUNIT_MARK = re.compile(rb"^[ \t]*<(?:\?xml\s|testsuites[\s>/])|--format[ =]junit", re.M)


@dataclass
class _Binary:
    name: str
    line: int
    documents: int = 0
    failed: bool = False
    flagged: bool = False


class CargoJunitIngester(Ingester):
    """libtest's JUnit documents in cargo's console output (`2>&1`)."""

    name = "cargo-junit"
    description = (
        "cargo test -- -Z unstable-options --format junit with cargo's own lines (2>&1): "
        "one JUnit document per test binary"
    )
    patterns = ("*.xml", "*.log", "*.txt")

    def sniff(self, head: bytes, path: str) -> float:
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
        if not _STATUS.match(first) or not _JUNIT_MARK.search(head):
            return 0.0
        return 0.9

    def read(self, source: Source, sink: Sink) -> None:
        junit = JUnitIngester()
        binary: _Binary | None = None
        document: list[bytes] = []
        start = 0
        skipped = 0

        def close(current: _Binary | None) -> None:
            if current is not None and not current.documents and not current.flagged:
                sink.flag(
                    IntegrityKind.ABORTED,
                    f"cargo ran the test binary {current.name} but its JUnit document is "
                    "missing: the output was cut short",
                    current.line,
                )

        with source.open() as handle:
            for number, line in enumerate(handle, start=1):
                if document or _DOCUMENT.match(line):
                    if not document:
                        start = number
                    document.append(line)
                    if not _DOCUMENT_END.search(line):
                        continue
                    data = b"".join(document)
                    document = []
                    junit.read(_part(source, data, start), sink)
                    if binary is None:
                        binary = _Binary("(unnamed)", start)
                    binary.documents += 1
                    binary.failed |= bool(_FAILURE.search(data))
                    continue
                text = line.strip()
                if not text:
                    continue
                if _RUSTDOC_TIMES.fullmatch(line):
                    sink.warn("rustdoc's <report> of doctest times skipped: no results", number)
                    continue
                named = _BINARY.match(line)
                if named is not None:
                    close(binary)
                    name = named.group(1) or b"the doctests of " + named.group(2)
                    binary = _Binary(name.decode("utf-8", "replace"), number)
                    continue
                if _STATUS.match(line) and not line.lstrip().startswith(b"Running"):
                    continue
                if _TEST_FAILED.match(text):
                    if binary is not None and binary.failed:
                        continue
                    what = binary.name if binary is not None else "a test binary"
                    if binary is not None:
                        binary.flagged = True
                    sink.flag(
                        IntegrityKind.ABORTED,
                        f"cargo says {what} failed, but it "
                        + (
                            "wrote no JUnit document: it may have aborted (a signal, "
                            "`process::abort`, a stack overflow) and its tests are unknown"
                            if binary is None or not binary.documents
                            else "shows no failure: the binary may have failed after its tests"
                        ),
                        number,
                    )
                    continue
                if _TARGETS_FAILED.match(text):
                    continue  # the summary of the `error: test failed` lines above
                if text.startswith(b"error"):
                    sink.flag(
                        IntegrityKind.ABORTED,
                        f"cargo reports an error: {text.decode('utf-8', 'replace')[:200]}",
                        number,
                    )
                    continue
                # `Caused by:`, the targets listed after `error: N targets failed:`, compiler
                # warnings, text a test wrote to the inherited stderr.
                skipped += 1
        if document:
            raise source.error(
                "a JUnit document that does not end: the output was cut short", start
            )
        close(binary)
        if skipped:
            sink.warn(f"{skipped} line(s) of cargo's and the compiler's own output skipped")


def _part(source: Source, data: bytes, line: int) -> Part:
    """One document as a file of its own, padded so that its lines keep their numbers."""
    body = data.lstrip(b" \t")
    declaration = _DECLARATION_END.match(body)
    cut = declaration.end() if declaration is not None else 0
    joined = body[:cut] + b"\n" * (line - 1) + body[cut:]
    return Part(source.path, source.display, joined[: len(source.head)], joined)
