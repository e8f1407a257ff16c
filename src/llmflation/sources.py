"""The registry: one row per source. Spiders, flows, the CLI and the tests all read it.

Adding a source is a row here, a parser module in ``llmflation.parsers``, a fixture and a test.
Nothing else in the project lists sources.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

SourceKind = Literal["pricing_page", "price_api", "leaderboard"]


@dataclass(frozen=True)
class SourceURL:
    """An address a source had, and the years it was the source's address (inclusive).

    ``until`` is ``None`` for the current address. Old addresses matter to the Wayback
    backfill: the archive files each capture under the URL it had then.
    """

    url: str
    since: int
    until: int | None = None


@dataclass(frozen=True)
class Politeness:
    """How gently to fetch a source: seconds between requests to it, parallel requests, robots.txt."""

    download_delay_s: float = 2.0
    concurrent_requests: int = 1
    obey_robots_txt: bool = True


@dataclass(frozen=True)
class Source:
    """One source of prices or scores.

    ``parser`` is the dotted path of the module whose ``parse(body, capture)`` reads this
    source's bytes (``llmflation.parsers.<name>``), and whose ``PARSER_VERSION`` says when
    its output changes. ``js_rendered`` marks pages whose prices appear only after
    JavaScript runs: we capture them for the record, and rely on the price APIs for that
    provider's current prices.
    """

    id: str
    kind: SourceKind
    provider: str  # who the source speaks for: "openai", "openrouter", "huggingface"...
    urls: tuple[SourceURL, ...]
    parser: str
    politeness: Politeness = field(default_factory=Politeness)
    js_rendered: bool = False
    needs_api_key_env: str | None = None  # environment variable holding a key; skipped when unset
    api_key_header: str = "x-api-key"  # request header that carries that key
    notes: str = ""
    #: Dotted path of a pure function ``(body: bytes, url: str) -> list[str]`` that, given the
    #: bytes captured from this source, returns further URLs of the same source to capture in
    #: the same run (OpenRouter: one endpoints list per model). ``None``: nothing to follow.
    follow: str | None = None
    #: Credit the source's terms require in everything we publish from it (datapackage.json).
    attribution: str | None = None
    #: For a price API: how it names the providers whose own pricing pages we read, as pairs
    #: ``(name in this API's rows, registry provider of the page)``. The cross-check compares a
    #: page's prices only with API rows whose provider is named here for that page's provider;
    #: a provider not listed is never compared (no guessing from look-alike names).
    provider_names: tuple[tuple[str, str], ...] = ()
    #: The licence its data is published under (SPDX id where there is one); None when it states
    #: none we know of: ``datapackage.json`` then says "see <its address>".
    licence: str | None = None
    #: For a leaderboard: its place in the default order in which a score is chosen among sources
    #: (1 first, after the curated reference; ``llmflation.scores``). ``None``: ranked with any
    #: other source (``*``), as self-reported numbers are. ``[scores] preference`` overrides it.
    score_rank: int | None = None
    #: Its model names are Hugging Face Hub repository ids (``org/name``): a name matches a model
    #: only under its creator's namespace (a re-upload elsewhere is another model).
    hub_repo_names: bool = False
    #: For a source of model records: its place in the order the catalog takes a model's facts
    #: (maker, release date...) from sources (1 first; ``llmflation.catalog``). ``None``: after the ranked ones.
    catalog_rank: int | None = None
    #: Its model ids are ``author/slug`` with the author the model's maker (OpenRouter).
    ids_name_author: bool = False

    @property
    def live_url(self) -> str:
        """The source's current address (the one with no end year)."""
        for entry in self.urls:
            if entry.until is None:
                return entry.url
        return self.urls[-1].url


#: models.dev is MIT-licensed: its copyright notice travels with data taken from it.
MODELS_DEV_ATTRIBUTION = "Model and price data from models.dev (MIT licence, (c) models.dev contributors), https://models.dev/"

