"""Jest `--json` ingester: test files, their assertion results, and suites that failed to run.

Each assertion result is one test; its suite path is the test file followed by its
`ancestorTitles` (describe blocks), and so is its classname, so that the canonical id
`file › describe › ...::title` tells apart tests of the same describe path and title in two
files (the file is made relative to the directory the report's test files share).
Statuses: `passed` and `failed` as named; `pending`, `skipped`, `todo` and `disabled` become
skipped with the original status kept in the `status` property; an unknown status is also
skipped (never evidence of a pass). A test that passed after `jest.retryTimes` retries
(`invocations` > 1, `retryReasons`) is flaky, and so is a passed test that carries failure
messages (Vitest's JSON, Jest's shape without `invocations`, keeps one per failed attempt of a
test that passed on a `retry`). A test file
whose status is failed while none of its tests failed (a syntax error, a throwing
`beforeAll`, `testExecError`) adds one error test, `[test file failed]`, so a file that
never ran cannot look green.
Results are never merged by name: `test.each` rows and old reports without `ancestorTitles`
repeat titles for tests that are distinct.
"""

from __future__ import annotations

from typing import Any, ClassVar

from reportgen.ingest._jsonread import (
    arr,
    check_declared,
    head_keys,
    load_document,
    ms_to_s,
    note_timestamp,
    obj,
    opt_arr,
    opt_int,
    opt_num,
    opt_str,
    type_name,
)
from reportgen.ingest.base import Ingester, Sink, Source, cap_output, clean_optional, first_line
from reportgen.model import SCOPE_SEPARATOR, Attempt, Outcome

_STATUSES: dict[str, Outcome] = {
    "passed": Outcome.PASSED,
    "failed": Outcome.FAILED,
    "pending": Outcome.SKIPPED,
    "skipped": Outcome.SKIPPED,
    "todo": Outcome.SKIPPED,
    "disabled": Outcome.SKIPPED,
}
# Jest's numPendingTests covers these; todo has its own counter.
_PENDING_LIKE = ("pending", "skipped", "disabled")


#: Attempts of one test read from `invocations` (Jest's `retryTimes` plus one).
MAX_INVOCATIONS = 1_000


class JestJsonIngester(Ingester):
    """Reads the report written by `jest --json` (any Jest from 17 on)."""

    name = "jest-json"
    description = "Jest JSON (jest --json --outputFile=...)"
    patterns: ClassVar[tuple[str, ...]] = ("jest*.json", "test-results.json", "results.json")

    def sniff(self, head: bytes, path: str) -> float:
        keys = head_keys(head)
        counters = sum(
            1 for k in keys.top if k.startswith("num") and k.endswith(("Tests", "Suites"))
        )
        if "numTotalTestSuites" in keys.top or ("testResults" in keys.top and counters):
            return 0.95
        if counters >= 3:
            return 0.8  # the head was cut before testResults
        return 0.0

    def read(self, source: Source, sink: Sink) -> None:
        doc = obj(load_document(source), source, "document")
        if "testResults" not in doc:
            raise source.error("testResults: missing (not a jest --json report?)")
        files = arr(doc["testResults"], source, "testResults")
        start = opt_num(doc, "startTime", source, "document")
        if start is not None and start > 0:
            note_timestamp(sink, start, epoch_ms=True)

        counts: dict[str, int] = dict.fromkeys((*_STATUSES, "other"), 0)
        total = 0
        for index, raw in enumerate(files):
            at = f"testResults[{index}]"
            total += _read_file(obj(raw, source, at), source, sink, at, counts)

        declared = {
            "numTotalTests": opt_int(doc, "numTotalTests", source, "document"),
            "numPassedTests": opt_int(doc, "numPassedTests", source, "document"),
            "numFailedTests": opt_int(doc, "numFailedTests", source, "document"),
            "numPendingTests": opt_int(doc, "numPendingTests", source, "document"),
            "numTodoTests": opt_int(doc, "numTodoTests", source, "document"),
            # Vitest's Jest-shaped report counts describe blocks as suites too.
            "numTotalTestSuites": None
            if _is_vitest(doc, files)
            else opt_int(doc, "numTotalTestSuites", source, "document"),
        }
        check_declared(
            sink,
            declared,
            {
                "numTotalTests": total,
                "numPassedTests": counts["passed"],
                "numFailedTests": counts["failed"],
                "numPendingTests": sum(counts[s] for s in _PENDING_LIKE),
                "numTodoTests": counts["todo"],
                "numTotalTestSuites": len(files),
            },
            "the summary",
            total="numTotalTests",
            bad=("numFailedTests",),
        )


def _is_vitest(doc: dict[str, Any], files: list[Any]) -> bool:
    """Whether Vitest wrote the report (`--reporter=json`): its results carry `meta`, and
    it writes none of Jest's `numRuntimeErrorTestSuites`."""
    if "numRuntimeErrorTestSuites" in doc:
        return False
    return any(
        isinstance(f, dict)
        and any(isinstance(a, dict) and "meta" in a for a in f.get("assertionResults") or ())
        for f in files
    )


