"""Is a fetched response the source's content, or a page standing in for it?

Sites answer scrapers with pages that are not what was asked for, often with status 200:
a login form after a redirect, a bot challenge ("Just a moment..."), an HTML error page
where an API serves JSON. Such a capture is stored like any other (it is evidence of what
the source served) but marked ``rejected`` with the reason, and the build never parses it.

Pure functions of the response's facts: no network, no Scrapy, so the spider, the Wayback
backfill and the tests share them.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from llmflation.sources import Source

#: Only the start of a body is inspected: challenge and login pages are small.
SNIFF_BYTES = 64 * 1024

_LOGIN_OR_CHALLENGE_URL = re.compile(
    r"(^|[/._?&=-])(login|log-in|signin|sign-in|sign_in|sso|auth|oauth|captcha|challenge|__cf_chl[a-z_]*|"
    r"cdn-cgi/challenge-platform|account/verify)([/._?&=-]|$)",
    re.IGNORECASE,
)

#: Markers of bot-protection interstitials (Cloudflare, Imperva, PerimeterX, DataDome, Akamai).
_CHALLENGE_MARKERS = (
    b"cf_chl_opt",
    b"/cdn-cgi/challenge-platform/",
    b"<title>just a moment...</title>",
    b"attention required! | cloudflare",
    b"checking your browser before accessing",
    b"_incapsula_resource",
    b"px-captcha",
    b"geo.captcha-delivery.com",
    b"/_sec/cp_challenge/",
)

_PASSWORD_INPUT = re.compile(rb"<input[^>]+type\s*=\s*[\"']?password", re.IGNORECASE)


def why_unusable(
    source: Source,
    status: int,
    body: bytes,
    requested_url: str,
    final_url: str | None = None,
) -> str | None:
    """The reason this response must not be parsed as the source's prices, or None when it may be.

    Only status-200 responses are judged: other statuses are never parsed anyway.
    """
    if status != 200:
        return None
    if not body.strip():
        return "empty body with status 200"
    head = body[:SNIFF_BYTES]
    lowered = head.lower()
    redirected = final_url is not None and final_url != "" and _without_fragment(final_url) != _without_fragment(requested_url)
    if redirected:
        target = urlsplit(final_url or "")
        if _LOGIN_OR_CHALLENGE_URL.search(f"{target.path}?{target.query}") or (
                target.hostname and target.hostname != urlsplit(requested_url).hostname
                and _LOGIN_OR_CHALLENGE_URL.search(target.hostname)):
            return f"redirected to a login or challenge page ({final_url})"
        if _PASSWORD_INPUT.search(head):
            return f"redirected to a page with a password form ({final_url})"
    for marker in _CHALLENGE_MARKERS:
        if marker in lowered:
            return f"a bot-challenge page (it contains {marker.decode()!r})"
    if source.kind == "price_api" and _looks_like_markup(head):
        title = _title(head)
        return "an HTML page where the API serves data" + (f" (title {title!r})" if title else "")
    return None


def _looks_like_markup(head: bytes) -> bool:
    """HTML or XML where data (JSON, YAML, CSV) was expected: none of those starts with ``<``.

    Judged on the bytes, not the Content-Type, which APIs get wrong in both directions.
    """
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _title(head: bytes) -> str | None:
    found = re.search(rb"<title[^>]*>(.*?)</title>", head, re.IGNORECASE | re.DOTALL)
    if not found:
        return None
    return found.group(1).decode("utf-8", "replace").strip()[:80] or None


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0].rstrip("/")
