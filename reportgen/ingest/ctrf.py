"""CTRF JSON (Common Test Report Format) ingester, checked against the rules of the CTRF schema.

The rules of the official schema (spec 1.0.0, draft-07) are written out here rather than
loading the schema at run time. Violations that leave the data ambiguous (a test without a
name, an unknown status, a duration that is not a number) are input errors; violations that
real reporters commit while their data stays clear (pre-1.0 reports without
`reportFormat`/`specVersion`, `suite` as a `" > "`-joined string, unknown fields, counts in
`summary` that disagree with the tests) are warnings.

Outcomes: passed, failed, skipped as named; `pending` and `other` become skipped with the
original status kept in the `status` property (neither is evidence that the test passed).
A passed test with `flaky: true` is flaky; `retryAttempts` become attempts of a marked retry,
and the test's own `status` (its last attempt) decides.

Reports that reportgen wrote (`reportgen convert --to ctrf`) are read back to the same tests:
`extra.classname` is the classname (so the canonical id is the one of the source), a failed
test with `rawStatus: "error"` is an error, and the sha256 of each source listed in
`results.extra.inputs` is kept, so that a run given both the source and its conversion reads
them once.
"""

from __future__ import annotations

import contextlib
import math
import operator
import re
from array import array
from collections import Counter
from itertools import compress, repeat
from typing import Any, ClassVar

from reportgen.errors import InputError
from reportgen.ingest._jsonread import (
    arr,
    check_declared,
    head_keys,
    load_document,
    ms_to_s,
    note_timestamp,
    obj,
    opt_int,
    opt_num,
    opt_str,
    type_name,
)
from reportgen.ingest.base import (
    MAX_NAME_CHARS,
    Ingester,
    Sink,
    Source,
    TestBatch,
    cap_output,
    clean_optional,
    sink_cuts,
)
from reportgen.ingest.pytest_json import mangle_nodeid
from reportgen.model import (
    INTEGRITY_KINDS,
    OUTCOME_CODE,
    SCOPE_SEPARATOR,
    Attempt,
    IntegrityKind,
    Outcome,
    is_source_file,
)

_STATUSES: dict[str, Outcome] = {
    "passed": Outcome.PASSED,
    "failed": Outcome.FAILED,
    "skipped": Outcome.SKIPPED,
    "pending": Outcome.SKIPPED,
    "other": Outcome.SKIPPED,
}
#: How much of what a converted report says of its sources (`results.extra.inputs[].integrity`)
#: is read: a hostile file cannot make thousands of flags.
_MAX_SOURCES = 1000
_MAX_SOURCE_FLAGS = 20
_SEMVER = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")
_TOP_KEYS = frozenset(
    {
        "reportFormat",
        "specVersion",
        "reportId",
        "runId",
        "timestamp",
        "generatedBy",
        "extra",
        "results",
        "insights",
        "baseline",
    }
)
_TEST_KEYS = frozenset(
    {
        "id",
        "testId",
        "executionId",
        "name",
        "status",
        "duration",
        "start",
        "stop",
        "suite",
        "message",
        "trace",
        "snippet",
        "ai",
        "line",
        "rawStatus",
        "tags",
        "labels",
        "type",
        "filePath",
        "retries",
        "retryAttempts",
        "flaky",
        "stdout",
        "stderr",
        "threadId",
        "browser",
        "device",
        "screenshot",
        "attachments",
        "parameters",
        "steps",
        "insights",
        "extra",
    }
)
_SUMMARY_REQUIRED = ("tests", "passed", "failed", "skipped", "pending", "other", "start", "stop")
#: `results.tool.name` of reporters whose suite path is read as their harness's own id.
_SCOPED_TOOLS = frozenset({"jest", "playwright", "pytest"})
#: Test fields kept as properties when present (strings only, short).
_PROPERTY_FIELDS = ("type", "browser", "device", "threadId", "rawStatus")
_PROPERTY_KEYS = frozenset(_PROPERTY_FIELDS)
_INT_FIELDS = frozenset({"start", "stop", "line", "retries"})
_OUTPUT_KEYS = frozenset({"trace", "stdout", "stderr"})
_NO_EXTRA: dict[str, Any] = {}
#: Integers below this size are exact floats; larger ones go through `numbers.finite`.
_BIG_INT = 2**53


