"""Find inputs that hold the same evidence as another input, so that it is counted once.

Four signs, strongest first: the same bytes (one file given twice under two paths); a file
that names another input as its source (a CTRF file written by `reportgen convert` lists the
sha256 of each file it was converted from); the same executions (the same test ids with
the same outcomes and, within the rounding of the formats, the same times, plus the same
metric records), as when one pytest run is written both as JUnit XML and as
pytest-json-report, or one file beside its compressed or re-indented copy; and executions
that are all in another input (shards beside the merged copy of them). Times known on
both sides must agree; without times, two runs with the same executions cannot be told from
one run read twice, and they are counted once: less evidence, never trials the run may not
have made.

A fifth sign covers one run that two reporters write with different detail: files of
different formats that hold the same tests (the same ids, or the same full titles: jest-junit
keeps only those), whatever their outcomes. Reporters differ in what they can say: JUnit
lists each pytest rerun as a testcase where pytest-json-report marks one test as rerun; Jest's
JSON says a `todo` test did not run where jest-junit writes an empty testcase; node's TAP
shows a failing hook that its JUnit drops. Counting both copies would add trials the run never
made, so one is read, chosen by what the copies hold and never by the order they were named
in; when the copy left out ends a test worse than the copy read (failed, or not run, where
the other passed), the copy read is flagged so the verdict cannot be READY on it. Two files of
one format (shards of a matrix, or the suite run twice) are never matched this way. Reporters
may spell a classname two ways (`--junit-prefix`, gotestsum's short package names), name
none (bats' TAP beside its JUnit report, see `_unscoped_alike`), and differ on whether a test
that ran subtests is a test (see `_aligned`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence

from reportgen.ingest.base import first_few
from reportgen.model import InputFile, IntegrityFlag, IntegrityKind, Metric, Outcome, TestTable
from reportgen.records import record

_BAD = (Outcome.FAILED, Outcome.ERROR)
#: Outcomes from the worst: which one tests of one name under two scopes end with.
_WORST = (Outcome.ERROR, Outcome.FAILED, Outcome.SKIPPED, Outcome.PASSED)
#: Why a copy of one run written by another reporter is left out (see the module docstring).
OTHER_REPORTER = "the same tests, written by another reporter"
_CONVERTED_FROM = "converted from it"
_CONVERTED_INTO = "converted into it"

#: Times of one execution written by two formats differ by their rounding: pytest's JUnit
#: writer keeps milliseconds, CTRF whole milliseconds, pytest-json-report the full float.
TIME_TOLERANCE = 0.0011


@record
class Duplicate:
    """An input whose evidence another input already holds."""

    index: int
    same_as: int
    why: str
    #: What the input left out shows that `same_as` does not: flags for `same_as`.
    flags: tuple[IntegrityFlag, ...] = ()

    @property
    def converted(self) -> bool:
        """Whether one copy was converted from the other (it adds no reporter of its own)."""
        return self.why in (_CONVERTED_FROM, _CONVERTED_INTO)


def find_duplicates(
    inputs: Sequence[InputFile], tests: TestTable, metrics: Sequence[Metric]
) -> list[Duplicate]:
    """The inputs to leave out, each with the input that holds the same evidence.

    Of two identical inputs the one first by path is kept; a converted file is left out when all its
    sources are there, else the sources it covers are; of two reporters' copies of one run,
    see `_same_run_other_format`.
    """
    found: dict[int, Duplicate] = {}
    by_sha: dict[str, int] = {}
    # Of copies that hold the same evidence, the one first by path is read: never one that
    # depends on the order the files were named in.
    for index in _by_path(inputs):
        item = inputs[index]
        first = by_sha.setdefault(item.sha256, index)
        if first != index:
            found[index] = Duplicate(index, first, "the same bytes")
    for index, item in enumerate(inputs):
        if index in found or not item.derived_from:
            continue
        sources = [by_sha[sha] for sha in item.derived_from if sha in by_sha]
        sources = [s for s in sources if s != index and s not in found]
        if not sources:
            continue
        if len(sources) == len(set(item.derived_from)):
            found[index] = Duplicate(index, sources[0], _CONVERTED_FROM)
        else:
            for src in sources:
                found[src] = Duplicate(src, index, _CONVERTED_INTO)
    _same_executions(inputs, tests, metrics, found)
    _contained(inputs, tests, metrics, found)
    _same_run_other_format(inputs, tests, metrics, found)
    return sorted(found.values(), key=lambda d: d.index)


def _by_path(inputs: Sequence[InputFile]) -> list[int]:
    """Indices of `inputs` in the order of their paths (then as read)."""
    return sorted(range(len(inputs)), key=lambda i: (inputs[i].path, i))


def _same_executions(
    inputs: Sequence[InputFile],
    tests: TestTable,
    metrics: Sequence[Metric],
    found: dict[int, Duplicate],
) -> None:
    metric_rows: dict[int, list[Metric]] = {}
    for metric in metrics:
        metric_rows.setdefault(metric.input, []).append(metric)
    holding = tests.counts_by_input()
    candidates = [
        i for i in _by_path(inputs) if i not in found and (holding.get(i) or metric_rows.get(i))
    ]
    if len(candidates) < 2:
        return  # one input (the common case) is never a duplicate: no row lists built
    rows = tests.rows_by_input()
    # Cheap keys first: only inputs with as many executions of each outcome are compared.
    shapes: dict[tuple[object, ...], list[int]] = {}
    for i in candidates:
        outcomes = Counter(tests.outcome_of(r) for r in rows.get(i, ()))
        key = (
            tuple(outcomes[o] for o in Outcome),
            tuple(sorted(m.name for m in metric_rows.get(i, ()))),
        )
        shapes.setdefault(key, []).append(i)
    for group in shapes.values():
        signatures: dict[int, _Signature] = {}
        for position, later in enumerate(group):
            for earlier in group[:position]:
                if earlier in found or later in found:
                    continue
                a = signatures.get(earlier) or _signature(tests, rows.get(earlier, []))
                b = signatures.get(later) or _signature(tests, rows.get(later, []))
                signatures[earlier], signatures[later] = a, b
                if _same(a, b) and _same_metrics(
                    metric_rows.get(earlier, []), metric_rows.get(later, [])
                ):
                    found[later] = Duplicate(later, earlier, "the same executions")


def _contained(
    inputs: Sequence[InputFile],
    tests: TestTable,
    metrics: Sequence[Metric],
    found: dict[int, Duplicate],
) -> None:
    """Inputs whose every execution another input also holds (the same id, outcome and, where
    both give one, time): the shards of a run beside the merged copy of them (`junitparser
    merge`, a CI step that gathers Surefire's per-class files into one), or one shard beside a
    merged copy of all. Each part is left out and the input holding them read, so no execution
    counts twice; two runs of a suite differ in their times and are never contained, and
    untimed executions never show containment."""
    metric_keys: dict[int, Counter[tuple[object, ...]]] = {}
    for metric in metrics:
        metric_keys.setdefault(metric.input, Counter())[_metric_key(metric)] += 1
    holding = tests.counts_by_input()
    live = [i for i in _by_path(inputs) if i not in found and holding.get(i)]
    if len(live) < 2:
        return  # one input (the common case): no row lists built (a million rows is 26 MB)
    rows = tests.rows_by_input()
    holders: dict[str, list[int]] = {}
    executions: dict[int, Counter[tuple[str, str]]] = {}
    for i in live:
        executions[i] = Counter(
            (tests.id_of(r), f"{tests.outcome_of(r).value}/{tests.attempt_count(r)}")
            for r in rows[i]
        )
        for test_id, _outcome in executions[i]:
            holders.setdefault(test_id, []).append(i)
    # Largest first, so that a part is matched to the input holding the most.
    for whole in sorted(live, key=lambda i: (-len(rows[i]), inputs[i].path, i)):
        if whole in found:
            continue
        sharing = {j for test_id, _o in executions[whole] for j in holders[test_id]}
        for part in sorted(sharing - {whole}, key=lambda i: (inputs[i].path, i)):
            if (
                part in found
                or len(rows[part]) >= len(rows[whole])
                or executions[part] - executions[whole]
                or metric_keys.get(part, Counter()) - metric_keys.get(whole, Counter())
                or not _times_within(tests, rows[part], rows[whole])
            ):
                continue
            found[part] = Duplicate(part, whole, "all its executions are in it")


def _times_within(tests: TestTable, part: Sequence[int], whole: Sequence[int]) -> bool:
    """Whether each execution of `part` has its time among those of `whole` (per id, each
    time standing for one execution). Every execution of `part` must be timed on both sides,
    and not all at zero: names and outcomes alone do not show that a file is part of another
    (two TAP streams of other scripts may both hold an untimed `ok 1 - works`)."""
    times: dict[str, list[float]] = {}
    for r in whole:
        duration = tests.duration_of(r)
        if duration is not None:
            times.setdefault(tests.id_of(r), []).append(duration)
    timed = False
    for r in part:
        duration = tests.duration_of(r)
        candidates = times.get(tests.id_of(r))
        if duration is None or not candidates:
            return False
        best = min(range(len(candidates)), key=lambda k: abs(candidates[k] - duration))
        if abs(candidates[best] - duration) > TIME_TOLERANCE:
            return False
        timed = timed or duration > 0
        del candidates[best]
    return timed


#: Per execution: id, outcome with how many attempts it took (a copy that marks a retry is
#: not the same evidence as one that does not), time.
_Signature = list[tuple[str, str, float | None]]


def _signature(tests: TestTable, rows: Sequence[int]) -> _Signature:
    return sorted(
        (
            (
                tests.id_of(r),
                f"{tests.outcome_of(r).value}/{tests.attempt_count(r)}",
                tests.duration_of(r),
            )
            for r in rows
        ),
        key=lambda t: (t[0], t[1], -1.0 if t[2] is None else t[2]),
    )


def _same(a: _Signature, b: _Signature) -> bool:
    """Same ids and outcomes; every time known on both sides agrees."""
    if len(a) != len(b):
        return False
    for (id_a, out_a, time_a), (id_b, out_b, time_b) in zip(a, b, strict=True):
        if id_a != id_b or out_a != out_b:
            return False
        if time_a is not None and time_b is not None and abs(time_a - time_b) > TIME_TOLERANCE:
            return False
    return True


def _metric_key(m: Metric) -> tuple[object, ...]:
    return (m.name, m.unit, m.samples, tuple(sorted(m.stats.items())), m.n)


def _same_metrics(a: Sequence[Metric], b: Sequence[Metric]) -> bool:
    return sorted(map(_metric_key, a), key=repr) == sorted(map(_metric_key, b), key=repr)


def _same_run_other_format(
    inputs: Sequence[InputFile],
    tests: TestTable,
    metrics: Sequence[Metric],
    found: dict[int, Duplicate],
) -> None:
    holding = tests.counts_by_input()
    candidates = [i for i in range(len(inputs)) if i not in found and holding.get(i)]
    if len({inputs[i].format for i in candidates}) < 2:
        return  # only files of one format: nothing to match (and no id of every test built)
    rows = tests.rows_by_input()
    metric_rows: dict[int, list[Metric]] = {}
    for metric in metrics:
        metric_rows.setdefault(metric.input, []).append(metric)
    readings = {i: _Reading.of(tests, rows[i]) for i in candidates}
    # Which copy is read must not depend on the order the files were named in, and fails
    # closed: the copy that shows the most bad news is read (failing executions, then flaky
    # ones, then tests that did not pass in the end), then the one first by path.
    ranked = sorted(candidates, key=lambda i: (*readings[i].rank, inputs[i].path, i))
    for position, kept in enumerate(ranked):
        if kept in found:
            continue
        for other in ranked[position + 1 :]:
            if other in found or inputs[kept].format == inputs[other].format:
                continue
            a, b = readings[kept], readings[other]
            # Files that hold only errors of no test (a build failure, a bail-out) name no
            # test to match on: each keeps its errors.
            if not a.ids:
                continue
            by_title = a.ids != b.ids and a.titles == b.titles
            keep, drop = kept, other
            if a.ids != b.ids and not by_title:
                mapping = _aligned(a, b)
                if mapping is not None:
                    b = b.renamed(mapping)
                elif _unscoped_alike(a, b):
                    # Of copies that show as much, the one that names the test files is read:
                    # it keeps apart tests of one name in two files.
                    if a.rank == b.rank and a.unscoped:
                        keep, drop = other, kept
                    a, b = a.by_name(), b.by_name()
                else:
                    continue
            if not _same_metrics(metric_rows.get(kept, []), metric_rows.get(other, [])):
                continue
            read, left = (a, b) if keep == kept else (b, a)
            found[drop] = Duplicate(
                drop, keep, OTHER_REPORTER, _disagreements(inputs[drop].path, read, left, by_title)
            )
            if drop == kept:
                break


@record
class _Reading:
    """What one input says about the tests it holds, for matching two reporters of a run."""

    ids: frozenset[str]
    titles: frozenset[str]
    #: Final outcome of each test, by id and by full title (the last execution decides).
    by_id: dict[str, Outcome]
    by_title: dict[str, Outcome]
    #: Tests with a failing execution or a failed attempt (flaky), by id and by full title.
    bad_ids: frozenset[str]
    bad_titles: frozenset[str]
    #: Sorts first the copy that shows the most that did not pass (see the caller).
    rank: tuple[int, int, int]
    #: Each id as (scope, name), and per scope the names of its tests less the containers of
    #: subtests (see `_aligned`).
    parts: dict[str, tuple[str | None, str]]
    leaves: dict[str | None, frozenset[str]]
    #: Executions of each test name, whatever its scope (see `_unscoped_alike`).
    names: Counter[str]

    @classmethod
    def of(cls, tests: TestTable, rows: Sequence[int]) -> _Reading:
        by_id: dict[str, Outcome] = {}
        by_title: dict[str, Outcome] = {}
        bad_ids: set[str] = set()
        bad_titles: set[str] = set()
        parts: dict[str, tuple[str | None, str]] = {}
        names: Counter[str] = Counter()
        failing = flaky = 0
        for r in rows:
            outcome = tests.outcome_of(r)
            bad = outcome in _BAD
            if bad:
                failing += 1
            elif tests.is_flaky(r):
                flaky += 1
                bad = True
            # Errors that belong to no test (a failing hook, a collection error) are written by
            # one reporter and not by another: they are no test to match on, but they count
            # for the rank, so the copy that shows them is the one read.
            if tests.is_unattributed(r):
                continue
            test_id, title = tests.id_of(r), tests.full_title_of(r)
            if test_id not in parts:
                scope = tests.scope_of(r)
                if scope is not None and test_id.startswith(f"{scope}::"):
                    parts[test_id] = (scope, test_id[len(scope) + 2 :])
                else:
                    parts[test_id] = (None, test_id)
            names[parts[test_id][1]] += 1
            by_id[test_id] = outcome
            by_title[title] = outcome
            if bad:
                bad_ids.add(test_id)
                bad_titles.add(title)
        not_passed = sum(1 for o in by_id.values() if o is not Outcome.PASSED)
        return cls(
            frozenset(by_id),
            frozenset(by_title),
            by_id,
            by_title,
            frozenset(bad_ids),
            frozenset(bad_titles),
            (-failing, -flaky, -not_passed),
            parts,
            _leaves(parts.values()),
            names,
        )

    def renamed(self, scopes: dict[str | None, str | None]) -> _Reading:
        """This reading with each id under the scope `scopes` gives for its own."""

        def new(test_id: str) -> str:
            scope, name = self.parts[test_id]
            to = scopes.get(scope, scope)
            return name if to is None else f"{to}::{name}"

        parts = {new(i): (scopes.get(s, s), n) for i, (s, n) in self.parts.items()}
        return _Reading(
            frozenset(map(new, self.ids)),
            self.titles,
            {new(i): o for i, o in self.by_id.items()},
            self.by_title,
            frozenset(map(new, self.bad_ids)),
            self.bad_titles,
            self.rank,
            parts,
            _leaves(parts.values()),
            self.names,
        )

    @property
    def unscoped(self) -> bool:
        """Whether no test is under a scope (a classname, a file): TAP's plain names."""
        return all(scope is None for scope, _ in self.parts.values())

    def by_name(self) -> _Reading:
        """This reading with each test under its name alone; tests of one name under two
        scopes become one, which ends as the worse of them did."""
        by_id: dict[str, Outcome] = {}
        bad: set[str] = set()
        for test_id, outcome in self.by_id.items():
            name = self.parts[test_id][1]
            prior = by_id.get(name)
            by_id[name] = outcome if prior is None else min(prior, outcome, key=_WORST.index)
            if test_id in self.bad_ids:
                bad.add(name)
        parts: dict[str, tuple[str | None, str]] = {name: (None, name) for name in by_id}
        return _Reading(
            frozenset(by_id),
            self.titles,
            by_id,
            self.by_title,
            frozenset(bad),
            self.bad_titles,
            self.rank,
            parts,
            _leaves(parts.values()),
            self.names,
        )


def _leaves(parts: Iterable[tuple[str | None, str]]) -> dict[str | None, frozenset[str]]:
    """Per scope, the names of its tests that contain no other: `go test -json` counts a test
    that ran subtests (`TestX` beside `TestX/case`) by its subtests alone, where gotestsum's and
    go-junit-report's JUnit also write it as a testcase of its own."""
    names: dict[str | None, list[str]] = {}
    for scope, name in parts:
        names.setdefault(scope, []).append(name)
    out: dict[str | None, frozenset[str]] = {}
    for scope, listed in names.items():
        ordered = sorted(set(listed))
        kept = []
        for name in ordered:
            after = bisect_left(ordered, name + "/")
            if not (after < len(ordered) and ordered[after].startswith(name + "/")):
                kept.append(name)
        out[scope] = frozenset(kept)
    return out


def _aligned(a: _Reading, b: _Reading) -> dict[str | None, str | None] | None:
    """How to rename `b`'s scopes to `a`'s when the two hold the same tests under classnames
    spelt two ways, else None. Reporters of one run differ there: pytest's `--junit-prefix`
    puts a prefix before every JUnit classname that its JSON report's node ids lack;
    gotestsum's `--junitfile-testcase-classname=short` or `relative` writes `a` or `pkg/a` where
    `go test -json` has `example.com/m/pkg/a`. Each of `b`'s scopes must match exactly one of
    `a`'s holding the same test names (containers of subtests aside), one ending the other at
    a `.` or `/`; anything less certain is no match, and both copies count."""
    if len(a.leaves) != len(b.leaves):
        return None
    by_names: dict[frozenset[str], list[str | None]] = {}
    for scope, names in a.leaves.items():
        by_names.setdefault(names, []).append(scope)
    mapping: dict[str | None, str | None] = {}
    for scope, names in b.leaves.items():
        matches = [s for s in by_names.get(names, ()) if _ends_alike(s, scope)]
        if len(matches) != 1:
            return None
        mapping[scope] = matches[0]
    if len(set(mapping.values())) != len(mapping):
        return None
    return mapping


def _unscoped_alike(a: _Reading, b: _Reading) -> bool:
    """Whether one of two readings names no scope at all and the other holds tests of the
    same names, as many times each: bats' TAP names no test file, and its JUnit report
    (`--report-formatter junit`) puts each file's tests under a suite named after it."""
    return a.unscoped != b.unscoped and a.names == b.names


def _ends_alike(a: str | None, b: str | None) -> bool:
    """Whether one classname is the other, or ends it after a `.` or `/`."""
    if a is None or b is None:
        return a is b
    if a == b:
        return True
    long, short = (a, b) if len(a) > len(b) else (b, a)
    return long.endswith("." + short) or long.endswith("/" + short)


def _disagreements(
    other: str, kept: _Reading, dropped: _Reading, by_title: bool
) -> tuple[IntegrityFlag, ...]:
    """Flags for the copy that is read when the copy left out shows a test worse: failing in
    some execution (or flaky) where the copy read never shows it failing (NOT READY), or not
    run where the copy read shows it passed (INSUFFICIENT). Either way the verdict cannot rest
    on the copy read: the two may even be two runs of one suite. `by_title`: the copies were
    matched by full title (their ids differ), else by id."""
    if not by_title:
        theirs, ours = dropped.by_id, kept.by_id
        failed = sorted(dropped.bad_ids - kept.bad_ids)
    else:
        theirs, ours = dropped.by_title, kept.by_title
        failed = sorted(dropped.bad_titles - kept.bad_titles)
    skipped = sorted(
        t for t, o in theirs.items() if o is Outcome.SKIPPED and ours.get(t) is Outcome.PASSED
    )
    flags: list[IntegrityFlag] = []
    if failed:
        flags.append(
            IntegrityFlag(
                kind=IntegrityKind.FAILURES_MISSING,
                message=f"{other} holds the same tests and shows {first_few(failed)} failing, "
                "which this file does not",
            )
        )
    if skipped:
        flags.append(
            IntegrityFlag(
                kind=IntegrityKind.TESTS_MISSING,
                message=f"{other} holds the same tests and shows {first_few(skipped)} as not run, "
                "which this file shows passed",
            )
        )
    return tuple(flags)


#: (format of a copy that hides attempts, format of another reporter's copy of the same run
#: that records every attempt): pytest's JUnit XML writes each attempt of a retried test where
#: its pytest-json-report keeps only the last, and the output.xml of a `rebot --merge` keeps
#: each merged test's earlier status where its xUnit file keeps only the last. Other copies
#: hide what the flagged one hides (bats' TAP shows no retry, where its JUnit report at least
#: shows that one happened).
_ATTEMPTS_RECORDED = frozenset({("pytest-json", "junit"), ("junit", "robot")})


def attempts_shown(item: InputFile, other: InputFile) -> InputFile:
    """`item` without its `attempts_hidden` flags (and their warnings) when `other` is another
    reporter's copy of the same run that records every attempt (`_ATTEMPTS_RECORDED`), so the
    run is judged on the copy that shows them (see `_same_run_other_format`)."""
    hidden = [f for f in item.integrity if f.kind is IntegrityKind.ATTEMPTS_HIDDEN]
    if (
        not hidden
        or (item.format, other.format) not in _ATTEMPTS_RECORDED
        or any(f.kind is IntegrityKind.ATTEMPTS_HIDDEN for f in other.integrity)
    ):
        return item
    said = {f.message for f in hidden}
    return item.model_copy(
        update={
            "integrity": tuple(f for f in item.integrity if f not in hidden),
            "warnings": tuple(w for w in item.warnings if w.message not in said),
        }
    )
