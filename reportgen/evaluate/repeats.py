"""Unmarked repeats of a test id within one input, counted as the criteria file says.

The model keeps every execution. A retry the input marks as one (Surefire reruns, Playwright
or Jest retries, CTRF `retryAttempts`, pytest-json-report `rerun`) is already one execution
whose last attempt decided. An id that simply occurs again (pytest-rerunfailures in JUnit,
`go test -count=N`, `test.each` rows sharing a title) is, by default (`repeats: each`), that
many executions: each counts as a trial and any failing one fails. `repeats: last_attempt`
lets a team whose reporter writes retries in order, unmarked, say that the last one decides.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from reportgen.criteria import Repeats
from reportgen.model import Outcome, TestTable

_BAD = (Outcome.FAILED, Outcome.ERROR)


@dataclass(frozen=True)
class Counted:
    """The rows a tests criterion counts, and what the repeats rule did to them."""

    rows: list[int]
    #: Rows that make their id flaky: under last_attempt, the pass that decided after a failing
    #: execution; under each, the last pass of an id that also failed (see `_mixed`).
    flaky: frozenset[int]
    #: Test ids (per input) that ran more than once among the rows given.
    repeated: int
    rule: Repeats

    def note(self) -> str | None:
        """The sentence saying which rule was used, when it mattered or was chosen."""
        tests = f"{self.repeated} test{'s' if self.repeated > 1 else ''}"
        if self.rule is Repeats.LAST_ATTEMPT:
            if not self.repeated:
                return "no test ran more than once (repeats: last_attempt)"
            return f"{tests} ran more than once: the last run decided (repeats: last_attempt)"
        if not self.repeated:
            return None
        return f"{tests} ran more than once: every execution counted (repeats: each)"

    @property
    def unit(self) -> str:
        """What the counts count: executions when a test ran more than once, else tests."""
        return "executions" if self.repeated and self.rule is Repeats.EACH else "tests"


def count(table: TestTable, rows: Sequence[int], rule: Repeats) -> Counted:
    """Apply `rule` to `rows` (in table order): keep all of them, or the last of each id."""
    keys = [table.repeat_key(i) for i in rows]
    seen = Counter(keys)
    repeated = sum(1 for n in seen.values() if n > 1)
    if not repeated:
        return Counted(list(rows), frozenset(), repeated, rule)
    if rule is Repeats.EACH:
        return Counted(list(rows), _mixed(table, rows, keys, seen), repeated, rule)
    last: dict[tuple[int, int, int, str], int] = {}
    failed_before: set[tuple[int, int, int, str]] = set()
    for i, key in zip(rows, keys, strict=True):
        previous = last.get(key)
        if previous is not None and table.outcome_of(previous) in _BAD:
            failed_before.add(key)
        last[key] = i
    kept = sorted(last.values())
    flaky = frozenset(
        i
        for key, i in last.items()
        if key in failed_before and table.outcome_of(i) is Outcome.PASSED
    )
    return Counted(kept, flaky, repeated, rule)


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