class CtrfIngester(Ingester):
    """Reads CTRF JSON reports (spec 1.0 and the earlier shape without `reportFormat`)."""

    name = "ctrf"
    description = "CTRF JSON (Common Test Report Format), any CTRF reporter"
    patterns: ClassVar[tuple[str, ...]] = ("ctrf-report.json", "ctrf*.json", "*.ctrf.json")

    def sniff(self, head: bytes, path: str) -> float:
        keys = head_keys(head)
        if not keys.top:
            return 0.0
        if "reportFormat" in keys.top and b'"CTRF"' in head:
            return 0.95
        # Pre-1.0 reports: {"results": {"tool": ..., "summary": ..., "tests": [...]}}.
        inner = keys.inner("results")
        if "results" in keys.top and "tool" in inner:
            return 0.9 if ("tests" in inner or "summary" in inner) else 0.7
        return 0.0

    def read(self, source: Source, sink: Sink) -> None:
        doc = obj(load_document(source), source, "document")
        _check_header(doc, source, sink)
        results = obj(doc.get("results"), source, "results")
        tool = results.get("tool")
        if tool is None:
            sink.warn("results.tool is missing (required by the CTRF schema)")
        elif not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            sink.warn("results.tool.name should be a string (CTRF schema)")
        if "tests" not in results:
            raise source.error("results.tests: missing (required by the CTRF schema)")
        tests = arr(results["tests"], source, "results.tests")
        tool_name = tool.get("name") if isinstance(tool, dict) else None
        if not isinstance(tool_name, str):
            tool_name = None  # warned about above
        sink.derived_from.extend(_sources(results))
        _source_integrity(results, sink)
        summary_raw = results.get("summary")
        summary = obj(summary_raw, source, "results.summary") if summary_raw is not None else None

        statuses: dict[str, int] = dict.fromkeys(_STATUSES, 0)
        mark = sink.mark()
        try:
            counted = _read_columns(tests, source, sink, tool_name)
        except InputError:
            counted = None  # the test-by-test reading below says where, as it always has
        if counted is None:
            sink.rewind(mark)
            counted = _read_one_by_one(tests, source, sink, tool_name)
        by_status, flaky_count, suites = counted
        statuses.update(by_status)

        if summary is None:
            sink.warn("results.summary is missing (required by the CTRF schema)")
            note_timestamp(
                sink, doc.get("timestamp") if isinstance(doc.get("timestamp"), str) else None
            )
            return
        missing = [k for k in _SUMMARY_REQUIRED if k not in summary]
        if missing:
            sink.warn(f"results.summary lacks {', '.join(missing)} (required by the CTRF schema)")
        declared = {
            k: opt_int(summary, k, source, "results.summary") for k in ("tests", *_STATUSES)
        }
        declared["flaky"] = opt_int(summary, "flaky", source, "results.summary")
        declared["suites"] = opt_int(summary, "suites", source, "results.summary")
        check_declared(
            sink,
            declared,
            # A test with no suite is in none (reportgen's own CTRF counts so).
            {"tests": len(tests), "flaky": flaky_count, "suites": len(suites - {()}), **statuses},
            "results.summary",
            total="tests",
            bad=("failed",),
        )
        start = opt_num(summary, "start", source, "results.summary")
        if start is not None and start > 0:
            note_timestamp(sink, start, epoch_ms=True)
        elif isinstance(doc.get("timestamp"), str):
            note_timestamp(sink, doc["timestamp"])


def _check_header(doc: dict[str, Any], source: Source, sink: Sink) -> None:
    fmt = doc.get("reportFormat")
    if fmt is None:
        sink.warn("no reportFormat/specVersion: a pre-1.0 CTRF report, read leniently")
    elif fmt != "CTRF":
        raise source.error(f'reportFormat: expected "CTRF", got {str(fmt)[:40]!r}')
    else:
        version = doc.get("specVersion")
        if not isinstance(version, str) or not _SEMVER.match(version):
            sink.warn("specVersion should be a version like 1.0.0 (CTRF schema)")
    unknown = sorted(k for k in doc if k not in _TOP_KEYS)
    if unknown:
        sink.warn(f"unknown top-level CTRF field(s) ignored: {', '.join(unknown)[:200]}")


#: What `_read_one_by_one` and `_read_columns` count: tests by CTRF status, flaky tests and
#: the distinct suite paths.
_Counted = tuple[Counter[str], int, set[tuple[str, ...]]]


