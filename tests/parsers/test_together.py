"""Together AI's pricing page in each of its eras."""

from __future__ import annotations

import re

import pytest

from llmflation.parsers import together
from llmflation.records import ParseError
from tests.parsers.page_support import (
    FOREIGN_PAGE,
    D,
    capture,
    fixture_bytes,
    prices_of,
)


def parse_fixture(name: str):
    return together.parse(fixture_bytes("together", name), capture("together"))


def test_single_price_era_reads_named_models_and_counts_bands() -> None:
    result = parse_fixture("single-price_2025-01-13.html")
    assert prices_of(result) == [
        ("Meta Llama 3.1 8B Instruct Turbo", D("0.18"), D("0.18")),
        ("Meta Llama 3.1 70B Instruct Turbo", D("0.88"), D("0.88")),
        ("Meta Llama 3.1 405B Instruct Turbo", D("3.5"), D("3.5")),
        ("Mixtral 8x7B Instruct v0.1", D("0.6"), D("0.6")),
    ]
    assert result.skipped == {"size band without named models": 6, "embedding model": 2}
    assert all(p.provider == "together" and p.unit_on_page == "per_1m_tokens" for p in result.prices)


def test_input_output_era_keeps_input_and_output_apart_and_flags_free() -> None:
    result = parse_fixture("input-output_2025-08-30.html")
    assert prices_of(result) == [
        ("Llama 4 Maverick", D("0.27"), D("0.85")),
        ("Llama 4 Scout", D("0.18"), D("0.59")),
        ("Llama 3.3 70B Instruct Turbo", D("0.88"), D("0.88")),
        ("Llama 3.3 70B Instruct Turbo Free", D("0"), D("0")),
        ("DeepSeek-R1", D("3"), D("7")),
        ("DeepSeek-V3", D("1.25"), D("1.25")),
        ("Kimi K2 Instruct", D("1"), D("3")),
        ("gpt-oss-120B", D("0.15"), D("0.6")),
        ("gpt-oss-20B", D("0.05"), D("0.2")),
    ]
    assert [p.model_key for p in result.prices if p.is_free] == ["Llama 3.3 70B Instruct Turbo Free"]
    assert result.skipped == {"size band without named models": 6, "embedding model": 2}


def test_page_of_size_bands_only_is_a_parse_error_counting_the_bands() -> None:
    body = fixture_bytes("together", "single-price_2025-01-13.html")
    named_tables = re.compile(rb"<h3>(Llama 3.1 Instruct Turbo|Mixture-of-experts models)</h3>\s*<table.*?</table>", re.DOTALL)
    body = named_tables.sub(b"", body)
    with pytest.raises(ParseError, match=r"single-price era.*6 size bands naming no models"):
        together.parse(body, capture("together"))


def test_page_from_another_site_is_a_parse_error_naming_the_eras() -> None:
    with pytest.raises(ParseError, match="input-output era.*single-price era"):
        together.parse(FOREIGN_PAGE, capture("together"))


def test_page_with_its_price_grids_removed_is_a_parse_error() -> None:
    body = fixture_bytes("together", "input-output_2025-08-30.html")
    body = re.sub(rb'<div class="pricing-grid".*?\n  </div>', b"", body, flags=re.DOTALL)
    assert b"role=\"table\"" not in body
    with pytest.raises(ParseError, match="no price table"):
        together.parse(body, capture("together"))

