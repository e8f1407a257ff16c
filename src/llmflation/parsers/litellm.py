"""litellm's community price table, ``model_prices_and_context_window.json``.

The table is one JSON object ``{model_key: entry}``. Prices are USD per token (or per character)
as JSON numbers. What this parser relies on, learned from 23 versions of 2024-01 .. 2026-07:

- ``sample_spec`` (the first key since 2025) documents the schema: not a model, skipped.
- ``mode`` says what the entry is. ``chat``, ``completion`` and ``responses`` (text models served
  only through OpenAI's Responses API, such as ``o1-pro``) are the text-generation models we
  price; ``embedding``, ``image_generation``, ``audio_*``, ``rerank``, ``moderation``, ``search``,
  ``ocr``, ``video_generation``, ``realtime``... are skipped and counted by mode. Entries
  without a mode are Together/Fireworks size-band prices or metadata (``last_updated``,
  ``fallback_generalizations``), not models.
- ``provider`` is the entry's ``litellm_provider``. Copies of the table that stripped that field
  (the 2024-01/02 tokencost copies) get it back from the key: the ``provider/`` prefix litellm
  routes by, else the name families in ``_BARE_NAME_PROVIDERS`` (what later versions of the same
  table state for those keys; a test checks that).
- Kinds of price kept apart, each its own row (``tier``): standard (``input_cost_per_token``,
  ``output_cost_per_token``, cache read ``cache_read_input_token_cost`` (DeepSeek's older
  ``input_cost_per_token_cache_hit``), cache write
  ``cache_creation_input_token_cost``), ``batch`` (``*_batches``), ``priority`` and ``flex``
  (OpenAI service tiers), and context tiers ``*_above_<N>k_tokens`` -> ``context><N>k``, alone or
  combined (``priority/context>272k``). ``tiered_pricing`` lists (Dashscope) become the same
  context tiers by the lower end of their input-token range.
- Per-character prices (``input_cost_per_character``: Vertex AI PaLM/Gemini of 2024) are used
  only when the entry states no per-token price, converted with ``chars_per_token`` and marked
  ``converted_from_characters``.
- Entries priced only per second, per image or per request are not token prices: skipped and
  counted by that reason.
- ``deprecation_date`` on or before the capture's ``observed_at`` flags ``is_deprecated``;
  $0/$0 entries are flagged ``is_free``.
- The 2023 tables (``cookbook/community-resources/max_tokens.json``, plain or wrapped in
  ``{"MODEL_COST": {...}}``) had no modes at all: in a table without any ``mode``, every entry
  is a text model.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

from llmflation.parsers.common import load_json
from llmflation.normalize import DEFAULT_CHARS_PER_TOKEN, price_amount, usd_per_mtok
from llmflation.tiers import PriceClaims, context_tier
from llmflation.records import CaptureMeta, ParseError, ParseResult, PriceRecord

PARSER_VERSION = "2"

#: Modes whose entries are text-generation models priced per token.
TEXT_MODES = frozenset({"chat", "completion", "responses"})

#: Provider of keys without a ``provider/`` prefix, for copies of the table that dropped
#: ``litellm_provider``: the value the table itself gives those keys from 2024-03 on. First match wins.
_BARE_NAME_PROVIDERS: tuple[tuple[str, str], ...] = (
    ("gpt-3.5-turbo-instruct", "text-completion-openai"),
    ("babbage-", "text-completion-openai"),
    ("davinci-", "text-completion-openai"),
    ("gpt-", "openai"),
    ("ft:gpt-", "openai"),
    ("text-embedding-", "openai"),
    ("claude-", "anthropic"),
    ("text-bison", "vertex_ai-text-models"),
    ("text-unicorn", "vertex_ai-text-models"),
    ("chat-bison", "vertex_ai-chat-models"),
    ("codechat-bison", "vertex_ai-code-chat-models"),
    ("code-bison", "vertex_ai-code-text-models"),
    ("code-gecko", "vertex_ai-code-text-models"),
    ("gemini-pro-vision", "vertex_ai-vision-models"),
    ("gemini-", "vertex_ai-language-models"),
    ("command-light", "cohere_chat"),
    ("command", "cohere"),
    ("j2-", "ai21"),
    ("dolphin", "nlp_cloud"),
    ("chatdolphin", "nlp_cloud"),
    ("luminous-", "aleph_alpha"),
    ("ai21.", "bedrock"),
    ("amazon.", "bedrock"),
    ("anthropic.", "bedrock"),
    ("cohere.", "bedrock"),
    ("meta.", "bedrock"),
    ("together-ai-", "together_ai"),
)

#: One price field: its kind, optional context threshold (thousands of tokens), optional service tier.
_PRICE_FIELD = re.compile(
    r"^(?P<kind>input_cost_per_token_cache_hit|input_cost_per_token|output_cost_per_token|cache_read_input_token_cost"
    r"|cache_creation_input_token_cost|input_cost_per_character|output_cost_per_character)"
    r"(?:_above_(?P<kilotokens>\d{1,5})k_tokens)?"
    r"(?:_(?P<service>batches|priority|flex))?$"
)
_SERVICE_TIERS = {None: "standard", "batches": "batch", "priority": "priority", "flex": "flex"}

#: Fragments of field names that mark a price in a unit that is not tokens, with the skip reason.
_NON_TOKEN_UNITS: tuple[tuple[str, str], ...] = (
    ("_per_second", "priced per second, not per token"),
    ("_per_image", "priced per image, not per token"),
    ("_per_pixel", "priced per image, not per token"),
    ("_per_request", "priced per request, not per token"),
    ("_per_query", "priced per request, not per token"),
    ("_per_page", "priced per page, not per token"),
    ("_per_session", "priced per session, not per token"),
)


def parse(body: bytes, capture: CaptureMeta, *, chars_per_token: Decimal = DEFAULT_CHARS_PER_TOKEN) -> ParseResult:
    """Price records of every priced text model in one version of the table.

    ``chars_per_token`` converts per-character prices (``[normalize] chars_per_token``).
    Raises ``ParseError`` when the body is not such a table or holds no token price at all.
    """
    doc = load_json(body)
    if not isinstance(doc, dict):
        raise ParseError(f"expected a JSON object of model entries, got {type(doc).__name__}")
    wrapped = set(doc) == {"MODEL_COST"} and isinstance(doc["MODEL_COST"], dict)
    entries: dict[str, object] = doc["MODEL_COST"] if wrapped else doc
    # The 2023 tables had no modes at all: then every entry is a text model.
    legacy = wrapped or not any(isinstance(entry, dict) and "mode" in entry for entry in entries.values())
    observed = capture.observed_at.date()

    result = ParseResult()
    claims = PriceClaims("litellm price table")
    for key, entry in entries.items():
        if key == "sample_spec":
            result.skip("sample_spec (schema documentation)")
            continue
        if not isinstance(entry, dict):
            result.skip("not a model entry")
            continue
        mode = entry.get("mode", "chat" if legacy else None)
        if mode is None:
            result.skip("no mode (price band or metadata, not a model)")
            continue
        if not isinstance(mode, str) or mode not in TEXT_MODES:
            result.skip(f"mode {str(mode)[:40]!r} is not a text model")
            continue
        claims.extend(_entry_records(key, entry, observed, chars_per_token, result), f"entry {key}")
    result.prices.extend(claims.records)

    if not result.prices:
        raise ParseError(f"no token prices among {len(entries)} entries of the price table")
    # The records depend on the date only through deprecation dates: say which, for the parse cache.
    stated = (_date_of(entry.get("deprecation_date")) for entry in entries.values() if isinstance(entry, dict))
    result.date_boundaries = frozenset(d for d in stated if d is not None)
    return result


def provider_of(key: str, entry: dict[str, object]) -> str:
    """``litellm_provider``; for copies that dropped it, the key's prefix or name family."""
    stated = entry.get("litellm_provider")
    if isinstance(stated, str) and stated:
        return stated
    if "/" in key:
        return key.split("/", 1)[0]
    for prefix, provider in _BARE_NAME_PROVIDERS:
        if key.startswith(prefix):
            return provider
    return "unspecified"