def _read_file(
    result: dict[str, Any], source: Source, sink: Sink, at: str, counts: dict[str, int]
) -> int:
    """Record the tests of one test file; return how many assertion results it had."""
    path = opt_str(result, "name", source, at) or opt_str(result, "testFilePath", source, at)
    file_name = path or f"<test file {at}>"
    assertions = opt_arr(result, "assertionResults", source, at)
    failed_here = 0
    for index, raw in enumerate(assertions):
        where = f"{at}.assertionResults[{index}]"
        status = _read_assertion(obj(raw, source, where), source, sink, where, file_name, path)
        counts[status if status in counts else "other"] += 1
        failed_here += status == "failed"

    file_status = opt_str(result, "status", source, at)
    exec_error = result.get("testExecError")
    if not failed_here and (file_status == "failed" or exec_error):
        message = opt_str(result, "failureMessage", source, at) or opt_str(
            result, "message", source, at
        )
        if isinstance(exec_error, dict):
            message = (
                str(exec_error.get("message") or "") + "\n" + str(exec_error.get("stack") or "")
            )
        sink.test(
            name="[test file failed]",
            suite=(file_name,),
            outcome=Outcome.ERROR,
            message=first_line(message) or "the test file failed without a failing test",
            type="suite error",
            output=message,
            file=path,
            merge=False,
            unattributed=True,
        )
    return len(assertions)


def _failed_attempt(text: str) -> Attempt:
    """A failed attempt of a retried test, from the error it left (its first line the message)."""
    return Attempt(
        outcome=Outcome.FAILED,
        message=clean_optional(first_line(text)),
        output=cap_output(text)[0],
    )


def _read_assertion(
    test: dict[str, Any], source: Source, sink: Sink, at: str, file_name: str, path: str | None
) -> str:
    title = test.get("title")
    if not isinstance(title, str):
        raise source.error(f"{at}.title: expected a string, got {type_name(title)}")
    status = test.get("status")
    if not isinstance(status, str):
        raise source.error(f"{at}.status: expected a string, got {type_name(status)}")
    outcome = _STATUSES.get(status)
    properties: dict[str, str] = {}
    if outcome is None:
        sink.warn(f"unknown Jest status {status[:40]!r} read as skipped", once=f"status:{status}")
        outcome = Outcome.SKIPPED
    if outcome is Outcome.SKIPPED and status != "skipped":
        properties["status"] = status
    ancestors = opt_arr(test, "ancestorTitles", source, at)
    if not all(isinstance(a, str) for a in ancestors):
        raise source.error(f"{at}.ancestorTitles: expected an array of strings")
    failures = [str(m) for m in opt_arr(test, "failureMessages", source, at)]
    output = "\n\n".join(failures) or None
    line: int | None = None
    location = test.get("location")
    if isinstance(location, dict):
        line = opt_int(location, "line", source, f"{at}.location")

    attempts: list[Attempt] = []
    retries = [str(r) for r in opt_arr(test, "retryReasons", source, at)]
    attempts.extend(_failed_attempt(reason) for reason in retries)
    # Jest 29 fills retryReasons only with logErrorsBeforeRetry; invocations is always set.
    invocations = opt_int(test, "invocations", source, at) or 0
    if invocations > MAX_INVOCATIONS:
        # Each invocation becomes an attempt the model keeps: a count no `retryTimes` gives
        # would be unbounded work, and a file that claims it is not to be trusted.
        raise source.error(
            f"{at}.invocations: {invocations} is more than the {MAX_INVOCATIONS:,} attempts "
            "read for one test"
        )
    while len(attempts) < invocations - 1:
        attempts.append(Attempt(outcome=Outcome.FAILED))
    if outcome is Outcome.PASSED and not attempts:
        # Vitest writes Jest's shape without `invocations`: a test that passed on a `retry`
        # keeps the error of each failed attempt in `failureMessages`, its only trace.
        attempts.extend(_failed_attempt(failure) for failure in failures)
    duration = ms_to_s(opt_num(test, "duration", source, at))
    if attempts:
        properties["retries"] = str(len(attempts))
        attempts.append(Attempt(outcome=outcome, duration=duration))
    sink.test(
        name=title,
        classname=SCOPE_SEPARATOR.join((file_name, *ancestors)),
        suite=(file_name, *ancestors),
        outcome=outcome,
        duration=duration,
        message=first_line(failures[0]) if failures else None,
        output=output,
        file=path,
        line=line,
        properties=properties or None,
        attempts=attempts,
        # Jest retries only failed tests, so a pass after retries followed failures.
        flaky=outcome is Outcome.PASSED and bool(attempts),
        merge=False,
    )
    return status
