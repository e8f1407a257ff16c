"""``llmflation serve`` starts Prefect's local server and registers the nightly deployment with its cron."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_registers_the_nightly_deployment_with_its_schedule(data_dir: Path, prefect_home: Path, tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "llmflation.toml"
    config.write_text(f'[schedule]\ncron = "15 4 * * *"\nserver_port = {port}\n')
    env = dict(os.environ, LLMFLATION_DATA_DIR=str(data_dir), LLMFLATION_CONFIG=str(config),
               PREFECT_HOME=str(prefect_home), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "llmflation.cli", "serve"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"
    deployments: list[dict] = []
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not deployments:
            assert proc.poll() is None, proc.stdout.read().decode()[-3000:] if proc.stdout else "serve exited"
            try:
                request = urllib.request.Request(f"{api}/deployments/filter", data=b"{}", method="POST",
                                                 headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=5) as response:
                    deployments = json.loads(response.read())
            except OSError:
                pass
            time.sleep(1)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    assert [d["name"] for d in deployments] == ["nightly"]
    (schedule,) = deployments[0]["schedules"]
    assert schedule["schedule"]["cron"] == "15 4 * * *"
    assert schedule["schedule"]["timezone"] == "UTC"
