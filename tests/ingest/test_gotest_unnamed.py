"""`go tool test2json` streams that name no package: a compiled test binary run through it, and
`go test -v` output of several packages piped into it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reportgen.ingest import load
from tests.conftest import go_module
from tests.ingest.test_go_tools import MAX_FAILED_0, verdict

PACKAGES = {
    "failing": 'func TestBroken(t *testing.T) { t.Fatal("broken") }\n\n'
    "func TestFine(t *testing.T) {}\n",
    # The same test name in two packages: two tests, not two runs of one.
    "samea": 'func TestA(t *testing.T) { t.Fatal("a broke") }\n',
    "sameb": "func TestA(t *testing.T) {}\n",
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The streams each case writes, by case name, from one Go module run by the real tools."""
    work = tmp_path_factory.mktemp("test2json")
    go, env = go_module(
        work,
        "example.com/unnamed",
        {
            f"{name}/x_test.go": f'package {name}\n\nimport "testing"\n\n{body}'
            for name, body in PACKAGES.items()
        },
    )
    out: dict[str, Path] = {}

    # A compiled test binary run through test2json, as where tests run away from the source:
    # without `-p` no event names a package, and without `-t` none has a Time.
    binary = work / "failing.test"
    subprocess.run(
        [go, "test", "-c", "-o", str(binary), "./failing"],
        cwd=work,
        env=env,
        capture_output=True,
        timeout=300,
        check=True,
    )
    for name, flags in (("binary-t", ["-t"]), ("binary", [])):
        out[name] = work / f"{name}.jsonl"
        with out[name].open("wb") as handle:
            subprocess.run(
                [go, "tool", "test2json", *flags, str(binary), "-test.v"],
                cwd=work,
                env=env,
                stdout=handle,
                timeout=300,
                check=False,
            )

    # `go test -v ./... 2>&1 | go tool test2json -t`: one stream for several packages.
    text = subprocess.run(
        [go, "test", "-v", "-count=1", "-p", "1", "./samea", "./sameb"],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=300,
        check=False,
    ).stdout
    out["piped"] = work / "piped.jsonl"
    out["piped"].write_bytes(
        subprocess.run(
            [go, "tool", "test2json", "-t"],
            input=text,
            env=env,
            capture_output=True,
            timeout=300,
            check=True,
        ).stdout
    )
    return out


@pytest.mark.parametrize("case", ["binary-t", "binary"])
def test_a_stream_that_names_no_package_is_read(
    outputs: dict[str, Path], case: str, tmp_path: Path
) -> None:
    # Its tests are evidence like any others: the failure decides, not "no tests".
    proc = verdict(tmp_path, outputs[case])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "failed 1 n=2" in proc.stdout
    assert "TestBroken" in proc.stdout


def test_piped_packages_are_told_apart(outputs: dict[str, Path], tmp_path: Path) -> None:
    # go's `ok`/`FAIL` line after each package names it: the two TestA are two tests, so the
    # last one cannot decide for both under `repeats: last_attempt`.
    run = load([str(outputs["piped"])])
    assert sorted((t.id, t.outcome.value) for t in run.tests) == [
        ("example.com/unnamed/samea::TestA", "failed"),
        ("example.com/unnamed/sameb::TestA", "passed"),
    ]
    last_attempt = MAX_FAILED_0.replace("criteria:", "defaults: {repeats: last_attempt}\ncriteria:")
    proc = verdict(tmp_path, outputs["piped"], last_attempt)
    assert proc.returncode == 1, proc.stdout + proc.stderr
