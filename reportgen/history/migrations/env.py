"""Alembic environment: migrate the connection the store hands over (never one of its own).

The store opens the transaction and, on PostgreSQL, holds an advisory lock, so concurrent
first uses migrate once.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
