"""Fireworks AI's pricing page in each of its eras."""

from __future__ import annotations

import re

import pytest

from llmflation.parsers import fireworks
from llmflation.records import ParseError
from tests.parsers.page_support import (
    FOREIGN_PAGE,
    D,
    capture,
    fixture_bytes,
    prices_of,
)


def parse_fixture(name: str):
    return fireworks.parse(fixture_bytes("fireworks", name), capture("fireworks"))


def test_size_band_era_gives_one_row_per_model_a_band_names() -> None:
    result = parse_fixture("size-bands_2024-05-01.html")
    assert prices_of(result) == [
        ("Mixtral 8x7B", D("0.5"), D("0.5")),
        ("DBRX", D("1.2"), D("1.2")),
        ("Mixtral 8x22B", D("1.2"), D("1.2")),
    ]
    assert result.skipped == {
        "size band without named models": 2,
        "image model": 1,
        "embedding model": 2,
        "fine-tuning training": 3,
    }


def test_named_models_era_reads_input_output_cells() -> None:
    result = parse_fixture("named-models_2025-08-30.html")
    assert prices_of(result) == [
        ("Mixtral 8x7B", D("0.5"), D("0.5")),
        ("DBRX", D("1.2"), D("1.2")),
        ("Mixtral 8x22B", D("1.2"), D("1.2")),
        ("DeepSeek V3", D("0.9"), D("0.9")),
        ("DeepSeek R1 (Fast)", D("3"), D("8")),
        ("DeepSeek R1 (Basic)", D("0.55"), D("2.19")),
        ("Meta Llama 3.1 405B", D("3"), D("3")),
        ("Llama 4 Maverick (Basic)", D("0.22"), D("0.88")),
        ("Llama 4 Scout (Basic)", D("0.15"), D("0.6")),
        ("Kimi K2 Instruct", D("0.6"), D("2.5")),
        ("OpenAI gpt-oss-120b", D("0.15"), D("0.6")),
        ("OpenAI gpt-oss-20b", D("0.05"), D("0.2")),
    ]
    assert result.skipped == {
        "size band without named models": 3,
        "embedding model": 2,
        "price per hour (not per token)": 2,
    }


def test_page_from_another_site_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="no price table found.*size-bands era.*named-models era"):
        fireworks.parse(FOREIGN_PAGE, capture("fireworks"))


def test_page_with_its_text_model_table_removed_is_a_parse_error() -> None:
    body = fixture_bytes("fireworks", "size-bands_2024-05-01.html")
    body = re.sub(rb"<h2>Text models</h2>\s*<table.*?</table>", b"", body, flags=re.DOTALL)
    with pytest.raises(ParseError, match="no row named a model"):
        fireworks.parse(body, capture("fireworks"))

