"""Archives (zip, tar) found among the results: their member names, read without extracting,
tell whether one may hold results reportgen did not read.

CI jobs pass results between jobs as archives (a shard's `test-results.zip` beside the other
shards' files); one that holds a failing shard must keep the verdict from READY. Playwright
writes a `trace.zip` per test beside its results, which holds none (`trace.trace`,
`trace.network`, `trace.stacks`, `resources/<sha1>.<ext>`), so an archive is evidence only
when a member looks like results.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from reportgen.ingest._scan import (
    ARCHIVE_SUFFIXES,
    COMPRESSED_SUFFIXES,
    empty_capture,
    looks_like_result_text,
    results_suffix,
)
from reportgen.regex import lazy_regex
from reportgen.text import clean_text

if TYPE_CHECKING:
    # tarfile and zipfile are imported where an archive is listed: most runs hold none, and
    # the gate starts faster without them.
    import tarfile
    import zipfile

#: Members listed at most: past this, the archive counts as holding results unseen.
MAX_MEMBERS = 50_000
#: Largest zip central directory read (about 1 KiB for each member allowed).
MAX_DIRECTORY = 48 << 20
#: Longest member name looked at; a longer one is no file name a harness writes.
MAX_NAME = 4096
#: Members whose first bytes are read (those whose name cannot tell), and how many bytes;
#: past this many, the archive counts as holding results unseen.
MAX_PEEKS = 2048
PEEK_BYTES = 4096

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# Packages and documents built on zip or tar: a jar beside Surefire's reports in `target/` holds
# its `pom.xml`, a `.docx` its XML parts; none is a way results are passed on.
_PACKAGES = (
    *(".jar", ".war", ".ear", ".aar", ".apk", ".aab", ".ipa", ".whl", ".egg", ".nupkg"),
    *(".snupkg", ".vsix", ".xpi", ".crx", ".gem", ".crate", ".epub"),
    *(".docx", ".xlsx", ".xlsm", ".pptx", ".odt", ".ods", ".odp"),
)
# A content-addressed blob (Playwright's `resources/<sha1>.json`, `src@<sha1>.txt`, an HTML
# report's `data/<sha1>.zip`): a response body, a source or an attachment, never a report.
_hashed = lazy_regex(r"(?:^|[@_.-])[0-9a-f]{40,64}$")
# End of central directory: signature, disk numbers, entries on this disk, entries in all.
_EOCD = b"PK\x05\x06"
_EOCD_SEARCH = 22 + 0xFFFF


class _Unlistable(Exception):
    """The archive cannot be listed within the limits (corrupt, truncated, too large)."""


def archived_results(path: Path, names: tuple[str, ...], head: bytes) -> str | None:
    """Why the archive at `path` (going by `names`, starting with `head`) may hold results, or
    None when it is no archive or none of its members looks like results."""
    if any(n.lower().endswith(_PACKAGES) for n in names):
        return None
    if head.startswith(_ZIP_MAGIC):
        kind, members = "zip", _zip_members
    elif head[257:262] == b"ustar":
        kind, members = "tar", _tar_members
    elif any(n.lower().endswith(ARCHIVE_SUFFIXES) for n in names):
        return "an archive that cannot be opened (a truncated or corrupt archive) may hold results"
    else:
        return None
    try:
        peeks = 0
        for member, peek in members(path):
            held = _by_name(member)
            if held is None and _text(member):
                # Its name cannot tell: its first bytes do, read for so many members at most.
                if peeks >= MAX_PEEKS:
                    raise _Unlistable(
                        f"more than {MAX_PEEKS} members whose name does not tell what they hold"
                    )
                peeks += 1
                head = peek()
                # Only line-based text (TAP, go test, benchmark tables) or an empty redirected
                # output counts: XML or JSON alone would take a trace's JSON lines for results.
                held = empty_capture(member, head) or looks_like_result_text(head)
            if held:
                shown = clean_text(member)
                return f"an archive holding results ({shown}): extract it, or ignore it"
    except _Unlistable as exc:
        return f"a {kind} archive that cannot be listed ({exc}) may hold results"
    return None


def _by_name(member: str) -> bool | None:
    """Whether a member's name says it holds results (True) or not (False); None: it cannot
    tell."""
    parts = PurePosixPath(member).parts
    # Hidden names are not searched in a results folder either (`.last-run.json`, `__MACOSX/._x`).
    if not parts or any(p.startswith(".") for p in parts):
        return False
    name = parts[-1]
    while PurePosixPath(name).suffix.lower() in COMPRESSED_SUFFIXES:
        name = name[: -len(PurePosixPath(name).suffix)]
    if _hashed().search(PurePosixPath(name).stem.lower()):
        return False
    return True if results_suffix(name) else None


def _text(member: str) -> bool:
    """Whether a member may be a harness's redirected output (`.txt`, `.out`, `.log`, none)."""
    return PurePosixPath(member).suffix.lower() in (".txt", ".out", ".log", "")


