"""Run the real ``llmflation`` CLI in a subprocess, with extra test sources and failpoints when asked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

EXTRA_SOURCES_DIR = Path(__file__).resolve().parent / "extra_sources"


def cli_env(data_dir: Path, config: Path | None = None, extra_sources: list[dict[str, Any]] | None = None,
            **extra: str) -> dict[str, str]:
    """The environment of a CLI subprocess working on ``data_dir``."""
    env = dict(os.environ)
    env["LLMFLATION_DATA_DIR"] = str(data_dir)
    env.pop("LLMFLATION_FAILPOINTS", None)
    if config is not None:
        env["LLMFLATION_CONFIG"] = str(config)
    if extra_sources:
        env["LLMFLATION_TEST_EXTRA_SOURCES"] = json.dumps(extra_sources)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(EXTRA_SOURCES_DIR), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``llmflation <args>`` to completion."""
    return subprocess.run([sys.executable, "-m", "llmflation.cli", *args], env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def kill_at_failpoint(args: list[str], env: dict[str, str], failpoint: str, marker_dir: Path,
                      timeout: float = 300) -> int:
    """Start ``llmflation <args>``, wait until it reaches ``failpoint``, ``kill -9`` it and its children.

    Returns the pid that reached the failpoint. Fails the test when the command ends first.
    """
    marker = marker_dir / failpoint
    marker.unlink(missing_ok=True)
    env = {**env, "LLMFLATION_FAILPOINTS": failpoint, "LLMFLATION_FAILPOINT_DIR": str(marker_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "llmflation.cli", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        while not marker.exists():
            if proc.poll() is not None:
                raise AssertionError(f"llmflation {' '.join(args)} ended ({proc.returncode}) before failpoint "
                                     f"{failpoint}: {proc.stdout.read() if proc.stdout else ''}")
            if time.monotonic() > deadline:
                raise AssertionError(f"llmflation {' '.join(args)} never reached failpoint {failpoint}")
            time.sleep(0.05)
        pid = int(marker.read_text() or 0)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=60)
        if proc.stdout:
            proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    return pid
