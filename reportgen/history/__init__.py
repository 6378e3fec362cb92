"""Run history: record runs in SQLite or PostgreSQL and read baselines, flakiness and trends.

This module stays light (no SQLAlchemy, Alembic or pandas): the CLI imports it to recognise
`--baseline history:...` and to name the database, and `reportgen verdict` must start fast.
The store lives in `reportgen.history.store`, the analysis in `reportgen.history.analysis`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from reportgen.errors import UsageError

#: Where history goes when neither --db nor REPORTGEN_DB names a database (relative to the cwd).
DEFAULT_PATH = ".reportgen/history.db"
#: Environment variable naming the database URL.
ENV_VAR = "REPORTGEN_DB"
#: Prefix of a `--baseline` value that reads the baseline from history.
BASELINE_PREFIX = "history:"

_SHA = re.compile(r"^[0-9A-Fa-f]{4,64}$")
#: How a `history:` spec names a label the runs must carry: `label.os=linux`.
_LABEL = "label."


def database_url(option: str | None, env: Mapping[str, str]) -> str:
    """The database to use: `--db`, else REPORTGEN_DB, else the default SQLite file.

    A value without `://` is a path to an SQLite file.
    """
    url = option or env.get(ENV_VAR, "").strip() or DEFAULT_PATH
    return url if "://" in url else f"sqlite:///{url}"


@dataclass(frozen=True)
class HistorySpec:
    """Which recorded runs a `history:` baseline takes."""

    branch: str | None = None
    commit: str | None = None
    last: int = 1
    #: Labels every run taken must carry (`label.KEY=VALUE`), sorted by key.
    labels: tuple[tuple[str, str], ...] = ()

    def where(self) -> str:
        """`branch main with os=linux`: the runs the spec chooses among."""
        where = f"commit {self.commit}" if self.commit else f"branch {self.branch}"
        if self.labels:
            where += " with " + ", ".join(f"{k}={v}" for k, v in self.labels)
        return where

    def describe(self) -> str:
        if self.last == 1:
            return f"the latest run on {self.where()}"
        return f"the last {self.last} runs on {self.where()}"


def is_history_spec(value: str) -> bool:
    return value.startswith(BASELINE_PREFIX)


def parse_spec(value: str) -> HistorySpec:
    """Parse `history:branch=main[,last=N][,label.KEY=VALUE]...` or `history:commit=SHA`
    (labels too); UsageError otherwise."""
    body = value[len(BASELINE_PREFIX) :]
    fields: dict[str, str] = {}
    labels: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in body.split(","))):
        key, sep, text = part.partition("=")
        if not sep or not text.strip():
            raise UsageError(f"--baseline {value}: expected key=value, got {part!r}")
        key = key.strip()
        label = key.removeprefix(_LABEL)
        if label != key and label and label not in labels:
            labels[label] = text.strip()
            continue
        if key not in ("branch", "commit", "last") or key in fields:
            raise UsageError(
                f"--baseline {value}: unknown or repeated key {key!r} "
                "(branch, commit, last, label.KEY)"
            )
        fields[key] = text.strip()
    if ("branch" in fields) == ("commit" in fields):
        raise UsageError(
            f"--baseline {value}: give exactly one of branch=NAME or commit=SHA, "
            "e.g. history:branch=main,last=5"
        )
    last = 1
    if "last" in fields:
        if not (fields["last"].isascii() and fields["last"].isdigit()) or int(fields["last"]) < 1:
            raise UsageError(f"--baseline {value}: last must be a whole number of runs, at least 1")
        last = int(fields["last"])
    commit = fields.get("commit")
    if commit is not None and not _SHA.match(commit):
        raise UsageError(f"--baseline {value}: commit must be a hexadecimal SHA (4 to 64 digits)")
    return HistorySpec(
        branch=fields.get("branch"), commit=commit, last=last, labels=tuple(sorted(labels.items()))
    )
