"""The litellm price-table parser on small tables built to exercise each rule."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmflation.parsers import litellm
from llmflation.records import ParseError
from tests.support.captures import capture_at

CAPTURE = capture_at("2025-06-01", "litellm")


def parse(table: dict[str, object], **kwargs: object):
    return litellm.parse(json.dumps(table).encode(), CAPTURE, **kwargs)


def rows(result, key: str) -> dict[str, object]:
    return {r.tier: r for r in result.prices if r.model_key == key}


def test_standard_prices_are_per_token_times_a_million_exactly() -> None:
    result = parse({
        "sample_spec": {"mode": "one of chat, embedding", "input_cost_per_token": 0.0},
        "gpt-4o": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2.5e-06,
                   "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 1.25e-06, "max_input_tokens": 128000},
    })
    row = rows(result, "gpt-4o")["standard"]
    assert (row.provider, row.input_usd_per_mtok, row.output_usd_per_mtok) == ("openai", Decimal("2.5"), Decimal(10))
    assert row.cached_input_usd_per_mtok == Decimal("1.25")
    assert row.unit_on_page == "per_token" and row.context_window_tokens == 128000
    assert result.skipped["sample_spec (schema documentation)"] == 1
    assert len(result.prices) == 1


def test_batch_service_and_context_tiers_are_separate_rows() -> None:
    result = parse({"gemini-1.5-pro": {
        "litellm_provider": "gemini", "mode": "chat",
        "input_cost_per_token": 1.25e-06, "output_cost_per_token": 5e-06,
        "input_cost_per_token_above_128k_tokens": 2.5e-06, "output_cost_per_token_above_128k_tokens": 1e-05,
        "input_cost_per_token_batches": 6.25e-07, "output_cost_per_token_batches": 2.5e-06,
        "input_cost_per_token_priority": 2.5e-06, "output_cost_per_token_priority": 2e-05,
        "input_cost_per_token_above_272k_tokens_priority": 5e-06, "output_cost_per_token_above_272k_tokens_priority": 3e-05,
        "cache_creation_input_token_cost": 1.5625e-06, "cache_creation_input_token_cost_above_1hr": 2.5e-06,
    }})
    by_tier = rows(result, "gemini-1.5-pro")
    assert set(by_tier) == {"standard", "context>128k", "batch", "priority", "priority/context>272k"}
    assert by_tier["standard"].input_usd_per_mtok == Decimal("1.25")
    assert by_tier["standard"].cache_write_usd_per_mtok == Decimal("1.5625")  # 5-minute write, not the 1-hour one
    assert by_tier["context>128k"].output_usd_per_mtok == Decimal(10)
    assert by_tier["batch"].input_usd_per_mtok == Decimal("0.625")
    assert by_tier["priority/context>272k"].output_usd_per_mtok == Decimal(30)
    assert result.prices[0].tier == "standard"


def test_per_character_prices_convert_with_the_configured_factor_and_are_marked() -> None:
    table = {
        "text-bison": {"litellm_provider": "vertex_ai-text-models", "mode": "completion",
                       "input_cost_per_character": 2.5e-07, "output_cost_per_character": 5e-07},
        "chat-bison": {"litellm_provider": "vertex_ai-chat-models", "mode": "chat",
                       "input_cost_per_token": 1.25e-07, "output_cost_per_token": 1.25e-07,
                       "input_cost_per_character": 2.5e-07, "output_cost_per_character": 2.5e-07},
    }
    default = parse(table)
    bison = rows(default, "text-bison")["standard"]
    # $0.25 per 1M characters x 4 characters per token = $1 per 1M tokens.
    assert (bison.input_usd_per_mtok, bison.output_usd_per_mtok) == (Decimal(1), Decimal(2))
    assert bison.converted_from_characters and bison.unit_on_page == "per_character"
    chat = rows(default, "chat-bison")["standard"]
    assert chat.input_usd_per_mtok == Decimal("0.125") and not chat.converted_from_characters

    three = rows(parse(table, chars_per_token=Decimal(3)), "text-bison")["standard"]
    assert three.input_usd_per_mtok == Decimal("0.75")


def test_non_text_modes_and_non_token_units_are_skipped_and_counted() -> None:
    result = parse({
        "text-embedding-3-small": {"litellm_provider": "openai", "mode": "embedding", "input_cost_per_token": 2e-08, "output_cost_per_token": 0},
        "dall-e-3": {"litellm_provider": "openai", "mode": "image_generation", "input_cost_per_pixel": 4e-08},
        "sagemaker/llama": {"litellm_provider": "sagemaker", "mode": "chat", "input_cost_per_second": 0.0011, "output_cost_per_second": 0.0011},
        "gpt-image-1-mini": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2e-06},
        "azure/container": {"litellm_provider": "azure", "mode": "chat"},
        "together-ai-up-to-4b": {"input_cost_per_token": 1e-07, "output_cost_per_token": 1e-07},
        "last_updated": "2026-07-24T18:23:43+00:00",
        "gpt-4": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 3e-05, "output_cost_per_token": 6e-05},
    })
    assert [r.model_key for r in result.prices] == ["gpt-4"]
    assert result.skipped == {
        "mode 'embedding' is not a text model": 1,
        "mode 'image_generation' is not a text model": 1,
        "priced per second, not per token": 1,
        "input price only": 1,
        "no price stated": 1,
        "no mode (price band or metadata, not a model)": 1,
        "not a model entry": 1,
    }


def test_tiered_pricing_lists_become_context_tiers() -> None:
    result = parse({"dashscope/qwen-flash": {"litellm_provider": "dashscope", "mode": "chat", "tiered_pricing": [
        {"input_cost_per_token": 5e-08, "output_cost_per_token": 4e-07, "range": [0, 256000.0]},
        {"input_cost_per_token": 2.5e-07, "output_cost_per_token": 2e-06, "range": [256000.0, 1000000.0]},
    ]}})
    by_tier = rows(result, "dashscope/qwen-flash")
    assert by_tier["standard"].input_usd_per_mtok == Decimal("0.05")
    assert by_tier["context>256k"].output_usd_per_mtok == Decimal(2)


def test_deprecated_free_and_missing_provider() -> None:
    result = parse({
        "old-model": {"litellm_provider": "x", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06,
                      "deprecation_date": "2025-06-01"},
        "later-model": {"litellm_provider": "x", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06,
                        "deprecation_date": "2025-06-02"},
        "fireworks-ai-default": {"litellm_provider": "fireworks_ai", "mode": "chat", "input_cost_per_token": 0.0, "output_cost_per_token": 0.0},
        "claude-2": {"mode": "chat", "input_cost_per_token": 8e-06, "output_cost_per_token": 2.4e-05},
        "bedrock/anthropic.claude-v2": {"mode": "chat", "input_cost_per_token": 8e-06, "output_cost_per_token": 2.4e-05},
        "mystery-model": {"mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06},
    })
    flags = {r.model_key: (r.is_deprecated, r.is_free, r.provider) for r in result.prices}
    assert flags == {
        "old-model": (True, False, "x"),
        "later-model": (False, False, "x"),
        "fireworks-ai-default": (False, True, "fireworks_ai"),
        "claude-2": (False, False, "anthropic"),
        "bedrock/anthropic.claude-v2": (False, False, "bedrock"),
        "mystery-model": (False, False, "unspecified"),
    }


@pytest.mark.parametrize("wrapped", [False, True])
def test_the_2023_layouts_read_without_modes(wrapped: bool) -> None:
    table = {
        "gpt-4": {"max_tokens": 8000, "input_cost_per_token": 0.00003, "output_cost_per_token": 0.00006},
        "claude-2": {"max_tokens": 100000, "input_cost_per_token": 0.00001102, "output_cost_per_token": 0.00003268},
        "replicate/llama-2-70b-chat:2c16": {"max_tokens": 4096, "input_cost_per_token": 0.00000608, "output_cost_per_token": 0.00000608},
    }
    body = json.dumps({"MODEL_COST": table} if wrapped else table).encode()
    result = litellm.parse(body, capture_at("2023-08-15"))
    assert {(r.provider, r.model_key, r.input_usd_per_mtok, r.output_usd_per_mtok) for r in result.prices} == {
        ("openai", "gpt-4", Decimal(30), Decimal(60)),
        ("anthropic", "claude-2", Decimal("11.02"), Decimal("32.68")),
        ("replicate", "replicate/llama-2-70b-chat:2c16", Decimal("6.08"), Decimal("6.08")),
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[1, 2]", "expected a JSON object"),
        (b"<html>rate limited</html>", "not JSON"),
        (json.dumps({"text-embedding-3-small": {"mode": "embedding", "input_cost_per_token": 2e-08}}).encode(), "no token prices"),
        (b"{}", "no token prices"),
    ],
)
def test_bad_bodies_are_parse_errors_that_say_why(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        litellm.parse(body, CAPTURE)


def test_unreadable_prices_skip_the_entry_not_the_table() -> None:
    result = parse({
        "nan-model": {"mode": "chat", "input_cost_per_token": float("nan"), "output_cost_per_token": 1e-06},
        "str-model": {"mode": "chat", "input_cost_per_token": "cheap", "output_cost_per_token": 1e-06},
        "neg-model": {"mode": "chat", "input_cost_per_token": -1e-06, "output_cost_per_token": 1e-06},
        "huge-model": {"mode": "chat", "input_cost_per_token": "1e999999", "output_cost_per_token": 1e-06},
        "good": {"mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06},
    })
    assert [r.model_key for r in result.prices] == ["good"]
    assert sum(n for reason, n in result.skipped.items() if reason.startswith("unreadable price")) == 4


_json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
_field_names = st.sampled_from([
    "mode", "litellm_provider", "input_cost_per_token", "output_cost_per_token", "input_cost_per_character",
    "output_cost_per_character", "input_cost_per_token_above_128k_tokens", "output_cost_per_token_batches",
    "cache_read_input_token_cost", "tiered_pricing", "deprecation_date", "max_input_tokens", "input_cost_per_second",
])


@settings(max_examples=150, deadline=None)
@given(
    raw=st.binary(max_size=64),
    table=st.dictionaries(st.text(max_size=10), st.dictionaries(_field_names, _json_values | st.sampled_from(["chat", 1e-06]), max_size=6), max_size=5),
)
def test_hostile_input_gives_records_or_a_parse_error(raw: bytes, table: dict[str, object]) -> None:
    for body in (raw, json.dumps(table).encode()):
        try:
            result = litellm.parse(body, CAPTURE)
        except ParseError:
            continue
        assert result.prices and all(r.input_usd_per_mtok is not None and r.input_usd_per_mtok >= 0 for r in result.prices)


def test_deepseek_cache_hit_price_is_the_cached_input_price() -> None:
    [row] = parse({"deepseek/deepseek-chat": {"litellm_provider": "deepseek", "mode": "chat", "input_cost_per_token": 2.7e-07,
                                               "input_cost_per_token_cache_hit": 7e-08, "output_cost_per_token": 1.1e-06}}).prices
    assert (row.input_usd_per_mtok, row.cached_input_usd_per_mtok, row.output_usd_per_mtok) == (Decimal("0.27"), Decimal("0.07"), Decimal("1.1"))
