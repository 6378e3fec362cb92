"""Find inputs that hold the same evidence as another input, so that it is counted once.

Three signs, strongest first: the same bytes (one file given twice under two paths); a file
that names another input as its source (a CTRF file written by `reportgen convert` lists the
sha256 of each file it was converted from); and the same executions (the same test ids with
the same outcomes and, within the rounding of the formats, the same times, plus the same
metric records), as when one pytest run is written both as JUnit XML and as
pytest-json-report. Times are required for that sign: two runs of a suite without times
cannot be told apart from one run read twice, so they both count. A fourth sign covers one run
that two reporters write with different detail (pytest-rerunfailures: JUnit lists each rerun,
pytest-json-report folds them into one test): files of different formats with the same test
ids, each ending in the same outcome, or with the same executions by full title (Jest's JSON
and jest-junit, which keeps only the full title). Counting both would add trials the run never
made, so one is left out; two files of one format (shards of a matrix) are never matched this
way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from reportgen.model import InputFile, Metric, Outcome, TestTable

#: Times of one execution written by two formats differ by their rounding: pytest's JUnit
#: writer keeps milliseconds, CTRF whole milliseconds, pytest-json-report the full float.
TIME_TOLERANCE = 0.0011


@dataclass(frozen=True)
class Duplicate:
    """An input whose evidence another input already holds."""

    index: int
    same_as: int
    why: str


def find_duplicates(
    inputs: Sequence[InputFile], tests: TestTable, metrics: Sequence[Metric]
) -> list[Duplicate]:
    """The inputs to leave out, each with the input that holds the same evidence.

    The first input read is kept; a converted file is left out when all its sources are
    there, else the sources it covers are.
    """
    found: dict[int, Duplicate] = {}
    by_sha: dict[str, int] = {}
    for index, item in enumerate(inputs):
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
            found[index] = Duplicate(index, sources[0], "converted from it")
        else:
            for src in sources:
                found[src] = Duplicate(src, index, "converted into it")
    _same_executions(inputs, tests, metrics, found)
    _same_run_other_format(inputs, tests, metrics, found)
    return sorted(found.values(), key=lambda d: d.index)


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
        i for i in range(len(inputs)) if i not in found and (holding.get(i) or metric_rows.get(i))
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


_Signature = list[tuple[str, str, float | None]]


def _signature(tests: TestTable, rows: Sequence[int]) -> _Signature:
    return sorted(
        ((tests.id_of(r), tests.outcome_of(r).value, tests.duration_of(r)) for r in rows),
        key=lambda t: (t[0], t[1], -1.0 if t[2] is None else t[2]),
    )


def _same(a: _Signature, b: _Signature) -> bool:
    """Same ids and outcomes; every time known on both sides agrees, and at least one is."""
    if len(a) != len(b):
        return False
    timed = 0
    for (id_a, out_a, time_a), (id_b, out_b, time_b) in zip(a, b, strict=True):
        if id_a != id_b or out_a != out_b:
            return False
        if time_a is not None and time_b is not None:
            if abs(time_a - time_b) > TIME_TOLERANCE:
                return False
            timed += 1
    return timed > 0 or not a


def _same_metrics(a: Sequence[Metric], b: Sequence[Metric]) -> bool:
    def key(m: Metric) -> tuple[object, ...]:
        return (m.name, m.unit, m.samples, tuple(sorted(m.stats.items())), m.n)

    return sorted(map(key, a), key=repr) == sorted(map(key, b), key=repr)


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
    finals: dict[int, dict[str, Outcome]] = {}
    for i in range(len(inputs)):
        if i in found or not rows.get(i):
            continue
        last: dict[str, Outcome] = {}
        for r in rows[i]:  # rows are in file order: the last execution of an id ends it
            last[tests.id_of(r)] = tests.outcome_of(r)
        finals[i] = last
    kept = sorted(finals)
    for position, later in enumerate(kept):
        for earlier in kept[:position]:
            if earlier in found or later in found:
                continue
            if inputs[earlier].format == inputs[later].format:
                continue
            if (
                finals[earlier] == finals[later] or _same_titles(tests, rows[earlier], rows[later])
            ) and _same_metrics(metric_rows.get(earlier, []), metric_rows.get(later, [])):
                found[later] = Duplicate(
                    later, earlier, "the same tests with the same final outcomes"
                )


def _same_titles(tests: TestTable, a: Sequence[int], b: Sequence[int]) -> bool:
    """The same executions by full title and outcome: one Jest run written as `--json` and
    by jest-junit, whose default templates keep neither the file nor the describe path, so
    the ids differ while the tests are the same (see `model.full_title`)."""
    if len(a) != len(b):
        return False

    def titles(rows: Sequence[int]) -> Counter[tuple[str, Outcome]]:
        return Counter((tests.full_title_of(r), tests.outcome_of(r)) for r in rows)

    return titles(a) == titles(b)
