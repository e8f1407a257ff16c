"""Anthropic pricing pages and docs: every era's fixture, the corpus page text, bad pages."""

from __future__ import annotations

import json

import pytest

from llmflation.parsers import anthropic
from llmflation.records import ParseError
from tests.parsers.page_support import (
    D,
    FOREIGN_PAGE,
    capture,
    fixture_bytes,
    parse_fixture,
    prices_by_key,
    priced,
    record,
    served_page,
    without_tables_and_prices,
)


def test_product_page_2023_prompt_and_completion_per_million_tokens() -> None:
    result = parse_fixture(anthropic, "anthropic", "product-2023_2023-08-01.html")
    assert prices_by_key(result) == {"Claude Instant": (D("1.63"), D("5.51")), "Claude 2": (D("11.02"), D("32.68"))}
    assert {r.unit_on_page for r in result.prices} == {"per_1m_tokens"}


def test_api_page_2024_cards_and_legacy_list() -> None:
    result = parse_fixture(anthropic, "anthropic", "cards-mtok_2024-04-01.html")
    assert prices_by_key(result) == {
        "Haiku": (D("0.25"), D("1.25")),
        "Sonnet": (D("3"), D("15")),
        "Opus": (D("15"), D("75")),
        "Claude 2.1": (D("8"), D("24")),
        "Claude 2.0": (D("8"), D("24")),
        "Claude Instant": (D("0.8"), D("2.4")),
    }


def test_pricing_page_2024_read_from_embedded_next_data_with_cache_prices() -> None:
    body = fixture_bytes("anthropic", "cards-mtok_2024-09-15_next-data.html")
    assert b"$3 / MTok" not in body.split(b"__NEXT_DATA__")[0]  # nothing to scrape in the visible HTML
    result = anthropic.parse(body, capture("anthropic"))
    sonnet = record(result, "Claude 3.5 Sonnet")
    assert (sonnet.input_usd_per_mtok, sonnet.output_usd_per_mtok) == (D("3"), D("15"))
    assert (sonnet.cache_write_usd_per_mtok, sonnet.cached_input_usd_per_mtok) == (D("3.75"), D("0.3"))
    haiku = record(result, "Claude 3 Haiku")
    assert (haiku.cached_input_usd_per_mtok, haiku.cache_write_usd_per_mtok) == (D("0.03"), D("0.3"))
    assert len(result.prices) == 3


def test_pricing_page_2025_read_from_the_inline_server_components_payload() -> None:
    body = fixture_bytes("anthropic", "cards-mtok_2025-03-01_next-flight.html")
    visible = body.split(b"<script>self.__next_f.push([1,")[0]
    assert b"MTok" not in visible  # the served HTML shows no price; the inline payload holds them all
    result = anthropic.parse(body, capture("anthropic"))
    assert prices_by_key(result) == {
        "Claude 3.7 Sonnet": (D("3"), D("15")),
        "Claude 3.5 Haiku": (D("0.8"), D("4")),
        "Claude 3 Opus": (D("15"), D("75")),
    }
    haiku = record(result, "Claude 3.5 Haiku")
    assert (haiku.cache_write_usd_per_mtok, haiku.cached_input_usd_per_mtok) == (D("1"), D("0.08"))


def test_docs_tables_2025_standard_batch_and_long_context_tiers() -> None:
    result = parse_fixture(anthropic, "anthropic", "docs-tables_2025-08-15.html")
    standard = prices_by_key(result)
    assert len(standard) == 8
    assert standard["Claude Haiku 3.5"] == (D("0.8"), D("4"))
    opus = record(result, "Claude Opus 4.1")
    assert (opus.cache_write_usd_per_mtok, opus.cached_input_usd_per_mtok) == (D("18.75"), D("1.5"))  # 5m writes
    assert prices_by_key(result, "batch")["Claude Haiku 3"] == (D("0.125"), D("0.625"))
    assert prices_by_key(result, "context>200k") == {"Claude Sonnet 4": (D("6"), D("22.5"))}
    deprecated = {r.model_key for r in result.prices if r.is_deprecated and r.tier == "standard"}
    assert deprecated == {"Claude Sonnet 3.5", "Claude Opus 3"}


@pytest.mark.corpus
def test_page_text_of_2024_04_01_agrees_with_llm_prices(corpus_dir) -> None:
    folder = corpus_dir / "prices" / "pricing-page-text"
    body = (folder / "pricing-page-anthropic_2024-04-01.txt").read_bytes()
    result = anthropic.parse(body, capture("anthropic", content_type="text/plain"))
    expected = json.loads((folder / "llm-prices_2024-04-01.json").read_text())["anthropic"]["models"]
    ours = {key.lower().replace(" ", "_"): price for key, price in prices_by_key(result).items()}
    assert ours == {
        model: (D(str(p["input_per_million"])), D(str(p["output_per_million"]))) for model, p in expected.items()
    }


