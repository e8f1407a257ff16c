"""The CDX listing: complete across pages, and an error (never an empty history) when throttled or failing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import requests

from llmflation.fetch.backfill import listing_window
from llmflation.config import CaptureSettings, Settings, WaybackSettings
from llmflation.sources import SourceURL
from llmflation.fetch.wayback import (
    THROTTLED,
    UNREACHABLE,
    CdxClient,
    Pacer,
    WaybackListingError,
    WaybackOptions,
    payload_digest,
    served_timestamp,
    split_resume_key,
)
from tests.support.fake_wayback import Capture, FakeWayback, sha1_base32, surt
from tests.support.loopback import Route

URL = "https://example.com/pricing"


def _captures() -> list[Capture]:
    a, b, c = b'{"v": "a"}', b'{"v": "b"}', b'{"v": "c"}'
    return [
        Capture(URL, "20230105000000", a),
        Capture(URL, "20230110000000", a),  # adjacent repeat: collapsed by the CDX
        Capture(URL, "20230201000000", b),
        Capture(URL, "20230215000000", b"gone", statuscode="404"),
        Capture(URL, "20230301000000", a),  # A again after B: not adjacent, listed again
        Capture(URL, "20240101000000", c),
        Capture("https://example.com/other", "20230101000000", b"other"),
    ]


@pytest.fixture
def fake() -> Iterator[FakeWayback]:
    server = FakeWayback(_captures())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _client(fake: FakeWayback, tmp_path: Path, waits: list[float], page_size: int = 2, timeout_s: float = 5.0,
            attempts: int = 4) -> CdxClient:
    settings = Settings(
        data_dir=tmp_path, capture=CaptureSettings(timeout_s=timeout_s),
        wayback=WaybackSettings(url=fake.url, requests_per_minute=60000, cdx_page_size=page_size, listing_attempts=attempts),
    )
    options = WaybackOptions.from_settings(settings)
    return CdxClient(options, Pacer(options.interval_s), sleep=waits.append)


def test_fake_cdx_answers_json_with_filter_collapse_range_and_resume_key(fake: FakeWayback) -> None:
    base = f"{fake.url}/cdx/search/cdx?url={URL}&output=json&filter=statuscode:200&collapse=digest"
    doc = requests.get(base, timeout=5).json()
    assert doc[0] == ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
    assert [r[1] for r in doc[1:]] == ["20230105000000", "20230201000000", "20230301000000", "20240101000000"]
    ranged = requests.get(base + "&from=2023&to=202302&fl=timestamp,digest", timeout=5).json()
    assert ranged == [["timestamp", "digest"], ["20230105000000", sha1_base32(b'{"v": "a"}')],
                      ["20230201000000", sha1_base32(b'{"v": "b"}')]]
    paged = requests.get(base + "&limit=2&showResumeKey=true", timeout=5).json()
    assert paged[-2] == [] and len(paged) == 5
    rest = requests.get(base + f"&limit=2&showResumeKey=true&resumeKey={paged[-1][0]}", timeout=5).json()
    assert [r[1] for r in rest[1:]] == ["20230301000000", "20240101000000"]
    assert requests.get(base + "&filter=!statuscode:200", timeout=5).json() == []  # filters are ANDed
    not_ok = requests.get(f"{fake.url}/cdx/search/cdx?url={URL}&output=json&filter=!statuscode:200", timeout=5).json()
    assert [r[1] for r in not_ok[1:]] == ["20230215000000"]


def test_listing_follows_resume_keys_to_the_end(fake: FakeWayback, tmp_path: Path) -> None:
    client = _client(fake, tmp_path, [], page_size=1)
    rows = client.list_versions(URL, None, None)
    # Collapsing restarts on each page, so with one row per page the adjacent repeat shows too.
    assert [r.timestamp for r in rows] == [
        "20230105000000", "20230110000000", "20230201000000", "20230301000000", "20240101000000"]
    assert rows[0].digest == rows[1].digest == rows[3].digest  # one version listed thrice: fetched once
    assert len({r.digest for r in rows}) == 3
    assert rows[0].observed_at.isoformat() == "2023-01-05T00:00:00+00:00"
    assert len(fake.cdx_requests()) >= 4 and all("resumeKey=" in p for p in fake.cdx_requests()[1:])
    assert all("statuscode%3A200" in p and "collapse=digest" in p and "matchType=exact" in p
               for p in fake.cdx_requests())


def test_listing_window_is_passed_as_from_and_to(fake: FakeWayback, tmp_path: Path) -> None:
    rows = _client(fake, tmp_path, []).list_versions(URL, "20230201000000", "20231231235959")
    assert [r.timestamp for r in rows] == ["20230201000000", "20230301000000"]


def test_a_429_waits_as_asked_and_the_listing_is_complete(fake: FakeWayback, tmp_path: Path) -> None:
    fake.fail_next_cdx(Route(429, b"<html>slow down</html>", {"Retry-After": "7", "Content-Type": "text/html"}))
    waits: list[float] = []
    client = _client(fake, tmp_path, waits)
    rows = client.list_versions(URL, None, None)
    assert len(rows) == 4
    assert waits == [7.0]
    assert client.events and "HTTP 429" in client.events[0] and "Retry-After" in client.events[0]


def test_5xx_is_retried_with_growing_backoff(fake: FakeWayback, tmp_path: Path) -> None:
    fake.fail_next_cdx(Route(503, b"busy"), Route(502, b"bad gateway"))
    waits: list[float] = []
    rows = _client(fake, tmp_path, waits).list_versions(URL, None, None)
    assert len(rows) == 4
    assert len(waits) == 2 and waits[1] == 2 * waits[0]


def test_persistent_429_is_an_error_not_an_empty_history(fake: FakeWayback, tmp_path: Path) -> None:
    fake.fail_next_cdx(*[Route(429, b"", {"Retry-After": "1"})] * 4)
    waits: list[float] = []
    with pytest.raises(WaybackListingError, match="HTTP 429") as caught:
        _client(fake, tmp_path, waits, attempts=4).list_versions(URL, None, None)
    assert caught.value.stop_reason == THROTTLED
    assert waits == [1.0, 1.0, 1.0]
    assert len(fake.cdx_requests()) == 4


def test_a_retry_after_beyond_the_cap_fails_at_once(fake: FakeWayback, tmp_path: Path) -> None:
    fake.fail_next_cdx(Route(429, b"", {"Retry-After": "3600"}))
    with pytest.raises(WaybackListingError, match="3600 s"):
        _client(fake, tmp_path, []).list_versions(URL, None, None)
    assert len(fake.cdx_requests()) == 1


def test_a_timeout_is_retried_then_reported(fake: FakeWayback, tmp_path: Path) -> None:
    fake.fail_next_cdx(Route(200, b"", delay_s=1.0))
    waits: list[float] = []
    rows = _client(fake, tmp_path, waits, timeout_s=0.3).list_versions(URL, None, None)
    assert len(rows) == 4 and len(waits) == 1
    fake.fail_next_cdx(*[Route(200, b"", delay_s=1.0)] * 2)
    with pytest.raises(WaybackListingError, match="timed out"):
        _client(fake, tmp_path, [], timeout_s=0.3, attempts=2).list_versions(URL, None, None)


def test_an_unreachable_archive_is_tried_twice_then_the_run_stops_asking(tmp_path: Path) -> None:
    closed = FakeWayback([])
    closed.start()
    closed.stop()  # nothing listens on its port any more: connections are refused
    waits: list[float] = []
    with pytest.raises(WaybackListingError, match="after 2 attempts \\(connection failed") as caught:
        _client(closed, tmp_path, waits, attempts=5).list_versions(URL, None, None)
    assert caught.value.stop_reason == UNREACHABLE and len(waits) == 1


def test_a_page_that_is_not_cdx_is_an_error(fake: FakeWayback, tmp_path: Path) -> None:
    html = b"<html><body>We are sorry: the archive is having trouble with your request today</body></html>\n"
    fake.fail_next_cdx(Route(200, html, {"Content-Type": "text/html"}))
    with pytest.raises(WaybackListingError, match="not a CDX answer"):
        _client(fake, tmp_path, []).list_versions(URL, None, None)


def test_a_404_from_the_cdx_is_an_error(fake: FakeWayback, tmp_path: Path) -> None:
    fake.fail_next_cdx(Route(404, b"no such endpoint"))
    with pytest.raises(WaybackListingError, match="HTTP 404"):
        _client(fake, tmp_path, []).list_versions(URL, None, None)


def test_resume_key_after_an_empty_page_is_read() -> None:
    assert split_resume_key("\ncom,example)/pricing+20230105000000\n") == ("", "com,example)/pricing+20230105000000")
    rows, key = split_resume_key("a b c d e f g\n")
    assert rows == "a b c d e f g" and key is None


def test_listing_window_is_incremental_unless_since_is_earlier() -> None:
    address = SourceURL(URL, since=2021, until=2023)
    assert listing_window(address, None, None, None) == ("20210101000000", "20231231235959")
    assert listing_window(address, None, None, "20220505000000") == ("20220505000000", "20231231235959")
    assert listing_window(address, date(2022, 1, 1), None, "20220505000000") == ("20220101000000", "20231231235959")
    assert listing_window(address, date(2022, 9, 1), None, "20220505000000") == ("20220901000000", "20231231235959")
    assert listing_window(address, None, date(2022, 6, 30), None) == ("20210101000000", "20220630235959")
    assert listing_window(address, date(2024, 1, 1), None, None) is None
    assert listing_window(SourceURL(URL, since=2023), None, None, None) == ("20230101000000", None)


def test_fake_urlkey_and_digest_helpers_match_the_archive_forms() -> None:
    assert surt("https://www.Example.com/Pricing?x=1") == "com,example)/pricing?x=1"
    assert sha1_base32(b"") == payload_digest(b"") == "3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"  # CDX digest of nothing
    assert served_timestamp("https://web.archive.org/web/20240105120000id_/https://example.com/p") == "20240105120000"
    assert served_timestamp("https://web.archive.org/maintenance") is None
