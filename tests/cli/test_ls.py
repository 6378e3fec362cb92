"""`reportgen ls` through the real CLI: every listed name, used as a pattern in a criteria file,
selects exactly that test or metric."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conftest import REPO, run_cli
from tests.ingest.json_ingest_support import run_pytest_suite

RESULTS = REPO / "samples" / "phase4-websocket" / "results"


def _ls() -> dict[str, list[dict[str, object]]]:
    result = run_cli("ls", "--json", str(RESULTS))
    assert result.returncode == 0, result.stderr
    listed: dict[str, list[dict[str, object]]] = json.loads(result.stdout)
    return listed


def test_ls_lists_tests_and_metrics() -> None:
    listed = _ls()
    assert len(listed["tests"]) == 19
    assert sum(int(str(t["failed"])) for t in listed["tests"]) == 1
    metrics = {m["name"]: m for m in listed["metrics"]}
    assert metrics["ws_connect_time"] == {
        "name": "ws_connect_time",
        "unit": "s",
        "n": 20,
        "direction": "lower_is_better",
    }
    text = run_cli("ls", str(RESULTS))
    assert text.returncode == 0
    assert "ws_connect_time  [unit s, n=20, lower_is_better]" in text.stdout


def test_listed_names_are_patterns_that_select_them(tmp_path: Path) -> None:
    listed = _ls()
    names = [str(t["name"]) for t in listed["tests"]]
    criteria = {
        "version": 1,
        "criteria": [
            # Each name requires exactly one test; a name that selected nothing would fail.
            {"id": f"t{i}", "tests": {"select": [name], "min_total": 1}}
            for i, name in enumerate(names)
        ]
        + [
            {
                "id": f"m{i}",
                "metric": str(m["name"]),
                "stat": "max",
                "max": f"1000 {m['unit']}".strip(),
            }
            for i, m in enumerate(listed["metrics"])
        ],
    }
    path = tmp_path / "criteria.yaml"
    path.write_text(yaml.safe_dump(criteria), encoding="utf-8")
    result = run_cli("verdict", "--ci", "none", "-c", str(path), str(RESULTS), "--json", "-")
    evaluation = json.loads(result.stdout)
    by_id = {c["id"]: c for c in evaluation["criteria"]}
    for i, name in enumerate(names):
        assert by_id[f"t{i}"]["status"] == "pass", (name, by_id[f"t{i}"]["reason"])
        assert by_id[f"t{i}"]["figures"]["n"] == 1, (name, by_id[f"t{i}"]["reason"])
    for i, metric in enumerate(listed["metrics"]):
        # Found by name: judged on its samples (the 0.00 ms timings are below resolution).
        assert "no metric" not in by_id[f"m{i}"]["reason"], metric
        assert by_id[f"m{i}"]["figures"]["n"] == metric["n"] or "resolution" in str(
            by_id[f"m{i}"]["reason"]
        )


TWO_CLASSES = """
class TestLogin:
    def test_ok(self):
        pass

class TestLogout:
    def test_ok(self):
        assert False
"""


def test_tests_of_one_file_sharing_a_name_are_listed_apart(tmp_path: Path) -> None:
    # `file::name` merged these two into `tests/test_sample.py::test_ok [1 passed, 1 failed]`.
    report, junit = run_pytest_suite(tmp_path, TWO_CLASSES)
    for results in (report, junit):
        result = run_cli("ls", "--json", str(results))
        assert result.returncode == 0, result.stderr
        tests = {t["name"]: t for t in json.loads(result.stdout)["tests"]}
        login, logout = (
            "tests.test_sample.TestLogin::test_ok",
            "tests.test_sample.TestLogout::test_ok",
        )
        assert sorted(tests) == [login, logout], results
        assert (tests[login]["passed"], tests[login]["failed"]) == (1, 0)
        assert (tests[logout]["passed"], tests[logout]["failed"]) == (0, 1)
        # Each listed name selects that test alone: the passing one passes max_failed: 0.
        criteria = tmp_path / "criteria.yaml"
        criteria.write_text(
            yaml.safe_dump(
                {
                    "version": 1,
                    "criteria": [
                        {"id": "login", "tests": {"select": login, "max_failed": 0}},
                        {"id": "logout", "tests": {"select": logout, "max_failed": 0}},
                    ],
                }
            ),
            encoding="utf-8",
        )
        verdict = run_cli(
            "verdict", "--ci", "none", "-c", str(criteria), str(results), "--json", "-"
        )
        by_id = {c["id"]: c for c in json.loads(verdict.stdout)["criteria"]}
        assert (by_id["login"]["status"], by_id["login"]["figures"]["n"]) == ("pass", 1)
        assert (by_id["logout"]["status"], by_id["logout"]["figures"]["n"]) == ("fail", 1)
