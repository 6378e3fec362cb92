"""Run labels (`record --label k=v`) and indexes for the branch and commit look-ups.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_labels",
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    # Baselines ask for the newest runs of a branch or a commit.
    op.create_index("ix_runs_branch_recorded", "runs", ["branch", "recorded_at"])
    op.create_index("ix_runs_commit", "runs", ["commit_sha"])


def downgrade() -> None:
    op.drop_index("ix_runs_commit", table_name="runs")
    op.drop_index("ix_runs_branch_recorded", table_name="runs")
    op.drop_table("run_labels")
