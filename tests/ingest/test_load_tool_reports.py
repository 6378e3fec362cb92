"""Reports of load tools reportgen does not read (ab, wrk) keep a verdict from READY when they
lie beside results it does read: they may hold the failed requests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import harness_tool, run_cli

CRITERIA = "version: 1\ncriteria:\n  - {id: lat, metric: lat, stat: median, max: 50ms}\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A local HTTP server; its `/missing` answers every request with a 404."""
    root = tmp_path_factory.mktemp("site")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/missing"
    finally:
        server.terminate()
        server.wait()


def _results(tmp_path: Path) -> Path:
    """A results directory whose metrics alone pass the criterion."""
    results = tmp_path / "results"
    results.mkdir()
    rows = "".join(f"lat,0.0{10 + i % 5},s\n" for i in range(30))
    (results / "metrics.csv").write_text("name,value,unit\n" + rows)
    (tmp_path / "crit.yaml").write_text(CRITERIA)
    alone = run_cli("verdict", "-c", "crit.yaml", "results", cwd=tmp_path)
    assert alone.returncode == 0, alone.stdout + alone.stderr
    return results


def _verdict_with(tmp_path: Path, results: Path, name: str) -> str:
    done = run_cli("verdict", "-c", "crit.yaml", "results", cwd=tmp_path)
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"results/{name}: not read: not a results file reportgen recognises" in done.stdout
    return done.stdout


def test_apachebench_output_beside_results_is_not_ready(target: str, tmp_path: Path) -> None:
    exe = harness_tool("ab", "apache2-utils")
    results = _results(tmp_path)
    # Every request gets a 404: ab's report and its -g table are all the evidence of that.
    done = subprocess.run(
        [exe, "-n", "50", "-c", "2", "-g", str(results / "ab.tsv"), target],
        capture_output=True,
        check=True,
    )
    assert b"Non-2xx responses:      50" in done.stdout
    (results / "ab.txt").write_bytes(done.stdout)
    _verdict_with(tmp_path, results, "ab.txt")
    (results / "ab.txt").unlink()
    _verdict_with(tmp_path, results, "ab.tsv")


def test_wrk_output_beside_results_is_not_ready(target: str, tmp_path: Path) -> None:
    exe = harness_tool("wrk", "wrk")
    results = _results(tmp_path)
    done = subprocess.run(
        [exe, "-t1", "-c2", "-d1s", "--latency", target], capture_output=True, check=True
    )
    assert b"Non-2xx or 3xx responses" in done.stdout
    (results / "wrk.log").write_bytes(done.stdout)
    _verdict_with(tmp_path, results, "wrk.log")