def _checked(name: str, count: int) -> str:
    if count > MAX_MEMBERS:
        raise _Unlistable(f"more than {MAX_MEMBERS} members")
    if len(name) > MAX_NAME:
        raise _Unlistable(f"a member name longer than {MAX_NAME} characters")
    return name


def _zip_members(path: Path) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """(name, reader of its first bytes) of each file in a zip archive."""
    import zipfile

    _zip_size_check(path)
    try:
        with zipfile.ZipFile(path) as archive:
            for count, info in enumerate(archive.infolist(), 1):
                name = _checked(info.filename, count)
                if not info.is_dir():
                    yield name, partial(_zip_peek, archive, info)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _Unlistable(f"{exc}; a truncated or corrupt archive") from exc


def _zip_size_check(path: Path) -> None:
    """Refuse a central directory past the limit before zipfile reads it all into memory."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - _EOCD_SEARCH))
            tail = handle.read()
    except OSError as exc:
        raise _Unlistable(str(exc.strerror or exc)) from exc
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        raise _Unlistable("no end of central directory; a truncated or corrupt archive")
    total, size = struct.unpack_from("<HL", tail, at + 10)
    # 0xFFFF: a ZIP64 archive, whose count is elsewhere; it is past the limit either way.
    if total > MAX_MEMBERS:
        raise _Unlistable(f"more than {MAX_MEMBERS} members")
    if size > MAX_DIRECTORY:
        raise _Unlistable(f"a member list of more than {MAX_DIRECTORY >> 20} MiB")


def _zip_peek(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    import zipfile

    try:
        with archive.open(info) as member:
            return member.read(PEEK_BYTES)
    except (
        RuntimeError,
        NotImplementedError,
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
    ) as exc:
        # Corrupt, encrypted or compressed with a method zipfile lacks: its content cannot tell.
        raise _Unlistable(f"{info.filename}: {exc}") from exc


def _tar_members(path: Path) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """(name, reader of its first bytes) of each regular file in a tar archive."""
    import tarfile

    try:
        with tarfile.open(path, "r:") as archive:
            count = 0
            while (info := archive.next()) is not None:
                count += 1
                name = _checked(info.name, count)
                if info.isfile():
                    yield name, partial(_tar_peek, archive, info)
            end = archive.offset
        # tarfile ends the listing without a word at a header cut short: a whole archive ends
        # with a zero block where the listing stopped.
        with path.open("rb") as handle:
            handle.seek(end)
            if handle.read(512) != bytes(512):
                raise _Unlistable("no end-of-archive block; a truncated or corrupt archive")
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise _Unlistable(f"{exc}; a truncated or corrupt archive") from exc


def _tar_peek(archive: tarfile.TarFile, info: tarfile.TarInfo) -> bytes:
    import tarfile

    try:
        handle = archive.extractfile(info)
        return handle.read(PEEK_BYTES) if handle is not None else b""
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _Unlistable(f"{info.name}: {exc}; a truncated or corrupt archive") from exc
