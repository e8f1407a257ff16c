"""pydantic/genai-prices' compiled price database, ``prices/data.json``.

The body is a JSON list of providers ``{id, name, models: [{id, name, prices, ...}]}``; prices are
USD per million tokens (``input_mtok``, ``output_mtok``, ``cache_read_mtok``, ``cache_write_mtok``).
One row per provider x model, ``provider`` = the genai-prices provider id (``openai``, ``aws``,
``huggingface_together``...), ``model_key`` = the model id. What the parser relies on
(``data.schema.json`` and three versions, 2025-06 .. 2026-08):

- ``prices`` is one price set, or a list of conditional price sets. The schema says the list is
  tried last to first and the first whose constraint holds is used, else the first set.
  ``constraint.start_date`` is resolved against the capture's ``observed_at``: the row carries the
  price in force on that date (a price announced for later is not yet a price).
  ``constraint.start_time/end_time`` (DeepSeek's daily discount hours) gives one row per daily
  window, tier ``hours HH:MM:SSZ-HH:MM:SSZ``, and one for the rest of the day, tier ``hours outside
  ...``: neither is the headline, since the data does not say which one is the list price.
- A value may be tiered by input tokens, ``{"base": 3, "tiers": [{"start": 200000, "price": 6}]}``:
  the base is the standard row, each tier start a ``context>200k`` row.
- Text input and output prices are both needed for a row; models with an input price only
  (embeddings) or none (free ``:free`` listings with empty prices) are skipped and counted.
- ``deprecated: true`` flags ``is_deprecated``; $0/$0 and ``:free`` ids flag ``is_free``.
  Audio, image and per-request prices are not text token prices and are not read.
- The 2025-06 layout (``matches``, explicit ``null`` for absent prices) reads the same way.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from llmflation.parsers.common import load_json
from llmflation.normalize import price_amount, usd_per_mtok
from llmflation.records import CaptureMeta, ModelRecord, ParseError, ParseResult, PriceRecord
from llmflation.tiers import PriceClaims, context_tier

PARSER_VERSION = "2"

#: Text token prices read from a price set, and the PriceRecord field each one fills.
_FIELDS = {
    "input_mtok": "input_usd_per_mtok",
    "output_mtok": "output_usd_per_mtok",
    "cache_read_mtok": "cached_input_usd_per_mtok",
    "cache_write_mtok": "cache_write_usd_per_mtok",
}

Window = tuple[str, str]


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    """Price records of every model with text token prices, as in force at ``capture.observed_at``."""
    doc = load_json(body)
    if not isinstance(doc, list):
        raise ParseError(f"expected a JSON list of providers, got {type(doc).__name__}")
    observed = capture.observed_at.date()
    result = ParseResult()
    n_models = 0
    claims = PriceClaims("genai-prices data")
    for provider in doc:
        if not isinstance(provider, dict) or not isinstance(provider.get("id"), str):
            result.skip("provider without an id")
            continue
        models = provider.get("models")
        if not isinstance(models, list):
            result.skip("provider without a models list")
            continue
        n_models += len(models)
        for model in models:
            model_id = model.get("id") if isinstance(model, dict) else None
            if isinstance(model_id, str):
                result.models.append(model_record(provider["id"], model))
            claims.extend(_model_records(provider["id"], model, observed, result), f"{provider['id']} model {model_id}")
    result.prices.extend(claims.records)
    if not result.prices:
        raise ParseError(f"no token prices among {n_models} models of {len(doc)} providers")
    result.date_boundaries = _start_dates(doc)
    return result


#: genai-prices provider ids that are the makers of every model they list (their own APIs). Not
#: ``google``, whose list holds Vertex AI's Claude models beside Gemini.
FIRST_PARTY_PROVIDERS = frozenset(
    {"openai", "anthropic", "mistral", "deepseek", "x-ai", "cohere", "moonshotai", "minimax", "zhipuai", "perplexity"}
)


def model_record(provider_id: str, model: dict[str, object]) -> ModelRecord:
    """The model's id and name as genai-prices lists it under ``provider_id``.

    The creator is stated only where the data says it: the owner of an ``owner/model`` id, or the
    provider itself when it is the model's maker (:data:`FIRST_PARTY_PROVIDERS`).
    """
    model_key: str = model["id"]  # type: ignore[assignment]
    owner, slash, _ = model_key.partition("/")
    creator = owner.casefold() if slash and owner else (provider_id if provider_id in FIRST_PARTY_PROVIDERS else None)
    name = model.get("name")
    context = model.get("context_window")
    return ModelRecord(
        model_key=model_key,
        name=name.strip() if isinstance(name, str) and name.strip() else None,
        creator=creator,
        provider=provider_id,
        context_window_tokens=context if isinstance(context, int) and not isinstance(context, bool) and context > 0 else None,
    )


def _start_dates(doc: list[object]) -> frozenset[date]:
    """Every readable ``constraint.start_date``: the only way the records depend on the capture's date."""
    found = set()
    for provider in doc:
        models = provider.get("models") if isinstance(provider, dict) else None
        for model in models if isinstance(models, list) else []:
            prices = model.get("prices") if isinstance(model, dict) else None
            for entry in prices if isinstance(prices, list) else []:
                constraint = entry.get("constraint") if isinstance(entry, dict) else None
                if isinstance(constraint, dict) and "start_date" in constraint:
                    try:
                        found.add(_start_date(constraint["start_date"]))
                    except ParseError:
                        pass  # unreadable: that model is skipped whatever the date
    return frozenset(found)


