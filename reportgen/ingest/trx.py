"""Visual Studio TRX ingester (`dotnet test --logger trx`, vstest.console, MSTest, xUnit, NUnit).

Each `UnitTestResult` is one test, joined to its `UnitTest` definition by `testId` for the
class name (display names such as `Should be even number(i: 3)` differ from the method). A
result with `InnerResults` (data-driven or ordered tests) is counted by its inner results;
when it says it failed and none of them did, that failure is one more test, an error.
The same `testId` reported twice is two executions (unmarked repeats), never attempts of one:
VSTest has no notion of retries (MSTest's `[Retry]` hands it only the final result), and an
xUnit theory whose data is not enumerated at discovery is one test case whose rows all report
under its `testId`, often with the same display name.
`Inconclusive`, `NotExecuted` and `Pending` are skipped, as are `Completed` (ran, pass or fail
unsaid) and `Warning` (ran with problems), which are no pass; xUnit v3's synthetic
`[Test Class Cleanup Failure (...)]` results, `Error`, `Aborted`, `NotRunnable`,
`Disconnected` and `InProgress` are errors (outside the test body, or never finished).
`ResultSummary/Counters` are checked against the results and a mismatch is a warning.
An `Error` RunInfo that says the run was aborted (the test host crashed) flags the file as
aborted; any other `Error` RunInfo in a file that shows no failed test is an error that belongs
to no test; a run outcome `Failed` with nothing failed or in error is a contradiction.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from reportgen import numbers
from reportgen.ingest._safexml import child, children, local_name, parse_xml, sniff_root, text_of
from reportgen.ingest.base import Ingester, Sink, Source, first_line
from reportgen.model import IntegrityKind, Outcome

if TYPE_CHECKING:
    from lxml import etree

_NAMESPACE = "microsoft.com/schemas/visualstudio/teamtest"

#: TRX outcome (lower case) -> model outcome.
_OUTCOMES: dict[str, Outcome] = {
    "passed": Outcome.PASSED,
    "passedbutrunaborted": Outcome.PASSED,
    # Neither is a pass: `Completed` says the test ran without saying whether it passed,
    # `Warning` that it ran but had problems. Not run, as far as evidence goes.
    "warning": Outcome.SKIPPED,
    "completed": Outcome.SKIPPED,
    "failed": Outcome.FAILED,
    "timeout": Outcome.FAILED,
    "error": Outcome.ERROR,
    "aborted": Outcome.ERROR,
    "notrunnable": Outcome.ERROR,
    "disconnected": Outcome.ERROR,
    "inprogress": Outcome.ERROR,
    "notexecuted": Outcome.SKIPPED,
    "inconclusive": Outcome.SKIPPED,
    "pending": Outcome.SKIPPED,
}

# TimeSpan text: [d.]hh:mm:ss[.fffffff]
_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")
# "System.DivideByZeroException : Attempted..." -> the exception type.
_EXCEPTION = re.compile(r"^\s*([A-Za-z_][\w.`+]*(?:Exception|Error))\s*:")
# xUnit v3 reports class/collection/assembly fixture failures as fake test results.
# vstest's own words when the run stopped early ("The active test run was aborted. Reason:
# Test host process crashed ...").
_RUN_ABORTED = re.compile(r"\babort(?:ed)?\b|\bcrash(?:ed)?\b", re.IGNORECASE)
_FIXTURE_FAILURE = re.compile(
    r"^\[Test (?:Class|Collection|Assembly) (?:Cleanup|Setup|Init\w*)? ?Failure \((.+)\)\]$"
)


def parse_timespan(text: str | None) -> float | None:
    """A .NET TimeSpan (`00:00:01.2345678`, `1.02:03:04`) in seconds; None if unreadable."""
    if not text:
        return None
    match = _TIMESPAN.match(text.strip())
    if match is None:
        return None
    days, hours, minutes, seconds = match.groups()
    return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)


class TrxIngester(Ingester):
    """Visual Studio / VSTest TRX result files."""

    name = "trx"
    description = "Visual Studio TRX (dotnet test --logger trx, vstest.console, MSTest)"
    patterns = ("*.trx",)

    def sniff(self, head: bytes, path: str) -> float:
        root = sniff_root(head)
        if root is None or root[0] != "TestRun":
            return 0.0
        if _NAMESPACE in root[1].lower():
            return 0.95
        return 0.6 if path.lower().endswith(".trx") else 0.3

    def read(self, source: Source, sink: Sink) -> None:
        with source.open() as handle:
            data = handle.read()
        root = parse_xml(data, source)
        if local_name(root.tag) != "TestRun":
            raise source.error(f"not a TRX file: root element is <{local_name(root.tag)}>")
        times = child(root, "Times")
        if times is not None:
            sink.timestamp = times.get("start") or times.get("creation")

        classes: dict[str, tuple[str | None, str | None]] = {}
        categories: dict[str, str] = {}
        definitions = child(root, "TestDefinitions")
        if definitions is not None:
            for test in definitions:
                if not isinstance(test.tag, str):
                    continue
                test_id = test.get("id")
                method = child(test, "TestMethod")
                if test_id is None:
                    continue
                classname = method.get("className") if method is not None else None
                method_name = method.get("name") if method is not None else None
                classes[test_id] = (classname or None, method_name)
                category = child(test, "TestCategory")
                if category is not None:
                    names = [
                        c.get("TestCategory", "") for c in children(category, "TestCategoryItem")
                    ]
                    if any(names):
                        categories[test_id] = ", ".join(n for n in names if n)

        results = child(root, "Results")
        raw = Counter[str]()
        reader = _ResultReader(sink, classes, categories, raw)
        if results is not None:
            for result in results:
                if isinstance(result.tag, str):
                    reader.result(result)
        _check_counters(root, raw, sink)
        summary = child(root, "ResultSummary")
        run_outcome = (summary.get("outcome") or "") if summary is not None else ""
        if run_outcome.lower() in ("aborted", "error", "timeout", "disconnected"):
            sink.flag(
                IntegrityKind.ABORTED,
                f"the test run ended {run_outcome!r} (ResultSummary outcome): it did not finish",
            )
        elif raw["aborted"] or raw["passedbutrunaborted"] or raw["disconnected"]:
            sink.flag(
                IntegrityKind.ABORTED,
                "results say the run was aborted or the test host disconnected",
            )
        failing = sum(raw[k] for k in _FAILING_OUTCOMES)
        run_errors = _read_run_infos(summary, sink, failing)
        if run_outcome.lower() == "failed" and not failing and not run_errors:
            sink.flag(
                IntegrityKind.FAILURES_MISSING,
                "the test run outcome is 'Failed' (ResultSummary) but no test failed and no "
                "run-level error is recorded: the failure is not in the file",
            )


#: Result outcomes (lower case) that show a failure or error.
_FAILING_OUTCOMES = (
    "failed",
    "timeout",
    "error",
    "aborted",
    "notrunnable",
    "disconnected",
    "inprogress",
)


def _read_run_infos(summary: etree._Element | None, sink: Sink, failing: int) -> int:
    """Read the `Error` RunInfos of the ResultSummary; returns how many there are.

    vstest's TrxLogger writes every run-level message of level Error as a RunInfo of outcome
    `Error` and marks the run Failed (microsoft/vstest,
    src/Microsoft.TestPlatform.Extensions.TrxLogger/TrxLogger.cs, TestMessageHandler); a test
    host crash arrives that way, after the results of the tests that finished. `Warning`
    RunInfos (adapter notices, skipped-test lines) say nothing failed and are left alone.
    """
    runs = child(summary, "RunInfos") if summary is not None else None
    if runs is None:
        return 0
    errors = 0
    for number, info in enumerate(children(runs, "RunInfo"), start=1):
        if (info.get("outcome") or "").lower() != "error":
            continue
        errors += 1
        text = (text_of(child(info, "Text")) or "").strip()
        line = info.sourceline if isinstance(info.sourceline, int) else None
        if _RUN_ABORTED.search(text):
            sink.flag(
                IntegrityKind.ABORTED,
                f"the test run was aborted (RunInfo): {first_line(text)}",
                line,
            )
        elif not failing:
            # With failed tests in the file an Error RunInfo is most often the adapter's echo
            # of them ("[xUnit.net ...] X [FAIL]", "Exit code indicates failure"); without
            # any, it is the only trace of what made the run fail.
            sink.test(
                name=f"run error (RunInfo {number})",
                outcome=Outcome.ERROR,
                message=text or "the run reported an error with no text",
                unattributed=True,
            )
    return errors


def _any_failing(results: list[etree._Element]) -> bool:
    """Whether any of `results`, or of their own inner results, has a failing outcome."""
    for result in results:
        if (result.get("outcome") or "").lower() in _FAILING_OUTCOMES:
            return True
        inner = child(result, "InnerResults")
        if inner is not None and _any_failing([x for x in inner if isinstance(x.tag, str)]):
            return True
    return False


class _ResultReader:
    """Turns UnitTestResult elements (and their inner results) into tests."""

    def __init__(
        self,
        sink: Sink,
        classes: dict[str, tuple[str | None, str | None]],
        categories: dict[str, str],
        raw: Counter[str],
    ) -> None:
        self.sink = sink
        self.classes = classes
        self.categories = categories
        self.raw = raw

    def result(self, element: etree._Element, parent: str | None = None, row: int = 0) -> None:
        test_id = element.get("testId", "")
        name = element.get("testName") or test_id or "(unnamed)"
        outcome_text = element.get("outcome") or ""
        inner = child(element, "InnerResults")
        inner_results = [r for r in inner if isinstance(r.tag, str)] if inner is not None else []
        if inner_results:
            # Data-driven and ordered tests: the inner results are the tests, not the parent.
            for number, sub in enumerate(inner_results, start=1):
                self.result(sub, name, number)
            if outcome_text.lower() in _FAILING_OUTCOMES and not _any_failing(inner_results):
                # The parent failed where no row did (a data source that did not load, an
                # ordered test's own failure): read as the rows alone it would pass.
                output_el = child(element, "Output")
                info = child(output_el, "ErrorInfo") if output_el is not None else None
                message = text_of(child(info, "Message")) if info is not None else None
                self.sink.test(
                    name=f"{name} (outside its rows)",
                    classname=self.classes.get(test_id, (None, None))[0],
                    outcome=Outcome.ERROR,
                    message=message
                    or f"the result says {outcome_text} though none of its "
                    f"{len(inner_results)} inner results failed",
                )
            return
        self.raw[outcome_text.lower()] += 1
        classname, _method = self.classes.get(test_id, (None, None))
        properties: dict[str, str] = {}
        outcome = _OUTCOMES.get(outcome_text.lower())
        if outcome is None:
            self.sink.warn(
                f"unknown TRX outcome {outcome_text!r} for {name!r}: counted as an error",
                once=f"outcome:{outcome_text}",
            )
            outcome = Outcome.ERROR
        fixture = _FIXTURE_FAILURE.match(name)
        if fixture and outcome == Outcome.FAILED:
            # A fixture cleanup/setup failure happened outside any test body.
            outcome = Outcome.ERROR
            classname = classname or fixture.group(1).rpartition(".")[0] or None
            properties["fixture_failure"] = "true"
        if outcome_text and outcome_text.lower() not in ("passed", "failed", "notexecuted"):
            properties["trx_outcome"] = outcome_text
        if test_id in self.categories:
            properties["categories"] = self.categories[test_id]
        data_row = element.get("dataRowInfo")
        if data_row:
            properties["data_row"] = data_row
        if parent is not None and name == parent:
            # Data rows often repeat the parent's name: the row tells them apart.
            name = f"{name} (row {data_row or row})"
        if classname and name.startswith(classname + "."):
            name = name[len(classname) + 1 :]

        output_el = child(element, "Output")
        message = stack = stdout = stderr = None
        if output_el is not None:
            info = child(output_el, "ErrorInfo")
            if info is not None:
                message = text_of(child(info, "Message"))
                stack = text_of(child(info, "StackTrace"))
            stdout = text_of(child(output_el, "StdOut"))
            stderr = text_of(child(output_el, "StdErr"))
            debug = text_of(child(output_el, "DebugTrace"))
            if debug:
                stdout = f"{stdout}\n{debug}" if stdout else debug
        if outcome == Outcome.SKIPPED and message is None and stdout:
            # xUnit puts a skip reason only in StdOut.
            message = stdout.strip().splitlines()[0]
        if fixture and outcome == Outcome.ERROR and message is None:
            message = "test fixture failure reported by the runner (no details in the TRX)"
        exception = _EXCEPTION.match(message) if message else None
        if outcome_text.lower() == "timeout":
            exc_type: str | None = "Timeout"
        else:
            exc_type = exception.group(1) if exception else None
        output = "\n".join(part for part in (stack, stdout, stderr) if part) or None

        # A repeated testId stays an execution of its own (merge=False): nothing in a TRX marks
        # a result as a retry, and the rows of an xUnit theory not enumerated at discovery
        # share one testId; merged as attempts, a failed row followed by a passing one would
        # read as a flaky pass.
        self.sink.test(
            name=name,
            classname=classname,
            outcome=outcome,
            duration=parse_timespan(element.get("duration")),
            message=message,
            type=exc_type,
            output=output,
            properties=properties or None,
            merge=False,
            # A class, collection or assembly fixture failure belongs to no test.
            unattributed=bool(fixture) and outcome is Outcome.ERROR,
        )


def _check_counters(root: etree._Element, raw: Counter[str], sink: Sink) -> None:
    """Warn when the declared ResultSummary counters disagree with the results read."""
    summary = child(root, "ResultSummary")
    counters = child(summary, "Counters") if summary is not None else None
    if counters is None:
        return
    total = sum(raw.values())
    not_run = raw["notexecuted"] + raw["notrunnable"] + raw["pending"]
    found: dict[str, int] = {
        "total": total,
        "executed": total - not_run,
        "passed": raw["passed"],
        "failed": raw["failed"],
        "error": raw["error"],
        "timeout": raw["timeout"],
        "aborted": raw["aborted"],
        "inconclusive": raw["inconclusive"],
        "notExecuted": raw["notexecuted"],
        "notRunnable": raw["notrunnable"],
    }

    def said_count(attribute: str) -> int | None:
        return numbers.count_or_none(counters.get(attribute))

    bad_keys = ("failed", "error", "timeout", "aborted")
    said = [said_count(k) for k in bad_keys]
    sink.check_counts(
        "ResultSummary",
        declared_total=said_count("total"),
        total=total,
        declared_bad=sum(n for n in said if n is not None)
        if any(n is not None for n in said)
        else None,
        bad=sum(found[k] for k in bad_keys),
    )
    disagreements = []
    for attribute, count in found.items():
        declared = counters.get(attribute)
        stated = numbers.count_or_none(declared)
        if stated is not None and stated != count:
            disagreements.append(f"{attribute}={declared} (results: {count})")
    if disagreements:
        sink.warn(
            "ResultSummary counters disagree with the results; the results are used: "
            + ", ".join(disagreements)
        )
