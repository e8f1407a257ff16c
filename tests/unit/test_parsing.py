import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from llmflation.parsers import openrouter
from llmflation.parsing import parse_store
from llmflation.fetch.rawstore import RawStore
from llmflation.report import RunReport

MODELS = {"data": [
    {"id": "meta-llama/llama-3.2-3b-instruct", "name": "Llama 3.2 3B", "pricing": {"prompt": "0.00000006", "completion": "0.00000006"}},
    {"id": "openrouter/auto", "pricing": {"prompt": "-1", "completion": "-1"}},
]}


def store_with(tmp_path: Path, *bodies: bytes) -> RawStore:
    store = RawStore(tmp_path / "raw")
    for day, body in enumerate(bodies, start=1):
        store.put(body, source_id="openrouter", url="https://openrouter.ai/api/v1/models",
                  observed_at=datetime(2025, 1, day, tzinfo=UTC), via="live", status=200, content_type="application/json")
    return store


def test_parse_results_are_reused_until_the_parser_version_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = store_with(tmp_path, json.dumps(MODELS).encode())
    first = RunReport("r1")
    parsed = parse_store(store, tmp_path / "parsed", first)
    (item,) = parsed.ok()
    assert [p.model_key for p in item.result.prices] == ["meta-llama/llama-3.2-3b-instruct"]
    assert str(item.result.prices[0].input_usd_per_mtok) == "0.06"
    assert first.sources["openrouter"].captures_parsed == 1
    assert first.sources["openrouter"].skipped == {"variable price (router)": 1}

    second = RunReport("r2")
    again = parse_store(store, tmp_path / "parsed", second)
    assert second.sources["openrouter"].captures_parsed == 0
    assert second.sources["openrouter"].captures_reused == 1
    assert again.ok()[0].result.prices == item.result.prices  # Decimals survive the cache exactly
    assert second.sources["openrouter"].skipped == {"variable price (router)": 1}

    monkeypatch.setattr(openrouter, "PARSER_VERSION", "999")
    third = RunReport("r3")
    parse_store(store, tmp_path / "parsed", third)
    assert third.sources["openrouter"].captures_parsed == 1


def test_an_unreadable_capture_is_reported_and_the_others_still_parse(tmp_path: Path) -> None:
    store = store_with(tmp_path, b"<html>Just a moment...</html>", json.dumps(MODELS).encode())
    report = RunReport("r")
    parsed = parse_store(store, tmp_path / "parsed", report)
    assert len(parsed.ok()) == 1
    (error,) = report.sources["openrouter"].parse_errors
    assert "not JSON" in error["error"] and error["observed_at"].startswith("2025-01-01")
    assert "1 unreadable capture" in report.sources["openrouter"].line()


def test_a_capture_with_no_prices_is_an_error_not_an_empty_success(tmp_path: Path) -> None:
    store = store_with(tmp_path, json.dumps({"data": []}).encode())
    report = RunReport("r")
    assert parse_store(store, tmp_path / "parsed", report).ok() == []
    assert "no token prices" in report.sources["openrouter"].parse_errors[0]["error"]


def test_error_pages_are_kept_but_not_parsed(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    store.put(b"Internal error", source_id="openrouter", url="https://openrouter.ai/api/v1/models",
              observed_at=datetime(2025, 1, 1, tzinfo=UTC), via="live", status=500, content_type="text/plain")
    report = RunReport("r")
    assert parse_store(store, tmp_path / "parsed", report).parsed == []
    assert "HTTP 500" in report.sources["openrouter"].notes[0]
