"""Backfill planning: what is asked of the archive, run after run (no Scrapy: nothing to fetch here)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from llmflation.fetch.backfill import backfill
from llmflation.config import Settings, WaybackSettings
from llmflation.sources import get_source
from tests.support.fake_wayback import NONCE, FakeWayback, churning_history


def _settings(tmp_path: Path, fake: FakeWayback) -> Settings:
    return Settings(data_dir=tmp_path / "data", wayback=WaybackSettings(url=fake.url, requests_per_minute=60000))


def _listed_urls(fake: FakeWayback) -> list[str]:
    return [p.split("url=", 1)[1].split("&", 1)[0] for p in fake.cdx_requests()]


def test_an_old_address_listed_after_its_years_is_not_listed_again_unless_since_is_given(tmp_path: Path) -> None:
    litellm = get_source("litellm")
    old = [u for u in litellm.urls if u.until is not None]
    assert old, "the litellm row has addresses that ended"
    fake = FakeWayback([])
    fake.start()
    try:
        settings = _settings(tmp_path, fake)
        first = backfill(settings, ["litellm"], tmp_path / "run1")
        assert first.cdx_requests == len(litellm.urls) and first.ok
        listed = json.loads((settings.state_dir / "wayback" / "listed.json").read_text())
        assert set(listed) == {f"litellm {u.url}" for u in litellm.urls}

        second = backfill(settings, ["litellm"], tmp_path / "run2")
        assert second.cdx_requests == 1  # only the current address
        assert len(second.sources["litellm"].notes) == len(old)

        third = backfill(settings, ["litellm"], tmp_path / "run3", since=date(2023, 1, 1))
        assert third.cdx_requests == len(litellm.urls)  # --since lists everything again
    finally:
        fake.stop()
    assert len(_listed_urls(fake)) == 2 * len(litellm.urls) + 1


def test_an_address_whose_listing_failed_is_listed_again(tmp_path: Path) -> None:
    fake = FakeWayback([])
    fake.start()
    fake.stop()  # unreachable: every listing fails
    settings = _settings(tmp_path, fake)
    result = backfill(settings, ["litellm"], tmp_path / "run1")
    assert not result.ok and result.sources["litellm"].listing_errors
    assert json.loads((settings.state_dir / "wayback" / "listed.json").read_text()) == {}


def test_a_dry_run_lists_every_capture_and_prints_the_plan_at_the_configured_pace(tmp_path: Path) -> None:
    url = get_source("openrouter").live_url
    captures = churning_history(url, [b'{"data": [], "build": "' + NONCE + b'"}'], [0], 500,
                                datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 6, 30, tzinfo=UTC))
    fake = FakeWayback(captures)
    fake.start()
    said: list[str] = []
    try:
        settings = Settings(data_dir=tmp_path / "data", wayback=WaybackSettings(url=fake.url, requests_per_minute=15))
        result = backfill(settings, ["openrouter"], tmp_path / "run", dry_run=True, announce=said.append)
    finally:
        fake.stop()
    assert fake.snapshot_requests() == [] and len(fake.cdx_requests()) == 1
    assert "collapse" not in fake.cdx_requests()[0]  # every capture is listed, not one per digest
    assert said == [f"plan openrouter {url}: 500 capture(s) listed (500 distinct digests), 20240101..20240630; "
                    "sample of 7 (step month): 7 to fetch, 0 already in the store; about 7 more fetch(es) per change "
                    "found; the sample takes about 28 s (every capture would take 33 min 20 s)"]
    entry = result.sources["openrouter"]
    assert entry.would_fetch == 7 and entry.fetched == 0 and result.ok
    assert not (settings.state_dir / "wayback" / "bisect.json").exists() or \
        json.loads((settings.state_dir / "wayback" / "bisect.json").read_text()) == {}  # a dry run resolves nothing


def test_a_dry_run_of_every_version_plans_and_marks_nothing_as_done(tmp_path: Path) -> None:
    litellm = get_source("litellm")
    fake = FakeWayback([])
    fake.start()
    said: list[str] = []
    try:
        settings = _settings(tmp_path, fake)
        result = backfill(settings, ["litellm"], tmp_path / "run", strategy="every_version", dry_run=True,
                          announce=said.append)
    finally:
        fake.stop()
    assert result.cdx_requests == len(litellm.urls) and fake.snapshot_requests() == []
    assert said == ["plan litellm: 0 version(s) listed, 0 already stored, 0 to fetch, about 0 s"]
    assert not (settings.state_dir / "wayback" / "listed.json").exists()  # the next real run lists them all
