"""Ingest stage: find result files, recognise their format by content, read them into a Run."""

from __future__ import annotations

import errno
import glob
import hashlib
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import DetectionError, InputError, UsageError
from reportgen.ingest.base import HEAD_BYTES, Ingester, Sink, Source
from reportgen.ingest.registry import all_ingesters, by_name
from reportgen.model import InputFile, Metric, Run, SkippedPath, TestTableBuilder

__all__ = ["Candidate", "detect", "expand_paths", "load"]

#: Scores below this are "not mine".
MIN_SCORE = 0.2
_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class Candidate:
    """A file found while expanding the command-line paths."""

    path: Path
    display: str
    explicit: bool  # named directly (an error if unrecognised) rather than found in a directory


def expand_paths(paths: Sequence[str]) -> list[Candidate]:
    """Files named by `paths`: files as given, directories searched recursively, globs expanded.

    A path that does not exist (and matches nothing as a glob) is an input error.
    Hidden files and directories under a directory are skipped.
    """
    found: list[Candidate] = []
    seen: set[Path] = set()

    def add(path: Path, display: str, explicit: bool) -> None:
        # realpath, unlike Path.resolve on 3.11, does not raise on a symbolic link loop.
        key = Path(os.path.realpath(path))
        if key not in seen:
            seen.add(key)
            found.append(Candidate(path, display, explicit))

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                # Sorted walk: the order of inputs must not depend on the file system.
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        full = Path(root) / name
                        add(full, str(full), False)
        elif path.exists():
            if not path.is_file():
                raise InputError("not a regular file", path=raw)
            add(path, raw, True)
        elif _GLOB_CHARS & set(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            files = [m for m in matches if Path(m).is_file()]
            if not files:
                raise InputError("no file matches this pattern", path=raw)
            for match in files:
                add(Path(match), match, True)
        else:
            raise InputError("no such file or directory", path=raw)
    return found


def _read_head(path: Path, display: str) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(HEAD_BYTES)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=display) from exc


def detect(head: bytes, display: str) -> Ingester | None:
    """The ingester that scores `head` best; None when none claims it.

    Raises DetectionError on a tie between different formats.
    """
    scored = sorted(
        ((ing.sniff(head, display), ing) for ing in all_ingesters()),
        key=lambda pair: -pair[0],
    )
    if not scored or scored[0][0] < MIN_SCORE:
        return None
    best_score, best = scored[0]
    tied = [ing.name for score, ing in scored if score == best_score]
    if len(tied) > 1:
        raise DetectionError(
            f"looks like several formats ({', '.join(tied)})",
            path=display,
            hint="choose one with --format",
        )
    return best


class _Hasher(threading.Thread):
    """sha256 of a file on a second thread; hashlib and file reads release the GIL."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.digest = ""
        self.size = 0
        self.error: OSError | None = None

    def run(self) -> None:
        digest = hashlib.sha256()
        try:
            with self.path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
                    self.size += len(chunk)
        except OSError as exc:
            self.error = exc
        self.digest = digest.hexdigest()


def load(
    paths: Sequence[str],
    *,
    format: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Run:
    """Read every result file under `paths` into one Run.

    `format` forces one ingester instead of detection. Files found under a directory that no
    ingester recognises are skipped and listed in `Run.skipped`; a file named explicitly that
    nothing recognises is an input error.
    """
    forced: Ingester | None = None
    if format is not None:
        forced = by_name(format)
        if forced is None:
            names = ", ".join(sorted(i.name for i in all_ingesters()))
            raise UsageError(f"unknown format {format!r}; known formats: {names}")
    tests = TestTableBuilder()
    metrics: list[Metric] = []
    inputs: list[InputFile] = []
    skipped: list[SkippedPath] = []
    for candidate in expand_paths(paths):
        if not candidate.explicit and not candidate.path.is_file():
            # Found under a directory: a dangling link, a link loop or a special file is named
            # and skipped, not a reason to abort the run.
            skipped.append(SkippedPath(path=candidate.display, reason=_not_a_file(candidate.path)))
            continue
        head = _read_head(candidate.path, candidate.display)
        ingester = forced or detect(head, candidate.display)
        if ingester is None:
            if candidate.explicit:
                raise DetectionError(
                    "not a results file reportgen recognises" if head.strip() else "file is empty",
                    path=candidate.display,
                    hint="see `reportgen formats`, or name one with --format",
                )
            skipped.append(SkippedPath(path=candidate.display, reason="format not recognised"))
            continue
        if progress is not None:
            progress(candidate.display)
        inputs.append(_read_one(candidate, head, ingester, len(inputs), tests, metrics))
    return Run(
        inputs=tuple(inputs), tests=tests.build(), metrics=tuple(metrics), skipped=tuple(skipped)
    )


def _not_a_file(path: Path) -> str:
    """Why a path found under a directory is not read."""
    if path.is_symlink():
        try:
            os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return "symbolic link loop"
            return "dangling symbolic link"
    return "not a regular file"


def _read_one(
    candidate: Candidate,
    head: bytes,
    ingester: Ingester,
    index: int,
    tests: TestTableBuilder,
    metrics: list[Metric],
) -> InputFile:
    hasher = _Hasher(candidate.path)
    hasher.start()
    sink = Sink(tests, metrics, index, candidate.display)
    ingester.read(Source(candidate.path, candidate.display, head), sink)
    hasher.join()
    if hasher.error is not None:
        raise InputError(
            f"cannot read: {hasher.error.strerror or hasher.error}", path=candidate.display
        )
    return InputFile(
        path=candidate.display,
        format=ingester.name,
        sha256=hasher.digest,
        size=hasher.size,
        records=sink.records,
        timestamp=sink.timestamp,
        warnings=tuple(sink.warnings),
    )


def formats() -> Iterable[Ingester]:
    """Every registered ingester, for `reportgen formats`."""
    return all_ingesters()
