"""Anthropic's API pricing, on its marketing pages and in its documentation, in every layout since 2023.

Addresses: anthropic.com/product (2023), anthropic.com/api (2024), anthropic.com/pricing
(2024-2025), docs.anthropic.com/en/docs/about-claude/pricing (2024-2025), then docs.claude.com and
platform.claude.com (2025-). The era is decided from the content:

==============  ==========  ==================================================================  ===============
era             years       how it is recognised                                                unit on page
==============  ==========  ==================================================================  ===============
product-2023    2023        cards "Claude Instant" / "Claude 2" with "Prompt" and "Completion"   per 1M tokens
                            prices written "$1.63/million tokens"
cards-mtok      2024-2025   a card per model (Haiku, Sonnet, Opus, Claude 3.5 Sonnet...) with   per 1M tokens
                            "Input: $0.25 / MTok", "Output", and from mid-2024 "Prompt caching
                            write" / "read" lines; legacy models in a second list
docs-tables     2024-       tables ``Model | Base Input Tokens | 5m Cache Writes | 1h Cache      per 1M tokens
                            Writes | Cache Hits & Refreshes | Output Tokens``, a batch table
                            ``Model | Batch input | Batch output``, and a long-context table
                            (``<= 200K input tokens | > 200K input tokens``) for the models the
                            paragraph before it names
text-cards      (any)       a text rendering of a cards page (``text/plain`` capture)            per 1M tokens
==============  ==========  ==================================================================  ===============

The marketing pages are Next.js pages: when they embed their content as data
(``__NEXT_DATA__`` JSON, or the inline ``self.__next_f.push`` payload of app-router pages), the
cards are read from that data's strings in order rather than from the visible text. Cache writes and hits are kept in
``cache_write_usd_per_mtok`` / ``cached_input_usd_per_mtok`` (5-minute writes; 1-hour writes are
not kept); batch prices are records of tier ``batch``; long-context prices of tier ``context>200k``.
Model names lose their annotations ("Claude Sonnet 3.7 ( deprecated )" -> "Claude Sonnet 3.7", with
``is_deprecated``). Prices of a mode the tier vocabulary does not have (2026's "fast mode") and
prices per session-hour are skipped and counted; two prices for one model and tier are a
``ParseError`` naming both tables.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bs4 import BeautifulSoup

from llmflation.parsers.model_labels import model_label
from llmflation.parsers.money_strings import find_money, is_token_unit, not_per_token, price_record
from llmflation.parsers.price_cards import Card, read_cards
from llmflation.parsers.price_tables import read_price_table, records_from_table
from llmflation.parsers.pricing_text import (
    MAX_TABLES,
    clean,
    decode_page,
    embedded_json_strings,
    is_text_rendering,
    load_page,
    table_rows,
    visible_lines,
)
from llmflation.records import CaptureMeta, ParseError, ParseResult, PriceRecord
from llmflation.tiers import PriceClaims, context_tier

PARSER_VERSION = "3"  # 3: the shared table and money reader also reads "$.50" and "Input/Output" columns
PROVIDER = "anthropic"
ERAS = ("product-2023", "cards-mtok", "docs-tables", "text-cards")

_MODEL_NAME = re.compile(r"^(claude\b|haiku$|sonnet$|opus$|claude$)", re.I)
_OTHER_TIER = re.compile(r"\bfast mode\b", re.I)
_LONG_CONTEXT_MODELS = re.compile(r"\b(?:Claude\s+)?(Opus|Sonnet|Haiku)\s+(\d(?:\.\d)?)\b")


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    try:
        return _parse(body, capture)
    except RecursionError as exc:  # lxml accepts nesting deeper than Python can walk
        raise ParseError("anthropic pricing page: markup nested too deeply to read") from exc


def _parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    if is_text_rendering(body, capture.content_type):
        lines = [clean(line) for line in decode_page(body).splitlines() if clean(line)]
        return _from_cards(lines, "text-cards", ParseResult())
    soup = load_page(body, "anthropic pricing page")
    result = ParseResult()
    tables = _tables_with_intro(soup)
    if any(read_price_table(rows) is not None for rows, _ in tables):
        return _from_docs_tables(tables, result)
    embedded = embedded_json_strings(soup)
    if embedded and any(find_money(s) for s in embedded):
        return _from_cards(embedded, _cards_era(" ".join(embedded)), result)
    lines = visible_lines(soup)
    return _from_cards(lines, _cards_era(" ".join(lines)), result)


def _cards_era(text: str) -> str:
    return "product-2023" if re.search(r"/\s*million tokens", text) and "MTok" not in text else "cards-mtok"


def _from_cards(lines: Sequence[str], era: str, result: ParseResult) -> ParseResult:
    def is_name(seq: Sequence[str], i: int) -> bool:
        line = re.sub(r"^[*•]\s+", "", seq[i])
        return _MODEL_NAME.match(line) is not None and len(line) <= 32 and "context" not in line.lower()

    claims = PriceClaims("anthropic pricing page")
    for card in read_cards(lines, is_name=is_name):
        record = _card_record(card, result)
        if record is not None:
            claims.add(record, f"{card.section or 'card'} {card.name}".strip())
    result.prices.extend(claims.records)
    if not result.prices:
        raise ParseError(f"anthropic pricing page: no token prices found (era looked for: {era})")
    return result


def _card_record(card: Card, result: ParseResult) -> PriceRecord | None:
    input_price, output_price = card.prices.get("input"), card.prices.get("output")
    if input_price is None or output_price is None:
        result.skip("card without input and output prices")
        return None
    label = model_label(card.name)
    return price_record(
        PROVIDER, label.name, model_name=label.name, input_price=input_price, output_price=output_price,
        cached=card.prices.get("cached"), cache_write=card.prices.get("cache_write"), is_deprecated=label.deprecated,
    )


def _tables_with_intro(soup: BeautifulSoup) -> list[tuple[list[list[str]], str]]:
    """Every table's rows with the text of the paragraph before it, in one document-order pass."""
    found: list[tuple[list[list[str]], str]] = []
    intro = ""
    for tag in soup.find_all(["p", "table"]):
        if tag.name == "p":
            intro = clean(tag.get_text(" "))
            continue
        if len(found) >= MAX_TABLES:
            raise ParseError(f"page has more than {MAX_TABLES} tables: not a pricing page")
        rows = table_rows(tag)
        if rows:
            found.append((rows, intro))
    return found


