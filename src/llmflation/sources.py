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
