"""DeepInfra's pricing page, ``deepinfra.com/pricing`` (2023 onwards).

DeepInfra serves open models and prices each by name. The era is decided from the page's
content, never from the capture date:

| era | years | how we recognise it | unit |
|---|---|---|---|
| ``html-table`` | 2023 .. 2024 | a table "Model / Context / $ per 1M input tokens / $ per 1M output tokens"; other models billed per second of inference time | per 1M tokens |
| ``next-data`` | 2025 .. today | the page's Next.js ``__NEXT_DATA__`` JSON holds the model list; each model has ``model_name``, ``type`` and ``pricing`` with ``type: "tokens"``, ``cents_per_input_token`` and ``cents_per_output_token`` | US cents per token |

When the page carries ``__NEXT_DATA__`` with models in it, that JSON is read rather than the
visible text: it is what the page renders its table from, with full precision and the models'
own ids (``meta-llama/Llama-3.3-70B-Instruct``). Models that are not text generation
(embeddings, images, speech), prices per second or per image, are skipped and counted;
a non-null ``deprecated`` marks the record deprecated.
"""

from __future__ import annotations

from decimal import Decimal
from collections.abc import Iterator

from llmflation.normalize import price_amount, usd_per_mtok
from llmflation.parsers import pricing_text as pt
from llmflation.parsers.price_tables import read_token_table
from llmflation.records import CaptureMeta, ParseError, ParseResult, PriceRecord

PARSER_VERSION = "3"  # 2: the shared table and money reader also reads "$.50" and "Input/Output" columns; 3: a price implausible once in dollars skips its model, not the page
PROVIDER = "deepinfra"

#: How deep into ``__NEXT_DATA__`` we look for model entries; the page nests them a few levels.
_MAX_DEPTH = 12


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    soup = pt.load_page(body, "deepinfra")
    result = ParseResult()
    data = pt.embedded_json(soup, "deepinfra")
    models = list(_model_entries(data, 0)) if data is not None else []
    if models:
        for entry in models:
            _read_model(entry, result)
        if not result.prices:
            raise ParseError(f"deepinfra: next-data era: {len(models)} models in __NEXT_DATA__, none priced per token")
        return result
    tables = pt.find_tables(soup)
    for heading, rows in tables:
        if not read_token_table(rows, heading, PROVIDER, result):
            result.skip("table without token prices", max(len(rows) - 1, 0))
    if not result.prices:
        raise ParseError(
            "deepinfra: no prices found: looked for the next-data era (models with 'pricing' in __NEXT_DATA__)"
            " and the html-table era ('$ per 1M input tokens' / '$ per 1M output tokens' columns)"
        )
    return result


def _model_entries(node: object, depth: int) -> Iterator[dict[str, object]]:
    """Every dict in the JSON tree that looks like a model entry (has ``model_name`` and ``pricing``)."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, dict):
        if isinstance(node.get("model_name"), str) and isinstance(node.get("pricing"), dict):
            yield node
            return
        for value in node.values():
            yield from _model_entries(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            yield from _model_entries(value, depth + 1)


def _read_model(entry: dict[str, object], result: ParseResult) -> None:
    model_type = entry.get("type")
    if model_type not in (None, "text-generation"):
        result.skip(f"not a text-generation model ({model_type})")
        return
    pricing: dict[str, object] = entry["pricing"]  # type: ignore[assignment]
    if pricing.get("type") != "tokens":
        result.skip(f"priced by {pricing.get('type')!s}, not per token")
        return
    try:
        cents_in = price_amount(pricing.get("cents_per_input_token"))
        cents_out = price_amount(pricing.get("cents_per_output_token"))
    except ValueError:
        result.skip("price is not a number")
        return
    if cents_in < 0 or cents_out < 0:
        result.skip("negative price")
        return
    try:
        usd_in, usd_out = _cents_per_token(cents_in), _cents_per_token(cents_out)
    except ValueError:  # plausible in cents, not once in dollars (1e-29 cents is 1e-31 USD)
        result.skip("price out of any plausible range")
        return
    context = entry.get("max_tokens")
    quantization = entry.get("quantization")
    result.prices.append(
        PriceRecord(
            provider=PROVIDER,
            model_key=str(entry["model_name"]),
            input_usd_per_mtok=usd_in,
            output_usd_per_mtok=usd_out,
            unit_on_page="per_token",
            is_free=cents_in == 0 and cents_out == 0,
            is_deprecated=entry.get("deprecated") not in (None, False, 0, ""),
            quantization=quantization if isinstance(quantization, str) else None,
            context_window_tokens=context if isinstance(context, int) and not isinstance(context, bool) else None,
        )
    )


def _cents_per_token(cents: Decimal) -> Decimal:
    """US cents per token -> USD per 1M tokens (cents / 100 dollars, times 1M tokens)."""
    return usd_per_mtok(cents / 100, "per_token")
