"""prove's verbose console (`prove -v t/ > log`): one TAP stream per test file, each under a
header line (`t/a.t .. `) and closed by prove's word on the file (`ok`, `Failed 1/3 subtests`,
`skipped: reason`), then prove's summary (`All tests successful.` or `Test Summary Report`,
`Files=N, Tests=M, ...`, `Result: PASS|FAIL`).

Read as one TAP document, the streams' plans and numbers collide and prove's bare `ok` reads as
a test point: a clean run was NOT READY. Each file's stream is read on its own, as a suite named
after the file, and held to what prove said:

- a file prove failed (`Failed`, `No subtests run`, `All N subtests passed` after `Dubious`)
  whose stream shows no failure gets one error (prove saw what the stream does not show: an
  exit status, a parse error);
- `Result: FAIL` with no failure anywhere is one error too;
- a console without its summary (cut short: files may never have run), or whose `Files=` or
  `Tests=` count disagrees with what it shows, is flagged: tests may be missing.

Captured with standard error (`prove -v t/ > log 2>&1`, `| tee`), the test files' stderr
(`diag`, warnings) is not where it belongs: prove's own output is buffered and theirs is not,
so it lands before the header of the file that printed it: after prove's closing words on the
file before, or before the first header. Lines there that are not TAP are read as the next
file's: they neither hide a file's end nor keep a console from being one.
"""

from __future__ import annotations

import re
from dataclasses import field

from reportgen.ingest.base import Sink
from reportgen.model import IntegrityKind, Outcome
from reportgen.records import record
from reportgen.regex import lazy_regex

# `t/a.t .. ` (the name padded with dots to the longest one), after `[hh:mm:ss] ` with --timer;
# the rest of the line is prove's word on the file when it has no TAP to show (`skipped: why`).
_HEADER = re.compile(r"(?:\[\d\d:\d\d:\d\d\] )?(\S+) \.{2,} ?(.*)$")
# prove's closing words on one file: `ok` (with --timer, its time), or the failure report.
_status = lazy_regex(
    r"ok(?:\s+\d+ ms(?: \(.*\))?)?|Failed \d+/\d+ subtests|All \d+ subtests passed|"
    r"No subtests run|No tests run!|\(less \d+ skipped subtests?: \d+ okay\)|"
    r"\(\d+ TODO tests? unexpectedly succeeded\)"
)
_clock = lazy_regex(r"\[\d\d:\d\d:\d\d\]")
# A line of a TAP stream's own structure (indented in a subtest), as a test file prints it on
# standard output; any other line may be a test file's standard error.
_tap = lazy_regex(r"\s*(?:(?:not )?ok\b|1\.\.\d|Bail out!|TAP version )")
_ok = lazy_regex(r"ok(?:\s+\d+ ms(?: \(.*\))?)?")
_SUMMARY_START = ("All tests successful.", "Test Summary Report", "Files=")
_files = lazy_regex(r"Files=(\d+), Tests=(\d+),")
_result = lazy_regex(r"Result: (\w+)")


@record(frozen=False)
class Section:
    """One test file of the console."""

    name: str
    line: int  # of its header
    offset: int = 0  # lines of the console before its body's first line
    body: list[str] = field(default_factory=list)  # its TAP (and whatever else it printed)
    status: list[str] = field(default_factory=list)  # prove's closing words, in order
    skipped: str | None = None

    @property
    def closed(self) -> bool:
        return bool(self.status) or self.skipped is not None

    @property
    def failed(self) -> bool:
        return self.skipped is None and not (self.status and _ok().fullmatch(self.status[0]))


def is_console(lines: list[str]) -> bool:
    """Whether these first lines open a verbose prove console: a file header, then TAP."""
    meaningful = [line.rstrip() for line in lines if line.strip()]
    # Stray standard error may come first (see the module docstring), never a TAP line.
    first = next((i for i, line in enumerate(meaningful) if _HEADER.match(line)), None)
    if first is None or any(_tap().match(line) for line in meaningful[:first]):
        return False
    if (match := _HEADER.match(meaningful[first])) is None or match.group(2):
        return False
    return any(
        line.startswith(("1..", "ok ", "not ok ", "TAP version "))
        for line in meaningful[first + 1 :]
    )


def split(text: str) -> tuple[list[Section], list[str], int] | None:
    """The console's files, its summary lines and the line the summary starts on; None when
    `text` does not start with a file header.

    A header or the summary is taken as such only where a file can end: at the start, or
    after prove's closing words on the file before (a line of the file's own output that
    looks like a header stays in its body). Lines before the first header that are not TAP
    (stray standard error) go into the first file's body, where they read as no test.
    """
    lines = text.split("\n")
    sections: list[Section] = []
    current: Section | None = None
    leading: list[str] = []
    for index, raw in enumerate(lines):
        line = raw.rstrip()
        if current is None:
            if (header := _HEADER.match(line)) is None:
                if _tap().match(line):
                    return None
                leading.append(raw)
                continue
            current = _open(header, index + 1, leading)
            sections.append(current)
            continue
        if current.closed or _ends(current):
            if line.startswith(_SUMMARY_START):
                current.body.extend(_close(current))
                return sections, [x.rstrip() for x in lines[index:]], index + 1
            if (header := _HEADER.match(line)) is not None:
                current = _open(header, index + 1, _close(current))
                sections.append(current)
                continue
            if _clock().fullmatch(line):
                continue  # --timer's time stamp before the summary
        # After a file prove closed on its header line (`skipped: why`) nothing more belongs
        # to it; whatever comes is still read, never dropped.
        current.body.append(raw)
    if current is not None and _ends(current):
        current.body.extend(_close(current))
    return (sections, [], 0) if sections else None


