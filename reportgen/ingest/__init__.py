"""Ingest stage: find result files, recognise their format by content, read them into a Run."""

from __future__ import annotations

import gc
import glob
import hashlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import BinaryIO

from reportgen.errors import DetectionError, InputError, UsageError
from reportgen.ingest import _stdin, registry
from reportgen.ingest._archive import archived_results
from reportgen.ingest._duplicates import OTHER_REPORTER, attempts_shown, find_duplicates
from reportgen.ingest._harness_logs import pabot_log, surefire_dump
from reportgen.ingest._notresults import not_results
from reportgen.ingest._scan import (
    IgnoreRules,
    compression,
    decompressed,
    inner_name,
    looks_like_results,
    transcoded,
    utf16_text,
)
from reportgen.ingest._shards import Shard, missing_shards
from reportgen.ingest.base import HEAD_BYTES, Ingester, Sink, Source
from reportgen.ingest.criterion import scan_role as criterion_role
from reportgen.ingest.registry import all_ingesters, by_name, candidates
from reportgen.model import (
    Diagnostic,
    InputFile,
    IntegrityKind,
    Metric,
    Run,
    SkipKind,
    SkippedPath,
    TestTableBuilder,
)
from reportgen.records import record

__all__ = ["Candidate", "detect", "expand_paths", "load"]

#: Scores below this are "not mine".
MIN_SCORE = 0.2
_GLOB_CHARS = set("*?[")


@record
class Candidate:
    """A file found while expanding the command-line paths."""

    path: Path
    display: str
    explicit: bool  # named directly (an error if unrecognised) rather than found in a directory
    #: Path relative to the directory it was found under (for ignore globs); None if named.
    relative: str | None = None
    #: Standard input (`-`), spooled to `path`.
    stdin: bool = False
    #: Named by its own path, not matched by a glob: an ignore glob cannot unname it.
    literal: bool = False


def _excluded(paths: Sequence[str]) -> set[Path]:
    """Resolved files and directories named by `paths` (globs expanded; missing ones left out)."""
    out: set[Path] = set()
    for raw in paths:
        matches = [raw] if Path(raw).exists() else glob.glob(raw, recursive=True)
        out.update(Path(m).resolve() for m in matches)
    return out


def expand_paths(
    paths: Sequence[str],
    hidden: list[SkippedPath] | None = None,
    exclude: Sequence[str] = (),
    stdin: Path | None = None,
) -> list[Candidate]:
    """Files named by `paths`: files as given, directories searched recursively, globs expanded.

    `-` is standard input, already spooled to the file `stdin` (a usage error without one).

    A path that does not exist (and matches nothing as a glob) is an input error.
    Hidden files and directories under a directory are not searched; they are listed in
    `hidden` when given, so that nothing is left out without a word. Whatever `exclude` names
    (the baseline) is skipped too; naming an excluded file or a path inside an excluded
    directory directly is a usage error, since a baseline is never also read as current results.
    """
    found: list[Candidate] = []
    seen: set[Path] = set()
    excluded = _excluded(_stdin.without_stdin(exclude))

    def is_excluded(key: Path) -> bool:
        return bool(excluded) and (key in excluded or not excluded.isdisjoint(key.parents))

    def add(
        path: Path,
        display: str,
        explicit: bool,
        relative: str | None = None,
        literal: bool = False,
    ) -> None:
        key = path.resolve()
        if is_excluded(key):
            if explicit:
                raise UsageError(
                    f"{display}: given both as results and as --baseline; "
                    "a baseline is never read as current results"
                )
            return
        if key not in seen:
            seen.add(key)
            found.append(Candidate(path, display, explicit, relative, literal=literal))

    listed: set[Path] = set()

    def skip_hidden(full: Path, what: str) -> None:
        # A hidden name can be met twice (a glob's match and a walk of the folder it matched).
        if hidden is not None and full not in listed:
            listed.add(full)
            hidden.append(
                SkippedPath(path=str(full), reason=f"hidden {what}, not read", kind=SkipKind.HIDDEN)
            )

    def walk(path: Path) -> None:
        # Linked directories are followed (results are often gathered by links), each
        # real directory once, so a link loop ends.
        walked: set[Path] = set()
        for root, dirs, files in os.walk(path, followlinks=True):
            walked.add(Path(root).resolve())
            # Sorted walk: the order of inputs must not depend on the file system.
            for name in sorted(d for d in dirs if d.startswith(".")):
                skip_hidden(Path(root) / name, "directory")
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".")
                and (Path(root) / d).resolve() not in walked
                and not is_excluded((Path(root) / d).resolve())
            )
            for name in sorted(files):
                full = Path(root) / name
                if name.startswith("."):
                    skip_hidden(full, "file")
                elif not full.exists():
                    if hidden is not None:
                        hidden.append(
                            SkippedPath(
                                path=str(full),
                                reason="broken symbolic link",
                                kind=SkipKind.UNREADABLE,
                                evidence=looks_like_results(name, b""),
                            )
                        )
                else:
                    add(full, str(full), False, full.relative_to(path).as_posix())

    for raw in paths:
        if raw == _stdin.STDIN:
            if stdin is None:
                raise UsageError("`-` (standard input) cannot be read here")
            found.append(Candidate(stdin, _stdin.DISPLAY, True, stdin=True))
            continue
        path = Path(raw)
        if path.is_dir():
            if is_excluded(path.resolve()):
                raise UsageError(
                    f"{raw}: given both as results and as --baseline; "
                    "a baseline is never read as current results"
                )
            walk(path)
        elif path.exists():
            if not path.is_file():
                raise InputError("not a regular file", path=raw)
            add(path, raw, True, literal=True)
        elif _GLOB_CHARS & set(raw):
            # A quoted glob (the GitHub Action passes each `results` line so) must gather what
            # the shell's expansion would: a directory it matches is searched like a directory
            # argument, not dropped, or `artifacts/*` would read none of the shards' folders.
            matches = sorted(glob.glob(raw, recursive=True))
            for shown in _hidden_matches(raw, matches):
                skip_hidden(Path(shown), "directory" if Path(shown).is_dir() else "file")
            if not any(Path(m).is_file() or Path(m).is_dir() for m in matches):
                raise InputError("no file matches this pattern", path=raw)
            for match in matches:
                if Path(match).is_dir():
                    # A baseline folder among the matches is left out, as in a directory scan.
                    if not is_excluded(Path(match).resolve()):
                        walk(Path(match))
                elif Path(match).is_file():
                    add(Path(match), match, True)
        else:
            raise InputError("no such file or directory", path=raw)
    return found


