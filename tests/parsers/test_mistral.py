"""Mistral pricing pages: euro-only launch table, USD+EUR docs table, mistral.ai table, JS-drawn page."""

from __future__ import annotations

import json

import pytest

from llmflation.parsers import mistral
from llmflation.records import ParseError
from tests.parsers.page_support import (
    D,
    FOREIGN_PAGE,
    capture,
    fixture_bytes,
    parse_fixture,
    prices_by_key,
    record,
    served_page,
    without_tables_and_prices,
)


#: The USD columns of the docs table from 2024-02-23 to spring 2024 (the served Markdown and its rendering).
DOCS_USD_2024 = {
    "open-mistral-7b": (D("0.25"), D("0.25")),
    "open-mixtral-8x7b": (D("0.7"), D("0.7")),
    "mistral-small-latest": (D("2"), D("6")),
    "mistral-medium-latest": (D("2.7"), D("8.1")),
    "mistral-large-latest": (D("8"), D("24")),
}


def test_launch_table_in_euros_only_is_an_error_saying_so() -> None:
    body = fixture_bytes("mistral", "docs-eur_2024-01-15.html")
    with pytest.raises(ParseError, match=r"EUR only.*era looked for: docs-eur"):
        mistral.parse(body, capture("mistral"))


def test_docs_table_2024_usd_columns_keyed_by_endpoint() -> None:
    result = parse_fixture(mistral, "mistral", "docs-usd-eur_2024-04-01.html")
    assert prices_by_key(result) == DOCS_USD_2024
    assert record(result, "open-mistral-7b").model_name == "Mistral 7B"
    assert result.skipped == {"embedding model": 1}


def test_docs_row_priced_only_in_euros_is_skipped_and_counted() -> None:
    body = fixture_bytes("mistral", "docs-usd-eur_2024-04-01.html").replace(b"<td>8$ / 1M tokens</td><td>24$ / 1M tokens</td>",
                                                                       b"<td>-</td><td>-</td>")
    result = mistral.parse(body, capture("mistral"))
    assert "mistral-large-latest" not in prices_by_key(result)
    assert result.skipped["price in EUR only"] == 1


def test_technology_page_2024_api_names_and_usd_prices() -> None:
    result = parse_fixture(mistral, "mistral", "technology-2024_2024-08-15.html")
    prices = prices_by_key(result)
    assert len(prices) == 7
    assert prices["mistral-large-2407"] == (D("3"), D("9"))
    assert prices["open-mistral-nemo-2407"] == (D("0.3"), D("0.3"))
    assert prices["codestral-2405"] == (D("1"), D("3"))
    assert result.skipped == {"embedding model": 1}


def test_pricing_app_2025_is_an_error_saying_the_prices_are_drawn_by_javascript() -> None:
    body = fixture_bytes("mistral", "pricing-app-2025_2025-06-01.html")
    with pytest.raises(ParseError, match=r"drawn by JavaScript.*pricing-app-2025"):
        mistral.parse(body, capture("mistral"))


@pytest.mark.corpus
def test_page_text_of_2024_04_01_agrees_with_llm_prices(corpus_dir) -> None:
    folder = corpus_dir / "prices" / "pricing-page-text"
    body = (folder / "pricing-page-mistral_2024-04-01.txt").read_bytes()
    result = mistral.parse(body, capture("mistral", content_type="text/plain"))
    expected = json.loads((folder / "llm-prices_2024-04-01.json").read_text())["mistral"]["models"]
    assert prices_by_key(result) == {
        model: (D(str(p["input_per_million"])), D(str(p["output_per_million"]))) for model, p in expected.items()
    }
    assert result.skipped == {"embedding model": 1}


@pytest.mark.parametrize("name", ["docs-usd-eur_2024-04-01.html", "technology-2024_2024-08-15.html"])
def test_page_with_its_tables_removed_is_an_error(name: str) -> None:
    body = without_tables_and_prices(fixture_bytes("mistral", name))
    with pytest.raises(ParseError, match="mistral pricing page"):
        mistral.parse(body, capture("mistral"))


def test_page_from_another_site_is_an_error() -> None:
    with pytest.raises(ParseError, match="none of"):
        mistral.parse(FOREIGN_PAGE, capture("mistral"))


# -- the Markdown source of the docs page, 2024 (served from mistralai/platform-docs-public) ----


def markdown_capture():
    return capture("mistral", url=MARKDOWN_URL, content_type="text/plain; charset=utf-8")


MARKDOWN_URL = "https://raw.githubusercontent.com/mistralai/platform-docs-public/main/docs/platform/05-pricing.md"


@pytest.mark.corpus
def test_markdown_of_2024_01_03_is_euro_only_an_error_naming_the_skipped_rows(corpus_dir) -> None:
    body = served_page(corpus_dir, "mistral", "docs-mistral-ai-platform-pricing-source_2024-01-03")
    with pytest.raises(ParseError, match=r"EUR only.*docs-eur.*price in EUR only: 3"):
        mistral.parse(body, markdown_capture())


@pytest.mark.corpus
@pytest.mark.parametrize("date", ["2024-02-23", "2024-02-26", "2024-03-07"])
def test_markdown_of_2024_usd_columns_read_euro_columns_never_converted(corpus_dir, date: str) -> None:
    result = mistral.parse(served_page(corpus_dir, "mistral", f"docs-mistral-ai-platform-pricing-source_{date}"),
                           markdown_capture())
    # Values read in the Markdown table: "Input (USD)" / "Output (USD)" cells, keyed by endpoint.
    assert prices_by_key(result) == DOCS_USD_2024
    assert result.skipped == {"embedding model": 1}
    assert record(result, "open-mixtral-8x7b").model_name == "Mixtral 8x7B"
    assert {p.tier for p in result.prices} == {"standard"}


@pytest.mark.corpus
def test_markdown_row_priced_only_in_euros_is_skipped_with_that_reason(corpus_dir) -> None:
    body = served_page(corpus_dir, "mistral", "docs-mistral-ai-platform-pricing-source_2024-03-07")
    body = body.replace(b"| 8$ / 1M tokens | 24$ / 1M tokens |", b"| - | - |")
    result = mistral.parse(body, markdown_capture())
    assert "mistral-large-latest" not in prices_by_key(result)
    assert result.skipped["price in EUR only"] == 1


@pytest.mark.corpus
def test_rendered_docs_page_and_its_markdown_source_read_alike(corpus_dir) -> None:
    rendered = parse_fixture(mistral, "mistral", "docs-usd-eur_2024-04-01.html")
    source = mistral.parse(served_page(corpus_dir, "mistral", "docs-mistral-ai-platform-pricing-source_2024-03-07"),
                           markdown_capture())
    assert prices_by_key(rendered) == prices_by_key(source)