def _read_one_by_one(tests: list[Any], source: Source, sink: Sink, tool: object) -> _Counted:
    """Read the tests one at a time: the reading every other is measured against."""
    statuses: Counter[str] = Counter()
    flaky_count = 0
    suites: set[tuple[str, ...]] = set()
    batch = TestBatch(sink)
    for index, raw in enumerate(tests):
        at = f"results.tests[{index}]"
        fields, status, suite = _read_test(
            obj(raw, source, at), source, sink, at, tool, batch.known
        )
        batch.add(**fields)
        statuses[status] += 1
        flaky_count += fields["flaky"]
        suites.add(suite)
    batch.flush()
    return statuses, flaky_count, suites


#: Members every test may have that the column reading takes whole columns of; a test with any
#: other member is read on its own (`_read_test`). The rest are kept by the schema but not read.
_COLUMN_KEYS = frozenset({"name", "status", "duration", "suite", "filePath"}) | (
    _TEST_KEYS
    - {"name", "status", "duration", "start", "stop", "suite", "message", "trace", "line"}
    - {"rawStatus", "tags", "type", "filePath", "retries", "retryAttempts", "flaky"}
    - {"stdout", "stderr", "threadId", "browser", "device", "extra"}
)
#: Statuses whose tests need no detail; a pending or other test keeps its status as a property.
_PLAIN_STATUSES = frozenset({"passed", "failed", "skipped"})
_KEPT_STATUSES = frozenset(_STATUSES.keys() - _PLAIN_STATUSES)
_CODES = {status: OUTCOME_CODE[outcome] for status, outcome in _STATUSES.items()}
#: 1000.0, whose `__rtruediv__` turns milliseconds into seconds as `ms_to_s` does.
_MS = 1000.0
_NUMBER_TYPES = frozenset({int, float})
_NONE = type(None)


def _read_columns(tests: list[Any], source: Source, sink: Sink, tool: object) -> _Counted | None:
    """Read the tests column by column, each check one C-level pass over a column; None when
    a column holds anything the one-by-one reading would warn about, cut or refuse.

    Records exactly what `_read_one_by_one` records. Tests with members beyond the common
    ones (a message, retries, tags, ...) or with a pending or other status are read by
    `_read_test` and their row replaced; an input error among them is left to the caller.
    """
    count = len(tests)
    if not count or set(map(type, tests)) != {dict}:
        return None
    # Typed as what the checks below make them (a column that fails one is not used).
    get: Any = dict.get
    names: list[str] = list(map(get, tests, repeat("name")))
    statuses: list[str] = list(map(get, tests, repeat("status")))
    raw_durations: list[float] = list(map(get, tests, repeat("duration")))
    raw_suites: list[Any] = list(map(get, tests, repeat("suite")))
    files: list[str | None] = list(map(get, tests, repeat("filePath")))
    if (
        set(map(type, names)) != {str}
        or not all(names)
        or any(map(str.isspace, names))
        or max(map(len, names)) > MAX_NAME_CHARS
        or not set(map(type, raw_durations)) <= _NUMBER_TYPES
        or not set(map(type, files)) <= {str, _NONE}
        or not set(map(type, raw_suites)) <= {list, _NONE}
    ):
        return None
    try:
        by_status = Counter(statuses)
    except TypeError:  # an unhashable status
        return None
    if not by_status.keys() <= _STATUSES.keys():
        return None
    # Whole milliseconds below 2**53 and finite fractions are read as they are; anything else
    # (negative, huge, not finite) is left to the one-by-one reading.
    if not (min(raw_durations) >= 0 and max(raw_durations) < _BIG_INT):
        return None
    durations = array("d", map(_MS.__rtruediv__, raw_durations))
    if not math.isfinite(math.fsum(durations)):
        return None
    if _NONE in set(map(type, raw_suites)):
        suites = [() if s is None else tuple(s) for s in raw_suites]
    else:
        suites = list(map(tuple, raw_suites))
    distinct_suites = set(suites)
    if any(
        set(map(type, suite)) - {str} or max(map(len, suite), default=0) > MAX_NAME_CHARS
        for suite in distinct_suites
    ):
        return None
    if max(map(len, filter(None, set(files))), default=0) > MAX_NAME_CHARS:
        return None
    classnames: list[str | None] | None = None
    if tool == "playwright":
        scopes = {s: _harness_scope("playwright", s, "", None)[0] for s in distinct_suites}
        classnames = list(map(scopes.__getitem__, suites))
    elif tool in _SCOPED_TOOLS:
        classnames = []
        for index, (suite, name, file) in enumerate(zip(suites, names, files, strict=True)):
            classname, names[index] = _harness_scope(str(tool), suite, name, file)
            classnames.append(classname)
    if classnames is not None and max(map(len, filter(None, set(classnames))), default=0) > (
        MAX_NAME_CHARS
    ):
        return None

    # Tests with more than the common members, or a status kept as a property, are read one
    # by one and their rows replaced.
    rich: set[int] = set()
    # The members any test has, gathered in one pass; then the tests with each uncommon one.
    for key in set().union(*tests) - _COLUMN_KEYS:
        rich.update(compress(range(count), map(operator.contains, tests, repeat(key))))
    if by_status.keys() - _PLAIN_STATUSES:
        rich.update(compress(range(count), map(_KEPT_STATUSES.__contains__, statuses)))
    codes = bytearray(map(_CODES.__getitem__, statuses))
    flaky_count = 0
    details: dict[int, dict[str, Any]] = {}
    lines: list[int | None] | None = None
    known: dict[Any, Any] = {}
    for row in sorted(rich):
        fields, _status, suite = _read_test(
            tests[row], source, sink, f"results.tests[{row}]", tool, known
        )
        if not _fits(fields):
            return None
        names[row] = fields.pop("name")
        codes[row] = OUTCOME_CODE[fields.pop("outcome")]
        duration = fields.pop("duration")
        durations[row] = math.nan if duration is None else duration
        suites[row] = fields.pop("suite")
        if classnames is not None:
            classnames[row] = fields.pop("classname")
        elif fields.pop("classname") is not None:
            return None
        files[row] = fields.pop("file")
        line = fields.pop("line")
        if line is not None:
            if lines is None:
                lines = [None] * count
            lines[row] = line
        flaky_count += fields["flaky"]
        if any(fields.values()):
            details[row] = fields
        distinct_suites.add(suite)
    sink.add_tests(
        names,
        outcomes=codes,
        durations=durations,
        classnames=classnames,
        suites=suites,
        details=details,
        files=None if files.count(None) == count else files,
        lines=lines,
    )
    return by_status, flaky_count, distinct_suites


