"""OpenAI pricing page: every era's fixture, the 2024-04-01 page text of the corpus, bad pages."""

from __future__ import annotations

import json

import pytest

from llmflation.parsers import openai
from llmflation.records import ParseError
from tests.parsers.page_support import (
    D,
    FOREIGN_PAGE,
    capture,
    fixture_bytes,
    parse_fixture,
    prices_by_key,
    record,
    without_tables_and_prices,
)


def test_engines_era_2022_one_price_per_engine_per_1k_tokens() -> None:
    result = parse_fixture(openai, "openai", "engines-per-1k_2022-07-03.html")
    assert prices_by_key(result) == {
        "Ada": (D("0.8"), D("0.8")),
        "Babbage": (D("1.2"), D("1.2")),
        "Curie": (D("6"), D("6")),
        "Davinci": (D("60"), D("60")),
    }
    assert {r.unit_on_page for r in result.prices} == {"per_1k_tokens"}
    assert result.skipped == {"fine-tuning price": 4, "embedding model": 4}


def test_tables_per_1k_era_2023_context_rows_are_keyed_by_family() -> None:
    result = parse_fixture(openai, "openai", "tables-per-1k_2023-07-15.html")
    assert prices_by_key(result) == {
        "GPT-4 8K context": (D("30"), D("60")),
        "GPT-4 32K context": (D("60"), D("120")),
        "GPT-3.5 Turbo 4K context": (D("1.5"), D("2")),
        "GPT-3.5 Turbo 16K context": (D("3"), D("4")),
        "Ada": (D("0.4"), D("0.4")),
        "Babbage": (D("0.5"), D("0.5")),
        "Curie": (D("2"), D("2")),
        "Davinci": (D("20"), D("20")),
    }
    assert result.skipped == {"fine-tuning price": 2, "embedding model": 1, "image model": 2, "audio model": 1}


def test_tables_per_1m_era_2024_04() -> None:
    result = parse_fixture(openai, "openai", "tables-per-1m_2024-04-01.html")
    prices = prices_by_key(result)
    assert prices["gpt-4-0125-preview"] == (D("10"), D("30"))
    assert prices["gpt-3.5-turbo-0125"] == (D("0.5"), D("1.5"))
    assert prices["gpt-4-32k"] == (D("60"), D("120"))
    assert prices["davinci-002"] == (D("2"), D("2"))  # base model: one usage price
    assert len(prices) == 13
    # Text-to-speech is priced per 1M characters: an audio price, never a token price.
    assert "TTS" not in prices and result.skipped["audio model"] == 3
    assert result.skipped["fine-tuning price"] == 3 and result.skipped["tool price"] == 2


def test_tables_per_1m_era_2024_10_cached_and_batch_prices_kept_apart() -> None:
    result = parse_fixture(openai, "openai", "tables-per-1m_2024-10-15.html")
    gpt4o = record(result, "gpt-4o")
    assert (gpt4o.input_usd_per_mtok, gpt4o.cached_input_usd_per_mtok, gpt4o.output_usd_per_mtok) == (
        D("2.5"), D("1.25"), D("10"))
    batch = record(result, "gpt-4o", tier="batch")
    assert (batch.input_usd_per_mtok, batch.output_usd_per_mtok) == (D("1.25"), D("5"))
    mini = record(result, "gpt-4o-mini")
    assert (mini.input_usd_per_mtok, mini.cached_input_usd_per_mtok, mini.output_usd_per_mtok) == (
        D("0.15"), D("0.075"), D("0.6"))
    assert record(result, "gpt-4o-2024-05-13").cached_input_usd_per_mtok is None
    assert prices_by_key(result, "batch").keys() == {
        "gpt-4o", "gpt-4o-2024-08-06", "gpt-4o-2024-05-13", "gpt-4o-mini", "gpt-4o-mini-2024-07-18"}
    assert prices_by_key(result)["o1-mini"] == (D("3"), D("12"))


def test_docs_era_2025_bare_amounts_per_1m_and_one_table_per_tier() -> None:
    result = parse_fixture(openai, "openai", "docs-per-1m_2025-08-15.html")
    gpt5 = record(result, "gpt-5")
    assert (gpt5.input_usd_per_mtok, gpt5.cached_input_usd_per_mtok, gpt5.output_usd_per_mtok) == (
        D("1.25"), D("0.125"), D("10"))
    assert prices_by_key(result, "batch")["gpt-5-nano"] == (D("0.025"), D("0.2"))
    assert record(result, "o3-pro").cached_input_usd_per_mtok is None  # "-" on the page
    assert len(prices_by_key(result)) == 5
    assert result.skipped == {"image model": 1, "embedding model": 1}


def test_cards_era_2025_gpt5_family_with_cached_input_and_sections_skipped() -> None:
    result = parse_fixture(openai, "openai", "cards-per-1m_2025-09-01.html")
    assert prices_by_key(result) == {
        "GPT-5": (D("1.25"), D("10")),
        "GPT-5 mini": (D("0.25"), D("2")),
        "GPT-5 nano": (D("0.05"), D("0.4")),
    }
    assert record(result, "GPT-5 nano").cached_input_usd_per_mtok == D("0.005")
    assert result.skipped == {"audio model": 1, "fine-tuning price": 1}


@pytest.mark.corpus
def test_page_text_of_2024_04_01_agrees_with_llm_prices(corpus_dir) -> None:
    folder = corpus_dir / "prices" / "pricing-page-text"
    body = (folder / "pricing-page-openai_2024-04-01.txt").read_bytes()
    result = openai.parse(body, capture("openai", content_type="text/plain"))
    expected = json.loads((folder / "llm-prices_2024-04-01.json").read_text())["openai"]["models"]
    ours = prices_by_key(result)
    for model, price in expected.items():
        assert ours[model] == (D(str(price["input_per_million"])), D(str(price["output_per_million"]))), model
    # Our reading also keeps the base models that project left out, and nothing else.
    assert set(ours) - set(expected) == {"davinci-002", "babbage-002"}
    assert result.skipped["image model"] == 7


@pytest.mark.parametrize("name", [
    "engines-per-1k_2022-07-03.html", "tables-per-1k_2023-07-15.html", "tables-per-1m_2024-04-01.html",
    "tables-per-1m_2024-10-15.html", "cards-per-1m_2025-09-01.html", "docs-per-1m_2025-08-15.html",
])
def test_page_with_its_tables_removed_is_an_error_naming_the_era(name: str) -> None:
    body = without_tables_and_prices(fixture_bytes("openai", name))
    with pytest.raises(ParseError, match="openai pricing page: no token prices found .era looked for"):
        openai.parse(body, capture("openai"))


def test_page_from_another_site_is_an_error() -> None:
    with pytest.raises(ParseError, match="none of engines-per-1k"):
        openai.parse(FOREIGN_PAGE, capture("openai"))


def test_empty_text_capture_is_an_error() -> None:
    with pytest.raises(ParseError, match="text-cards"):
        openai.parse(b"nothing here", capture("openai", content_type="text/plain"))
