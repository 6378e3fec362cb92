"""JUnit XML written at test time by Rust's libtest (`cargo test -- --format junit`): one
document per test binary on one stdout, ignored tests counted but not written."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from reportgen.ingest import load
from reportgen.model import Outcome
from tests.conftest import run_cli

LIB = """
/// Adds.
///
/// ```
/// assert_eq!(crate_under_test::add(1, 1), {doc});
/// ```
pub fn add(a: i32, b: i32) -> i32 {{ a + b }}

#[cfg(test)]
mod tests {{
    #[test]
    fn passes() {{ assert_eq!(super::add(2, 2), 4); }}
    #[test]
    #[should_panic]
    fn should_panic() {{ {panic} }}
    #[test]
    #[ignore]
    fn slow() {{}}
    #[test]
    fn prints_xml() {{ println!("<testcase name=\\"fake\\"/></testsuite></testsuites>\\x1b[31m"); }}
}}
"""

INTEGRATION = """
#[test]
fn integ_pass() {{}}
#[test]
fn integ_other() {{ {integ} }}
"""


_CARGO_TEST = ("cargo", "test", "--offline", "--no-fail-fast", "--", "-Z", "unstable-options")


def _crate(where: Path, target: Path, *, failing: bool) -> Path:
    """Run `cargo test --no-fail-fast` with libtest's JUnit output on a crate with a lib, an
    integration test and a doctest; return the captured stdout (one document per binary)."""
    where.mkdir()
    (where / "Cargo.toml").write_text(
        '[package]\nname = "crate_under_test"\nversion = "0.1.0"\nedition = "2021"\n'
    )
    (where / "src").mkdir()
    (where / "tests").mkdir()
    (where / "src" / "lib.rs").write_text(
        LIB.format(doc=3 if failing else 2, panic="" if failing else 'panic!("yes")')
    )
    (where / "tests" / "integ.rs").write_text(
        INTEGRATION.format(integ='panic!("boom <b>&amp;</b>")' if failing else "")
    )
    out = where / "junit.xml"
    with out.open("wb") as stdout:
        subprocess.run(
            [*_CARGO_TEST, "--format", "junit"],
            cwd=where,
            env={**os.environ, "RUSTC_BOOTSTRAP": "1", "CARGO_TARGET_DIR": str(target)},
            stdout=stdout,
            stderr=subprocess.DEVNULL,
            timeout=300,
            check=False,
        )
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The JUnit stdout of a failing and of a passing run of the same crate (built once)."""
    if shutil.which("cargo") is None:
        pytest.skip("cargo is not installed")
    base = tmp_path_factory.mktemp("libtest")
    target = base / "target"
    return {
        "failing": _crate(base / "failing", target, failing=True),
        "passing": _crate(base / "passing", target, failing=False),
    }


def _criteria(tmp_path: Path, body: str) -> str:
    path = tmp_path / "criteria.yaml"
    path.write_text(f"version: 1\ncriteria:\n{body}")
    return str(path)


def test_every_binarys_document_is_read(runs: dict[str, Path]) -> None:
    # Before: exit 4 at the second document's XML declaration.
    run = load([str(runs["failing"])])
    outcomes = {(t.classname, t.name): t.outcome for t in run.tests}
    assert outcomes[("tests", "should_panic")] is Outcome.FAILED
    assert outcomes[("integration", "integ_other")] is Outcome.FAILED
    assert outcomes[("src/lib.rs", "add (line 4)")] is Outcome.FAILED
    assert outcomes[("tests", "prints_xml")] is Outcome.PASSED
    assert "3 XML documents one after another" in " ".join(w.message for w in run.warnings)


def test_failing_cargo_run_is_not_ready(runs: dict[str, Path], tmp_path: Path) -> None:
    criteria = _criteria(tmp_path, "  - id: green\n    tests: {max_failed: 0}\n")
    result = run_cli("verdict", "-c", criteria, str(runs["failing"]))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "integration::integ_other" in result.stdout


def test_passing_cargo_run_with_an_ignored_test_is_ready(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    # Before: INSUFFICIENT, the ignored test read as a test lost from the suite.
    criteria = _criteria(tmp_path, "  - id: green\n    tests: {max_failed: 0, min_total: 6}\n")
    result = run_cli("verdict", "-c", criteria, str(runs["passing"]))
    assert result.returncode == 0, result.stdout + result.stderr


def test_ignored_tests_count_as_skipped(runs: dict[str, Path], tmp_path: Path) -> None:
    run = load([str(runs["passing"])])
    skipped = [t for t in run.tests if t.outcome is Outcome.SKIPPED]
    assert len(skipped) == 1
    assert not run.inputs[0].integrity
    criteria = _criteria(tmp_path, "  - id: all-run\n    tests: {max_skipped: 0}\n")
    result = run_cli("verdict", "-c", criteria, str(runs["passing"]))
    assert result.returncode == 1, result.stdout + result.stderr


def test_a_cut_last_document_is_invalid(runs: dict[str, Path], tmp_path: Path) -> None:
    data = runs["failing"].read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: data.rindex(b"<testcase")])
    criteria = _criteria(tmp_path, "  - id: green\n    tests: {max_failed: 0}\n")
    result = run_cli("verdict", "-c", criteria, str(cut))
    assert result.returncode == 4, result.stdout + result.stderr
    assert "cut.xml" in result.stderr


def test_a_lost_document_between_others_is_no_pass(runs: dict[str, Path], tmp_path: Path) -> None:
    # Text that is not a document (a line of cargo's own output mixed into stdout) stays an error.
    lines = runs["passing"].read_bytes().splitlines(keepends=True)
    mixed = tmp_path / "mixed.xml"
    mixed.write_bytes(
        lines[0] + b"error: test failed, to rerun pass `--lib`\n" + b"".join(lines[1:])
    )
    criteria = _criteria(tmp_path, "  - id: green\n    tests: {max_failed: 0}\n")
    result = run_cli("verdict", "-c", criteria, str(mixed))
    assert result.returncode == 4, result.stdout + result.stderr
    assert "mixed.xml:2" in result.stderr