# Price APIs and machine-readable price tables: the most reliable current prices.
PRICE_APIS: tuple[Source, ...] = (
    Source(
        id="openrouter",
        kind="price_api",
        provider="openrouter",
        urls=(SourceURL("https://openrouter.ai/api/v1/models", since=2023),),
        parser="llmflation.parsers.openrouter",
        politeness=Politeness(download_delay_s=1.0),
        notes=(
            "GET /api/v1/models: pricing.prompt / pricing.completion are USD per token, as strings. "
            "Then GET /api/v1/models/{author}/{slug}/endpoints per model: one price per serving provider."
        ),
        follow="llmflation.parsers.openrouter.endpoint_urls",
        # Endpoint rows carry the serving provider's name as OpenRouter shows it. "Google AI Studio"
        # is the Gemini API (the page we read); "Google" is Vertex AI, another price list. The
        # model-list rows (provider "openrouter") are OpenRouter's routed price: never compared.
        provider_names=(
            ("OpenAI", "openai"), ("Anthropic", "anthropic"), ("Google AI Studio", "google"), ("Mistral", "mistral"),
            ("Together", "together"), ("Groq", "groq"), ("Fireworks", "fireworks"), ("DeepInfra", "deepinfra"),
        ),
        catalog_rank=2,
        ids_name_author=True,
    ),
    Source(
        id="litellm",
        kind="price_api",
        provider="litellm",
        urls=(
            # The table began in 2023 as a community file without modes (under cookbook/, and as
            # {"MODEL_COST": {...}} under community_resources/) and moved to the repository root in
            # September 2023 (BerriAI/litellm issue #268, comment of 2023-09-11).
            SourceURL(
                "https://raw.githubusercontent.com/BerriAI/litellm/main/cookbook/community-resources/max_tokens.json",
                since=2023,
                until=2023,
            ),
            SourceURL(
                "https://raw.githubusercontent.com/BerriAI/litellm/main/community_resources/max_tokens.json",
                since=2023,
                until=2023,
            ),
            SourceURL(
                "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json",
                since=2023,
            ),
        ),
        parser="llmflation.parsers.litellm",
        licence="MIT",
        politeness=Politeness(download_delay_s=2.0),
        notes=(
            "Community price table {model_key: {input_cost_per_token, output_cost_per_token, litellm_provider, "
            "mode, ...}}: USD per token as JSON numbers; the first key, sample_spec, documents the schema."
        ),
        # litellm_provider values. "gemini" is Google AI Studio (the Gemini API page); Vertex AI's
        # "vertex_ai-*" providers have their own price list and are not compared with it.
        provider_names=(
            ("openai", "openai"), ("text-completion-openai", "openai"), ("anthropic", "anthropic"),
            ("gemini", "google"), ("mistral", "mistral"), ("together_ai", "together"), ("groq", "groq"),
            ("fireworks_ai", "fireworks"), ("deepinfra", "deepinfra"),
        ),
    ),
    Source(
        id="genai_prices",
        kind="price_api",
        provider="genai_prices",
        urls=(
            # The v1 file the project first published; frozen in 2026 ("receive no provider, model or
            # price updates", prices/README.md of 2026-08) in favour of the v2 feed of the same shape.
            SourceURL("https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/data.json", since=2025, until=2026),
            SourceURL("https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/new_data/v2/data.json", since=2026),
        ),
        parser="llmflation.parsers.genai_prices",
        licence="MIT",
        politeness=Politeness(download_delay_s=2.0),
        notes=(
            "pydantic/genai-prices compiled database: a list of providers, each with models whose prices are "
            "USD per 1M tokens, possibly tiered by input tokens or dated (constraint.start_date)."
        ),
        # Provider ids of data.json. Its "google" provider cites the Gemini API pricing page first
        # (prices/providers/google.yml, pricing_urls).
        provider_names=(
            ("openai", "openai"), ("anthropic", "anthropic"), ("google", "google"), ("mistral", "mistral"),
            ("together", "together"), ("groq", "groq"), ("fireworks", "fireworks"),
        ),
        catalog_rank=3,
    ),
    Source(
        id="models_dev",
        kind="price_api",
        provider="models_dev",
        urls=(SourceURL("https://models.dev/api.json", since=2025),),
        parser="llmflation.parsers.models_dev",
        politeness=Politeness(download_delay_s=2.0),
        attribution=MODELS_DEV_ATTRIBUTION,
        notes=(
            "models.dev open model database (MIT): per host, each model's id, name, family, release date, "
            "open weights, reasoning, modalities, context limit and cost in USD per 1M tokens (input, output, "
            "cache read/write, above 200k prompt tokens). Feeds the nightly catalog as well as prices."
        ),
        catalog_rank=1,
    ),
)

