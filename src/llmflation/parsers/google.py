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
``context>200k``; the Batch tab gives tier ``batch``. Free-tier columns are not prices; "Free of
charge" in the paid column (experimental models) is a $0 price, flagged ``is_free``.
Storage, grounding, image, audio-input and tuning prices are skipped and counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from bs4 import BeautifulSoup

from llmflation.normalize import DEFAULT_CHARS_PER_TOKEN
from llmflation.parsers.money_strings import Money, is_token_unit, money_with_context, price_record
from llmflation.parsers.pricing_text import MAX_TABLES, clean, load_page, table_rows
from llmflation.records import CaptureMeta, ParseError, ParseResult, PriceRecord

PARSER_VERSION = "1"
PROVIDER = "google"
ERAS = ("per-1k-characters", "per-1m-context-tiers", "docs-per-model")

_ABOVE = re.compile(r"(?:>|longer than|more than|over|above)\s*(\d+)\s*k", re.I)
_PAID = re.compile(r"paid|pay-as-you-go|price", re.I)
_TABS = {"standard": "standard", "batch": "batch"}


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


def _parse(body: bytes, chars_per_token: Decimal) -> ParseResult:
    soup = load_page(body, "google pricing page")
    text = clean(soup.get_text(" "))
    era = _era(text)
    default_unit = "per_1m_tokens" if era == "docs-per-model" else None
    result = ParseResult()
    for model_key, model_name, tab, rows in _model_tables(soup):
        paid = _paid_column(rows[0])
        if paid is None:
            continue
        if not model_key:
            result.skip("price table without a model heading")
            continue
        kinds = _read_rows(rows[1:], paid, default_unit, result)
        result.prices.extend(_records(model_key, model_name, tab, kinds, chars_per_token, result))
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


def _model_tables(soup: BeautifulSoup) -> list[tuple[str, str, str, list[list[str]]]]:
    """Each table with the model it prices and its tab, in one document-order pass:
    ``(model_key, model_name, tab, rows)``.

    The model is the nearest ``h2`` before the table, keyed by the first ``code`` element after
    that heading when there is one (``gemini-2.5-pro``); the tab is an ``h3`` after the heading
    ("Standard", "Batch"), else ``standard``.
    """
    found: list[tuple[str, str, str, list[list[str]]]] = []
    name = key = ""
    tab = "standard"
    for tag in soup.find_all(["h2", "h3", "code", "table"]):
        if tag.name == "h2":
            name = key = clean(tag.get_text(" "))
            tab = "standard"
        elif tag.name == "code":
            if name and key == name and tag.find_parent("table") is None:
                key = clean(tag.get_text())
        elif tag.name == "h3":
            tab = _TABS.get(clean(tag.get_text(" ")).lower(), "standard")
        else:
            if len(found) >= MAX_TABLES:
                raise ParseError(f"page has more than {MAX_TABLES} tables: not a pricing page")
            rows = table_rows(tag)
            if rows:
                found.append((key, name, tab, rows))
    return found


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
        for money, condition in amounts:
            if not is_token_unit(money.unit):
                result.skip(f"not a token price ({money.unit})")
                continue
            if "audio" in condition.lower():
                result.skip("audio input price")
                continue
            above = _ABOVE.search(condition)
            tier = f"context>{above.group(1)}k" if above else ""
            getattr(kinds, target).setdefault(tier, money)
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


def _records(model_key: str, model_name: str | None, tab: str, kinds: _Kinds,
             chars_per_token: Decimal, result: ParseResult) -> list[PriceRecord]:
    records = []
    for tier in sorted(set(kinds.input) | set(kinds.output)):
        if tab == "batch" and tier:
            result.skip("batch price above a prompt size")
            continue
        name = tab if not tier else tier
        records.append(price_record(
            PROVIDER, model_key, model_name=model_name, tier=name,
            input_price=kinds.input.get(tier), output_price=kinds.output.get(tier),
            cached=kinds.cached.get(tier), chars_per_token=chars_per_token,
        ))
    return records
