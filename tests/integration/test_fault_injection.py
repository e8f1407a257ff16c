"""Fault injection on loopback servers: every fetching fault, kills at every stage, a leaked-secret hunt.

The real CLI runs in subprocesses (``llmflation capture`` starts the real Scrapy crawl) against
a server on 127.0.0.1 that plays one fault per test source. After every fault, every release
and the raw store are checked; the suite's totals are printed at the end of the test session.
"""

from __future__ import annotations

import gzip
import json
import socket
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from llmflation.fetch.rawstore import RawStore
from tests.integration.faultlog import FAULTS, release_problems
from tests.support.cli import cli_env, kill_at_failpoint, run_cli
from tests.support.loopback import LoggedRequest, LoopbackServer, Route, serve

pytestmark = pytest.mark.integration

FAKE_KEY = "sk-test-0123456789-do-not-leak-abcdef"
MAX_BYTES = 1024 * 1024


def models_json(*prices: tuple[str, str, str]) -> bytes:
    """An OpenRouter-style model list: (model id, USD per prompt token, USD per completion token)."""
    return json.dumps({"data": [{"id": mid, "name": mid, "pricing": {"prompt": p, "completion": c},
                                 "context_length": 8192} for mid, p, c in prices]}).encode()


GOOD = models_json(("openai/gpt-4o", "0.0000025", "0.00001"), ("meta-llama/llama-3.1-8b-instruct", "0.00000002", "0.00000005"))
LOGIN_PAGE = b"<html><head><title>Sign in</title></head><body><form><input name=user><input type='password' name=pw></form></body></html>"
CHALLENGE_PAGE = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
                  b"<script>window._cf_chl_opt={cvId:'3'};</script></body></html>")
ERROR_PAGE = b"<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body>Oops</body></html>"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def once_then(first: Route, then: Route) -> Any:
    calls: list[int] = []

    def handler(request: LoggedRequest) -> Route:
        calls.append(1)
        return first if len(calls) == 1 else then
    return handler


def keyed(request: LoggedRequest) -> Route:
    if request.headers.get("x-api-key") == FAKE_KEY:
        return Route(200, GOOD, {"Content-Type": "application/json"})
    return Route(401, b'{"error":"missing key"}', {"Content-Type": "application/json"})


def fault_routes(other_host: str) -> dict[str, Any]:
    json_ok = Route(200, GOOD, {"Content-Type": "application/json"})
    return {
        "/api/v1/models": json_ok,
        "/fault/timeout": Route(200, GOOD, {"Content-Type": "application/json"}, delay_s=3.0),
        "/fault/429": once_then(Route(429, b"slow down", {"Retry-After": "1"}), json_ok),
        "/fault/503-then-ok": once_then(Route(503, b"busy"), json_ok),
        "/fault/500": Route(500, b"<html><body>server error</body></html>", {"Content-Type": "text/html"}),
        "/fault/truncated": Route(200, GOOD, {"Content-Type": "application/json"}, truncate_to=25),
        "/fault/login-redirect": Route(302, b"", {"Location": "/login?next=/fault/login-redirect"}),
        "/login": Route(200, LOGIN_PAGE, {"Content-Type": "text/html"}),
        "/fault/challenge": Route(200, CHALLENGE_PAGE, {"Content-Type": "text/html"}),
        "/fault/html-200": Route(200, ERROR_PAGE, {"Content-Type": "text/html"}),
        "/fault/gzip-bomb": Route(200, gzip.compress(b"\0" * (16 * MAX_BYTES)),
                                  {"Content-Type": "application/json", "Content-Encoding": "gzip"}),
        "/fault/oversize": Route(200, b"[" + b"0," * MAX_BYTES + b"0]", {"Content-Type": "application/json"}),
        "/keyed": keyed,
        "/keyed-redirect": lambda request: Route(302, b"", {"Location": f"{other_host}/collect"}),
        "/collect": Route(200, GOOD, {"Content-Type": "application/json"}),
    }


