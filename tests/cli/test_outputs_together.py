"""A run's reports are replaced together or not at all; write failures are one line, exit 6.

Through the real CLI in a subprocess: killed while the PDF renderer runs, the previous reports
stay as they were with no temp file and no renderer left; a failed output leaves no file from
an older run beside the new ones. Read-only and full file systems are private tmpfs mounts in a
user and mount namespace (`unshare -rm`), so the tests need no privileges and leave no mount.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportgen.errors import ExitCode
from tests.conftest import REPO, run_cli

SAMPLE = REPO / "samples" / "phase4-websocket"
CRITERIA = str(SAMPLE / "criteria.yaml")
RESULTS = str(SAMPLE / "results")
OLD = "from an earlier run\n"


def _temp_files(root: Path) -> list[str]:
    return [p.name for p in root.rglob("*") if p.name.endswith(".tmp")]


def _old_set(out: Path, names: list[str]) -> dict[str, str]:
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        (out / name).write_text(f"{name} {OLD}", encoding="utf-8")
    return {name: f"{name} {OLD}" for name in names}


def _children(pid: int) -> list[tuple[int, bytes]]:
    """(pid, command line) of the live children of `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="utf-8", errors="replace")
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; the parent pid follows it.
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.append((int(entry.name), cmdline))
    return found


def _in_group(pgid: int) -> list[int]:
    """Live processes of the process group `pgid`."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize(
    ("sent", "code", "said"),
    [
        (signal.SIGTERM, 143, "reportgen: terminated\n"),
        (signal.SIGINT, 130, "reportgen: interrupted\n"),
    ],
)
def test_killed_during_the_pdf_render_the_old_set_stays(
    tmp_path: Path, sent: signal.Signals, code: int, said: str
) -> None:
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    out = tmp_path / "out"
    names = ["r.md", "r.html", "r.json", "r.pdf"]
    before = _old_set(out, names)
    # The PDF last: the other three are rendered into temp files by the time it starts.
    argv = ["report", "-c", CRITERIA, RESULTS, *(a for n in names for a in ("-o", str(out / n)))]
    process = subprocess.Popen(
        [sys.executable, "-m", "reportgen", *argv],
        cwd=REPO,
        env={**os.environ, "TMPDIR": str(private_tmp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    renderer = None
    try:
        deadline = time.monotonic() + 120
        while renderer is None and process.poll() is None and time.monotonic() < deadline:
            for pid, cmdline in _children(process.pid):
                if b"reportgen.render.pdf" in cmdline:
                    renderer = pid
            time.sleep(0.01)
        assert renderer is not None, "the PDF renderer never started"
        staged = _temp_files(out)
        process.send_signal(sent)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert sorted(staged) and all(n.endswith(".tmp") for n in staged)  # rendered, not in place
    assert process.returncode == code, err
    assert err == said
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == before
    assert _temp_files(out) == []
    assert not Path(f"/proc/{renderer}").exists() and _in_group(renderer) == []
    assert list(private_tmp.iterdir()) == []


def test_a_failed_output_leaves_no_old_file_beside_the_new_ones(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _old_set(out, ["r.md", "r.json", "r.pdf"])
    args = ["-o", str(out / "r.md"), "-o", str(out / "r.pdf"), "-o", str(out / "r.json")]
    done = run_cli("report", "-c", CRITERIA, RESULTS, *args, "--pdf-timeout", "0.001")
    assert done.returncode == ExitCode.OUTPUT_FAILED
    assert done.stderr == (
        f"reportgen: {out / 'r.pdf'}: PDF rendering exceeded the 0.001 s time limit; the "
        "renderer was stopped (render fewer details (lower the caps) or allow more time); "
        "its old file from an earlier run was removed\n"
    )
    assert sorted(p.name for p in out.iterdir()) == ["r.json", "r.md"]
    assert (out / "r.md").read_text(encoding="utf-8").startswith("# Phase 4")
    assert '"verdict": "NOT READY"' in (out / "r.json").read_text(encoding="utf-8")
    assert f"wrote {out / 'r.md'}, {out / 'r.json'}\n" in done.stdout


def test_a_file_as_parent_directory_is_one_line_exit_6(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    done = run_cli("verdict", "-c", CRITERIA, RESULTS, "--json", str(blocker / "v.json"))
    assert done.returncode == ExitCode.OUTPUT_FAILED
    assert done.stderr == (
        f"reportgen: {blocker / 'v.json'}: cannot write: {blocker} is not a directory\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_device_is_one_line_exit_6() -> None:
    done = run_cli("report", "-c", CRITERIA, RESULTS, "-o", "/dev/full", "--to", "md")
    assert done.returncode == ExitCode.OUTPUT_FAILED
    assert done.stderr == "reportgen: /dev/full: cannot write: No space left on device\n"
    assert Path("/dev/full").is_char_device()


def _can_mount_privately() -> bool:
    try:
        done = subprocess.run(
            ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=16k tmpfs /mnt"],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


PRIVATE_MOUNTS = pytest.mark.skipif(
    sys.platform != "linux" or not _can_mount_privately(),
    reason="needs `unshare -rm` (user and mount namespaces) to mount a private tmpfs",
)


def _report_on_mount(
    tmp_path: Path, mount: Path, options: str, prepare: str, outputs: list[Path]
) -> tuple[int, str, str, list[str]]:
    """Run `report -o OUTPUTS...` with a private tmpfs at `mount` (mounted with `options`
    after `prepare` ran on it read-write); (exit code, stdout, stderr, names left in it)."""
    mount.mkdir()
    listing = tmp_path / "listing.txt"
    command = shlex.join(
        [
            sys.executable,
            "-m",
            "reportgen",
            "report",
            "-c",
            CRITERIA,
            RESULTS,
            *(a for o in outputs for a in ("-o", str(o))),
        ]
    )
    script = f"""set -e
mount -t tmpfs -o size=16k tmpfs {shlex.quote(str(mount))}
cd {shlex.quote(str(mount))}
{prepare}
cd {shlex.quote(str(REPO))}
mount -o remount,{options} {shlex.quote(str(mount))}
set +e
{command}
code=$?
ls -A {shlex.quote(str(mount))} > {shlex.quote(str(listing))}
exit $code
"""
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    names = listing.read_text(encoding="utf-8").split() if listing.exists() else ["?"]
    return done.returncode, done.stdout, done.stderr, names


@PRIVATE_MOUNTS
def test_a_read_only_output_directory_is_one_line_exit_6(tmp_path: Path) -> None:
    ro, good = tmp_path / "ro", tmp_path / "good" / "r.json"
    good.parent.mkdir()
    code, out, err, names = _report_on_mount(
        tmp_path, ro, "ro", "echo old > r.md", [ro / "r.md", good]
    )
    assert code == ExitCode.OUTPUT_FAILED, err
    assert err == (
        f"reportgen: {ro / 'r.md'}: cannot create a file in {ro}: Read-only file system; "
        "its old file from an earlier run is still there (Read-only file system)\n"
    )
    assert names == ["r.md"]
    assert f"wrote {good}\n" in out and good.is_file()


@PRIVATE_MOUNTS
def test_a_full_disk_is_one_line_exit_6_and_no_temp_file(tmp_path: Path) -> None:
    full, good = tmp_path / "full", tmp_path / "good" / "r.md"
    good.parent.mkdir()
    # 16 kB: the old file fits, the new HTML report (several times larger) does not.
    code, out, err, names = _report_on_mount(
        tmp_path, full, "rw", "echo old > r.html", [full / "r.html", good]
    )
    assert code == ExitCode.OUTPUT_FAILED, err
    assert err == (
        f"reportgen: {full / 'r.html'}: cannot write: No space left on device; "
        "its old file from an earlier run was removed\n"
    )
    assert names == []
    assert f"wrote {good}\n" in out and good.is_file()