def _read_test(
    test: dict[str, Any],
    source: Source,
    sink: Sink,
    at: str,
    tool: object,
    known: dict[Any, Any],
) -> tuple[dict[str, Any], str, tuple[str, ...]]:
    """Read one CTRF test: the keyword arguments of `TestBatch.add` that record it, its CTRF
    status and its suite."""
    name = test.get("name")
    if not isinstance(name, str) or not name.strip():
        raise source.error(f"{at}.name: expected a non-empty string")
    status = test.get("status")
    if status not in _STATUSES:
        raise source.error(
            f"{at}.status: expected one of {', '.join(_STATUSES)}, got {str(status)[:40]!r}"
        )
    outcome = _STATUSES[status]
    extra = test.get("extra")
    extra = extra if isinstance(extra, dict) else _NO_EXTRA
    if outcome is Outcome.FAILED and (
        test.get("rawStatus") == "error" or extra.get("outcome") == "error"
    ):
        outcome = Outcome.ERROR
    classname = extra.get("classname") if isinstance(extra.get("classname"), str) else None
    # Members that are absent need no check (each check passes on an absent member): the
    # common test with a few members costs a lookup per member it has, not per one it could.
    keys = test.keys()
    if "duration" in keys:
        duration = ms_to_s(_duration(test["duration"], test, source, at))
    else:
        sink.warn("tests without a duration (required by the CTRF schema)", once="no-duration")
        duration = None
    checked = _INT_FIELDS & keys
    times: dict[str, int | None] = {}
    if checked:
        for key in ("start", "stop", "line", "retries"):
            if key in checked:
                times[key] = opt_int(test, key, source, at)
    start, stop = times.get("start"), times.get("stop")
    # A test that ends before it starts never ended: pytest-json-ctrf writes a test that the
    # session stopped inside (a KeyboardInterrupt, pytest.exit) as passed, with `stop` 0 and
    # a negative duration. Its pass is no evidence, and the tests after it never ran.
    unfinished = (duration is not None and duration < 0) or (
        start is not None and stop is not None and stop < start
    )
    if unfinished:
        duration = None
        sink.flag(
            IntegrityKind.ABORTED,
            f"{at} ({name[:200]}) ends before it starts (stop {stop}, start {start}): the run "
            "stopped inside it, and the tests after it never ran",
        )
    if not keys <= _TEST_KEYS:
        unknown = sorted(k for k in test if k not in _TEST_KEYS)
        sink.warn(
            f"unknown CTRF test field(s) ignored: {', '.join(unknown)[:200]}",
            once="unknown:" + ",".join(unknown),
        )

    raw_suite = test.get("suite")
    # A suite path repeats across its tests: one read as such (a list of strings) is known.
    suite = None
    if type(raw_suite) is list:
        with contextlib.suppress(TypeError):  # an unhashable member: `_suite` says what
            suite = known.get(tuple(raw_suite))
    if suite is None:
        suite = _suite(raw_suite, source, sink, at)
        if type(raw_suite) is list:
            known[suite] = suite
    file_path = opt_str(test, "filePath", source, at) if "filePath" in keys else None
    if classname is None and tool in _SCOPED_TOOLS:
        if tool == "playwright":
            # Playwright's scope is the suite's alone: worked out once per suite path.
            scope_key = ("playwright scope", suite)
            scope = known.get(scope_key)
            if scope is None:
                scope = known[scope_key] = _harness_scope(str(tool), suite, name, file_path)[0]
            classname = scope
        else:
            classname, name = _harness_scope(str(tool), suite, name, file_path)
    flaky_raw = test.get("flaky", False)
    if flaky_raw is not False and flaky_raw is not True:
        raise source.error(f"{at}.flaky: expected a boolean, got {type_name(flaky_raw)}")
    retries = opt_int(test, "retries", source, at) if "retries" in checked else None
    attempts = (
        _attempts(test, _STATUSES[status], duration, source, at) if "retryAttempts" in keys else []
    )

    properties: dict[str, str] = {}
    if status in ("pending", "other"):
        properties["status"] = status
    if not _PROPERTY_KEYS.isdisjoint(keys):
        for key in _PROPERTY_FIELDS:
            value = opt_str(test, key, source, at)
            if value:
                properties[key] = value
    tags = _strings(test, "tags", source, at) if "tags" in keys else None
    if tags:
        properties["tags"] = ", ".join(tags)
    if retries:
        properties["retries"] = str(retries)

    message = opt_str(test, "message", source, at) if "message" in keys else None
    if unfinished and outcome is Outcome.PASSED:
        outcome, message = Outcome.SKIPPED, "never finished: the run stopped inside it"
    output: str | None = None
    if not _OUTPUT_KEYS.isdisjoint(keys):
        parts = [
            opt_str(test, "trace", source, at),
            "\n".join(_strings(test, "stdout", source, at)) or None,
            "\n".join(_strings(test, "stderr", source, at)) or None,
        ]
        output = "\n".join(p for p in parts if p) or None
    # A passed test that needed retries is flaky even when `flaky` is left out.
    flaky = outcome is Outcome.PASSED and (
        flaky_raw
        or (bool(attempts) and any(a.outcome in (Outcome.FAILED, Outcome.ERROR) for a in attempts))
    )
    fields = {
        "name": name,
        "outcome": outcome,
        "classname": classname,
        "suite": suite,
        "duration": duration,
        "message": message,
        "type": None,
        "output": output,
        "file": file_path,
        "line": opt_int(test, "line", source, at) if "line" in checked else None,
        "properties": properties or None,
        "attempts": attempts,
        "flaky": flaky,
    }
    return fields, status, suite


