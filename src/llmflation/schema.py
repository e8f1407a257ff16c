"""The published tables: every column's Arrow type, unit and meaning, in one place.

The same specs write the Parquet files (explicit schema, descriptions in field metadata)
and ``datapackage.json`` (Frictionless Data Package), so the two can never disagree.
Units are in column names: ``*_usd_per_mtok`` is US dollars per million tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

import pandas as pd
import pyarrow as pa

from llmflation.tiers import TIER_DESCRIPTION

#: Exact money: 38 digits, 18 after the point. Sources write prices as binary floats
#: (litellm's 2.9999900000000002e-06 per token, genai-prices' 0.08333333333333334 per 1M), whose
#: 17 significant digits survive exactly; anything finer than 1e-18 USD per 1M tokens is float
#: noise and is rounded half-even to 18 places when a table is written.
PRICE = pa.decimal128(38, 18)
PRICE_QUANTUM = Decimal("1e-18")
TIMESTAMP = pa.timestamp("us", tz="UTC")

#: Version of the published tables' schema (``release.json``, ``datapackage.json``). Bump it, and
#: add an entry to SCHEMA_CHANGELOG.md, whenever a published column is added, removed, renamed or
#: retyped; ``tests/unit/test_schema_contract.py`` fails until the snapshot is regenerated with
#: ``python -m llmflation.schema_contract --write``.
SCHEMA_VERSION = "3.0.0"
DATE = pa.date32()

_USD_PER_MTOK = "USD per 1,000,000 tokens"


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str
    unit: str | None = None
    required: bool = False  # no nulls allowed


@dataclass(frozen=True)
class TableSpec:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    sort_by: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def arrow_schema(self) -> pa.Schema:
        fields = []
        for col in self.columns:
            meta = {"description": col.description}
            if col.unit:
                meta["unit"] = col.unit
            fields.append(pa.field(col.name, col.type, nullable=not col.required, metadata=meta))
        return pa.schema(fields, metadata={"table": self.name, "description": self.description})


def _price(name: str, what: str, required: bool = False) -> Column:
    return Column(name, PRICE, f"{what}, exact decimal", _USD_PER_MTOK, required)


def _usd(name: str, what: str, required: bool = False) -> Column:
    """A money column of an analysis table: float64, so pandas and numpy compute with it directly.

    The exact decimals it was computed from stay in ``prices`` and ``price_intervals``.
    """
    return Column(name, pa.float64(), f"{what} (float64; the exact decimal is in prices / price_intervals)", _USD_PER_MTOK, required)


#: The field dictionary: every column that more than one published table has, named, typed and
#: described once. A table takes a field with :func:`shared`, narrowing its description or its
#: ``required`` where its use is narrower (prices' model_id is null when unmatched); a column only one
#: table has is written in that table.
FIELDS: dict[str, Column] = {column.name: column for column in (
    Column("model_id", pa.string(), "Canonical model id from the catalog (models.model_id)", required=True),
    Column("model_key", pa.string(), "The source's own model identifier, untouched", required=True),
    Column("provider", pa.string(), "Who serves the model at this price", required=True),
    Column("source_id", pa.string(), "Registry id of the source (llmflation sources), or reference for the curated reference data", required=True),
    Column("tier", pa.string(), TIER_DESCRIPTION, required=True),
    Column("quantization", pa.string(), "Serving precision the source states (fp8, int4...)"),
    Column("is_free", pa.bool_(), "A free or $0 promotional price: never counted as cheapest", required=True),
    Column("n_captures", pa.int64(), "Captures showing this price", "captures", required=True),
    Column("evidence", pa.string(), "sha256 of the capture behind the value, or the URL cited by the curated row", required=True),
    Column("source_url", pa.string(), "Citation: where the value was published, or the URL of the capture it was read from"),
    Column("benchmark", pa.string(), "Benchmark id (mmlu, mmlu_pro, gpqa_diamond, eci, arena_elo...)", required=True),
    Column("threshold", pa.float64(), "Minimum score of the quality level (0-100; index for eci, Elo for arena_elo)", required=True),
    Column("blend", pa.string(), "input:output token ratio of the blended price: 1:1 (a16z) or 3:1 (Epoch AI); "
           "per_task for the cost of running a fixed suite of tasks (see measure)", required=True),
    Column("score", pa.float64(), "Score on a 0-100 scale; index for eci, Elo for arena_elo", "percent (index for eci, Elo for arena_elo)"),
    Column("valid_from", TIMESTAMP, "First instant the row holds", required=True),
    Column("valid_to", TIMESTAMP, "First instant it no longer holds (exclusive); null while it still does"),
    Column("ci90_low", pa.float64(), "Lower end of the 90% interval"),
    Column("ci90_high", pa.float64(), "Upper end of the 90% interval"),
    Column("context_window_tokens", pa.int64(), "Context window the source states", "tokens"),
    Column("capture_url", pa.string(), "URL the bytes were fetched from (the original URL for Wayback captures)", required=True),
    Column("capture_id", pa.string(), "Raw-store manifest entry of the capture", required=True),
    Column("capture_sha256", pa.string(), "sha256 of the captured bytes; data/raw/blobs/<2>/<sha256>", required=True),
    Column("via", pa.string(), "live (fetched from the source) or wayback (Internet Archive snapshot)", required=True),
    Column("wayback_timestamp", pa.string(), "14-digit Wayback Machine timestamp, when via = wayback"),
    Column("parser", pa.string(), "Parser module and version that read the capture", required=True),
)}


def shared(name: str, description: str | None = None, *, required: bool | None = None, unit: str | None = None) -> Column:
    """The dictionary's field ``name``, with this table's narrower ``description``, ``required`` or ``unit`` where given.

    The name and the Arrow type are never overridden: a column of the same name is the same kind of
    value in every table.
    """
    column = FIELDS[name]
    return replace(column, description=description or column.description,
                   required=column.required if required is None else required, unit=unit or column.unit)


PROVENANCE_COLUMNS = tuple(shared(name) for name in (
    "capture_url", "capture_id", "capture_sha256", "via", "wayback_timestamp", "parser"))

PRICES = TableSpec(
    name="prices",
    description=(
        "Every price every source listing has shown, in USD per million tokens: one row per run of one entry (exactly "
        "the same fields) in consecutive captures of its listing, with the provenance of the capture that first showed "
        "it; the row grows a later last_observed_at while the listing keeps showing it, and ends (ended_at) at the first "
        "capture that does not."
    ),
    columns=(
        Column("observed_at", TIMESTAMP, "When the listing first showed this entry: fetch time, or the Wayback snapshot time", required=True),
        Column("last_observed_at", TIMESTAMP, "Last capture of the listing that showed exactly this entry, before it ended", required=True),
        Column("ended_at", TIMESTAMP, "First capture of the listing after last_observed_at, which no longer shows exactly this entry "
               "(its price or another field changed, or the model left the list); null while the newest capture shows it"),
        shared("n_captures", "Captures of this listing that showed exactly this entry, first to last"),
        Column("first_capture_number", pa.int64(), "Which of its listing's parsed captures first showed this entry, counting from 1: "
               "the entry was shown in captures first_capture_number to first_capture_number + n_captures - 1", "captures",
               required=True),
        shared("source_id", "Registry id of the source"),
        shared("provider"),
        shared("model_key"),
        shared("model_id", "Canonical model id from the catalog; null when unmatched (see unmatched_models)", required=False),
        Column("match_reason", pa.string(), "How model_key was matched to model_id, or why it was not"),
        Column("model_name", pa.string(), "The source's display name of the model"),
        _price("input_usd_per_mtok", "Price of input (prompt) tokens"),
        _price("output_usd_per_mtok", "Price of output (completion) tokens"),
        _price("cached_input_usd_per_mtok", "Price of input tokens read from the prompt cache"),
        _price("cache_write_usd_per_mtok", "Price of input tokens written to the prompt cache"),
        shared("tier"),
        Column("unit_on_page", pa.string(), "Unit the source stated: per_token, per_1k_tokens, per_1m_tokens, per_1k_characters", required=True),
        shared("is_free"),
        Column("is_deprecated", pa.bool_(), "The source marks the model deprecated", required=True),
        shared("quantization"),
        Column("converted_from_characters", pa.bool_(), "Price was per character, converted with the configured characters per token", required=True),
        shared("context_window_tokens"),
        *PROVENANCE_COLUMNS,
    ),
    # One provider may serve a model at two precisions (OpenRouter endpoints: DeepInfra fp8 and bf16).
    primary_key=("capture_id", "provider", "model_key", "tier", "quantization"),
    sort_by=("observed_at", "source_id", "provider", "model_key", "tier"),
)

#: Facts about a model that sources state (``ModelRecord`` fields of the same names), beside the
#: curated ones. Each has a ``<fact>_source`` column saying where it came from.
MODEL_FACTS = (
    "name",
    "family",
    "release_date",
    "first_listed_at",
    "open_weights",
    "reasoning",
    "parameters_b",
    "hugging_face_id",
    "canonical_slug",
    "input_modalities",
    "output_modalities",
    "context_window_tokens",
)
_FACT_ORIGIN = "Where {fact} came from: reference (data/reference/models.csv), or <source_id>:<capture sha256>"

MODELS = TableSpec(
    name="models",
    description=(
        "The model catalog, built every night: the curated rows of data/reference/models.csv (each cited), and models "
        "made from what sources state (models.dev, OpenRouter, genai-prices...), each citing its capture; every fact says "
        "where it came from."
    ),
    columns=(
        shared("model_id", "Canonical model id: curated ids as written; <creator>/<name> for models made from sources"),
        Column("name", pa.string(), "The creator's (or the first source's) name for the model", required=True),
        Column("creator", pa.string(), "Who made the model", required=True),
        Column("release_date", TIMESTAMP, "First public availability"),
        Column("open_weights", pa.bool_(), "Weights downloadable; null when no source says"),
        Column("parameters_b", pa.float64(), "Parameter count, where public", "billions of parameters"),
        Column("retired_date", TIMESTAMP, "When its creator withdrew it from its API; prices end here"),
        Column("reasoning", pa.bool_(), "A reasoning model (o1, R1 style): excluded from some comparisons; null when no source says"),
        shared("source_url", "Citation for the row: the curated citation, or the capture URL", required=True),
        Column("retired_source_url", pa.string(), "Citation for retired_date"),
        Column("family", pa.string(), "Model family as a source names it (gpt, claude-sonnet...)"),
        Column("first_listed_at", TIMESTAMP, "When a source first listed the model (OpenRouter's created)"),
        Column("hugging_face_id", pa.string(), "The model's Hugging Face repository, as a source states it"),
        Column("canonical_slug", pa.string(), "OpenRouter's permanent name for the model"),
        Column("input_modalities", pa.string(), "Comma-separated input modalities (text,image...)"),
        Column("output_modalities", pa.string(), "Comma-separated output modalities"),
        shared("context_window_tokens"),
        Column("origin", pa.string(), "reference (a curated row, facts from sources filling only what it leaves out) or sources", required=True),
        shared("source_id", "reference, or the registry id of the source whose capture made the row"),
        shared("capture_url", "URL of the capture that made the row (null for curated rows)", required=False),
        shared("capture_sha256", "sha256 of that capture; data/raw/blobs/<2>/<sha256>", required=False),
        Column("creator_source", pa.string(), _FACT_ORIGIN.format(fact="creator")),
        *(Column(f"{fact}_source", pa.string(), _FACT_ORIGIN.format(fact=fact)) for fact in MODEL_FACTS),
    ),
    primary_key=("model_id",),
    sort_by=("model_id",),
)

SCORES = TableSpec(
    name="scores",
    description="Every benchmark result matched to a catalog model; `chosen` marks the one the analysis uses.",
    columns=(
        shared("model_id"),
        shared("model_key"),
        shared("benchmark", "mmlu, mmlu_pro, gpqa_diamond, humaneval, arena_elo..."),
        shared("score", "Score on a 0-100 scale; Elo ratings as is", required=True, unit="percent (Elo for arena_elo)"),
        Column("setting", pa.string(), "Shots and prompting (5-shot, 0-shot CoT...)"),
        Column("self_reported", pa.bool_(), "Reported by the model's creator rather than measured independently"),
        shared("source_id"),
        shared("source_url", "Where the score was published"),
        Column("reported_at", TIMESTAMP, "When the score was published or captured"),
        Column("ci95_low", pa.float64(), "Lower end of the 95% interval, where the source gives one"),
        Column("ci95_high", pa.float64(), "Upper end of the 95% interval, where the source gives one"),
        Column("votes", pa.int64(), "Arena votes behind an Elo rating", "votes"),
        shared("ci90_low", "Lower end of the 90% interval, where the source gives that one (Epoch's ECI)"),
        shared("ci90_high", "Upper end of the 90% interval, where the source gives that one"),
        Column("comparable_as", pa.string(), "The class of settings this score compares within (5-shot; the Arena snapshot...), per llmflation.benchmarks; null when it compares with none (MMLU 0-shot CoT)"),
        Column("chosen", pa.bool_(), "The score the analysis uses for this model, benchmark and comparable class (source preference order); never a non-comparable one", required=True),
    ),
    sort_by=("model_id", "benchmark", "source_id", "reported_at"),
)

UNMATCHED_MODELS = TableSpec(
    name="unmatched_models",
    description="Names in price rows that map to no single catalog model: listed for review, never dropped silently.",
    columns=(
        Column("name", pa.string(), "The source's model identifier", required=True),
        shared("source_id", "Registry id of the source"),
        Column("n_price_rows", pa.int64(), "Price rows carrying this name", "rows", required=True),
        Column("reason", pa.string(), "Why it did not match (no candidate, several candidates...)", required=True),
    ),
    primary_key=("name", "source_id"),
    sort_by=("source_id", "name"),
)

PRICE_INTERVALS = TableSpec(
    name="price_intervals",
    description="Periods a standard price held, per model and provider: half-open [valid_from, valid_to), from captures and the curated price history.",
    columns=(
        shared("model_id"),
        shared("provider"),
        shared("valid_from", "First instant the price held"),
        Column("valid_to", TIMESTAMP, "First instant it no longer held (exclusive): the next price, the model's withdrawal or retirement, "
               "or last_seen plus the evidence horizon; null while still in force"),
        _price("input_usd_per_mtok", "Input price in force"),
        _price("output_usd_per_mtok", "Output price in force"),
        shared("is_free"),
        Column("first_seen", TIMESTAMP, "First capture (or reference date) showing this price"),
        Column("last_seen", TIMESTAMP, "Last capture (or reference row's last_confirmed date) showing this price"),
        shared("n_captures", "Captures showing this price (0 for curated rows)"),
        shared("source_id"),
        shared("evidence", "sha256 of the capture that set the price, or the URL cited by the curated row"),
    ),
    primary_key=("model_id", "provider", "valid_from"),
    sort_by=("model_id", "provider", "valid_from"),
)

CHEAPEST_BY_QUALITY = TableSpec(
    name="cheapest_by_quality",
    description="For each month, benchmark, threshold and blend: the cheapest (model, provider) whose score reaches the threshold and whose price was in force that month (a16z's method).",
    columns=(
        Column("month", TIMESTAMP, "First instant of the month (UTC)", required=True),
        shared("benchmark"),
        shared("threshold"),
        shared("blend"),
        _usd("usd_per_mtok", "Blended price of the cheapest qualifying model; null on per_task rows"),
        shared("model_id", "The cheapest qualifying model"),
        shared("provider", "Who sold it at that price"),
        _usd("input_usd_per_mtok", "Its input price"),
        _usd("output_usd_per_mtok", "Its output price"),
        shared("evidence", "sha256 of the capture, or URL cited by the curated row, behind the price"),
        shared("score", "The chosen score that puts the model at this level"),
        Column("score_setting", pa.string(), "Setting of that score as its source states it (5-shot...)"),
        Column("score_source_id", pa.string(), "Registry id of the score's source, or reference"),
        Column("score_self_reported", pa.bool_(), "True when the score is the model creator's own claim, not an independent measurement"),
        Column("measure", pa.string(), "What the row's price is: usd_per_mtok (a token blend) or usd_per_suite_run (blend per_task: "
               "the cheapest cost of running the suite's tasks once, tokens the model stated it spent x its price; see cost_per_task)"),
        Column("usd_per_suite_run", pa.float64(), "per_task rows: USD to run the suite once with the cheapest qualifying model "
               "(the same tasks for every model of one suite version, so it ranks and falls as the cost per task does)", "USD per suite run"),
        Column("usd_per_task", pa.float64(), "per_task rows: usd_per_suite_run / the suite's number of tasks, where a source states it", "USD per task"),
        Column("suite", pa.string(), "per_task rows: the suite the token counts are for (aa_intelligence_index)"),
        Column("suite_version", pa.string(), "per_task rows: its version; one version per series, never mixed"),
        Column("variant", pa.string(), "per_task rows: the reasoning effort or mode of the cheapest run (high, Reasoning...), as its source names it"),
    ),
    primary_key=("month", "benchmark", "threshold", "blend"),
    sort_by=("benchmark", "threshold", "blend", "month"),
)

DECLINE_RATES = TableSpec(
    name="decline_rates",
    description="How fast the price of a quality level falls: OLS of log10(price) on years, factor per year with a 90% t interval.",
    columns=(
        shared("benchmark"),
        shared("threshold"),
        shared("blend"),
        Column("method", pa.string(), "monthly (cheapest each month, a16z) or frontier (new lowest prices, Epoch AI)", required=True),
        Column("start", TIMESTAMP, "First point of the series"),
        Column("end", TIMESTAMP, "Last point of the series"),
        Column("n", pa.int64(), "Points in the fit", "points", required=True),
        Column("factor_per_year", pa.float64(), "Price falls this many times per year (10^-slope); null when not fitted", "x per year"),
        shared("ci90_low", "Lower end of the 90% confidence interval of factor_per_year", unit="x per year"),
        shared("ci90_high", "Upper end of the 90% confidence interval of factor_per_year", unit="x per year"),
        Column("r2", pa.float64(), "Coefficient of determination of the log-linear fit"),
        Column("reason", pa.string(), "Why there is no fit (fewer than 4 points...); empty when fitted"),
    ),
    primary_key=("benchmark", "threshold", "blend", "method"),
    sort_by=("benchmark", "threshold", "blend", "method"),
)

SOURCE_AGREEMENT = TableSpec(
    name="source_agreement",
    description=(
        "A provider's own pricing page beside the price APIs (litellm, genai-prices, the provider's endpoint on "
        "OpenRouter): one row per standard page price and API that prices the same model within 7 days. A page "
        "price that two agreeing APIs contradict (verdict differ) is held out of prices by the validation gate."
    ),
    columns=(
        shared("provider", "The page's provider (registry), e.g. openai"),
        shared("model_id", "Catalog model id of the page's row; null when the catalog does not know it", required=False),
        shared("model_key", "The page's own model name"),
        shared("tier", "Price tier compared: standard"),
        Column("matched_on", pa.string(), "model_id (same catalog model) or name (same normalized name at the same provider)", required=True),
        Column("match_key", pa.string(), "The model_id, or the normalized name, that page and API rows share", required=True),
        Column("page_source_id", pa.string(), "Registry id of the pricing page", required=True),
        Column("page_observed_at", TIMESTAMP, "When the page first showed this price (its prices row's observed_at)", required=True),
        Column("page_capture_id", pa.string(), "Raw-store capture of the page", required=True),
        Column("page_capture_sha256", pa.string(), "sha256 of the page's captured bytes", required=True),
        Column("page_capture_url", pa.string(), "URL the page was fetched from", required=True),
        _price("page_input_usd_per_mtok", "The page's input price"),
        _price("page_output_usd_per_mtok", "The page's output price"),
        Column("api_source_id", pa.string(), "Registry id of the price API: litellm, genai_prices, openrouter", required=True),
        Column("api_provider", pa.string(), "The provider as the API names it (litellm_provider, genai-prices id, OpenRouter endpoint provider)", required=True),
        Column("api_model_key", pa.string(), "The API's own model name", required=True),
        Column("api_observed_at", TIMESTAMP, "When the API first showed this price (its prices row's observed_at)", required=True),
        Column("api_last_observed_at", TIMESTAMP, "Last capture of the API listing showing the same records", required=True),
        Column("api_capture_id", pa.string(), "Raw-store capture of the API listing", required=True),
        Column("api_capture_sha256", pa.string(), "sha256 of the API's captured bytes", required=True),
        Column("api_capture_url", pa.string(), "URL the API listing was fetched from", required=True),
        _price("api_input_usd_per_mtok", "The API's input price"),
        _price("api_output_usd_per_mtok", "The API's output price"),
        Column("gap_days", pa.float64(), "Time from page_observed_at to the API's span [api_observed_at, api_last_observed_at]; 0 inside it", "days", required=True),
        Column("input_ratio", pa.float64(), "page_input_usd_per_mtok / api_input_usd_per_mtok; null unless both are stated and the API's is non-zero", "page / API"),
        Column("output_ratio", pa.float64(), "page_output_usd_per_mtok / api_output_usd_per_mtok; null unless both are stated and the API's is non-zero", "page / API"),
        Column("api_agrees", pa.bool_(), "Every price both state is within 10% (the larger at most 1.1 times the smaller)", required=True),
        Column("verdict", pa.string(), "The page row over all APIs compared: agree, differ (held out), differ_single_api, differ_apis_disagree", required=True),
        Column("n_apis", pa.int64(), "Price APIs compared with this page row", "APIs", required=True),
    ),
    primary_key=("page_capture_id", "provider", "model_key", "tier", "api_source_id"),
    sort_by=("provider", "model_key", "page_observed_at", "api_source_id"),
)

MODEL_ALIASES = TableSpec(
    name="model_aliases",
    description=(
        "The names the catalog was built with: curated aliases (data/reference/model_aliases.csv) and aliases derived "
        "from sources' canonical slugs and Hugging Face ids, each valid over [valid_from, valid_to)."
    ),
    columns=(
        Column("alias", pa.string(), "A name a source uses, compared case-insensitively", required=True),
        shared("model_id", "The catalog model it names"),
        Column("seen_in", pa.string(), "Where the name is used: a source id or provider", required=True),
        shared("source_url", "Citation: the curated source, or the capture URL the alias was derived from", required=True),
        shared("valid_from", "First instant the alias names this model; null: always", required=False),
        shared("valid_to", "First instant it no longer does (exclusive); null: still does"),
    ),
    primary_key=("alias", "seen_in", "valid_from"),
    sort_by=("alias", "seen_in", "valid_from"),
)

PRICE_CHANGES = TableSpec(
    name="price_changes",
    description=(
        "Every change of a model's price at a provider: one row per change, per source and tier, with the old and "
        "new prices and the evidence of each (the last capture showing the old price, the first showing the new; "
        "for the curated price history, the cited rows)."
    ),
    columns=(
        Column("changed_at", TIMESTAMP, "When the new price was first seen: the first capture showing it, or the date the curated row takes effect", required=True),
        shared("model_id", "Canonical model id from the catalog; null when the source's name is unmatched", required=False),
        shared("model_key"),
        shared("provider"),
        shared("tier"),
        shared("quantization"),
        shared("source_id", "Registry id of the source that showed both prices, or reference"),
        _usd("old_input_usd_per_mtok", "Input price before the change"),
        _usd("old_output_usd_per_mtok", "Output price before the change"),
        _usd("new_input_usd_per_mtok", "Input price after the change"),
        _usd("new_output_usd_per_mtok", "Output price after the change"),
        Column("input_ratio", pa.float64(), "new input price / old input price (0.5 = halved); null when either is missing or the old is 0", "ratio"),
        Column("output_ratio", pa.float64(), "new output price / old output price; null when either is missing or the old is 0", "ratio"),
        Column("ratio", pa.float64(), "Change of the 1:1 blend: (new input + new output) / (old input + old output); null when a price is missing", "ratio"),
        Column("old_last_seen_at", TIMESTAMP, "Last evidence of the old price: the last capture showing it, or the date the curated row takes effect", required=True),
        Column("old_url", pa.string(), "Where the old price was read: the capture's URL, or the URL the curated row cites", required=True),
        Column("old_evidence", pa.string(), "sha256 of the last capture showing the old price, or the URL the curated row cites", required=True),
        Column("new_url", pa.string(), "Where the new price was read: the capture's URL, or the URL the curated row cites", required=True),
        Column("new_evidence", pa.string(), "sha256 of the first capture showing the new price, or the URL the curated row cites", required=True),
    ),
    primary_key=("source_id", "provider", "model_key", "tier", "quantization", "changed_at"),
    sort_by=("changed_at", "source_id", "provider", "model_key", "tier"),
)

_TOKENS = "tokens"
_USD_RUN = "USD per suite run"


def _stated_usd(name: str, what: str) -> Column:
    return Column(name, PRICE, f"{what}, as the usage source states it (exact decimal)", "USD")


TOKEN_USAGE = TableSpec(
    name="token_usage",
    description=(
        "The tokens a model spent on a fixed suite of tasks (a benchmark suite run once), as a source states them, "
        "per version of the source's listing: input, output and its split into reasoning and answer tokens, matched "
        "to the catalog model whose price it pays. Reasoning-effort variants (o3-mini-high, -low, thinking) are rows "
        "of their own. Counts of different suite versions never compare."
    ),
    columns=(
        shared("model_id", "Catalog model whose price this run pays; null when unmatched (match_reason says why)", required=False),
        shared("model_key", "The source's own name for the model run (an effort variant has its own)"),
        Column("model_name", pa.string(), "The source's display name"),
        Column("variant", pa.string(), "Reasoning effort or mode of the run as the source names it (high, xhigh, Reasoning, Non-reasoning...)"),
        Column("match_reason", pa.string(), "How model_key was matched to model_id (an effort/mode variant of a reasoning model), or why not"),
        Column("suite", pa.string(), "The suite of tasks: aa_intelligence_index (Artificial Analysis Intelligence Index)", required=True),
        Column("suite_version", pa.string(), "The suite's version as the source states it, else the capture date (compares with nothing else)", required=True),
        Column("component", pa.string(), "One evaluation of the suite (gpqa, hle...) for a per-evaluation row; null for the whole suite"),
        Column("input_tokens", pa.int64(), "Input (prompt) tokens over the run", _TOKENS),
        Column("output_tokens", pa.int64(), "Output tokens over the run (billed as output: reasoning + answer)", _TOKENS),
        Column("reasoning_tokens", pa.int64(), "Hidden reasoning tokens among the output", _TOKENS),
        Column("answer_tokens", pa.int64(), "Visible answer tokens among the output", _TOKENS),
        Column("n_tasks", pa.int64(), "Tasks in the suite, where the source states it", "tasks"),
        _price("stated_input_usd_per_mtok", "The input price the usage source used for its own cost"),
        _price("stated_output_usd_per_mtok", "The output price the usage source used for its own cost"),
        _stated_usd("stated_cost_usd", "The source's own cost of the run at its prices"),
        _stated_usd("stated_input_cost_usd", "Its input part"),
        _stated_usd("stated_output_cost_usd", "Its output part"),
        _stated_usd("stated_reasoning_cost_usd", "Its reasoning part"),
        _stated_usd("stated_answer_cost_usd", "Its answer part"),
        _stated_usd("stated_cost_per_task_usd", "The source's own cost per task"),
        Column("reported_at", TIMESTAMP, "When the source stated the counts (its own fetch time, else the capture's)"),
        shared("source_url", "The source's page for the model"),
        shared("source_id", "Registry id of the source"),
        Column("observed_at", TIMESTAMP, "When the capture that first showed this version was made", required=True),
        *PROVENANCE_COLUMNS[:3],
        PROVENANCE_COLUMNS[5],
    ),
    primary_key=("capture_id", "model_key", "suite", "suite_version", "component"),
    sort_by=("suite", "suite_version", "model_key", "component", "observed_at"),
)


def _run_usd(name: str, what: str, required: bool = False) -> Column:
    return Column(name, pa.float64(), f"{what} (float64)", _USD_RUN, required)


COST_PER_TASK = TableSpec(
    name="cost_per_task",
    description=(
        "What running a fixed suite of tasks costs with each model at each provider, month by month: the tokens the "
        "model stated it spent (token_usage) x each provider's standard price in force that month (price_intervals). "
        "Only models with stated token usage; nothing estimated."
    ),
    columns=(
        Column("month", TIMESTAMP, "First instant of the month (UTC)", required=True),
        shared("model_id", "Catalog model whose price was paid"),
        shared("model_key", "The usage source's name of the run (effort variants apart)"),
        Column("variant", pa.string(), "Reasoning effort or mode of the run, as the usage source names it"),
        Column("suite", pa.string(), "The suite of tasks", required=True),
        Column("suite_version", pa.string(), "Its version (never mixed)", required=True),
        shared("provider", "Who sold the model at this price"),
        Column("input_tokens", pa.int64(), "Input tokens of the run", _TOKENS, required=True),
        Column("output_tokens", pa.int64(), "Output tokens of the run (reasoning + answer)", _TOKENS, required=True),
        Column("reasoning_tokens", pa.int64(), "Reasoning tokens among them", _TOKENS),
        Column("answer_tokens", pa.int64(), "Answer tokens among them", _TOKENS),
        Column("n_tasks", pa.int64(), "Tasks in the suite, where the usage source states it", "tasks"),
        _usd("input_usd_per_mtok", "The provider's input price in force", required=True),
        _usd("output_usd_per_mtok", "The provider's output price in force", required=True),
        _run_usd("usd_input", "Input tokens x input price", required=True),
        _run_usd("usd_output", "Output tokens x output price", required=True),
        _run_usd("usd_reasoning", "Reasoning tokens x output price (part of usd_output)"),
        _run_usd("usd_per_suite_run", "USD to run the suite once: usd_input + usd_output", required=True),
        Column("usd_per_task", pa.float64(), "usd_per_suite_run / n_tasks, where n_tasks is stated (float64)", "USD per task"),
        Column("price_valid_from", TIMESTAMP, "When the price used took effect (its price_intervals row)", required=True),
        Column("price_source_id", pa.string(), "Source of the price (registry id, or reference)", required=True),
        Column("price_evidence", pa.string(), "sha256 of the capture, or URL cited by the curated row, behind the price", required=True),
        Column("usage_source_id", pa.string(), "Source of the token counts", required=True),
        Column("usage_reported_at", TIMESTAMP, "When the token counts were stated"),
        Column("usage_source_url", pa.string(), "The usage source's page for the model"),
        Column("usage_capture_sha256", pa.string(), "sha256 of the capture that stated the token counts", required=True),
    ),
    primary_key=("month", "usage_source_id", "suite", "suite_version", "model_key", "provider"),
    sort_by=("suite", "suite_version", "model_key", "provider", "month"),
)

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (PRICES, PRICE_INTERVALS, MODELS, SCORES, CHEAPEST_BY_QUALITY, DECLINE_RATES, UNMATCHED_MODELS,
                 SOURCE_AGREEMENT, MODEL_ALIASES, PRICE_CHANGES, TOKEN_USAGE, COST_PER_TASK)
}


def to_arrow(spec: TableSpec, frame: pd.DataFrame) -> pa.Table:
    """An Arrow table of exactly the spec's columns and types, rows in the spec's order.

    Missing optional columns become nulls; a missing required column, a null in a required
    column, or a value that does not fit its type (a price with more than 12 decimals) raises.
    """
    missing = [c.name for c in spec.columns if c.required and c.name not in frame.columns]
    if missing:
        raise ValueError(f"table {spec.name}: required columns missing: {missing}")
    frame = frame.reindex(columns=spec.column_names)
    if spec.sort_by and len(frame):
        frame = frame.sort_values(list(spec.sort_by), kind="stable", na_position="last")
    arrays = []
    for col in spec.columns:
        try:
            arrays.append(_arrow_column(col, frame[col.name]))
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise ValueError(f"table {spec.name}, column {col.name}: {exc}") from exc
        if col.required and arrays[-1].null_count:
            raise ValueError(f"table {spec.name}: {arrays[-1].null_count} null(s) in required column {col.name}")
    return pa.Table.from_arrays(arrays, schema=spec.arrow_schema())


#: Column types converted once per distinct value (``_arrow_column``): a value of these types
#: converts the same wherever it appears, and a year's tables repeat the same few thousand
#: prices, times and names over a hundred thousand rows.
def _by_distinct(dtype: pa.DataType) -> bool:
    return dtype == PRICE or pa.types.is_floating(dtype) or pa.types.is_timestamp(dtype) or pa.types.is_string(dtype)


def _arrow_column(col: Column, column: pd.Series) -> pa.Array:
    """One column as Arrow of the column's type; nulls where pandas sees a missing value."""
    if _by_distinct(col.type):
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        distinct = pa.array(_arrow_values(col, list(uniques)), type=col.type)
        return distinct.take(pa.array(codes, mask=codes < 0))
    missing = column.isna().to_numpy()  # one vectorised pass: a per-value check was most of a release's check time
    return pa.array(_arrow_values(col, [None if gone else v for v, gone in zip(column.tolist(), missing, strict=True)]),
                    type=col.type)


