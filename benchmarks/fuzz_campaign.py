"""Fuzz campaign: mutants of every format's real samples fed to the in-process readers.

Usage: python3 benchmarks/fuzz_campaign.py [--mutants N] [--seed S] [--timeout SECONDS]
       [--memory-mb MB] [--corpus DIR] [--show-bugs N]

Seeds are the files under tests/fixtures and the conformance corpus (../shared/corpus) that
load cleanly. Each mutant (truncation, byte flips, swapped or hostile numbers, huge strings,
deep nesting, bad encodings, controls) is written to a temp file and read with
`reportgen.ingest.load` in this process, forced to its seed's format half of the time and
detected otherwise. Each result is classified:

  ok     a Run came back
  clean  the project's own error (ReportgenError: one line, a documented exit code)
  bug    any other exception (the CLI would exit 5 with a traceback)
  hang   over --timeout seconds (SIGALRM)
  memory MemoryError under the --memory-mb address-space limit

and the counts are printed per format, then the distinct bugs (exception type and the
innermost reportgen frame) with the seed and the mutation that found them. One core only.
The test suite runs the same mutators with a short budget (tests/test_hardening_fuzz.py).
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from reportgen.errors import ReportgenError  # noqa: E402
from reportgen.ingest import load  # noqa: E402

_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_HOSTILE_NUMBERS = (
    b"1" + b"0" * 5000,
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"inf",
    b"1e999",
    b"-1e999",
    b"-1",
    "\u00b2".encode(),
    "\u0661\u0662".encode(),
    b"1.7976931348623157e308",
    b"0x10",
    b"",
    b'"7"',
    b"null",
    b"[]",
    b"{}",
    b"true",
)
_HOSTILE_TEXT = (
    b"\n::add-mask::x\n",
    b"\x1b]0;title\x07\x1b[2J",
    "\u202e\u200b\u2066".encode(),
    b"\\ud800",
    b"\xed\xa0\x80",
    b"\xff\xfe\x00",
    b"\x00\x01\x02\x9b",
    b"\r\r\n",
    b"&#0;&#x1b;&#xd800;",
    b"]]>",
    b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]>",
)


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _flip(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def _number(data: bytes, rng: random.Random) -> bytes:
    found = list(_NUMBER.finditer(data))
    if not found:
        return _flip(data, rng)
    match = rng.choice(found)
    return data[: match.start()] + rng.choice(_HOSTILE_NUMBERS) + data[match.end() :]


def _swap(data: bytes, rng: random.Random) -> bytes:
    found = list(_NUMBER.finditer(data))
    if len(found) < 2:
        return _truncate(data, rng)
    a, b = sorted(rng.sample(found, 2), key=lambda m: m.start())
    return data[: a.start()] + b.group() + data[a.end() : b.start()] + a.group() + data[b.end() :]


def _insert(data: bytes, rng: random.Random, piece: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + piece + data[at:]


def _huge_string(data: bytes, rng: random.Random) -> bytes:
    return _insert(
        data,
        rng,
        rng.choice((b"a", b"\xe2\x80\xae", b" ", b"x,")) * rng.choice((10_000, 200_000, 1_000_000)),
    )


def _deep(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice((200, 1_000, 5_000))
    opener, closer = rng.choice(
        (
            (b"[", b"]"),
            (b'{"a":', b"}"),
            (b"<a>", b"</a>"),
            (b"    ", b""),
            (b"# Subtest\n    ", b""),
        )
    )
    return _insert(data, rng, opener * depth + closer * depth)


def _text(data: bytes, rng: random.Random) -> bytes:
    return _insert(data, rng, rng.choice(_HOSTILE_TEXT))


def _duplicate(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    end = min(len(data), start + rng.randint(1, 4096))
    return data[:end] + data[start:end] * rng.randint(1, 50) + data[end:]


def _long_line(data: bytes, rng: random.Random) -> bytes:
    return rng.choice((b"x", b"a b", b"\t")) * rng.choice((100_000, 1_000_000)) + b"\n" + data


MUTATORS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": _truncate,
    "flip": _flip,
    "number": _number,
    "swap": _swap,
    "huge-string": _huge_string,
    "deep": _deep,
    "text": _text,
    "duplicate": _duplicate,
    "long-line": _long_line,
}


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One mutant of `data` and the names of the mutations applied (one to three)."""
    names = [rng.choice(list(MUTATORS)) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
    for name in names:
        data = MUTATORS[name](data, rng)
    return "+".join(names), data


def seeds(corpus: Path | None) -> list[tuple[str, Path, bytes]]:
    """(format, path, bytes) of every sample file that loads cleanly, smallest files only."""
    roots = [REPO / "tests" / "fixtures"]
    if corpus is not None and corpus.is_dir():
        roots.append(corpus)
    found: list[tuple[str, Path, bytes]] = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.stat().st_size > 256_000:
                continue
            try:
                run = load([str(path)])
            except ReportgenError:
                continue
            if run.inputs:
                found.append((run.inputs[0].format, path, path.read_bytes()))
    return found


class Hang(BaseException):
    """Raised by the alarm: the reader ran past its time budget."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang


def classify(path: Path, fmt: str | None, timeout: float) -> tuple[str, str]:
    """(class, detail) of reading `path`: ok, clean, bug, hang or memory."""
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        load([str(path)], format=fmt)
    except ReportgenError:
        return "clean", ""
    except Hang:
        return "hang", ""
    except MemoryError:
        return "memory", ""
    except Exception as exc:  # a bug: keep where it happened
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if "reportgen" in f.filename]
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
        return "bug", f"{type(exc).__name__} at {where}: {str(exc)[:80]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return "ok", ""


def campaign(
    samples: list[tuple[str, Path, bytes]], mutants: int, seed: int, timeout: float
) -> Iterator[tuple[str, str, str, str, Path]]:
    """(format, class, detail, mutation, seed path) of each mutant, in a fixed order."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="reportgen-fuzz-") as tmp:
        for index in range(mutants):
            fmt, path, data = samples[index % len(samples)]
            mutation, mutant = mutate(data, rng)
            target = Path(tmp) / f"m{index % 2}{path.suffix}"
            target.write_bytes(mutant)
            forced = fmt if rng.random() < 0.5 else None
            kind, detail = classify(target, forced, timeout)
            yield fmt, kind, detail, mutation, path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--memory-mb", type=int, default=2048)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--show-bugs", type=int, default=40)
    args = parser.parse_args()
    limit = args.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _alarm)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    samples = seeds(args.corpus)
    print(f"{len(samples)} seed files, {args.mutants} mutants, seed {args.seed}", flush=True)
    classes = ("ok", "clean", "bug", "hang", "memory")
    table: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    bugs: dict[str, tuple[int, str, Path]] = {}
    started = time.monotonic()
    for n, (fmt, kind, detail, mutation, path) in enumerate(
        campaign(samples, args.mutants, args.seed, args.timeout), 1
    ):
        table[fmt][kind] += 1
        if kind in ("bug", "hang", "memory"):
            key = f"{kind}: {detail}" if detail else f"{kind}: {fmt}"
            count, _, _ = bugs.get(key, (0, mutation, path))
            bugs[key] = (count + 1, mutation, path)
        if n % 5_000 == 0:
            seen: collections.Counter[str] = collections.Counter()
            for counter in table.values():
                seen.update(counter)
            so_far = ", ".join(f"{c} {seen[c]}" for c in classes)
            print(f"... {n} mutants ({so_far}), {time.monotonic() - started:.0f} s", flush=True)
    width = max(len(f) for f in table) + 2
    print(f"\n{'format':<{width}}" + "".join(f"{c:>9}" for c in classes) + f"{'total':>9}")
    totals: collections.Counter[str] = collections.Counter()
    for fmt in sorted(table):
        totals.update(table[fmt])
        row = "".join(f"{table[fmt][c]:>9}" for c in classes)
        print(f"{fmt:<{width}}{row}{sum(table[fmt].values()):>9}")
    print(
        f"{'all':<{width}}"
        + "".join(f"{totals[c]:>9}" for c in classes)
        + f"{sum(totals.values()):>9}"
    )
    print(f"\n{len(bugs)} distinct problems ({time.monotonic() - started:.0f} s)")
    for key, (count, mutation, path) in sorted(bugs.items(), key=lambda kv: -kv[1][0])[
        : args.show_bugs
    ]:
        print(f"{count:>6}  {key}  [{mutation} of {path.name}]")
    return 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main())
