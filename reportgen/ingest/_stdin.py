"""`-` as a results path: one results stream from standard input, spooled to a private file."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from reportgen.errors import InputError, UsageError
from reportgen.model import SkipKind, SkippedPath

#: The results path that names standard input.
STDIN = "-"
#: How standard input is shown in messages, reports and provenance.
DISPLAY = "<stdin>"
#: Largest stream spooled (bytes): as much as a compressed input may expand to.
MAX_STDIN_BYTES = 4 << 30

_CHUNK = 1 << 20


def named(paths: Sequence[str]) -> bool:
    """Whether `paths` name standard input, refusing it named twice (it holds one stream)."""
    count = sum(1 for path in paths if path == STDIN)
    if count > 1:
        raise UsageError("`-` (standard input) given more than once; it holds one results stream")
    return count == 1


def without_stdin(paths: Sequence[str]) -> list[str]:
    """`paths` with `-` left out (it names no file on disk)."""
    return [path for path in paths if path != STDIN]


def empty() -> SkippedPath:
    """What an empty standard input is: evidence that was expected and holds nothing.

    A file named on the command line that is empty is invalid input; an empty stream is what a
    producer that crashed before writing leaves, so it keeps the verdict from READY instead.
    """
    return SkippedPath(
        path=DISPLAY,
        reason="standard input is empty",
        kind=SkipKind.EMPTY,
        evidence=True,
    )


@contextmanager
def spooled(stream: BinaryIO, limit: int = MAX_STDIN_BYTES) -> Iterator[Path]:
    """A private temporary file holding everything `stream` gives, removed on leaving.

    Detection reads the head and some readers read a file twice, which a pipe cannot do; the
    directory is created readable by this user only. A stream over `limit` bytes is refused
    (an input error naming `<stdin>`) rather than filling the disk.
    """
    with tempfile.TemporaryDirectory(prefix="reportgen-stdin-") as tmp:
        target = Path(tmp) / "stdin"
        with target.open("wb") as sink:
            copied = 0
            while chunk := _read(stream):
                copied += len(chunk)
                if copied > limit:
                    raise InputError(
                        f"standard input holds more than {_size(limit)}; refused "
                        "(write the results to a file and name it instead)",
                        path=DISPLAY,
                    )
                try:
                    sink.write(chunk)
                except OSError as exc:
                    raise InputError(
                        f"cannot keep a copy in {tmp}: {exc.strerror or exc}", path=DISPLAY
                    ) from exc
        yield target


def _read(stream: BinaryIO) -> bytes:
    try:
        return stream.read(_CHUNK)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=DISPLAY) from exc


def _size(limit: int) -> str:
    if limit >= 1 << 30 and limit % (1 << 30) == 0:
        return f"{limit >> 30} GiB"
    return f"{limit} bytes"
