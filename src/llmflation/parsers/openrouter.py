"""OpenRouter's model list and per-model endpoints lists.

Two responses, told apart by content:

- ``GET https://openrouter.ai/api/v1/models``: ``{"data": [model, ...]}``. Each model has
  ``pricing.prompt`` and ``pricing.completion`` in USD per token, as decimal strings
  (``"0.000000075"``), and optionally ``input_cache_read`` / ``input_cache_write``. That is what
  OpenRouter charges when it routes the request itself, so the provider is ``openrouter``.
  Also read when a tracker wrapped the response (an object with the API's ``data`` list in it).
- ``GET https://openrouter.ai/api/v1/models/{author}/{slug}/endpoints``: ``{"data": {"id",
  "name", "architecture", "endpoints": [endpoint, ...]}}``, one endpoint per serving provider,
  each with its own ``pricing`` (same units), ``provider_name`` (who serves it: the row's
  provider), ``quantization`` (``fp8``, ``bf16``, ``unknown``...: recorded as stated),
  ``context_length``. The model's ``id`` is the row's ``model_key``.

Conventions of the API that matter:
- ``"-1"`` marks a router whose price depends on the model it picks (``openrouter/auto``):
  not a price, skipped.
- ``:free`` variants and ``0``/``0`` prices are flagged ``is_free`` and kept out of "cheapest".
- Models that cannot output text (image generators) are skipped: not chat models.

``endpoint_urls`` turns a model list into the endpoints URLs to capture next (the registry's
``follow`` hook for the ``openrouter`` source).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import quote, urlsplit, urlunsplit

from llmflation.parsers.common import load_json, mapping, optional_text, positive_int, string_list
from llmflation.normalize import price_amount, usd_per_mtok
from llmflation.records import CaptureMeta, ModelRecord, ParseError, ParseResult, PriceRecord
from llmflation.tiers import PriceClaims

PARSER_VERSION = "3"

#: Upper bound on endpoints URLs one model list leads to. OpenRouter listed about 350 models in
#: 2025-26; the bound keeps a hostile or runaway list from turning into an unbounded crawl.
MAX_ENDPOINT_URLS = 1000

#: A model id as OpenRouter writes them: ``author/slug``, slug optionally ``:variant``.
_MODEL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}/[A-Za-z0-9][A-Za-z0-9._~:-]{0,127}$")


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    """Price records of a model list or of one model's endpoints list, whichever ``body`` holds."""
    doc = load_json(body)
    data = doc.get("data") if isinstance(doc, dict) else None
    if isinstance(data, list):
        return _parse_model_list(data)
    if isinstance(data, dict) and isinstance(data.get("endpoints"), list):
        return _parse_endpoints(data)
    raise ParseError("expected an object whose 'data' is a list of models or a model with an 'endpoints' list")


def endpoint_urls(body: bytes, models_url: str, *, limit: int = MAX_ENDPOINT_URLS) -> list[str]:
    """The endpoints-list URLs to capture after the model list ``body`` fetched from ``models_url``.

    One URL per model that outputs text and has a fixed price, in list order, without repeats:
    ``{models_url}/{author}/{slug}/endpoints``. Skipped: ``:free`` variants (their endpoints are
    $0 promotional copies of the paid model's), other ``:variant`` ids whose base model is listed
    too (``:exacto``, ``:thinking``... are served by the base model's providers; their own price
    is in the model list), routers priced ``-1``, image-only models, ids that are not
    ``author/slug``. At most ``limit`` URLs, to keep one night's crawl bounded. Raises
    ``ParseError`` when ``body`` is not a model list, like ``parse``.
    """
    doc = load_json(body)
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, list):
        raise ParseError("expected an object with a 'data' list of models")
    parts = urlsplit(models_url)
    base_path = parts.path.rstrip("/")
    listed = {entry["id"] for entry in data if isinstance(entry, dict) and isinstance(entry.get("id"), str)}
    urls: list[str] = []
    for entry in data:
        if len(urls) >= limit:
            break
        model_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(model_id, str) or not _MODEL_ID.match(model_id) or model_id.endswith(":free"):
            continue
        if ":" in model_id and model_id.split(":", 1)[0] in listed:
            continue
        if not _outputs_text(entry) or _is_router(entry):
            continue
        author, slug = model_id.split("/")
        path = f"{base_path}/{quote(author, safe='')}/{quote(slug, safe=':')}/endpoints"
        url = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
        if url not in urls:
            urls.append(url)
    return urls


def _parse_model_list(models: list[object]) -> ParseResult:
    result = ParseResult()
    claims = PriceClaims("openrouter models list")
    for entry in models:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            result.skip("entry without an id")
            continue
        result.models.append(model_record(entry))
        if not _outputs_text(entry):
            result.skip("does not output text")
            continue
        record = _price_record(
            result,
            pricing=entry.get("pricing"),
            provider="openrouter",
            model_key=entry["id"],
            model_name=entry.get("name"),
            context=entry.get("context_length"),
        )
        if record is not None:
            claims.add(record, f"entry {entry['id']}")
    result.prices.extend(claims.records)
    if not result.prices:
        raise ParseError(f"no token prices among {len(models)} entries of 'data'")
    return result


