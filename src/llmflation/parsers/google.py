"""Google's Gemini API pricing page (Google AI Studio prices, not Vertex AI), in every layout since 2023.

Addresses: ai.google.dev/pricing (2023-2025), ai.google.dev/gemini-api/docs/pricing (2024-).
Every era puts one block per model: a heading with the model's name, then a table whose rows
are kinds of price and whose columns are the free tier and the paid tier. The era is decided
from the content:

====================  ==========  ============================================================  =================
era                   years       how it is recognised                                          unit on page
====================  ==========  ============================================================  =================
per-1k-characters     2023-2024   paid column "Pay-as-you-go", text priced                       per 1K characters
                                  "$0.000125 / 1K characters", images "$0.0025 / image"
per-1m-context-tiers  2024        "$0.075 / 1 million tokens (for prompts up to 128K tokens)"    per 1M tokens
                                  and a second price "(for prompts longer than 128K)"; rows
                                  Input, Output, Context caching, Context caching (storage)
docs-per-model        2025-       paid column "Paid Tier, per 1M tokens in USD" of bare amounts  per 1M tokens
                                  "$1.25, prompts <= 200k tokens"; a Standard and a Batch tab
                                  (a heading before each table) per model
====================  ==========  ============================================================  =================

Per-character prices become per-token prices at ``chars_per_token`` characters per token
(``llmflation.normalize.DEFAULT_CHARS_PER_TOKEN``, configurable as ``[normalize]
chars_per_token``); such rows are marked ``converted_from_characters``. The price for the
lowest prompt size is tier ``standard``; prices above a prompt size are tier ``context>128k`` /
``context>200k``. From 2026 a model block has a tab per processing tier (Standard, Batch, Flex,
Priority; an ``h3`` before each table): each tab is its tier of ``llmflation.tiers`` (``batch``,
``batch/context>200k``...); a tab named otherwise is skipped and counted, never read as
``standard``, and two prices for one model and tier are a ``ParseError`` naming both tables.
Free-tier columns are not prices; "Free of charge" in the paid column (experimental models) is a
$0 price, flagged ``is_free``. A paid column headed "per Image" / "per second" / "per request"
(Imagen, Veo, Lyria) is not a token price. Within a cell, a price marked for audio, image or video
("$1.00 (audio)", "$60.00 (images)") is not the text price and is skipped by modality; amounts with
their own non-token unit ("$0.039 per image", "$0.005/min") by unit. Embedding models, storage,
grounding and tuning prices are skipped and counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from bs4 import BeautifulSoup

from llmflation.normalize import DEFAULT_CHARS_PER_TOKEN
from llmflation.parsers.model_labels import model_label
from llmflation.parsers.money_strings import Money, is_token_unit, money_with_context, not_per_token, price_record
from llmflation.parsers.pricing_text import MAX_TABLES, clean, load_page, table_rows
from llmflation.records import CaptureMeta, ParseError, ParseResult, PriceRecord
from llmflation.tiers import STANDARD, PriceClaims, context_tier, processing_tier

PARSER_VERSION = "3"  # 3: the shared table and money reader also reads "$.50" and "Input/Output" columns
PROVIDER = "google"
ERAS = ("per-1k-characters", "per-1m-context-tiers", "docs-per-model")

_ABOVE = re.compile(r"(?:>|longer than|more than|over|above)\s*(\d+)\s*k", re.I)
_PAID = re.compile(r"paid|pay-as-you-go|price", re.I)


@dataclass
class _Kinds:
    """A model's prices in one tab, by kind, each keyed by context tier (``""`` = lowest)."""

    input: dict[str, Money] = field(default_factory=dict)
    output: dict[str, Money] = field(default_factory=dict)
    cached: dict[str, Money] = field(default_factory=dict)


def parse(body: bytes, capture: CaptureMeta, *, chars_per_token: Decimal = DEFAULT_CHARS_PER_TOKEN) -> ParseResult:
    """Gemini API prices in ``body``; per-character prices converted at ``chars_per_token``."""
    try:
        return _parse(body, chars_per_token)
    except RecursionError as exc:  # lxml accepts nesting deeper than Python can walk
        raise ParseError("google pricing page: markup nested too deeply to read") from exc


@dataclass
class _ModelTable:
    """One price table with the model block and the tab it sits in."""

    key: str
    name: str
    tab: str  # the tab's heading as written ("" when the block has no tabs)
    rows: list[list[str]]

    @property
    def tier(self) -> str | None:
        return processing_tier(self.tab) if self.tab else STANDARD


def _parse(body: bytes, chars_per_token: Decimal) -> ParseResult:
    soup = load_page(body, "google pricing page")
    text = clean(soup.get_text(" "))
    era = _era(text)
    default_unit = "per_1m_tokens" if era == "docs-per-model" else None
    result = ParseResult()
    claims = PriceClaims("google pricing page")
    for number, table in enumerate(_model_tables(soup), 1):
        paid = _paid_column(table.rows[0])
        if paid is None:
            continue
        priced = sum(1 for row in table.rows[1:] if len(row) > paid and money_with_context(row[paid]))
        column_unit = _column_unit(table.rows[0][paid])
        if not table.key:
            result.skip("price table without a model heading", priced)
        elif column_unit is not None and not is_token_unit(column_unit):
            result.skip(not_per_token(column_unit), priced)
        elif "embedding" in f"{table.key} {table.name}".lower():
            result.skip("embedding model", priced)
        elif re.search(r"\b(?:tools?|agents?)\b", table.name, re.I):
            result.skip("tool price", priced)
        elif table.tier is None:
            result.skip(f"price of a tier not in the vocabulary ({table.tab})", priced)
        else:
            kinds = _read_rows(table.rows[1:], paid, column_unit or default_unit, result)
            where = f"{table.name} {table.tab} (table {number})".replace("  ", " ")
            claims.extend(_records(table, table.tier, kinds, chars_per_token), where)
    result.prices.extend(claims.records)
    if not result.prices:
        raise ParseError(f"google pricing page: no token prices found (era looked for: {era or 'none of ' + ', '.join(ERAS)})")
    return result