def _fits(fields: dict[str, Any]) -> bool:
    """Whether no string of a test read by `_read_test` is one `Sink` cuts (with a warning)."""
    return not (
        sink_cuts(
            fields["name"], fields["classname"], fields["file"], fields["message"], fields["type"]
        )
        or max(map(len, fields["suite"]), default=0) > MAX_NAME_CHARS
    )


def _harness_scope(
    tool: str, suite: tuple[str, ...], name: str, file_path: str | None
) -> tuple[str | None, str]:
    """Classname and name giving the id the harness's own JSON reporter gives (see
    docs/executions.md): Jest's `file › describe › ...::title`, Playwright's
    `[project] › file › describe › ...::title` and pytest's `tests.test_x.TestC::test_y`."""
    if tool == "pytest":
        # pytest-json-ctrf writes the node id as the name.
        path = name.partition("::")[0]
        if path.endswith(".py") and "::" in name:
            return mangle_nodeid(name)
        return None, name
    at = next((k for k, part in enumerate(suite) if is_source_file(part)), None)
    if at is None:
        return None, name
    blocks = suite[at + 1 :]
    if tool == "jest":
        # jest-ctrf-json-reporter puts the file's base name first and writes the full title
        # (describe blocks and title joined by spaces) as the name.
        prefix = " ".join(blocks) + " "
        if blocks and name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
        return SCOPE_SEPARATOR.join((file_path or suite[at], *blocks)), name
    # playwright-ctrf-json-reporter: project (when named) > file relative to testDir > describes.
    projects = [f"[{p}]" for p in suite[:at]]
    return SCOPE_SEPARATOR.join((*projects, suite[at], *blocks)), name


