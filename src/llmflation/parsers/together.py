"""Together AI's pricing page: ``together.xyz/pricing`` (2023-2024), then ``together.ai/pricing``.

Together priced serverless inference by model size for most models, and by model for a few.
The era is decided from the page's tables, never from the capture date:

| era | years | how we recognise it | unit |
|---|---|---|---|
| ``single-price`` | 2023 .. 2024 | tables with one price column per 1M tokens (input = output): a table of named models (Llama 3.1 Turbo, Mixtral 8x7B...) and a table of size bands ("Up to 4B", "4.1B - 8B" ... "81.1B - 110B") | per 1M tokens |
| ``input-output`` | 2025 .. today | per-model tables with separate "Input" and "Output" columns per 1M tokens; "Free" endpoints | per 1M tokens |

Size bands are turned into model rows only where the band names its models in
parentheses; bands that name none are skipped and counted ("size band without named models"):
which models a band covered is not on the page, and guessing would invent prices. Image
models (per megapixel), embeddings, rerank, audio and fine-tuning tables are skipped and counted.
"""

from __future__ import annotations

from llmflation.parsers import pricing_text as pt
from llmflation.parsers.money_strings import unit_in
from llmflation.parsers.price_tables import read_token_table
from llmflation.records import CaptureMeta, ParseError, ParseResult

PARSER_VERSION = "2"  # 2: the shared table and money reader also reads "$.50" and "Input/Output" columns
PROVIDER = "together"


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    soup = pt.load_page(body, "together")
    tables = pt.find_tables(soup)
    era = _era(tables)
    if era is None:
        raise ParseError(
            "together: no price table found: looked for the input-output era (tables with 'Input' and"
            " 'Output' columns) and the single-price era (one 'per 1M tokens' price column)"
        )
    result = ParseResult()
    for heading, rows in tables:
        if not read_token_table(rows, heading, PROVIDER, result, default_unit="per_1m_tokens"):
            result.skip("table without token prices", max(len(rows) - 1, 0))
    if not result.prices:
        bands = result.skipped.get("size band without named models", 0)
        raise ParseError(
            f"together: page looks like the {era} era but no model row had a readable price"
            f" ({bands} size bands naming no models)"
        )
    return result


def _era(tables: list[tuple[str, list[list[str]]]]) -> str | None:
    headers = [" ".join(rows[0]).lower() for _, rows in tables]
    if any("input" in h and "output" in h for h in headers):
        return "input-output"
    if any(unit_in(h) in ("per_1m_tokens", "per_1k_tokens") for h in headers):
        return "single-price"
    return None