def _open(header: re.Match[str], line: int, stray: list[str]) -> Section:
    """The section a header on `line` opens; `stray`, the lines just before the header, start
    its body, and a blank line stands for the header so that body lines keep their numbers."""
    body = [*stray, ""] if stray else []
    section = Section(header.group(1), line, offset=line - len(body), body=body)
    rest = header.group(2).strip()
    if rest.startswith("skipped:"):
        section.skipped = rest.removeprefix("skipped:").strip()
    elif rest:
        section.status.append(rest)
    return section


def _ends(section: Section) -> bool:
    """Whether the section's last line that is TAP or prove's is prove's closing word on the
    file (stray standard error after it does not count)."""
    for raw in reversed(section.body):
        line = raw.strip()
        if _status().fullmatch(line):
            return True
        if _tap().match(raw):
            return False
    return False


def _close(section: Section) -> list[str]:
    """Move prove's closing words from the body to `status`; take out and return what was
    printed after them, or after the last TAP line of a file prove closed on its header (stray
    standard error of the file that comes next)."""
    body = section.body
    end = len(body)
    while (
        end and not _status().fullmatch(body[end - 1].strip()) and not _tap().match(body[end - 1])
    ):
        end -= 1
    stray = body[end:]
    del body[end:]
    if not section.closed:
        start = end
        while start and (
            not body[start - 1].strip() or _status().fullmatch(body[start - 1].strip())
        ):
            start -= 1
        section.status = [line.strip() for line in body[start:] if line.strip()]
        del body[start:]
    return stray


def read(console: tuple[list[Section], list[str], int], sink: Sink) -> None:
    """Write a verbose prove console, as `split` gave it, into `sink` (see the module
    docstring)."""
    from reportgen.ingest._tap_emit import emit
    from reportgen.ingest._tap_parser import parse

    sections, summary, summary_line = console
    bad_total = 0
    points = 0
    for section in sections:
        suite = (section.name,)
        if section.skipped is not None:
            sink.test(
                name=section.name,
                suite=(),
                outcome=Outcome.SKIPPED,
                message=f"prove: skipped: {section.skipped}",
                line=section.line,
            )
            if not any(line.strip() for line in section.body):
                continue
        parser = parse("\n".join(section.body), sink, offset=section.offset)
        bad = emit(parser, sink, suite)
        points += parser.streams[0].points
        if not section.closed:
            why = f"prove's console ends inside {section.name}: the file never finished"
            sink.flag(IntegrityKind.ABORTED, why, section.line)
        elif section.failed and bad == 0:
            said = " ".join(section.status)
            why = f"prove failed {section.name} ({said}) though its TAP shows no failure"
            _error(sink, suite, why, section.line)
            bad = 1
        bad_total += bad
    _check_summary(sink, summary, summary_line, len(sections), points, bad_total)


def _check_summary(
    sink: Sink, summary: list[str], line: int, files: int, points: int, bad: int
) -> None:
    counts = next((m for s in summary if (m := _files().match(s))), None)
    result = next((m.group(1) for s in summary if (m := _result().fullmatch(s))), None)
    if counts is None or result is None:
        sink.flag(
            IntegrityKind.TESTS_MISSING,
            "prove's console has no summary (Files=, Result:): it was cut short, so test "
            "files may never have run",
        )
        return
    said_files, said_tests = int(counts.group(1)), int(counts.group(2))
    if (said_files, said_tests) != (files, points):
        sink.flag(
            IntegrityKind.TESTS_MISSING,
            f"prove's summary says Files={said_files}, Tests={said_tests} but the console "
            f"shows {files} files and {points} tests",
            line,
        )
    # NOTESTS: every file was skipped, which the skipped tests already say.
    if result not in ("PASS", "NOTESTS") and bad == 0:
        _error(sink, (), f"prove's summary says Result: {result} though no test failed", line)


def _error(sink: Sink, suite: tuple[str, ...], why: str, line: int | None) -> None:
    sink.flag(IntegrityKind.SUITE_ERROR, why, line, warn=False)
    sink.warn(f"{why}; counted as one error", line)
    sink.test(
        name="(prove reported a failure)",
        suite=suite,
        outcome=Outcome.ERROR,
        message=why,
        line=line,
        properties={"tap": "synthetic"},
        merge=False,
        unattributed=True,
    )
