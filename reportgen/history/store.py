"""The history store: open (and migrate) the database, record runs, read runs back.

SQLAlchemy Core over one schema for SQLite and PostgreSQL (psycopg 3). Every statement is
parametrised. A run is recorded in one transaction: stored whole or not at all.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    exc,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.engine import URL, make_url

from reportgen import __version__
from reportgen.errors import HistoryError
from reportgen.history.context import RunContext
from reportgen.history.schema import (
    OUTCOME_CODES,
    OUTCOMES_BY_CODE,
    executions,
    metrics,
    run_labels,
    runs,
    test_names,
)
from reportgen.model import (
    Direction,
    InputFile,
    IntegrityFlag,
    IntegrityKind,
    Metric,
    Outcome,
    Run,
    TestTableBuilder,
)

#: Key of the PostgreSQL advisory lock held while migrating (any constant; "rg-hist").
_MIGRATION_LOCK = 0x72672D68697374
#: Rows per bulk insert and values per IN (...) list (SQLite takes 32,766 parameters).
_CHUNK = 5000
#: Seconds SQLite waits for another writer before giving up.
_SQLITE_BUSY_SECONDS = 60
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


# --- URLs ------------------------------------------------------------------------------------


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except exc.ArgumentError as error:
        raise HistoryError(f"not a database URL: {redact(url)}") from error
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise HistoryError(
            f"unsupported database {parsed.get_backend_name()!r} in {redact(url)}: "
            "use sqlite:///PATH or postgresql://..."
        )
    return parsed


def redact(url: str) -> str:
    """The URL without user name, password or query (which may hold a password)."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        return "<database URL>"
    # URL.set() cannot clear a field (None means "keep"): build a new URL without them.
    bare = URL.create(
        parsed.drivername, host=parsed.host, port=parsed.port, database=parsed.database
    )
    return bare.render_as_string(hide_password=True)


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL, None for other databases (or an in-memory SQLite)."""
    parsed = _parse(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


# --- opening -----------------------------------------------------------------------------------


class Store:
    """An open history database, migrated to the newest schema."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.display = redact(url)
        # The password wherever it shows; the user name where drivers quote it.
        self._secrets = tuple(
            s
            for s in (
                engine.url.password,
                f'"{engine.url.username}"' if engine.url.username else None,
            )
            if s
        )
        self.is_postgresql = engine.url.get_backend_name() == "postgresql"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def errors(self, doing: str) -> Iterator[None]:
        """Turn a database failure into one HistoryError line with no credentials in it."""
        try:
            yield
        except exc.DBAPIError as error:
            detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            for secret in self._secrets:
                detail = detail.replace(secret, "***")
            raise HistoryError(f"{self.display}: cannot {doing}: {detail}") from None

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A connection in a write transaction (SQLite: BEGIN IMMEDIATE, so writers queue)."""
        with self.engine.connect() as conn:
            conn.execution_options(history_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn


def open_store(url: str, *, create: bool = True) -> Store:
    """Open the database at `url`, creating an SQLite file's directory and migrating the schema.

    With `create=False` a missing SQLite file is an error instead of a new, empty history.
    """
    parsed = _parse(url)
    path = sqlite_file(url)
    if path is not None:
        if not path.exists():
            if not create:
                raise HistoryError(f"no history database at {path} (record runs first)")
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": _SQLITE_BUSY_SECONDS})
        _sqlite_setup(engine)
    else:
        # The driver SQLAlchemy loads for postgresql+psycopg; named here so a missing install
        # is one clear line instead of SQLAlchemy's import error.
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:
            raise HistoryError(
                "PostgreSQL history needs psycopg 3: pip install 'psycopg[binary]'"
            ) from exc
        _quiet_psycopg()
        engine = create_engine(parsed, pool_size=1, max_overflow=2)
    store = Store(engine, url)
    with store.errors("open the history database"):
        _migrate(store)
    return store


def _quiet_psycopg() -> None:
    """Keep psycopg's own log lines off stderr.

    When a statement fails inside a pipeline, psycopg logs "error ignored terminating
    <Pipeline ... (user=... database=...)>" through logging's last-resort handler: a second
    line beside our one-line error, naming the user. The error itself still reaches us.
    """
    import logging

    logger = logging.getLogger("psycopg")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())


def _sqlite_setup(engine: Engine) -> None:
    """WAL (readers never wait for the writer), a busy timeout, and our own BEGIN.

    pysqlite's implicit transactions would start a write only at the first INSERT; a writer
    must take the lock at BEGIN (IMMEDIATE) so that two recorders queue instead of deadlocking.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("history_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def schema_head() -> str:
    """The newest schema revision this reportgen knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def schema_revision(store: Store) -> str | None:
    """The schema revision the database is at (None: empty database)."""
    from alembic.runtime.migration import MigrationContext

    with store.reading() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _migrate(store: Store, target: str = "head") -> None:
    """Apply the migrations the database lacks, once even when several processes start at once."""
    from alembic import command
    from alembic.script import ScriptDirectory

    config = _alembic_config()
    script = ScriptDirectory.from_config(config)
    known = {rev.revision for rev in script.walk_revisions()}
    current = schema_revision(store)
    wanted = script.get_current_head() if target == "head" else target
    if current is not None and current not in known:
        raise HistoryError(
            f"{store.display}: the history schema is at revision {current}, newer than this "
            f"reportgen {__version__} knows; upgrade reportgen"
        )
    if current == wanted:
        return
    with store.writing() as conn:
        if store.is_postgresql:
            # Held to the end of the transaction; the next process then finds the schema done.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = conn
        command.upgrade(config, target)


def migrate_to(url: str, revision: str) -> None:
    """Bring a database to one schema revision (for tests of the migrations themselves)."""
    parsed = _parse(url)
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)
        _sqlite_setup(engine)
    else:
        engine = create_engine(parsed)
    store = Store(engine, url)
    try:
        _migrate(store, revision)
    finally:
        store.close()


# --- what the model gives ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Execution:
    """One execution of a test as stored."""

    test_id: str
    input: int
    attempt: int
    outcome: Outcome
    duration: float | None


def test_executions(run: Run) -> Iterator[Execution]:
    """Every test execution the model holds, attempts numbered from 1 per test id.

    The one place that knows how the model keeps repeated executions (today: a test's
    `attempts`, else the test itself as its only execution). Bulk accessors only: building a
    TestCase per test would cost more than storing it.
    """
    table = run.tests
    numbers: dict[str, int] = {}
    for i in range(len(table)):
        test_id, source = table.id_of(i), table.input_of(i)
        attempts = table.attempts_of(i)
        if not attempts:
            attempt = numbers.get(test_id, 0) + 1
            numbers[test_id] = attempt
            yield Execution(test_id, source, attempt, table.outcome_of(i), table.duration_of(i))
            continue
        for execution in attempts:
            attempt = numbers.get(test_id, 0) + 1
            numbers[test_id] = attempt
            yield Execution(test_id, source, attempt, execution.outcome, execution.duration)


test_executions.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def run_key(run: Run, commit: str | None) -> str:
    """Identity of a run: the same input files (by content) of the same commit.

    Recording again (a retried CI step) stores nothing; identical results of another commit
    are another run, which flakiness and failing streaks need to see.
    """
    digests = sorted(f"{f.sha256}:{f.format}" for f in run.inputs)
    return hashlib.sha256("\n".join([commit or "", *digests]).encode()).hexdigest()


def _input_record(f: InputFile) -> dict[str, Any]:
    return {
        "path": f.path,
        "format": f.format,
        "sha256": f.sha256,
        "size": f.size,
        "records": f.records,
        "timestamp": f.timestamp,
        # What the input said about itself (aborted, tests missing, errors outside any test):
        # a baseline read back from history must be held to it as a file baseline is.
        "integrity": [flag.model_dump(mode="json") for flag in f.integrity],
    }


#: The flag of an input recorded before its integrity facts were kept: whether it was
#: complete is unknown, so it is no evidence for READY as a baseline.
_UNVERIFIED = IntegrityFlag(
    kind=IntegrityKind.TESTS_MISSING,
    message="recorded by an earlier reportgen that did not keep whether the input was complete "
    "or contradicted itself; record that run again to use it as a baseline",
)


#: Metric fields kept in the `details` column: how the values were recorded (the timer's
#: resolution per iteration, values rounded down, failed samples), which a baseline needs
#: as much as the values.
_METRIC_DETAILS: set[str] = set(Metric.model_fields) - {
    "name",
    "unit",
    "direction",
    "samples",
    "stats",
    "n",
    "input",
    "source",
}

#: The flag of an input whose metrics were recorded before their details were kept.
_METRIC_UNKNOWN = IntegrityFlag(
    kind=IntegrityKind.TESTS_MISSING,
    message="recorded by an earlier reportgen that did not keep how its metrics were recorded "
    "(resolution, iterations, rounding); record that run again to use it as a baseline",
)


def _stored_integrity(item: Mapping[str, Any]) -> tuple[IntegrityFlag, ...]:
    """The integrity flags stored with a recorded input (see `_input_record`)."""
    if "integrity" not in item:
        return (_UNVERIFIED,)
    return tuple(IntegrityFlag.model_validate(flag) for flag in item["integrity"])


def _name_key(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- recording -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    """What `record` did."""

    run_id: int
    duplicate: bool
    tests: int
    executions: int
    metrics: int


def record(store: Store, run: Run, context: RunContext) -> Recorded:
    """Store `run` with its context in one transaction; the same inputs again store nothing."""
    key = run_key(run, context.commit)
    stamps = sorted(f.timestamp for f in run.inputs if f.timestamp)
    row = {
        "run_key": key,
        "recorded_at": context.recorded_at.astimezone(UTC),
        "ran_at": stamps[0] if stamps else None,
        "commit_sha": context.commit,
        "branch": context.branch,
        "pr": context.pr,
        "run_url": context.run_url,
        "job": context.job,
        "reportgen_version": __version__,
        "inputs": json.dumps([_input_record(f) for f in run.inputs], sort_keys=True),
    }
    found = list(test_executions(run))
    with store.errors("record the run"), store.writing() as conn:
        run_id = conn.execute(
            _insert(store, runs)
            .values(row)
            .on_conflict_do_nothing(index_elements=["run_key"])
            .returning(runs.c.id)
        ).scalar()
        if run_id is None:
            existing = conn.execute(select(runs.c.id).where(runs.c.run_key == key)).scalar_one()
            return Recorded(existing, True, len(run.tests), len(found), len(run.metrics))
        ids = _test_ids(store, conn, sorted({e.test_id for e in found}))
        rows = [
            {
                "run_id": run_id,
                "test_id": ids[e.test_id],
                "attempt": e.attempt,
                "input": e.input,
                "outcome": OUTCOME_CODES[e.outcome],
                "duration": e.duration,
            }
            for e in found
        ]
        _insert_executions(store, conn, rows)
        metric_rows = [
            {
                "run_id": run_id,
                "position": position,
                "input": m.input,
                "name": m.name,
                "unit": m.unit,
                # "": nothing said which way is better (the column predates optional directions).
                "direction": "" if m.direction is None else m.direction.value,
                "samples": None if m.samples is None else json.dumps(list(m.samples)),
                "stats": json.dumps(m.stats, sort_keys=True),
                "n": m.n,
                "source": m.source,
                "details": json.dumps(
                    m.model_dump(mode="json", include=_METRIC_DETAILS), sort_keys=True
                ),
            }
            for position, m in enumerate(run.metrics)
        ]
        for part in _chunks(metric_rows):
            conn.execute(insert(metrics), list(part))
        if context.labels:
            conn.execute(
                insert(run_labels),
                [{"run_id": run_id, "key": k, "value": v} for k, v in context.labels.items()],
            )
    return Recorded(run_id, False, len(run.tests), len(found), len(run.metrics))


def _insert_executions(store: Store, conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Bulk insert of a run's executions: COPY on PostgreSQL (one round trip for thousands of
    rows, data apart from the statement), executemany on SQLite."""
    if not store.is_postgresql:
        for part in _chunks(rows, 10 * _CHUNK):
            conn.execute(insert(executions), list(part))
        return
    columns = ("run_id", "test_id", "attempt", "input", "outcome", "duration")
    raw: Any = conn.connection.dbapi_connection  # a psycopg connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY executions ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(tuple(row[c] for c in columns))


def _insert(store: Store, table: Any) -> Any:
    """INSERT with ON CONFLICT support in the store's dialect."""
    if store.is_postgresql:
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def _test_ids(store: Store, conn: Connection, names: list[str]) -> dict[str, int]:
    """Ids of the test names, adding the new ones.

    Names are added in one order (by key) so that concurrent recorders on PostgreSQL wait for
    each other instead of deadlocking; a name another recorder added meanwhile is read back.
    """
    keyed = sorted((_name_key(n), n) for n in names)
    ids: dict[str, int] = {}
    by_key = dict(keyed)

    def look_up(keys: list[str]) -> None:
        for part in _chunks(keys):
            if store.is_postgresql:
                # One array parameter: PostgreSQL plans `= ANY($1)` far faster than IN ($1..$n).
                from sqlalchemy import String, any_, bindparam
                from sqlalchemy.dialects.postgresql import ARRAY

                match = test_names.c.name_key == any_(
                    bindparam("keys", list(part), type_=ARRAY(String))
                )
            else:
                match = test_names.c.name_key.in_(part)
            for row in conn.execute(select(test_names.c.id, test_names.c.name_key).where(match)):
                ids[by_key[row.name_key]] = row.id

    look_up([k for k, _ in keyed])
    missing = [(k, n) for k, n in keyed if n not in ids]
    if missing:
        statement = _insert(store, test_names).on_conflict_do_nothing(index_elements=["name_key"])
        for part in _chunks(missing):
            conn.execute(statement, [{"name_key": k, "name": n} for k, n in part])
        look_up([k for k, _ in missing])
    return ids


# --- reading runs ------------------------------------------------------------------------------


class RunInfo:
    """One stored run's context (no results)."""

    __slots__ = (
        "branch",
        "commit",
        "executions",
        "id",
        "inputs",
        "job",
        "labels",
        "pr",
        "recorded_at",
        "run_url",
        "version",
    )

    def __init__(self, row: Any, labels: dict[str, str]) -> None:
        self.id: int = row.id
        self.recorded_at = _utc(row.recorded_at)
        self.commit: str | None = row.commit_sha
        self.branch: str | None = row.branch
        self.pr: str | None = row.pr
        self.run_url: str | None = row.run_url
        self.job: str | None = row.job
        self.version: str = row.reportgen_version
        self.inputs: list[dict[str, Any]] = json.loads(row.inputs)
        self.labels = labels

    def name(self) -> str:
        """`run 12 (main @ 1a2b3c4d5e6f)`: how reports and messages name a run."""
        where = self.branch or "no branch"
        commit = f" @ {self.commit[:12]}" if self.commit else ""
        return f"run {self.id} ({where}{commit})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "recorded_at": self.recorded_at.isoformat(),
            "commit": self.commit,
            "branch": self.branch,
            "pr": self.pr,
            "run_url": self.run_url,
            "job": self.job,
            "reportgen_version": self.version,
            "labels": self.labels,
            "inputs": self.inputs,
        }


