"""The Wayback Machine's CDX index: which versions of an address the archive holds, listed safely.

waybackpy builds the CDX query (``statuscode:200`` filter, ``collapse=digest``, ``from``/``to``,
exact match, ``limit`` as page size) and reads its rows. The HTTP requests are ours, because
waybackpy 3.0.6 (read from its source) sets no timeout, retries only 5xx over https, and
hands back an HTTP 429 page as if it were an empty index: a throttled listing would look
like "no history". Here every CDX page request has a timeout, is paced, is retried with
backoff (``Retry-After`` honoured) on 429, 5xx, timeouts and lost connections, and fails
with ``WaybackListingError`` when it cannot be completed. A listing is complete or an error,
never silently short.

Snapshots themselves are fetched by the ``wayback`` Scrapy spider from
``<wayback>/web/<timestamp>id_/<original url>`` (the archived bytes, no toolbar).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from waybackpy import WaybackMachineCDXServerAPI
from waybackpy.cdx_utils import full_url
from waybackpy.exceptions import WaybackError

from llmflation.fetch.bisection import DEFAULT_STEP
from llmflation.config import Settings
from llmflation.fetch.retry_after import retry_after_seconds

log = logging.getLogger(__name__)

CDX_PATH = "/cdx/search/cdx"
TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"
#: Statuses worth asking again (later): throttling, server trouble, gateway timeouts.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 520, 522, 524})
#: Longest wait between two attempts, whatever the backoff or the server's Retry-After says.
MAX_BACKOFF_S = 300.0
_SNAPSHOT_PATH = re.compile(r"/web/(\d{14})id_/(.+)$")
_BLOCKED_SITE = "AdministrativeAccessControlException"


class WaybackListingError(RuntimeError):
    """A CDX listing that could not be completed: throttled, failing, timing out or unreadable.

    ``stop_reason`` is set when asking the archive anything more in this run would be
    pointless or impolite: it said 429 to the end, or it could not be reached at all.
    """

    def __init__(self, message: str, *, stop_reason: str | None = None) -> None:
        super().__init__(message)
        self.stop_reason = stop_reason


THROTTLED = "the archive was throttling this run"
UNREACHABLE = "the archive could not be reached"
#: Attempts at an address that refused the connection or did not resolve: it rarely heals in seconds.
UNREACHABLE_ATTEMPTS = 2


@dataclass(frozen=True)
class CdxRow:
    """One archived version of an address, as the CDX index lists it."""

    original_url: str  # the address as the archive recorded it
    timestamp: str  # 14-digit Wayback timestamp, UTC
    digest: str  # base32 SHA-1 of the archived payload
    mimetype: str
    length: str

    @property
    def observed_at(self) -> datetime:
        return timestamp_to_datetime(self.timestamp)


@dataclass(frozen=True)
class WaybackOptions:
    """How the archive is asked: where, how often, how patiently. From ``Settings``."""

    base_url: str
    user_agent: str
    interval_s: float  # seconds between two requests to the archive (60 / requests_per_minute)
    timeout_s: float
    page_size: int
    attempts: int
    max_retry_after_s: float
    strategy: str = "bisect"  # "bisect": sample, then bisect; "every_version": every distinct digest
    sample_step: str = DEFAULT_STEP  # how far apart the bisect strategy samples (llmflation.fetch.bisection)

    @classmethod
    def from_settings(cls, settings: Settings) -> WaybackOptions:
        return cls(
            base_url=settings.wayback.url.rstrip("/"),
            user_agent=settings.user_agent,
            interval_s=60.0 / settings.wayback.requests_per_minute,
            timeout_s=settings.capture.timeout_s,
            page_size=settings.wayback.cdx_page_size,
            attempts=settings.wayback.listing_attempts,
            max_retry_after_s=settings.capture.max_retry_after_s,
            strategy=settings.wayback.strategy,
            sample_step=settings.wayback.sample_step,
        )


class Pacer:
    """Keeps at least ``interval_s`` between the starts of two requests to the archive."""

    def __init__(self, interval_s: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval_s = interval_s
        self._sleep = sleep
        self._last: float | None = None

    def wait(self) -> None:
        if self._last is not None:
            remaining = self._last + self.interval_s - time.monotonic()
            if remaining > 0:
                self._sleep(remaining)
        self._last = time.monotonic()


@dataclass
class CdxClient:
    """Lists versions of addresses from the CDX index, one guarded request per page.

    ``events`` collects one line per retried request (what went wrong, how long we waited),
    for the run report.
    """

    options: WaybackOptions
    pacer: Pacer
    sleep: Callable[[float], None] = time.sleep
    events: list[str] = field(default_factory=list)
    requests_made: int = 0

    def __post_init__(self) -> None:
        self._session = requests.Session()
        self._session.headers["User-Agent"] = self.options.user_agent

    def close(self) -> None:
        self._session.close()

    def list_versions(self, url: str, start: str | None, end: str | None, collapse: bool = True) -> list[CdxRow]:
        """Every status-200 version of ``url`` archived between ``start`` and ``end`` (14-digit, inclusive).

        With ``collapse``, adjacent captures with the same digest come back as one row
        (``collapse=digest``; the same digest can still appear again later, after a different
        version). Without it, every capture is a row: what the bisection needs to date a
        change to the capture that first shows it, and the one before.
        """
        query = _GuardedCdxQuery(
            url,
            fetch_page=self._get_page,
            endpoint=self.options.base_url + CDX_PATH,
            user_agent=self.options.user_agent,
            start_timestamp=start,
            end_timestamp=end,
            filters=["statuscode:200"],
            collapses=["digest"] if collapse else [],
            match_type="exact",
            limit=str(self.options.page_size),
        )
        try:
            return [
                CdxRow(s.original, s.timestamp, s.digest, s.mimetype, s.length) for s in query.snapshots()
            ]
        except (WaybackError, ValueError) as exc:  # a row waybackpy cannot read
            raise WaybackListingError(f"unreadable CDX answer for {url}: {exc}") from exc

    def _get_page(self, request_url: str) -> str:
        """The body of one CDX page, after as many patient attempts as configured."""
        problem, stop_reason, attempts = "", None, self.options.attempts
        attempt = 0
        while attempt < attempts:
            attempt += 1
            self.pacer.wait()
            self.requests_made += 1
            wait: float | None = None
            try:
                response = self._session.get(request_url, timeout=self.options.timeout_s)
            except requests.Timeout:
                problem, stop_reason = f"timed out after {self.options.timeout_s:g} s", None
            except requests.ConnectionError as exc:
                problem, stop_reason = f"connection failed ({type(exc).__name__})", UNREACHABLE
                attempts = min(attempts, UNREACHABLE_ATTEMPTS)
            else:
                if response.status_code == 200:
                    return _checked_cdx_text(response.text, request_url)
                if response.status_code not in RETRY_STATUSES:
                    raise WaybackListingError(f"CDX answered HTTP {response.status_code} for {request_url}")
                problem = f"HTTP {response.status_code}"
                stop_reason = THROTTLED if response.status_code == 429 else None
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                if wait is not None and wait > self.options.max_retry_after_s:
                    raise WaybackListingError(
                        f"CDX answered {problem} asking us to wait {wait:.0f} s (over "
                        f"{self.options.max_retry_after_s:.0f} s) for {request_url}", stop_reason=stop_reason)
            if attempt == attempts:
                break
            reason = "Retry-After" if wait is not None else "backoff"
            if wait is None:
                wait = min(MAX_BACKOFF_S, self.options.interval_s * 2 ** (attempt - 1))
            event = f"CDX {problem} (attempt {attempt}); waited {wait:g} s ({reason})"
            log.warning("%s before asking again: %s", event, request_url)
            self.events.append(event)
            self.sleep(wait)
        raise WaybackListingError(
            f"CDX listing failed after {attempt} attempts ({problem}): {request_url}", stop_reason=stop_reason)


class _GuardedCdxQuery(WaybackMachineCDXServerAPI):
    """waybackpy's CDX query with our HTTP: ``cdx_api_manager`` is the one method that requests pages.

    Follows resume keys (``showResumeKey=true``) page by page like waybackpy does, but reads
    the key without stripping the page first, so a page of zero rows followed by a key is
    still understood.
    """

    def __init__(self, url: str, *, fetch_page: Callable[[str], str], endpoint: str, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self.endpoint = endpoint
        self._fetch_page = fetch_page

    def cdx_api_manager(self, payload: dict[str, str], headers: dict[str, str]) -> Generator[str, None, None]:
        payload["showResumeKey"] = "true"
        payload["limit"] = str(self.limit)
        while True:
            request_url = full_url(self.endpoint, params=payload)
            self.last_api_request_url = request_url
            rows, resume_key = split_resume_key(self._fetch_page(request_url))
            yield rows
            if resume_key is None:
                return
            payload["resumeKey"] = resume_key


def split_resume_key(text: str) -> tuple[str, str | None]:
    """A CDX text page split into its rows and the resume key that follows a blank line, if any."""
    lines = text.rstrip("\n").split("\n")
    if len(lines) >= 2 and lines[-2].strip() == "" and lines[-1].strip():
        return "\n".join(lines[:-2]), lines[-1].strip()
    return "\n".join(lines), None


def _checked_cdx_text(text: str, request_url: str) -> str:
    """The page, if it is CDX rows (7 space-separated fields) and at most a resume key."""
    if _BLOCKED_SITE in text:
        raise WaybackListingError(f"the archive excludes this address (blocked site): {request_url}")
    rows, _ = split_resume_key(text)
    for line in rows.splitlines():
        if line.strip() and len(line.split(" ")) != 7:
            raise WaybackListingError(f"not a CDX answer (line {line[:80]!r}) from {request_url}")
    return text


def timestamp_to_datetime(timestamp: str) -> datetime:
    """A 14-digit Wayback timestamp as an aware UTC datetime."""
    return datetime.strptime(timestamp, TIMESTAMP_FORMAT).replace(tzinfo=UTC)


def datetime_to_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def snapshot_url(base_url: str, timestamp: str, original_url: str) -> str:
    """Where the archive serves a version's original bytes (``id_``: no toolbar, no rewriting)."""
    return f"{base_url.rstrip('/')}/web/{timestamp}id_/{original_url}"


def served_timestamp(url: str) -> str | None:
    """The timestamp of the snapshot a (possibly redirected) ``/web/<ts>id_/...`` URL serves."""
    match = _SNAPSHOT_PATH.search(url)
    return match.group(1) if match else None


def payload_digest(body: bytes) -> str:
    """The CDX digest of a payload: base32 of its SHA-1."""
    return base64.b32encode(hashlib.sha1(body, usedforsecurity=False).digest()).decode("ascii")