# Provider pricing pages, with the addresses each had over the years.
PRICING_PAGES: tuple[Source, ...] = (
    Source(
        id="openai",
        kind="pricing_page",
        provider="openai",
        urls=(
            SourceURL("https://beta.openai.com/pricing", since=2021, until=2022),
            # The marketing page (cards of the flagship models only from 2025); still served in 2026, but
            # from 2026 the live capture is the docs page below, which lists every model and tier.
            SourceURL("https://openai.com/api/pricing/", since=2021, until=2026),
            SourceURL("https://openai.com/pricing", since=2023, until=2024),
            # The docs pricing page: cited by genai-prices' OpenAI entry in its 2025-12-31 data (absent
            # from its 2025-06-22 list); 2024 is included so the backfill finds any earlier archived copy.
            SourceURL("https://platform.openai.com/docs/pricing", since=2024, until=2026),
            # Its 2026 address (canonical URL of the 2026-04-27 capture, first of genai-prices' 2026-08
            # pricing_urls): the same page, read by the same parser (era docs-components).
            SourceURL("https://developers.openai.com/api/docs/pricing", since=2026),
        ),
        parser="llmflation.parsers.openai",
        politeness=Politeness(download_delay_s=5.0),
        notes=(
            "openai.com/api/pricing/ (2021-2023, again 2024-) and openai.com/pricing (2023-2024) are "
            "server-rendered: per-engine per-1K prices, then Input/Output tables per 1K, then per 1M. "
            "platform.openai.com/docs/pricing (2024-2026), then developers.openai.com/api/docs/pricing "
            "(2026-), is the docs page: tables per processing tier, from 2026 as the serialized props of the "
            "page's components. "
            "Live fetches may be refused to non-browser clients: current prices also come from the price APIs."
        ),
    ),
    Source(
        id="anthropic",
        kind="pricing_page",
        provider="anthropic",
        urls=(
            SourceURL("https://www.anthropic.com/product", since=2023, until=2023),
            SourceURL("https://www.anthropic.com/api", since=2024, until=2024),
            SourceURL("https://www.anthropic.com/pricing", since=2024, until=2025),
            SourceURL("https://docs.anthropic.com/en/docs/about-claude/pricing", since=2024, until=2025),
            SourceURL("https://docs.claude.com/en/docs/about-claude/pricing", since=2025, until=2025),
            SourceURL("https://platform.claude.com/docs/en/about-claude/pricing", since=2025),
        ),
        parser="llmflation.parsers.anthropic",
        politeness=Politeness(download_delay_s=5.0),
        notes=(
            "Marketing pages (product 2023, api 2024, pricing 2024-2025) show a card per model, per "
            "million tokens ('$3 / MTok'); they are Next.js pages whose embedded JSON, when present, is read "
            "instead of the visible text. The documentation page (2024-) has one table per kind of price: "
            "base, cache writes and hits, output; batch; long context."
        ),
    ),
    Source(
        id="google",
        kind="pricing_page",
        provider="google",
        urls=(
            SourceURL("https://ai.google.dev/pricing", since=2023, until=2025),
            SourceURL("https://ai.google.dev/gemini-api/docs/pricing", since=2024),
        ),
        parser="llmflation.parsers.google",
        politeness=Politeness(download_delay_s=5.0),
        notes=(
            "Gemini API (Google AI Studio) prices, not Vertex AI. Until spring 2024 text was priced per 1K "
            "characters (converted at [normalize] chars_per_token, rows marked converted_from_characters); "
            "since May 2024 per 1M tokens with a higher price above 128k (later 200k) prompt tokens, "
            "context caching, and from 2025 a Batch tab. Free-tier columns are not prices."
        ),
    ),
    Source(
        id="mistral",
        kind="pricing_page",
        provider="mistral",
        urls=(
            SourceURL("https://docs.mistral.ai/platform/pricing/", since=2023, until=2024),
            # The docs page above is rendered from this Markdown file; its raw form is the same tables
            # without a site around them (archived separately, and what the docs repository's history holds).
            SourceURL(
                "https://raw.githubusercontent.com/mistralai/platform-docs-public/main/docs/platform/05-pricing.md",
                since=2023,
                until=2024,
            ),
            SourceURL("https://mistral.ai/technology/", since=2024, until=2024),
            SourceURL("https://mistral.ai/pricing", since=2025),
        ),
        parser="llmflation.parsers.mistral",
        js_rendered=True,
        politeness=Politeness(download_delay_s=5.0),
        notes=(
            "docs.mistral.ai/platform/pricing (Dec 2023-2024) is a server-rendered table: EUR only at "
            "launch, then USD and EUR columns per 1M tokens; the Markdown it is rendered from "
            "(docs/platform/05-pricing.md of mistralai/platform-docs-public) holds the same pipe tables. mistral.ai/technology (2024) lists API names with "
            "USD and EUR prices. mistral.ai/pricing (2025-) draws its API price table in the browser: "
            "current Mistral prices come from the price APIs (litellm, genai_prices, openrouter)."
        ),
    ),
    Source(
        id="together",
        kind="pricing_page",
        provider="together",
        urls=(
            SourceURL("https://www.together.xyz/pricing", since=2023, until=2024),
            SourceURL("https://www.together.ai/pricing", since=2024),
        ),
        parser="llmflation.parsers.together",
        notes="Per-model tables plus size bands (bands naming no models are skipped); input/output columns from 2025.",
    ),
    Source(
        id="groq",
        kind="pricing_page",
        provider="groq",
        urls=(
            SourceURL("https://wow.groq.com/", since=2024, until=2024),
            SourceURL("https://groq.com/pricing/", since=2024),
        ),
        parser="llmflation.parsers.groq",
        notes="GroqCloud API from 2024-02: wow.groq.com price table, then groq.com/pricing input/output tables.",
    ),
    Source(
        id="fireworks",
        kind="pricing_page",
        provider="fireworks",
        urls=(SourceURL("https://fireworks.ai/pricing", since=2023),),
        parser="llmflation.parsers.fireworks",
        notes="Serverless prices by parameter-count band; named models from 2025; MoE bands name their models.",
    ),
    Source(
        id="deepinfra",
        kind="pricing_page",
        provider="deepinfra",
        urls=(SourceURL("https://deepinfra.com/pricing", since=2023),),
        parser="llmflation.parsers.deepinfra",
        notes="HTML table per model until 2024; then the model list in the page's __NEXT_DATA__ (cents per token).",
    ),
)

