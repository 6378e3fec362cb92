"""pytest-json-report ingester: per-phase results mapped as pytest's own JUnit writer maps them.

Each test carries `setup`, `call` and `teardown` phases. A failing setup is an error; a failing
call is a failure; a failing teardown after a passing call is an error, and after a failing
call it is a second execution of the same test (exactly what pytest's `--junitxml` writes as a
duplicate testcase), so the JUnit and JSON reports of one session give the same counts and ids.
`xfailed` becomes skipped and `xpassed` passed, both with the original status in the `status`
property; a strict xpass is already reported by pytest as failed. Collection errors become
error tests named after the module that failed to import.

A test that pytest-rerunfailures ran again has the outcome `rerun` and the phases of its last
attempt: a marked retry. The last attempt decides, and an earlier failed attempt (which the
report does not keep) stands before it, so a pass on a rerun is flaky. pytest-retry's
`retried` (a pass after retries) is read the same way.
"""

from __future__ import annotations

import math
import re
from typing import Any, ClassVar

from reportgen.ingest._jsonread import (
    arr,
    check_declared,
    head_keys,
    load_document,
    note_timestamp,
    obj,
    opt_arr,
    opt_int,
    opt_num,
    opt_str,
    req_str,
)
from reportgen.ingest.base import Ingester, Sink, Source, first_line
from reportgen.model import Attempt, Outcome

_OUTCOMES: dict[str, Outcome] = {
    "passed": Outcome.PASSED,
    "failed": Outcome.FAILED,
    "error": Outcome.ERROR,
    "skipped": Outcome.SKIPPED,
    "xfailed": Outcome.SKIPPED,
    "xpassed": Outcome.PASSED,
}
_PHASES = ("setup", "call", "teardown")
_TEXT_KEYS = frozenset({"longrepr", "stdout", "stderr", "log"})
#: pytest-rerunfailures' outcome of a test it ran again; the phases are the last attempt's.
_RERUN = "rerun"
#: pytest-retry's outcome of a test that passed after retries (it marks no other outcome).
_RETRIED = "retried"
_RERUNS = (_RERUN, _RETRIED)
# pytest writes a skip's longrepr as the repr of a (path, lineno, reason) tuple.
_SKIP_TUPLE = re.compile(
    r"""^\(['"](?P<path>.*)['"], (?P<line>\d+), (?P<q>['"])(?P<reason>.*)(?P=q)\)$""", re.S
)


def mangle_nodeid(nodeid: str) -> tuple[str | None, str]:
    """(classname, name) for a pytest node id, as pytest's junitxml plugin derives them.

    `tests/test_x.py::TestA::test_b[p]` gives (`tests.test_x.TestA`, `test_b[p]`); parameters
    may contain `::` and `/`, so they are split off first.
    """
    path, bracket, params = nodeid.partition("[")
    names = path.split("::")
    names[0] = _without_py(names[0].replace("/", "."))
    names[-1] += bracket + params
    classname = ".".join(names[:-1])
    return (classname or None), names[-1]


def _without_py(module: str) -> str:
    """`re.sub(r"\\.py$", "", module)` without the regular expression (`$` also matches
    before a final newline)."""
    if module.endswith(".py"):
        return module[:-3]
    if module.endswith(".py\n"):
        return module[:-4] + "\n"
    return module


class PytestJsonIngester(Ingester):
    """Reads the JSON report written by `pytest --json-report` (pytest-json-report)."""

    name = "pytest-json"
    description = "pytest-json-report (pytest --json-report)"
    patterns: ClassVar[tuple[str, ...]] = (".report.json", "report.json", "pytest*.json")

    def sniff(self, head: bytes, path: str) -> float:
        keys = head_keys(head)
        if "created" not in keys.top:
            return 0.0
        hits = sum(k in keys.top for k in ("exitcode", "root", "environment", "summary", "tests"))
        if hits >= 2 and ("exitcode" in keys.top or "tests" in keys.top):
            return 0.9
        return 0.3 if hits else 0.0

    def read(self, source: Source, sink: Sink) -> None:
        doc = obj(load_document(source), source, "document")
        if "tests" not in doc:
            raise source.error(
                "tests: missing (a report written with --json-report-omit tests cannot be read)"
            )
        created = opt_num(doc, "created", source, "document")
        if created is not None:
            note_timestamp(sink, created)

        raw_counts: dict[str, int] = dict.fromkeys((*_OUTCOMES, *_RERUNS), 0)
        tests = arr(doc["tests"], source, "tests")
        for index, raw in enumerate(tests):
            at = f"tests[{index}]"
            raw_counts[_read_test(obj(raw, source, at), source, sink, at)] += 1

        collection_errors = 0
        for index, raw in enumerate(opt_arr(doc, "collectors", source, "document")):
            at = f"collectors[{index}]"
            collector = obj(raw, source, at)
            if collector.get("outcome") != "failed":
                continue
            collection_errors += 1
            nodeid = req_str(collector, "nodeid", source, at)
            classname, name = mangle_nodeid(nodeid or "<session>")
            longrepr = _longrepr(collector.get("longrepr"))
            sink.test(
                name=name,
                classname=classname,
                outcome=Outcome.ERROR,
                message=first_line(longrepr) or "collection failed",
                type="collection error",
                output=longrepr,
                file=nodeid.partition("::")[0] or None,
                unattributed=True,
            )

        summary = doc.get("summary")
        if isinstance(summary, dict):
            declared = {k: opt_int(summary, k, source, "summary") for k in raw_counts}
            # pytest counts collection errors under "error" as well.
            counted = {**raw_counts, "error": raw_counts["error"] + collection_errors}
            declared["total"] = opt_int(summary, "total", source, "summary")
            counted["total"] = len(tests)
            check_declared(
                sink, declared, counted, "summary", total="total", bad=("failed", "error")
            )


