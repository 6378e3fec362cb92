"""Robot Framework output.xml ingester: each test's own status, `rebot --merge` reruns read as
the retries they were, and a `--dryrun` (no keyword run) read as tests that did not run.

robot writes a suite teardown's failure only on the suite: the tests under it keep the status
they ended with, and Robot's result model marks them failed when it reads the file (rebot writes
them failed). The tests are read as Robot reads them, and the file's own totals
(`<statistics>`) are held against what is read.

Robot's `--xunit` file cannot show either: a merged rerun is written as a plain pass and a dry
run as a run of passes. output.xml keeps both, so it is the evidence to give reportgen.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from reportgen.ingest._safexml import child, children, local_name, parse_xml, sniff_root
from reportgen.ingest.base import Ingester, Sink, Source, first_line
from reportgen.model import Attempt, Outcome

if TYPE_CHECKING:
    from lxml import etree

_OUTCOMES = {
    "PASS": Outcome.PASSED,
    "FAIL": Outcome.FAILED,
    "SKIP": Outcome.SKIPPED,
    "NOT RUN": Outcome.SKIPPED,
}
#: What `rebot --merge` writes into a re-executed test's status message, newest first; a test
#: merged again keeps the earlier merge inside its old message.
_OLD_STATUS = re.compile(r'<span class="old-status">Old status:</span>\s*<span class="(\w+)">')
_MERGED = "Test has been re-executed and results merged."


def _status(element: etree._Element) -> tuple[str, str | None]:
    """(status, message) of a test or suite: its own `<status>` child."""
    status = child(element, "status")
    if status is None:
        return "", None
    text = (status.text or "").strip() or None
    return (status.get("status") or "").upper(), text


def _dry_run(test: etree._Element) -> bool:
    """No keyword of a passed test ran: a `--dryrun` checked it without running it.

    Only keywords that call no other are looked at: in a dry run, `Run Keyword ...` and IF
    branches pass while every keyword under them is NOT RUN.
    """
    leaves = [kw for kw in test.iter("kw") if child(kw, "kw") is None]
    return bool(leaves) and all(_status(kw)[0] == "NOT RUN" for kw in leaves)


def _seconds(status: etree._Element | None) -> float | None:
    if status is None or status.get("elapsed") is None:
        return None  # Robot 6 and older write start and end times only
    try:
        return float(status.get("elapsed") or "")
    except ValueError:
        return None


def _teardown(suite: etree._Element) -> tuple[str, str] | None:
    """(status, message) of a suite's teardown keyword when it failed or skipped."""
    for kw in children(suite, "kw"):
        if (kw.get("type") or "").upper() == "TEARDOWN":
            status, message = _status(kw)
            if status in ("FAIL", "SKIP"):
                return status, message or ""
    return None


def _after_teardowns(
    status: str, message: str | None, teardowns: tuple[tuple[str, str], ...]
) -> tuple[str, str | None]:
    """A test's status and message once the failed or skipped teardowns of the suites around it
    (innermost first) are applied, as Robot's `SuiteTeardownFailed` applies them: a failed
    teardown fails every test that was not skipped, a skipped one skips every test."""
    for kind, text in teardowns:
        if kind == "FAIL":
            if status != "SKIP":
                status = "FAIL"
            prefix = "\n\nAlso parent suite teardown failed:\n" if message else ""
            message = (message or "") + (prefix or "Parent suite teardown failed:\n") + text
        else:
            status = "SKIP"
            message = f"Skipped in parent suite teardown:\n{text}" + (
                f"\n\nEarlier message:\n{message}" if message else ""
            )
    return status, message


def _declared(root: etree._Element) -> tuple[int, int] | None:
    """(tests, failed) from the file's `<statistics><total>`: its last `<stat>` is all tests
    (Robot 3 writes critical tests before it)."""
    statistics = child(root, "statistics")
    total = child(statistics, "total") if statistics is not None else None
    stats = children(total, "stat") if total is not None else []
    if not stats:
        return None
    try:
        counts = [int(stats[-1].get(key) or "0") for key in ("pass", "fail", "skip")]
    except ValueError:
        return None
    return sum(counts), counts[1]


