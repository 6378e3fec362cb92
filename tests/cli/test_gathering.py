"""How a CI pipeline hands results to the CLI: globs over shard folders and files that hold no
tests are gathered and judged, never dropped. Results come from real pytest runs."""

from __future__ import annotations

import io
import subprocess
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.conftest import go_module, run_cli, run_pytest

PASSING = """
def test_one():
    assert True
"""

FAILING = """
def test_two():
    assert 1 == 2, "one is not two"
"""

NO_FAILURES = textwrap.dedent(
    """\
    version: 1
    criteria:
      - id: no-failures
        tests: {max_failed: 0}
    """
)


def pytest_junit(where: Path, body: str, junit: Path, *extra: str) -> None:
    """Run the real pytest on `body` (written into `where`) with --junitxml=`junit`."""
    where.mkdir(parents=True, exist_ok=True)
    (where / "test_shard.py").write_text(textwrap.dedent(body), encoding="utf-8")
    junit.parent.mkdir(parents=True, exist_ok=True)
    run_pytest(
        where,
        f"--junitxml={junit}",
        *extra,
        str(where),
    )
    assert junit.is_file()


@pytest.fixture
def criteria(tmp_path: Path) -> Path:
    path = tmp_path / "criteria.yaml"
    path.write_text(NO_FAILURES, encoding="utf-8")
    return path


