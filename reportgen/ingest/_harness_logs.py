"""Files a harness writes beside its results that tell whether the run went well: read for
that, never for results. Each reader returns (whether it tells of a problem, the reason to
list the file), or None when the file is not its kind.

Surefire's and Failsafe's dump files (`[date].dump`, `[date]-jvmRun[N].dump`,
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

from pathlib import Path

from reportgen.regex import lazy_regex
from reportgen.text import clean_text

_SUFFIXES = (".dump", ".dumpstream")
_header = lazy_regex(r"# Created at \d{4}-\d\d-\d\dT")
# The warning entries of a clean run (Surefire 3.x says "channel", 2.x "STDOUT").
_warning = lazy_regex(r"Corrupted (?:channel|STDOUT) by directly writing to native stream in ")


def _shown(line: str, width: int) -> str:
    """A line of the file as a reason quotes it: cleaned (it is input text) and cut to `width`."""
    line = clean_text(line)
    return line if len(line) <= width else line[: width - 3] + "..."


def surefire_dump(path: Path, name: str, head: bytes) -> tuple[bool, str] | None:
    """(whether it tells of a fork problem, the reason to list it) for a Surefire dump file,
    or None when `name` and `head` are not one.

    Each entry starts with a `# Created at <time>` line; an entry whose first line is not a
    native-stream warning is a problem, named by that line.
    """
    if not name.lower().endswith(_SUFFIXES):
        return None
    if not _header().match(head.lstrip(b"\xef\xbb\xbf \t\r\n").decode("utf-8", "replace")):
        return None
    warnings = 0
    expect_entry = False
    with path.open(encoding="utf-8", errors="replace") as handle:
        for raw in handle:
            line = raw.strip()
            if _header().match(line):
                expect_entry = True
                continue
            if not expect_entry or not line:
                continue
            expect_entry = False
            if not _warning().match(line):
                return True, (
                    f"Surefire's dump of a forked JVM's problem ({_shown(line, 80)}): its tests' "
                    "reports may be incomplete (a fork that timed out, crashed or lost its channel)"
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


# pabot's manager log (`pabot_results/pabot_manager.log`): a level in brackets starts a line.
_PABOT_LOG = "pabot_manager.log"
_pabot_level = lazy_regex(r"\[(?:TRACE|DEBUG|INFO|WARNING|ERROR)\]\s")
# What pabot writes when a process's results did not make it into the merged output.xml
# (robot killed: "Reading XML source '...' failed", "Skipping '...' from final result").
_pabot_problem = lazy_regex(r"\[ERROR\]\s|\[WARNING\]\s+Skipping .* from final result")


def pabot_log(path: Path, name: str, head: bytes) -> tuple[bool, str] | None:
    """For pabot's manager log: a problem when it has an `[ERROR]` line or says it left a
    process's output out of the merged result, else not results."""
    if Path(name).name != _PABOT_LOG:
        return None
    if not _pabot_level().match(head.lstrip(b"\xef\xbb\xbf \t\r\n").decode("utf-8", "replace")):
        return None
    with path.open(encoding="utf-8", errors="replace") as handle:
        for raw in handle:
            if _pabot_problem().match(raw):
                return True, (
                    f"pabot's log tells of a problem ({_shown(raw.strip(), 100)}): a process's "
                    "results may be missing from the merged output.xml"
                )
    return False, "not test results (pabot's manager log, without an error)"
