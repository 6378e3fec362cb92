"""TAP 13/14 (Test Anything Protocol) ingester: plans, directives, YAML diagnostics, subtests.

How a stream maps onto the model (decided here, tested in tests/ingest/test_tap.py):

- Every test point that has no subtests of its own is one test; a test point whose indented
  child stream holds test points is a *parent*: its leaves are counted, not the parent. A parent
  that says `not ok` while none of its leaves failed (a hook or plan failure) adds one `error`
  named `[suite error]` inside its own suite (`cache::[suite error]`), so its failure is never
  lost: an error that belongs to no test, which counts against every selection that may reach
  the parent's tests.
- `# SKIP` is skipped, but `not ok # SKIP` failed (as prove counts it); `# TODO` is skipped
  with the properties `directive=TODO` and `todo_result=ok|not ok`: a TODO that passes is
  still a skipped TODO, and the file gets a warning saying how many did.
- A plan that does not match the points of its stream is evidence that tests did not run (or
  that the stream is broken): a warning, plus one `error` test per missing test (named after
  a `# Subtest:` announcement that never reported, when there is one), or one `error` test
  when more points than planned appeared. A top-level stream without any plan is treated the
  same way, as a truncated run cannot be told from a complete one without it.
- Test points that share a description are executions of one test id, each counted on its
  own (a failing one fails it); they are not renamed apart.
- prove's verbose console (`prove -v t/`) is one stream per test file, read as a suite named
  after the file (see `reportgen.ingest._tap_prove`).
- `Bail out!` adds one `error` test (and a warning); processing stops there, as the TAP
  specification says, and that error stands for everything that did not run, so the plans of
  the streams still open are not checked.
"""

from __future__ import annotations

import re

from reportgen import numbers
from reportgen.ingest._tap_prove import is_console, read, split
from reportgen.ingest.base import HEAD_BYTES, Ingester, Sink, Source, decode_text
from reportgen.model import IntegrityKind

#: `TAP version N` (any case), as sniffing and parsing read it.
VERSION_LINE = re.compile(r"TAP version (\d+)\s*$", re.IGNORECASE)
#: A plan `1..N`, with an optional `# reason`.
PLAN_LINE = re.compile(r"1\.\.(\d+)\s*(?:#\s*(.*))?$")
_HEAD_POINT = re.compile(r"(not )?ok \d+\b")


class TapIngester(Ingester):
    """Test Anything Protocol streams, as written by node:test, node-tap, tape, mocha, prove."""

    name = "tap"
    description = "TAP 13/14 (Test Anything Protocol): node --test, node-tap, tape, mocha, prove"
    patterns = ("*.tap", "*.tap.txt")

    def sniff(self, head: bytes, path: str) -> float:
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
        lines = [line.strip() for line in text.splitlines()[:40]]
        boost = 0.1 if path.lower().endswith(".tap") else 0.0
        if any(VERSION_LINE.match(line) for line in lines[:20]):
            return min(1.0, 0.9 + boost)
        # prove -v: a file header, then its TAP (its scripts' stderr may come first, over
        # more than the lines looked at below)
        if is_console(text.splitlines()):
            return 0.8
        meaningful = [line for line in lines if line and not line.startswith("#")]
        if not meaningful:
            return 0.0
        first = meaningful[0]
        if PLAN_LINE.match(first):
            follows = any(_HEAD_POINT.match(line) for line in meaningful[1:])
            return min(1.0, (0.8 if follows else 0.4) + boost)
        if _HEAD_POINT.match(first):
            return min(1.0, 0.7 + boost)
        return 0.0

    def read(self, source: Source, sink: Sink) -> None:
        with source.open() as handle:
            data = handle.read()
        if not data.strip():
            raise source.error("file is empty")
        text = decode_text(data, source)
        # The parser and emitter are imported here: sniffing a file must not cost their import.
        from reportgen.ingest._tap_emit import emit
        from reportgen.ingest._tap_parser import parse

        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        console = split(text) if is_console(text[:HEAD_BYTES].split("\n")) else None
        if console is not None:
            try:
                read(console, sink)
            except numbers.NumberError as exc:
                raise source.error(f"bad number: {exc}") from None
            return
        try:
            parser = parse(text, sink)
        except numbers.NumberError as exc:
            raise source.error(f"bad number: {exc}") from None
        if not parser.seen_anything:
            if parser.version_line is None:
                raise source.error("no TAP test lines or plan found")
            # A producer writes the version line as it starts (node --test, node-tap): one
            # killed before its first result leaves only that, a TAP stream that holds nothing.
            sink.flag(
                IntegrityKind.NO_RESULTS,
                "a TAP version line, then no plan and no test line: its run may have stopped "
                "before any result (list it under inputs.ignore if it is not evidence)",
                line=parser.version_line,
            )
            return
        emit(parser, sink)
