"""End to end: the nightly flow against a loopback server playing openrouter.ai.

Real Scrapy (in its subprocess), real Prefect (temporary local server), real Parquet.
"""

from __future__ import annotations

import json
import socket
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from tests.support.loopback import Route, serve

pytestmark = pytest.mark.integration

CORPUS_FILE = "openrouter_models_2025-12-29_95e496d4.json"
FIXTURES = Path(__file__).resolve().parents[1] / "parsers" / "fixtures"
ENDPOINTS = {
    "/api/v1/models/meta-llama/llama-3.3-70b-instruct/endpoints": "openrouter_endpoints_llama-3.3-70b-instruct.json",
    "/api/v1/models/anthropic/claude-sonnet-4.5/endpoints": "openrouter_endpoints_claude-sonnet-4.5.json",
}


def openrouter_routes(body: bytes) -> dict[str, Route]:
    """The model list, and two models' endpoints lists; every other endpoints URL answers 404."""
    routes = {"/api/v1/models": Route(200, body, {"Content-Type": "application/json"})}
    for path, name in ENDPOINTS.items():
        routes[path] = Route(200, (FIXTURES / name).read_bytes(), {"Content-Type": "application/json"})
    return routes


def config_for(url: str) -> str:
    return f'[sources.openrouter]\nurl = "{url}"\n[capture]\ndownload_delay_s = 0\nretries = 0\n'


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.corpus
def test_run_publishes_one_price_row_per_model_with_provenance(corpus_dir: Path, data_dir: Path, run_cli) -> None:
    body = (corpus_dir / "prices" / "openrouter-api" / CORPUS_FILE).read_bytes()
    with serve(openrouter_routes(body)) as server:
        url = f"{server.url}/api/v1/models"
        done = run_cli("run", "--sources", "openrouter", "--skip-history", config=config_for(url))
        requested = server.paths_requested()
    assert done.returncode == 0, done.stderr[-3000:]
    assert "openrouter: capture ok" in done.stdout
    assert requested.count("/api/v1/models") == 1 and "/robots.txt" in requested
    endpoint_requests = [p for p in requested if p.endswith("/endpoints")]
    assert len(endpoint_requests) == len(set(endpoint_requests)) == 308  # each model's list, once

    published = pd.read_parquet(data_dir / "published" / "latest" / "prices.parquet")
    # One row per serving provider from the two endpoints lists the server knows.
    by_endpoint = published[published["provider"] != "openrouter"]
    llama = by_endpoint[by_endpoint["model_key"] == "meta-llama/llama-3.3-70b-instruct"]
    assert {"DeepInfra", "Groq", "Together"} <= set(llama["provider"])
    assert set(llama["capture_url"]) == {f"{url}/meta-llama/llama-3.3-70b-instruct/endpoints"}
    assert set(by_endpoint["model_key"]) == {"meta-llama/llama-3.3-70b-instruct", "anthropic/claude-sonnet-4.5"}

    prices = published[published["provider"] == "openrouter"]
    models = json.loads(body)["data"]
    priced = [m for m in models if Decimal(m["pricing"]["prompt"]) >= 0]
    assert len(prices) == len(priced) == 351
    by_key = prices.set_index("model_key")
    for model in priced:
        row = by_key.loc[model["id"]]
        assert row["input_usd_per_mtok"] == Decimal(model["pricing"]["prompt"]) * 1_000_000
        assert row["output_usd_per_mtok"] == Decimal(model["pricing"]["completion"]) * 1_000_000
    import hashlib
    assert set(prices["capture_sha256"]) == {hashlib.sha256(body).hexdigest()}
    assert set(prices["capture_url"]) == {url}
    assert set(prices["via"]) == {"live"}

    release = data_dir / "published" / "latest"
    report = json.loads((release / "run_report.json").read_text())
    assert report["sources"]["openrouter"]["capture"]["status"] == "ok"
    assert report["sources"]["openrouter"]["parse"]["price_rows"] == 351 + 8  # model list + 8 endpoints
    assert report["sources"]["openrouter"]["parse"]["skipped_by_reason"] == {"variable price (router)": 2}
    package = json.loads((release / "datapackage.json").read_text())
    assert "prices" in [r["name"] for r in package["resources"]]
    # The raw bytes are in the store, named by their hash.
    blob = data_dir / "raw" / "blobs" / hashlib.sha256(body).hexdigest()[:2] / hashlib.sha256(body).hexdigest()
    assert blob.read_bytes() == body


