"""`go test -json` (test2json event stream) ingester: tests, subtests, build failures, benchmarks.

Rules, decided here and tested against real streams:

* Every test and subtest (`Parent/child`) that reports `pass`, `fail` or `skip` is a test, with
  the package import path as its classname and suite. A test that ran subtests is only a
  container and is not counted, so `TestTable` with three cases counts three tests, not four;
  the exception is a parent that failed while none of its subtests did (its own body failed
  after the subtests passed), which is counted as a failed test. Subtest names may contain
  `/`, so a subtest's parent is the longest already-running test whose name is a prefix.
* A package's own `pass`/`fail`/`skip` event ends one run of its test binary; a stream may
  hold several (gotestsum's `--rerun-fails`, `go test -json` run twice into one file), and
  each run is judged alone: a rerun that passed does not hide the run that failed.
* A test that started but never reported an outcome (a timeout or a panic killed the binary)
  is an error, with a warning. A package without its own final `pass`/`fail`/`skip` event
  after its last test or output is a stream cut short: flagged (tests missing, scoped to the
  package and to its benchmarks' metrics) with a warning, and its tests cut off without an
  outcome are named, not errors. A run that failed without any failing test (a timeout panic
  racing the test's own `pass`, `TestMain` exiting non-zero) gets one error test, `[package
  failed]`, carrying the panic line, and flags the package's benchmarks as well (a benchmark
  that panics or times out in a later `-count` run names no failure). A build failure is an
  error test `[build failed]`: Go >= 1.24 reports it as `build-output`/`build-fail` events and
  `FailedBuild`; older versions write the compiler output as plain text into the stream.
* Lines that are not JSON (compiler output, a stray `panic` on stderr merged with `2>&1`) are
  kept as build output and reported in one warning with the first line number; a line that
  starts like JSON but does not parse is corruption and an input error naming the line.
* Output is kept for tests that failed, errored or were skipped (the skip reason is in it);
  the output of passing tests is dropped as it streams by, which keeps memory flat.
* Benchmark result lines (`BenchmarkX-8  1000  1234 ns/op  56 B/op`) become metrics exactly as
  the go bench text reader makes them (`gobench.BenchResults`: `BenchmarkX`, `BenchmarkX
  [B/op]`, ...), so one run given in both formats is recognised as the same evidence.
  Repeated runs (`-count`) are samples of one metric; a failed benchmark is also flagged.
* A stream of `go tool test2json` run on a compiled test binary without `-p` names no
  package: its tests have no classname (and without `-t` its events have no `Time`). When it
  is `go test -v` output of several packages piped into test2json, go's `ok  \tpkg` and
  `FAIL\tpkg` lines end each package's part and name its tests' package.
* `sink.timestamp` is the `Time` of the first event.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from reportgen import numbers
from reportgen.ingest._jsonread import check_surrogates, head_text, note_timestamp
from reportgen.ingest.base import Ingester, Sink, Source, first_few
from reportgen.ingest.gobench import BenchResults, failed_benchmark
from reportgen.model import IntegrityKind, Outcome

_TERMINAL = {"pass": Outcome.PASSED, "fail": Outcome.FAILED, "skip": Outcome.SKIPPED}
_PLAIN_BUILD_FAIL = re.compile(r"^FAIL\s+(\S+) \[(build|setup) failed\]\s*$")
_FILE_LINE = re.compile(r"^\s*([\w./-]+\.go):(\d+): ")
# The literal prefix every test-level output event carries, in Go's field order.
_OUT_ACTION = b'","Action":"output","Package":"'
_OUT_ACTION_LEN = len(_OUT_ACTION)
_PASS_ACTION = b'","Action":"pass","Package":"'
_PASS_ACTION_LEN = len(_PASS_ACTION)
_ELAPSED_KEY = b'","Elapsed":'
_OUT_KEY = b'","Output":"'
_UNNAMED = "the test binary (its stream names no package)"
# go's line that ends one package's output: `ok  \tpkg\t0.1s`, `FAIL\tpkg [build failed]`.
_PKG_SUMMARY = re.compile(r"^(ok|FAIL)\s+(\S+)\s+(?:[\d.]+s\b|\(cached\)|\[)")
_NOISE_PREFIXES = ("=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "--- ")


class _Test:
    """One execution of a test or subtest while the stream is read."""

    __slots__ = (
        "children",
        "elapsed",
        "failed_children",
        "name",
        "outcome",
        "output",
        "package",
        "package_name",
        "panic",
        "parent",
    )

    def __init__(
        self, name: str, parent: _Test | None, package_name: str, package: _Package
    ) -> None:
        self.name = name
        self.parent = parent
        self.package_name = package_name
        self.package = package
        self.failed_children = 0
        self.outcome: Outcome | None = None
        self.elapsed: float | None = None
        #: Raw event lines (bytes) until the outcome is known, then the decoded text or None.
        self.output: list[bytes] | str | None = []
        self.children = 0
        self.panic: str | None = None


class _Run:
    """One run of a package's test binary: what `go test` reported before the package's own
    `pass`, `fail` or `skip` event, which ends it (`action`, None while it has not ended)."""

    __slots__ = (
        "action",
        "build_output",
        "failed_build",
        "finished",
        "output",
        "package",
        "unfinished",
    )

    def __init__(self) -> None:
        self.package: str | None = None  # named by go's summary line in a stream naming none
        self.finished: list[_Test] = []
        self.output: list[str] = []  # package-level output, decoded
        self.action: str | None = None
        self.failed_build = False
        self.build_output: list[str] = []
        self.unfinished: list[str] = []  # tests still running when the run ended


class _Package:
    """Everything seen for one package: its runs, as a stream may hold several (gotestsum's
    `--rerun-fails`, or `go test -json` invocations appended to one file), each judged alone
    so that a later run that passed cannot hide a failure of an earlier one."""

    __slots__ = ("open", "run", "running", "runs")

    def __init__(self) -> None:
        self.running: dict[str, _Test] = {}
        self.run = _Run()  # the run in progress
        self.runs: list[_Run] = []  # runs ended by the package's own event
        self.open = False  # an event arrived since the last run ended

    def end_run(self, action: str) -> None:
        self.run.action = action
        self.runs.append(self.run)
        self.run = _Run()
        self.open = False


class GoTestJsonIngester(Ingester):
    """Reads `go test -json` output (test2json events, one JSON object per line)."""

    name = "gotest-json"
    description = "go test -json (test2json event stream), incl. subtests and benchmarks"
    patterns: ClassVar[tuple[str, ...]] = ("*.jsonl", "go-test*.json", "test2json*.json")

    def sniff(self, head: bytes, path: str) -> float:
        text = head_text(head)
        lines = [ln.strip() for ln in text.splitlines()[:20] if ln.strip()]
        if not lines:
            return 0.0
        events = 0
        for line in lines:
            # `go tool test2json` without `-t` and `-p` writes neither Time nor Package: its
            # events start with the Action, in test2json's own field order.
            if line.startswith('{"Action":"') or (
                line.startswith("{")
                and '"Action"' in line
                and ('"Time"' in line or '"Package"' in line or '"ImportPath"' in line)
            ):
                events += 1
        if events:
            return 0.95 if lines[0].startswith("{") or events >= 2 else 0.7
        # Before Go 1.24 a build failure made the whole "JSON" stream plain compiler text.
        # Before Go 1.24 a build failure made the whole "JSON" stream plain compiler text; with
        # the compiler's output sent elsewhere only the `FAIL pkg [build failed]` lines remain.
        if any(_PLAIN_BUILD_FAIL.match(line) for line in lines):
            return 0.45 if lines[0].startswith("# ") else 0.4
        return 0.0

    def read(self, source: Source, sink: Sink) -> None:
        _Reader(source, sink).run()


class _Reader:
    """One pass over the stream; the hot loop avoids JSON decoding of passing tests' output."""

    def __init__(self, source: Source, sink: Sink) -> None:
        self.source = source
        self.sink = sink
        self.packages: dict[str, _Package] = {}
        #: b'<package>","Test":"<test>' -> running test, for the raw output fast path.
        self.fast: dict[bytes, _Test] = {}
        # Read as the text reader reads them, so one run in both formats is one evidence.
        self.benches = BenchResults(source)
        self.partial: dict[str, str] = {}  # package -> unfinished package-level output line
        self.stray: list[str] = []
        self.stray_count = 0
        self.stray_first: int | None = None
        self.events = 0
        self.plain_build_failures: list[tuple[str, list[str]]] = []
        #: Go >= 1.24 build events by ImportPath (`pkg [pkg.test]`): output, and whether failed.
        self.builds: dict[str, tuple[list[str], list[bool]]] = {}
        self.claimed_builds: set[str] = set()

    def package(self, name: str) -> _Package:
        pkg = self.packages.get(name)
        if pkg is None:
            pkg = self.packages[name] = _Package()
        return pkg

    # --- the loop --------------------------------------------------------------------------
    def run(self) -> None:
        source = self.source
        fast = self.fast
        # raw_decode on text skips json.loads' encoding detection; trailing data is checked.
        decode = json.JSONDecoder().raw_decode
        timestamp_seen = False
        empty = True
        with source.open() as handle:
            for lineno, raw in enumerate(handle, 1):
                # Fast path: output of a running test whose name needs no unescaping. The
                # line is kept raw and decoded only if the test does not pass.
                start = raw.find(_OUT_ACTION)
                if start > 0:
                    name_end = raw.find(_OUT_KEY, start)
                    if name_end > 0:
                        test = fast.get(raw[start + _OUT_ACTION_LEN : name_end])
                        if test is not None and b"panic: " not in raw:
                            output = test.output
                            if type(output) is list:
                                if not raw.isascii():
                                    self.check_utf8(raw, lineno)
                                output.append(raw)
                                continue
                else:
                    # Fast path: `pass` of a running test; nothing of it is kept but Elapsed.
                    start = raw.find(_PASS_ACTION)
                    if start > 0:
                        name_end = raw.find(_ELAPSED_KEY, start)
                        test = fast.get(raw[start + _PASS_ACTION_LEN : name_end])
                        if name_end > 0 and test is not None:
                            close = raw.find(b"}", name_end)
                            try:
                                elapsed = float(raw[name_end + 12 : close])
                            except ValueError:
                                pass  # not the plain shape: decode it below
                            else:
                                if not raw.isascii():
                                    self.check_utf8(raw, lineno)
                                self.end_test(
                                    test.package_name, test.package, test, Outcome.PASSED, elapsed
                                )
                                continue
                stripped = raw.strip()
                if not stripped:
                    continue
                empty = False
                if not raw.isascii():
                    self.check_utf8(raw, lineno)
                if stripped[:1] != b"{":
                    self.non_json(raw, lineno)
                    continue
                text = stripped.decode("utf-8")
                try:
                    event, end = decode(text)
                except ValueError as exc:
                    raise source.error(f"invalid JSON event: {_reason(exc)}", line=lineno) from exc
                except RecursionError as exc:
                    raise source.error("JSON nested too deeply", line=lineno) from exc
                if end != len(text):
                    raise source.error(
                        f"invalid JSON event: extra data (column {end + 1})", line=lineno
                    )
                if type(event) is not dict:
                    raise source.error("expected a JSON object per line", line=lineno)
                if b"\\ud" in stripped or b"\\uD" in stripped:
                    check_surrogates(event, source, lineno)
                if not timestamp_seen:
                    stamp = event.get("Time")
                    if isinstance(stamp, str):
                        note_timestamp(self.sink, stamp)
                        timestamp_seen = True
                self.event(event, lineno)
        if empty:
            raise source.error("file is empty")
        if not self.events and not self.plain_build_failures:
            raise source.error(
                "no go test -json events found",
                hint="produce it with `go test -json ./...`",
            )
        if self.stray_count:
            self.sink.warn(
                f"{self.stray_count} line(s) are not JSON events (first at line "
                f"{self.stray_first}); kept as build output",
                line=self.stray_first,
            )
        for name, pkg in self.packages.items():
            self.finish_package(name, pkg)
        for name, compiler_output in self.plain_build_failures:
            if name not in self.packages:
                self.build_error(name, compiler_output)
        for path, (built, failed) in self.builds.items():
            if failed[0] and path not in self.claimed_builds:
                self.build_error(path.split(" ")[0], built)
        self.benches.emit(self.sink)

    def check_utf8(self, raw: bytes, lineno: int) -> None:
        """Invalid UTF-8 is an input error even in output that is about to be dropped."""
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self.source.error(
                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})",
                line=lineno,
            ) from exc

    def non_json(self, raw: bytes, lineno: int) -> None:
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        self.stray_count += 1
        if self.stray_first is None:
            self.stray_first = lineno
        match = _PLAIN_BUILD_FAIL.match(text)
        if match:
            self.stray.append(text)
            self.plain_build_failures.append((match.group(1), self.stray))
            self.stray = []
        elif len(self.stray) < 10_000:
            self.stray.append(text)

    # --- events ----------------------------------------------------------------------------
    def event(self, event: dict[str, Any], lineno: int) -> None:
        action = event.get("Action")
        if not isinstance(action, str):
            raise self.source.error("event without a string Action", line=lineno)
        self.events += 1
        pkg_name = event.get("Package")
        if action in ("build-output", "build-fail"):
            self.build_event(event, action, lineno)
            return
        if pkg_name is None:
            # `go tool test2json` run on a compiled test binary without `-p` names no package:
            # its events are those of one package whose name is not known.
            pkg_name = ""
        elif not isinstance(pkg_name, str):
            raise self.source.error("Package must be a string", line=lineno)
        pkg = self.package(pkg_name)
        pkg.open = True
        test_name = event.get("Test")
        if test_name is not None and not isinstance(test_name, str):
            raise self.source.error("Test must be a string", line=lineno)
        if action == "output":
            text = event.get("Output")
            if not isinstance(text, str):
                raise self.source.error("output event without a string Output", line=lineno)
            if test_name:
                self.test_output(pkg_name, pkg, test_name, text, lineno)
            else:
                self.package_output(pkg_name, pkg, text, lineno)
            return
        elapsed = event.get("Elapsed")
        if elapsed is not None and (
            isinstance(elapsed, bool) or not isinstance(elapsed, int | float)
        ):
            raise self.source.error("Elapsed must be a number", line=lineno)
        if not test_name:
            if action in ("pass", "fail", "skip"):
                run = pkg.run
                failed_build = event.get("FailedBuild")
                if failed_build:
                    run.failed_build = True
                    self.claimed_builds.add(str(failed_build))
                    built = self.builds.get(str(failed_build))
                    if built is not None:
                        run.build_output.extend(built[0])
                if (
                    not pkg_name
                    and not run.finished
                    and not pkg.running
                    and any(r.package for r in pkg.runs)
                    and (action != "fail" or any(r.action == "fail" for r in pkg.runs))
                ):
                    # test2json's final event after go's summary lines: it repeats their result.
                    pkg.run = _Run()
                    pkg.open = False
                    return
                # The binary has exited: a test still running will never report (a rerun of
                # it, or a second `go test` appended to the file, is another execution).
                run.unfinished = self.close_running(pkg_name, pkg)
                pkg.end_run(action)
            return
        if action == "run":
            self.start_test(pkg_name, pkg, test_name)
        elif action in _TERMINAL:
            test = pkg.running.get(test_name)
            if test is None:
                # A result with no `run` (old streams, or a cut file): still a test.
                test = self.start_test(pkg_name, pkg, test_name)
            self.end_test(pkg_name, pkg, test, _TERMINAL[action], elapsed)

    def build_event(self, event: dict[str, Any], action: str, lineno: int) -> None:
        path = event.get("ImportPath")
        if not isinstance(path, str):
            raise self.source.error(f"{action} event without an ImportPath", line=lineno)
        output, failed = self.builds.setdefault(path, ([], [False]))
        if action == "build-output":
            text = event.get("Output")
            if isinstance(text, str):
                output.append(text)
        else:
            failed[0] = True

    def start_test(self, pkg_name: str, pkg: _Package, name: str) -> _Test:
        previous = pkg.running.get(name)
        if previous is not None:
            # Run again (-count) before the first run reported: close the first one.
            self.end_test(pkg_name, pkg, previous, None, None)
        parent: _Test | None = None
        if "/" in name:
            cut = len(name)
            while (cut := name.rfind("/", 0, cut)) > 0:
                parent = pkg.running.get(name[:cut])
                if parent is not None:
                    parent.children += 1
                    break
        test = _Test(name, parent, pkg_name, pkg)
        pkg.running[name] = test
        # Benchmark output carries result lines, so it always takes the decoding path.
        if not name.startswith("Benchmark"):
            self.fast[f'{pkg_name}","Test":"{name}'.encode()] = test
        return test

    def end_test(
        self,
        pkg_name: str,
        pkg: _Package,
        test: _Test,
        outcome: Outcome | None,
        elapsed: float | None,
    ) -> None:
        test.outcome = outcome
        test.elapsed = float(elapsed) if elapsed is not None else None
        if outcome is Outcome.FAILED or outcome is None:
            ancestor = test.parent
            while ancestor is not None:
                ancestor.failed_children += 1
                ancestor = ancestor.parent
        if outcome is Outcome.PASSED:
            test.output = None
        else:
            test.output = _decode_output(test.output)
            if test.output and "panic: " in test.output and test.panic is None:
                test.panic = _panic_line(test.output)
        if pkg.running.get(test.name) is test:
            del pkg.running[test.name]
            self.fast.pop(f'{pkg_name}","Test":"{test.name}'.encode(), None)
        pkg.run.finished.append(test)

    def test_output(self, pkg_name: str, pkg: _Package, name: str, text: str, lineno: int) -> None:
        test = pkg.running.get(name)
        if "panic: " in text:
            line = _panic_line(text)
            if test is not None and test.panic is None:
                test.panic = line
            elif test is None and line:
                pkg.run.output.append(text)
        if name.startswith("Benchmark"):
            self.package_output(pkg_name, pkg, text, lineno)
            return
        if test is None:
            return
        if type(test.output) is list:
            test.output.append(json.dumps({"Output": text}).encode())

    def package_output(self, pkg_name: str, pkg: _Package, text: str, lineno: int) -> None:
        if len(pkg.run.output) < 10_000:
            pkg.run.output.append(text)
        # Benchmark results can be split over several events: reassemble whole lines.
        buffered = self.partial.pop(pkg_name, "") + text
        if "\n" not in buffered:
            self.partial[pkg_name] = buffered
            return
        *lines, rest = buffered.split("\n")
        if rest:
            self.partial[pkg_name] = rest
        for line in lines:
            if line.startswith("Benchmark"):
                self.benches.add(line, pkg_name, lineno)
            elif not pkg_name and (summary := _PKG_SUMMARY.match(line)):
                # `go test -v ./... | go tool test2json` names no package, but go's summary
                # line ends each package's part: its tests are that package's, and a test of
                # the same name in the next package is another test, not a repeat.
                pkg.run.package = summary.group(2)
                pkg.run.unfinished = self.close_running(pkg_name, pkg)
                pkg.end_run("pass" if summary.group(1) == "ok" else "fail")
                pkg.open = True  # test2json's own final event is still to come

    # --- results ---------------------------------------------------------------------------
    def finish_package(self, name: str, pkg: _Package) -> None:
        for run in pkg.runs:
            self.judge_run(name, run)
        # go test ends every run of a package with a pass, fail or skip event of its own:
        # events after the last one are a stream cut short (a killed CI job, a partial upload).
        if pkg.open or pkg.running or pkg.run.finished:
            run = pkg.run
            run.unfinished = self.close_running(name, pkg)
            self.cut_package(name, run.unfinished)
            self.judge_run(name, run)

    def close_running(self, pkg_name: str, pkg: _Package) -> list[str]:
        """End the package's running tests without an outcome; their names."""
        unfinished = [t.name for t in pkg.running.values()]
        for test in list(pkg.running.values()):
            self.end_test(pkg_name, pkg, test, None, None)
        return unfinished

    def judge_run(self, key: str, run: _Run) -> None:
        """Emit the tests of one run of the package read as `key`, and an error for a run that
        failed (or did not build) without a failing test; a run without its final event
        (`action` None) was cut, and its tests without an outcome are no error."""
        name = run.package or key
        cut = run.action is None
        if run.unfinished and not cut:
            self.sink.warn(
                f"{_package(name)}: {_names(run.unfinished)} started but never finished (the "
                "test binary crashed or timed out)"
            )
        bad = False
        for test in run.finished:
            if test.children and not (test.outcome is Outcome.FAILED and not test.failed_children):
                continue  # a container of subtests, counted by its leaves
            if test.name.startswith("Benchmark"):
                if test.outcome is not Outcome.FAILED:
                    continue  # a benchmark that ran is a metric, not a test
                failed_benchmark(self.sink, name, test.name, None)
            if cut and test.outcome is None:
                continue  # no outcome is known, not an error: flagged by cut_package
            bad |= self.emit_test(name, test)
        if run.failed_build:
            self.build_error(name, run.build_output or run.output)
        elif run.action == "fail" and not bad:
            text = "".join(run.output)
            if "[build failed]" in text or "[setup failed]" in text:
                self.build_error(name, run.output)
                return
            panic = next((t.panic for t in run.finished if t.panic), None) or _panic_line(text)
            message = (
                f"{_package(name)} failed without a failing test"
                + (f" ({panic})" if panic else "")
                + ": the test binary did not finish"
            )
            self.sink.flag(IntegrityKind.ABORTED, message, scope=name or None, warn=False)
            # A benchmark that panicked or timed out names no failure either; the samples its
            # package printed before are no evidence (metric criteria are reached by name).
            for bench in self.benches.names(key):
                self.sink.flag(IntegrityKind.ABORTED, message, scope=bench, warn=False)
            self.sink.test(
                name="[package failed]",
                classname=name or None,
                suite=_suite(name),
                outcome=Outcome.ERROR,
                message=panic or "the package failed without a failing test (see output)",
                type="package failure",
                output=text,
                unattributed=True,
            )

    def cut_package(self, name: str, unfinished: list[str]) -> None:
        """Flag a package whose stream stops before its final event: its tests after the cut
        are missing, those that had started have no outcome, and its last benchmark may
        lack samples. None of it is evidence either way (a test cut off did not fail)."""
        started = f"; {_names(unfinished)} started without a result" if unfinished else ""
        self.sink.flag(
            IntegrityKind.TESTS_MISSING,
            f"{_package(name)} has no final pass, fail or skip event: the stream was cut before "
            f"the package finished, so tests and benchmarks may be missing{started}",
            scope=name or None,
        )
        for test in unfinished:
            self.sink.flag(
                IntegrityKind.TESTS_MISSING,
                f"{name or _UNNAMED}: {test} started but the stream ends before its result",
                scope=name or None,
                warn=False,
            )
        # A package scope reaches test criteria; metric criteria are reached by metric name.
        for bench in self.benches.names(name):
            self.sink.flag(
                IntegrityKind.TESTS_MISSING,
                f"{_package(name)} has no final event: {bench} may lack samples",
                scope=bench,
                warn=False,
            )

    def emit_test(self, pkg_name: str, test: _Test) -> bool:
        output = test.output if isinstance(test.output, str) else None
        message: str | None = None
        file: str | None = None
        line: int | None = None
        kind: str | None = None
        outcome = test.outcome
        if outcome is None:
            outcome = Outcome.ERROR
            kind = "did not finish"
            message = test.panic or "the test started but reported no result (timeout or crash)"
            self.sink.flag(
                IntegrityKind.ABORTED,
                f"{pkg_name or _UNNAMED}: {test.name} started but never finished ({message}): "
                "the test binary crashed or timed out",
                scope=pkg_name or None,
                warn=False,
            )
        elif outcome is not Outcome.PASSED:
            message, file, line = _summarise(output)
            if outcome is Outcome.FAILED and test.panic:
                kind = "panic"
                message = test.panic
                self.sink.flag(
                    IntegrityKind.ABORTED,
                    f"{pkg_name or _UNNAMED}: {test.name} panicked ({test.panic}): the tests after "
                    "it in the package did not run",
                    scope=pkg_name or None,
                    warn=False,
                )
        self.sink.test(
            name=test.name,
            classname=pkg_name or None,
            suite=_suite(pkg_name),
            outcome=outcome,
            duration=test.elapsed,
            message=message,
            type=kind,
            output=output,
            file=file,
            line=line,
        )
        return outcome in (Outcome.FAILED, Outcome.ERROR)

    def build_error(self, pkg_name: str, output: list[str]) -> None:
        text = "".join(o if o.endswith("\n") else o + "\n" for o in output)
        message = next(
            (ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")),
            "build failed",
        )
        self.sink.test(
            name="[build failed]",
            classname=pkg_name or None,
            suite=_suite(pkg_name),
            outcome=Outcome.ERROR,
            message=message,
            type="build failure",
            output=text,
            unattributed=True,
        )


def _package(name: str) -> str:
    """How messages name a package (a stream of `test2json` without `-p` names none)."""
    return f"package {name}" if name else _UNNAMED


def _suite(name: str) -> tuple[str, ...]:
    return (name,) if name else ()


def _names(tests: list[str]) -> str:
    """`TestA, TestB and 3 more`: the tests a warning names, not an unbounded list."""
    return f"{len(tests)} test(s) ({first_few(tests, 5)})"


def _decode_output(raw: list[bytes] | str | None) -> str | None:
    """Join the Output of kept raw event lines (decoded now, as the test did not pass)."""
    if not isinstance(raw, list):
        return raw
    parts: list[str] = []
    for line in raw:
        try:
            text = json.loads(line).get("Output")
        except (ValueError, AttributeError, RecursionError):
            # Kept raw by the fast path, unchecked: a line that does not decode adds nothing
            # (a deeply nested one overflowed the decoder's stack).
            continue
        if isinstance(text, str):
            parts.append(text)
    return "".join(parts) or None


def _panic_line(text: str) -> str | None:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("panic: "):
            return stripped
    return None


def _summarise(output: str | None) -> tuple[str | None, str | None, int | None]:
    """First meaningful output line of a failed or skipped test, and the file:line it names."""
    if not output:
        return None, None, None
    for line in output.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(_NOISE_PREFIXES):
            continue
        match = _FILE_LINE.match(line)
        if match:
            line_text = match.group(2)
            if line_text.isascii() and len(line_text) <= numbers.MAX_INT_DIGITS:
                return stripped, match.group(1), int(line_text)
            return stripped, match.group(1), None
        return stripped, None, None
    return None, None, None


def _reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} (column {exc.colno})"
    return str(exc)