@pytest.mark.parametrize("name", [
    "product-2023_2023-08-01.html", "cards-mtok_2024-04-01.html", "cards-mtok_2024-09-15_next-data.html",
    "cards-mtok_2025-03-01_next-flight.html",
])
def test_cards_page_without_prices_is_an_error_naming_the_era(name: str) -> None:
    body = without_tables_and_prices(fixture_bytes("anthropic", name))
    with pytest.raises(ParseError, match=r"anthropic pricing page: no token prices found \(era looked for: "):
        anthropic.parse(body, capture("anthropic"))


def test_docs_page_whose_tables_lost_their_prices_is_an_error() -> None:
    body = fixture_bytes("anthropic", "docs-tables_2025-08-15.html").replace(b"/ MTok", b"").replace(b"$", b"")
    with pytest.raises(ParseError, match="docs-tables"):
        anthropic.parse(body, capture("anthropic"))


def test_page_from_another_site_is_an_error() -> None:
    with pytest.raises(ParseError):
        anthropic.parse(FOREIGN_PAGE, capture("anthropic"))


# -- the served docs page of 2026-04-26 ----------------------------------------------------------

CLAUDE_2026 = "platform-claude-com-docs-pricing_2026-04-26"


@pytest.fixture
def claude_2026(corpus_dir):
    return anthropic.parse(served_page(corpus_dir, "anthropic", CLAUDE_2026), capture("anthropic"))


@pytest.mark.corpus
def test_claude_2026_standard_prices_with_cache_columns(claude_2026) -> None:
    # Values read on the page's model pricing table: base input, cache hits, output.
    expected = {
        "Claude Opus 4.7": ("5", "0.50", "25"), "Claude Opus 4.6": ("5", "0.50", "25"),
        "Claude Opus 4.5": ("5", "0.50", "25"), "Claude Opus 4.1": ("15", "1.50", "75"),
        "Claude Opus 4": ("15", "1.50", "75"), "Claude Sonnet 4.6": ("3", "0.30", "15"),
        "Claude Sonnet 4.5": ("3", "0.30", "15"), "Claude Sonnet 4": ("3", "0.30", "15"),
        "Claude Sonnet 3.7": ("3", "0.30", "15"), "Claude Haiku 4.5": ("1", "0.10", "5"),
        "Claude Haiku 3.5": ("0.80", "0.08", "4"), "Claude Opus 3": ("15", "1.50", "75"),
        "Claude Haiku 3": ("0.25", "0.03", "1.25"),
    }
    assert {key: priced(claude_2026, key) for key in expected} == {
        key: tuple(D(v) for v in values) for key, values in expected.items()}
    assert len(prices_by_key(claude_2026)) == 13
    assert record(claude_2026, "Claude Haiku 4.5").cache_write_usd_per_mtok == D("1.25")  # 5-minute writes


@pytest.mark.corpus
def test_claude_2026_keys_lose_the_deprecated_note_and_keep_it_as_a_flag(claude_2026) -> None:
    assert not [p.model_key for p in claude_2026.prices if "(" in p.model_key or "deprecated" in p.model_key]
    deprecated = {p.model_key for p in claude_2026.prices if p.is_deprecated}
    assert deprecated == {"Claude Sonnet 3.7", "Claude Opus 3"}


@pytest.mark.corpus
def test_claude_2026_batch_prices_and_what_is_skipped(claude_2026) -> None:
    assert prices_by_key(claude_2026, "batch")["Claude Opus 4.7"] == (D("2.50"), D("12.50"))
    assert prices_by_key(claude_2026, "batch")["Claude Haiku 3"] == (D("0.125"), D("0.625"))
    assert len(prices_by_key(claude_2026, "batch")) == 13
    assert {p.tier for p in claude_2026.prices} == {"standard", "batch"}  # 1M context at standard prices
    # Fast mode (Opus 4.6, $30 / $150) is a tier the vocabulary does not have.
    assert claude_2026.skipped["price of a tier not in the vocabulary (fast mode)"] == 1
    assert claude_2026.skipped["worked example (not a price list)"] == 9


@pytest.mark.corpus
def test_claude_2026_a_model_listed_twice_is_an_error_naming_the_table(corpus_dir) -> None:
    body = served_page(corpus_dir, "anthropic", CLAUDE_2026).replace(b"Claude Opus 4.6", b"Claude Opus 4.7", 1)
    with pytest.raises(ParseError, match=r"Claude Opus 4.7 has two standard prices, in table 'table 1 \(Model"):
        anthropic.parse(body, capture("anthropic"))
