"""Project setup: runtime dependencies match runtime imports; corpus tests deselect cleanly."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO


def _runtime_imports() -> set[str]:
    """Top-level modules imported anywhere in the package (at any depth of the code)."""
    names: set[str] = set()
    for path in (REPO / "reportgen").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names


def test_runtime_dependencies_are_exactly_what_runtime_code_imports() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    dists = packages_distributions()
    imported = {
        canonicalize_name(dist)
        for module in _runtime_imports() - set(sys.stdlib_module_names) - {"reportgen"}
        for dist in dists.get(module, [module])
    }
    assert declared == imported


def test_without_the_corpus_its_tests_are_deselected_in_one_line() -> None:
    env = {**os.environ, "REPORTGEN_CORPUS": str(REPO / "no-such-corpus")}
    env.pop("REPORTGEN_REQUIRE_CORPUS", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "tests/ingest/test_tap.py",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if "corpus" in line]
    assert len(lines) == 1 and "pytest -m corpus" in lines[0]
    assert " deselected" in done.stdout and "skipped" not in done.stdout.lower()
    env["REPORTGEN_REQUIRE_CORPUS"] = "1"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "tests/ingest/test_tap.py",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode != 0 and "no corpus at" in done.stdout + done.stderr


# Stages meet only through model objects: what each stage must never import.
FORBIDDEN = {
    "ingest": ("reportgen.criteria", "reportgen.evaluate", "reportgen.render", "reportgen.cli"),
    "evaluate": ("reportgen.ingest", "reportgen.render", "reportgen.cli"),
    "render": ("reportgen.ingest", "reportgen.evaluate", "reportgen.cli"),
}


def _imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_stages_do_not_reach_into_each_other() -> None:
    wrong = []
    for stage, forbidden in FORBIDDEN.items():
        for path in sorted((REPO / "reportgen" / stage).rglob("*.py")):
            for name in sorted(_imports_of(path)):
                if name.startswith(forbidden):
                    wrong.append(f"{path.relative_to(REPO)} imports {name}")
    assert wrong == []
