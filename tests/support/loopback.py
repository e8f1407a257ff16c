"""A real HTTP server on 127.0.0.1 that plays a source's part in tests.

Routes map a path (with its query string, or without it) to a ``Route``: status, headers and
body, or a function of the request for dynamic answers (faults, CDX queries). Every request
is logged so tests can assert what was fetched and how often.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # sleep before answering (timeouts)
    truncate_to: int | None = None  # announce the full length, send only this many bytes


@dataclass
class LoggedRequest:
    method: str
    path: str
    headers: dict[str, str]


Handler = Callable[[LoggedRequest], Route]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return  # the client hung up on purpose (size caps, timeouts, truncated bodies)
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class LoopbackServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route | Handler] = {}
        self.requests: list[LoggedRequest] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                request = LoggedRequest("GET", self.path, {k.lower(): v for k, v in self.headers.items()})
                with server._lock:
                    server.requests.append(request)
                route = server._resolve(request)
                if route.delay_s:
                    time.sleep(route.delay_s)
                self.send_response(route.status)
                headers = {"Content-Type": "application/octet-stream", **route.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(route.body)))
                if route.truncate_to is not None:
                    self.send_header("Connection", "close")
                self.end_headers()
                try:
                    self.wfile.write(route.body if route.truncate_to is None else route.body[: route.truncate_to])
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    return
                if route.truncate_to is not None:
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:  # silence stderr
                return

        self._server = _QuietServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str, route: Route | Handler) -> None:
        self.routes[path] = route

    def paths_requested(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def _resolve(self, request: LoggedRequest) -> Route:
        target = self.routes.get(request.path) or self.routes.get(urlsplit(request.path).path)
        if target is None:
            return Route(404, b"not found", {"Content-Type": "text/plain"})
        return target(request) if callable(target) else target

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def serve(routes: dict[str, Route | Handler] | None = None) -> Iterator[LoopbackServer]:
    """A started server with these routes, stopped on exit."""
    server = LoopbackServer()
    for path, route in (routes or {}).items():
        server.route(path, route)
    server.start()
    try:
        yield server
    finally:
        server.stop()