def _arrow_values(col: Column, values: list[object]) -> list[object]:
    if col.type == PRICE:
        return [None if v is None else _price_value(v) for v in values]
    if pa.types.is_floating(col.type):
        return [None if v is None else float(v) for v in values]  # type: ignore[arg-type]  # Decimal prices in analysis tables
    return values


def _price_value(value: object) -> Decimal:
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    if amount.is_finite() and amount.as_tuple().exponent < -18:  # type: ignore[operator]
        return amount.quantize(PRICE_QUANTUM)
    return amount


def datapackage_resource(spec: TableSpec) -> dict[str, object]:
    """The table's entry in datapackage.json (Frictionless Table Schema)."""
    fields = []
    for col in spec.columns:
        entry: dict[str, object] = {
            "name": col.name,
            "type": _frictionless_type(col.type),
            "description": col.description,
        }
        if col.unit:
            entry["unit"] = col.unit
        if col.required:
            entry["constraints"] = {"required": True}
        fields.append(entry)
    schema: dict[str, object] = {"fields": fields}
    if spec.primary_key:
        schema["primaryKey"] = list(spec.primary_key)
    return {
        "name": spec.name,
        "path": f"{spec.name}.parquet",
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "description": spec.description,
        "schema": schema,
    }


def _frictionless_type(dtype: pa.DataType) -> str:
    if pa.types.is_timestamp(dtype):
        return "datetime"
    if pa.types.is_date(dtype):
        return "date"
    if pa.types.is_decimal(dtype) or pa.types.is_floating(dtype):
        return "number"
    if pa.types.is_integer(dtype):
        return "integer"
    if pa.types.is_boolean(dtype):
        return "boolean"
    if pa.types.is_list(dtype):
        return "array"
    return "string"