def _hidden_matches(pattern: str, visible: Sequence[str]) -> list[str]:
    """What `pattern` matches only through a hidden name (which globbing, like the shell,
    leaves out), each named once by its shallowest hidden path: listed, never read."""
    shown: set[str] = set()
    seen = set(visible)
    named = set(Path(pattern).parts)
    for match in glob.glob(pattern, recursive=True, include_hidden=True):
        if match in seen:
            continue
        parts = Path(match).parts
        for depth, part in enumerate(parts):
            # A hidden name the pattern spells out was asked for (and globbed as visible).
            if part.startswith(".") and part not in {".", ".."} and part not in named:
                shown.add(str(Path(*parts[: depth + 1])))
                break
    return sorted(shown)


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
        ((ing.sniff(head, display), ing) for ing in candidates(head)),
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
    ignore: Sequence[str] = (),
    exclude: Sequence[str] = (),
    stdin: BinaryIO | None = None,
) -> Run:
    """Read every result file under `paths` into one Run.

    `format` forces one ingester instead of detection. Every file found is either read or
    listed in `Run.skipped` with the reason: matched by an `ignore` glob, empty, or not
    recognised (then marked as evidence when it looks like results, which keeps the verdict
    from READY). A file named explicitly that is empty or that nothing recognises is an input
    error. Compressed files (gzip, bzip2, xz) are read as the file they hold. `exclude` (the
    baseline's paths) is left out of directory scans, and naming it directly is a usage error.
    An input that holds the same evidence as another (see `_duplicates`) is listed but its
    tests and metrics are read once.

    `-` in `paths` reads the stream `stdin` (the caller chooses it; a usage error when none is
    given or `-` comes twice), shown as `<stdin>`: it is copied to a private temporary file,
    removed on return, so that detection and readers see a file. Empty, it keeps the verdict
    from READY (see `_stdin.empty`).
    """
    if not _stdin.named(paths):
        with _cycles_left_alone():
            return _load(paths, format, progress, ignore, exclude, None)
    if stdin is None:
        raise UsageError("`-` (standard input) cannot be read here")
    with _stdin.spooled(stdin) as spool, _cycles_left_alone():
        return _load(paths, format, progress, ignore, exclude, spool)