# Leaderboards and benchmark tables.
#: Artificial Analysis's free API terms require attribution on every use of its data; the publish
#: step carries this text into the release metadata.
ARTIFICIAL_ANALYSIS_ATTRIBUTION = "Benchmark data from Artificial Analysis, https://artificialanalysis.ai/"

#: llm-stats publishes its data under CC BY 4.0, which requires credit wherever it is used.
LLM_STATS_ATTRIBUTION = "Self-reported scores from llm-stats.com (JonathanChavezTamales/llm-leaderboard), CC BY 4.0"

_CSV_MIRROR = "https://raw.githubusercontent.com/fboulnois/llm-leaderboard-csv/main/csv"

#: LMArena publishes its leaderboard dataset under CC-BY-4.0 and asks for this credit.
LMARENA_ATTRIBUTION = "LMArena leaderboard dataset, https://huggingface.co/datasets/lmarena-ai/leaderboard-dataset (CC-BY-4.0)"
_LMARENA_DATASET = "https://huggingface.co/datasets/lmarena-ai/leaderboard-dataset/resolve/main"

#: Epoch AI publishes its data under CC-BY-4.0, with this credit (its citation of the Benchmarking Hub).
EPOCH_ATTRIBUTION = "Epoch AI, 'AI Benchmarking', https://epoch.ai/benchmarks (CC-BY-4.0)"

