"""The registry: one row per source. Spiders, flows, the CLI and the tests all read it.

Adding a source is a row here, a parser module in ``llmflation.parsers``, a fixture and a test.
Nothing else in the project lists sources.
"""

from __future__ import annotations

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
    notes: str = ""

    @property
    def live_url(self) -> str:
        """The source's current address (the one with no end year)."""
        for entry in self.urls:
            if entry.until is None:
                return entry.url
        return self.urls[-1].url


# Price APIs and machine-readable price tables: the most reliable current prices.
PRICE_APIS: tuple[Source, ...] = (
    Source(
        id="openrouter",
        kind="price_api",
        provider="openrouter",
        urls=(SourceURL("https://openrouter.ai/api/v1/models", since=2023),),
        parser="llmflation.parsers.openrouter",
        politeness=Politeness(download_delay_s=1.0),
        notes="GET /api/v1/models: pricing.prompt / pricing.completion are USD per token, as strings.",
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
            SourceURL("https://openai.com/pricing", since=2023, until=2024),
            SourceURL("https://platform.openai.com/docs/pricing", since=2025, until=2026),
            SourceURL("https://openai.com/api/pricing/", since=2021),
        ),
        parser="llmflation.parsers.openai",
        politeness=Politeness(download_delay_s=5.0),
        notes=(
            "openai.com/api/pricing/ (2021-2023, again 2024-) and openai.com/pricing (2023-2024) are "
            "server-rendered: per-engine per-1K prices, then Input/Output tables per 1K, then per 1M. "
            "platform.openai.com/docs/pricing (2025-) is an app page; kept for its archived history. "
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
            SourceURL("https://mistral.ai/technology/", since=2024, until=2024),
            SourceURL("https://mistral.ai/pricing", since=2025),
        ),
        parser="llmflation.parsers.mistral",
        js_rendered=True,
        politeness=Politeness(download_delay_s=5.0),
        notes=(
            "docs.mistral.ai/platform/pricing (Dec 2023-2024) is a server-rendered table: EUR only at "
            "launch, then USD and EUR columns per 1M tokens. mistral.ai/technology (2024) lists API names with "
            "USD and EUR prices. mistral.ai/pricing (2025-) draws its API price table in the browser: "
            "current Mistral prices come from the price APIs (litellm, genai_prices, openrouter)."
        ),
    ),
)

# Leaderboards and benchmark tables.
LEADERBOARDS: tuple[Source, ...] = ()

SOURCES: tuple[Source, ...] = PRICE_APIS + PRICING_PAGES + LEADERBOARDS


def get_source(source_id: str) -> Source:
    """The registry row with this id; ``KeyError`` naming the known ids otherwise."""
    for source in SOURCES:
        if source.id == source_id:
            return source
    known = ", ".join(s.id for s in SOURCES)
    raise KeyError(f"unknown source {source_id!r} (known: {known})")


def select_sources(ids: list[str] | None) -> list[Source]:
    """The sources named by ``ids`` (all when ``None`` or empty), in registry order."""
    if not ids:
        return list(SOURCES)
    wanted = [get_source(i).id for i in ids]
    return [s for s in SOURCES if s.id in wanted]
