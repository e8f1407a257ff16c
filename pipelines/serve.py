"""Serve the nightly flow on its cron schedule, on one Prefect server, and stop cleanly on a signal.

Prefect's temporary in-process server cannot schedule runs, so when ``PREFECT_API_URL`` is not
set this starts ``prefect server start`` on 127.0.0.1 (SQLite under PREFECT_HOME, nothing else to
install), waits for it to be healthy, and only then imports Prefect with ``PREFECT_API_URL``
pointing at it: Prefect reads its settings when imported, and a Prefect imported earlier would
start a second, temporary server and warn that it cannot schedule. The server runs in a session of
its own, so a Ctrl-C in the terminal reaches ``serve`` (which stops it last), not the server the
shutdown still talks to. With ``PREFECT_API_URL`` set (a shared server, Prefect Cloud) it serves
against that. For many machines, use ``prefect.yaml`` with a work pool instead (see the README).

Stopping: SIGINT (Ctrl-C) or SIGTERM (systemd, Docker, a scheduler) ends ``serve`` within seconds,
during a run too. Prefect's runner would wait for a run in progress to finish; instead the flow
run processes (and their crawls) get SIGTERM, which Prefect's engine turns into an exception in
the run, so the run lock is released on the way out and nothing half-done is published (a release
is switched to ``latest`` in one atomic step, so ``latest`` stays the last good release). What has
not ended after :data:`STOP_GRACE_S` is killed; the lock, an advisory ``flock``, goes with it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import psutil

from llmflation.config import Settings

log = logging.getLogger(__name__)

DEPLOYMENT_NAME = "nightly"
#: Seconds a flow run gets to unwind after SIGTERM (release its lock, stop its crawl) before it is killed.
STOP_GRACE_S = 10.0
#: Seconds the runner gets, after its runs ended, to pause the deployment before ``serve`` exits anyway.
SHUTDOWN_LIMIT_S = 20.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_prefect_server(settings: Settings, timeout_s: float = 120.0) -> Iterator[psutil.Popen]:
    """A ``prefect server start`` on loopback, in its own session, for as long as the block runs.

    Yields the server process; its API URL is in ``PREFECT_API_URL`` of this process meanwhile.
    """
    port = settings.schedule.server_port or _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    log_path = settings.state_dir / "prefect-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log_file:
        server = psutil.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log_file, stderr=subprocess.STDOUT, env=dict(os.environ), start_new_session=True,
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
            os.environ["PREFECT_API_URL"] = api_url
            yield server
        finally:
            _end([server, *_descendants(server)], grace_s=20.0)


def _descendants(process: psutil.Process) -> list[psutil.Process]:
    try:
        return process.children(recursive=True)
    except psutil.Error:
        return []


def _end(processes: list[psutil.Process], grace_s: float, then: list[psutil.Process] | None = None) -> None:
    """SIGTERM each process, wait up to ``grace_s`` seconds, then SIGKILL what is left of them and of ``then``."""
    for process in processes:
        try:
            process.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(processes, timeout=grace_s)
    for process in alive:
        log.warning("process %s did not end within %.0f s of SIGTERM: killed", process.pid, grace_s)
    _, alive = psutil.wait_procs([*alive, *(then or [])], timeout=0)
    for process in alive:
        try:
            process.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=5)


class _Stopper:
    """What SIGINT and SIGTERM do to a serving process: end its flow runs, then stop the runner.

    The flow run processes are this process's children other than the Prefect server, found when
    the signal arrives. Each gets SIGTERM, which Prefect's engine turns into an exception in the
    run: the run lock is released and its crawl (a subprocess) killed on the way out. What is left
    of them and their children after :data:`STOP_GRACE_S` is killed. The runner's task is
    cancelled at once; a watchdog ends the process if the runner has not shut down within
    :data:`SHUTDOWN_LIMIT_S` after the runs ended.
    """

    def __init__(self) -> None:
        self.server_pid: int | None = None  # the local Prefect server, stopped last by its own context
        self.signal_name: str | None = None
        self.task: asyncio.Task[None] | None = None  # the runner's, while it runs

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self.handle)

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.signal_name is not None:
            return  # a second signal while stopping: the watchdog bounds the stop already
        self.signal_name = signal.Signals(signum).name
        runs = [p for p in _children(psutil.Process()) if p.pid != self.server_pid]
        crawls = [c for run in runs for c in _descendants(run)]
        log.info("%s received: stopping the runner and its %d child process(es) (flow runs and their helpers: %s)",
                 self.signal_name, len(runs), ", ".join(str(p.pid) for p in runs) or "none")
        threading.Thread(target=self._stop_runs, args=(runs, crawls), name="serve-stopper", daemon=True).start()
        if self.task is None:
            raise KeyboardInterrupt
        self.task.get_loop().call_soon_threadsafe(self.task.cancel)  # the runner waits only for the runs ended above

    def _stop_runs(self, runs: list[psutil.Process], crawls: list[psutil.Process]) -> None:
        _end(runs, STOP_GRACE_S, then=crawls)
        time.sleep(SHUTDOWN_LIMIT_S)
        log.error("the runner did not shut down within %.0f s of its runs ending: exiting", SHUTDOWN_LIMIT_S)
        _end(_descendants(psutil.Process()), grace_s=5.0)
        os._exit(1)


def _children(process: psutil.Process) -> list[psutil.Process]:
    try:
        return process.children()
    except psutil.Error:
        return []


def serve_nightly(settings: Settings, cron: str, timezone: str = "UTC",
                  parameters: dict[str, object] | None = None) -> str | None:
    """Register the nightly deployment with its cron schedule and run it whenever it is due.

    ``parameters`` are the flow's (``sources``, ``skip_history``) for every scheduled run.
    Returns the name of the signal that stopped it (``SIGINT``, ``SIGTERM``), or None.
    """
    stopper = _Stopper()
    stopper.install()  # from the start: a signal while the server starts stops it too
    try:
        if os.environ.get("PREFECT_API_URL"):
            _serve(settings, cron, timezone, parameters or {}, stopper)
        else:
            with local_prefect_server(settings) as server:
                stopper.server_pid = server.pid
                _serve(settings, cron, timezone, parameters or {}, stopper)
    except (KeyboardInterrupt, asyncio.CancelledError):
        if stopper.signal_name is None:
            raise
    log.info("stopped by %s", stopper.signal_name)
    return stopper.signal_name


def _serve(settings: Settings, cron: str, timezone: str, parameters: dict[str, object], stopper: _Stopper) -> None:
    # Prefect is imported only now, with PREFECT_API_URL set: see the module's docstring.
    from prefect.runner import Runner
    from prefect.schedules import Cron

    from pipelines.nightly import nightly

    class _SignalledRunner(Runner):
        def handle_sigterm(self, *args: object, **kwargs: object) -> None:
            """Prefect's runner installs this for SIGTERM when it starts; it must do what SIGINT does."""
            stopper.handle(signal.SIGTERM, None)

    async def run() -> None:
        stopper.task = asyncio.current_task()
        await runner.start()

    runner = _SignalledRunner(name=DEPLOYMENT_NAME, pause_on_shutdown=True)
    runner.add_flow(nightly, name=DEPLOYMENT_NAME, schedules=[Cron(cron, timezone=timezone)], parameters=parameters)
    log.info("serving deployment %s/%s with cron %r (%s), data in %s", nightly.name, DEPLOYMENT_NAME, cron, timezone,
             settings.data_dir)
    asyncio.run(run())
