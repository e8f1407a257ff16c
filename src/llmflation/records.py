"""The records that parsers return, and the capture metadata they are given.

Parsers are pure: ``parse(body: bytes, capture: CaptureMeta) -> ParseResult``. They
never touch the network, the clock or the raw store. Everything a published number
needs to be traced (URL, time, sha256, parser) comes from the ``CaptureMeta`` and is
attached by the build, not by the parser.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


class ParseError(ValueError):
    """Bytes that do not hold what the parser expects (wrong layout, no prices, bad JSON).

    The message names the problem; the build adds the source id and the capture.
    """


@dataclass(frozen=True)
class CaptureMeta:
    """What the raw store knows about one capture, handed to the parser with its bytes."""

    capture_id: str
    source_id: str
    url: str
    observed_at: datetime  # UTC; the Wayback timestamp, or the fetch time for a live capture
    via: str  # "live" | "wayback"
    status: int
    content_type: str
    sha256: str
    size: int
    wayback_timestamp: str | None = None  # 14-digit Wayback timestamp when via == "wayback"
    wayback_digest: str | None = None  # the CDX digest (base32 SHA-1 of the archived payload)
    fetched_at: datetime | None = None  # when we downloaded it (differs from observed_at for Wayback)
    #: Why these status-200 bytes are not the source's content (login page, bot challenge, HTML
    #: instead of JSON): kept as evidence, never parsed. None for a usable capture.
    rejected: str | None = None


@dataclass(frozen=True)
class PriceRecord:
    """One price of one model at one provider, as a source states it, already in USD per 1M tokens.

    ``model_key`` is the source's own identifier, untouched. ``provider`` is who serves the
    model (the OpenRouter endpoint's provider, litellm's ``litellm_provider``...), not who made it.
    Prices are exact ``Decimal`` values in USD per million tokens; ``None`` when the source
    does not state that kind of price. ``tier`` keeps kinds of price apart: ``standard``
    (the headline: uncached, real-time, lowest context tier), ``batch``, ``context>128k``...
    ``unit_on_page`` records the unit the source used (``per_token``, ``per_1k_tokens``,
    ``per_1m_tokens``, ``per_1k_characters``) so unit mistakes can be traced.
    """

    provider: str
    model_key: str
    input_usd_per_mtok: Decimal | None
    output_usd_per_mtok: Decimal | None
    unit_on_page: str
    tier: str = "standard"
    cached_input_usd_per_mtok: Decimal | None = None
    cache_write_usd_per_mtok: Decimal | None = None
    model_name: str | None = None  # the source's display name, when it has one
    is_free: bool = False  # $0, ":free" variants and promotions: never "cheapest"
    is_deprecated: bool = False
    quantization: str | None = None  # fp8, int4... as the source states it
    converted_from_characters: bool = False  # per-character price turned into per-token
    context_window_tokens: int | None = None


@dataclass(frozen=True)
class ScoreRecord:
    """One benchmark result for one model, as a source states it.

    ``score`` is on a 0-100 scale for percentage benchmarks; Elo ratings are kept as is.
    """

    model_key: str
    benchmark: str  # "mmlu", "mmlu_pro", "gpqa_diamond", "humaneval", "math_500", "arena_elo"...
    score: float
    setting: str | None = None  # "5-shot", "0-shot CoT"...
    self_reported: bool | None = None
    source_url: str | None = None
    reported_at: datetime | None = None
    ci95_low: float | None = None
    ci95_high: float | None = None
    votes: int | None = None
    ci90_low: float | None = None  # a 90% interval, where the source gives that one (Epoch's ECI)
    ci90_high: float | None = None


@dataclass(frozen=True)
class UsageRecord:
    """The tokens one model spent on one fixed suite of tasks, as a source states it.

    ``suite`` names the suite (``aa_intelligence_index``); ``suite_version`` its version as the
    source states it (token counts of different versions never compare: the tasks differ), or,
    when unstated, the capture date the counts were read on. ``component`` is one evaluation of
    the suite (``gpqa``) for a per-evaluation row, None for the whole suite. Token counts are
    whole tokens over one run of the suite: ``output_tokens`` is what the model wrote and is
    billed as output, ``reasoning_tokens`` + ``answer_tokens`` its split (hidden reasoning vs the
    visible answer). ``variant`` is the run's reasoning effort or mode as the source names it
    (``high``, ``xhigh``, ``Reasoning``, ``Non-reasoning``): the same priced model spends
    different tokens at each. ``n_tasks`` is None unless the source states it. The ``stated_*``
    fields are the source's own cost of the run and the prices it used (USD; USD per 1M tokens),
    kept so our arithmetic can be checked against theirs.
    """

    model_key: str
    suite: str
    suite_version: str
    input_tokens: int | None
    output_tokens: int | None
    reasoning_tokens: int | None = None
    answer_tokens: int | None = None
    component: str | None = None
    variant: str | None = None
    model_name: str | None = None
    n_tasks: int | None = None
    source_url: str | None = None
    reported_at: datetime | None = None
    stated_input_usd_per_mtok: Decimal | None = None
    stated_output_usd_per_mtok: Decimal | None = None
    stated_cost_usd: Decimal | None = None
    stated_input_cost_usd: Decimal | None = None
    stated_output_cost_usd: Decimal | None = None
    stated_reasoning_cost_usd: Decimal | None = None
    stated_answer_cost_usd: Decimal | None = None
    stated_cost_per_task_usd: Decimal | None = None


@dataclass(frozen=True)
class ModelRecord:
    """What a source states about a model itself (not its price or score), for the nightly catalog.

    Sources that describe models (models.dev, OpenRouter's model list, genai-prices, Epoch AI's
    model tables) yield these beside their prices or scores; the catalog builder merges them,
    with the curated ``data/reference/models.csv`` rows taking precedence. ``None`` means the
    source does not say. ``model_key`` is the source's own identifier, untouched.
    """

    model_key: str
    name: str | None = None
    creator: str | None = None  # who made it, as the source names them ("openai", "Meta")
    family: str | None = None
    provider: str | None = None  # the host whose listing this is, when the source lists per host
    release_date: datetime | None = None  # first public availability, UTC
    first_listed_at: datetime | None = None  # when the source first listed it (OpenRouter ``created``)
    open_weights: bool | None = None
    reasoning: bool | None = None
    parameters_b: float | None = None  # billions of parameters
    hugging_face_id: str | None = None
    canonical_slug: str | None = None
    input_modalities: tuple[str, ...] = ()
    output_modalities: tuple[str, ...] = ()
    context_window_tokens: int | None = None


@dataclass
class ParseResult:
    """What a parser found in one capture: records, and every entry it skipped counted by reason.

    Skips are not errors (an image model on a price list is expected); a capture that yields
    no records at all where prices were expected raises ``ParseError`` instead.
    """

    prices: list[PriceRecord] = field(default_factory=list)
    scores: list[ScoreRecord] = field(default_factory=list)
    models: list[ModelRecord] = field(default_factory=list)
    usage: list[UsageRecord] = field(default_factory=list)  # token usage on a suite of tasks
    skipped: Counter[str] = field(default_factory=Counter)
    #: Set by a parser whose records depend on the capture's date only through dated changes in
    #: the bytes (a deprecation date, a price that starts on a date): the dates at which the same
    #: bytes would give other records. The parse cache then reuses this result for any capture of
    #: the same bytes observed on or after the boundary before its date and before the next one.
    #: None: the records do not depend on the date, or on it in a way the parser does not bound.
    date_boundaries: frozenset[date] | None = None

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] += n


def record_to_dict(record: PriceRecord | ScoreRecord | ModelRecord | UsageRecord) -> dict[str, object]:
    """A plain dict of a record's fields, for building tables (shallow: the fields are immutable values,
    and ``dataclasses.asdict``'s deep copy took most of the time of turning a parse into rows)."""
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}


def as_decimal(value: object) -> Decimal:
    """An exact Decimal from a number or numeric string as a source wrote it.

    Floats go through ``repr`` so 3e-07 stays 3E-7 rather than its binary expansion.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ParseError(f"expected a number, got {value!r}")
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, (int, str)):
        try:
            return Decimal(str(value).strip())
        except Exception as exc:  # decimal.InvalidOperation
            raise ParseError(f"not a number: {value!r}") from exc
    raise ParseError(f"expected a number, got {type(value).__name__}")
