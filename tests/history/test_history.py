"""The run history through the real CLI, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from sqlalchemy import create_engine, func, select, text

from reportgen.history.schema import executions, metrics, runs, test_names
from reportgen.history.store import _parse, migrate_to, open_store, schema_head, schema_revision
from tests.conftest import REPO, run_cli
from tests.test_baseline_parameters import hyperfine_work

SAMPLE = REPO / "samples" / "phase4-websocket"


def write_junit(
    path: Path, outcomes: dict[str, str], *, rerun_of: dict[str, str] | None = None
) -> Path:
    """A JUnit file with one testcase per name; outcome passed, failed or skipped.

    `rerun_of` adds a Surefire flakyFailure (a failed first attempt) to the named tests.
    """
    cases = []
    for name, outcome in outcomes.items():
        body = ""
        if outcome == "failed":
            body = '<failure message="boom">trace</failure>'
        elif outcome == "skipped":
            body = "<skipped/>"
        if rerun_of and name in rerun_of:
            body += '<flakyFailure message="first try">trace</flakyFailure>'
        cases.append(
            f'<testcase classname="suite.Mod" name={quoteattr(name)} time="0.5">{body}</testcase>'
        )
    path.write_text(
        '<?xml version="1.0"?><testsuite name="suite" tests="{}">{}</testsuite>'.format(
            len(cases), "".join(cases)
        )
    )
    return path


def write_metrics(path: Path, samples: dict[str, list[float]]) -> Path:
    path.write_text(
        json.dumps(
            {
                "version": 1,
                "metrics": [
                    {"name": name, "unit": "s", "direction": "lower_is_better", "samples": values}
                    for name, values in samples.items()
                ],
            }
        )
    )
    return path


def record(
    db: str, *paths: Path | str, branch: str = "main", commit: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    args = ["record", *map(str, paths), "--db", db, "--branch", branch]
    if commit:
        args += ["--commit", commit]
    return run_cli(*args, env=env or None)


def history(db: str, *args: str) -> object:
    done = run_cli("history", *args, "--db", db, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def count(db: str, table: object) -> int:
    engine = create_engine(_parse(db))
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]
    finally:
        engine.dispose()


def run_dir(
    tmp_path: Path,
    name: str,
    outcomes: dict[str, str],
    samples: dict[str, list[float]] | None = None,
) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    write_junit(folder / "junit.xml", outcomes)
    if samples:
        write_metrics(folder / "metrics.json", samples)
    return folder


# --- record ------------------------------------------------------------------------------------


def test_record_stores_a_run_once(db_url: str) -> None:
    first = record(db_url, SAMPLE / "results", commit="a" * 40, REPORTGEN_UNUSED="1")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("recorded run 1 (branch main commit aaaaaaaaaaaa): 19 tests")
    again = record(db_url, SAMPLE / "results", commit="a" * 40)
    assert again.returncode == 0, again.stderr
    assert "already recorded as run 1 (the same inputs); stored once" in again.stdout
    assert count(db_url, runs) == 1
    assert count(db_url, executions) == 19
    assert count(db_url, metrics) == 3
    [stored] = history(db_url, "runs")  # type: ignore[misc]
    # The same results of another commit are another run.
    other = record(db_url, SAMPLE / "results", commit="b" * 40)
    # (PostgreSQL spends a sequence number on the refused duplicate: ids may have gaps.)
    assert re.match(r"recorded run \d+ \(branch main commit bbbbbbbbbbbb\)", other.stdout)
    assert count(db_url, executions) == 38 and count(db_url, test_names) == 19
    assert stored["commit"] == "a" * 40 and stored["branch"] == "main"
    assert sorted(i["path"] for i in stored["inputs"]) == sorted(
        str(SAMPLE / "results" / n) for n in ("concurrency.xml", "junit.xml", "metrics.json")
    )


def test_record_keeps_labels_attempts_and_ci_context(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    write_junit(folder / "junit.xml", {"a": "passed", "b": "passed"}, rerun_of={"b": "x"})
    github = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_SHA": "c" * 40,
        "GITHUB_REF": "refs/pull/42/merge",
        "GITHUB_REF_NAME": "42/merge",
        "GITHUB_HEAD_REF": "feature",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_RUN_ID": "7",
        "GITHUB_JOB": "test",
    }
    done = run_cli("record", str(folder), "--db", db_url, "--label", "os=linux", env=github)
    assert done.returncode == 0, done.stderr
    [stored] = history(db_url, "runs")  # type: ignore[misc]
    assert (stored["branch"], stored["commit"], stored["pr"], stored["job"]) == (
        "feature",
        "c" * 40,
        "42",
        "test",
    )
    assert stored["run_url"] == "https://github.com/o/r/actions/runs/7"
    assert stored["labels"] == {"os": "linux"}
    # b ran twice (a failed first attempt, then a pass): two executions.
    assert count(db_url, executions) == 3


def test_record_of_nothing_is_refused(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = record(db_url, tmp_path / "empty")
    assert done.returncode == 4
    assert "nothing recorded" in done.stderr


def test_default_database_and_environment_variable(tmp_path: Path) -> None:
    done = run_cli(
        "record",
        str(SAMPLE / "results"),
        "--branch",
        "main",
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / ".reportgen" / "history.db").is_file()
    elsewhere = tmp_path / "other.db"
    done = run_cli(
        "record",
        str(SAMPLE / "baseline"),
        "--branch",
        "main",
        cwd=tmp_path,
        env={"REPORTGEN_DB": str(elsewhere), "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stderr
    assert count(f"sqlite:///{elsewhere}", runs) == 1
    assert count(f"sqlite:///{tmp_path / '.reportgen' / 'history.db'}", runs) == 1


# --- baselines from history ------------------------------------------------------------------


def _statuses(done: subprocess.CompletedProcess[str]) -> dict[str, tuple[str, object]]:
    data = json.loads(done.stdout)
    return {c["id"]: (c["status"], c["figures"]) for c in data["criteria"]}


def test_history_baseline_judges_like_the_file_baseline(db_url: str) -> None:
    assert record(db_url, SAMPLE / "baseline", commit="1" * 40).returncode == 0
    common = [
        "verdict",
        "-c",
        str(SAMPLE / "criteria.yaml"),
        str(SAMPLE / "results"),
        "--json",
        "-",
    ]
    from_file = run_cli(*common, "--baseline", str(SAMPLE / "baseline"))
    from_history = run_cli(*common, "--baseline", "history:branch=main", "--db", db_url)
    assert from_history.returncode == from_file.returncode == 1
    assert _statuses(from_history) == _statuses(from_file)
    evaluation = json.loads(from_history.stdout)
    assert "baseline from history: run 1 (main @ 111111111111)" in evaluation["warnings"]
    refs = [e["path"] for c in evaluation["criteria"] for e in c["evidence"] if e["baseline"]]
    assert refs and all(r.startswith("history run 1 (main @ 111111111111): ") for r in refs)


def test_last_n_pools_the_samples_of_the_latest_runs(db_url: str, tmp_path: Path) -> None:
    for i, base in enumerate((1.0, 2.0, 3.0)):
        folder = run_dir(
            tmp_path, f"r{i}", {"t": "passed"}, {"lat": [base + k / 100 for k in range(10)]}
        )
        assert record(db_url, folder, commit=f"{i + 1}" * 40).returncode == 0
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\ncriteria:\n  - {id: lat, metric: lat, compare: baseline, max_regression: 5%}\n"
    )
    # Not the bytes of run 3's samples: those would be the current evidence, left out.
    current = run_dir(
        tmp_path, "now", {"t": "passed"}, {"lat": [3.005 + k / 100 for k in range(10)]}
    )

    def figures(spec: str) -> dict[str, object]:
        done = run_cli(
            "verdict",
            "-c",
            str(criteria),
            str(current),
            "--baseline",
            spec,
            "--db",
            db_url,
            "--json",
            "-",
        )
        return json.loads(done.stdout)["criteria"][0]["figures"]  # type: ignore[no-any-return]

    assert figures("history:branch=main")["n_baseline"] == 10
    two = figures("history:branch=main,last=2")
    assert two["n_baseline"] == 20
    # runs 2 and 3 pooled: medians 2.x and 3.x, so the baseline median lies between them.
    assert 2.0 < two["baseline_value"] < 3.1  # type: ignore[operator]
    assert figures(f"history:commit={'1' * 7}")["baseline_value"] < 1.1  # type: ignore[operator]


def test_last_n_says_when_fewer_runs_match(db_url: str, tmp_path: Path) -> None:
    for i in range(2):
        folder = run_dir(
            tmp_path,
            f"r{i}",
            {"t": "passed"},
            {"lat": [1.0 + i / 1000 + k / 100 for k in range(10)]},
        )
        assert record(db_url, folder, commit=f"{i + 1}" * 40).returncode == 0
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\ncriteria:\n  - {id: lat, metric: lat, compare: baseline, max_regression: 5%}\n"
    )
    current = run_dir(
        tmp_path, "now", {"t": "passed"}, {"lat": [1.005 + k / 100 for k in range(10)]}
    )
    # Before: last=5 pooled the two runs there are, and nothing said so.
    five = json.loads(_gate(db_url, criteria, current, "history:branch=main,last=5").stdout)
    assert (
        "--baseline history:branch=main,last=5: the last 5 runs on branch main asked for, but "
        "only 2 recorded runs match; the baseline pools them"
    ) in five["warnings"]
    assert five["criteria"][0]["figures"]["n_baseline"] == 20
    two = json.loads(_gate(db_url, criteria, current, "history:branch=main,last=2").stdout)
    assert not [w for w in two["warnings"] if "asked for" in w]


def test_a_history_baseline_with_no_matching_run_is_insufficient(
    db_url: str, tmp_path: Path
) -> None:
    assert record(db_url, SAMPLE / "baseline").returncode == 0
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\ncriteria:\n"
        "  - {id: reg, metric: ws_connect_time, compare: baseline, max_regression: 50%}\n"
        "  - {id: new, tests: {new_failures: 0}}\n"
    )
    done = run_cli(
        "verdict",
        "-c",
        str(criteria),
        str(SAMPLE / "results"),
        "--baseline",
        "history:branch=release",
        "--db",
        db_url,
    )
    assert done.returncode == 3, done.stdout + done.stderr
    assert "history:branch=release: no recorded run matches" in done.stdout
    matched = run_cli(
        "verdict",
        "-c",
        str(criteria),
        str(SAMPLE / "results"),
        "--baseline",
        "history:branch=main",
        "--db",
        db_url,
    )
    assert "reg " in matched.stdout and matched.returncode != 0


def _gate(db: str, criteria: Path, current: Path, spec: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "verdict", "-c", str(criteria), str(current), "--baseline", spec, "--db", db, "--json", "-"
    )


def test_the_recorded_current_run_is_never_its_own_baseline(db_url: str, tmp_path: Path) -> None:
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text("version: 1\ncriteria:\n  - {id: new, tests: {new_failures: 0}}\n")
    before = run_dir(tmp_path, "before", {"a": "passed", "b": "passed"})
    current = run_dir(tmp_path, "now", {"a": "passed", "b": "failed"})
    # CI records a run, then gates it: compared with itself, b would not be a new failure.
    assert record(db_url, before, commit="1" * 40).returncode == 0
    assert record(db_url, current, commit="2" * 40).returncode == 0
    gated = _gate(db_url, criteria, current, "history:branch=main")
    assert gated.returncode == 1, gated.stdout + gated.stderr
    assert _statuses(gated)["new"][0] == "fail"
    warnings = json.loads(gated.stdout)["warnings"]
    assert any(
        w.startswith("--baseline history:branch=main: left out run")
        and "@ 222222222222" in w
        and "only the current inputs" in w
        for w in warnings
    ), warnings
    assert any(w.startswith("baseline from history: run") for w in warnings), warnings
    assert not any("222222222222" in w for w in warnings if "from history" in w), warnings
    # When the current run is all the spec matches, the baseline is empty: never a pass.
    alone = _gate(db_url, criteria, current, f"history:commit={'2' * 8}")
    assert alone.returncode == 3, alone.stdout + alone.stderr
    assert _statuses(alone)["new"][0] == "insufficient"
    assert "no recorded run other than the current run matches" in alone.stdout


def test_a_recorded_copy_of_a_current_input_is_left_out(db_url: str, tmp_path: Path) -> None:
    samples = {"lat": [1.0 + k / 100 for k in range(12)]}
    earlier = run_dir(tmp_path, "earlier", {"a": "passed"}, samples)
    current = run_dir(tmp_path, "now", {"a": "passed", "b": "passed"}, samples)
    # The same metrics bytes (a restored cache) recorded with older tests.
    assert record(db_url, earlier, commit="1" * 40).returncode == 0
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\ncriteria:\n  - {id: lat, metric: lat, compare: baseline, max_regression: 5%}\n"
    )
    done = _gate(db_url, criteria, current, "history:branch=main")
    assert done.returncode == 3, done.stdout + done.stderr
    evaluation = json.loads(done.stdout)
    assert _statuses(done)["lat"][0] == "insufficient"
    assert any(
        w.endswith(
            "metrics.json: holds the same bytes as the current input "
            f"{current / 'metrics.json'}; left out of the baseline (a baseline is never "
            "read as current evidence)"
        )
        for w in evaluation["warnings"]
    ), evaluation["warnings"]


def test_an_input_recorded_in_several_runs_is_counted_once(db_url: str, tmp_path: Path) -> None:
    base = run_dir(tmp_path, "base", {"a": "passed"}, {"lat": [1.0 + k / 100 for k in range(6)]})
    for commit in ("1" * 40, "2" * 40):
        assert record(db_url, base, commit=commit).returncode == 0
    current = run_dir(
        tmp_path, "now", {"a": "passed", "c": "passed"}, {"lat": [1.0 + k / 100 for k in range(12)]}
    )
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\ncriteria:\n  - {id: lat, metric: lat, compare: baseline, max_regression: 5%}\n"
    )
    from_file = _gate(db_url, criteria, current, str(base))
    pooled = _gate(db_url, criteria, current, "history:branch=main,last=2")
    assert pooled.returncode == from_file.returncode == 3, pooled.stdout + pooled.stderr
    assert _statuses(pooled) == _statuses(from_file)
    warnings = json.loads(pooled.stdout)["warnings"]
    assert sum("counted once in the baseline" in w for w in warnings) == 2, warnings


def test_a_history_baseline_keeps_what_its_inputs_said_about_themselves(
    db_url: str, tmp_path: Path
) -> None:
    # The baseline run's file declares five tests and holds two (a run cut short): a file
    # baseline is no evidence for READY, and the same file read back from history must not be
    # either.
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text("version: 1\ncriteria:\n  - {id: new, tests: {new_failures: 0}}\n")
    earlier = run_dir(tmp_path, "earlier", {"a": "passed", "b": "passed"})
    junit = earlier / "junit.xml"
    junit.write_text(junit.read_text().replace('tests="2"', 'tests="5"'))
    current = run_dir(tmp_path, "now", {"a": "passed", "b": "passed"})
    by_file = run_cli(
        "verdict", "-c", str(criteria), str(current), "--baseline", str(earlier), "--json", "-"
    )
    assert by_file.returncode == 3, by_file.stdout + by_file.stderr
    assert record(db_url, earlier, commit="1" * 40).returncode == 0
    by_history = _gate(db_url, criteria, current, "history:branch=main")
    assert by_history.returncode == 3, by_history.stdout + by_history.stderr
    assert _statuses(by_history)["new"][0] == "insufficient"
    assert "declares 5 test(s) but contains 2" in by_history.stdout


@pytest.mark.parametrize(
    "spec",
    [
        "history:",
        "history:branch=main,commit=abc1",
        "history:branch=main,last=0",
        "history:sha=1",
        "history:commit=xyz",
    ],
)
def test_bad_history_specs_are_usage_errors(spec: str, tmp_path: Path) -> None:
    done = run_cli(
        "verdict",
        "-c",
        str(SAMPLE / "criteria.yaml"),
        str(SAMPLE / "results"),
        "--baseline",
        spec,
        "--db",
        str(tmp_path / "h.db"),
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and spec in done.stderr


def test_verdict_without_history_imports_no_database_stack() -> None:
    code = (
        "import sys; from reportgen.cli import main; "
        f"main(['verdict', '-c', {str(SAMPLE / 'criteria.yaml')!r}, "
        f"'--baseline', {str(SAMPLE / 'baseline')!r}, {str(SAMPLE / 'results')!r}]); "
        "heavy = ('sqlalchemy', 'alembic', 'pandas', 'psycopg'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr


# --- what history knows ------------------------------------------------------------------------


def test_flaky_tests_failing_since_and_added_removed(db_url: str, tmp_path: Path) -> None:
    plan = [
        # commit, outcomes
        ("c1", {"steady": "passed", "flipper": "passed", "broken": "passed", "gone": "passed"}),
        ("c2", {"steady": "passed", "flipper": "failed", "broken": "failed", "gone": "passed"}),
        ("c3", {"steady": "passed", "flipper": "passed", "broken": "failed", "gone": "passed"}),
        ("c3", {"steady": "failed", "flipper": "passed", "broken": "failed", "new": "passed"}),
    ]
    for i, (commit, outcomes) in enumerate(plan):
        folder = run_dir(tmp_path, f"r{i}", outcomes)
        done = record(db_url, folder, commit=commit * 20)
        assert done.returncode == 0, done.stderr
    flaky = history(db_url, "flaky", "--branch", "main")
    found = {t["id"]: t for t in flaky["tests"]}  # type: ignore[index]
    # flipper: pass, fail, pass (2 flips); steady: passed then failed on the same commit c3.
    assert set(found) == {"suite.Mod::flipper", "suite.Mod::steady"}
    assert found["suite.Mod::flipper"]["flips"] == 2
    assert found["suite.Mod::steady"]["same_commit"] == ["c3" * 20]
    assert flaky["runs"] == [4, 3, 2, 1]  # type: ignore[index]
    tests = history(db_url, "tests", "--branch", "main")
    failing = {f["id"]: f for f in tests["failing"]}  # type: ignore[index]
    assert failing["suite.Mod::broken"]["since_run"] == 2
    assert failing["suite.Mod::broken"]["since_commit"] == "c2" * 20
    assert failing["suite.Mod::broken"]["runs_failing"] == 3
    assert failing["suite.Mod::steady"]["since_run"] == 4
    assert tests["added"] == ["suite.Mod::new"]  # type: ignore[index]
    assert tests["removed"] == ["suite.Mod::gone"]  # type: ignore[index]
    table = run_cli("history", "tests", "--branch", "main", "--db", db_url)
    assert "suite.Mod::broken" in table.stdout and "run 2" in table.stdout


def test_max_flaky_history_criterion(db_url: str, tmp_path: Path) -> None:
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\ncriteria:\n  - {id: stable, tests: {max_flaky_history: 0, window: 5}}\n"
    )
    current = run_dir(tmp_path, "now", {"flipper": "passed", "steady": "passed"})
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REF_NAME": "main"}
    args = ["verdict", "-c", str(criteria), str(current), "--db", db_url]
    none_yet = run_cli(*args, env=env)
    # An empty history (or no database) cannot show a test is not flaky.
    assert none_yet.returncode == 3, none_yet.stdout + none_yet.stderr
    for i, outcome in enumerate(("passed", "failed", "passed")):
        folder = run_dir(tmp_path, f"r{i}", {"flipper": outcome, "steady": "passed"})
        assert record(db_url, folder, commit=f"{i}" * 40).returncode == 0
    done = run_cli(*args, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "suite.Mod::flipper (changed between passing and failing 2 times in 3 runs)" in done.stdout
    )
    relaxed = tmp_path / "relaxed.yaml"
    relaxed.write_text("version: 1\ncriteria:\n  - {id: stable, tests: {max_flaky_history: 1}}\n")
    done = run_cli("verdict", "-c", str(relaxed), str(current), "--db", db_url, env=env)
    assert done.returncode == 0, done.stdout + done.stderr


def test_max_flaky_history_without_a_database_is_insufficient(tmp_path: Path) -> None:
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text("version: 1\ncriteria:\n  - {id: stable, tests: {max_flaky_history: 0}}\n")
    done = run_cli(
        "verdict",
        "-c",
        str(criteria),
        str(SAMPLE / "results"),
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 3
    assert "no run history at" in done.stdout


def test_metric_trends(db_url: str, tmp_path: Path) -> None:
    for i in range(8):
        folder = run_dir(
            tmp_path, f"r{i}", {"t": "passed"}, {"lat": [1.0 + i / 10, 1.1 + i / 10, 1.2 + i / 10]}
        )
        assert record(db_url, folder, commit=f"{i}" * 40).returncode == 0
    [trend] = history(db_url, "metrics", "--last", "7")  # type: ignore[misc]
    assert trend["runs"] == [2, 3, 4, 5, 6, 7, 8]
    assert trend["medians"] == pytest.approx([1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8])
    assert trend["median"] == pytest.approx(1.5)
    # 7 runs: the order-statistic 95% interval of the median is (min, max).
    assert (trend["low"], trend["high"]) == pytest.approx((1.2, 1.8))
    [few] = history(db_url, "metrics", "--last", "3")  # type: ignore[misc]
    assert few["low"] is None and few["high"] is None


def test_prune(db_url: str, tmp_path: Path) -> None:
    for i in range(3):
        assert (
            record(db_url, run_dir(tmp_path, f"r{i}", {f"t{i}": "passed"}, {"m": [1.0]})).returncode
            == 0
        )
    engine = create_engine(_parse(db_url))
    with engine.begin() as conn:  # make runs 1 and 2 old
        conn.execute(
            text("UPDATE runs SET recorded_at = :old WHERE id < 3"), {"old": "2020-01-01 00:00:00"}
        )
    engine.dispose()
    done = run_cli("history", "prune", "--keep", "90d", "--db", db_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "deleted 2 runs recorded before the last 90d\n"
    assert [r["id"] for r in history(db_url, "runs")] == [3]  # type: ignore[union-attr,index]
    assert count(db_url, executions) == 1 and count(db_url, metrics) == 1
    assert run_cli("history", "prune", "--keep", "soon", "--db", db_url).returncode == 2


def test_history_of_a_missing_database(tmp_path: Path) -> None:
    done = run_cli("history", "runs", "--db", str(tmp_path / "none.db"))
    assert done.returncode == 4
    assert (
        done.stderr
        == f"reportgen: no history database at {tmp_path / 'none.db'} (record runs first)\n"
    )
    assert not (tmp_path / "none.db").exists()


# --- migrations --------------------------------------------------------------------------------


def test_migration_from_an_empty_database(db_url: str) -> None:
    with open_store(db_url) as store:
        assert schema_revision(store) == schema_head() == "0003"


def test_migration_from_the_first_schema(db_url: str) -> None:
    migrate_to(db_url, "0001")
    engine = create_engine(_parse(db_url))
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO runs (run_key, recorded_at, branch, commit_sha, reportgen_version, "
                "inputs) VALUES ('k', '2026-01-01 00:00:00', 'main', :sha, '0.0.9', '[]')"
            ),
            {"sha": "e" * 40},
        )
        conn.execute(text("INSERT INTO test_names (name_key, name) VALUES ('n', 'old::test')"))
        conn.execute(text("INSERT INTO executions VALUES (1, 1, 1, 0, 1, 0.25)"))
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    engine.dispose()
    done = run_cli(
        "record", str(SAMPLE / "results"), "--db", db_url, "--branch", "main", "--label", "k=v"
    )
    assert done.returncode == 0, done.stderr
    with open_store(db_url) as store:
        assert schema_revision(store) == "0003"
    stored = history(db_url, "runs")
    assert [(r["id"], r["branch"], r["labels"]) for r in stored] == [  # type: ignore[union-attr]
        (2, "main", {"k": "v"}),
        (1, "main", {}),
    ]
    assert count(db_url, executions) == 20 and count(db_url, test_names) == 20


# --- failures ----------------------------------------------------------------------------------


def test_a_record_interrupted_half_way_stores_nothing(db_url: str) -> None:
    with open_store(db_url):
        pass  # create the schema
    engine = create_engine(_parse(db_url))
    with engine.begin() as conn:
        # The database fails the record after the run, its test names and its executions
        # were written, at the first metric.
        if engine.dialect.name == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER fail_metrics BEFORE INSERT ON metrics "
                    "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION fail() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text("CREATE TRIGGER fail_metrics BEFORE INSERT ON metrics EXECUTE FUNCTION fail()")
            )
    engine.dispose()
    done = record(db_url, SAMPLE / "results")
    assert done.returncode == 4
    assert "cannot record the run" in done.stderr and "disk full" in done.stderr
    # One line, and no driver log naming the connection's user beside it.
    assert done.stderr.count("\n") == 1 and "user=" not in done.stderr
    assert (count(db_url, runs), count(db_url, executions), count(db_url, test_names)) == (0, 0, 0)


def test_a_record_killed_half_way_stores_nothing(postgres_server: str) -> None:
    from tests.history.pgserver import new_database

    db = new_database(postgres_server)
    with open_store(db):
        pass
    engine = create_engine(_parse(db))
    with engine.connect() as holder:
        holder.begin()
        # Hold the metrics table: the recorder writes its run and executions, then waits.
        holder.execute(text("LOCK TABLE metrics IN ACCESS EXCLUSIVE MODE"))
        recorder = subprocess.Popen(
            [sys.executable, "-m", "reportgen", "record", str(SAMPLE / "results"), "--db", db],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                # Statistics are a snapshot per transaction: clear it to see the recorder now.
                holder.execute(text("SELECT pg_stat_clear_snapshot()"))
                waiting = holder.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND query LIKE 'INSERT INTO metrics%'"
                    )
                ).scalar()
                if waiting:
                    break
                assert recorder.poll() is None, recorder.communicate()
                assert time.monotonic() < deadline, "the recorder never reached the metrics"
                time.sleep(0.05)
            recorder.send_signal(signal.SIGKILL)
            recorder.wait(timeout=30)
        finally:
            if recorder.poll() is None:
                recorder.kill()
        holder.rollback()
    engine.dispose()
    assert (count(db, runs), count(db, executions), count(db, test_names)) == (0, 0, 0)
    assert record(db, SAMPLE / "results").returncode == 0  # and nothing blocks the next one
    assert count(db, runs) == 1


def test_eight_concurrent_records_all_land(db_url: str, tmp_path: Path) -> None:
    folders = [
        run_dir(
            tmp_path,
            f"r{i}",
            {f"t{k}": "passed" for k in range(200)} | {f"own{i}": "failed"},
            {"lat": [float(i + 1)] * 5},
        )
        for i in range(8)
    ]
    # The database is still empty: the eight also race to create the schema.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reportgen",
                "record",
                str(f),
                "--db",
                db_url,
                "--branch",
                "main",
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for f in folders
    ]
    results = [(*p.communicate(timeout=300), p.returncode) for p in procs]
    assert [r[2] for r in results] == [0] * 8, [r[1] for r in results]
    assert count(db_url, runs) == 8
    assert count(db_url, executions) == 8 * 201
    assert count(db_url, test_names) == 200 + 8


def test_credentials_are_never_printed(postgres_server: str, tmp_path: Path) -> None:
    from tests.history.pgserver import new_database

    db = new_database(postgres_server).replace("reportgen@", "reportgen:s3cret-pw@")
    done = record(db, SAMPLE / "results")
    assert done.returncode == 0, done.stderr
    unreachable = db.replace("/sock", "/no-such-dir")
    failed = record(unreachable, SAMPLE / "results")
    assert failed.returncode == 4
    assert failed.stderr.count("\n") == 1
    for output in (done.stdout, done.stderr, failed.stdout, failed.stderr):
        assert "s3cret-pw" not in output
        assert "//reportgen" not in output and "reportgen@" not in output


# --- reports -----------------------------------------------------------------------------------


def test_reports_show_trends_failing_since_and_flaky_tests(db_url: str, tmp_path: Path) -> None:
    staging = "tests.staging.test_websocket::test_staging_websocket_connection"
    for i in range(7):
        folder = run_dir(
            tmp_path,
            f"r{i}",
            {"flipper": ("passed", "failed")[i % 2]},
            {"ws_connect_time": [1.2 + i / 100 + k / 1000 for k in range(20)]},
        )
        assert record(db_url, folder, commit=f"{i}" * 40).returncode == 0
    junit = tmp_path / "junit"
    junit.mkdir()
    (junit / "junit.xml").write_bytes((SAMPLE / "results" / "junit.xml").read_bytes())
    assert record(db_url, junit, commit="8" * 40).returncode == 0
    md, html = tmp_path / "out.md", tmp_path / "out.html"
    done = run_cli(
        "report",
        "-c",
        str(SAMPLE / "criteria.yaml"),
        str(SAMPLE / "results"),
        "--db",
        db_url,
        "-o",
        str(md),
        "-o",
        str(html),
        "--exit-zero",
        env={"GITHUB_ACTIONS": "true", "GITHUB_REF_NAME": "main"},
    )
    assert done.returncode == 0, done.stderr
    text_md = md.read_text()
    history_md = text_md[text_md.index("## History") : text_md.index("## Provenance")]
    assert "From the last 8 recorded runs of branch main." in history_md
    # Seven runs of medians 1.2095 .. 1.2695 s: their median 1.2395 s, the interval min..max.
    assert (
        "**ws\\_connect\\_time**: median 1.24 s over 7 recorded runs (95% interval 1.21 s to "
        "1.27 s); current run 1.51 s." in history_md
    )
    assert (
        f"{staging.replace('_', chr(92) + '_')}: failing since run" in history_md
        and "1 recorded run in a row" in history_md
    )
    page = html.read_text()
    assert 'aria-label="ws_connect_time: median per run: 7 recorded runs' in page
    assert "current 1.51 s" in page
    # Without --db there is no history section.
    plain = tmp_path / "plain.md"
    run_cli(
        "report",
        "-c",
        str(SAMPLE / "criteria.yaml"),
        str(SAMPLE / "results"),
        "-o",
        str(plain),
        "--exit-zero",
    )
    assert "## History" not in plain.read_text()


def test_a_history_baseline_measured_with_other_parameters_is_insufficient(
    db_url: str, tmp_path: Path
) -> None:
    """hyperfine's `parameters` are recorded with the metric and compared like a file's."""

    def timed(ms: int) -> Path:
        folder = tmp_path / f"ms{ms}"
        folder.mkdir()
        hyperfine_work(folder / "h.json", ms)
        return folder

    assert record(db_url, timed(5), commit="1" * 40).returncode == 0
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\ncriteria:\n"
        "  - {id: work, metric: work, compare: baseline, max_regression: 5%}\n"
    )
    # Before: the 5 ms run recorded on main against a 1 ms run was an improvement (exit 0).
    done = _gate(db_url, criteria, timed(1), "history:branch=main")
    assert done.returncode == 3, done.stdout + done.stderr
    reason = json.loads(done.stdout)["criteria"][0]["reason"]
    assert "work was measured with ms=1 now but ms=5 in the baseline" in reason