def _from_docs_tables(tables: list[tuple[list[list[str]], str]], result: ParseResult) -> ParseResult:
    claims = PriceClaims("anthropic pricing page")
    for number, (rows, intro) in enumerate(tables, 1):
        priced = [row for row in rows[1:] if any(find_money(cell) for cell in row)]
        if not priced:
            continue  # token counts, multipliers, modifiers: no prices to read or skip
        label = f"table {number} ({' | '.join(rows[0])[:80]})"
        parsed = read_price_table(rows)
        if parsed is not None:
            claims.extend(records_from_table(PROVIDER, parsed, result), label)
        elif (other_tier := _OTHER_TIER.search(intro)) is not None:
            # "Fast mode ... premium pricing": a tier the vocabulary does not have.
            result.skip(f"price of a tier not in the vocabulary ({other_tier.group(0).lower()})", len(priced))
        elif re.search(r"\bcalculation\b|\bline item\b", " ".join(rows[0]), re.I):
            result.skip("worked example (not a price list)", len(priced))
        elif any(">" in cell for cell in rows[0]):
            claims.extend(_long_context_records(rows, intro, result), label)
        else:
            units = [m.unit for row in priced for cell in row for m in find_money(cell) if m.unit]
            odd = next((unit for unit in units if not is_token_unit(unit)), None)
            result.skip(not_per_token(odd) if odd else "priced rows of a table without a model column", len(priced))
    result.prices.extend(claims.records)
    if not result.prices:
        raise ParseError("anthropic pricing page: no token prices found (era looked for: docs-tables)")
    return result


def _long_context_records(rows: list[list[str]], intro: str, result: ParseResult) -> list[PriceRecord]:
    """The "<= 200K | > 200K input tokens" table: prices above the threshold, for the models named
    in the paragraph before the table (the table itself has no model column)."""
    if len(rows) < 2 or not any(">" in cell for cell in rows[0]):
        return []
    above = rows[0].index(next(cell for cell in rows[0] if ">" in cell))
    threshold = re.search(r"(\d+)\s*K", rows[0][above], re.I)
    cells = [find_money(row[above]) for row in rows[1:] if len(row) > above]
    labelled = {row[above].split(":")[0].strip().lower(): money[0] for row, money in zip(rows[1:], cells) if money}
    names = _LONG_CONTEXT_MODELS.findall(intro)
    if not names or "input" not in labelled or "output" not in labelled or threshold is None:
        result.skip("long-context table without models or prices", len(rows) - 1)
        return []
    tier = context_tier(int(threshold.group(1)) * 1000)
    return [
        price_record(PROVIDER, f"Claude {family} {version}", input_price=labelled["input"],
                     output_price=labelled["output"], tier=tier)
        for family, version in dict.fromkeys(names)
    ]

