"""Fuzz campaign: mutants of every format's real samples fed to the in-process readers.

Usage: python3 benchmarks/fuzz_campaign.py [--mutants N] [--jobs N] [--seed S]
       [--timeout CPU-SECONDS] [--memory-mb MB] [--corpus DIR] [--show-bugs N] [--mutant I]

Seeds are the files under tests/fixtures and the conformance corpus (../shared/corpus) that
load cleanly. Mutant number I (truncation, byte flips, swapped or hostile numbers, huge
strings, deep nesting, bad encodings, controls) is made from its own random generator seeded
with (S, I), so a campaign gives the same mutants whatever --jobs is and any one of them can be
replayed alone (`--mutant I` writes it next to the current directory and reads it). Each is
written to a temp file and read with `reportgen.ingest.load` in a worker process, forced to its
seed's format half of the time and detected otherwise, and classified:

  ok     a Run came back
  clean  the project's own error (ReportgenError: one line, a documented exit code)
  bug    any other exception (the CLI would exit 5 with a traceback), or the worker died
  hang   over --timeout seconds of CPU time (ITIMER_PROF; RLIMIT_CPU kills a reader stuck
         in C code a little later), so a loaded shared machine does not turn into hangs
  memory MemoryError under the worker's --memory-mb address-space limit

Workers (--jobs, one core each) take mutant numbers from the parent one at a time; a worker
that hung, ran out of memory or died is replaced by a fresh one. The counts are printed per
format with totals, then the distinct problems (class, exception type and innermost reportgen
frame) with the first mutant number, mutation and seed file that found each.
The test suite runs the same mutators with a short budget (tests/test_hardening_fuzz.py).
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import random
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from reportgen.errors import ReportgenError  # noqa: E402
from reportgen.ingest import load  # noqa: E402

CLASSES = ("ok", "clean", "bug", "hang", "memory")

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
    """Raised by the CPU-time timer: the reader ran past its budget."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang


def classify(path: Path, fmt: str | None, timeout: float) -> tuple[str, str]:
    """(class, detail) of reading `path`: ok, clean, bug, hang or memory.

    The budget is CPU time of this process (ITIMER_PROF), not wall time: on a shared machine
    waiting for a core is not the reader's work.
    """
    previous = signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, timeout)
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
        message = " ".join(str(exc).split())  # pydantic's messages span lines
        return "bug", f"{type(exc).__name__} at {where}: {message[:80]}"
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
    return "ok", ""


