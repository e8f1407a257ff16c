"""The genai-prices parser on small databases built to exercise each rule of its schema."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmflation.parsers import genai_prices
from llmflation.records import ParseError
from tests.support.captures import capture_at


def parse(providers: list[object], day: str = "2026-08-21"):
    return genai_prices.parse(json.dumps(providers).encode(), capture_at(day, "genai_prices"))


def provider(pid: str, *models: dict[str, object]) -> dict[str, object]:
    return {"id": pid, "name": pid.title(), "models": list(models)}


# Shaped like genai-prices' own entries (o3's June 2025 price cut; Sonnet 5's introductory price).
O3 = {"id": "o3", "match": {"equals": "o3"}, "prices": [
    {"prices": {"input_mtok": 10, "cache_read_mtok": 0.5, "output_mtok": 40}},
    {"constraint": {"start_date": "2025-06-10"}, "prices": {"input_mtok": 2, "cache_read_mtok": 0.5, "output_mtok": 8}},
]}
SONNET = {"id": "claude-sonnet-5", "name": "Claude Sonnet 5", "match": {"starts_with": "claude-sonnet-5"}, "prices": [
    {"prices": {"input_mtok": 2, "cache_write_mtok": 2.5, "cache_read_mtok": 0.2, "output_mtok": 10}},
    {"constraint": {"start_date": "2026-09-01"}, "prices": {"input_mtok": 3, "cache_write_mtok": 3.75, "cache_read_mtok": 0.3, "output_mtok": 15}},
]}


@pytest.mark.parametrize(
    ("day", "o3", "sonnet"),
    [
        ("2025-06-09", (Decimal(10), Decimal(40)), (Decimal(2), Decimal(10))),
        ("2025-06-10", (Decimal(2), Decimal(8)), (Decimal(2), Decimal(10))),
        ("2026-09-01", (Decimal(2), Decimal(8)), (Decimal(3), Decimal(15))),
    ],
)
def test_dated_prices_resolve_to_the_price_in_force_at_capture_time(day, o3, sonnet) -> None:
    result = parse([provider("openai", O3), provider("anthropic", SONNET)], day)
    found = {r.model_key: (r.input_usd_per_mtok, r.output_usd_per_mtok) for r in result.prices}
    assert found == {"o3": o3, "claude-sonnet-5": sonnet}
    assert all(r.tier == "standard" for r in result.prices)


def test_tiered_prices_give_a_row_per_input_token_threshold() -> None:
    model = {"id": "claude-sonnet-4-5", "match": {"starts_with": "claude-sonnet-4-5"}, "context_window": 1000000, "prices": {
        "input_mtok": {"base": 3, "tiers": [{"start": 200000, "price": 6}]},
        "cache_read_mtok": {"base": 0.3, "tiers": [{"start": 200000, "price": 0.6}]},
        "output_mtok": {"base": 15, "tiers": [{"start": 200000, "price": 22.5}]},
    }}
    result = parse([provider("anthropic", model)])
    by_tier = {r.tier: r for r in result.prices}
    assert set(by_tier) == {"standard", "context>200k"}
    assert (by_tier["standard"].input_usd_per_mtok, by_tier["standard"].output_usd_per_mtok) == (Decimal(3), Decimal(15))
    high = by_tier["context>200k"]
    assert (high.input_usd_per_mtok, high.output_usd_per_mtok, high.cached_input_usd_per_mtok) == (Decimal(6), Decimal("22.5"), Decimal("0.6"))
    assert high.context_window_tokens == 1000000 and high.unit_on_page == "per_1m_tokens"


def test_daily_discount_hours_are_tiers_of_their_own_and_not_the_headline() -> None:
    model = {"id": "deepseek-chat", "match": {"starts_with": "deepseek-chat"}, "prices": [
        {"prices": {"input_mtok": 0.135, "cache_read_mtok": 0.035, "output_mtok": 0.55}},
        {"constraint": {"start_time": "00:30:00Z", "end_time": "16:30:00Z"}, "prices": {"input_mtok": 0.27, "output_mtok": 1.1}},
    ]}
    result = parse([provider("deepseek", model)])
    by_tier = {r.tier: (r.input_usd_per_mtok, r.output_usd_per_mtok) for r in result.prices}
    assert by_tier == {
        "hours 00:30:00Z-16:30:00Z": (Decimal("0.27"), Decimal("1.1")),
        "hours outside 00:30:00Z-16:30:00Z": (Decimal("0.135"), Decimal("0.55")),
    }


def test_free_deprecated_input_only_and_empty_models() -> None:
    result = parse([provider(
        "azure",
        {"id": "phi-4:free", "match": {"equals": "phi-4:free"}, "prices": {}},
        {"id": "ada", "match": {"equals": "ada"}, "prices": {"input_mtok": 0.1}},
        {"id": "gpt-35-turbo-0301", "match": {"equals": "gpt-35-turbo-0301"}, "deprecated": True, "prices": {"input_mtok": 1.5, "output_mtok": 2}},
        {"id": "free-tier", "match": {"equals": "free-tier"}, "prices": {"input_mtok": 0, "output_mtok": 0}},
    )])
    flags = {r.model_key: (r.is_free, r.is_deprecated, r.provider) for r in result.prices}
    assert flags == {"gpt-35-turbo-0301": (False, True, "azure"), "free-tier": (True, False, "azure")}
    assert result.skipped == {"no text token prices": 1, "input price only": 1}


def test_the_2025_layout_with_nulls_reads_the_same() -> None:
    model = {"id": "gpt-4o", "name": "GPT-4o", "description": "", "matches": {"equals": "gpt-4o"}, "max_tokens": 128000,
             "prices": {"input_mtok": 2.5, "output_mtok": 10.0, "cache_read_mtok": 1.25, "cache_write_mtok": None,
                        "input_audio_mtok": None, "output_audio_mtok": None}}
    [row] = parse([{"id": "openai", "name": "OpenAI", "pricing_url": "https://openai.com/api/pricing/", "models": [model]}], "2025-06-22").prices
    assert (row.input_usd_per_mtok, row.output_usd_per_mtok, row.cached_input_usd_per_mtok, row.cache_write_usd_per_mtok) == (
        Decimal("2.5"), Decimal(10), Decimal("1.25"), None)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"providers": []}', "expected a JSON list of providers"),
        (b"[]", "no token prices"),
        (json.dumps([provider("x", {"id": "e", "prices": {"input_mtok": 0.1}})]).encode(), "no token prices"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_bad_bodies_are_parse_errors_that_say_why(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        genai_prices.parse(body, capture_at("2026-01-01"))


def test_unreadable_models_are_skipped_by_reason() -> None:
    result = parse([provider(
        "x",
        {"id": "router", "prices": {"input_mtok": -1000000.0, "output_mtok": -1000000.0}},
        {"id": "bad-date", "prices": [{"prices": {"input_mtok": 1, "output_mtok": 1}}, {"constraint": {"start_date": "soon"}, "prices": {}}]},
        {"id": "bad-tier", "prices": {"input_mtok": {"base": 1, "tiers": [{"start": -5, "price": 2}]}, "output_mtok": 1}},
        {"id": "ok", "prices": {"input_mtok": 1, "output_mtok": 2}},
    )])
    assert [r.model_key for r in result.prices] == ["ok"]
    assert sum(n for reason, n in result.skipped.items() if reason.startswith("unreadable price")) == 3


_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["input_mtok", "output_mtok", "base", "tiers", "start", "price", "prices", "constraint", "start_date", "start_time", "end_time"]),
        inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(raw=st.binary(max_size=64), models=st.lists(st.fixed_dictionaries({"id": st.text(max_size=5), "prices": _values}), max_size=4))
def test_hostile_input_gives_records_or_a_parse_error(raw: bytes, models: list[dict[str, object]]) -> None:
    for body in (raw, json.dumps([{"id": "p", "models": models}]).encode()):
        try:
            result = genai_prices.parse(body, capture_at("2026-01-01"))
        except ParseError:
            continue
        assert result.prices and all(r.input_usd_per_mtok >= 0 for r in result.prices)


def test_the_v2_feed_reads_the_same_and_its_extra_prices_are_not_token_prices() -> None:
    """v2 adds one-hour cache writes and per-search fees beside the same token fields."""
    model = {"id": "claude-3-5-haiku-latest", "name": "Claude Haiku 3.5", "match": {"starts_with": "claude-3-5-haiku"},
             "context_window": 200000, "prices": {"input_mtok": 0.8, "cache_write_mtok": 1, "cache_read_mtok": 0.08,
                                                  "output_mtok": 4, "cache_write_1h_mtok": 1.6, "web_searches_kcount": 10}}
    [row] = parse([provider("anthropic", model)]).prices
    assert (row.input_usd_per_mtok, row.output_usd_per_mtok, row.cache_write_usd_per_mtok) == (Decimal("0.8"), Decimal(4), Decimal(1))


def test_a_model_listed_twice_by_one_provider_is_an_error_naming_both_entries() -> None:
    with pytest.raises(ParseError, match=r"o3 has two standard prices, in table 'openai model o3'"):
        parse([provider("openai", O3, O3)])
