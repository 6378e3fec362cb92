"""History tests run against SQLite and against a real PostgreSQL server started here.

The server is private to the test session: a fresh cluster in a temporary directory, owned by
an unprivileged user (initdb refuses root), listening only on a unix socket in that directory,
stopped and removed afterwards. Without the PostgreSQL binaries the PostgreSQL tests skip,
except under CI=true, where that is a failure: CI must run them.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_BIN_DIRS = ("/usr/lib/postgresql/15/bin",)
_databases = itertools.count(1)


def _pg_binary(name: str) -> str | None:
    for directory in PG_BIN_DIRS:
        candidate = Path(directory) / name
        if candidate.is_file():
            return str(candidate)
    return shutil.which(name)


def _as_owner(user: str | None, *command: str) -> list[str]:
    return ["runuser", "-u", user, "--", *command] if user else list(command)


def _owner() -> str | None:
    """The unprivileged user to run the server as (None: this process already is one)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"],
            check=True,
        )
    return "postgres"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL prefix of a private PostgreSQL server: append a database name."""
    initdb, pg_ctl = _pg_binary("initdb"), _pg_binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        message = (
            "PostgreSQL binaries (initdb, pg_ctl) not found: install postgresql-15 to run the "
            "history tests against PostgreSQL"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: these tests must run in CI)")
        pytest.skip(message)
    user = _owner()
    root = Path(tempfile.mkdtemp(prefix="reportgen-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if user:
        shutil.chown(root, user)
        shutil.chown(sockets, user)
    root.chmod(0o755)
    log = root / "server.log"
    try:
        subprocess.run(
            _as_owner(
                user,
                initdb,
                "-D",
                str(data),
                "-U",
                "reportgen",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-instructions",
            ),
            check=True,
            capture_output=True,
        )
        options = f"-k {sockets} -c listen_addresses='' -p 5432 -c fsync=off"
        subprocess.run(
            _as_owner(user, pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "start"),
            check=True,
            capture_output=True,
        )
    except subprocess.CalledProcessError as error:
        detail = (error.stderr or b"").decode(errors="replace").strip()
        if log.exists():
            detail += "\n" + log.read_text(errors="replace")
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {detail}")
    try:
        yield f"postgresql://reportgen@/{{}}?host={sockets}&port=5432"
    finally:
        subprocess.run(
            _as_owner(user, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


def new_postgres_database(server: str) -> str:
    """Create an empty database on the private server and return its URL."""
    import psycopg

    name = f"history_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(server.format("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.format(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty history database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.db'}"
    return new_postgres_database(request.getfixturevalue("postgres_server"))