LEADERBOARDS: tuple[Source, ...] = (
    Source(
        id="open_llm_leaderboard_v1",
        kind="leaderboard",
        provider="huggingface",
        urls=(SourceURL(f"{_CSV_MIRROR}/huggingface.csv", since=2023, until=2024),),
        parser="llmflation.parsers.open_llm_leaderboard",
        licence="MPL-2.0 (the fboulnois/llm-leaderboard-csv export)",
        notes=(
            "Hugging Face Open LLM Leaderboard v1 (ARC 25-shot, HellaSwag 10-shot, MMLU 5-shot, TruthfulQA "
            "0-shot, Winogrande 5-shot, GSM8K 5-shot), as the CSV export of the fboulnois/llm-leaderboard-csv "
            "mirror (MPL-2.0) of the open-llm-leaderboard-old/contents dataset. Frozen since 2024-06: its "
            "history is what matters."
        ),
        score_rank=4,  # independent evaluation
        hub_repo_names=True,
    ),
    Source(
        id="open_llm_leaderboard_v2",
        kind="leaderboard",
        provider="huggingface",
        urls=(SourceURL(f"{_CSV_MIRROR}/huggingface_v2.csv", since=2024),),
        parser="llmflation.parsers.open_llm_leaderboard",
        licence="MPL-2.0 (the fboulnois/llm-leaderboard-csv export)",
        notes=(
            "Hugging Face Open LLM Leaderboard v2 (IFEval, BBH, MATH level 5, GPQA, MuSR, MMLU-Pro), as the CSV "
            "export of the fboulnois/llm-leaderboard-csv mirror (MPL-2.0) of the open-llm-leaderboard/contents "
            "dataset. Retired by Hugging Face in March 2025."
        ),
        score_rank=3,  # independent evaluation
        hub_repo_names=True,
    ),
    Source(
        id="lmarena",
        kind="leaderboard",
        provider="lmarena",
        urls=(
            SourceURL(f"{_CSV_MIRROR}/lmsys.csv", since=2024, until=2025),
            SourceURL(f"{_CSV_MIRROR}/lmarena_text.csv", since=2025),
        ),
        parser="llmflation.parsers.lmarena",
        licence="MPL-2.0 (the fboulnois/llm-leaderboard-csv export)",
        notes=(
            "LMArena (formerly LMSYS Chatbot Arena) text leaderboard: Elo rating with its 95% interval and "
            "vote count per model, exported monthly by fboulnois/llm-leaderboard-csv (MPL-2.0). The header "
            "changed twice (arena_elo -> arena_score, then a rank_stylectrl column)."
        ),
        score_rank=6,  # independent evaluation
    ),
    Source(
        id="lmarena_vision",
        kind="leaderboard",
        provider="lmarena",
        urls=(SourceURL(f"{_CSV_MIRROR}/lmarena_vision.csv", since=2025),),
        parser="llmflation.parsers.lmarena",
        licence="MPL-2.0 (the fboulnois/llm-leaderboard-csv export)",
        notes="LMArena vision leaderboard (Elo on image-and-text prompts), same export and layout as lmarena.",
        score_rank=7,  # independent evaluation
    ),
    Source(
        id="llm_stats",
        kind="leaderboard",
        provider="llm-stats",
        urls=(
            SourceURL(
                "https://github.com/JonathanChavezTamales/llm-leaderboard/archive/refs/heads/main.zip",
                since=2024,
            ),
        ),
        parser="llmflation.parsers.llm_stats",
        licence="CC-BY-4.0",
        attribution=LLM_STATS_ATTRIBUTION,
        politeness=Politeness(download_delay_s=5.0),
        notes=(
            "llm-stats.com data (CC-BY-4.0): the repository as one zip archive; per model, the benchmark "
            "scores its creator published, each with the link it was taken from. Read in both layouts: "
            "data/models/<org>/<model>/model.json (to early 2025) and "
            "data/organizations/<org>/models/<model>/benchmarks.json (since)."
        ),
    ),
    Source(
        id="artificial_analysis",
        kind="leaderboard",
        provider="artificialanalysis",
        urls=(SourceURL("https://artificialanalysis.ai/api/v2/data/llms/models", since=2025),),
        parser="llmflation.parsers.artificial_analysis",
        follow="llmflation.parsers.artificial_analysis.page_urls",  # the list's pages 2, 3...
        needs_api_key_env="ARTIFICIAL_ANALYSIS_API_KEY",
        attribution=ARTIFICIAL_ANALYSIS_ATTRIBUTION,
        notes=(
            "Artificial Analysis free data API (key sent in the x-api-key header; 1,000 requests a day): "
            "independent evaluations (MMLU-Pro, GPQA Diamond, ...) per model. Attribution required: "
            + ARTIFICIAL_ANALYSIS_ATTRIBUTION
        ),
        score_rank=1,  # independent evaluation
    ),
    Source(
        id="artificial_analysis_leaderboard",
        kind="leaderboard",
        provider="artificialanalysis",
        urls=(SourceURL(
            "https://raw.githubusercontent.com/oolong-tea-2026/artificial-analysis-leaderboards/main/data/2026-04-10/llms.json",
            since=2026,
        ),),
        parser="llmflation.parsers.aa_leaderboard",
        attribution=ARTIFICIAL_ANALYSIS_ATTRIBUTION,
        licence="MIT (the oolong-tea-2026/artificial-analysis-leaderboards snapshots)",
        politeness=Politeness(download_delay_s=5.0),
        notes=(
            "The Artificial Analysis LLM leaderboard page's payload, as the daily snapshots of "
            "oolong-tea-2026/artificial-analysis-leaderboards (MIT) store it: per model the Intelligence Index "
            "scores and the tokens (input, reasoning, answer) it spent on the index's evaluations, with Artificial "
            "Analysis's own cost of that run. The address is the snapshot of 2026-04-10: the mirror files one folder "
            "per day (data/<date>/llms.json) behind a pointer (data/latest.json) the capture does not follow yet. "
            "Attribution required: " + ARTIFICIAL_ANALYSIS_ATTRIBUTION
        ),
    ),
    Source(
        id="epoch_benchmarks",
        kind="leaderboard",
        provider="epoch",
        urls=(SourceURL("https://epoch.ai/data/benchmark_data.zip", since=2024),),
        parser="llmflation.parsers.epoch",
        politeness=Politeness(download_delay_s=5.0),
        attribution=EPOCH_ATTRIBUTION,
        notes=(
            "Epoch AI's Benchmarking Hub download (CC-BY-4.0, refreshed daily): one zip holding the Epoch "
            "Capabilities Index (ECI, anchored so Claude 3.5 Sonnet = 130 and GPT-5 = 150) and Epoch's own runs "
            "of GPQA Diamond, MATH level 5, OTIS Mock AIME, FrontierMath and SWE-bench Verified, with its model "
            "version table. One source, since one download holds every table. Attribution: " + EPOCH_ATTRIBUTION
        ),
        score_rank=2,  # independent evaluation
    ),
    Source(
        id="lmarena_dataset",
        kind="leaderboard",
        provider="lmarena",
        urls=(SourceURL(f"{_LMARENA_DATASET}/text/latest-00000-of-00001.parquet", since=2025),),
        parser="llmflation.parsers.lmarena_dataset",
        politeness=Politeness(download_delay_s=5.0),
        attribution=LMARENA_ATTRIBUTION,
        notes=(
            "LMArena's own export of its text leaderboard, the Hugging Face dataset lmarena-ai/leaderboard-dataset "
            "(CC-BY-4.0; Parquet, split 'latest'): rating, 95% interval, votes, organization, licence per model and "
            "category, with the leaderboard's publication date. Chosen over the CSV mirror (lmarena: a third "
            "party's monthly export, undated, ending 2025-08) and over scraping lmarena.ai (drawn in the browser "
            "behind a bot check, no date): it is LMArena's publication, dated, in one stable schema. Only the "
            "overall category is read; each rating's setting names its publication date. Attribution: "
            + LMARENA_ATTRIBUTION
        ),
        score_rank=5,  # independent evaluation
    ),
)

