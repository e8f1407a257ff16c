"""Backfill planning: what is asked of the archive, run after run (no Scrapy: nothing to fetch here)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from llmflation.backfill import backfill
from llmflation.config import Settings, WaybackSettings
from llmflation.sources import get_source
from tests.support.fake_wayback import FakeWayback


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
