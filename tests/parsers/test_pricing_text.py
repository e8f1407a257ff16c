"""The shared pricing-page helpers: the money reader, units, size bands, context lengths, the table reader."""

from __future__ import annotations

from decimal import Decimal

import pytest

from llmflation.parsers import pricing_text as pt
from llmflation.parsers.money_strings import find_money, unit_in
from llmflation.parsers.price_tables import read_header, read_price_table, read_token_table, records_from_table
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
    found = find_money(text)
    assert (found[0].amount if found else None) == expected


def test_a_table_cell_reads_a_pair_and_an_overlong_cell_none() -> None:
    table = read_price_table([["Model", "Price"], ["m", "$0.70/$0.80"], ["n", "$1 " * 200]], "per_1m_tokens")
    assert table is not None
    assert [m.amount for m in table.rows[0].amounts[1]] == [Decimal("0.70"), Decimal("0.80")]
    assert table.rows[1].amounts[1] == []  # a paragraph, not a price cell


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
    assert unit_in(text) == unit


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
    assert read_token_table(rows, "", "example", result)
    record = result.prices[0]
    assert (record.input_usd_per_mtok, record.converted_from_characters) == (Decimal(2), True)

    result = ParseResult()
    rows = [["Model", "Price per 1K tokens", "Cached input"], ["davinci", "$0.0200", "$0.0100"]]
    assert read_token_table(rows, "", "example", result)
    assert (result.prices[0].input_usd_per_mtok, result.prices[0].cached_input_usd_per_mtok) == (Decimal(20), Decimal(10))


def test_read_token_table_declines_tables_without_a_token_unit() -> None:
    result = ParseResult()
    assert not read_token_table([["Plan", "Price"], ["Team", "$25"]], "Plans", "example", result)
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
    assert read_token_table(rows, "Prices per 1M tokens", "example", result)
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
    assert read_token_table(rows, "Per 1M tokens", "example", result)
    standard, long_context = result.prices
    assert (standard.tier, standard.input_usd_per_mtok, standard.output_usd_per_mtok) == ("standard", Decimal(3), Decimal(15))
    assert (standard.cache_write_usd_per_mtok, standard.cached_input_usd_per_mtok) == (Decimal("3.75"), Decimal("0.3"))
    assert (long_context.tier, long_context.input_usd_per_mtok, long_context.output_usd_per_mtok) == (
        "context>200k",
        Decimal(6),
        Decimal("22.5"),
    )


def test_header_roles_tiers_and_units() -> None:
    got = [(c.role, c.tier, c.unit) for c in read_header(
        ["Model", "Context", "Input (per 1K tokens)", "Batch output", "Input (> 128K tokens)",
         "Price per 1M Tokens (Input/Output)", "$ / hour", "Description"])]
    assert got == [
        ("model", "standard", None),
        ("context", "standard", None),
        ("input", "standard", "per_1k_tokens"),
        ("batch_output", "batch", None),
        ("input", "context>128k", None),
        ("input_output", "standard", "per_1m_tokens"),
        ("usage", "standard", None),
        ("skip", "standard", None),
    ]


def test_a_price_column_that_mentions_context_stays_a_price_column() -> None:
    got = [c.role for c in read_header(["Model", "Input (prompts <= 200k context)", "Long context input", "Context window"])]
    assert got == ["model", "input", "input", "context"]


def test_an_input_output_cell_gives_input_then_output_unless_labelled() -> None:
    rows = [["Model", "Price per 1M tokens (input/output)"], ["A", "$0.70/$0.80"], ["B", "$2 / 1M output tokens, $1 / 1M input tokens"]]
    table = read_price_table(rows, "per_1m_tokens")
    assert table is not None
    records = records_from_table("example", table, ParseResult())
    assert [(r.model_key, r.input_usd_per_mtok, r.output_usd_per_mtok) for r in records] == [
        ("A", Decimal("0.7"), Decimal("0.8")),
        ("B", Decimal(1), Decimal(2)),
    ]
