"""A private PostgreSQL server for the history tests and benchmark.

A fresh cluster in a temporary directory, owned by an unprivileged user (initdb refuses root),
listening only on a unix socket in that directory, stopped and removed afterwards.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Debian's PostgreSQL 15 binaries (the package does not put them on PATH).
PG_BIN_DIRS = ("/usr/lib/postgresql/15/bin",)
_databases = itertools.count(1)


class ServerUnavailable(Exception):
    """No PostgreSQL binaries here."""


def pg_binary(name: str) -> str | None:
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


@contextmanager
def private_server() -> Iterator[str]:
    """Start a server; yields a URL template with `{}` where the database name goes."""
    initdb, pg_ctl = pg_binary("initdb"), pg_binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise ServerUnavailable(
            "PostgreSQL binaries (initdb, pg_ctl) not found: install postgresql-15"
        )
    user = _owner()
    root = Path(tempfile.mkdtemp(prefix="reportgen-pg-"))
    data, sockets, log = root / "data", root / "sock", root / "server.log"
    sockets.mkdir()
    if user:
        shutil.chown(root, user)
        shutil.chown(sockets, user)
    root.chmod(0o755)
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
        raise RuntimeError(f"could not start PostgreSQL: {detail}") from None
    try:
        yield f"postgresql://reportgen@/{{}}?host={sockets}&port=5432"
    finally:
        subprocess.run(
            _as_owner(user, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


def new_database(server: str) -> str:
    """Create an empty database on the server and return its URL."""
    import psycopg

    name = f"history_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(server.format("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.format(name)
