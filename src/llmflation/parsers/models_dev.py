"""models.dev's open model database, ``https://models.dev/api.json`` (MIT).

The body is one JSON object ``{provider_id: {id, name, api, doc, models: {model_id: model}}}``:
about a hundred hosts, each listing the models it serves. A model states ``id``, ``name``,
``family``, ``release_date`` (``YYYY-MM-DD``, sometimes only ``YYYY-MM``), ``open_weights``,
``reasoning``, ``modalities {input, output}``, ``limit {context, output}``, ``status``
(``deprecated``, ``beta``) and ``cost`` in USD per million tokens: ``input``, ``output``,
``cache_read``, ``cache_write``, and above 200k prompt tokens ``context_over_200k`` with the same
keys. ``reasoning`` / ``input_audio`` / ``output_audio`` costs are not text token prices and are
not read.

Each listing gives a :class:`ModelRecord` (what the host says the model is) and, when it has
text input and output prices and outputs text, :class:`PriceRecord` rows: ``standard`` and
``context>200k``. ``provider`` is the models.dev provider id, written as our other sources
write the same host (:data:`PROVIDER_NAMES`: ``togetherai`` -> ``together``, ``fireworks-ai``
-> ``fireworks``); ``model_key`` is models.dev's model id under that provider, untouched.

The creator of a model is not a field of models.dev. A record states one only where the data
says it: the owner part of an ``owner/model`` id (``openai/gpt-4.1`` at OpenRouter), or the host
itself when the host is the model's maker (:data:`FIRST_PARTY_HOSTS`: every model under
``openai`` is OpenAI's). Elsewhere ``creator`` is ``None``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from llmflation.parsers.common import load_json, mapping, optional_text, positive_int, string_list
from llmflation.normalize import usd_per_mtok
from llmflation.records import CaptureMeta, ModelRecord, ParseError, ParseResult, PriceRecord
from llmflation.tiers import PriceClaims, context_tier

PARSER_VERSION = "1"

#: models.dev provider ids that name a host our other sources name differently.
PROVIDER_NAMES = {
    "togetherai": "together",
    "fireworks-ai": "fireworks",
    "amazon-bedrock": "bedrock",
    "google-vertex": "vertex_ai",
}

#: models.dev providers that are the makers of every model they list (their own API). Not
#: ``alibaba-cn``, whose list holds GLM, Kimi and DeepSeek models beside Qwen.
FIRST_PARTY_HOSTS = frozenset(
    {
        "openai",
        "anthropic",
        "google",
        "mistral",
        "deepseek",
        "xai",
        "cohere",
        "moonshotai",
        "moonshotai-cn",
        "zai",
        "zhipuai",
        "minimax",
        "minimax-cn",
        "alibaba",
        "perplexity",
        "inception",
        "upstage",
        "xiaomi",
        "stepfun",
        "llama",
        "nova",
    }
)

#: Cost keys read, and the PriceRecord field each fills.
_COST_FIELDS = {
    "input": "input_usd_per_mtok",
    "output": "output_usd_per_mtok",
    "cache_read": "cached_input_usd_per_mtok",
    "cache_write": "cache_write_usd_per_mtok",
}
#: An ``owner/model`` id: one slash, an owner of letters, digits, ``-``, ``_``, ``.`` (not ``@cf/meta/...``,
#: ``hf:org/...`` or ``accounts/fireworks/models/...``, which are a host's routes, not an owner).
_OWNER_MODEL = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)/[^/]+$")
_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Prompt size above which ``context_over_200k`` prices apply, in tokens.
_OVER_200K = 200_000


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    """Model and price records of every host's listing in ``body``."""
    doc = load_json(body)
    if not isinstance(doc, dict):
        raise ParseError(f"expected a JSON object of providers, got {type(doc).__name__}")
    result = ParseResult()
    claims = PriceClaims("models.dev")
    n_models = 0
    for key, host in doc.items():
        if not isinstance(host, dict) or not isinstance(host.get("models"), dict):
            result.skip("provider without a models object")
            continue
        stated_host = host.get("id")
        host_id = stated_host if isinstance(stated_host, str) else str(key)
        for model_key, model in host["models"].items():
            n_models += 1
            if not isinstance(model, dict):
                result.skip("model is not an object")
                continue
            stated_model = model.get("id")
            model_id = stated_model if isinstance(stated_model, str) else str(model_key)
            result.models.append(_model_record(host_id, model_id, model, result))
            claims.extend(_price_records(host_id, model_id, model, result), f"{host_id} model {model_id}")
    result.prices.extend(claims.records)
    if not result.prices:
        raise ParseError(f"no token prices among {n_models} models of {len(doc)} providers")
    return result


