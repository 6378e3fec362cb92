"""Unmarked repeats of a test id within one input, counted as the criteria file says.

The model keeps every execution. A retry the input marks as one (Surefire reruns, Playwright
or Jest retries, CTRF `retryAttempts`, pytest-json-report `rerun`) is already one execution
whose last attempt decided. An id that simply occurs again (pytest-rerunfailures in JUnit,
`go test -count=N`, `test.each` rows sharing a title) is, by default (`repeats: each`), that
many executions: each counts as a trial and any failing one fails. `repeats: last_attempt`
lets a team whose reporter writes retries in order, unmarked, say that the last one decides.
It never applies to a report whose format writes every retry as attempts of one test
(`RETRIES_MARKED`): there an id that occurs again is another run of the test, never a retry
(Playwright's `--repeat-each`, Jest's `test.each` rows of one title), and each execution
counts whatever the rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

from reportgen.criteria import Repeats
from reportgen.model import Outcome, Run, TestTable
from reportgen.records import record

_BAD = (Outcome.FAILED, Outcome.ERROR)

#: Formats (`InputFile.format`) that write each retry as an attempt of one test (Playwright's
#: `results`, Jest's `invocations` and Vitest's `failureMessages`, Mocha's `currentRetry`) and
#: never as a test of its own: a repeated id in them is not a retry.
RETRIES_MARKED = frozenset({"playwright-json", "jest-json", "mocha-json"})


def retries_marked(run: Run) -> frozenset[int]:
    """The inputs of `run` (by index) whose format marks every retry (`RETRIES_MARKED`)."""
    return frozenset(i for i, f in enumerate(run.inputs) if f.format in RETRIES_MARKED)


@record
class Counted:
    """The rows a tests criterion counts, and what the repeats rule did to them."""

    rows: list[int]
    #: Rows that make their id flaky: under last_attempt, the pass that decided after a failing
    #: execution; under each, the last pass of an id that also failed (see `_mixed`).
    flaky: frozenset[int]
    #: Test ids (per input) that ran more than once among the rows given.
    repeated: int
    rule: Repeats
    #: Of those, ids whose every execution counted under `last_attempt`: their report marks
    #: its retries, so a repeat in it is no retry (see `RETRIES_MARKED`).
    kept: int = 0

    def note(self) -> str | None:
        """The sentence saying which rule was used, when it mattered or was chosen."""
        tests = f"{self.repeated} test{'s' if self.repeated > 1 else ''}"
        if self.rule is Repeats.LAST_ATTEMPT:
            if not self.repeated:
                return "no test ran more than once (repeats: last_attempt)"
            if self.kept:
                return (
                    f"{tests} ran more than once: every execution counted for {self.kept} "
                    "whose report marks its retries (a repeat there is no retry), the last "
                    "run decided for the others (repeats: last_attempt)"
                    if self.kept < self.repeated
                    else f"{tests} ran more than once: every execution counted, as their "
                    "reports mark their retries (a repeat there is no retry; repeats: "
                    "last_attempt)"
                )
            return f"{tests} ran more than once: the last run decided (repeats: last_attempt)"
        if not self.repeated:
            return None
        return f"{tests} ran more than once: every execution counted (repeats: each)"

    @property
    def unit(self) -> str:
        """What the counts count: executions when a test ran more than once, else tests."""
        each = self.rule is Repeats.EACH or self.kept
        return "executions" if self.repeated and each else "tests"


def count(
    table: TestTable, rows: Sequence[int], rule: Repeats, marked: Collection[int] = ()
) -> Counted:
    """Apply `rule` to `rows` (in table order): keep all of them, or the last of each id.
    `marked` are the inputs whose format marks its retries (`retries_marked`): every
    execution of theirs is kept under either rule."""
    keys = [table.repeat_key(i) for i in rows]
    seen = Counter(keys)
    repeated = sum(1 for n in seen.values() if n > 1)
    if not repeated:
        return Counted(list(rows), frozenset(), repeated, rule)
    if rule is Repeats.EACH:
        return Counted(list(rows), _mixed(table, rows, keys, seen), repeated, rule)
    last: dict[tuple[int, int, int, str], int] = {}
    failed_before: set[tuple[int, int, int, str]] = set()
    every: list[int] = []  # rows of repeated ids in inputs that mark their retries
    every_keys: list[tuple[int, int, int, str]] = []
    for i, key in zip(rows, keys, strict=True):
        if key[0] in marked and seen[key] > 1:
            every.append(i)
            every_keys.append(key)
            continue
        previous = last.get(key)
        if previous is not None and table.outcome_of(previous) in _BAD:
            failed_before.add(key)
        last[key] = i
    kept = sorted([*last.values(), *every])
    flaky = frozenset(
        i
        for key, i in last.items()
        if key in failed_before and table.outcome_of(i) is Outcome.PASSED
    ) | _mixed(table, every, every_keys, seen)
    return Counted(kept, flaky, repeated, rule, kept=len(set(every_keys)))


def _mixed(
    table: TestTable,
    rows: Sequence[int],
    keys: Sequence[tuple[int, int, int, str]],
    seen: Counter[tuple[int, int, int, str]],
) -> frozenset[int]:
    """Under `repeats: each`, the last passing execution of each id that also failed or
    errored in the same input: such a test is flaky whatever the order (and each failing
    execution still fails `max_failed`), so `max_flaky` cannot pass a test that both passed
    and failed in one run because its reporter did not mark the reruns."""
    passed: dict[tuple[int, int, int, str], int] = {}
    bad: set[tuple[int, int, int, str]] = set()
    for i, key in zip(rows, keys, strict=True):
        if seen[key] < 2:
            continue
        outcome = table.outcome_of(i)
        if outcome is Outcome.PASSED:
            passed[key] = i
        elif outcome in _BAD:
            bad.add(key)
    return frozenset(i for key, i in passed.items() if key in bad)


def outcome_counts(table: TestTable, rows: Sequence[int]) -> dict[Outcome, int]:
    """Executions of each outcome among `rows`."""
    if len(rows) == len(table):
        return table.outcome_counts()  # every row: count the outcome column in one go
    counts = dict.fromkeys(Outcome, 0)
    for i in rows:
        counts[table.outcome_of(i)] += 1
    return counts


def list_repeated(ids: Sequence[str]) -> list[str]:
    """Ids once each, in order, with how many executions when more than one (`a (×3)`)."""
    times = Counter(ids)
    return [f"{name} (×{times[name]})" if times[name] > 1 else name for name in times]
