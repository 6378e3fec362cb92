"""Alembic migrations of the history schema, applied on first use by `store.open_store`."""
