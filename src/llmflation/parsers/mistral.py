"""Mistral AI's API pricing, in every layout since La Plateforme opened (December 2023).

Addresses: docs.mistral.ai/platform/pricing/ (2023-2024), rendered from the Markdown file
``docs/platform/05-pricing.md`` of github.com/mistralai/platform-docs-public (captured as its raw
file, same years), mistral.ai/technology/ (2024), mistral.ai/pricing (2025-). The rendered docs
page and its Markdown source hold the same tables: both are read, as HTML tables and as pipe tables
(``markdown_tables``). The era is decided from the content:

================  ==================  ============================================================  ==============
era               years               how it is recognised                                          unit on page
================  ==================  ============================================================  ==============
docs-eur          Dec 2023-Feb 2024   docs table ``Model | Input | Output`` priced only in euros     EUR per 1M
                                      ("0.14€ / 1M tokens")                                         tokens
docs-usd-eur      Feb 2024-mid 2024   docs table ``Model | Endpoint | Input (USD) | Output (USD) |   per 1M tokens
                                      Input (EUR) | Output (EUR)``, amounts written "0.25$"
technology-2024   mid 2024-2025       mistral.ai table ``Model | API Name | Input | Output`` with     per 1M tokens
                                      "$0.3 /1M tokens" cells
pricing-app-2025  2025-               mistral.ai/pricing: the API price table is drawn in the       (none)
                                      browser; the served HTML holds no prices
text-table        (any)               a text rendering of a docs table (``text/plain`` capture):    per 1M tokens
                                      endpoint names followed by "$" and "€" amounts
================  ==================  ============================================================  ==============

The endpoint name (``open-mistral-7b``, ``mistral-small-latest``) is the model key when the page
gives one; the display name ("Mistral 7B") is kept as ``model_name``. Euro prices are not turned
into dollars: a page with only euro prices is a ``ParseError`` saying so, and euro-only rows of a
mixed page are skipped and counted ("price in EUR only"). Embedding models are skipped and
counted. Two prices for one endpoint and tier are a ``ParseError`` naming both tables.
"""

from __future__ import annotations

import re

from llmflation.parsers.money_strings import find_money, price_record
from llmflation.parsers.price_tables import read_price_table, records_from_table
from llmflation.parsers.pricing_text import clean, decode_page, find_tables, is_text_rendering, load_page
from llmflation.parsers.markdown_tables import has_markdown_tables, markdown_tables
from llmflation.records import CaptureMeta, ParseError, ParseResult
from llmflation.tiers import PriceClaims

PARSER_VERSION = "3"  # 3: the shared table and money reader also reads "$.50" and "Input/Output" columns
PROVIDER = "mistral"
ERAS = ("docs-eur", "docs-usd-eur", "technology-2024", "pricing-app-2025", "text-table")

_ENDPOINT = re.compile(
    r"(?P<key>(?:open|mistral|codestral|pixtral|ministral|magistral|devstral)-[a-z0-9.-]*?[a-z0-9])"
    r"(?=\d+(?:\.\d+)?\s?[$€])"
)


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    try:
        return _parse(body, capture)
    except RecursionError as exc:  # lxml accepts nesting deeper than Python can walk
        raise ParseError("mistral pricing page: markup nested too deeply to read") from exc


def _parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    if is_text_rendering(body, capture.content_type):
        text = decode_page(body)
        if has_markdown_tables(text):  # the docs page's Markdown source
            return _from_tables(markdown_tables(text), _era(clean(text)), "docs markdown")
        return _parse_text(text)
    soup = load_page(body, "mistral pricing page")
    return _from_tables(find_tables(soup), _era(clean(soup.get_text(" "))), "pricing page")


def _from_tables(tables: list[tuple[str, list[list[str]]]], era: str | None, what: str) -> ParseResult:
    """Records of every price table (HTML or Markdown, the same ``(heading, rows)``); an error saying
    why when none holds a USD token price."""
    result = ParseResult()
    claims = PriceClaims(f"mistral {what}")
    for number, (heading, rows) in enumerate(tables, 1):
        parsed = read_price_table(rows)
        if parsed is None:
            continue
        if "embed" in heading.lower() or any("embed" in (r.key or r.model).lower() for r in parsed.rows):
            result.skip("embedding model", len(parsed.rows))
            continue
        claims.extend(records_from_table(PROVIDER, parsed, result), f"table {number} ({heading or 'no heading'})")
    result.prices.extend(claims.records)
    if not result.prices:
        detail = {
            "docs-eur": "prices are in EUR only; no USD price to record",
            "pricing-app-2025": "the price table is drawn by JavaScript; the page holds no prices",
        }.get(era or "", "no token prices found")
        skipped = ", ".join(f"{reason}: {n}" for reason, n in sorted(result.skipped.items()))
        raise ParseError(
            f"mistral {what}: {detail} (era looked for: {era or 'none of ' + ', '.join(ERAS)}"
            f"{'; skipped ' + skipped if skipped else ''})"
        )
    return result


def _era(text: str) -> str | None:
    usd = re.search(r"\d\s?\$\s?/\s?1M|\$\s?\d[\d.]*\s?/\s?1M", text) is not None
    eur = re.search(r"\d\s?€\s?/\s?1M|€\s?\d", text) is not None
    if usd and "Endpoint" in text:
        return "docs-usd-eur"
    if usd:
        return "technology-2024"
    if eur:
        return "docs-eur"
    if re.search(r"\bmistral\.ai\b|Mistral AI", text) and re.search(r"\bpricing\b", text, re.I):
        return "pricing-app-2025"
    return None


def _parse_text(text: str) -> ParseResult:
    """A text browser's rendering of a docs price table: cells run together, so rows are found by
    their endpoint names, each followed by its amounts (input and output in USD, then in EUR)."""
    flat = " ".join(text.split())
    result = ParseResult()
    matches = list(_ENDPOINT.finditer(flat))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(flat)
        key = match.group("key")
        if "embed" in key:
            result.skip("embedding model")
            continue
        usd = [m for m in find_money(flat[match.end():end]) if m.currency == "USD"]
        if len(usd) < 2:
            result.skip("row without USD input and output prices")
            continue
        result.prices.append(price_record(PROVIDER, key, input_price=usd[0], output_price=usd[1]))
    if not result.prices:
        raise ParseError("mistral pricing page (text rendering): no token prices found (era looked for: text-table)")
    return result