def _utc(value: datetime) -> datetime:
    # SQLite hands back the naive UTC time that was stored; PostgreSQL an aware one.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def find_runs(
    store: Store,
    *,
    branch: str | None = None,
    commit: str | None = None,
    last: int | None = None,
    before: int | None = None,
    labels: Sequence[tuple[str, str]] = (),
) -> list[RunInfo]:
    """Stored runs, newest first; `commit` matches a prefix of the SHA; `before` a run id;
    `labels` (key, value) pairs every run returned carries."""
    query = select(runs).order_by(runs.c.recorded_at.desc(), runs.c.id.desc())
    if branch is not None:
        query = query.where(runs.c.branch == branch)
    for key, value in labels:
        query = query.where(
            runs.c.id.in_(
                select(run_labels.c.run_id).where(
                    run_labels.c.key == key, run_labels.c.value == value
                )
            )
        )
    if commit is not None:
        query = query.where(
            func.lower(runs.c.commit_sha).like(_escape_like(commit.lower()) + "%", escape="\\")
        )
    if before is not None:
        query = query.where(runs.c.id != before)
    if last is not None:
        query = query.limit(last)
    with store.errors("read runs"), store.reading() as conn:
        rows = conn.execute(query).all()
        carried: dict[int, dict[str, str]] = {row.id: {} for row in rows}
        for part in _chunks(list(carried)):
            for label in conn.execute(
                select(run_labels).where(run_labels.c.run_id.in_(part)).order_by(run_labels.c.key)
            ):
                carried[label.run_id][label.key] = label.value
    return [RunInfo(row, carried[row.id]) for row in rows]


