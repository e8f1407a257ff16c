"""Fireworks AI's pricing page, ``fireworks.ai/pricing`` (2023 onwards).

Fireworks prices serverless text models by parameter count, with a growing list of models
priced by name. The era is decided from the page's rows, never from the capture date:

| era | years | how we recognise it | unit |
|---|---|---|---|
| ``size-bands`` | 2023 .. 2024 | one table "Base model parameter count / $/1M tokens" of size bands only; mixture-of-experts bands name their models ("MoE 56.1B - 176B (DBRX, Mixtral 8x22B)") | per 1M tokens |
| ``named-models`` | 2025 .. today | the same table with rows for named models, some with one price, some with ``"$0.55 input, $2.19 output"`` | per 1M tokens |

A band is turned into one row per model it names in parentheses (each at the band's price);
a band naming none ("16.1B - 80B") is skipped and counted. Embedding and fine-tuning tables,
image models priced per step and dedicated GPUs priced per hour are skipped and counted.
"""

from __future__ import annotations

from llmflation.parsers import pricing_text as pt
from llmflation.parsers.money_strings import unit_in
from llmflation.parsers.price_tables import read_token_table
from llmflation.records import CaptureMeta, ParseError, ParseResult

PARSER_VERSION = "2"  # 2: the shared table and money reader also reads "$.50" and "Input/Output" columns
PROVIDER = "fireworks"


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    soup = pt.load_page(body, "fireworks")
    tables = pt.find_tables(soup)
    if not any(unit_in(" ".join(rows[0])) == "per_1m_tokens" for _, rows in tables):
        raise ParseError(
            "fireworks: no price table found: looked for a 'Base model ... $/1M tokens' table"
            " (size-bands era 2023-2024, named-models era 2025 onwards)"
        )
    result = ParseResult()
    for heading, rows in tables:
        if not read_token_table(rows, heading, PROVIDER, result):
            result.skip("table without token prices", max(len(rows) - 1, 0))
    if not result.prices:
        bands = result.skipped.get("size band without named models", 0)
        raise ParseError(
            f"fireworks: a '$/1M tokens' table is there but no row named a model with a readable price"
            f" ({bands} size bands naming no models)"
        )
    return result