def model_record(entry: dict[str, object]) -> ModelRecord:
    """What the model list states about one model: its creator is the ``author`` part of its id.

    ``created`` (Unix seconds) is when OpenRouter first listed the model, not its release;
    ``canonical_slug`` is OpenRouter's permanent name for the model behind the id (for
    ``openai/gpt-4.1`` it is the snapshot ``openai/gpt-4.1-2025-04-14``).
    """
    model_id: str = entry["id"]  # type: ignore[assignment]
    author = model_id.split("/", 1)[0].casefold() if "/" in model_id else None
    architecture = mapping(entry.get("architecture"))
    created = entry.get("created")
    listed = (
        datetime.fromtimestamp(created, tz=UTC)
        if isinstance(created, (int, float)) and not isinstance(created, bool) and created > 0
        else None
    )
    return ModelRecord(
        model_key=model_id,
        name=optional_text(entry.get("name")),
        creator=author,
        provider="openrouter",
        first_listed_at=listed,
        hugging_face_id=optional_text(entry.get("hugging_face_id")),
        canonical_slug=optional_text(entry.get("canonical_slug")),
        input_modalities=string_list(architecture.get("input_modalities")),
        output_modalities=string_list(architecture.get("output_modalities")),
        context_window_tokens=positive_int(entry.get("context_length")),
    )



def _parse_endpoints(model: dict[str, object]) -> ParseResult:
    model_key = model.get("id")
    if not isinstance(model_key, str) or not model_key:
        raise ParseError("endpoints list without the model's 'id'")
    endpoints: list[object] = model["endpoints"]  # type: ignore[assignment]
    if not _outputs_text(model):
        raise ParseError(f"{model_key} does not output text: its {len(endpoints)} endpoints are not token prices")
    result = ParseResult()
    claims = PriceClaims(f"openrouter endpoints of {model_key}")
    for endpoint in endpoints:
        if not isinstance(endpoint, dict):
            result.skip("endpoint is not an object")
            continue
        provider = endpoint.get("provider_name")
        if not isinstance(provider, str) or not provider.strip():
            result.skip("endpoint without a provider_name")
            continue
        quantization = endpoint.get("quantization")
        record = _price_record(
            result,
            pricing=endpoint.get("pricing"),
            provider=provider.strip(),
            model_key=model_key,
            model_name=endpoint.get("model_name") or model.get("name"),
            context=endpoint.get("context_length"),
            quantization=quantization if isinstance(quantization, str) and quantization else None,
        )
        if record is not None:
            claims.add(record, f"endpoint {provider.strip()} {endpoint.get('tag') or ''}".strip())
    result.prices.extend(claims.records)
    if not result.prices:
        raise ParseError(f"no token prices among {len(endpoints)} endpoints of {model_key}")
    return result


def _price_record(
    result: ParseResult,
    *,
    pricing: object,
    provider: str,
    model_key: str,
    model_name: object,
    context: object,
    quantization: str | None = None,
) -> PriceRecord | None:
    """One row from a ``pricing`` object; ``None`` (counted by reason) when it holds no token price."""
    if not isinstance(pricing, dict) or "prompt" not in pricing or "completion" not in pricing:
        result.skip("no prompt/completion pricing")
        return None
    try:
        prompt = price_amount(pricing["prompt"])
        completion = price_amount(pricing["completion"])
        if prompt < 0 or completion < 0:
            result.skip("variable price (router)")
            return None
        cache_read = _optional_price(pricing.get("input_cache_read"))
        cache_write = _optional_price(pricing.get("input_cache_write"))
    except ParseError:
        result.skip("price is not a number")
        return None
    return PriceRecord(
        provider=provider,
        model_key=model_key,
        model_name=model_name if isinstance(model_name, str) else None,
        input_usd_per_mtok=usd_per_mtok(prompt, "per_token"),
        output_usd_per_mtok=usd_per_mtok(completion, "per_token"),
        cached_input_usd_per_mtok=cache_read,
        cache_write_usd_per_mtok=cache_write,
        unit_on_page="per_token",
        is_free=model_key.endswith(":free") or (prompt == 0 and completion == 0),
        quantization=quantization,
        context_window_tokens=context if isinstance(context, int) and not isinstance(context, bool) else None,
    )


def _outputs_text(entry: dict[str, object]) -> bool:
    """False only when the entry states output modalities and text is not among them."""
    architecture = entry.get("architecture")
    outputs = architecture.get("output_modalities") if isinstance(architecture, dict) else None
    return not isinstance(outputs, list) or "text" in outputs


def _is_router(entry: dict[str, object]) -> bool:
    pricing = entry.get("pricing")
    if not isinstance(pricing, dict):
        return False
    try:
        return price_amount(pricing.get("prompt")) < 0
    except ParseError:
        return False


def _optional_price(value: object) -> Decimal | None:
    """A cache price in USD per 1M tokens; absent or negative (unknown) -> None."""
    if value is None:
        return None
    amount = price_amount(value)
    return usd_per_mtok(amount, "per_token") if amount >= 0 else None