def _escape_like(value: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", value)


def load_runs(
    store: Store, infos: Sequence[RunInfo], keep: Mapping[int, Collection[int]] | None = None
) -> Run:
    """The stored runs as one Run (tests and samples pooled), each input named after its run.

    `keep` maps a run id to the positions of its inputs to load (the results of the others are
    left out); None loads every input. Test executions come back as the ingesters gave them:
    repeats of an id within one input merge into attempts again.
    """
    inputs: list[InputFile] = []
    index: dict[tuple[int, int], int] = {}
    for info in infos:
        for position, item in enumerate(info.inputs):
            if keep is not None and position not in keep.get(info.id, ()):
                continue
            index[(info.id, position)] = len(inputs)
            inputs.append(
                InputFile(
                    path=f"history {info.name()}: {item['path']}",
                    format=item["format"],
                    sha256=item["sha256"],
                    size=item["size"],
                    records=item["records"],
                    timestamp=item.get("timestamp"),
                    integrity=_stored_integrity(item),
                )
            )
    builder = TestTableBuilder()
    found: list[Metric] = []
    unknown: set[int] = set()  # inputs with a metric recorded before its details were kept
    ids = [info.id for info in infos]
    with store.errors("read runs"), store.reading() as conn:
        for part in _chunks(ids):
            query = (
                select(
                    executions.c.run_id,
                    executions.c.input,
                    executions.c.outcome,
                    executions.c.duration,
                    test_names.c.name,
                )
                .join(test_names, test_names.c.id == executions.c.test_id)
                .where(executions.c.run_id.in_(part))
                .order_by(executions.c.run_id, executions.c.test_id, executions.c.attempt)
            )
            for row in conn.execute(query):
                if (row.run_id, row.input) not in index:
                    continue
                builder.add(
                    name=row.name,
                    outcome=OUTCOMES_BY_CODE[row.outcome],
                    duration=row.duration,
                    input=index[(row.run_id, row.input)],
                )
            query = (
                select(metrics)
                .where(metrics.c.run_id.in_(part))
                .order_by(metrics.c.run_id, metrics.c.position)
            )
            for row in conn.execute(query):
                if (row.run_id, row.input) not in index:
                    continue
                if row.details is None:
                    unknown.add(index[(row.run_id, row.input)])
                found.append(
                    Metric(
                        **(json.loads(row.details) if row.details is not None else {}),
                        name=row.name,
                        unit=row.unit,
                        direction=Direction(row.direction) if row.direction else None,
                        samples=None if row.samples is None else tuple(json.loads(row.samples)),
                        stats=json.loads(row.stats),
                        n=row.n,
                        input=index[(row.run_id, row.input)],
                        source=row.source,
                    )
                )
    for position in sorted(unknown):
        held = inputs[position]
        inputs[position] = held.model_copy(update={"integrity": (*held.integrity, _METRIC_UNKNOWN)})
    return Run(inputs=tuple(inputs), tests=builder.build(), metrics=tuple(found))


def prune(store: Store, older_than: datetime) -> int:
    """Delete the runs recorded before `older_than`; returns how many."""
    cutoff = older_than.astimezone(UTC)
    old = select(runs.c.id).where(runs.c.recorded_at < cutoff).scalar_subquery()
    with store.errors("prune runs"), store.writing() as conn:
        # Children first: SQLite enforces ON DELETE CASCADE only with foreign keys switched on.
        for table in (executions, metrics, run_labels):
            conn.execute(delete(table).where(table.c.run_id.in_(old)))
        return conn.execute(delete(runs).where(runs.c.recorded_at < cutoff)).rowcount or 0