@pytest.mark.corpus
def test_unreachable_source_is_one_line_and_the_build_still_publishes(corpus_dir: Path, data_dir: Path, run_cli) -> None:
    body = (corpus_dir / "prices" / "openrouter-api" / CORPUS_FILE).read_bytes()
    with serve(openrouter_routes(body)) as server:
        first = run_cli("capture", "--sources", "openrouter", config=config_for(f"{server.url}/api/v1/models"))
    assert first.returncode == 0, first.stderr[-2000:]

    offline = run_cli("run", "--sources", "openrouter", "--skip-history",
                      config=config_for(f"http://127.0.0.1:{closed_port()}/api/v1/models"))
    assert offline.returncode == 0, offline.stderr[-3000:]
    lines = [line for line in offline.stdout.splitlines() if line.startswith("openrouter:")]
    assert len(lines) == 1
    assert "capture failed" in lines[0] and "unreachable" in lines[0]
    assert "Traceback" not in offline.stdout + offline.stderr
    prices = pd.read_parquet(data_dir / "published" / "latest" / "prices.parquet")
    assert (prices["provider"] == "openrouter").sum() == 351  # built from the raw store


def test_build_twice_without_new_captures_does_not_republish(data_dir: Path, run_cli) -> None:
    first = run_cli("build")
    assert first.returncode == 0, first.stderr[-2000:]
    second = run_cli("build")
    assert second.returncode == 0, second.stderr[-2000:]
    assert "release: published" in first.stdout
    assert "unchanged" in second.stdout
    assert len([p for p in (data_dir / "published").iterdir() if p.is_dir() and not p.is_symlink()]) == 1


def test_sources_lists_the_registry(run_cli) -> None:
    done = run_cli("sources", "--json")
    assert done.returncode == 0
    rows = json.loads(done.stdout)
    assert rows[0]["id"] == "openrouter" and rows[0]["live_url"] == "https://openrouter.ai/api/v1/models"


def test_unknown_source_is_a_usage_error(run_cli) -> None:
    done = run_cli("capture", "--sources", "nope")
    assert done.returncode == 2
    assert "unknown source 'nope'" in done.stderr


def test_match_prints_an_object_from_name_to_model_id(run_cli) -> None:
    done = run_cli("match", "--json", "groq/llama-3.2-3b-preview", "accounts/fireworks/models/llama-v3p2-3b-instruct", "no-such-model-xyz")
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == {
        "groq/llama-3.2-3b-preview": "llama-3.2-3b-instruct",
        "accounts/fireworks/models/llama-v3p2-3b-instruct": "llama-3.2-3b-instruct",
        "no-such-model-xyz": None,
    }


@pytest.mark.corpus
def test_unmatched_lists_names_of_the_latest_release(corpus_dir: Path, run_cli) -> None:
    body = (corpus_dir / "prices" / "openrouter-api" / CORPUS_FILE).read_bytes()
    with serve({"/api/v1/models": Route(200, body, {"Content-Type": "application/json"})}) as server:
        assert run_cli("capture", "--sources", "openrouter", config=config_for(f"{server.url}/api/v1/models")).returncode == 0
    assert run_cli("build").returncode == 0
    listed = run_cli("unmatched", "--limit", "5")
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert len(listed.stdout.splitlines()) == 5 and "openrouter" in listed.stdout
    summary = run_cli("unmatched", "--summary")
    assert summary.returncode == 0 and "openrouter" in summary.stdout


@pytest.mark.corpus
def test_match_uses_the_released_catalog_so_a_model_a_source_made_known_matches(corpus_dir: Path, run_cli) -> None:
    """GPT-5.2 is in no curated file: before a release it is unmatched; after a build with OpenRouter's
    list of 2025-12-29 it is the catalog model the build made from that list."""
    before = run_cli("match", "--json", "openai/gpt-5.2", "gpt-5.2")
    assert before.returncode == 0 and json.loads(before.stdout) == {"openai/gpt-5.2": None, "gpt-5.2": None}
    body = (corpus_dir / "prices" / "openrouter-api" / CORPUS_FILE).read_bytes()
    with serve({"/api/v1/models": Route(200, body, {"Content-Type": "application/json"})}) as server:
        assert run_cli("capture", "--sources", "openrouter", config=config_for(f"{server.url}/api/v1/models")).returncode == 0
    assert run_cli("build").returncode == 0
    after = run_cli("match", "--json", "openai/gpt-5.2", "gpt-5.2", "openai/gpt-4o")
    assert after.returncode == 0, after.stderr[-2000:]
    assert json.loads(after.stdout) == {"openai/gpt-5.2": "openai/gpt-5.2", "gpt-5.2": "openai/gpt-5.2", "openai/gpt-4o": None}