def _duration(value: Any, test: dict[str, Any], source: Source, at: str) -> float | None:
    """`opt_num(test, "duration", ...)`, with whole and fractional numbers (nearly every
    duration) checked inline."""
    kind = type(value)
    if kind is int and -_BIG_INT < value < _BIG_INT:
        return float(value)
    if kind is float and math.isfinite(value):
        return value
    return opt_num(test, "duration", source, at)


def _sources(results: dict[str, Any]) -> list[str]:
    """sha256 of each input a converted report names as its source (reportgen's own form)."""
    extra = results.get("extra")
    inputs = extra.get("inputs") if isinstance(extra, dict) else None
    if not isinstance(inputs, list):
        return []
    return [
        item["sha256"]
        for item in inputs
        if isinstance(item, dict) and isinstance(item.get("sha256"), str)
    ]


def _source_integrity(results: dict[str, Any], sink: Sink) -> None:
    """Raise again what the sources of a converted report said about themselves (reportgen's
    own form): a conversion is no more evidence than the file it came from. Entries that are
    not reportgen's flags are left alone; they can only make the verdict stricter."""
    extra = results.get("extra")
    inputs = extra.get("inputs") if isinstance(extra, dict) else None
    if not isinstance(inputs, list):
        return
    for item in inputs[:_MAX_SOURCES]:
        flags = item.get("integrity") if isinstance(item, dict) else None
        if not isinstance(flags, list):
            continue
        path = item.get("path") if isinstance(item.get("path"), str) else "a source"
        for raw in flags[:_MAX_SOURCE_FLAGS]:
            if not isinstance(raw, dict) or raw.get("kind") not in INTEGRITY_KINDS:
                continue
            message, scope = raw.get("message"), raw.get("scope")
            sink.flag(
                IntegrityKind(raw["kind"]),
                f"converted from {path}, which said: "
                f"{message if isinstance(message, str) else raw['kind']}",
                scope=scope if isinstance(scope, str) else None,
            )


def _suite(value: Any, source: Source, sink: Sink, at: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        # Pre-1.0 reporters join the suite path with " > ".
        sink.warn("suite given as a string (pre-1.0 CTRF), split on ' > '", once="suite-str")
        return tuple(p.strip() for p in value.split(" > ") if p.strip())
    items = arr(value, source, f"{at}.suite")
    if not all(isinstance(s, str) for s in items):
        raise source.error(f"{at}.suite: expected an array of strings")
    return tuple(items)


def _strings(test: dict[str, Any], key: str, source: Source, at: str) -> list[str]:
    value = test.get(key)
    if value is None:
        return []
    items = arr(value, source, f"{at}.{key}")
    if not all(isinstance(s, str) for s in items):
        raise source.error(f"{at}.{key}: expected an array of strings")
    return items


def _attempts(
    test: dict[str, Any], outcome: Outcome, duration: float | None, source: Source, at: str
) -> list[Attempt]:
    raw = test.get("retryAttempts")
    if raw is None:
        return []
    attempts: list[Attempt] = []
    for index, item in enumerate(arr(raw, source, f"{at}.retryAttempts")):
        where = f"{at}.retryAttempts[{index}]"
        entry = obj(item, source, where)
        # Pre-1.0 reporters (playwright-ctrf-json-reporter 0.0.x) list attempts in order
        # without numbering them; a number that is there must still be one.
        number = opt_int(entry, "attempt", source, where)
        if number is not None and number < 1:
            raise source.error(f"{where}.attempt: expected an integer >= 1")
        status = entry.get("status")
        if status not in _STATUSES:
            raise source.error(f"{where}.status: expected one of {', '.join(_STATUSES)}")
        attempts.append(
            Attempt(
                outcome=_STATUSES[status],
                duration=ms_to_s(opt_num(entry, "duration", source, where)),
                message=clean_optional(opt_str(entry, "message", source, where)),
                output=cap_output(opt_str(entry, "trace", source, where))[0],
            )
        )
    # Reporters list the final execution among the attempts; add it when they do not.
    if attempts and attempts[-1].outcome is not outcome:
        attempts.append(Attempt(outcome=outcome, duration=duration))
    return attempts
