"""Helpers shared by the CLI commands: output files replaced together, progress, input arguments."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

from reportgen.cli.terminal import raw_stream
from reportgen.errors import CriteriaError, ExitCode, ReportgenError, UsageError, WriteError
from reportgen.records import record
from reportgen.text import terminal_text

if TYPE_CHECKING:
    from reportgen.evaluation import Evaluation
    from reportgen.model import Run
    from reportgen.render.outputs import Output, RenderContext


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """The PATH... and --format arguments every reading command takes."""
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="result files, directories (searched recursively, files recognised by content) "
        "or glob patterns; `-` reads one results stream from standard input (e.g. "
        "`go test -json ./... | reportgen verdict -c criteria.yaml -`)",
    )
    parser.add_argument(
        "--format",
        dest="input_format",
        metavar="NAME",
        help="read every PATH as this format instead of detecting it (see `reportgen formats`)",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="GLOB",
        help="files under PATH that are not results (repeatable; `*`/`?` within a path "
        "segment, `**` across; without `/` the file name is matched). Other files that look "
        "like results but cannot be read keep the verdict from READY.",
    )


def stdin_for(*path_lists: Sequence[str]) -> BinaryIO | None:
    """The stream `-` names among one command's result paths (and baselines), else None.

    Checked before any work: standard input holds one stream, so `-` given twice is a usage
    error, and so is `-` with standard input a terminal (nothing is piped in; reading would
    wait for typing) or closed.
    """
    named = sum(1 for paths in path_lists for path in paths if path == "-")
    if named == 0:
        return None
    if named > 1:
        raise UsageError("`-` (standard input) given more than once; it holds one results stream")
    stream = sys.stdin
    if stream is None or stream.closed:
        raise UsageError("`-` reads results from standard input, but there is none")
    if stream.isatty():
        raise UsageError(
            "`-` reads results from standard input, but it is a terminal",
            hint="pipe results in, e.g. `go test -json ./... | reportgen verdict -c FILE -`",
        )
    return stream.buffer


def add_criteria_arguments(parser: argparse.ArgumentParser) -> None:
    """The -c and --baseline arguments of the commands that evaluate criteria."""
    parser.add_argument(
        "-c", "--criteria", required=True, metavar="FILE", help="criteria file (YAML or JSON)"
    )
    parser.add_argument(
        "--baseline",
        action="append",
        default=[],
        metavar="PATH",
        help="baseline results to compare against (repeatable; files, directories or globs), "
        "`-` for standard input, or recorded runs: history:branch=NAME[,last=N] or "
        "history:commit=SHA, each with [,label.KEY=VALUE]... to take only runs recorded with "
        "those labels",
    )
    add_db_argument(parser)


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    """The --db option of every command that reads or writes the run history."""
    parser.add_argument(
        "--db",
        metavar="URL",
        help="run history database: sqlite:///PATH, postgresql://USER@HOST/DB or a file path "
        "(default: $REPORTGEN_DB, else .reportgen/history.db)",
    )


def evaluate_arguments(args: argparse.Namespace) -> tuple[Run, Run | None, Evaluation]:
    """Load the criteria, the inputs and the baseline named by `args`, and evaluate.

    No inputs at all is allowed: the evaluation then says INSUFFICIENT EVIDENCE.
    """
    import hashlib

    from reportgen import criteria as criteria_module
    from reportgen.evaluate import evaluate
    from reportgen.ingest import load
    from reportgen.model import Run

    # Usage first: a misplaced `-` is reported before the criteria file is read.
    stdin = stdin_for(args.paths, [b for b in args.baseline if not b.startswith("history:")])
    criteria = criteria_module.load(args.criteria)
    try:
        digest = hashlib.sha256(Path(args.criteria).read_bytes()).hexdigest()
    except OSError as exc:
        raise CriteriaError(f"cannot read: {exc.strerror or exc}", path=args.criteria) from exc
    progress = progress_printer()
    ignore = [*criteria.inputs.ignore, *args.ignore]
    from_history = [b for b in args.baseline if b.startswith("history:")]
    paths = [b for b in args.baseline if not b.startswith("history:")]
    if from_history and paths:
        raise UsageError("give baseline paths or history: baselines, not both")
    # A baseline inside the results directory is never read as current evidence.
    run = (
        load(
            args.paths,
            format=args.input_format,
            progress=progress,
            ignore=ignore,
            exclude=paths,
            stdin=stdin,
        )
        if args.paths
        else Run()
    )
    baseline = (
        load(paths, format=args.input_format, progress=progress, ignore=ignore, stdin=stdin)
        if paths
        else None
    )
    end_progress()
    if baseline is not None:
        _refuse_baseline_copies(run, baseline)
    notes: list[str] = []
    history = None
    if from_history or criteria.history_windows():
        # Only now: SQLAlchemy and pandas stay out of a verdict that does not use history.
        from reportgen.cli.history_inputs import read_history

        found, history, notes = read_history(args, from_history, criteria.history_windows(), run)
        baseline = found if from_history else baseline
    evaluation = evaluate(
        run,
        criteria,
        baseline,
        criteria_path=args.criteria,
        criteria_sha256=digest,
        history=history,
    )
    if notes:
        evaluation = evaluation.model_copy(update={"warnings": (*notes, *evaluation.warnings)})
    return run, baseline, evaluation


def _refuse_baseline_copies(run: Run, baseline: Run) -> None:
    """A baseline file with the same bytes as a current input is the current evidence read
    twice (a restored cache, a copied results directory): comparing it with itself would
    pass every regression check, so it is refused as naming one file both ways is."""
    current = {item.sha256: item.path for item in run.inputs}
    for item in baseline.inputs:
        same = current.get(item.sha256)
        if same is not None:
            raise UsageError(
                f"{item.path}: the baseline holds the same bytes as the current input {same}; "
                "a baseline is never read as current results (give the results of an "
                "earlier run)"
            )


def input_notes(args: argparse.Namespace, run: Run) -> list[str]:
    """Notes for the terminal when the inputs hold nothing to judge."""
    if not args.paths:
        return ["no inputs given"]
    if not run.inputs:
        return [f"no result files found under {' '.join(shown_paths(args.paths))}"]
    return []


def shown_paths(paths: Sequence[str]) -> list[str]:
    """`paths` as messages show them: `-` is `<stdin>`."""
    return ["<stdin>" if path == "-" else path for path in paths]


def terminal_width(stream: TextIO) -> int | None:
    """Columns of the terminal `stream` writes to; None when it is not a terminal (CI logs)."""
    if not stream.isatty():
        return None
    return shutil.get_terminal_size().columns


def progress_printer() -> Callable[[str], None] | None:
    """A progress callback writing to stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(path: str) -> None:
        # Our own control sequence goes to the raw stream; the path is sanitised here.
        stream = raw_stream(sys.stderr)
        stream.write(f"\r\x1b[Kreading {terminal_text(path)}".replace("\n", " "))
        stream.flush()

    return show


