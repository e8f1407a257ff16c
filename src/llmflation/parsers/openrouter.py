"""OpenRouter's model list, ``GET https://openrouter.ai/api/v1/models``.

Each entry of ``data`` has ``pricing.prompt`` and ``pricing.completion`` in USD per token, as
decimal strings (``"0.000000075"``), and optionally ``input_cache_read`` / ``input_cache_write``.
The price here is what OpenRouter charges when it routes the request itself, so the provider
is ``openrouter``; per-provider prices come from each model's endpoints list.

Conventions of the API that matter:
- ``"-1"`` marks a router whose price depends on the model it picks (``openrouter/auto``):
  not a price, skipped.
- ``:free`` variants and ``0``/``0`` prices are flagged ``is_free`` and kept out of "cheapest".
- Models that cannot output text (image generators) are skipped: not chat models.

Also reads the same list wrapped by a tracker (an object with the API's ``data`` list in it).
"""

from __future__ import annotations

from decimal import Decimal

from llmflation.normalize import to_usd_per_mtok
from llmflation.parsers.common import load_json
from llmflation.records import CaptureMeta, ParseError, ParseResult, PriceRecord, as_decimal

PARSER_VERSION = "1"


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    doc = load_json(body)
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise ParseError("expected an object with a 'data' list of models")
    result = ParseResult()
    for entry in doc["data"]:
        record = _price_record(entry, result)
        if record is not None:
            result.prices.append(record)
    if not result.prices:
        raise ParseError(f"no token prices among {len(doc['data'])} entries of 'data'")
    return result


def _price_record(entry: object, result: ParseResult) -> PriceRecord | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        result.skip("entry without an id")
        return None
    pricing = entry.get("pricing")
    if not isinstance(pricing, dict) or "prompt" not in pricing or "completion" not in pricing:
        result.skip("no prompt/completion pricing")
        return None
    outputs = (entry.get("architecture") or {}).get("output_modalities")
    if isinstance(outputs, list) and "text" not in outputs:
        result.skip("does not output text")
        return None
    try:
        prompt = as_decimal(pricing["prompt"])
        completion = as_decimal(pricing["completion"])
    except ParseError:
        result.skip("price is not a number")
        return None
    if prompt < 0 or completion < 0:
        result.skip("variable price (router)")
        return None

    model_key: str = entry["id"]
    context = entry.get("context_length")
    return PriceRecord(
        provider="openrouter",
        model_key=model_key,
        model_name=entry.get("name") if isinstance(entry.get("name"), str) else None,
        input_usd_per_mtok=to_usd_per_mtok(prompt, "per_token"),
        output_usd_per_mtok=to_usd_per_mtok(completion, "per_token"),
        cached_input_usd_per_mtok=_optional_price(pricing.get("input_cache_read")),
        cache_write_usd_per_mtok=_optional_price(pricing.get("input_cache_write")),
        unit_on_page="per_token",
        is_free=model_key.endswith(":free") or (prompt == 0 and completion == 0),
        context_window_tokens=context if isinstance(context, int) else None,
    )


def _optional_price(value: object) -> Decimal | None:
    if value is None:
        return None
    amount = as_decimal(value)
    return to_usd_per_mtok(amount, "per_token") if amount >= 0 else None
