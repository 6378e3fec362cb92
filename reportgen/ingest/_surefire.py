"""Surefire's and Failsafe's dump files (`[date].dump`, `[date]-jvmRun[N].dump`,
`[date].dumpstream`) beside their reports: what went wrong in a forked JVM.

Surefire writes one when a fork timed out (`forkedProcessTimeoutInSeconds`: a thread dump, the
fork killed, yet the reports it left may show every test passed), when its booter failed, or
when the channel to Maven broke. The reports beside it may then be incomplete, so such a file
keeps the verdict from READY. A clean run can leave a `.dumpstream` too: a test that wrote to
the native standard output (`FileDescriptor.out`) gets one warning entry per line it wrote
("Corrupted channel by directly writing to native stream in forked JVM 1. Stream '...'."),
which says nothing of the results. The content decides, entry by entry; a file of the name
without Surefire's `# Created at` header is left to the other rules.
"""

from __future__ import annotations

import re
from pathlib import Path

_SUFFIXES = (".dump", ".dumpstream")
_HEADER = re.compile(r"# Created at \d{4}-\d\d-\d\dT")
# The warning entries of a clean run (Surefire 3.x says "channel", 2.x "STDOUT").
_WARNING = re.compile(r"Corrupted (?:channel|STDOUT) by directly writing to native stream in ")


def surefire_dump(path: Path, name: str, head: bytes) -> tuple[bool, str] | None:
    """(whether it tells of a fork problem, the reason to list it) for a Surefire dump file,
    or None when `name` and `head` are not one.

    Each entry starts with a `# Created at <time>` line; an entry whose first line is not a
    native-stream warning is a problem, named by that line.
    """
    if not name.lower().endswith(_SUFFIXES):
        return None
    if not _HEADER.match(head.lstrip(b"\xef\xbb\xbf \t\r\n").decode("utf-8", "replace")):
        return None
    warnings = 0
    expect_entry = False
    with path.open(encoding="utf-8", errors="replace") as handle:
        for raw in handle:
            line = raw.strip()
            if _HEADER.match(line):
                expect_entry = True
                continue
            if not expect_entry or not line:
                continue
            expect_entry = False
            if not _WARNING.match(line):
                shown = line if len(line) <= 80 else line[:77] + "..."
                return True, (
                    f"Surefire's dump of a forked JVM's problem ({shown}): its tests' reports "
                    "may be incomplete (a fork that timed out, crashed or lost its channel)"
                )
            warnings += 1
    if not warnings:
        return True, (
            "Surefire's dump file without an entry: its fork may have stopped while writing it"
        )
    return False, (
        f"not test results (Surefire's dump of {warnings} line(s) a test wrote to the forked "
        "JVM's native output stream)"
    )