#: source id -> (path on the loopback server, kind of fault, what the run must say about it)
FAULT_SOURCES = {
    "fault-timeout": ("/fault/timeout", "timeout", "timed out"),
    "fault-refused": (None, "connection refused", "unreachable"),
    "fault-429": ("/fault/429", "429 Retry-After", None),
    "fault-503": ("/fault/503-then-ok", "5xx then ok", None),
    "fault-500": ("/fault/500", "5xx persistent", "HTTP 500"),
    "fault-truncated": ("/fault/truncated", "truncated body", "body truncated"),
    "fault-login": ("/fault/login-redirect", "login redirect", "redirected to a login or challenge page"),
    "fault-challenge": ("/fault/challenge", "challenge page", "bot-challenge page"),
    "fault-html200": ("/fault/html-200", "HTML error page with 200", "an HTML page where the API serves data"),
    "fault-gzip-bomb": ("/fault/gzip-bomb", "gzip bomb", "over the size cap"),
    "fault-oversize": ("/fault/oversize", "oversized body", "over the size cap"),
}
RECOVERING = {"fault-429", "fault-503"}


def write_config(path: Path, server: LoopbackServer) -> Path:
    path.write_text(
        f'[sources.openrouter]\nurl = "{server.url}/api/v1/models"\n\n'
        "[capture]\ntimeout_s = 1\nretries = 1\ndownload_delay_s = 0\n"
        f'max_response_bytes = {MAX_BYTES}\nmax_retry_after_s = 5\nlog_level = "DEBUG"\n',
        encoding="utf-8",
    )
    return path


def extra_sources(server: LoopbackServer) -> list[dict[str, Any]]:
    rows = []
    for sid, (route, _, _) in FAULT_SOURCES.items():
        url = f"{server.url}{route}" if route else f"http://127.0.0.1:{closed_port()}/models"
        kind = "pricing_page" if sid == "fault-challenge" else "price_api"
        rows.append({"id": sid, "kind": kind, "url": url, "parser": "llmflation.parsers.openrouter"})
    for sid, path in (("keyed", "/keyed"), ("keyed-redirect", "/keyed-redirect")):
        rows.append({"id": sid, "kind": "price_api", "url": f"{server.url}{path}",
                     "parser": "llmflation.parsers.openrouter", "needs_api_key_env": "LLMFLATION_TEST_KEY"})
    return rows


def run_report(data_dir: Path) -> dict[str, Any]:
    [path] = sorted((data_dir / "state" / "runs").glob("*/run_report.json"))[-1:]
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_fetch_fault_is_retried_or_reported_and_never_parsed(data_dir: Path, tmp_path: Path) -> None:
    with serve() as server:
        for path, route in fault_routes(server.url.replace("127.0.0.1", "localhost")).items():
            server.route(path, route)
        env = cli_env(data_dir, write_config(tmp_path / "llmflation.toml", server), extra_sources(server),
                      LLMFLATION_TEST_KEY=FAKE_KEY)
        captured = run_cli(["capture", "--sources", ",".join(["openrouter", "keyed", "keyed-redirect", *FAULT_SOURCES])], env)
        FAULTS.fault("fetch", len(FAULT_SOURCES))
        assert captured.returncode == 0, captured.stderr[-3000:]
        FAULTS.runs_completed += 1
        requested = server.paths_requested()

    sources = run_report(data_dir)["sources"]
    for sid, (_route, kind, says) in FAULT_SOURCES.items():
        capture = sources[sid]["capture"]
        if sid in RECOVERING:
            assert capture["status"] == "ok", (sid, capture)
        else:
            assert capture["status"] == "failed", (sid, capture)
            assert says in capture["summary"], (sid, kind, capture["summary"])
    assert sources["openrouter"]["capture"]["status"] == "ok"
    assert sources["keyed"]["capture"]["status"] == "ok"
    # a redirect of a request that carries a key is stored, not followed: the key goes nowhere else
    assert "HTTP 302" in sources["keyed-redirect"]["capture"]["summary"]
    assert "/collect" not in requested
    # retried: once more after the fault (retries = 1); the 429 and 503 then succeeded
    for path in ("/fault/timeout", "/fault/429", "/fault/503-then-ok", "/fault/500", "/fault/truncated"):
        assert requested.count(path) == 2, (path, requested)

    built = run_cli(["build"], env)
    assert built.returncode == 0, built.stderr[-3000:]
    FAULTS.runs_completed += 1
    assert not FAULTS.check_releases(data_dir / "published")
    assert not FAULTS.check_store(data_dir / "raw")
    prices = pd.read_parquet(data_dir / "published" / "latest" / "prices.parquet")
    assert set(prices["source_id"]) == {"openrouter", "keyed", *RECOVERING}

    stored = {m.source_id: m for m in RawStore(data_dir / "raw").captures()}
    for sid in ("fault-login", "fault-challenge", "fault-html200"):
        assert stored[sid].status == 200 and stored[sid].rejected, stored[sid]  # kept as evidence, marked
    assert stored["fault-500"].status == 500
    for sid in ("fault-timeout", "fault-refused", "fault-truncated", "fault-gzip-bomb", "fault-oversize"):
        assert sid not in stored  # no bytes: nothing half-received was stored
    build_report = json.loads((data_dir / "published" / "latest" / "run_report.json").read_text())
    assert any("not parsed: a bot-challenge page" in n for n in build_report["sources"]["fault-challenge"]["notes"])

    # the secret reached the server, and nothing we wrote
    leaks = [str(p) for p in data_dir.rglob("*") if p.is_file() and FAKE_KEY.encode() in p.read_bytes()]
    assert leaks == []
    assert FAKE_KEY not in captured.stdout + captured.stderr + built.stdout + built.stderr
    FAULTS.fault("secret in the environment")


