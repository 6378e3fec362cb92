"""First history schema: runs, test names, test executions and metric samples.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_key", sa.String(64), nullable=False, unique=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ran_at", sa.String(64)),
        sa.Column("commit_sha", sa.String(64)),
        sa.Column("branch", sa.String(255)),
        sa.Column("pr", sa.String(64)),
        sa.Column("run_url", sa.Text),
        sa.Column("job", sa.String(255)),
        sa.Column("reportgen_version", sa.String(32), nullable=False),
        sa.Column("inputs", sa.Text, nullable=False),
    )
    op.create_table(
        "test_names",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        # sha256 of the name: test ids may exceed what a unique index accepts.
        sa.Column("name_key", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
    )
    op.create_table(
        "executions",
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("test_id", sa.Integer, sa.ForeignKey("test_names.id"), primary_key=True),
        sa.Column("attempt", sa.SmallInteger, primary_key=True),
        sa.Column("input", sa.SmallInteger, nullable=False),
        sa.Column("outcome", sa.SmallInteger, nullable=False),
        sa.Column("duration", sa.Float),
        # On SQLite the rows live in the primary key's B-tree: no second copy of the key and
        # no second look-up per row (thousands of small rows per run).
        sqlite_with_rowid=False,
    )
    # Failures are rare: a partial index finds them (and the tests they belong to) without
    # reading every execution, which is what flakiness and "failing since" start from.
    op.create_index(
        "ix_executions_not_passed",
        "executions",
        ["test_id", "run_id"],
        sqlite_where=sa.text("outcome <> 0"),
        postgresql_where=sa.text("outcome <> 0"),
    )
    op.create_table(
        "metrics",
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("input", sa.SmallInteger, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("direction", sa.String(32), nullable=False),
        # The samples of one metric record as a JSON array: they are always read together.
        sa.Column("samples", sa.Text),
        sa.Column("stats", sa.Text, nullable=False),
        sa.Column("n", sa.Integer),
        sa.Column("source", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("metrics")
    op.drop_index("ix_executions_not_passed", table_name="executions")
    op.drop_table("executions")
    op.drop_table("test_names")
    op.drop_table("runs")