def _model_records(provider_id: str, model: object, observed: date, result: ParseResult) -> list[PriceRecord]:
    if not isinstance(model, dict) or not isinstance(model.get("id"), str):
        result.skip("model without an id")
        return []
    model_key: str = model["id"]
    try:
        price_sets = prices_in_force(model.get("prices"), observed)
        rows = [row for label, price_set in price_sets for row in _tier_rows(label, price_set)]
    except ParseError as exc:
        result.skip(f"unreadable price ({str(exc).split(':')[0]})")
        return []

    priced = [row for row in rows if row[1].get("input_usd_per_mtok") is not None
              and row[1].get("output_usd_per_mtok") is not None]
    if not priced:
        has_input = any(row[1].get("input_usd_per_mtok") is not None for row in rows)
        result.skip("input price only" if has_input else "no text token prices")
        return []

    name = model.get("name")
    context = model.get("context_window")
    return [
        PriceRecord(
            provider=provider_id,
            model_key=model_key,
            model_name=name if isinstance(name, str) else None,
            unit_on_page="per_1m_tokens",
            tier=tier,
            is_free=model_key.endswith(":free")
            or (prices["input_usd_per_mtok"] == 0 and prices["output_usd_per_mtok"] == 0),
            is_deprecated=model.get("deprecated") is True,
            context_window_tokens=context if isinstance(context, int) and not isinstance(context, bool) else None,
            **prices,  # type: ignore[arg-type]
        )
        for tier, prices in priced
    ]


def prices_in_force(prices: object, observed: date) -> list[tuple[str, dict[str, object]]]:
    """The price sets that apply on ``observed``, each with its tier label.

    One ``("standard", set)`` for a plain price set or dated changes; one per daily time window
    plus one for the rest of the day when the model has time-of-day prices.
    """
    if isinstance(prices, dict):
        return [("standard", prices)]
    if not isinstance(prices, list) or not prices:
        raise ParseError("prices is neither a price set nor a non-empty list")
    conditional: list[tuple[dict[str, object], object]] = []
    for entry in prices:
        if not isinstance(entry, dict) or not isinstance(entry.get("prices"), dict):
            raise ParseError("conditional price without a prices object")
        conditional.append((entry["prices"], entry.get("constraint")))
    windows: list[Window] = []
    for _, constraint in conditional:
        window = _window(constraint)
        if window is not None and window not in windows:
            windows.append(window)

    outside = _in_force(conditional, observed, None)
    labelled = [(f"hours {start}-{end}", chosen) for start, end in windows
                if (chosen := _in_force(conditional, observed, (start, end))) is not outside]
    if not labelled:
        return [("standard", outside)]
    outside_label = "hours outside " + ",".join(f"{start}-{end}" for start, end in windows)
    return [(outside_label, outside), *labelled]


def _in_force(conditional: list[tuple[dict[str, object], object]], observed: date, window: Window | None) -> dict[str, object]:
    """The set used at a moment on ``observed`` inside ``window`` (None: outside every window)."""
    for price_set, constraint in reversed(conditional):
        if constraint is None:
            return price_set
        if not isinstance(constraint, dict):
            raise ParseError("constraint is not an object")
        if "start_date" in constraint:
            if _start_date(constraint["start_date"]) <= observed:
                return price_set
        elif _window(constraint) is None:
            raise ParseError(f"unknown constraint {sorted(constraint)[:3]}")
        elif _window(constraint) == window:
            return price_set
    return conditional[0][0]


def _window(constraint: object) -> Window | None:
    if isinstance(constraint, dict) and isinstance(constraint.get("start_time"), str) and isinstance(constraint.get("end_time"), str):
        return constraint["start_time"][:20], constraint["end_time"][:20]
    return None


def _start_date(value: object) -> date:
    if not isinstance(value, str):
        raise ParseError(f"start_date is not a string: {value!r}")
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise ParseError(f"start_date is not a date: {value[:40]!r}") from exc


def _tier_rows(label: str, price_set: dict[str, object]) -> list[tuple[str, dict[str, Decimal | None]]]:
    """Rows of one price set: its base prices under ``label``, then one per input-token tier start."""
    bases: dict[str, Decimal | None] = {}
    steps: dict[str, list[tuple[int, Decimal]]] = {}
    for source_field, record_field in _FIELDS.items():
        value = price_set.get(source_field)
        if isinstance(value, dict):
            bases[record_field] = _mtok(value.get("base"))
            steps[record_field] = _tiers(value.get("tiers"))
        else:
            bases[record_field] = None if value is None else _mtok(value)
    rows = [(label, bases)]
    starts = sorted({start for field_steps in steps.values() for start, _ in field_steps})
    for start in starts:
        prices = dict(bases)
        for record_field, field_steps in steps.items():
            for step_start, price in field_steps:
                if step_start <= start:
                    prices[record_field] = price
        rows.append((context_tier(start, base=label), prices))
    return rows


def _tiers(value: object) -> list[tuple[int, Decimal]]:
    if not isinstance(value, list):
        raise ParseError("tiered price without a tiers list")
    steps = []
    for tier in value:
        if not isinstance(tier, dict):
            raise ParseError("tier is not an object")
        start = price_amount(tier.get("start"))
        if start <= 0 or start != start.to_integral_value():
            raise ParseError(f"tier start is not a positive whole number: {tier.get('start')!r}")
        steps.append((int(start), _mtok(tier.get("price"))))
    return sorted(steps)


def _mtok(value: object) -> Decimal:
    if value is None:
        raise ParseError("tiered price without a base or price")
    return usd_per_mtok(value, "per_1m_tokens")
