"""TAP and JUnit XML written at test time by bats (Bash Automated Testing System), then read:
a failing test whose name holds `# skip` is no skip, and a file that stopped is no pass."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import harness_tool, run_cli

#: One bats file per case.
FILES = {
    # bats writes test names as they are: `not ok 1 parses # skip markers`.
    "hashes.bats": '@test "parses # skip markers" { false; }\n@test "plain" { true; }\n',
    "setup.bats": 'setup_file() { false; }\n@test "one" { true; }\n@test "two" { true; }\n',
    "good.bats": '@test "one" { true; }\n@test "two # skip in a passing name" { true; }\n',
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each file's TAP (`NAME.tap`) and JUnit XML (`NAME.xml`)."""
    bats = harness_tool("bats", "bats")
    where = tmp_path_factory.mktemp("bats")
    files: dict[str, Path] = {}
    for name, body in FILES.items():
        (where / name).write_text(body)
        for kind, options in (("tap", []), ("xml", ["--formatter", "junit"])):
            done = subprocess.run(
                [bats, *options, name], cwd=where, capture_output=True, timeout=60, check=False
            )
            out = files[f"{name}.{kind}"] = where / f"{Path(name).stem}.{kind}"
            out.write_bytes(done.stdout)
    return files


def _verdict(tmp_path: Path, report: Path) -> tuple[int, str]:
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text("version: 1\ncriteria:\n  - id: f\n    tests: {max_failed: 0}\n")
    done = run_cli("verdict", "-c", str(criteria), str(report))
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("kind", ["tap", "xml"])
def test_a_failing_test_named_with_skip_is_failed(
    reports: dict[str, Path], tmp_path: Path, kind: str
) -> None:
    code, out = _verdict(tmp_path, reports[f"hashes.bats.{kind}"])
    assert code == 1, out


@pytest.mark.parametrize("kind", ["tap", "xml"])
def test_a_failing_setup_file_is_no_pass(
    reports: dict[str, Path], tmp_path: Path, kind: str
) -> None:
    code, out = _verdict(tmp_path, reports[f"setup.bats.{kind}"])
    assert code == 1, out


@pytest.mark.parametrize("kind", ["tap", "xml"])
def test_a_passing_run_is_ready(reports: dict[str, Path], tmp_path: Path, kind: str) -> None:
    code, out = _verdict(tmp_path, reports[f"good.bats.{kind}"])
    assert code == 0, out
