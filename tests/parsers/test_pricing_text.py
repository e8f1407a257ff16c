"""The shared pricing-page helpers: money strings, units, size bands, context lengths, tables."""

from __future__ import annotations

from decimal import Decimal

import pytest

from llmflation.parsers import pricing_text as pt
from llmflation.records import ParseError, ParseResult


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$0.59 (1.69M / $1)", Decimal("0.59")),
        ("$1,250.00 / month", Decimal("1250.00")),
        ("$.50", Decimal(".50")),
        ("Contact us", None),
        ("0.59", None),  # no dollar sign: not a price
    ],
)
def test_money_takes_the_first_dollar_amount(text: str, expected: Decimal | None) -> None:
    assert pt.money(text) == expected


def test_money_all_reads_a_pair_and_ignores_overlong_cells() -> None:
    assert pt.money_all("$0.70/$0.80") == [Decimal("0.70"), Decimal("0.80")]
    assert pt.money_all("$1 " * 200) == []


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("$/1M tokens", "per_1m_tokens"),
        ("Price per 1M Tokens (Input/Output)", "per_1m_tokens"),
        ("Input Token Price (Per Million Tokens)", "per_1m_tokens"),
        ("$0.0020 / 1K tokens", "per_1k_tokens"),
        ("$0.000125 / 1K characters", "per_1k_characters"),
        ("Price per 1M Characters", "per_1m_characters"),
        ("Price Per Hour Transcribed", "per_hour"),
        ("$0.0005 / sec", "per_second"),
        ("SDXL, $/step", "per_image"),
        ("Model", None),
    ],
)
def test_unit_in(text: str, unit: str | None) -> None:
    assert pt.unit_in(text) == unit


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("MoE 56.1B - 176B (DBRX, Mixtral 8x22B)", (True, ["DBRX", "Mixtral 8x22B"])),
        ("MoE 0B - 56B parameters (e.g. Mixtral 8x7B)", (True, ["Mixtral 8x7B"])),
        ("16.1B - 80B", (True, [])),
        ("Up to 4B", (True, [])),
        ("More than 16B parameters", (True, [])),
        ("Llama 3 70B", (False, [])),
        ("DeepSeek R1 (Fast)", (False, [])),
    ],
)
def test_size_band(label: str, expected: tuple[bool, list[str]]) -> None:
    assert pt.size_band(label) == expected


@pytest.mark.parametrize(
    ("text", "tokens"),
    [("4096", 4096), ("8k", 8192), ("128k", 131072), ("131k", 131000), ("200K", 200000), ("long", None)],
)
def test_context_tokens(text: str, tokens: int | None) -> None:
    assert pt.context_tokens(text) == tokens


def test_read_token_table_converts_per_1k_and_character_units() -> None:
    result = ParseResult()
    rows = [["Model", "Input (per 1K characters)", "Output (per 1K characters)"], ["PaLM 2", "$0.0005", "$0.0005"]]
    assert pt.read_token_table(rows, "", "example", result)
    record = result.prices[0]
    assert (record.input_usd_per_mtok, record.converted_from_characters) == (Decimal(2), True)

    result = ParseResult()
    rows = [["Model", "Price per 1K tokens", "Cached input"], ["davinci", "$0.0200", "$0.0100"]]
    assert pt.read_token_table(rows, "", "example", result)
    assert (result.prices[0].input_usd_per_mtok, result.prices[0].cached_input_usd_per_mtok) == (Decimal(20), Decimal(10))


def test_read_token_table_declines_tables_without_a_token_unit() -> None:
    result = ParseResult()
    assert not pt.read_token_table([["Plan", "Price"], ["Team", "$25"]], "Plans", "example", result)
    assert not result.prices and not result.skipped


def test_load_page_refuses_empty_and_oversized_bodies() -> None:
    with pytest.raises(ParseError, match="empty"):
        pt.load_page(b"   ", "example")
    with pytest.raises(ParseError, match="limit"):
        pt.load_page(b"x" * (pt.MAX_PAGE_BYTES + 1), "example")
    with pytest.raises(ParseError, match="tags"):
        pt.load_page(b"<i>" * (pt.MAX_TAGS + 1), "example")


def test_batch_columns_give_a_batch_tier_record_kept_apart_from_standard() -> None:
    result = ParseResult()
    rows = [
        ["Model", "Input", "Output", "Cached input", "Batch input", "Batch output"],
        ["Model A", "$1.00", "$4.00", "$0.50", "$0.50", "$2.00"],
        ["Model B", "$2.00", "$8.00", "", "Not available", ""],
    ]
    assert pt.read_token_table(rows, "Prices per 1M tokens", "example", result)
    got = [(p.model_key, p.tier, p.input_usd_per_mtok, p.output_usd_per_mtok, p.cached_input_usd_per_mtok) for p in result.prices]
    assert got == [
        ("Model A", "standard", Decimal(1), Decimal(4), Decimal("0.5")),
        ("Model A", "batch", Decimal("0.5"), Decimal(2), None),
        ("Model B", "standard", Decimal(2), Decimal(8), None),
    ]
    assert result.skipped == {"batch price not stated": 1}


def test_context_tier_and_cache_write_columns() -> None:
    result = ParseResult()
    rows = [
        ["Model", "Input (<= 200K tokens)", "Output", "Cache write", "Cache read", "Input (> 200K tokens)", "Output (> 200K tokens)"],
        ["Model C", "$3.00", "$15.00", "$3.75", "$0.30", "$6.00", "$22.50"],
    ]
    assert pt.read_token_table(rows, "Per 1M tokens", "example", result)
    standard, long_context = result.prices
    assert (standard.tier, standard.input_usd_per_mtok, standard.output_usd_per_mtok) == ("standard", Decimal(3), Decimal(15))
    assert (standard.cache_write_usd_per_mtok, standard.cached_input_usd_per_mtok) == (Decimal("3.75"), Decimal("0.3"))
    assert (long_context.tier, long_context.input_usd_per_mtok, long_context.output_usd_per_mtok) == (
        "context>200k",
        Decimal(6),
        Decimal("22.5"),
    )
