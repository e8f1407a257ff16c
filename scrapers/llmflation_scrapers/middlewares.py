"""Honour ``Retry-After`` on 429 and 503 before Scrapy's RetryMiddleware retries.

Scrapy retries these statuses at once; a server that said "come back in 30 s" should get
its 30 s. Waits longer than ``[capture] max_retry_after_s`` are not waited
for: the request is given up and reported, rather than holding the run for hours.
"""

from __future__ import annotations

import asyncio
import logging

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings

from llmflation.fetch.retry_after import retry_after_seconds

log = logging.getLogger(__name__)


def required_float(settings: BaseSettings, name: str) -> float:
    """A number the project or spider settings must set (its default lives in llmflation's settings, once)."""
    value = settings.get(name)
    if value is None:
        raise ValueError(f"Scrapy setting {name} is not set (llmflation_scrapers.settings or the spider sets it)")
    return float(value)


class RetryAfterMiddleware:
    def __init__(self, max_wait_s: float) -> None:
        self.max_wait_s = max_wait_s

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(required_float(crawler.settings, "RETRY_AFTER_MAX_S"))

    async def process_response(self, request: Request, response: Response, spider: Spider) -> Response:
        if response.status not in (429, 503):
            return response
        header = response.headers.get("Retry-After")
        wait = retry_after_seconds(header.decode("latin-1") if header else None)
        if wait is None:
            return response
        if wait > self.max_wait_s:
            log.warning("%s asks to wait %.0f s (over %.0f s): not retrying", request.url, wait, self.max_wait_s)
            request.meta["dont_retry"] = True
            return response
        log.info("%s answered %s with Retry-After %.1f s: waiting", request.url, response.status, wait)
        await asyncio.sleep(wait)
        return response
