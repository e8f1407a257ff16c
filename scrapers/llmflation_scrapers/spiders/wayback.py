"""``wayback``: fetch planned archived versions from the Wayback Machine and store their bytes.

Run by the backfill as ``scrapy crawl wayback -a plan=<file> -O outcome.jsonl``; the plan is a
JSON list of ``{source_id, original_url, timestamp, digest}`` (written by ``llmflation.fetch.backfill``).
Each version is fetched from ``<wayback>/web/<timestamp>id_/<original_url>`` (the archived bytes)
and stored with ``via="wayback"``, ``observed_at`` = the capture's timestamp (UTC) and the CDX digest.

Politeness: one request at a time to the archive, ``60 / [wayback] requests_per_minute``
seconds apart (not randomised, so the rate is a ceiling), ``Retry-After`` honoured on 429/503,
exponential backoff before retrying a 5xx, a timeout or a lost connection, and a truncated
body is an error, never a capture. Versions are fetched oldest first.

A snapshot that redirects to another timestamp (the archive does this when the listed capture
is served from a neighbour) is stored under the timestamp actually served when its payload has
the planned digest; when it does not, the bytes are stored as the version they are (their own
digest, the served timestamp) and the planned version is reported as not fetched, saying why.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from llmflation.config import load_settings
from llmflation.fetch.checks import why_unusable
from llmflation.sources import get_source
from llmflation.fetch.wayback import MAX_BACKOFF_S, payload_digest, served_timestamp, snapshot_url, timestamp_to_datetime
from llmflation_scrapers.spiders.live import describe_failure


class WaybackSpider(scrapy.Spider):
    name = "wayback"

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Pace the archive host from ``[wayback]``; add the backoff middleware to the project's."""
        super().update_settings(settings)
        config = load_settings()
        delay = 60.0 / config.wayback.requests_per_minute
        host = urlsplit(config.wayback.url).hostname or ""
        middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
        middlewares["llmflation_scrapers.backoff.BackoffMiddleware"] = 555  # after Retry-After (560), before retry (550)
        retries = config.wayback.retries  # times a failed snapshot request is tried again
        for key, value in {
            "DOWNLOAD_DELAY": delay,
            "RANDOMIZE_DOWNLOAD_DELAY": False,
            "CONCURRENT_REQUESTS": 1,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
            "DOWNLOAD_SLOTS": {host: {"delay": delay, "concurrency": 1, "randomize_delay": False}},
            "AUTOTHROTTLE_START_DELAY": delay,
            "AUTOTHROTTLE_MAX_DELAY": max(60.0, delay),
            "RETRY_TIMES": retries,
            "BACKOFF_BASE_S": delay,
            "BACKOFF_MAX_S": MAX_BACKOFF_S,  # the same ceiling as the CDX listing's backoff
            "DOWNLOADER_MIDDLEWARES": middlewares,
        }.items():
            settings.set(key, value, priority="spider")

    def __init__(self, plan: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not plan:
            raise ValueError("the wayback spider needs -a plan=<file> (a JSON list of versions to fetch)")
        self.config = load_settings()
        self.versions: list[dict[str, str]] = json.loads(Path(plan).read_text(encoding="utf-8"))

    async def start(self) -> Any:
        ordered = sorted(self.versions, key=lambda v: v["timestamp"])
        for rank, version in enumerate(ordered):
            yield scrapy.Request(
                snapshot_url(self.config.wayback_url, version["timestamp"], version["original_url"]),
                callback=self.store,
                errback=self.failed,
                dont_filter=True,
                priority=len(ordered) - rank,  # oldest first
                meta={"version": version},
            )

    def store(self, response: scrapy.http.Response) -> Iterator[dict[str, Any]]:
        version: dict[str, str] = response.meta["version"]
        served = served_timestamp(response.url)
        base = {"source_id": version["source_id"], "url": version["original_url"]}
        planned = {"planned_digest": version["digest"], "planned_timestamp": version["timestamp"]}
        if served is None:
            yield {**base, **planned, "outcome": "error",
                   "error": f"redirected away from the archive's snapshots, to {response.url}: not stored"}
            return
        digest = version["digest"]
        if served != version["timestamp"]:
            actual = payload_digest(response.body)
            if actual != version["digest"]:
                yield {**base, **planned, "outcome": "error",
                       "error": f"redirected to {served}, whose payload has digest {actual}, not {version['digest']}: "
                                f"stored that as its own version"}
                digest = actual
        # An archived bot-challenge page, or HTML archived for a JSON API, is kept but never parsed.
        rejected = why_unusable(get_source(version["source_id"]), response.status, response.body, version["original_url"])
        yield {
            **base,
            "rejected": rejected,
            "final_url": response.url,
            "status": response.status,
            "content_type": response.headers.get("Content-Type", b"").decode("latin-1"),
            "body": response.body,
            "observed_at": timestamp_to_datetime(served),
            "via": "wayback",
            "wayback_timestamp": served,
            "wayback_digest": digest,
        }

    def failed(self, failure: Failure) -> Iterator[dict[str, Any]]:
        version: dict[str, str] = failure.request.meta["version"]  # type: ignore[attr-defined]
        yield {
            "source_id": version["source_id"],
            "url": version["original_url"],
            "outcome": "error",
            "planned_digest": version["digest"],
            "planned_timestamp": version["timestamp"],
            "wayback_timestamp": version["timestamp"],
            "error": why_failed(failure),
        }


def why_failed(failure: Failure) -> str:
    """One line for a snapshot that could not be fetched (Scrapy 2.19 names its data-loss and timeout errors anew)."""
    name = type(failure.value).__name__
    if isinstance(failure.value, HttpError):
        return f"HTTP {failure.value.response.status} after retries"
    if name in ("ResponseDataLossError", "_DataLoss", "PotentialDataLoss"):
        return f"body truncated: fewer bytes than announced ({name}), after retries"
    if name == "DownloadTimeoutError":
        return f"timed out ({name}), after retries"
    return describe_failure(failure)
