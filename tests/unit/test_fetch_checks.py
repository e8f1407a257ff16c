"""Which fetched bytes stand in for a source's content: login walls, bot challenges, HTML for JSON."""

from __future__ import annotations

import pytest

from llmflation.fetch.checks import why_unusable
from llmflation.sources import Source, SourceURL

API = Source("api", "price_api", "x", (SourceURL("https://api.example.org/v1/models", 2023),), "llmflation.parsers.openrouter")
PAGE = Source("page", "pricing_page", "x", (SourceURL("https://example.org/pricing", 2023),), "llmflation.parsers.openrouter")
URL = "https://example.org/pricing"


@pytest.mark.parametrize("source,body,final_url,expected", [
    (API, b"", None, "empty body"),
    (API, b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title>", None, "HTML page where the API serves data (title '502 Bad Gateway')"),
    (API, b"\xef\xbb\xbf  <html><body>maintenance</body></html>", None, "HTML page where the API serves data"),
    (PAGE, b"<html><head><title>Just a moment...</title></head></html>", None, "bot-challenge"),
    (PAGE, b"<html><script src='/cdn-cgi/challenge-platform/h/b/orchestrate'></script></html>", None, "bot-challenge"),
    (PAGE, b"<html>pricing</html>", "https://example.org/login?next=/pricing", "redirected to a login"),
    (PAGE, b"<html>pricing</html>", "https://auth.example.org/u/", "redirected to a login"),
    (PAGE, b"<html><form><input type=\"password\"></form></html>", "https://example.org/welcome", "password form"),
])
def test_stand_in_pages_are_rejected_with_the_reason(source: Source, body: bytes, final_url: str | None, expected: str) -> None:
    reason = why_unusable(source, 200, body, URL, final_url)
    assert reason is not None and expected in reason


@pytest.mark.parametrize("source,body,final_url", [
    (API, b'{"data": []}', None),
    (API, b"model,input,output\ngpt,1,2\n", None),
    (PAGE, b"<html><title>Pricing</title><script src='https://www.google.com/recaptcha/api.js'></script>$2.50 / 1M</html>", None),
    (PAGE, b"<html><title>Pricing</title></html>", "https://example.org/docs/pricing"),  # a page that moved
    (PAGE, b"<html><title>Pricing</title></html>", "https://example.org/pricing/#top"),
])
def test_real_content_passes(source: Source, body: bytes, final_url: str | None) -> None:
    assert why_unusable(source, 200, body, URL, final_url) is None


def test_non_200_answers_are_not_judged() -> None:
    assert why_unusable(API, 503, b"<html>busy</html>", URL) is None