def provider_name(host_id: str) -> str:
    """Our name for a models.dev host (:data:`PROVIDER_NAMES`), else its models.dev id."""
    return PROVIDER_NAMES.get(host_id, host_id)


def _model_record(host_id: str, model_id: str, model: dict[str, object], result: ParseResult) -> ModelRecord:
    owner = _OWNER_MODEL.match(model_id)
    creator = owner[1].casefold() if owner else (host_id if host_id in FIRST_PARTY_HOSTS else None)
    modalities = mapping(model.get("modalities"))
    limit = mapping(model.get("limit"))
    return ModelRecord(
        model_key=model_id,
        name=optional_text(model.get("name")),
        creator=creator,
        family=optional_text(model.get("family")),
        provider=provider_name(host_id),
        release_date=_release_date(model.get("release_date"), result),
        open_weights=_flag(model.get("open_weights")),
        reasoning=_flag(model.get("reasoning")),
        input_modalities=string_list(modalities.get("input")),
        output_modalities=string_list(modalities.get("output")),
        context_window_tokens=positive_int(limit.get("context")),
    )


def _price_records(host_id: str, model_id: str, model: dict[str, object], result: ParseResult) -> list[PriceRecord]:
    cost = model.get("cost")
    if not isinstance(cost, dict) or not cost:
        result.skip("no cost stated")
        return []
    modalities = model.get("modalities")
    outputs = modalities.get("output") if isinstance(modalities, dict) else None
    if isinstance(outputs, list) and "text" not in outputs:
        result.skip("does not output text")
        return []
    tiers: list[tuple[str, dict[str, object]]] = [("standard", cost)]
    over = cost.get("context_over_200k")
    if isinstance(over, dict):
        tiers.append((context_tier(_OVER_200K), over))
    rows = []
    limit = model.get("limit")
    context = positive_int(limit.get("context")) if isinstance(limit, dict) else None
    for tier, values in tiers:
        try:
            prices = {column: _price(values.get(key)) for key, column in _COST_FIELDS.items()}
        except ParseError:
            result.skip("price is not a number")
            continue
        if prices["input_usd_per_mtok"] is None or prices["output_usd_per_mtok"] is None:
            result.skip("no input and output price")
            continue
        rows.append(
            PriceRecord(
                provider=provider_name(host_id),
                model_key=model_id,
                model_name=optional_text(model.get("name")),
                unit_on_page="per_1m_tokens",
                tier=tier,
                is_free=model_id.endswith(":free")
                or (prices["input_usd_per_mtok"] == 0 and prices["output_usd_per_mtok"] == 0),
                is_deprecated=model.get("status") == "deprecated",
                context_window_tokens=context,
                **prices,  # type: ignore[arg-type]
            )
        )
    return rows


def _price(value: object) -> Decimal | None:
    return None if value is None else usd_per_mtok(value, "per_1m_tokens")


def _release_date(value: object, result: ParseResult) -> datetime | None:
    """A ``YYYY-MM-DD`` date as UTC midnight; a month alone (``2025-03``) names no day and gives ``None``,
    and so does 1970-01-01, the Unix epoch, which some hosts write for "unknown"."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        result.skip("release date is not a day (YYYY-MM-DD)")
        return None
    if day == _UNIX_EPOCH:
        result.skip("release date is the Unix epoch (a placeholder)")
        return None
    return day



def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


