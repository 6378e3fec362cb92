"""Shared test fixtures: where the conformance corpus is, running the real CLI, pytest and ctest."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reportgen.model import Outcome, Run

REPO = Path(__file__).resolve().parent.parent
#: The third-party conformance corpus: beside the checkout unless REPORTGEN_CORPUS says where.
CORPUS = Path(os.environ.get("REPORTGEN_CORPUS") or REPO.parent / "shared" / "corpus")
#: Set (as .ci/run does) to make a missing corpus an error instead of deselecting its tests.
REQUIRE_CORPUS = "REPORTGEN_REQUIRE_CORPUS"


@pytest.fixture(autouse=True)
def _outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts outside any CI system, also when the suite itself runs in one: the
    CI context would otherwise enter the reports (and the golden files) and `--ci github`
    would publish. A test that wants a CI passes its variables explicitly."""
    from reportgen.ci.context import ANNOUNCING

    for name in ANNOUNCING:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The third-party conformance corpus beside the project (tests using it are marked
    `corpus` and deselected when it is absent, see `pytest_collection_modifyitems`)."""
    if not CORPUS.is_dir():
        pytest.skip(f"conformance corpus not found at {CORPUS}")
    return CORPUS


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that reads the corpus; without a corpus, deselect them in one line."""
    uses = [item for item in items if "corpus" in getattr(item, "fixturenames", ())]
    for item in uses:
        item.add_marker(pytest.mark.corpus)
    if not uses or CORPUS.is_dir():
        return
    if os.environ.get(REQUIRE_CORPUS):
        raise pytest.UsageError(f"{REQUIRE_CORPUS} is set but there is no corpus at {CORPUS}")
    chosen = set(map(id, uses))
    config.hook.pytest_deselected(items=uses)
    items[:] = [item for item in items if id(item) not in chosen]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line, even with -q (and from the xdist controller), when the corpus is absent."""
    if not CORPUS.is_dir():
        terminalreporter.write_line(
            f"corpus tests deselected: no conformance corpus at {CORPUS}; put it there or set "
            "REPORTGEN_CORPUS=DIR, then run `python3 -m pytest -m corpus`"
        )


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `python -m reportgen ARGS` in a subprocess and capture its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "reportgen", *args],
        cwd=cwd or REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


#: The gate most ingest tests judge by: no test failed, and at least one ran.
ALL_PASS = "version: 1\ncriteria:\n  - id: all-pass\n    tests: {max_failed: 0, min_total: 1}\n"


def gate_verdict(tmp_path: Path, *args: str, criteria: str = ALL_PASS) -> tuple[int, str]:
    """`reportgen verdict -c CRITERIA ARGS` in a subprocess, the criteria written under
    `tmp_path`: the exit code, and stdout and stderr together. A traceback fails the test."""
    path = tmp_path / "gate.yaml"
    path.write_text(criteria, encoding="utf-8")
    done = run_cli("verdict", "-c", str(path), *args)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout + done.stderr


def run_pytest(
    where: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run the real pytest in `where` with `args` (report options, then what to collect), quiet
    and without the plugins that would change its output here (cache, xdist, randomly)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-p",
            "no:randomly",
            "-q",
            *args,
        ],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


def harness_tool(name: str, package: str) -> str:
    """The path of a harness program a test runs: skipped when missing, a failure in CI (where
    `.ci/run` installs the Debian `package`)."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is not installed; .ci/run installs {package}")
        pytest.skip(f"{name} is not installed (apt-get install {package})")
    return path


def go_module(where: Path, module: str, files: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Write a Go module under `where` (`go.mod` naming `module`, and `files` by relative
    path); return the `go` binary and an environment that builds it offline, with its own
    build cache and the installed toolchain."""
    go = harness_tool("go", "golang-go")
    (where / "go.mod").write_text(f"module {module}\n\ngo 1.19\n")
    for name, text in files.items():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        (where / name).write_text(text)
    env = {
        **os.environ,
        "GOCACHE": str(where / ".cache"),
        "GOFLAGS": "-mod=mod",
        "GOPROXY": "off",
        "GOTOOLCHAIN": "local",
    }
    return go, env


def go_bench(where: Path, package: str, source: str, *flags: str) -> Path:
    """Run the real `go test -bench` in `where` on one test file of package `package` (a
    module of its own, see `go_module`) with `flags`; return the file its output went to."""
    go, env = go_module(where, f"example.com/{package}", {f"{package}_test.go": source})
    bench = subprocess.run(
        [go, "test", "-run", "^$", "-bench", ".", *flags],
        cwd=where,
        capture_output=True,
        env=env,
        timeout=300,
        check=True,
    )
    out = where / "bench.txt"
    out.write_bytes(bench.stdout)
    return out


def run_ctest(where: Path, cmake_lists: str, env: dict[str, str] | None = None) -> Path:
    """Configure `cmake_lists` in `where` and run its tests with real ctest; return the JUnit
    file ctest wrote. Skips when cmake/ctest are missing or too old for `--output-junit`."""
    if shutil.which("cmake") is None or shutil.which("ctest") is None:
        pytest.skip("cmake/ctest are not installed")
    (where / "CMakeLists.txt").write_text(cmake_lists, encoding="utf-8")
    build = where / "build"
    subprocess.run(
        ["cmake", "-S", str(where), "-B", str(build)],
        env=env,
        capture_output=True,
        timeout=120,
        check=True,
    )
    report = build / "junit.xml"
    subprocess.run(
        ["ctest", "--output-junit", str(report)],
        cwd=build,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    if not report.exists():
        pytest.skip("this ctest has no --output-junit (needs CMake 3.21)")
    return report


def counts(run: Run) -> tuple[int, int, int, int, int]:
    """(total, passed, failed, errors, skipped) of a run's tests."""
    c = run.tests.outcome_counts()
    return (
        len(run.tests),
        c[Outcome.PASSED],
        c[Outcome.FAILED],
        c[Outcome.ERROR],
        c[Outcome.SKIPPED],
    )
