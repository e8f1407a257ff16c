"""One run at a time per data folder: ``<data_dir>/state/run.lock``.

The lock is an advisory ``flock`` on the file, which the kernel drops the moment its holder
dies (``kill -9`` included), so a crashed run can never wedge the next one; the file's
content (pid, host, start time, command) is only there to say who holds it. A run that
finds the content of a holder that is gone says so and takes over.

A second run that finds the lock held raises ``LockHeld`` naming the holder, before it has
touched anything. ``flock`` is per machine (and per NFS server): runs on several machines
sharing a data folder on object storage need the orchestrator's own concurrency limit.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

LOCK_NAME = "run.lock"

#: Locks this process holds: taking one again (the CLI's ``run`` around the nightly flow) nests.
_held: dict[Path, LockInfo] = {}


@dataclass(frozen=True)
class LockInfo:
    pid: int
    host: str
    started_at: str  # ISO 8601, UTC
    command: str

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}, running {self.command!r} since {self.started_at}"


class LockHeld(RuntimeError):
    """Another run holds the lock; ``holder`` says who, when the lock file says so."""

    def __init__(self, path: Path, holder: LockInfo | None) -> None:
        self.path = path
        self.holder = holder
        who = holder.describe() if holder else "a process that has not written its name yet"
        super().__init__(f"another llmflation run holds {path}: {who}; nothing was done")


def lock_path(state_dir: Path) -> Path:
    return state_dir / LOCK_NAME


def read_holder(path: Path) -> LockInfo | None:
    """What the lock file says about its (current or last) holder; None when empty or unreadable."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8") or "null")
        return LockInfo(int(doc["pid"]), str(doc["host"]), str(doc["started_at"]), str(doc["command"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None


@contextmanager
def run_lock(state_dir: Path, command: str) -> Iterator[LockInfo]:
    """Hold the run lock for the body of the ``with``; ``LockHeld`` at once when another run has it."""
    path = lock_path(state_dir).resolve()
    if path in _held:
        yield _held[path]
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(path, read_holder(path)) from None
        stale = read_holder(path)
        if stale is not None:
            log.warning("taking over the run lock: its last holder (%s) ended without releasing it", stale.describe())
        me = LockInfo(os.getpid(), socket.gethostname(), datetime.now(UTC).isoformat(timespec="seconds"), command)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(asdict(me)).encode(), 0)
        os.fsync(fd)
        _held[path] = me
        try:
            yield me
        finally:
            del _held[path]
            os.ftruncate(fd, 0)  # an empty file: released cleanly
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
