"""Playwright Test JSON reporter ingester: nested suites, one test per spec and project, retries.

Each entry of a spec's `tests` (one per project) is a test; its suite path is the file and
the describe blocks, and the project name goes into the classname so that the same spec in
chromium and firefox stays two tests. Each entry of `results` is an attempt (retry 0..n).
Statuses: `expected` is passed, or skipped with `status=xfail` when the test was expected to
fail (`test.fail()`); `unexpected` is failed (a `test.fail()` that passed is reported by
Playwright as a failure and stays one, with `status=xpass`); `flaky` is passed and flaky;
`skipped` is skipped with the reason from its `skip`/`fixme` annotation. Interrupted results
are errors. Top-level `errors` (global setup, a test file that failed to load) become error
tests. Reports merged from shards (`merge-reports`) read like any other; separate shard files
are separate inputs, and one that names its shard (`config.shard`) needs the run's other
shards beside it (see `_shards`); one of `--last-failed` or `--only-changed` (its
`config.argv`) is flagged as holding part of the suite. The `stats` block of newer versions
is checked against the tests.
"""

from __future__ import annotations

from typing import Any, ClassVar

from reportgen.ingest._jsonread import (
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
from reportgen.ingest._shards import Shard
from reportgen.ingest.base import Ingester, Sink, Source, cap_output, clean_optional, first_line
from reportgen.model import Attempt, IntegrityKind, Outcome

_RESULT: dict[str, Outcome] = {
    "passed": Outcome.PASSED,
    "failed": Outcome.FAILED,
    "timedOut": Outcome.FAILED,
    "interrupted": Outcome.ERROR,
    "skipped": Outcome.SKIPPED,
}
_STATUSES = ("expected", "unexpected", "flaky", "skipped")
_CONFIG_KEYS = (
    "rootDir",
    "projects",
    "reporter",
    "workers",
    "version",
    "shard",
    "configFile",
    "forbidOnly",
    "fullyParallel",
    "globalSetup",
    "globalTimeout",
    "grepInvert",
    "maxFailures",
    "preserveOutput",
    "reportSlowTests",
    "updateSnapshots",
)


class PlaywrightJsonIngester(Ingester):
    """Reads the report of Playwright Test's `json` reporter."""

    name = "playwright-json"
    description = "Playwright Test JSON reporter (--reporter=json)"
    patterns: ClassVar[tuple[str, ...]] = ("results.json", "playwright*.json", "report.json")

    def sniff(self, head: bytes, path: str) -> float:
        keys = head_keys(head)
        if "config" not in keys.top:
            return 0.0
        config = keys.inner("config")
        known = sum(k in config for k in _CONFIG_KEYS)
        if "suites" in keys.top and known >= 2:
            return 0.95
        # The config block can be long enough to fill the head before "suites".
        return 0.8 if known >= 4 else 0.0

    def read(self, source: Source, sink: Sink) -> None:
        doc = obj(load_document(source), source, "document")
        if "suites" not in doc:
            raise source.error("suites: missing (not a Playwright JSON report?)")
        config = doc.get("config")
        if isinstance(config, dict):
            _note_shard(config, source, sink)
            _note_rerun(config, sink)
        counts: dict[str, int] = dict.fromkeys(_STATUSES, 0)
        for index, raw in enumerate(opt_arr(doc, "suites", source, "document")):
            _walk(
                obj(raw, source, f"suites[{index}]"), (), source, sink, f"suites[{index}]", counts
            )

        for index, raw in enumerate(opt_arr(doc, "errors", source, "document")):
            at = f"errors[{index}]"
            error = obj(raw, source, at)
            message = opt_str(error, "message", source, at)
            stack = opt_str(error, "stack", source, at)
            location = error.get("location")
            file = line = None
            if isinstance(location, dict):
                file = opt_str(location, "file", source, f"{at}.location")
                line = opt_int(location, "line", source, f"{at}.location")
            # An error outside any test: it counts against every selection that may reach
            # its file (a test file that failed to load), or every one when it has none.
            sink.test(
                name=f"[error {index + 1}]",
                suite=("playwright",),
                outcome=Outcome.ERROR,
                message=first_line(message) or first_line(stack) or "error outside any test",
                type="global error",
                output=stack or message,
                file=file,
                line=line,
                unattributed=True,
            )

        stats = doc.get("stats")
        if isinstance(stats, dict):
            note_timestamp(sink, opt_str(stats, "startTime", source, "stats"))
            declared = {k: opt_int(stats, k, source, "stats") for k in _STATUSES}
            check_declared(sink, declared, counts, "stats", bad=("unexpected",))
            if sink.shard is not None and not sink.records:
                # A finished shard (the `stats` block is written at the end) that was given
                # nothing: more shards than test files. The other shards must still be read.
                sink.nothing_to_report(
                    f"Playwright shard {sink.shard.current} of {sink.shard.total} was given "
                    "no tests (the run has fewer test files than shards)"
                )


def _note_shard(config: dict[str, Any], source: Source, sink: Sink) -> None:
    """Which shard of a split run (`--shard=1/3`) the report holds: the others must be read
    too (see `_shards`). A run not split writes `"shard": null`."""
    shard = config.get("shard")
    if shard is None:
        return
    shard = obj(shard, source, "config.shard")
    current = opt_int(shard, "current", source, "config.shard")
    total = opt_int(shard, "total", source, "config.shard")
    if current is None or total is None or not 1 <= current <= total:
        raise source.error(
            f"config.shard: expected current between 1 and total, got {current} of {total}"
        )
    sink.shard = Shard(current, total, "Playwright", "`npx playwright merge-reports`")


#: Options of `playwright test` that run only part of the suite chosen from the state of an
#: earlier run or of the checkout, not by the command line's own files and filters.
_PARTIAL_OPTIONS = {
    "--last-failed": "only the tests that failed in the run before it",
    "--only-changed": "only the test files changed since a git ref, and those importing them",
}


def _note_rerun(config: dict[str, Any], sink: Sink) -> None:
    """A run of `--last-failed` or `--only-changed` (newer reports keep the command line in
    `config.argv`) holds a part of the suite that depends on what came before it: read as
    the run, a rerun that passed the tests that had failed would stand for the whole suite."""
    argv = config.get("argv")
    if not isinstance(argv, list):
        return
    for arg in argv:
        option = arg.partition("=")[0] if isinstance(arg, str) else None
        if option in _PARTIAL_OPTIONS:
            sink.flag(
                IntegrityKind.TESTS_MISSING,
                f"run with {option} (config.argv): it holds {_PARTIAL_OPTIONS[option]}, "
                "not the whole suite; give the report of a full run",
            )
            return


def _walk(
    suite: dict[str, Any],
    path: tuple[str, ...],
    source: Source,
    sink: Sink,
    at: str,
    counts: dict[str, int],
) -> None:
    title = opt_str(suite, "title", source, at) or ""
    here = (*path, title) if title else path
    for index, raw in enumerate(opt_arr(suite, "specs", source, at)):
        where = f"{at}.specs[{index}]"
        spec = obj(raw, source, where)
        spec_title = spec.get("title")
        if not isinstance(spec_title, str):
            raise source.error(f"{where}.title: expected a string, got {type_name(spec_title)}")
        file = opt_str(spec, "file", source, where) or opt_str(suite, "file", source, at)
        line = opt_int(spec, "line", source, where)
        for t_index, test_raw in enumerate(opt_arr(spec, "tests", source, where)):
            test_at = f"{where}.tests[{t_index}]"
            status = _read_test(
                obj(test_raw, source, test_at), spec_title, here, file, line, source, sink, test_at
            )
            if status in counts:
                counts[status] += 1
    for index, raw in enumerate(opt_arr(suite, "suites", source, at)):
        _walk(
            obj(raw, source, f"{at}.suites[{index}]"),
            here,
            source,
            sink,
            f"{at}.suites[{index}]",
            counts,
        )


def _read_test(
    test: dict[str, Any],
    title: str,
    suite: tuple[str, ...],
    file: str | None,
    line: int | None,
    source: Source,
    sink: Sink,
    at: str,
) -> str | None:
    project = opt_str(test, "projectName", source, at) or opt_str(test, "projectId", source, at)
    status = opt_str(test, "status", source, at)
    expected = opt_str(test, "expectedStatus", source, at) or "passed"
    attempts: list[Attempt] = []
    durations: list[float] = []
    message: str | None = None
    kind: str | None = None
    output_parts: list[str] = []
    for index, raw in enumerate(opt_arr(test, "results", source, at)):
        where = f"{at}.results[{index}]"
        result = obj(raw, source, where)
        result_status = opt_str(result, "status", source, where) or "failed"
        outcome = _RESULT.get(result_status)
        if outcome is None:
            raise source.error(
                f"{where}.status: expected one of {', '.join(_RESULT)}, got {result_status[:40]!r}"
            )
        duration = ms_to_s(opt_num(result, "duration", source, where))
        if duration is not None:
            durations.append(duration)
        note_timestamp(sink, opt_str(result, "startTime", source, where))
        error_message, error_stack = _error_text(result)
        if error_message or error_stack:
            message = first_line(error_message) or first_line(error_stack)
            kind = result_status
        text = "\n".join(p for p in (error_stack or error_message, _stdio(result)) if p)
        if text:
            output_parts.append(f"[attempt {index + 1}: {result_status}]\n{text}")
        attempts.append(
            Attempt(
                outcome=outcome,
                duration=duration,
                message=clean_optional(first_line(error_message)),
                type=result_status if outcome is not Outcome.PASSED else None,
                output=cap_output(text)[0],
            )
        )

    properties: dict[str, str] = {}
    if project:
        properties["project"] = project
    final = attempts[-1].outcome if attempts else None
    flaky = False
    if status == "skipped" or (status is None and final is Outcome.SKIPPED):
        outcome = Outcome.SKIPPED
        message = _annotation(test) or message
    elif status == "expected":
        if expected == "failed":
            outcome = Outcome.SKIPPED
            properties["status"] = "xfail"
        else:
            outcome = Outcome.SKIPPED if expected == "skipped" else Outcome.PASSED
    elif status == "unexpected":
        if final is Outcome.ERROR:
            outcome = Outcome.ERROR
        else:
            outcome = Outcome.FAILED
            if expected == "failed" and final is Outcome.PASSED:
                properties["status"] = "xpass"
                message = message or "expected to fail (test.fail()) but passed"
    elif status == "flaky":
        outcome, flaky = Outcome.PASSED, True
    elif status is None and final is not None:
        outcome = final  # very old reports without a test status
        flaky = final is Outcome.PASSED and any(a.outcome is Outcome.FAILED for a in attempts)
    else:
        raise source.error(
            f"{at}.status: expected one of {', '.join(_STATUSES)}, got {str(status)[:40]!r}"
        )
    if outcome is Outcome.PASSED and not flaky:
        message = kind = None
    classname = " › ".join((f"[{project}]", *suite) if project else suite) or None
    sink.test(
        name=title,
        classname=classname,
        suite=suite,
        outcome=outcome,
        duration=sum(durations) if durations else None,
        message=message,
        type=kind if outcome in (Outcome.FAILED, Outcome.ERROR) else None,
        output="\n".join(output_parts) or None,
        file=file,
        line=line,
        properties=properties or None,
        attempts=attempts if len(attempts) > 1 else (),
        flaky=flaky,
    )
    return status


def _error_text(result: dict[str, Any]) -> tuple[str | None, str | None]:
    error = result.get("error")
    if not isinstance(error, dict):
        errors = result.get("errors")
        error = (
            errors[0]
            if isinstance(errors, list) and errors and isinstance(errors[0], dict)
            else None
        )
    if error is None:
        return None, None
    message = error.get("message")
    stack = error.get("stack")
    return (
        message if isinstance(message, str) else None,
        stack if isinstance(stack, str) else None,
    )


def _stdio(result: dict[str, Any]) -> str | None:
    parts: list[str] = []
    for key in ("stdout", "stderr"):
        items = result.get(key)
        if not isinstance(items, list):
            continue
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("text"), str):
                parts.append(item["text"])
            elif isinstance(item, str):
                parts.append(item)
    return "".join(parts) or None


def _annotation(test: dict[str, Any]) -> str | None:
    for annotation in test.get("annotations") or ():
        if isinstance(annotation, dict) and annotation.get("type") in ("skip", "fixme"):
            description = annotation.get("description")
            return (
                f"{annotation['type']}: {description}" if description else str(annotation["type"])
            )
    return None
