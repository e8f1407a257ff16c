"""Exponential backoff before Scrapy's RetryMiddleware tries a request again.

Scrapy retries a 5xx, a timeout or a lost connection at once (only the download delay
between). A server in trouble deserves more room: this waits ``BACKOFF_BASE_S * 2**n``
seconds (n = retries so far, capped at ``BACKOFF_MAX_S``) before the retry is scheduled.
Responses with a ``Retry-After`` header are left to the RetryAfterMiddleware, which has
already waited what the server asked.
"""

from __future__ import annotations

import asyncio
import logging

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from llmflation_scrapers.middlewares import required_float

log = logging.getLogger(__name__)


class BackoffMiddleware:
    def __init__(self, base_s: float, max_s: float, retry_codes: set[int], max_retries: int) -> None:
        self.base_s = base_s
        self.max_s = max_s
        self.retry_codes = retry_codes
        self.max_retries = max_retries

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffMiddleware:
        settings = crawler.settings
        return cls(
            base_s=required_float(settings, "BACKOFF_BASE_S"),
            max_s=required_float(settings, "BACKOFF_MAX_S"),
            retry_codes={int(c) for c in settings.getlist("RETRY_HTTP_CODES")},
            max_retries=settings.getint("RETRY_TIMES"),
        )

    def _will_retry(self, request: Request) -> bool:
        return not request.meta.get("dont_retry") and request.meta.get("retry_times", 0) < self.max_retries

    async def _wait(self, request: Request, why: str) -> None:
        wait = min(self.max_s, self.base_s * 2 ** request.meta.get("retry_times", 0))
        log.info("%s: %s; backing off %.1f s before retrying", request.url, why, wait)
        await asyncio.sleep(wait)

    async def process_response(self, request: Request, response: Response, spider: Spider) -> Response:
        if response.status in self.retry_codes and b"Retry-After" not in response.headers and self._will_retry(request):
            await self._wait(request, f"HTTP {response.status}")
        return response

    async def process_exception(self, request: Request, exception: Exception, spider: Spider) -> None:
        if not isinstance(exception, IgnoreRequest) and self._will_retry(request):
            await self._wait(request, type(exception).__name__)
        return None