def _load(
    paths: Sequence[str],
    format: str | None,
    progress: Callable[[str], None] | None,
    ignore: Sequence[str],
    exclude: Sequence[str],
    spool: Path | None,
) -> Run:
    forced: Ingester | None = None
    if format is not None:
        forced = by_name(format)
        if forced is None:
            names = ", ".join(sorted(registry.names()))
            raise UsageError(f"unknown format {format!r}; known formats: {names}")
    tests = TestTableBuilder()
    metrics: list[Metric] = []
    inputs: list[InputFile] = []
    skipped: list[SkippedPath] = []
    shards: dict[int, Shard] = {}  # input index -> the shard of a split run that it holds
    rules = IgnoreRules(ignore)
    for candidate in expand_paths(paths, skipped, exclude, spool):
        glob_ = rules.match(candidate.display, candidate.relative) if rules else None
        if glob_ is not None and candidate.literal:
            # Named as results and called no results: reading it or not would each drop one
            # of the two words (ignoring it dropped a failing file for a READY).
            raise UsageError(
                f"{candidate.display}: named as results, but the ignore glob {glob_!r} "
                "(--ignore or inputs.ignore) says it is not; drop one of the two"
            )
        if glob_ is not None:
            skipped.append(
                SkippedPath(
                    path=candidate.display,
                    reason=f"ignored: matches {glob_!r}",
                    kind=SkipKind.IGNORED,
                )
            )
            continue
        # Found by a scan or a glob, a file of Criterion's that is no current results of its
        # own (a saved baseline, a companion of estimates.json) is listed; named, it is read.
        role = None
        if not (candidate.literal or candidate.stdin):
            role = criterion_role(candidate.path, candidate.relative)
        if role is not None:
            skipped.append(
                SkippedPath(path=candidate.display, reason=role, kind=SkipKind.NOT_RESULTS)
            )
            continue
        head = _read_head(candidate.path, candidate.display)
        if candidate.stdin and not head.strip() and len(head) < HEAD_BYTES:
            skipped.append(_stdin.empty())
            continue
        with ExitStack() as held:
            path, name = candidate.path, candidate.display
            packed = compression(head)
            if packed is not None:
                suffix, opener = packed
                path = held.enter_context(decompressed(path, candidate.display, opener))
                name = inner_name(candidate.display, suffix)
                head = _read_head(path, candidate.display)
            codec = utf16_text(head)
            if codec is not None:
                # One decoding step for every text format (see `transcoded`).
                path = held.enter_context(transcoded(path, candidate.display, codec))
                head = _read_head(path, candidate.display)
            entry = _read_candidate(
                candidate,
                path,
                name,
                head,
                forced,
                len(inputs),
                tests,
                metrics,
                shards,
                progress,
            )
        if isinstance(entry, SkippedPath):
            skipped.append(entry)
        else:
            inputs.append(entry)
    table = tests.build()
    for dup in find_duplicates(inputs, table, metrics):
        item, other = inputs[dup.index], inputs[dup.same_as]
        note = Diagnostic(
            path=item.path,
            message=f"holds the same evidence as {other.path} ({dup.why}): counted once, "
            f"from {other.path}",
        )
        if not dup.converted:
            item, other = attempts_shown(item, other), attempts_shown(other, item)
        if dup.why == OTHER_REPORTER:
            # The same run written by a reporter that does not say which shard it holds
            # (Playwright's junit beside its json): the copy read is that shard.
            if dup.index in shards:
                shards.setdefault(dup.same_as, shards[dup.index])
            # Testcases the copy left out holds but does not count (jest-junit's `todo`) are
            # in the copy read, with what that reporter says of them (Jest's JSON: todo, not
            # run); a test it shows worse than the copy read flags that copy (see
            # `_duplicates`). Its other flags stand.
            item = item.model_copy(
                update={
                    "integrity": tuple(
                        f for f in item.integrity if f.kind is not IntegrityKind.TESTS_UNDECLARED
                    )
                }
            )
        inputs[dup.index] = item.model_copy(
            update={"duplicate_of": other.path, "warnings": (*item.warnings, note)}
        )
        if dup.flags:
            other = other.model_copy(
                update={
                    "integrity": (*other.integrity, *dup.flags),
                    "warnings": (
                        *other.warnings,
                        *(Diagnostic(path=other.path, message=f.message) for f in dup.flags),
                    ),
                }
            )
        inputs[dup.same_as] = other
    for index, flag in missing_shards(inputs, shards).items():
        item = inputs[index]
        inputs[index] = item.model_copy(
            update={
                "integrity": (*item.integrity, flag),
                "warnings": (*item.warnings, Diagnostic(path=item.path, message=flag.message)),
            }
        )
    dropped = {i for i, item in enumerate(inputs) if item.duplicate_of is not None}
    if dropped:
        table = table.without_inputs(dropped)
        metrics = [m for m in metrics if m.input not in dropped]
    return Run(inputs=tuple(inputs), tests=table, metrics=tuple(metrics), skipped=tuple(skipped))


