"""Time the run history on SQLite and PostgreSQL: record, a last=5 baseline, flaky tests.

Usage: python3 benchmarks/history.py [--runs 1000] [--tests 5000] [--metrics 50]
       [--samples 100] [--backend sqlite|postgresql]...

Fills a fresh database per back end with --runs recorded runs of --tests tests and --metrics
metrics x --samples samples (generated; the filler uses bulk inserts, COPY on PostgreSQL,
straight into the history tables), then times through reportgen's own code:
  - recording one more run (`store.record`; target <= 1 s), against a bare executemany of the
    same execution rows into an empty copy of the table (the reference, same run);
  - building a `history:branch=main,last=5` baseline (`find_runs` + `load_runs`; <= 1 s);
  - finding the flaky tests over every stored run (`analysis.flaky_tests`; <= 2 s);
and prints the database size per run. PostgreSQL runs on a private server started here (as
the tests do). Each timing is the median of three.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from reportgen.history.analysis import flaky_tests
from reportgen.history.context import RunContext
from reportgen.history.schema import OUTCOME_CODES, runs, test_names
from reportgen.history.store import (
    Store,
    _name_key,
    find_runs,
    load_runs,
    open_store,
    record,
)
from reportgen.model import (
    Direction,
    InputFile,
    Metric,
    Outcome,
    Run,
    TestTableBuilder,
)

FLAKY = 20  # tests 0..19 fail now and then
BROKEN = 30  # tests 20..49 start failing at some run and keep failing
START = datetime(2026, 1, 1, tzinfo=UTC)


def test_name(k: int) -> tuple[str, str]:
    return f"bench.mod{k // 100:02d}.TestCase", f"test_{k:05d}"


def outcome(k: int, r: int, rng: random.Random) -> Outcome:
    """Mostly passes: FLAKY tests fail one run in five; BROKEN more break for good at some run."""
    if k < FLAKY:
        return Outcome.FAILED if rng.random() < 0.2 else Outcome.PASSED
    # Broken at an even run: the first run of a new commit (two runs per commit).
    if FLAKY <= k < FLAKY + BROKEN and r >= 2 * ((k * 7919) % 500):
        return Outcome.FAILED
    return Outcome.PASSED


def make_run(r: int, n_tests: int, n_metrics: int, n_samples: int) -> Run:
    rng = random.Random(r)
    builder = TestTableBuilder()
    for k in range(n_tests):
        classname, name = test_name(k)
        builder.add(
            name=name,
            classname=classname,
            outcome=outcome(k, r, rng),
            duration=rng.uniform(0.001, 0.5),
        )
    found = tuple(
        Metric(
            name=f"metric_{m:02d}",
            unit="s",
            direction=Direction.LOWER_IS_BETTER,
            samples=tuple(rng.lognormvariate(0, 0.1) for _ in range(n_samples)),
            input=1,
        )
        for m in range(n_metrics)
    )
    digest = hashlib.sha256(f"run {r}".encode()).hexdigest()
    inputs = (
        InputFile(path="junit.xml", format="junit", sha256=digest, size=1, records=n_tests),
        InputFile(
            path="metrics.json",
            format="metrics-json",
            sha256=digest[::-1],
            size=1,
            records=n_metrics,
        ),
    )
    return Run(inputs=inputs, tests=builder.build(), metrics=found)


def context(r: int) -> RunContext:
    # Two runs per commit, so that "passed and failed on the same commit" can happen.
    return RunContext(
        commit=f"{r // 2:040x}", branch="main", recorded_at=START + timedelta(minutes=r)
    )


def execution_rows(r: int, n_tests: int, ids: list[int]) -> Iterator[tuple[object, ...]]:
    rng = random.Random(r)
    for k in range(n_tests):
        code = OUTCOME_CODES[outcome(k, r, rng)]
        yield (r, ids[k], 1, 0, code, rng.uniform(0.001, 0.5))


def metric_rows(r: int, n_metrics: int, n_samples: int) -> Iterator[tuple[object, ...]]:
    rng = random.Random(-r)
    for m in range(n_metrics):
        samples = json.dumps([rng.lognormvariate(0, 0.1) for _ in range(n_samples)])
        yield (r, m, 1, f"metric_{m:02d}", "s", "lower_is_better", samples, "{}", None, None)


def fill(store: Store, n_runs: int, n_tests: int, n_metrics: int, n_samples: int) -> None:
    """Write n_runs runs straight into the tables (what n_runs `record`s would store)."""
    names = [("::".join(test_name(k)),) for k in range(n_tests)]
    with store.writing() as conn:
        conn.execute(insert(test_names), [{"name_key": _name_key(n), "name": n} for (n,) in names])
        ids = [row.id for row in conn.execute(text("SELECT id FROM test_names ORDER BY id"))]
        conn.execute(
            insert(runs),
            [
                {
                    "id": r,
                    "run_key": hashlib.sha256(f"filler {r}".encode()).hexdigest(),
                    "recorded_at": context(r).recorded_at,
                    "commit_sha": context(r).commit,
                    "branch": "main",
                    "reportgen_version": "bench",
                    "inputs": json.dumps(
                        [
                            {
                                "path": "junit.xml",
                                "format": "junit",
                                "sha256": "0" * 64,
                                "size": 1,
                                "records": n_tests,
                                "timestamp": None,
                            },
                            {
                                "path": "metrics.json",
                                "format": "metrics-json",
                                "sha256": "1" * 64,
                                "size": 1,
                                "records": n_metrics,
                                "timestamp": None,
                            },
                        ]
                    ),
                }
                for r in range(1, n_runs + 1)
            ],
        )
        raw = conn.connection.dbapi_connection
        assert raw is not None
        exec_cols = "(run_id, test_id, attempt, input, outcome, duration)"
        metric_cols = "(run_id, position, input, name, unit, direction, samples, stats, n, source)"
        if store.is_postgresql:
            cursor = raw.cursor()
            with cursor.copy(f"COPY executions {exec_cols} FROM STDIN") as copy:
                for r in range(1, n_runs + 1):
                    for row in execution_rows(r, n_tests, ids):
                        copy.write_row(row)
            with cursor.copy(f"COPY metrics {metric_cols} FROM STDIN") as copy:
                for r in range(1, n_runs + 1):
                    for row in metric_rows(r, n_metrics, n_samples):
                        copy.write_row(row)
            cursor.execute("SELECT setval('runs_id_seq', %s)", (n_runs,))
        else:
            cursor = raw.cursor()
            for r in range(1, n_runs + 1):
                cursor.executemany(
                    f"INSERT INTO executions {exec_cols} VALUES (?, ?, ?, ?, ?, ?)",
                    execution_rows(r, n_tests, ids),
                )
                cursor.executemany(
                    f"INSERT INTO metrics {metric_cols} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    metric_rows(r, n_metrics, n_samples),
                )
    if store.is_postgresql:
        with store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def median_time(action: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def size_of(store: Store, url: str) -> int:
    if store.is_postgresql:
        with store.reading() as conn:
            return int(
                conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
            )
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(url.removeprefix("sqlite:///"))
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def bench(name: str, url: str, args: argparse.Namespace) -> None:
    print(
        f"== {name}: {args.runs} runs x {args.tests} tests, {args.metrics} metrics x "
        f"{args.samples} samples"
    )
    store = open_store(url)
    start = time.perf_counter()
    fill(store, args.runs, args.tests, args.metrics, args.samples)
    print(
        f"  fill (bulk insert{', COPY' if store.is_postgresql else ''}): "
        f"{time.perf_counter() - start:.1f} s"
    )
    size = size_of(store, url)
    print(
        f"  database size per run: {size / args.runs / 1024:.0f} KiB ({size / 2**20:.0f} MiB "
        f"for {args.runs} runs)"
    )

    fresh = [make_run(args.runs + 1 + i, args.tests, args.metrics, args.samples) for i in range(3)]
    counter = iter(range(3))

    def record_one() -> object:
        i = next(counter)
        return record(store, fresh[i], context(args.runs + 1 + i))

    took, _ = median_time(record_one)
    # Reference: the same 5,000 execution rows into an empty table of the same shape, bare.
    rows = [
        dict(
            zip(("run_id", "test_id", "attempt", "input", "outcome", "duration"), row, strict=True)
        )
        for row in execution_rows(1, args.tests, list(range(1, args.tests + 1)))
    ]
    with store.writing() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE bare AS SELECT * FROM executions WHERE 1 = 0"))

    def bare() -> None:
        with store.writing() as conn:
            conn.execute(text("DELETE FROM bare"))
            conn.execute(
                text(
                    "INSERT INTO bare (run_id, test_id, attempt, input, outcome, duration) "
                    "VALUES (:run_id, :test_id, :attempt, :input, :outcome, :duration)"
                ),
                rows,
            )

    reference, _ = median_time(bare)
    print(
        f"  record one run: {took:.3f} s (target <= 1 s; bare INSERT of its {args.tests} "
        f"execution rows: {reference:.3f} s, ratio {took / reference:.1f}x)"
    )

    def baseline() -> Run:
        return load_runs(store, find_runs(store, branch="main", last=5))

    took, built = median_time(baseline)
    assert isinstance(built, Run)
    print(
        f"  last=5 baseline: {took:.3f} s (target <= 1 s; {len(built.tests)} tests, "
        f"{sum(m.sample_count for m in built.metrics)} samples)"
    )

    total = args.runs + 3
    took, found = median_time(lambda: flaky_tests(store, branch="main", window=total))
    print(
        f"  flaky tests over {total} runs: {took:.3f} s (target <= 2 s; "
        f"{len(found.tests)} flaky of {args.tests})"
    )  # type: ignore[attr-defined]
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--tests", type=int, default=5000)
    parser.add_argument("--metrics", type=int, default=50)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"], default=[])
    args = parser.parse_args()
    backends = args.backend or ["sqlite", "postgresql"]
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="reportgen-bench-")))
        if "sqlite" in backends:
            bench("SQLite", f"sqlite:///{tmp / 'history.db'}", args)
        if "postgresql" in backends:
            from tests.history.pgserver import new_database, private_server

            server = stack.enter_context(private_server())
            bench("PostgreSQL 15", new_database(server), args)


if __name__ == "__main__":
    main()
