"""Mocha JSON reporter (`mocha --reporter json`) ingester; each test counted once.

The reporter lists the same tests several times: `tests` holds every test that finished, and
`passes`, `failures` and `pending` repeat them by outcome. The outcome of an entry of `tests`
is found by matching it (by full title and file, as a multiset so repeated titles stay
distinct) against `failures` and `pending`; among entries that share a title, a failure goes
to the entry that carries its own error and a pending mark to one without a duration, so each
failure is attributed to its own entry and the counts equal the file's `stats`. Entries of
`failures` that match no test are hook failures (`"before all" hook for ...`), which are
errors, since Mocha then skips the tests the hook guarded without listing them. A test that
passed on a retry (`currentRetry` above zero) is flaky. There is no suite tree, only
`fullTitle`, so the describe path is the full title without the test's own title; the id
keeps the test file, as Jest's does (`file › describe path::title`, the file relative to the
directory the report's test files share), so that the same titles in two files are two tests.
"""

from __future__ import annotations

import posixpath
from collections import Counter
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
from reportgen.ingest.base import Ingester, Sink, Source, first_line
from reportgen.model import SCOPE_SEPARATOR, Outcome, is_absolute_path

_Key = tuple[str, str | None]


class MochaJsonIngester(Ingester):
    """Reads the output of Mocha's built-in `json` reporter."""

    name = "mocha-json"
    description = "Mocha JSON reporter (mocha --reporter json)"
    patterns: ClassVar[tuple[str, ...]] = ("mocha*.json", "test-results.json")

    def sniff(self, head: bytes, path: str) -> float:
        keys = head_keys(head)
        if "stats" not in keys.top:
            return 0.0
        if "results" in keys.top and "tests" not in keys.top:
            return 0.0  # mochawesome: a suite tree under "results", not this format
        stats = keys.inner("stats")
        arrays = sum(k in keys.top for k in ("tests", "passes", "failures", "pending"))
        if "passes" in stats and "failures" in stats and "pending" in stats:
            return 0.9 if arrays or len(keys.top) == 1 else 0.5
        return 0.6 if arrays >= 2 else 0.0

    def read(self, source: Source, sink: Sink) -> None:
        doc = obj(load_document(source), source, "document")
        if not any(k in doc for k in ("tests", "passes", "failures", "pending")):
            raise source.error("none of tests/passes/failures/pending: not a Mocha JSON report")
        lists = {
            key: [
                obj(item, source, f"{key}[{i}]")
                for i, item in enumerate(opt_arr(doc, key, source, "document"))
            ]
            for key in ("tests", "passes", "failures", "pending")
        }
        keys = {
            key: [_key(t, source, f"{key}[{i}]") for i, t in enumerate(items)]
            for key, items in lists.items()
        }
        failures = Counter(keys["failures"])
        pending = Counter(keys["pending"])
        passes = Counter(keys["passes"])
        counts: dict[str, int] = {"tests": 0, "passes": 0, "failures": 0, "pending": 0}

        root = _shared_dir([file for items in keys.values() for _full, file in items if file])
        outcomes = _attribute(lists["tests"], keys["tests"], failures, pending, passes)
        for index, (test, outcome) in enumerate(zip(lists["tests"], outcomes, strict=True)):
            at = f"tests[{index}]"
            counts["tests"] += 1
            if outcome is None:
                _emit(test, Outcome.ERROR, source, sink, at, root, unknown=True)
                continue
            _emit(test, outcome, source, sink, at, root)
            counts[{"failed": "failures", "skipped": "pending", "passed": "passes"}[outcome]] += 1

        # Entries no test accounted for: hook failures, or a report without a `tests` array.
        for key_name, outcome in (
            ("failures", Outcome.FAILED),
            ("pending", Outcome.SKIPPED),
            ("passes", Outcome.PASSED),
        ):
            left = {"failures": failures, "pending": pending, "passes": passes}[key_name]
            for index, (test, key) in enumerate(zip(lists[key_name], keys[key_name], strict=True)):
                if left[key] <= 0:
                    continue
                left[key] -= 1
                at = f"{key_name}[{index}]"
                hook = outcome is Outcome.FAILED and '" hook' in str(test.get("title", ""))
                _emit(test, Outcome.ERROR if hook else outcome, source, sink, at, root)
                counts[key_name] += 1
                if not hook:
                    counts["tests"] += 1

        stats = doc.get("stats")
        if isinstance(stats, dict):
            start = opt_str(stats, "start", source, "stats")
            note_timestamp(sink, start)
            declared = {k: opt_int(stats, k, source, "stats") for k in counts}
            check_declared(sink, declared, counts, "stats", total="tests", bad=("failures",))


