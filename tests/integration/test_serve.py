"""``llmflation serve``: one Prefect server, the nightly deployment with its cron, and a clean stop.

The stop is tested as a scheduler sends it, during a run that is fetching from a loopback
source that never answers: SIGTERM to the serve process (systemd, Docker, ``kill``), and SIGINT
to its whole process group (Ctrl-C in a terminal).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import pytest

from llmflation.runlock import lock_path, read_holder, run_lock
from tests.support.loopback import Route, serve

pytestmark = pytest.mark.integration

#: Generous bounds: the machine running the tests may be busy. Nothing here is a timing assertion
#: beyond "ends", which a hang (the runner waiting for a run to finish) would fail by minutes.
START_TIMEOUT_S = 240
STOP_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _api(port: int, path: str, body: dict[str, Any] | None = None, attempts: int = 5) -> Any:
    """POST to the Prefect server's API; a busy server (503, its SQLite locked) is asked again."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api{path}", data=json.dumps(body or {}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    for attempt in range(attempts):
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            if exc.code < 500 or attempt == attempts - 1:
                raise
            time.sleep(2)
    return None


def _start_serve(data_dir: Path, prefect_home: Path, tmp_path: Path, config_text: str, *args: str) -> subprocess.Popen[str]:
    config = tmp_path / "llmflation.toml"
    config.write_text(config_text)
    env = dict(os.environ, LLMFLATION_DATA_DIR=str(data_dir), LLMFLATION_CONFIG=str(config),
               PREFECT_HOME=str(prefect_home), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
               PREFECT_RUNNER_POLL_FREQUENCY="2")
    env.pop("PREFECT_API_URL", None)
    return subprocess.Popen([sys.executable, "-m", "llmflation.cli", "serve", *args], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _deployments(proc: subprocess.Popen[str], port: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, _output(proc)
        try:
            found = _api(port, "/deployments/filter")
            if found:
                return found
        except OSError:
            pass
        time.sleep(1)
    raise AssertionError("serve registered no deployment in time")


def _output(proc: subprocess.Popen[str]) -> str:
    if proc.poll() is None:
        return "(still running)"
    return proc.stdout.read()[-5000:] if proc.stdout else ""


def _stop(proc: subprocess.Popen[str]) -> None:
    """After a failed test: kill what is left, the server in its own session included."""
    if proc.poll() is None:
        left = psutil.Process(proc.pid).children(recursive=True)
        os.killpg(proc.pid, signal.SIGKILL)
        for process in left:
            try:
                process.kill()
            except psutil.Error:
                pass
        proc.wait(timeout=30)


def test_serve_registers_the_nightly_deployment_on_one_server(data_dir: Path, prefect_home: Path, tmp_path: Path) -> None:
    port = free_port()
    proc = _start_serve(data_dir, prefect_home, tmp_path, f'[schedule]\ncron = "15 4 * * *"\nserver_port = {port}\n')
    try:
        deployments = _deployments(proc, port)
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=STOP_TIMEOUT_S)
    finally:
        _stop(proc)
    output = proc.stdout.read() if proc.stdout else ""
    assert [d["name"] for d in deployments] == ["nightly"]
    (schedule,) = deployments[0]["schedules"]
    assert schedule["schedule"]["cron"] == "15 4 * * *"
    assert schedule["schedule"]["timezone"] == "UTC"
    assert proc.returncode == 0, output
    assert "ephemeral" not in output and "temporary server" not in output, output
    assert "stopped by SIGTERM" in output
    with pytest.raises(OSError):  # the server stopped with serve
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


@pytest.mark.parametrize("how", ["SIGTERM to the process", "SIGINT to the process group"])
def test_a_signal_during_a_run_ends_serve_releases_the_lock_and_keeps_latest(
        data_dir: Path, prefect_home: Path, tmp_path: Path, how: str) -> None:
    from tests.support.cli import cli_env, run_cli

    built = run_cli(["build"], cli_env(data_dir))  # the last good release, from the curated data
    assert built.returncode == 0, built.stderr[-3000:]
    latest = (data_dir / "published" / "latest").resolve()

    port = free_port()
    with serve({"/api/v1/models": Route(200, b'{"data": []}', {"Content-Type": "application/json"}, delay_s=600)}) as slow:
        config = (f'[schedule]\ncron = "0 0 1 1 *"\nserver_port = {port}\n'
                  f'[sources.openrouter]\nurl = "{slow.url}/api/v1/models"\n'
                  "[capture]\ntimeout_s = 900\nretries = 0\ndownload_delay_s = 0\n")
        proc = _start_serve(data_dir, prefect_home, tmp_path, config, "--sources", "openrouter", "--skip-history")
        try:
            (deployment,) = _deployments(proc, port)
            _api(port, f"/deployments/{deployment['id']}/create_flow_run")
            deadline = time.monotonic() + START_TIMEOUT_S
            while not slow.paths_requested():  # the run is fetching, and holds the run lock
                assert proc.poll() is None and time.monotonic() < deadline, _output(proc)
                time.sleep(0.5)
            holder = read_holder(lock_path(data_dir / "state"))
            assert holder is not None and psutil.pid_exists(holder.pid)
            run_processes = psutil.Process(proc.pid).children(recursive=True)

            if how.startswith("SIGTERM"):
                os.kill(proc.pid, signal.SIGTERM)
            else:
                os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=STOP_TIMEOUT_S)
        finally:
            _stop(proc)
    output = proc.stdout.read() if proc.stdout else ""
    assert proc.returncode == 0, output
    assert "ephemeral" not in output and "temporary server" not in output, output
    assert f"{how.split()[0]} received: stopping the runner" in output, output
    # run, crawl, server; multiprocessing's resource tracker ignores signals and leaves once serve is gone
    _, alive = psutil.wait_procs(run_processes, timeout=15)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], alive
    with run_lock(data_dir / "state", "test"):  # free: taken at once
        pass
    assert (data_dir / "published" / "latest").resolve() == latest
    assert not list((data_dir / "published").glob(".staging-*"))


def test_sigterm_to_a_command_during_a_crawl_ends_it_and_its_crawl_and_releases_the_lock(
        data_dir: Path, tmp_path: Path) -> None:
    """``llmflation capture`` (or ``run``) stopped by a scheduler: exit 143 within seconds, nothing left running."""
    with serve({"/api/v1/models": Route(200, b'{"data": []}', {"Content-Type": "application/json"}, delay_s=600)}) as slow:
        config = tmp_path / "llmflation.toml"
        config.write_text(f'[sources.openrouter]\nurl = "{slow.url}/api/v1/models"\n'
                          "[capture]\ntimeout_s = 900\nretries = 0\ndownload_delay_s = 0\n")
        env = dict(os.environ, LLMFLATION_DATA_DIR=str(data_dir), LLMFLATION_CONFIG=str(config))
        proc = subprocess.Popen([sys.executable, "-m", "llmflation.cli", "capture", "--sources", "openrouter"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not slow.paths_requested():
                assert proc.poll() is None and time.monotonic() < deadline, _output(proc)
                time.sleep(0.5)
            crawl = psutil.Process(proc.pid).children(recursive=True)
            assert crawl, "the crawl runs in a subprocess"
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=STOP_TIMEOUT_S)
        finally:
            _stop(proc)
    assert proc.returncode == 128 + signal.SIGTERM, _output(proc)
    _, alive = psutil.wait_procs(crawl, timeout=15)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], alive
    assert read_holder(lock_path(data_dir / "state")) is None  # released cleanly, not left to be taken over
    with run_lock(data_dir / "state", "test"):
        pass
