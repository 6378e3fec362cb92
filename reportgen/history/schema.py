"""The history tables as SQLAlchemy Core objects (the schema at the newest migration).

Migrations in `migrations/versions/` create and change these tables; this module describes
their current shape for queries. Outcome codes are stored as small integers and never change.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

from reportgen.model import Outcome

#: On-disk outcome codes (the order in reportgen.model may change; these may not).
OUTCOME_CODES: dict[Outcome, int] = {
    Outcome.PASSED: 0,
    Outcome.FAILED: 1,
    Outcome.ERROR: 2,
    Outcome.SKIPPED: 3,
}
OUTCOMES_BY_CODE: dict[int, Outcome] = {code: o for o, code in OUTCOME_CODES.items()}
#: Codes of a test that did not pass (skips are neither).
BAD_CODES: tuple[int, ...] = (OUTCOME_CODES[Outcome.FAILED], OUTCOME_CODES[Outcome.ERROR])

metadata = MetaData()

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_key", String(64), nullable=False, unique=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("ran_at", String(64)),
    Column("commit_sha", String(64)),
    Column("branch", String(255)),
    Column("pr", String(64)),
    Column("run_url", Text),
    Column("job", String(255)),
    Column("reportgen_version", String(32), nullable=False),
    Column("inputs", Text, nullable=False),
)

test_names = Table(
    "test_names",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name_key", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
)

executions = Table(
    "executions",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("test_id", Integer, ForeignKey("test_names.id"), primary_key=True),
    Column("attempt", SmallInteger, primary_key=True),
    Column("input", SmallInteger, nullable=False),
    Column("outcome", SmallInteger, nullable=False),
    Column("duration", Float),
    sqlite_with_rowid=False,
)

metrics = Table(
    "metrics",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("input", SmallInteger, nullable=False),
    Column("name", Text, nullable=False),
    Column("unit", String(32), nullable=False),
    Column("direction", String(32), nullable=False),
    Column("samples", Text),
    Column("stats", Text, nullable=False),
    Column("n", Integer),
    Column("source", Text),
    # JSON of the Metric fields besides those above (resolution, iterations, properties, ...).
    Column("details", Text),
)

run_labels = Table(
    "run_labels",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("value", Text, nullable=False),
)
