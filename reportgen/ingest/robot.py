"""Robot Framework output.xml ingester: each test's own status, `rebot --merge` reruns read as
the retries they were, and a `--dryrun` (no keyword run) read as tests that did not run.

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
        dry = 0
        for suite in children(root, "suite"):
            dry += self._suite(suite, (), sink)
        if dry:
            sink.warn(
                f"{dry} test(s) of a dry run (robot --dryrun): their keywords were not run, "
                "so they are read as skipped"
            )

    def _suite(self, suite: etree._Element, path: tuple[str, ...], sink: Sink) -> int:
        """Read the tests of a suite and its child suites; return the dry-run tests."""
        path = (*path, suite.get("name") or "(suite)")
        dry = 0
        for item in suite:
            if not isinstance(item.tag, str):
                continue
            if item.tag == "suite":
                dry += self._suite(item, path, sink)
            elif item.tag == "test":
                dry += self._test(item, path, sink)
        return dry

    def _test(self, test: etree._Element, path: tuple[str, ...], sink: Sink) -> int:
        status, message = _status(test)
        outcome = _OUTCOMES.get(status)
        if outcome is None:
            outcome = Outcome.ERROR
            message = f"unknown Robot status {status!r}" if status else "no status"
        dry = outcome is Outcome.PASSED and _dry_run(test)
        if dry:
            outcome = Outcome.SKIPPED
            message = "dry run: its keywords were not run"
        attempts: list[Attempt] = []
        if message and _MERGED in message:
            # Oldest first; the newest old status is the last but one attempt.
            for old in reversed(_OLD_STATUS.findall(message)):
                attempts.append(Attempt(outcome=_OUTCOMES.get(old.upper(), Outcome.ERROR)))
            attempts.append(Attempt(outcome=outcome))
            message = html.unescape(re.sub(r"<[^>]+>", " ", message.removeprefix("*HTML*")))
        duration = _seconds(child(test, "status"))
        line = test.get("line")
        sink.test(
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
        return int(dry)
