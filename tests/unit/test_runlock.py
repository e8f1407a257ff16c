"""The run lock: a second run says who holds the lock and leaves; a dead holder's lock is taken over."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from llmflation.runlock import LockHeld, lock_path, read_holder, run_lock

LLMFLATION = [sys.executable, "-m", "llmflation.cli"]


@pytest.mark.parametrize("command", ["build", "capture", "run"])
def test_a_second_cli_run_names_the_holder_and_touches_nothing(data_dir: Path, command: str) -> None:
    state = data_dir / "state"
    with run_lock(state, "test holder"):
        before = sorted(p.relative_to(data_dir) for p in data_dir.rglob("*"))
        done = subprocess.run([*LLMFLATION, command], capture_output=True, text=True, timeout=120, env=dict(os.environ))
        after = sorted(p.relative_to(data_dir) for p in data_dir.rglob("*"))
    assert done.returncode == 3, done.stderr
    assert f"pid {os.getpid()} on {socket.gethostname()}" in done.stderr
    assert "'test holder'" in done.stderr and "nothing was done" in done.stderr
    assert before == after


def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    state = tmp_path / "state"
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from llmflation.runlock import run_lock\n"
        "with run_lock(Path(sys.argv[1]), 'doomed run'):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    child = subprocess.run([sys.executable, "-c", script, str(state)], timeout=60)
    assert child.returncode == -signal.SIGKILL
    dead = read_holder(lock_path(state))
    assert dead is not None and dead.command == "doomed run"
    with caplog.at_level(logging.WARNING, logger="llmflation.runlock"), run_lock(state, "next run") as me:
        assert me.pid == os.getpid()
        assert read_holder(lock_path(state)) == me
    assert f"pid {dead.pid}" in caplog.text and "ended without releasing it" in caplog.text
    assert read_holder(lock_path(state)) is None  # released cleanly: empty file


def test_the_lock_nests_within_one_process_and_refuses_another(tmp_path: Path) -> None:
    with run_lock(tmp_path, "outer") as outer:
        with run_lock(tmp_path, "inner") as inner:
            assert inner == outer
        probe = ("import sys; from pathlib import Path; from llmflation.runlock import run_lock, LockHeld\n"
                 "try:\n    run_lock(Path(sys.argv[1]), 'probe').__enter__()\n"
                 "except LockHeld as e:\n    print(e); sys.exit(3)\n")
        done = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 3 and "'outer'" in done.stdout
    with run_lock(tmp_path, "after"):
        pass


def test_lock_held_message_without_a_name_yet(tmp_path: Path) -> None:
    assert "has not written its name yet" in str(LockHeld(tmp_path / "run.lock", None))