def make_mutant(
    samples: list[tuple[str, Path, bytes]], seed: int, index: int
) -> tuple[str, Path, str, bytes, bool]:
    """(format, seed path, mutation, bytes, forced) of mutant `index`: a function of both only."""
    rng = random.Random(f"{seed}:{index}")
    fmt, path, data = samples[index % len(samples)]
    mutation, mutant = mutate(data, rng)
    return fmt, path, mutation, mutant, rng.random() < 0.5


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _worker(
    conn: Connection, samples: list[tuple[str, Path, bytes]], seed: int, timeout: float, memory: int
) -> None:
    """Read mutant numbers from `conn` and answer (index, format, class, detail, mutation, seed)."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent reports; Ctrl-C stops it only
    _, hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)
    with tempfile.TemporaryDirectory(prefix="reportgen-fuzz-") as tmp:
        while True:
            index = conn.recv()
            if index is None:
                return
            fmt, path, mutation, mutant, forced = make_mutant(samples, seed, index)
            target = Path(tmp) / f"mutant{path.suffix}"
            target.write_bytes(mutant)
            # Backstop for a reader stuck in C code, where the Python-level timer cannot fire:
            # the kernel stops this worker a little after the budget (SIGXCPU) and the parent
            # counts the mutant as a hang.
            soft = int(_cpu_seconds() + 2 * timeout + 5)
            if hard_cpu == resource.RLIM_INFINITY or soft < hard_cpu:
                resource.setrlimit(resource.RLIMIT_CPU, (soft, hard_cpu))
            kind, detail = classify(target, fmt if forced else None, timeout)
            del mutant
            conn.send((index, fmt, kind, detail, mutation, path))
            if kind in ("hang", "memory"):
                return  # a fresh worker: an interrupted reader may have left state behind


class _Pool:
    """Worker processes fed one mutant number at a time; dead workers are replaced."""

    def __init__(
        self, jobs: int, samples: list[tuple[str, Path, bytes]], seed: int, args: argparse.Namespace
    ) -> None:
        self.context = multiprocessing.get_context("fork")
        self.samples, self.seed = samples, seed
        self.timeout, self.memory = args.timeout, args.memory_mb * 1024 * 1024
        self.jobs = jobs
        self.workers: dict[Connection, tuple[multiprocessing.process.BaseProcess, int | None]] = {}

    def _start(self) -> Connection:
        parent, child = self.context.Pipe()
        process = self.context.Process(
            target=_worker, args=(child, self.samples, self.seed, self.timeout, self.memory)
        )
        process.start()
        child.close()
        self.workers[parent] = (process, None)
        return parent

    def _give(self, conn: Connection, pending: collections.deque[int]) -> None:
        process, _ = self.workers[conn]
        if pending:
            index = pending.popleft()
            conn.send(index)
            self.workers[conn] = (process, index)
        else:
            conn.send(None)
            process.join()
            del self.workers[conn]
            conn.close()

    def run(self, mutants: int) -> collections.abc.Iterator[tuple[int, str, str, str, str, Path]]:
        pending = collections.deque(range(mutants))
        for _ in range(min(self.jobs, mutants)):
            self._give(self._start(), pending)
        while self.workers:
            for conn in wait(list(self.workers)):
                assert isinstance(conn, Connection)
                process, index = self.workers[conn]
                try:
                    result = conn.recv()
                except EOFError:
                    result = None
                if result is not None:
                    yield result
                    if result[2] not in ("hang", "memory"):
                        self._give(conn, pending)
                        continue
                    process.join()
                else:  # died while reading mutant `index`
                    process.join()
                    if index is not None:
                        yield self._death(index, process.exitcode)
                del self.workers[conn]
                conn.close()
                if pending:
                    self._give(self._start(), pending)

    def _death(self, index: int, exitcode: int | None) -> tuple[int, str, str, str, str, Path]:
        fmt, path, mutation, _, _ = make_mutant(self.samples, self.seed, index)
        if exitcode == -signal.SIGXCPU:
            return index, fmt, "hang", "", mutation, path
        return index, fmt, "bug", f"worker died (exit {exitcode})", mutation, path


def _replay(samples: list[tuple[str, Path, bytes]], args: argparse.Namespace) -> int:
    fmt, path, mutation, mutant, forced = make_mutant(samples, args.seed, args.mutant)
    target = Path(f"mutant-{args.seed}-{args.mutant}{path.suffix}")
    target.write_bytes(mutant)
    started = _cpu_seconds()
    kind, detail = classify(target, fmt if forced else None, args.timeout)
    print(
        f"{target}: {mutation} of {path} ({len(mutant)} bytes, "
        f"{'read as ' + fmt if forced else 'detected'}): {kind} {detail} "
        f"({_cpu_seconds() - started:.2f} s CPU)"
    )
    return 0 if kind in ("ok", "clean") else 1


def _table(table: dict[str, collections.Counter[str]]) -> None:
    width = max(len(f) for f in table) + 2
    print(f"\n{'format':<{width}}" + "".join(f"{c:>9}" for c in CLASSES) + f"{'total':>9}")
    totals: collections.Counter[str] = collections.Counter()
    for fmt in sorted(table):
        totals.update(table[fmt])
        row = "".join(f"{table[fmt][c]:>9}" for c in CLASSES)
        print(f"{fmt:<{width}}{row}{sum(table[fmt].values()):>9}")
    print(
        f"{'all':<{width}}"
        + "".join(f"{totals[c]:>9}" for c in CLASSES)
        + f"{sum(totals.values()):>9}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (one core each)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=10.0, help="CPU seconds per mutant")
    parser.add_argument("--memory-mb", type=int, default=2048, help="address space per worker")
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--show-bugs", type=int, default=40)
    parser.add_argument("--mutant", type=int, help="replay this one mutant number and stop")
    args = parser.parse_args()
    if args.jobs < 1 or args.mutants < 0 or args.timeout <= 0:
        parser.error("--jobs must be at least 1, --mutants at least 0, --timeout above 0")
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    samples = seeds(args.corpus)
    if args.mutant is not None:
        limit = args.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        return _replay(samples, args)
    print(
        f"{len(samples)} seed files, {args.mutants} mutants, seed {args.seed}, "
        f"{args.jobs} jobs, {args.timeout:g} s CPU and {args.memory_mb} MB each",
        flush=True,
    )
    table: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    problems: dict[str, tuple[int, int, str, Path]] = {}
    started = time.monotonic()
    for n, (index, fmt, kind, detail, mutation, path) in enumerate(
        _Pool(args.jobs, samples, args.seed, args).run(args.mutants), 1
    ):
        table[fmt][kind] += 1
        if kind in ("bug", "hang", "memory"):
            key = f"{kind}: {detail}" if detail else f"{kind}: {fmt}"
            if key not in problems:  # say it now: a long campaign's end may be far away
                print(f"new {key}  [mutant {index}: {mutation} of {path.name}]", flush=True)
            count, first, first_mutation, first_path = problems.get(key, (0, index, mutation, path))
            if index < first:
                first, first_mutation, first_path = index, mutation, path
            problems[key] = (count + 1, first, first_mutation, first_path)
        if n % 5_000 == 0:
            seen: collections.Counter[str] = collections.Counter()
            for counter in table.values():
                seen.update(counter)
            so_far = ", ".join(f"{c} {seen[c]}" for c in CLASSES)
            print(f"... {n} mutants ({so_far}), {time.monotonic() - started:.0f} s", flush=True)
    if table:
        _table(table)
    print(f"\n{len(problems)} distinct problems ({time.monotonic() - started:.0f} s)")
    ranked = sorted(problems.items(), key=lambda kv: (-kv[1][0], kv[0]))
    for key, (count, first, mutation, path) in ranked[: args.show_bugs]:
        print(f"{count:>6}  {key}  [mutant {first}: {mutation} of {path.name}]")
    if problems:
        print(f"replay one: python3 benchmarks/fuzz_campaign.py --seed {args.seed} --mutant N")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
