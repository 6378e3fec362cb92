"""What a recorded metric says about its own recording: resolution, iterations, counts, units
and properties, without which a baseline read back from history is judged differently from the
same file.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL on the rows recorded before: what they said is unknown (see store._METRIC_UNKNOWN).
    op.add_column("metrics", sa.Column("details", sa.Text))


def downgrade() -> None:
    op.drop_column("metrics", "details")