SOURCES: tuple[Source, ...] = PRICE_APIS + PRICING_PAGES + LEADERBOARDS

#: The ``source_id`` of rows from the curated tables in ``data/reference`` (no registry row: nothing is fetched).
REFERENCE_SOURCE_ID = "reference"


def _ranked(rank_of: Callable[[Source], int | None]) -> tuple[str, ...]:
    """Ids of the sources ``rank_of`` ranks, lowest rank first; each rank may be used once."""
    ranked = sorted((rank, s.id) for s in SOURCES if (rank := rank_of(s)) is not None)
    ranks = [rank for rank, _ in ranked]
    if len(set(ranks)) != len(ranks):
        raise ValueError(f"two sources share a rank: {ranked}")
    return tuple(source_id for _, source_id in ranked)


#: Leaderboards in the default score preference, most trusted first (``Source.score_rank``).
SCORE_PREFERENCE: tuple[str, ...] = _ranked(lambda s: s.score_rank)
#: Sources of model records in the order the catalog takes facts from them (``Source.catalog_rank``).
CATALOG_ORDER: tuple[str, ...] = _ranked(lambda s: s.catalog_rank)


class UnknownSourceError(KeyError):
    """A source id that is not in the registry."""


def get_source(source_id: str) -> Source:
    """The registry row with this id; ``UnknownSourceError`` naming the known ids otherwise."""
    for source in SOURCES:
        if source.id == source_id:
            return source
    known = ", ".join(s.id for s in SOURCES)
    raise UnknownSourceError(f"unknown source {source_id!r} (known: {known})")


def select_sources(ids: list[str] | None) -> list[Source]:
    """The sources named by ``ids`` (all when ``None`` or empty), in registry order."""
    if not ids:
        return list(SOURCES)
    wanted = [get_source(i).id for i in ids]
    return [s for s in SOURCES if s.id in wanted]
