"""Gemini API pricing page: per-character era, per-1M context tiers, docs tabs; bad pages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from llmflation.parsers import google
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


def test_per_character_era_2024_converted_at_four_characters_per_token_and_marked() -> None:
    result = parse_fixture(google, "google", "per-1k-characters_2024-03-15.html")
    # $0.000125 per 1K characters = $0.000125 per 250 tokens = $0.50 per 1M tokens.
    assert prices_by_key(result) == {
        "Gemini 1.0 Pro": (D("0.5"), D("1.5")),
        "Gemini 1.0 Pro Vision": (D("0.5"), D("1.5")),
    }
    assert all(r.converted_from_characters and r.unit_on_page == "per_1k_characters" for r in result.prices)
    assert result.skipped == {"not a token price (per_image)": 1}


def test_characters_per_token_is_a_parameter() -> None:
    body = fixture_bytes("google", "per-1k-characters_2024-03-15.html")
    result = google.parse(body, capture("google"), chars_per_token=Decimal(5))
    # 1K characters = 200 tokens: $0.000125 / 200 * 1M = $0.625.
    assert record(result, "Gemini 1.0 Pro").input_usd_per_mtok == D("0.625")


def test_per_1m_era_2024_keeps_context_tiers_and_cache_prices_apart() -> None:
    result = parse_fixture(google, "google", "per-1m-context-tiers_2024-10-15.html")
    assert prices_by_key(result) == {
        "Gemini 1.5 Flash": (D("0.075"), D("0.3")),
        "Gemini 1.5 Flash-8B": (D("0.0375"), D("0.15")),
        "Gemini 1.5 Pro": (D("1.25"), D("5")),
        "Gemini 1.0 Pro": (D("0.5"), D("1.5")),
    }
    assert prices_by_key(result, "context>128k") == {
        "Gemini 1.5 Flash": (D("0.15"), D("0.6")),
        "Gemini 1.5 Flash-8B": (D("0.075"), D("0.3")),
        "Gemini 1.5 Pro": (D("2.5"), D("10")),
    }
    assert record(result, "Gemini 1.5 Flash").cached_input_usd_per_mtok == D("0.01875")
    assert record(result, "Gemini 1.5 Pro", "context>128k").cached_input_usd_per_mtok == D("0.625")
    assert not any(r.converted_from_characters for r in result.prices)
    # "$1.00 / 1 million tokens per hour" is storage, not a token price.
    assert result.skipped == {"storage price": 3}


def test_docs_era_2025_code_ids_tabs_and_thresholds() -> None:
    result = parse_fixture(google, "google", "docs-per-model_2025-11-15.html")
    assert prices_by_key(result) == {
        "gemini-2.5-pro": (D("1.25"), D("10")),
        "gemini-2.5-flash": (D("0.3"), D("2.5")),  # text price; the audio input price is skipped
        "gemini-2.5-flash-lite": (D("0.1"), D("0.4")),
    }
    assert prices_by_key(result, "context>200k") == {"gemini-2.5-pro": (D("2.5"), D("15"))}
    assert prices_by_key(result, "batch") == {"gemini-2.5-pro": (D("0.625"), D("5"))}
    assert record(result, "gemini-2.5-pro").model_name == "Gemini 2.5 Pro"
    assert record(result, "gemini-2.5-flash-lite").cached_input_usd_per_mtok == D("0.01")
    assert result.skipped["audio input price"] == 1
    assert result.skipped["image price"] == 1  # Imagen is priced per image


def test_free_of_charge_in_the_paid_column_is_a_zero_price_flagged_free() -> None:
    body = fixture_bytes("google", "docs-per-model_2025-11-15.html")
    lite = body.index(b"gemini-2.5-flash-lite")
    body = body[:lite] + body[lite:].replace(b"<td>$0.10</td>", b"<td>Free of charge</td>", 1).replace(
        b"<td>$0.40</td>", b"<td>Free of charge</td>", 1)
    result = google.parse(body, capture("google"))
    free = record(result, "gemini-2.5-flash-lite")
    assert (free.input_usd_per_mtok, free.output_usd_per_mtok, free.is_free) == (D("0"), D("0"), True)
    assert not record(result, "gemini-2.5-pro").is_free


@pytest.mark.parametrize("name", [
    "per-1k-characters_2024-03-15.html", "per-1m-context-tiers_2024-10-15.html", "docs-per-model_2025-11-15.html",
])
def test_page_with_its_tables_removed_is_an_error_naming_the_era(name: str) -> None:
    body = without_tables_and_prices(fixture_bytes("google", name))
    with pytest.raises(ParseError, match=r"google pricing page: no token prices found \(era looked for"):
        google.parse(body, capture("google"))


def test_per_character_page_whose_prices_became_text_is_an_error_naming_its_era() -> None:
    body = fixture_bytes("google", "per-1k-characters_2024-03-15.html").replace(b"$0.000", b"Contact us ")
    with pytest.raises(ParseError, match="per-1k-characters"):
        google.parse(body, capture("google"))


def test_page_from_another_site_is_an_error() -> None:
    with pytest.raises(ParseError, match="none of"):
        google.parse(FOREIGN_PAGE, capture("google"))