def _read_candidate(
    candidate: Candidate,
    path: Path,
    name: str,
    head: bytes,
    forced: Ingester | None,
    index: int,
    tests: TestTableBuilder,
    metrics: list[Metric],
    shards: dict[int, Shard],
    progress: Callable[[str], None] | None,
) -> InputFile | SkippedPath:
    """Read one found file (`path` holds its content, `name` is what it goes by for
    detection), or say why it was not read."""
    # Blank through and through: nothing after the head (that much white space is no format).
    empty = not head.strip() and len(head) < HEAD_BYTES
    ingester = None
    if not empty or (forced is not None and candidate.explicit):
        ingester = forced or detect(head, name)
    if ingester is None:
        # An archive (a shard's `test-results.zip`) is not read, but one holding results
        # may hold the failures: evidence, named by its first such member.
        archived = None if empty else archived_results(path, (name, candidate.display), head)
        if archived is not None:
            if candidate.explicit:
                raise DetectionError(
                    archived, path=candidate.display, hint="extract it and name what it holds"
                )
            return SkippedPath(
                path=candidate.display,
                reason=archived,
                kind=SkipKind.UNRECOGNISED,
                evidence=True,
            )
        told = None if empty else surefire_dump(path, name, head) or pabot_log(path, name, head)
        if told is not None and not candidate.explicit:
            problem, why = told
            return SkippedPath(
                path=candidate.display,
                reason=why,
                kind=SkipKind.UNRECOGNISED if problem else SkipKind.NOT_RESULTS,
                evidence=problem,
            )
        known = None if empty else not_results(path, candidate.display, head)
        # Found in a folder or by a glob, a coverage or analysis report beside the results is
        # listed, not an error; named by its own path (or piped), it was meant as results.
        if known is not None and not (candidate.literal or candidate.stdin):
            return SkippedPath(
                path=candidate.display,
                reason=f"not test results ({known})",
                kind=SkipKind.NOT_RESULTS,
            )
        reason = "file is empty" if empty else "not a results file reportgen recognises"
        if known is not None:
            reason = f"not test results: a {known} report"
        if candidate.explicit:
            raise DetectionError(
                reason,
                path=candidate.display,
                hint="see `reportgen formats`, or name one with --format",
            )
        return SkippedPath(
            path=candidate.display,
            reason=reason,
            kind=SkipKind.EMPTY if empty else SkipKind.UNRECOGNISED,
            evidence=looks_like_results(name, head),
        )
    if progress is not None:
        progress(candidate.display)
    return _read_one(candidate, path, head, ingester, index, tests, metrics, shards)


def _read_one(
    candidate: Candidate,
    path: Path,
    head: bytes,
    ingester: Ingester,
    index: int,
    tests: TestTableBuilder,
    metrics: list[Metric],
    shards: dict[int, Shard],
) -> InputFile:
    hasher = _Hasher(candidate.path)
    hasher.start()
    sink = Sink(tests, metrics, index, candidate.display)
    start = len(tests)
    ingester.read(Source(path, candidate.display, head), sink)
    tests.relativise_paths(start)
    hasher.join()
    if hasher.error is not None:
        raise InputError(
            f"cannot read: {hasher.error.strerror or hasher.error}", path=candidate.display
        )
    if not sink.records and not sink.integrity and not sink.nothing_found:
        # Evidence that holds nothing, as an empty file is: whatever it was meant to carry
        # (a shard, a package's tests) may decide a criterion, so it cannot pass unseen.
        sink.flag(
            IntegrityKind.NO_RESULTS,
            f"this {ingester.name} file holds no test, metric or error: its run may have "
            "stopped before any result (list it under inputs.ignore if it is not evidence)",
        )
    if sink.shard is not None:
        shards[index] = sink.shard
    return InputFile(
        path=candidate.display,
        format=ingester.name,
        sha256=hasher.digest,
        size=hasher.size,
        records=sink.records,
        timestamp=sink.timestamp,
        warnings=tuple(sink.warnings),
        integrity=tuple(sink.integrity),
        derived_from=tuple(sink.derived_from),
    )


@contextmanager
def _cycles_left_alone() -> Iterator[None]:
    """Pause the cycle collector while the inputs are read.

    A reader builds hundreds of thousands of containers that all stay alive (the parsed
    document, the rows); each collection the allocations trigger walks them again and frees
    nothing, which cost a third of the time of a large JSON report. Between files, what is
    built (the checksum, the file's record, its first validation) would trigger collections
    that walk every row read so far. Readers make no reference cycles worth collecting;
    collection resumes when every file is read.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def formats() -> Iterable[Ingester]:
    """Every registered ingester, for `reportgen formats`."""
    return all_ingesters()