def _longrepr(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def _phase_text(phase: dict[str, Any], source: Source, at: str) -> str | None:
    if _TEXT_KEYS.isdisjoint(phase):
        return None  # most phases carry no text at all
    parts = [
        _longrepr(phase.get("longrepr")),
        opt_str(phase, "stdout", source, at),
        opt_str(phase, "stderr", source, at),
        opt_str(phase, "log", source, at) if isinstance(phase.get("log"), str) else None,
    ]
    return "\n".join(p for p in parts if p) or None


def _phase_message(phase: dict[str, Any], source: Source, at: str) -> str | None:
    crash = phase.get("crash")
    if isinstance(crash, dict):
        message = opt_str(crash, "message", source, f"{at}.crash")
        if message:
            return message
    longrepr = _longrepr(phase.get("longrepr"))
    if longrepr:
        skip = _SKIP_TUPLE.match(longrepr)
        return skip.group("reason") if skip else first_line(longrepr)
    return None


def _read_test(test: dict[str, Any], source: Source, sink: Sink, at: str) -> str:
    """Record one test (two executions for a failed call plus a failed teardown)."""
    nodeid = req_str(test, "nodeid", source, at)
    outcome_raw = req_str(test, "outcome", source, at)
    if outcome_raw not in _OUTCOMES and outcome_raw not in _RERUNS:
        raise source.error(
            f"{at}.outcome: expected one of {', '.join([*_OUTCOMES, *_RERUNS])}, "
            f"got {outcome_raw[:40]!r}"
        )
    classname, name = mangle_nodeid(nodeid)
    lineno = opt_int(test, "lineno", source, at)
    phases: dict[str, dict[str, Any]] = {}
    durations: list[float] = []
    failures: set[str] = set()
    for when in _PHASES:
        phase = test.get(when)
        if phase is None:
            continue
        if type(phase) is not dict:
            phase = obj(phase, source, f"{at}.{when}")
        phases[when] = phase
        duration = phase.get("duration")
        # A plain non-negative float (nearly every phase) needs no further check.
        if type(duration) is not float or not 0.0 <= duration < math.inf:
            duration = opt_num(phase, "duration", source, f"{at}.{when}")
        if duration is not None and duration >= 0:
            durations.append(duration)
        if phase.get("outcome") == "failed":
            failures.add(when)
    # pytest's JUnit writer reports the total of all phases; so do we.
    total = sum(durations) if durations else None

    def failed(when: str) -> bool:
        return when in failures

    properties: dict[str, str] | None = None
    if outcome_raw in ("xfailed", "xpassed"):
        properties = {"status": outcome_raw.removesuffix("ed")}
    common: dict[str, Any] = {
        "name": name,
        "classname": classname,
        "file": nodeid.partition("::")[0] or None,
        "line": lineno + 1 if lineno is not None else None,  # pytest's lineno is 0-based
        "properties": properties,
    }
    if failed("setup"):
        where = f"{at}.setup"
        outcome, deciding = Outcome.ERROR, phases["setup"]
        kind = "setup error"
    elif failed("call"):
        where = f"{at}.call"
        outcome, deciding = Outcome.FAILED, phases["call"]
        kind = None
    elif failed("teardown"):
        where = f"{at}.teardown"
        outcome, deciding = Outcome.ERROR, phases["teardown"]
        kind = "teardown error"
    else:
        # A rerun whose last attempt failed in no phase passed (or skipped) on that attempt.
        call_outcome = phases.get("call", {}).get("outcome")
        if outcome_raw in _RERUNS:
            outcome = Outcome.SKIPPED if call_outcome == "skipped" or not phases else Outcome.PASSED
        else:
            outcome = _OUTCOMES[outcome_raw]
        if outcome is Outcome.FAILED or outcome is Outcome.ERROR:
            # Failed without a failing phase (e.g. a plugin set it): keep what the report says.
            deciding, where, kind = {}, at, None
        else:
            where = f"{at}.setup" if "call" not in phases else f"{at}.call"
            deciding, kind = phases.get("setup" if "call" not in phases else "call", {}), None
    message = _phase_message(deciding, source, where) if deciding else None
    if outcome is Outcome.PASSED and "call" in phases:
        # The deciding phase of a pass is its call: its text is read once.
        output = _phase_text(phases["call"], source, f"{at}.call")
    else:
        output = _phase_text(deciding, source, where) if deciding else None
    attempts: tuple[Attempt, ...] = ()
    if outcome_raw in _RERUNS:
        common["properties"] = {**(properties or {}), "rerun": "true"}
        attempts = (
            Attempt(outcome=Outcome.FAILED, message="an earlier attempt failed and was rerun"),
            Attempt(outcome=outcome, duration=total, message=message, type=kind),
        )
    sink.test(
        outcome=outcome,
        duration=total,
        message=message,
        type=kind,
        output=output,
        attempts=attempts,
        flaky=outcome is Outcome.PASSED and bool(attempts),
        **common,
    )
    if failed("call") and failed("teardown"):
        teardown = phases["teardown"]
        sink.test(
            outcome=Outcome.ERROR,
            duration=None,
            message=_phase_message(teardown, source, f"{at}.teardown"),
            type="teardown error",
            output=_phase_text(teardown, source, f"{at}.teardown"),
            **common,
        )
    return outcome_raw
