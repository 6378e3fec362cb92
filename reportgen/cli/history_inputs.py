"""History as an input of `verdict` and `report`: `--baseline history:...` and the flakiness
that `max_flaky_history` criteria judge.

Imported only when a command asks for history, so the verdict path stays free of SQLAlchemy
and pandas otherwise.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from reportgen.evaluation import Evaluation
from reportgen.history import HistorySpec, database_url, parse_spec
from reportgen.history.facts import FlakyHistory, ReportHistory
from reportgen.model import IntegrityFlag, IntegrityKind, Run

if TYPE_CHECKING:
    from reportgen.history.store import RunInfo, Store


def current_branch() -> str | None:
    """The branch this run is of: the CI context's, else the git checkout's, else None."""
    from reportgen.cli.record import _git
    from reportgen.history.context import ci_context

    return ci_context(os.environ).get("branch") or _git("symbolic-ref", "--short", "-q", "HEAD")


def read_history(
    args: argparse.Namespace, specs: list[str], windows: set[int], current: Run
) -> tuple[Run | None, dict[int, FlakyHistory] | None, list[str]]:
    """The baseline the `history:` specs name (pooled), flakiness per window, and notes.

    A spec that matches no recorded run, or no database at all, gives an empty baseline: the
    criteria comparing with it are then insufficient, never passed. Recorded inputs with the
    bytes of a `current` input are the current evidence and never part of the baseline; an
    input recorded in several of the runs used is counted once.
    """
    from reportgen.history.store import load_runs, open_store, sqlite_file

    parsed = [(spec, parse_spec(spec)) for spec in specs]
    url = database_url(getattr(args, "db", None), os.environ)
    path = sqlite_file(url)
    if path is not None and not path.exists():
        notes = [f"no run history at {path} (record runs with `reportgen record`)"]
        return (Run() if specs else None), None, notes
    notes = []
    baseline = None
    history: dict[int, FlakyHistory] | None = None
    now = {item.sha256: item.path for item in current.inputs}
    with open_store(url, create=False) as store:
        if parsed:
            chosen: dict[int, RunInfo] = {}
            mixed: list[str] = []
            for spec, wanted in parsed:
                infos, itself = _other_runs(store, wanted, now)
                mixture = _mixed_labels(store, wanted)
                if mixture is not None:
                    mixed.append(f"--baseline {spec}: {mixture}")
                if itself:
                    notes.append(
                        f"--baseline {spec}: left out "
                        + ", ".join(i.name() for i in itself)
                        + ": it holds only the current inputs (this run, recorded), and a "
                        "baseline is never read as current evidence"
                    )
                if not infos:
                    other = " other than the current run" if itself else ""
                    notes.append(
                        f"--baseline {spec}: no recorded run{other} matches ({wanted.describe()}) "
                        f"in {store.display}; the baseline is empty"
                    )
                elif len(infos) < wanted.last:
                    # last=N says how many runs to pool, not how many the statistics need
                    # (min_samples judges the pooled samples), so fewer is said, not refused.
                    other = " other than the current run" if itself else ""
                    found = (
                        f"1 recorded run{other} matches; the baseline is that one"
                        if len(infos) == 1
                        else f"{len(infos)} recorded runs{other} match; the baseline pools them"
                    )
                    notes.append(
                        f"--baseline {spec}: {wanted.describe()} asked for, but only {found}"
                    )
                chosen.update((info.id, info) for info in infos)
            used = sorted(chosen.values(), key=lambda i: (i.recorded_at, i.id), reverse=True)
            keep, dropped = _baseline_inputs(used, now)
            notes.extend(dropped)
            if used:
                notes.append("baseline from history: " + ", ".join(i.name() for i in used))
            baseline = load_runs(store, used, keep)
            if mixed:
                notes.extend(mixed)
                flags = tuple(
                    IntegrityFlag(kind=IntegrityKind.MIXED_LABELS, message=m) for m in mixed
                )
                baseline = baseline.model_copy(
                    update={
                        "inputs": tuple(
                            i.model_copy(update={"integrity": (*i.integrity, *flags)})
                            for i in baseline.inputs
                        )
                    }
                )
        if windows:
            from reportgen.history.analysis import flaky_tests

            branch = current_branch()
            # Each current test's runs in the window: one seen in fewer than two shows nothing.
            ids = {current.tests.id_of(i) for i in range(len(current.tests))}
            history = {
                w: flaky_tests(store, branch=branch, window=w, counted=ids) for w in sorted(windows)
            }
    return baseline, history, notes


def _mixed_labels(store: Store, wanted: HistorySpec) -> str | None:
    """Why the runs `wanted` chooses among are no one baseline, or None: the recent runs of its
    branch (or commit) carry different values of a label the spec does not name (`os=linux`
    and `os=mac`, or a label some runs lack), so which of them is the latest is chance."""
    from reportgen.history.store import find_runs

    recent = find_runs(
        store,
        branch=wanted.branch,
        commit=wanted.commit,
        last=REPORT_WINDOW,
        labels=wanted.labels,
    )
    named = {key for key, _ in wanted.labels}
    keys = sorted({key for info in recent for key in info.labels} - named)
    differ = {key: sorted({info.labels.get(key, "(none)") for info in recent}) for key in keys}
    differ = {key: values for key, values in differ.items() if len(values) > 1}
    if not differ:
        return None
    said = "; ".join(f"{key}: {', '.join(values)}" for key, values in differ.items())
    key, values = next(iter(differ.items()))
    example = next(v for v in values if v != "(none)")
    return (
        f"the recorded runs of {wanted.where()} carry different labels "
        f"({said}), and a baseline from another machine or configuration is no comparison: "
        f"name one, e.g. label.{key}={example}"
    )


def _other_runs(
    store: Store, wanted: HistorySpec, current: Mapping[str, str]
) -> tuple[list[RunInfo], list[RunInfo]]:
    """The runs `wanted` names, newest first, and the newer runs passed over for being the
    current run itself (every input of theirs is a current input).

    The usual CI step records a run and then gates it against its branch: that run is not
    counted in `last=N`, so the baseline is the N runs before it.
    """
    from reportgen.history.store import find_runs

    limit = wanted.last
    while True:
        found = find_runs(
            store, branch=wanted.branch, commit=wanted.commit, last=limit, labels=wanted.labels
        )
        others: list[RunInfo] = []
        itself: list[RunInfo] = []
        for info in found:
            if len(others) == wanted.last:
                break
            if info.inputs and all(item["sha256"] in current for item in info.inputs):
                itself.append(info)
            else:
                others.append(info)
        if len(others) == wanted.last or len(found) < limit:
            return others, itself
        # Each run passed over makes room for one more older run.
        limit = wanted.last + len(itself)


def _baseline_inputs(
    used: Sequence[RunInfo], current: Mapping[str, str]
) -> tuple[dict[int, set[int]], list[str]]:
    """Which inputs of `used` (newest first) the baseline reads, by run id and position, and
    a note for each one left out.

    Left out: an input with the bytes of a current input (the current evidence), and an input
    recorded again in an older run (the same file under another commit is one set of samples,
    and pooling it twice would double its weight and sample count).
    """
    keep: dict[int, set[int]] = {}
    seen: dict[str, str] = {}
    notes: list[str] = []
    for info in used:
        keep[info.id] = set()
        for position, item in enumerate(info.inputs):
            digest, where = item["sha256"], f"history {info.name()}: {item['path']}"
            if digest in current:
                notes.append(
                    f"{where}: holds the same bytes as the current input {current[digest]}; "
                    "left out of the baseline (a baseline is never read as current evidence)"
                )
            elif digest in seen:
                notes.append(
                    f"{where}: holds the same bytes as {seen[digest]}; counted once in the baseline"
                )
            else:
                seen[digest] = where
                keep[info.id].add(position)
    return keep, notes


#: Recorded runs a report's history section looks back over.
REPORT_WINDOW = 20


def report_history(args: argparse.Namespace, evaluation: Evaluation) -> ReportHistory | None:
    """What a report shows from history: trends of the metrics the criteria judged, failing
    streaks and flaky tests, over the last REPORT_WINDOW runs of the current branch.

    None when there is no database to read (a report never creates one).
    """
    from reportgen.history.analysis import failing_since, flaky_tests, metric_trends
    from reportgen.history.store import find_runs, open_store, sqlite_file

    url = database_url(getattr(args, "db", None), os.environ)
    path = sqlite_file(url)
    if path is not None and not path.exists():
        return None
    gated = sorted(
        {m for c in evaluation.criteria for e in c.evidence if not e.baseline for m in e.metrics}
    )
    branch = current_branch()
    with open_store(url, create=False) as store:
        recent = find_runs(store, branch=branch, last=REPORT_WINDOW)
        trends = (
            metric_trends(store, branch=branch, last=REPORT_WINDOW, names=gated) if gated else []
        )
        since = failing_since(store, recent[0]) if recent else []
        flaky = flaky_tests(store, branch=branch, window=REPORT_WINDOW).tests
    return ReportHistory(
        branch=branch,
        runs=tuple(info.name() for info in recent),
        trends=tuple(trends),
        failing_since=tuple(since),
        flaky=flaky,
    )