def _attribute(
    tests: list[dict[str, Any]],
    keys: list[_Key],
    failures: Counter[_Key],
    pending: Counter[_Key],
    passes: Counter[_Key],
) -> list[Outcome | None]:
    """The outcome of each entry of `tests`, taking what it uses from the three counters.

    Entries of one title are told apart by their own fields: one with an error failed, one
    without a duration was pending; only what is left over is handed out in order. An entry
    that none of `passes`, `failures` and `pending` accounts for gets None: nothing in the
    file says how it ended, and reading it as passed would let a report cut or edited after
    `tests` was written pass the gate.
    """
    outcomes: list[Outcome | None] = [None] * len(tests)
    for index, (test, key) in enumerate(zip(tests, keys, strict=True)):
        if _error(test):
            # Listed as failed or not, a non-empty err means it failed.
            outcomes[index] = Outcome.FAILED
            if failures[key] > 0:
                failures[key] -= 1
            else:
                passes[key] -= 1
    for index, (test, key) in enumerate(zip(tests, keys, strict=True)):
        if outcomes[index] is None and "duration" not in test and pending[key] > 0:
            pending[key] -= 1
            outcomes[index] = Outcome.SKIPPED
    out: list[Outcome | None] = []
    for outcome, key in zip(outcomes, keys, strict=True):
        if outcome is None:
            if failures[key] > 0:
                failures[key] -= 1
                outcome = Outcome.FAILED
            elif pending[key] > 0:
                pending[key] -= 1
                outcome = Outcome.SKIPPED
            elif passes[key] > 0:
                passes[key] -= 1
                outcome = Outcome.PASSED
            # else: in none of the three lists, so its outcome is unknown (stays None).
        out.append(outcome)
    return out


def _key(test: dict[str, Any], source: Source, at: str) -> _Key:
    full = test.get("fullTitle", test.get("title"))
    if not isinstance(full, str):
        raise source.error(f"{at}.fullTitle: expected a string, got {type_name(full)}")
    return full, opt_str(test, "file", source, at)


def _error(test: dict[str, Any]) -> dict[str, Any] | None:
    err = test.get("err")
    return err if isinstance(err, dict) and err else None


def _shared_dir(files: list[str]) -> str:
    """The directory relative test paths share; "" when any is absolute (those are made
    relative to the directory they share after reading, with every other input's)."""
    if not files or any(is_absolute_path(f) for f in files):
        return ""
    try:
        return posixpath.commonpath([posixpath.dirname(f.replace("\\", "/")) for f in files])
    except ValueError:
        return ""


def _place(file: str | None, root: str) -> str | None:
    """The test file as it appears in ids: below `root` when `root` is given."""
    if not file or not root:
        return file
    path = file.replace("\\", "/")
    return path[len(root) + 1 :] if path.startswith(root + "/") else path


def _emit(
    test: dict[str, Any],
    outcome: Outcome,
    source: Source,
    sink: Sink,
    at: str,
    root: str,
    *,
    unknown: bool = False,
) -> None:
    """Write one entry to the sink; `unknown` marks a test no outcome list accounts for."""
    title = test.get("title")
    if not isinstance(title, str):
        raise source.error(f"{at}.title: expected a string, got {type_name(title)}")
    full_title = test.get("fullTitle")
    full = full_title if isinstance(full_title, str) else title
    prefix = full[: -len(title)].strip() if title and full.endswith(title) else ""
    err = _error(test)
    message = output = kind = None
    if err is not None:
        message = err.get("message") if isinstance(err.get("message"), str) else None
        stack = err.get("stack") if isinstance(err.get("stack"), str) else None
        output = stack
        message = message or first_line(stack)
        code = err.get("code") or err.get("name")
        kind = str(code) if code else None
    if unknown:
        kind = "unknown outcome"
        message = (
            "listed in tests but in none of passes, failures and pending: how it ended is unknown"
        )
    elif outcome is Outcome.ERROR:
        kind = "hook failure"
    retry = opt_int(test, "currentRetry", source, at) or 0
    properties = {"retries": str(retry)} if retry else None
    file = opt_str(test, "file", source, at)
    place = _place(file, root)
    blocks = (prefix,) if prefix else ()
    sink.test(
        name=title,
        # The file first, as in Jest's ids: the same titles in two files are two tests.
        classname=SCOPE_SEPARATOR.join((place, *blocks)) if place else None,
        suite=(place, *blocks) if place else blocks,
        outcome=outcome,
        duration=ms_to_s(opt_num(test, "duration", source, at)),
        message=message,
        type=kind,
        output=output,
        file=file,
        properties=properties,
        # Mocha retries only failed tests, so a pass on a later try followed a failure.
        flaky=outcome is Outcome.PASSED and retry > 0,
        merge=False,
        # A failed hook belongs to its suite, not to a test; a test of unknown outcome is its own.
        unattributed=outcome is Outcome.ERROR and not unknown,
    )
