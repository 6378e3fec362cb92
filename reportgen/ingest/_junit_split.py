"""Reading one large JUnit file on two cores: where to cut it, and the child process that reads
the second part.

The cut is made between two top-level `<testsuite>` elements. The child reads the file's
prolog and root start tag followed by everything from the cut on, a well-formed document of
its own, while the parent reads up to the cut; the parent then takes the child's results and
resumes at the root's end tag. Whatever would make the two parts differ from one read (a cut
inside a comment or a nested suite, an id seen in both parts) makes the parent read the rest
itself instead, so splitting never changes what is read, only how fast.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import signal
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

#: Files smaller than this are read in one process: the child costs a few milliseconds.
SPLIT_MIN_BYTES = 16 << 20
#: Where the cut is looked for first, as a fraction of the file: past the middle, as the
#: child also packs its results up for the parent.
_CUT_AT = 0.55
#: How far on a cut is looked for, as a fraction of the file.
_SEARCH_SPAN = 0.25
_WINDOW = 1 << 20
_HEAD = 1 << 20
_TAIL = 1 << 16

_QNAME = rb"(?:[A-Za-z_][\w.-]*:)?"
# The rest of a start tag after its name: attributes (whose quoted values may hold ">"), ">".
_START_TAG_REST = re.compile(rb"""(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*>""")
# A cut: the end of one suite, white space, the start of the next (cut before its "<").
_CUT = re.compile(rb"</" + _QNAME + rb"testsuite\s*>\s*(?=<" + _QNAME + rb"testsuite[\s/>])")
# What may follow the root's end tag: white space, comments, processing instructions.
_MISC = re.compile(rb"(?:\s+|<!--(?:(?!--).)*-->|<\?(?:(?!\?>).)*\?>)*\Z", re.DOTALL)


@dataclass(frozen=True)
class SplitPlan:
    """Byte offsets of a two-part read: [0, root_end) is the prolog and the root's start tag,
    [suite_end, cut) the end tag of the suite before the cut and the white space after it.
    The parent reads [0, cut), the child [0, root_end) + [cut, end), and the parent resumes
    at root_close, the root's end tag.
    """

    root_end: int
    suite_end: int
    cut: int
    root_close: int


def can_split(size: int) -> bool:
    """Whether a file of `size` bytes is worth reading on two cores, two are there, and
    forking is safe here.
    """
    if size < SPLIT_MIN_BYTES or sys.platform != "linux" or not hasattr(os, "fork"):
        return False
    # A fork copies only the calling thread: a lock another thread holds (in libxml2, in
    # logging, ...) would stay locked in the child. Threads marked `fork_safe` (the one that
    # hashes the input) hold none the child needs. Used as a library in a program with
    # threads of its own, reportgen reads in one process.
    current = threading.current_thread()
    for thread in threading.enumerate():
        if thread is not current and not getattr(thread, "fork_safe", False):
            return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except OSError:
        return False


def plan_split(path: Path, root_at: int, size: int) -> SplitPlan | None:
    """Where to cut a UTF-8 JUnit file whose root element starts at byte `root_at`.

    None when the root is not `<testsuites>` / `<testrun>`, or no cut between top-level
    suites is found near the middle.
    """
    with path.open("rb") as handle:
        handle.seek(root_at)
        head = handle.read(_HEAD)
        name = re.match(rb"<(" + _QNAME + rb"(?:testsuites|testrun))", head)
        if name is None:
            return None
        rest = _START_TAG_REST.match(head, name.end())
        if rest is None:
            return None  # self-closing, or a start tag longer than the head
        root_end = root_at + rest.end()
        found = _find_cut(handle, max(int(size * _CUT_AT), root_end), size)
        if found is None:
            return None
        suite_end, cut = found
        tail_at = max(cut, size - _TAIL)
        handle.seek(tail_at)
        tail = handle.read()
    close_at = tail.rfind(b"</")
    if close_at < 0:
        return None
    end_tag = re.compile(rb"</" + re.escape(name.group(1)) + rb"\s*>")
    match = end_tag.match(tail, close_at)
    if match is None or _MISC.match(tail, match.end()) is None:
        return None
    root_close = tail_at + close_at
    if root_close <= cut:
        return None
    return SplitPlan(root_end=root_end, suite_end=suite_end, cut=cut, root_close=root_close)


def _find_cut(handle: BinaryIO, start: int, size: int) -> tuple[int, int] | None:
    """A cut between suites near `start`: the first after it within a quarter of the file,
    else the last before it within a quarter. Returns where the end tag before the cut
    starts, and the cut.
    """
    span = int(size * _SEARCH_SPAN)
    limit = min(size, start + span)
    pos = start
    while pos < limit:
        handle.seek(pos)
        # Overlap the windows so that a cut across their border is still seen.
        window = handle.read(min(_WINDOW, limit - pos) + 256)
        match = _CUT.search(window)
        if match is not None:
            return pos + match.start(), pos + match.end()
        pos += _WINDOW
    floor = max(0, start - span)
    pos = start
    while pos > floor:
        low = max(floor, pos - _WINDOW)
        handle.seek(low)
        window = handle.read(pos - low + 256)
        matches = list(_CUT.finditer(window))
        if matches:
            return low + matches[-1].start(), low + matches[-1].end()
        pos = low
    return None


class ChildCall:
    """A function run in a forked child process; its pickled result is read back once.

    The child writes its result to an unlinked temporary file and exits before the parent
    reads it, so the two never hold their copies of it at the same time.
    """

    def __init__(self, function: Callable[[], object]) -> None:
        # Closed by result() or cancel().
        self._file: IO[bytes] | None = tempfile.TemporaryFile()  # noqa: SIM115
        with warnings.catch_warnings():
            # Python 3.12+ warns about forking with threads running; the only other thread
            # here hashes the input file, and the child touches nothing it holds.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: never returns into the caller
            status = 1
            try:
                with os.fdopen(self._file.fileno(), "wb", closefd=False) as out:
                    try:
                        result = function()
                    except BaseException:  # any failure means "read it yourself"
                        out.write(b"\x00")
                    else:
                        out.write(b"\x01")
                        pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
                status = 0
            finally:
                os._exit(status)
        self._pid = pid

    def result(self) -> object | None:
        """The child's result, waiting for it; None when the child failed or was cancelled."""
        file, self._file = self._file, None
        if file is None:
            return None
        with file:
            _, status = os.waitpid(self._pid, 0)
            if status != 0:
                return None
            file.seek(0)
            if file.read(1) != b"\x01":
                return None
            try:
                return pickle.load(file)
            except Exception:  # a result cut short (a full disk): read the part here instead
                return None

    def cancel(self) -> None:
        """Stop the child if it still runs (its result is not wanted)."""
        file, self._file = self._file, None
        if file is None:
            return
        file.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)