def _era(text: str) -> str | None:
    if re.search(r"/\s*1K characters", text, re.I):
        return "per-1k-characters"
    if re.search(r"per 1M tokens in USD|Paid Tier", text, re.I):
        return "docs-per-model"
    if re.search(r"/\s*1 million tokens|/\s*1M tokens", text, re.I):
        return "per-1m-context-tiers"
    return None


def _paid_column(header: list[str]) -> int | None:
    """Index of the paid-tier column: the header cell naming it, never the free tier."""
    for i, cell in enumerate(header):
        if _PAID.search(cell) and "free" not in cell.lower():
            return i
    return None


_COLUMN_UNIT = re.compile(r"\bper\s+(1M tokens|1K characters|image|second|minute|request)\b", re.I)
_COLUMN_UNITS = {"1m tokens": "per_1m_tokens", "1k characters": "per_1k_characters", "image": "per_image",
                 "second": "per_second", "minute": "per_minute", "request": "per_request"}


def _column_unit(header: str) -> str | None:
    """The unit the paid column's header names ("Paid Tier, per second in USD"), or ``None``."""
    match = _COLUMN_UNIT.search(header)
    return _COLUMN_UNITS[match.group(1).lower()] if match else None


def _model_tables(soup: BeautifulSoup) -> list[_ModelTable]:
    """Each table with the model it prices and its tab, in one document-order pass.

    The model is the nearest ``h2`` before the table, keyed by the first ``code`` element after
    that heading when there is one (``gemini-2.5-pro``); the tab is the ``h3`` after the heading
    ("Standard", "Batch", "Flex", "Priority"), else none.
    """
    found: list[_ModelTable] = []
    name = key = tab = ""
    for tag in soup.find_all(["h2", "h3", "code", "table"]):
        if tag.name == "h2":
            name = key = model_label(clean(tag.get_text(" "))).name
            tab = ""
        elif tag.name == "code":
            if name and key == name and tag.find_parent("table") is None:
                key = clean(tag.get_text())
        elif tag.name == "h3":
            tab = clean(tag.get_text(" "))
        else:
            if len(found) >= MAX_TABLES:
                raise ParseError(f"page has more than {MAX_TABLES} tables: not a pricing page")
            rows = table_rows(tag)
            if rows:
                found.append(_ModelTable(key, name, tab, rows))
    return found


_MODALITY = re.compile(r"\((?P<what>[^()]*)\)")


def _modality(condition: str) -> str:
    """``"text"`` for a text price, else the other modality a price is marked for ("audio")."""
    match = _MODALITY.search(condition)
    if match is None:
        return "text"
    what = match.group("what").lower()
    if "text" in what:
        return "text"
    return next((word for word in ("audio", "image", "video") if word in what), "text")


def _read_rows(rows: list[list[str]], paid: int, default_unit: str | None, result: ParseResult) -> _Kinds:
    kinds = _Kinds()
    for row in rows:
        if len(row) <= paid:
            continue
        label = row[0].lower()
        target = _kind_of(label)
        amounts = money_with_context(row[paid], default_unit)
        if not amounts and target in {"input", "output"} and row[paid].lower().startswith("free of charge"):
            # A paid-tier price of nothing (experimental models): a $0 price, flagged free downstream.
            amounts = [(Money(Decimal(0), "USD", "per_1m_tokens"), "")]
        if target is None:
            if amounts:
                result.skip(f"{_skip_name(label)} price", len(amounts))
            continue
        if not amounts and "not available" in row[paid].lower():
            result.skip("not available on the paid tier")
        for i, (money, condition) in enumerate(amounts):
            if not is_token_unit(money.unit):
                result.skip(not_per_token(money.unit))
                continue
            if condition.strip().lower() in {"or", ""} and i + 1 < len(amounts):
                condition = amounts[i + 1][1]  # "$3.00 or $0.005/min (audio)": one price, two units
            modality = _modality(condition)
            if modality != "text":
                result.skip(f"{modality} {target} price")
                continue
            above = _ABOVE.search(condition)
            band = above.group(1) if above else ""
            prices = getattr(kinds, target)
            if band in prices:
                result.skip(f"second text {target} price for one prompt size")
                continue
            prices[band] = money
    return kinds


def _kind_of(label: str) -> str | None:
    if "storage" in label or "tuning" in label or "grounding" in label or label.startswith("image"):
        return None
    if "cach" in label:
        return "cached"
    if "input" in label:
        return "input"
    if "output" in label:
        return "output"
    return None


def _skip_name(label: str) -> str:
    for word in ("storage", "tuning", "grounding", "image"):
        if word in label:
            return word
    return "other"


def _records(table: _ModelTable, tier: str, kinds: _Kinds, chars_per_token: Decimal) -> list[PriceRecord]:
    """One record per prompt-size band: the lowest band is ``tier`` itself, the others its bands."""
    records = []
    for band in sorted(set(kinds.input) | set(kinds.output), key=lambda b: (b != "", int(b or 0))):
        name = tier if not band else context_tier(int(band) * 1000, base=tier)
        records.append(price_record(
            PROVIDER, table.key, model_name=table.name or None, tier=name,
            input_price=kinds.input.get(band), output_price=kinds.output.get(band),
            cached=kinds.cached.get(band), chars_per_token=chars_per_token,
        ))
    return records
