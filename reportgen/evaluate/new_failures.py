"""`new_failures`: tests failing now that did not fail in the baseline, matched by canonical id.

Tests are matched by canonical id, then (for ids left on both sides) by full title, with the
file where both inputs give it: a format that lacks the file or the describe path (jest-junit's
default templates) still finds its tests, and a full title that several tests share and no
file tells apart never counts as a match that decides the result (INSUFFICIENT instead).
The comparison only means something when both runs hold the same tests. So it says how many
baseline tests it matched; a test that passed in the baseline and is absent now makes the
criterion insufficient (it may be the one that would fail) unless `allow_missing` permits
that many; and a baseline and current run that share fewer than half of the smaller run's
ids are not compared at all ("0 new failures" between two different suites proves nothing).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportgen.criteria import Effective, TestsSpec
from reportgen.evaluate import repeats
from reportgen.evaluate.context import Context
from reportgen.evaluate.counts import Check
from reportgen.evaluate.wording import list_ids
from reportgen.evaluation import Figures, Status
from reportgen.model import Outcome, TestTable

#: Below this share of the smaller run's ids in common, the two runs are not comparable.
MIN_OVERLAP = 0.5
_BAD = (Outcome.FAILED, Outcome.ERROR)


def _outcomes_by_id(table: TestTable, rows: Sequence[int]) -> dict[str, set[Outcome]]:
    out: dict[str, set[Outcome]] = {}
    for i in rows:
        out.setdefault(table.id_of(i), set()).add(table.outcome_of(i))
    return out


def _titles(table: TestTable, rows: Sequence[int]) -> dict[str, tuple[str, str | None]]:
    """Full title and file of each id (see `model.full_title`)."""
    out: dict[str, tuple[str, str | None]] = {}
    for i in rows:
        key = table.id_of(i)
        if key not in out:
            out[key] = (table.full_title_of(i), table.file_of(i))
    return out


@dataclass
class _Matching:
    """How the ids of the baseline and of the current run correspond."""

    #: Current id -> baseline ids it may be (one when matched, several when ambiguous).
    to_base: dict[str, list[str]] = field(default_factory=dict)
    #: Baseline ids that some current id stands for.
    covered: set[str] = field(default_factory=set)
    matched: int = 0
    by_title: int = 0
    #: Current ids of a full title that several tests share and no file tells apart.
    ambiguous: set[str] = field(default_factory=set)
    #: Full titles shared by several tests that no file tells apart, with fewer of them now
    #: than in the baseline: which one is absent cannot be said.
    short: list[str] = field(default_factory=list)


def _match(
    before: dict[str, set[Outcome]],
    now: dict[str, set[Outcome]],
    base_titles: dict[str, tuple[str, str | None]],
    now_titles: dict[str, tuple[str, str | None]],
) -> _Matching:
    """Match by canonical id; then the ids left on both sides by full title (and file where
    both sides know it), as when one format lacks the file or the describe path (jest-junit's
    default templates). A full title that several tests share is matched only where the files
    tell them apart; otherwise each current id may be any of them (see `_new`)."""
    m = _Matching()
    for key in before.keys() & now.keys():
        m.to_base[key] = [key]
    m.covered.update(m.to_base)
    m.matched = len(m.to_base)
    groups_base: dict[str, list[str]] = {}
    groups_now: dict[str, list[str]] = {}
    for key in before.keys() - m.covered:
        groups_base.setdefault(base_titles[key][0], []).append(key)
    for key in now.keys() - m.covered:
        groups_now.setdefault(now_titles[key][0], []).append(key)
    for title, base_ids in sorted(groups_base.items()):
        now_ids = groups_now.get(title)
        if not now_ids:
            continue
        if len(base_ids) > 1 or len(now_ids) > 1:
            base_ids, now_ids = _pair_by_file(m, base_ids, now_ids, base_titles, now_titles)
            if not base_ids or not now_ids:
                continue
        if len(base_ids) == 1 and len(now_ids) == 1:
            m.to_base[now_ids[0]] = base_ids
            m.covered.add(base_ids[0])
            m.matched += 1
            m.by_title += 1
            continue
        for key in now_ids:
            m.to_base[key] = sorted(base_ids)
            m.ambiguous.add(key)
        m.covered.update(base_ids)
        m.matched += min(len(base_ids), len(now_ids))
        m.by_title += min(len(base_ids), len(now_ids))
        if len(now_ids) < len(base_ids):
            m.short.append(title)
    return m


def _pair_by_file(
    m: _Matching,
    base_ids: list[str],
    now_ids: list[str],
    base_titles: dict[str, tuple[str, str | None]],
    now_titles: dict[str, tuple[str, str | None]],
) -> tuple[list[str], list[str]]:
    """Match the ids of one full title whose file is known on both sides and unique; return
    the ids left."""
    base_files = Counter(base_titles[k][1] for k in base_ids)
    now_files = Counter(now_titles[k][1] for k in now_ids)
    by_file = {base_titles[k][1]: k for k in base_ids}
    left_now: list[str] = []
    paired: set[str] = set()
    for key in now_ids:
        file = now_titles[key][1]
        if file is not None and base_files[file] == 1 and now_files[file] == 1:
            m.to_base[key] = [by_file[file]]
            m.covered.add(by_file[file])
            paired.add(by_file[file])
            m.matched += 1
            m.by_title += 1
        else:
            left_now.append(key)
    return [k for k in base_ids if k not in paired], left_now


def new_failures_check(ctx: Context, spec: TestsSpec, eff: Effective, selected: list[int]) -> Check:
    """Tests failing now that did not fail in the baseline, against `new_failures`."""
    assert spec.new_failures is not None
    limit = spec.new_failures
    allowed = spec.allow_missing or 0
    figures = Figures(stat="new_failures", threshold=float(limit), comparison="<=")
    base = ctx.baseline
    if base is None:
        return Check(
            Status.INSUFFICIENT,
            "new failures can only be counted against a baseline, and none was given",
            figures,
            "run again with --baseline PATH",
        )
    if len(base.tests) == 0:
        return Check(
            Status.INSUFFICIENT,
            "the baseline contains no tests to compare with",
            figures,
            "give a baseline with test results",
        )
    base_table = base.tests
    base_rows = (
        ctx.select_tests(spec.select, table=base_table)
        if spec.select
        else list(range(len(base_table)))
    )
    base_rows = repeats.count(base_table, base_rows, eff.repeats, repeats.retries_marked(base)).rows
    before = _outcomes_by_id(base_table, base_rows)
    now = _outcomes_by_id(ctx.run.tests, selected)
    matching = _match(before, now, _titles(base_table, base_rows), _titles(ctx.run.tests, selected))
    matched = matching.matched
    figures = figures.model_copy(update={"n": len(selected), "n_baseline": matched})
    if not before:
        return Check(
            Status.INSUFFICIENT,
            "no baseline test matches the selection",
            figures,
            "give a baseline that ran the selected tests",
        )
    smaller = min(len(before), len(now))
    if matched < MIN_OVERLAP * smaller:
        return Check(
            Status.INSUFFICIENT,
            f"the baseline and the current run barely overlap: {matched} of the baseline's "
            f"{len(before)} tests are in the current run of {len(now)}, so new failures "
            "cannot be told from renamed or missing tests",
            figures,
            "compare runs of the same test suite (the same test ids)",
        )
    failed_before = {t for t, seen in before.items() if seen & set(_BAD)}
    passed_before = {
        t for t, seen in before.items() if Outcome.PASSED in seen and not seen & set(_BAD)
    }
    missing = sorted(passed_before - matching.covered)
    failing_now = [ctx.run.tests.id_of(i) for i in selected if ctx.run.tests.outcome_of(i) in _BAD]
    new: list[str] = []
    unsure: list[str] = []
    for key in dict.fromkeys(failing_now):
        candidates = matching.to_base.get(key, [])
        if key not in matching.ambiguous:
            if not any(c in failed_before for c in candidates):
                new.append(key)
            continue
        # One of several tests of this full title: new only if none of them failed before,
        # carried over only if every execution of every one of them failed before.
        if not any(before[c] & set(_BAD) for c in candidates):
            new.append(key)
        elif not all(before[c] <= set(_BAD) for c in candidates):
            unsure.append(key)
    still = len(set(failing_now)) - len(new) - len(unsure)
    figures = figures.model_copy(update={"value": float(len(new))})
    compared = f"{matched} of the baseline's {len(before)} tests matched by id" + (
        f" ({matching.by_title} by full title)" if matching.by_title else ""
    )
    carried = f"; {still} failing in the baseline too" if still else ""
    if unsure:
        carried += (
            f"; {len(unsure)} that cannot be matched to one baseline test ({list_ids(unsure)})"
        )
    if len(new) > limit:
        return Check(
            Status.FAIL,
            f"{len(new)} tests fail now that did not fail in the baseline, "
            f"more than {limit}: {list_ids(new)} ({compared}{carried})",
            figures,
            ids=new,
        )
    if unsure or matching.short:
        titles = list(dict.fromkeys([*unsure, *matching.short]))
        return Check(
            Status.INSUFFICIENT,
            f"{len(titles)} test{'s' if len(titles) > 1 else ''} cannot be matched to one "
            f"baseline test: {list_ids(titles)} share their full title with other tests and "
            f"one of the inputs does not say which file each is in ({compared})",
            figures,
            "write both runs in a format that keeps the test file (jest-junit: "
            "addFileAttribute, or Jest's --json)",
            ids=unsure,
        )
    if len(missing) > allowed:
        return Check(
            Status.INSUFFICIENT,
            f"{len(missing)} test{'s' if len(missing) > 1 else ''} that passed in the baseline "
            f"{'are' if len(missing) > 1 else 'is'} absent now: {list_ids(missing)} "
            f"({compared}; allow_missing: {allowed})",
            figures,
            "run the missing tests, or set allow_missing if they were removed on purpose",
        )
    absent = f"; {len(missing)} absent (allow_missing: {allowed})" if missing else ""
    return Check(
        Status.PASS,
        f"{len(new)} new failures against the baseline (at most {limit}; "
        f"{compared}{absent}{carried})",
        figures,
    )
