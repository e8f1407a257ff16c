"""Serve the nightly flow on its cron schedule, on Prefect's local server if none is configured.

Prefect's temporary in-process server cannot schedule runs, so when ``PREFECT_API_URL`` is
not set this starts ``prefect server start`` on 127.0.0.1 (SQLite under PREFECT_HOME, nothing
else to install), waits for it to be healthy, serves the deployment, and stops the server on
exit. With ``PREFECT_API_URL`` set (a shared server, Prefect Cloud) it serves against that.
For many machines, use ``prefect.yaml`` with a work pool instead (see the README).
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from llmflation.config import Settings

log = logging.getLogger(__name__)

DEPLOYMENT_NAME = "nightly"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_prefect_server(settings: Settings, timeout_s: float = 120.0) -> Iterator[str]:
    """A ``prefect server start`` on loopback for as long as the block runs; yields its API URL."""
    port = settings.schedule.server_port or _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    log_path = settings.state_dir / "prefect-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log_file, stderr=subprocess.STDOUT, env=dict(os.environ),
        )
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                try:
                    with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Prefect server did not start (see {log_path})")
                time.sleep(0.5)
            log.info("Prefect server at %s (log %s)", api_url, log_path)
            yield api_url
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


def serve_nightly(settings: Settings, cron: str, timezone: str = "UTC") -> None:
    """Register the nightly deployment with its cron schedule and run it whenever it is due."""
    from prefect.schedules import Cron

    from pipelines.nightly import nightly

    def _serve() -> None:
        log.info("serving deployment %s with cron %r (%s)", DEPLOYMENT_NAME, cron, timezone)
        nightly.serve(name=DEPLOYMENT_NAME, schedules=[Cron(cron, timezone=timezone)])

    if os.environ.get("PREFECT_API_URL"):
        _serve()
        return
    with local_prefect_server(settings) as api_url:
        os.environ["PREFECT_API_URL"] = api_url
        _serve()