def end_progress() -> None:
    """Clear the progress line, if one was drawn."""
    if sys.stderr.isatty():
        stream = raw_stream(sys.stderr)
        stream.write("\r\x1b[K")
        stream.flush()


def _file_in_the_way(directory: Path) -> Path | None:
    """The nearest existing path at or above `directory` when it is not a directory."""
    for path in (directory, *directory.parents):
        if path.exists():
            return None if path.is_dir() else path
    return None


def check_output_directories(targets: Sequence[str]) -> None:
    """Refuse, before any work, an output whose directory does not exist (a usage error)."""
    for target in targets:
        directory = Path(target).parent
        if target != "-" and not directory.exists() and _file_in_the_way(directory) is None:
            raise UsageError(f"output directory does not exist: {directory}", path=target)


def make_parent(target: str) -> None:
    """Create the missing directories above the output file `target`."""
    if target == "-":
        return
    directory = Path(target).parent
    blocker = _file_in_the_way(directory)
    if blocker is not None:
        raise WriteError(f"cannot write: {blocker} is not a directory", path=target)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(
            f"cannot create the directory {directory}: {exc.strerror or exc}", path=target
        ) from exc


@record(frozen=False)
class _Staged:
    """An output rendered and waiting to be put in place."""

    target: str
    #: Raw data for stdout, a pipe or a device, written as it is when the set is committed.
    data: str | bytes | None = None
    #: For a regular file: the destination and the complete temp file beside it.
    dest: Path | None = None
    tmp: Path | None = None


def _stage(target: str, data: str | bytes) -> _Staged:
    """Put `data` for `target` in a complete temp file beside it (not yet in place).

    Stdout, pipes and devices cannot be staged: their data is kept and written through when
    the set is committed (renaming over `/dev/stdout` would replace the node itself). Raises
    WriteError (unwritable, a file where a directory should be, a full disk) with no temp file
    left behind; a directory that does not exist is a usage error.
    """
    if target == "-":
        return _Staged(target, data=data)
    path = Path(target)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        blocker = _file_in_the_way(directory)
        if blocker is not None:
            raise WriteError(f"cannot write: {blocker} is not a directory", path=target)
        raise UsageError(f"output directory does not exist: {directory}", path=target)
    if path.is_dir():
        raise WriteError("cannot write: it is a directory", path=target)
    if path.exists() and not path.is_file():
        return _Staged(target, data=data)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    # Through a symbolic link, replace the file it points to and keep the link.
    dest = Path(os.path.realpath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    except OSError as exc:
        raise WriteError(
            f"cannot create a file in {directory}: {exc.strerror or exc}", path=target
        ) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o644)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise WriteError(f"cannot write: {exc.strerror or exc}", path=target) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return _Staged(target, dest=dest, tmp=Path(tmp))


