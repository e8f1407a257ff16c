"""Groq's pricing page in each of its eras, and against the page text captured on 2024-04-01."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from llmflation.parsers import groq
from llmflation.records import ParseError
from tests.parsers.page_support import (
    FOREIGN_PAGE,
    D,
    capture,
    fixture_bytes,
    prices_of,
)


def parse_fixture(name: str):
    return groq.parse(fixture_bytes("groq", name), capture("groq"))


def test_wow_2024_era_reads_the_input_output_cell() -> None:
    result = parse_fixture("wow-2024_2024-04-01.html")
    assert prices_of(result) == [
        ("Llama 2 70B", D("0.7"), D("0.8")),
        ("Llama 2 7B", D("0.1"), D("0.1")),
        ("Mixtral, 8x7B SMoE", D("0.27"), D("0.27")),
        ("Gemma 7B", D("0.1"), D("0.1")),
    ]
    assert [p.context_window_tokens for p in result.prices] == [4096, 2048, 32768, 8192]
    assert {p.unit_on_page for p in result.prices} == {"per_1m_tokens"}
    assert all(p.provider == "groq" and p.tier == "standard" for p in result.prices)


def test_pricing_table_era_2024_skips_audio_and_unpriced_rows() -> None:
    result = parse_fixture("pricing-table_2024-09-06.html")
    assert prices_of(result) == [
        ("Llama 3.1 70B Versatile", D("0.59"), D("0.79")),
        ("Llama 3.1 8B Instant", D("0.05"), D("0.08")),
        ("Llama 3 70B", D("0.59"), D("0.79")),
        ("Llama 3 8B", D("0.05"), D("0.08")),
        ("Mixtral 8x7B Instruct", D("0.24"), D("0.24")),
        ("Gemma 7B", D("0.07"), D("0.07")),
        ("Llama 3 Groq 70B Tool Use (Preview)", D("0.89"), D("0.89")),
        ("Llama 3 Groq 8B Tool Use (Preview)", D("0.19"), D("0.19")),
    ]
    assert result.prices[0].context_window_tokens == 131072
    assert result.prices[2].context_window_tokens == 8192
    assert result.skipped == {"price not stated": 1, "audio model": 1}


def test_pricing_table_era_2025() -> None:
    result = parse_fixture("pricing-table_2025-08-30.html")
    assert prices_of(result) == [
        ("GPT OSS 20B", D("0.1"), D("0.5")),
        ("GPT OSS 120B", D("0.15"), D("0.75")),
        ("Kimi K2 1T", D("1"), D("3")),
        ("Llama 4 Scout (17Bx16E)", D("0.11"), D("0.34")),
        ("Llama 4 Maverick (17Bx128E)", D("0.2"), D("0.6")),
        ("Qwen3 32B", D("0.29"), D("0.59")),
        ("Llama 3.3 70B Versatile", D("0.59"), D("0.79")),
        ("Llama 3.1 8B Instant", D("0.05"), D("0.08")),
    ]
    assert result.prices[5].context_window_tokens == 131000  # "131k" is decimal, "128k" binary
    assert result.skipped == {"audio model": 4}


def test_page_from_another_site_is_a_parse_error_naming_the_eras() -> None:
    with pytest.raises(ParseError, match="pricing-table era.*wow-2024 era"):
        groq.parse(FOREIGN_PAGE, capture("groq"))


@pytest.mark.parametrize("name", ["pricing-table_2024-09-06.html", "pricing-table_2025-08-30.html"])
def test_page_with_its_price_table_removed_is_a_parse_error(name: str) -> None:
    body = re.sub(rb"<table.*?</table>", b"", fixture_bytes("groq", name), flags=re.DOTALL)
    with pytest.raises(ParseError, match="no price table"):
        groq.parse(body, capture("groq"))


def test_wow_page_whose_rows_changed_shape_is_a_parse_error() -> None:
    body = fixture_bytes("groq", "wow-2024_2024-04-01.html").replace(b"Context Length", b"ctx")
    with pytest.raises(ParseError, match="wow-2024 era"):
        groq.parse(body, capture("groq"))


def test_corpus_page_text_matches_what_another_project_extracted(corpus_dir: Path) -> None:
    folder = corpus_dir / "prices" / "pricing-page-text"
    result = groq.parse((folder / "pricing-page-groq_2024-04-01.txt").read_bytes(), capture("groq"))
    theirs = json.loads((folder / "llm-prices_2024-04-01.json").read_text())["groq"]["models"]
    assert len(result.prices) == len(theirs) == 4
    for record, (key, price) in zip(result.prices, theirs.items(), strict=True):
        slug = re.sub(r"[^a-z0-9]+", "-", record.model_key.lower()).strip("-")
        assert slug.startswith(key), (slug, key)
        assert record.input_usd_per_mtok == D(str(price["input_per_million"]))
        assert record.output_usd_per_mtok == D(str(price["output_per_million"]))



def test_wow_marker_followed_by_endless_near_rows_ends_in_parse_error() -> None:
    body = b"<p>Price per 1M Tokens (Input/Output) " + b"Llama 2 70B (4096 Context " * 40_000 + b"</p>"
    with pytest.raises(ParseError, match="wow-2024 era"):
        groq.parse(body, capture("groq"))
