"""Scrapy settings, derived from the registry and llmflation's configuration.

Polite by default: an identifying User-Agent with a contact URL, robots.txt obeyed, one
request at a time per host with the source's delay, AutoThrottle on top, a size cap on every
response (Scrapy applies it to the decompressed size too), and a timeout.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from llmflation.config import load_settings
from llmflation.sources import SOURCES

_config = load_settings()
_capture = _config.capture

BOT_NAME = "llmflation"
SPIDER_MODULES = ["llmflation_scrapers.spiders"]
NEWSPIDER_MODULE = "llmflation_scrapers.spiders"

USER_AGENT = _config.user_agent
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

#: Seconds between requests to one host; a source's own politeness may ask for more.
DOWNLOAD_DELAY = _capture.download_delay_s
RANDOMIZE_DOWNLOAD_DELAY = True
CONCURRENT_REQUESTS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = 1
AUTOTHROTTLE_ENABLED = DOWNLOAD_DELAY > 0  # download_delay_s = 0 (tests on loopback) turns pacing off
AUTOTHROTTLE_START_DELAY = max(DOWNLOAD_DELAY, 0.5)
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = _capture.timeout_s
DOWNLOAD_MAXSIZE = _capture.max_response_bytes
DOWNLOAD_WARNSIZE = _capture.max_response_bytes // 4
DOWNLOAD_FAIL_ON_DATALOSS = True  # a truncated body is an error, never a capture

RETRY_ENABLED = True
RETRY_TIMES = _capture.retries
RETRY_HTTP_CODES = [408, 429, 500, 502, 503, 504, 522, 524]

DOWNLOADER_MIDDLEWARES = {
    "llmflation_scrapers.middlewares.RetryAfterMiddleware": 560,  # sees responses before RetryMiddleware (550)
}
ITEM_PIPELINES = {
    "llmflation_scrapers.pipelines.RawStorePipeline": 100,
}


def _download_slots() -> dict[str, dict[str, float | int]]:
    """Per-host delay and concurrency from each source's politeness (the strictest wins)."""
    slots: dict[str, dict[str, float | int]] = {}
    for source in SOURCES:
        host = urlsplit(_config.url_for(source.id, source.live_url)).hostname or ""
        delay = max(source.politeness.download_delay_s, DOWNLOAD_DELAY) if DOWNLOAD_DELAY else 0.0
        slot = slots.setdefault(host, {"delay": delay, "concurrency": source.politeness.concurrent_requests})
        slot["delay"] = max(float(slot["delay"]), delay)
        slot["concurrency"] = min(int(slot["concurrency"]), source.politeness.concurrent_requests)
    return slots


DOWNLOAD_SLOTS = _download_slots()

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = _capture.log_level
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
RETRY_AFTER_MAX_S = _capture.max_retry_after_s
