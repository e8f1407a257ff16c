"""The registry rows of the price APIs name parsers and follow hooks that exist."""

from __future__ import annotations

import importlib
import json

import pytest

from llmflation.parsers import load_parser
from llmflation.sources import PRICE_APIS, SOURCES, get_source

IDS = [source.id for source in SOURCES if source.kind == "price_api"]


@pytest.mark.parametrize("source_id", IDS)
def test_price_api_rows_load_their_parser(source_id: str) -> None:
    source = get_source(source_id)
    assert source in PRICE_APIS and source.kind == "price_api"
    module = load_parser(source.parser)
    assert module.__name__ == f"llmflation.parsers.{source_id}"
    assert source.live_url.startswith("https://")


def test_litellm_keeps_its_2023_address_for_the_history() -> None:
    urls = get_source("litellm").urls
    assert [u.until for u in urls] == [2023, 2023, None]
    assert urls[-1].url.endswith("/main/model_prices_and_context_window.json")


def test_only_openrouter_follows_and_its_hook_is_a_function_of_bytes_and_url() -> None:
    assert {s.id for s in PRICE_APIS if s.follow} == {"openrouter"}
    module_name, _, function_name = get_source("openrouter").follow.rpartition(".")
    follow = getattr(importlib.import_module(module_name), function_name)
    body = json.dumps({"data": [{"id": "a/b", "pricing": {"prompt": "0.000001", "completion": "0.000001"}}]}).encode()
    assert follow(body, get_source("openrouter").live_url) == ["https://openrouter.ai/api/v1/models/a/b/endpoints"]


def test_genai_prices_current_address_is_the_v2_feed() -> None:
    source = get_source("genai_prices")
    assert source.live_url.endswith("/prices/new_data/v2/data.json")
    assert [(u.since, u.until) for u in source.urls] == [(2025, 2026), (2026, None)]
