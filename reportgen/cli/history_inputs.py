"""History as an input of `verdict` and `report`: `--baseline history:...` and the flakiness
that `max_flaky_history` criteria judge.

Imported only when a command asks for history, so the verdict path stays free of SQLAlchemy
and pandas otherwise.
"""

from __future__ import annotations

import argparse
import os

from reportgen.evaluation import Evaluation
from reportgen.history import database_url, parse_spec
from reportgen.history.facts import FlakyHistory, ReportHistory
from reportgen.model import Run


def current_branch() -> str | None:
    """The branch this run is of: the CI context's, else the git checkout's, else None."""
    from reportgen.cli.record import _git
    from reportgen.history.context import ci_context

    return ci_context(os.environ).get("branch") or _git("symbolic-ref", "--short", "-q", "HEAD")


def read_history(
    args: argparse.Namespace, specs: list[str], windows: set[int]
) -> tuple[Run | None, dict[int, FlakyHistory] | None, list[str]]:
    """The baseline the `history:` specs name (pooled), flakiness per window, and notes.

    A spec that matches no recorded run, or no database at all, gives an empty baseline: the
    criteria comparing with it are then insufficient, never passed.
    """
    from reportgen.history.store import RunInfo, find_runs, load_runs, open_store, sqlite_file

    parsed = [(spec, parse_spec(spec)) for spec in specs]
    url = database_url(getattr(args, "db", None), os.environ)
    path = sqlite_file(url)
    if path is not None and not path.exists():
        notes = [f"no run history at {path} (record runs with `reportgen record`)"]
        return (Run() if specs else None), None, notes
    notes = []
    baseline = None
    history: dict[int, FlakyHistory] | None = None
    with open_store(url, create=False) as store:
        if parsed:
            chosen: dict[int, RunInfo] = {}
            for spec, wanted in parsed:
                infos = find_runs(
                    store, branch=wanted.branch, commit=wanted.commit, last=wanted.last
                )
                if not infos:
                    notes.append(
                        f"--baseline {spec}: no recorded run matches ({wanted.describe()}) in "
                        f"{store.display}; the baseline is empty"
                    )
                chosen.update((info.id, info) for info in infos)
            used = sorted(chosen.values(), key=lambda i: (i.recorded_at, i.id), reverse=True)
            if used:
                notes.append("baseline from history: " + ", ".join(i.name() for i in used))
            baseline = load_runs(store, used)
        if windows:
            from reportgen.history.analysis import flaky_tests

            branch = current_branch()
            history = {w: flaky_tests(store, branch=branch, window=w) for w in sorted(windows)}
    return baseline, history, notes


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