def _entry_records(
    key: str,
    entry: dict[str, object],
    observed: date,
    chars_per_token: Decimal,
    result: ParseResult,
) -> list[PriceRecord]:
    """Every row of one text-model entry; the entry is counted as skipped when it has none."""
    groups: dict[tuple[str | None, str | None], dict[str, object]] = defaultdict(dict)
    for field_name, value in entry.items():
        match = _PRICE_FIELD.match(field_name)
        if match is None or value is None:
            continue
        groups[(match["kilotokens"], match["service"])][match["kind"]] = value
    tiered = entry.get("tiered_pricing")

    common = {
        "provider": provider_of(key, entry),
        "model_key": key,
        "is_deprecated": _is_deprecated(entry.get("deprecation_date"), observed),
        "context_window_tokens": _positive_int(entry.get("max_input_tokens")),
    }
    partial: list[str] = []  # tiers that state only one of input and output
    try:
        records = []
        if (None, None) in groups:
            for (kilotokens, service), fields in sorted(groups.items(), key=_group_order):
                tier = _tier_name(kilotokens, service)
                record = _group_record(tier, fields, common, chars_per_token)
                if record is None:
                    partial.append(tier)
                else:
                    records.append(record)
        elif isinstance(tiered, list) and tiered:
            records = _tiered_records(tiered, common)
    except ParseError as exc:
        result.skip(f"unreadable price ({_reason(exc)})")
        return []

    if not records or records[0].tier != "standard":
        # Without a standard price there is no headline; other tiers alone would mislead.
        result.skip(_no_price_reason(entry))
        return []
    for tier in partial:
        result.skip(f"{tier.split('/')[0]} tier without both input and output prices")
    return records