def ok_capture_ids(raw: Path) -> set[str]:
    """Status-200 captures (the model list; its per-model endpoint URLs answer 404 here)."""
    return {m.capture_id for m in RawStore(raw).captures() if m.status == 200}


def test_kill_9_during_capture_build_and_publish_never_corrupts(data_dir: Path, tmp_path: Path) -> None:
    """kill -9 at each stage; after each: the store whole, ``latest`` complete; the next run finishes."""
    markers = tmp_path / "failpoints"
    prices = {"v": GOOD}
    with serve({"/api/v1/models": lambda request: Route(200, prices["v"], {"Content-Type": "application/json"})}) as server:
        env = cli_env(data_dir, write_config(tmp_path / "llmflation.toml", server))
        published, raw = data_dir / "published", data_dir / "raw"

        def completed(args: list[str]) -> str:
            done = run_cli(args, env)
            assert done.returncode == 0, done.stderr[-3000:]
            FAULTS.runs_completed += 1
            return done.stdout

        def killed(args: list[str], point: str) -> None:
            kill_at_failpoint(args, env, point, markers)
            FAULTS.fault(f"kill -9 at {point}")
            assert not FAULTS.check_releases(published) if published.exists() else True
            assert not FAULTS.check_store(raw)

        capture = ["capture", "--sources", "openrouter"]
        killed(capture, "rawstore.put")          # blob written, manifest entry not yet
        killed(capture, "write_atomic")          # a blob's temporary file written, not renamed
        assert RawStore(raw).captures() == []
        completed(capture)
        first_ids = ok_capture_ids(raw)
        assert len(first_ids) == 1
        completed(["build"])
        first_release = (published / "latest").resolve()
        assert not release_problems(first_release)

        prices["v"] = models_json(("openai/gpt-4o", "0.000002", "0.000008"))  # a price cut
        completed(capture)
        all_ids = ok_capture_ids(raw)
        assert len(all_ids) == 2 and first_ids < all_ids

        for point in ("write_atomic", "publish.staged", "publish.renamed"):
            killed(["build"], point)
            assert (published / "latest").resolve() == first_release, point
        assert not FAULTS.check_store(raw, all_ids)

        out = completed(["build"])
        latest = (published / "latest").resolve()
        assert latest != first_release and not release_problems(latest)
        assert "interrupted publish" in out  # the release the killed run left complete was adopted
        table = pd.read_parquet(latest / "prices.parquet")
        assert set(table["capture_id"]) == all_ids
        assert not list(published.glob(".staging-*"))
        assert not FAULTS.check_releases(published)
