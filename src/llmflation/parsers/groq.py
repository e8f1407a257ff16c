"""Groq's pricing page: ``wow.groq.com`` (2024), then ``groq.com/pricing`` (2024 onwards).

Groq started selling API access (GroqCloud) in February 2024, so its page has no per-1K era.
The era is decided from the page's content, never from the capture date:

| era | years | how we recognise it | unit |
|---|---|---|---|
| ``wow-2024`` | 2024-02 .. 2024-05 | the "API Access" page of wow.groq.com: one table "Model / Current Speed / Price per 1M Tokens (Input/Output)", rows like ``Llama 2 70B (4096 Context Length) ~300 tokens/s $0.70/$0.80`` | per 1M tokens |
| ``pricing-table`` | 2024-05 .. today | groq.com/pricing: tables whose headers name "Input Token Price" and "Output Token Price" (per million tokens); cells like ``$0.59 (1.69M / $1)`` | per 1M tokens |

The ``wow-2024`` era is read from the page's visible text, so the same code reads the HTML
page and a text-browser rendering of it. Speech recognition (per hour transcribed) and
text-to-speech (per character) tables are not token prices: skipped and counted as "audio model". The model key is
the name as the page prints it (``Llama 3.1 70B Versatile``); the context length that follows it
(``8k``, ``128k``) goes to ``context_window_tokens``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from llmflation.normalize import usd_per_mtok
from llmflation.parsers import pricing_text as pt
from llmflation.parsers.price_tables import read_token_table
from llmflation.records import CaptureMeta, ParseError, ParseResult, PriceRecord

PARSER_VERSION = "2"  # 2: the shared table and money reader also reads "$.50" and "Input/Output" columns
PROVIDER = "groq"

_WOW_MARKER = re.compile(r"price per 1m tokens\s*\(input\s*/\s*output\)", re.IGNORECASE)
_WOW_ROW = re.compile(
    r"(?P<name>[A-Z][A-Za-z0-9 .,\-]{0,60}?)\s*\((?P<ctx>\d{1,7}\s?[Kk]?) Context Length\)\s*"
    r"~?\s?[\d,]{1,7}\s*tokens/s\s*\$(?P<input>\d{1,4}(?:\.\d{1,6})?)\s*/\s*\$(?P<output>\d{1,4}(?:\.\d{1,6})?)"
)
_TRAILING_CONTEXT = re.compile(r"^(?P<name>.*?)\s+(?P<ctx>\d{1,4}\s?[kK])$")


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    soup = pt.load_page(body, "groq")
    tables = pt.find_tables(soup)
    result = ParseResult()
    if any(_is_token_price_table(rows) for _, rows in tables):
        _read_pricing_tables(tables, result)
        era = "pricing-table"
    else:
        text = pt.page_text(soup)
        marker = _WOW_MARKER.search(text)
        if marker is None:
            raise ParseError(
                "groq: no price table found: looked for the pricing-table era (headers 'Input Token Price' /"
                " 'Output Token Price') and the wow-2024 era ('Price per 1M Tokens (Input/Output)')"
            )
        _read_wow_text(text[marker.end() :], result)
        era = "wow-2024"
    if not result.prices:
        raise ParseError(f"groq: page looks like the {era} era but no model row had a readable price")
    return result


def _is_token_price_table(rows: list[list[str]]) -> bool:
    """The pricing-table era's sign: a header naming both an input and an output token price."""
    header = " ".join(rows[0]).lower()
    return "input token price" in header and "output token price" in header


def _read_wow_text(section: str, result: ParseResult) -> None:
    """Rows of the wow-2024 table from the visible text after its header (HTML or text rendering)."""
    for match in _WOW_ROW.finditer(section):
        result.prices.append(
            PriceRecord(
                provider=PROVIDER,
                model_key=pt.clean(match.group("name")),
                input_usd_per_mtok=usd_per_mtok(match.group("input"), "per_1m_tokens"),
                output_usd_per_mtok=usd_per_mtok(match.group("output"), "per_1m_tokens"),
                unit_on_page="per_1m_tokens",
                context_window_tokens=pt.context_tokens(match.group("ctx")),
            )
        )


def _read_pricing_tables(tables: list[tuple[str, list[list[str]]]], result: ParseResult) -> None:
    for heading, rows in tables:
        first = len(result.prices)
        if not read_token_table(rows, heading, PROVIDER, result):
            result.skip("table without token prices", max(len(rows) - 1, 0))
        for index in range(first, len(result.prices)):
            record = result.prices[index]
            name, context = _split_context(record.model_key)
            result.prices[index] = replace(record, model_key=name, context_window_tokens=context)


def _split_context(cell: str) -> tuple[str, int | None]:
    """``"Llama 3 70B 8k"`` -> ("Llama 3 70B", 8192); a name without a trailing context is kept whole."""
    match = _TRAILING_CONTEXT.match(cell)
    if match is None:
        return cell, None
    return match.group("name"), pt.context_tokens(match.group("ctx"))