def _group_order(item: tuple[tuple[str | None, str | None], dict[str, object]]) -> tuple[int, str, int]:
    (kilotokens, service), _ = item
    return (0 if kilotokens is None and service is None else 1, service or "", int(kilotokens or 0))


def _tier_name(kilotokens: str | None, service: str | None) -> str:
    """``standard``, ``batch``, ``priority``, ``flex``, ``context>128k``, ``priority/context>272k``..."""
    tier = _SERVICE_TIERS[service]
    return tier if kilotokens is None else context_tier(int(kilotokens) * 1000, base=tier)


def _group_record(
    tier: str,
    fields: dict[str, object],
    common: dict[str, object],
    chars_per_token: Decimal,
) -> PriceRecord | None:
    """One row from the price fields of one tier; ``None`` unless both input and output are stated."""
    per_token = "input_cost_per_token" in fields or "output_cost_per_token" in fields
    if per_token:
        input_price = _optional(fields.get("input_cost_per_token"), "per_token")
        output_price = _optional(fields.get("output_cost_per_token"), "per_token")
    else:
        input_price = _optional(fields.get("input_cost_per_character"), "per_character", chars_per_token)
        output_price = _optional(fields.get("output_cost_per_character"), "per_character", chars_per_token)
    if input_price is None or output_price is None:
        return None
    return PriceRecord(
        **common,  # type: ignore[arg-type]
        input_usd_per_mtok=input_price,
        output_usd_per_mtok=output_price,
        cached_input_usd_per_mtok=_optional(
            fields.get("cache_read_input_token_cost", fields.get("input_cost_per_token_cache_hit")), "per_token"
        ),
        cache_write_usd_per_mtok=_optional(fields.get("cache_creation_input_token_cost"), "per_token"),
        unit_on_page="per_token" if per_token else "per_character",
        tier=tier,
        is_free=input_price == 0 and output_price == 0,
        converted_from_characters=not per_token,
    )


def _tiered_records(tiers: list[object], common: dict[str, object]) -> list[PriceRecord]:
    """Rows of a ``tiered_pricing`` list: ``[{input_cost_per_token, output_cost_per_token, range: [lo, hi]}]``."""
    records = []
    for tier_entry in tiers:
        if not isinstance(tier_entry, dict):
            raise ParseError("tiered_pricing entry is not an object")
        bounds = tier_entry.get("range")
        if not isinstance(bounds, list) or not bounds:
            raise ParseError("tiered_pricing entry without a range")
        low = price_amount(bounds[0])
        if low < 0 or low != low.to_integral_value():
            raise ParseError(f"tiered_pricing range starts at {bounds[0]!r}")
        input_price = _optional(tier_entry.get("input_cost_per_token"), "per_token")
        output_price = _optional(tier_entry.get("output_cost_per_token"), "per_token")
        if input_price is None or output_price is None:
            continue
        records.append(
            PriceRecord(
                **common,  # type: ignore[arg-type]
                input_usd_per_mtok=input_price,
                output_usd_per_mtok=output_price,
                cached_input_usd_per_mtok=_optional(tier_entry.get("cache_read_input_token_cost"), "per_token"),
                unit_on_page="per_token",
                tier="standard" if low == 0 else context_tier(int(low)),
                is_free=input_price == 0 and output_price == 0,
            )
        )
    records.sort(key=lambda r: r.tier != "standard")
    return records


def _optional(value: object, unit: str, chars_per_token: Decimal = DEFAULT_CHARS_PER_TOKEN) -> Decimal | None:
    return None if value is None else usd_per_mtok(value, unit, chars_per_token=chars_per_token)


def _no_price_reason(entry: dict[str, object]) -> str:
    """Why a text-model entry gave no row: a non-token unit, a one-sided price, or nothing."""
    fields = [name for name, value in entry.items() if value is not None]
    for fragment, reason in _NON_TOKEN_UNITS:
        if any(fragment in name and "cost" in name for name in fields):
            return reason
    if "input_cost_per_token" in fields or "input_cost_per_character" in fields:
        return "input price only"
    if "output_cost_per_token" in fields or "output_cost_per_character" in fields:
        return "output price only"
    return "no price stated"


def _is_deprecated(value: object, observed: date) -> bool:
    """True when ``deprecation_date`` (``YYYY-MM-DD``) is on or before the observation date."""
    stated = _date_of(value)
    return stated is not None and stated <= observed


def _date_of(value: object) -> date | None:
    """A ``YYYY-MM-DD`` date as litellm writes ``deprecation_date``; None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _positive_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _reason(exc: ParseError) -> str:
    """The first words of a parse error, so skip reasons group instead of listing every value."""
    return str(exc).split(":")[0]
