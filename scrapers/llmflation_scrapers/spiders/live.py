"""``live``: fetch each selected source's current address and store the bytes.

Run by the capture step as ``scrapy crawl live -a sources=openrouter,litellm -O outcome.jsonl``.
Every response is stored whatever its status (an error page is evidence too); the build
parses only status-200 captures. A fetch that produced no response at all (DNS failure,
refused connection, timeout, robots.txt, size cap) becomes an ``error`` line in the feed.
A source whose registry row has ``follow`` gets its follow-up URLs (discovered from the
first response's bytes by that pure function) fetched under the same source id.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from llmflation.config import load_settings
from llmflation.fetch.checks import why_unusable
from llmflation.sources import Source, select_sources


REDIRECT_STATUSES = (301, 302, 303, 307, 308)
HANDLED_STATUSES = [status for status in range(100, 600) if status not in REDIRECT_STATUSES]


class LiveSpider(scrapy.Spider):
    name = "live"

    def __init__(self, sources: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config = load_settings()
        ids = [s for s in sources.split(",") if s]
        self.selected: list[Source] = select_sources(ids)

    async def start(self) -> Any:
        for source in self.selected:
            headers: dict[str, str] = {}
            if source.needs_api_key_env:
                key = os.environ.get(source.needs_api_key_env)
                if not key:
                    yield {
                        "source_id": source.id,
                        "url": self.config.url_for(source.id, source.live_url),
                        "outcome": "skipped",
                        "error": f"no API key: set {source.needs_api_key_env} to capture this source",
                    }
                    continue
                headers[source.api_key_header] = key
            yield self._request(source, self.config.url_for(source.id, source.live_url), headers, follow=True)

    def _request(self, source: Source, url: str, headers: dict[str, str], follow: bool) -> scrapy.Request:
        # Every status reaches ``store`` (an error page is evidence). Redirects are followed, so
        # that ``store`` can judge where they led (a moved page, a login wall), except for requests
        # carrying an API key: Scrapy would send the key header on to whatever host the redirect
        # names, so there the redirect itself is stored (and never parsed) instead.
        statuses: dict[str, Any] = ({"handle_httpstatus_all": True} if headers
                                    else {"handle_httpstatus_list": HANDLED_STATUSES})
        return scrapy.Request(
            url,
            headers=headers,
            callback=self.store,
            errback=self.failed,
            dont_filter=True,
            meta={
                "source_id": source.id,
                "source": source,
                "requested_url": url,
                "follow": follow,
                "api_headers": headers,
                **statuses,
            },
        )

    def store(self, response: Response) -> Iterator[Any]:
        source: Source = response.meta["source"]
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        rejected = why_unusable(source, response.status, response.body, response.meta["requested_url"], response.url)
        yield {
            "source_id": source.id,
            "url": response.meta["requested_url"],
            "final_url": response.url,
            "status": response.status,
            "content_type": content_type,
            "body": response.body,
            "observed_at": datetime.now(UTC),
            "via": "live",
            "rejected": rejected,
        }
        if response.meta["follow"] and source.follow and response.status == 200 and rejected is None:
            module_name, _, func_name = source.follow.rpartition(".")
            discover = getattr(importlib.import_module(module_name), func_name)
            for url in discover(response.body, response.meta["requested_url"]):
                yield self._request(source, url, response.meta["api_headers"], follow=False)

    def failed(self, failure: Failure) -> Iterator[dict[str, Any]]:
        request = failure.request  # type: ignore[attr-defined]
        yield {
            "source_id": request.meta["source_id"],
            "url": request.meta["requested_url"],
            "outcome": "error",
            "error": describe_failure(failure),
        }


def describe_failure(failure: Failure) -> str:
    """One line saying why a fetch produced no response, without a traceback.

    Matched on exception class names, which differ between Scrapy's and Twisted's versions
    of the same failure (``DownloadConnectionRefusedError`` / ``ConnectionRefusedError``).
    """
    exc = failure.value
    name = type(exc).__name__
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if name == "IgnoreRequest" and "robots.txt" in text:
        return "forbidden by robots.txt"
    if "DNSLookup" in name or "CannotResolveHost" in name:
        return f"unreachable: DNS lookup failed ({text})"
    if "ConnectionRefused" in name or "NoRoute" in name or "ConnectError" in name:
        return f"unreachable: connection refused ({text})"
    if "Timeout" in name or "TimedOut" in name:
        return f"timed out ({text})"
    if "maxsize" in text.lower() or "max size" in text.lower():  # on the wire, or decompressed
        return f"response over the size cap ({text})"
    if name in ("ResponseFailed", "PotentialDataLoss", "DataLoss", "_DataLoss", "ResponseNeverReceived",
                "ResponseDataLossError", "DownloadFailedError"):
        return f"body truncated or connection lost ({name}: {text})"
    return f"{name}: {text}" if text else name
