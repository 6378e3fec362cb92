"""History tests run against SQLite and against a real PostgreSQL server started here.

Without the PostgreSQL binaries the PostgreSQL tests skip, except under CI=true, where that is
a failure: CI must run them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.history.pgserver import ServerUnavailable, new_database, private_server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL template of a private PostgreSQL server (`{}`: the database name)."""
    try:
        with private_server() as server:
            yield server
    except ServerUnavailable as missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing} (CI=true: the PostgreSQL history tests must run in CI)")
        pytest.skip(f"{missing} to run the history tests against PostgreSQL")
    except RuntimeError as broken:
        pytest.fail(str(broken))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty history database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.db'}"
    return new_database(request.getfixturevalue("postgres_server"))