class _Walk:
    """One read of an output.xml: its tests into the sink, counted as read."""

    def __init__(self, sink: Sink, teardowns: bool) -> None:
        self.sink = sink
        #: Whether the suite teardowns' failures are still to be applied to the tests.
        self.teardowns = teardowns
        self.tests = 0
        self.failed = 0
        self.dry = 0

    def suite(
        self, suite: etree._Element, path: tuple[str, ...], teardowns: tuple[tuple[str, str], ...]
    ) -> None:
        """Read the tests of a suite and its child suites. `teardowns` are the failed or
        skipped teardowns of the suites around it, innermost first."""
        path = (*path, suite.get("name") or "(suite)")
        own = _teardown(suite) if self.teardowns else None
        if own is not None:
            teardowns = (own, *teardowns)
        for item in suite:
            if not isinstance(item.tag, str):
                continue
            if item.tag == "suite":
                self.suite(item, path, teardowns)
            elif item.tag == "test":
                self.test(item, path, teardowns)

    def test(
        self, test: etree._Element, path: tuple[str, ...], teardowns: tuple[tuple[str, str], ...]
    ) -> None:
        status, message = _after_teardowns(*_status(test), teardowns)
        outcome = _OUTCOMES.get(status)
        if outcome is None:
            outcome = Outcome.ERROR
            message = f"unknown Robot status {status!r}" if status else "no status"
        if outcome is Outcome.PASSED and _dry_run(test):
            self.dry += 1
            outcome = Outcome.SKIPPED
            message = "dry run: its keywords were not run"
        attempts: list[Attempt] = []
        if message and _MERGED in message:
            # Oldest first; the newest old status is the last but one attempt.
            for old in reversed(_OLD_STATUS.findall(message)):
                attempts.append(Attempt(outcome=_OUTCOMES.get(old.upper(), Outcome.ERROR)))
            attempts.append(Attempt(outcome=outcome))
            message = html.unescape(re.sub(r"<[^>]+>", " ", message.removeprefix("*HTML*")))
        self.tests += 1
        self.failed += outcome in (Outcome.FAILED, Outcome.ERROR)
        duration = _seconds(child(test, "status"))
        line = test.get("line")
        self.sink.test(
            name=test.get("name") or "(test)",
            classname=".".join(path),
            suite=path,
            outcome=outcome,
            duration=duration,
            message=first_line(message) if outcome is not Outcome.PASSED else None,
            output=message if outcome is not Outcome.PASSED else None,
            line=int(line) if line and line.isdigit() else None,
            attempts=attempts if len(attempts) > 1 else (),
            flaky=outcome is Outcome.PASSED
            and any(a.outcome in (Outcome.FAILED, Outcome.ERROR) for a in attempts),
            merge=False,
        )


class RobotIngester(Ingester):
    """Robot Framework output.xml (robot, rebot, rebot --merge)."""

    name = "robot"
    description = "Robot Framework output.xml (robot, rebot, rebot --merge)"
    patterns = ("output.xml", "*output*.xml")

    def sniff(self, head: bytes, path: str) -> float:
        root = sniff_root(head)
        if root is None or root[0] != "robot":
            return 0.0
        return 0.9 if "generator=" in root[2] else 0.5

    def read(self, source: Source, sink: Sink) -> None:
        with source.open() as handle:
            data = handle.read()
        root = parse_xml(data, source)
        if local_name(root.tag) != "robot":
            raise source.error(f"not Robot Framework output: root element is <{root.tag}>")
        generated = root.get("generated")
        if generated and "T" in generated:
            sink.timestamp = generated
        # rebot writes the tests under a failed suite teardown as failed already; robot does
        # not (nor, to be safe, an unknown generator: applying it twice changes no status).
        walk = _Walk(sink, not (root.get("generator") or "").upper().startswith("REBOT"))
        for suite in children(root, "suite"):
            walk.suite(suite, (), ())
        declared = _declared(root)
        if declared is not None:
            sink.check_counts(
                "<statistics>",
                declared_total=declared[0],
                total=walk.tests,
                declared_bad=declared[1],
                bad=walk.failed,
            )
        if walk.dry:
            sink.warn(
                f"{walk.dry} test(s) of a dry run (robot --dryrun): their keywords were not "
                "run, so they are read as skipped"
            )