def _write_through(staged: _Staged) -> None:
    """Write a staged output that has no temp file: stdout, a pipe or a device."""
    data = staged.data
    assert data is not None
    if staged.target == "-":
        # Text goes through the terminal sanitiser on sys.stdout; binary (PDF) is written raw.
        if isinstance(data, str):
            sys.stdout.write(data)
            sys.stdout.flush()
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        return
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with Path(staged.target).open("wb") as handle:
            handle.write(payload)
    except OSError as exc:
        raise WriteError(f"cannot write: {exc.strerror or exc}", path=staged.target) from exc


def _put_in_place(staged: _Staged) -> None:
    """Rename a staged temp file over its destination (the temp file is gone either way)."""
    assert staged.tmp is not None and staged.dest is not None
    try:
        os.replace(staged.tmp, staged.dest)
    except OSError as exc:
        staged.tmp.unlink(missing_ok=True)
        raise WriteError(f"cannot write: {exc.strerror or exc}", path=staged.target) from exc
    finally:
        staged.tmp = None


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back (delivered on leaving) so a set of renames is not cut."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):  # no pthread_sigmask on this platform
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_output(target: str, data: str | bytes) -> None:
    """Write `data` to `target` atomically (temp file + rename); `-` is stdout, and pipes
    and devices are written through.

    A failure leaves no half-written file behind: WriteError (unwritable, a file where a
    directory should be, a full disk); a directory that does not exist is a usage error.
    """
    staged = _stage(target, data)
    if staged.tmp is None:
        _write_through(staged)
    else:
        _put_in_place(staged)


def _remove_stale(target: str) -> str:
    """Remove the file an earlier run left under a failed output's name; what to say of it."""
    if target == "-":
        return ""
    path = Path(os.path.realpath(target))
    if not path.is_file():  # nothing there, or a directory, pipe or device: not ours to remove
        return ""
    try:
        path.unlink()
    except OSError as exc:
        return f"; its old file from an earlier run is still there ({exc.strerror or exc})"
    return "; its old file from an earlier run was removed"


def emit_outputs(
    targets: Sequence[tuple[str, Output]], context: RenderContext, *, create_dirs: bool = False
) -> tuple[list[str], ExitCode | None]:
    """Render every output, then put the rendered ones in place together.

    Each output is rendered into a temp file beside its destination; one that fails does not
    cost the others. Only when every rendering has ended are the temp files renamed over their
    destinations, one after the other with SIGINT and SIGTERM held, so a run killed before
    that leaves the previous reports as they were (and no temp file). A failed output's file
    from an earlier run is removed, so a directory never shows an old report beside new ones.
    Each failure is one line on stderr, printed at the end (a bug's traceback comes first).
    Returns the files written and the exit code of the failures (None when all were written;
    INTERNAL when one was a bug, else the first failure's code).
    """
    staged: list[_Staged] = []
    #: (position in `targets`, target, error; None for a bug)
    failures: list[tuple[int, str, ReportgenError | None]] = []
    written: list[str] = []
    try:
        for position, (target, output) in enumerate(targets):
            try:
                data = output.render(context)
                if create_dirs:
                    make_parent(target)
                staged.append(_stage(target, data))
            except ReportgenError as exc:
                failures.append((position, target, exc))
            except (KeyboardInterrupt, BrokenPipeError):
                raise
            except Exception:
                # A bug in one renderer: report it with its traceback, still write the others.
                traceback.print_exc()
                failures.append((position, target, None))
        order = {target: n for n, (target, _) in enumerate(targets)}
        with _signals_held():
            for item in staged:
                if item.tmp is None:
                    continue
                try:
                    _put_in_place(item)
                except WriteError as exc:
                    failures.append((order[item.target], item.target, exc))
                    continue
                written.append(item.target)
            stale = {target: _remove_stale(target) for _, target, _ in failures}
        # Stdout, pipes and devices last: a pipe may wait for its reader.
        for item in staged:
            if item.data is None:
                continue
            try:
                _write_through(item)
            except WriteError as exc:
                failures.append((order[item.target], item.target, exc))
    finally:
        # Killed or interrupted before the renames: no temp file stays behind.
        for item in staged:
            if item.tmp is not None:
                item.tmp.unlink(missing_ok=True)
    failed: ExitCode | None = None
    for _, target, error in sorted(failures, key=lambda f: f[0]):
        note = stale.get(target, "")
        if error is None:
            sys.stderr.write(
                f"reportgen: {target}: internal error (a bug; please report it with the "
                f"traceback){note}\n"
            )
            failed = ExitCode.INTERNAL
            continue
        where = "" if error.path is not None else f"{'stdout' if target == '-' else target}: "
        sys.stderr.write(f"reportgen: {where}{error}{note}\n")
        if failed is not ExitCode.INTERNAL:
            failed = failed or error.exit_code
    written = [target for target, _ in targets if target in written and target != "-"]
    return written, failed