def test_a_quoted_glob_searches_the_folders_it_matches(tmp_path: Path, criteria: Path) -> None:
    # Shards downloaded as one folder each; the failing shard is only in a folder the glob
    # matches (the GitHub Action passes each `results` line to reportgen unexpanded).
    art = tmp_path / "artifacts"
    pytest_junit(tmp_path / "s1", PASSING, art / "summary.xml")
    pytest_junit(tmp_path / "s2", FAILING, art / "shard-2" / "junit.xml")
    (art / ".cache").mkdir()
    (art / ".cache" / "old.xml").write_text("<testsuites/>\n", encoding="utf-8")
    proc = run_cli("verdict", "-c", str(criteria), str(art / "*"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "test_shard::test_two" in proc.stdout
    # What the glob reaches only through a hidden name is named, not read.
    assert f"{art / '.cache'}: not read: hidden directory" in proc.stdout


def test_a_results_file_that_holds_no_tests_keeps_the_verdict_from_ready(
    tmp_path: Path, criteria: Path
) -> None:
    # Shard 2 collected nothing (pytest exit 5): its JUnit file is well formed and empty.
    pytest_junit(tmp_path / "s1", PASSING, tmp_path / "results" / "shard-1.xml")
    pytest_junit(tmp_path / "s2", FAILING, tmp_path / "results" / "shard-2.xml", "-k", "nomatch")
    assert "<testcase" not in (tmp_path / "results" / "shard-2.xml").read_text(encoding="utf-8")
    for paths in ([tmp_path / "results"], sorted((tmp_path / "results").iterdir())):
        proc = run_cli("verdict", "-c", str(criteria), *map(str, paths))
        assert proc.returncode == 3, proc.stdout + proc.stderr
        assert "shard-2.xml: this junit file holds no test, metric or error" in proc.stdout
    # Named as not evidence, it no longer stands in the way.
    (tmp_path / "ignore.yaml").write_text(
        NO_FAILURES.replace("criteria:\n", 'inputs: {ignore: ["shard-2.xml"]}\ncriteria:\n', 1),
        encoding="utf-8",
    )
    proc = run_cli("verdict", "-c", str(tmp_path / "ignore.yaml"), str(tmp_path / "results"))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_file_named_as_results_and_ignored_is_a_usage_error(
    tmp_path: Path, criteria: Path
) -> None:
    # A criteria file's ignore glob written for a results folder (`junit.xml` there is a
    # copy) met the failing file named on the command line: it was dropped, and READY.
    pytest_junit(tmp_path / "s1", PASSING, tmp_path / "passing.xml")
    pytest_junit(tmp_path / "s2", FAILING, tmp_path / "out" / "junit.xml")
    named = str(tmp_path / "out" / "junit.xml")
    args = ("verdict", "-c", str(criteria), "--ignore", "junit.xml")
    proc = run_cli(*args, named, str(tmp_path / "passing.xml"))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr == (
        f"reportgen: {named}: named as results, but the ignore glob 'junit.xml' (--ignore or "
        "inputs.ignore) says it is not; drop one of the two\n"
    )
    # Found in a folder or by a glob, it is ignored as asked, and listed.
    proc = run_cli(*args, str(tmp_path / "*" / "*.xml"))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "junit.xml: not read: ignored: matches 'junit.xml'" in proc.stdout


def test_an_empty_capture_of_a_harness_keeps_the_verdict_from_ready(
    tmp_path: Path, criteria: Path
) -> None:
    # `go test -bench . ./bench/... > bench.txt` with a package path that is not there: go says
    # so on standard error and leaves bench.txt empty. A passing JUnit file beside it was READY,
    # the lost benchmark results unmentioned but for "file is empty".
    results = tmp_path / "results"
    pytest_junit(tmp_path / "s1", PASSING, results / "junit.xml")
    (tmp_path / "mod").mkdir()
    go, env = go_module(tmp_path / "mod", "example.com/mod", {"mod.go": "package mod\n"})
    with (results / "bench.txt").open("wb") as out:
        subprocess.run(
            [go, "test", "-bench", ".", "-run", "^$", "./bench/..."],
            cwd=tmp_path / "mod",
            env=env,
            stdout=out,
            stderr=subprocess.DEVNULL,
            timeout=300,
            check=False,
        )
    assert (results / "bench.txt").stat().st_size == 0
    proc = run_cli("verdict", "-c", str(criteria), str(results))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "bench.txt: not read: file is empty" in proc.stdout
    # Ignored as not results, it no longer stands in the way; an empty note of another kind
    # (no harness writes `.md`) never did.
    (results / "notes.md").write_bytes(b"")
    proc = run_cli("verdict", "-c", str(criteria), "--ignore", "bench.txt", str(results))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _pack(archive: Path, files: dict[str, Path | bytes]) -> None:
    """Write `files` (member name: file to copy, or content) into a zip or tar archive."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
            for name, content in files.items():
                if isinstance(content, Path):
                    out.write(content, name)
                else:
                    out.writestr(name, content)
        return
    mode = {".tar": "w", ".gz": "w:gz", ".tgz": "w:gz", ".xz": "w:xz"}[archive.suffix]
    with tarfile.open(archive, mode) as tar:  # type: ignore[call-overload]
        for name, content in files.items():
            data = content.read_bytes() if isinstance(content, Path) else content
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize(
    "archive", ["test-results.zip", "results.tar", "results.tar.gz", "results.tgz", "r.tar.xz"]
)
def test_an_archive_holding_results_keeps_the_verdict_from_ready(
    tmp_path: Path, criteria: Path, archive: str
) -> None:
    # A CI job downloads the shards' results as they were uploaded: shard 1's JUnit file, and
    # shard 2's (failing) in an archive. Its failure was never seen: READY.
    results = tmp_path / "results"
    pytest_junit(tmp_path / "s1", PASSING, results / "shard-1.xml")
    pytest_junit(tmp_path / "s2", FAILING, tmp_path / "shard-2.xml")
    shots = tmp_path / "shot.png"
    shots.write_bytes(b"\x89PNG\r\n\x1a\n")
    _pack(
        results / archive,
        {"shard-2/screenshot.png": shots, "shard-2/junit.xml": tmp_path / "shard-2.xml"},
    )
    proc = run_cli("verdict", "-c", str(criteria), str(results))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert f"{archive}: not read: an archive holding results (shard-2/junit.xml)" in proc.stdout
    proc = run_cli("verdict", "-c", str(criteria), "--ignore", archive, str(results))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Named by its own path, it is an input error that says what it holds.
    proc = run_cli("verdict", "-c", str(criteria), str(results / archive))
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "an archive holding results (shard-2/junit.xml)" in proc.stderr


def test_an_archive_holding_a_redirected_go_test_output_is_evidence(
    tmp_path: Path, criteria: Path
) -> None:
    # `go test ./... > go-test.out`, archived: the name cannot tell, its first lines do.
    results = tmp_path / "results"
    pytest_junit(tmp_path / "s1", PASSING, results / "junit.xml")
    (tmp_path / "mod").mkdir()
    go, env = go_module(
        tmp_path / "mod",
        "example.com/mod",
        {
            "mod_test.go": 'package mod\nimport "testing"\n'
            'func TestX(t *testing.T) { t.Fatal("no") }\n'
        },
    )
    out = subprocess.run(
        [go, "test", "-v", "./..."], cwd=tmp_path / "mod", env=env, capture_output=True, timeout=300
    ).stdout
    assert b"--- FAIL: TestX" in out
    _pack(results / "logs.zip", {"logs/go-test.out": out, "logs/NOTES": b"build 42\n"})
    proc = run_cli("verdict", "-c", str(criteria), str(results))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "an archive holding results (logs/go-test.out)" in proc.stdout


# The members of a Playwright trace (Playwright 1.65.1's tracing code, as bundled in the Python
# package's driver: `trace.trace`, `trace.network`, `trace.stacks`, response bodies and
# snapshots as `resources/<sha1>[.<ext from MIME type>]`, sources as `src/<sha1>.<ext>`).
_SHA1 = "3f786850e387550fdab836ed7e6dc881de23001b"
PLAYWRIGHT_TRACE: dict[str, Path | bytes] = {
    "trace.trace": b'{"version":8,"type":"context-options","browserName":"chromium"}\n',
    "trace.network": b'{"type":"resource-snapshot","snapshot":{"request":{"url":"/api"}}}\n',
    "trace.stacks": b'{"files":[],"stacks":[]}',
    f"resources/{_SHA1}.json": b'{"items": []}',
    f"resources/{_SHA1}.xml": b"<feed/>",
    f"resources/{_SHA1}.jpeg": b"\xff\xd8\xff",
    f"resources/{_SHA1}": b"<html></html>",
    f"src/{_SHA1}.ts": b"test('x', async () => {});\n",
}


def test_a_playwright_trace_beside_the_results_is_no_evidence(
    tmp_path: Path, criteria: Path
) -> None:
    # Playwright writes a trace.zip per test under test-results/: it holds no results, and
    # blocking on it would stop every Playwright project that keeps traces.
    results = tmp_path / "results"
    pytest_junit(tmp_path / "s1", PASSING, results / "junit.xml")
    _pack(results / "test-results" / "example-chromium" / "trace.zip", PLAYWRIGHT_TRACE)
    proc = run_cli("verdict", "-c", str(criteria), str(results))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "trace.zip: not read: not a results file" in proc.stdout


@pytest.mark.parametrize("empty", ["test-results.zip", "shards.tar.gz", "junit.xml.gz"])
def test_an_empty_archive_or_compressed_file_keeps_the_verdict_from_ready(
    tmp_path: Path, criteria: Path, empty: str
) -> None:
    # A download or upload that failed leaves the archive (or the compressed report) empty:
    # listed as "file is empty", it did not count, and the passing shard beside it was READY.
    results = tmp_path / "results"
    pytest_junit(tmp_path / "s1", PASSING, results / "shard-1.xml")
    (results / empty).write_bytes(b"")
    proc = run_cli("verdict", "-c", str(criteria), str(results))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert f"{empty}: not read: file is empty" in proc.stdout


@pytest.mark.parametrize("archive", ["test-results.zip", "results.tar"])
def test_a_truncated_archive_may_hold_results(tmp_path: Path, criteria: Path, archive: str) -> None:
    # The download stopped part way: what it holds cannot be listed, so it may be the failure.
    results = tmp_path / "results"
    pytest_junit(tmp_path / "s1", PASSING, results / "shard-1.xml")
    _pack(tmp_path / archive, PLAYWRIGHT_TRACE)
    data = (tmp_path / archive).read_bytes()
    (results / archive).write_bytes(data[: len(data) // 3])
    proc = run_cli("verdict", "-c", str(criteria), str(results))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "archive that cannot be listed" in proc.stdout


def test_a_jar_beside_surefire_reports_is_no_evidence(tmp_path: Path, criteria: Path) -> None:
    # `reportgen verdict target/`: Maven's jar (a zip) holds its pom.xml as maven-archiver
    # writes it, which is no results.
    target = tmp_path / "target"
    pytest_junit(tmp_path / "s1", PASSING, target / "surefire-reports" / "TEST-Shard.xml")
    _pack(
        target / "app-1.0.zip",
        {
            "META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\r\n\r\n",
            "META-INF/maven/com.example/app/pom.xml": b"<project/>\n",
            "META-INF/maven/com.example/app/pom.properties": b"version=1.0\n",
            "com/example/App.class": b"\xca\xfe\xba\xbe",
        },
    )
    (target / "app-1.0.zip").rename(target / "app-1.0.jar")
    proc = run_cli("verdict", "-c", str(criteria), str(target))
    assert proc.returncode == 0, proc.stdout + proc.stderr
