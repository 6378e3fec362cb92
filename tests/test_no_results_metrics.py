"""A metrics input that holds nothing keeps every metric criterion it could have served from
passing: one whose `metric:` is a wildcard, or names a metric found nowhere."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, go_module, run_cli

FIXTURES = REPO / "tests" / "fixtures" / "google-benchmark"
CRITERIA = """\
version: 1
defaults: {min_samples: 3}
criteria:
  - {id: glob, metric: "BM_StringCopy/*4", stat: max, max: 1s}
  - {id: exact, metric: BM_Loop, stat: max, max: 1s}
"""


def _verdict(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("verdict", "-c", "crit.yaml", *args, cwd=where, env={"PYTHONPATH": str(REPO)})


def _rows(stdout: str) -> dict[str, str]:
    return {
        line.split()[0]: line.split()[1]
        for line in stdout.splitlines()
        if line.split()[:1] in (["glob"], ["exact"])
    }


def _go_bench_matching_nothing(tmp_path: Path, into: Path) -> Path:
    # `go test -json -bench X` whose pattern matched no benchmark: a stream that holds nothing.
    where = tmp_path / "mod"
    where.mkdir()
    go, env = go_module(
        where,
        "example.com/x",
        {"x_test.go": 'package x\n\nimport "testing"\n\nfunc BenchmarkA(b *testing.B) {}\n'},
    )
    done = subprocess.run(
        [go, "test", "-json", "-run", "^$", "-bench", "NoMatch", "."],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert '"Action":"pass"' in done.stdout and "Benchmark" not in done.stdout
    path = into / "go-test.jsonl"
    path.write_text(done.stdout)
    return path


@pytest.mark.parametrize("empty", ["jtl", "go"])
def test_empty_metrics_input_blocks_what_it_could_have_held(
    corpus: Path, tmp_path: Path, empty: str
) -> None:
    # Google Benchmark 1.7.1's JSON beside a metrics input of another run that holds nothing:
    # the header JMeter 5 writes as its test starts (the corpus JTL's), or go's stream above.
    results = tmp_path / "results"
    results.mkdir()
    shutil.copy(FIXTURES / "repetitions.json", results / "benchmark.json")
    if empty == "jtl":
        jtl = (corpus / "jmeter" / "jenkins-perf-jtl-transactions.csv").read_bytes()
        (results / "results.jtl").write_bytes(jtl[: jtl.index(b"\n") + 1])
        name = "results.jtl"
    else:
        name = _go_bench_matching_nothing(tmp_path, results).name
    (tmp_path / "crit.yaml").write_text(CRITERIA)
    done = _verdict(tmp_path, "results/benchmark.json", f"results/{name}")
    # The wildcard could have matched what the empty file lost (it was READY, exit 0); the
    # exact name found in the other file is decided by its own evidence.
    assert done.returncode == 3, done.stdout + done.stderr
    assert _rows(done.stdout) == {"glob": "INSUFFICIENT", "exact": "PASS"}
    assert f"glob: complete results for results/{name}" in done.stdout
    # Listed as not evidence, it withholds nothing.
    (tmp_path / "crit.yaml").write_text(CRITERIA + f'inputs: {{ignore: ["{name}"]}}\n')
    done = _verdict(tmp_path, "results")
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_exact_name_found_nowhere_names_the_empty_input(corpus: Path, tmp_path: Path) -> None:
    jtl = (corpus / "jmeter" / "jenkins-perf-jtl-transactions.csv").read_bytes()
    (tmp_path / "results.jtl").write_bytes(jtl[: jtl.index(b"\n") + 1])
    shutil.copy(FIXTURES / "repetitions.json", tmp_path / "benchmark.json")
    (tmp_path / "crit.yaml").write_text(
        "version: 1\ncriteria:\n  - {id: hp, metric: HP, stat: median, max: 5s}\n"
    )
    done = _verdict(tmp_path, "benchmark.json", "results.jtl")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "results.jtl: only a header, no samples" in done.stdout.split("To decide")[0]
