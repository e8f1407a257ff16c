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
    priced,
    record,
    served_page,
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
    assert result.skipped == {"price per image or step (not per token)": 1}


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


# -- the served page of 2026-04-27 ---------------------------------------------------------------

GEMINI_2026 = "ai-google-dev-gemini-api-docs-pricing_2026-04-27"


@pytest.fixture
def gemini_2026(corpus_dir):
    return google.parse(served_page(corpus_dir, "google", GEMINI_2026), capture("google"))


@pytest.mark.corpus
def test_gemini_2026_standard_prices_one_per_model(gemini_2026) -> None:
    # Values read on the page: the Standard tab's paid column, text prices, prompts <= 200k.
    assert priced(gemini_2026, "gemini-3.1-pro-preview") == (D("2"), D("0.2"), D("12"))
    assert priced(gemini_2026, "gemini-3.1-flash-lite-preview") == (D("0.25"), D("0.025"), D("1.5"))
    assert priced(gemini_2026, "gemini-3-flash-preview") == (D("0.5"), D("0.05"), D("3"))
    assert priced(gemini_2026, "gemini-2.5-pro") == (D("1.25"), D("0.125"), D("10"))
    assert priced(gemini_2026, "gemini-2.5-flash") == (D("0.3"), D("0.03"), D("2.5"))
    assert priced(gemini_2026, "gemini-2.5-flash-lite") == (D("0.1"), D("0.01"), D("0.4"))
    assert priced(gemini_2026, "gemini-2.0-flash") == (D("0.1"), D("0.025"), D("0.4"))
    assert priced(gemini_2026, "gemini-2.0-flash-lite") == (D("0.075"), None, D("0.3"))
    assert priced(gemini_2026, "gemini-3.1-flash-live-preview") == (D("0.75"), None, D("4.5"))  # text, not audio
    assert priced(gemini_2026, "gemini-3-pro-image-preview") == (D("2"), None, D("12"))  # text, not images
    assert priced(gemini_2026, "gemini-robotics-er-1.6-preview") == (D("1"), None, D("5"))
    assert priced(gemini_2026, "gemini-2.5-computer-use-preview-10-2025") == (D("1.25"), None, D("10"))
    assert len(prices_by_key(gemini_2026)) == 20
    assert record(gemini_2026, "gemini-3.1-flash-image-preview").model_name == "Gemini 3.1 Flash Image Preview"


@pytest.mark.corpus
def test_gemini_2026_batch_flex_priority_tabs_and_their_context_bands(gemini_2026) -> None:
    assert priced(gemini_2026, "gemini-2.5-flash", "batch") == (D("0.15"), D("0.03"), D("1.25"))
    assert priced(gemini_2026, "gemini-2.5-flash", "flex") == (D("0.15"), D("0.03"), D("1.25"))
    assert priced(gemini_2026, "gemini-2.5-flash", "priority") == (D("0.54"), D("0.054"), D("4.5"))
    assert priced(gemini_2026, "gemini-2.0-flash-lite", "batch") == (D("0.0375"), None, D("0.15"))
    assert priced(gemini_2026, "gemini-2.5-pro", "context>200k") == (D("2.5"), D("0.25"), D("15"))
    assert priced(gemini_2026, "gemini-2.5-pro", "batch/context>200k") == (D("1.25"), D("0.25"), D("7.5"))
    assert priced(gemini_2026, "gemini-3.1-pro-preview", "priority/context>200k") == (D("7.2"), D("0.72"), D("32.4"))
    assert priced(gemini_2026, "gemini-3.1-pro-preview", "flex/context>200k") == (D("2"), D("0.4"), D("9"))
    counts = {tier: len(prices_by_key(gemini_2026, tier)) for tier in ("batch", "flex", "priority", "context>200k")}
    assert counts == {"batch": 16, "flex": 8, "priority": 8, "context>200k": 3}


@pytest.mark.corpus
def test_gemini_2026_video_image_audio_and_embedding_rows_are_skipped_by_reason(gemini_2026) -> None:
    keys = {p.model_key for p in gemini_2026.prices}
    assert not keys & {"veo-3.1-generate-preview", "veo-3.0-generate-001", "veo-2.0-generate-001",
                       "imagen-4.0-generate-001", "lyria-3-clip-preview", "gemini-embedding-001", "gemini-embedding-2"}
    skipped = gemini_2026.skipped
    assert skipped["price per second (not per token)"] == 6  # Veo 3.1, Veo 3, Veo 2 rows
    assert skipped["price per image or step (not per token)"] == 10  # Imagen rows, "$0.039 per image"...
    assert skipped["price per request (not per token)"] == 2  # Lyria
    assert skipped["audio input price"] == 25 and skipped["audio output price"] == 8
    assert skipped["image output price"] == 4 and skipped["embedding model"] == 6
    assert {p.unit_on_page for p in gemini_2026.prices} == {"per_1m_tokens"}


@pytest.mark.corpus
def test_gemini_2026_a_tab_outside_the_vocabulary_is_skipped_not_read_as_standard(corpus_dir) -> None:
    body = served_page(corpus_dir, "google", GEMINI_2026).replace(b">Flex</h3>", b">Scale</h3>")
    result = google.parse(body, capture("google"))
    assert prices_by_key(result, "flex") == {}
    assert result.skipped["price of a tier not in the vocabulary (Scale)"] > 0
    assert priced(result, "gemini-2.5-flash") == (D("0.3"), D("0.03"), D("2.5"))


@pytest.mark.corpus
def test_gemini_2026_two_standard_tabs_for_one_model_is_an_error_naming_both(corpus_dir) -> None:
    body = served_page(corpus_dir, "google", GEMINI_2026).replace(b">Priority</h3>", b">Standard</h3>")
    with pytest.raises(ParseError, match=r"gemini-3.1-pro-preview has two standard prices, in tables "
                                         r"'Gemini 3.1 Pro Preview Standard \(table 1\)' and 'Gemini 3.1 Pro Preview Standard \(table 4\)'"):
        google.parse(body, capture("google"))
