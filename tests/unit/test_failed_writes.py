"""A write that fails (disk full) leaves no partial file behind, for every writer of the project."""

from __future__ import annotations

import errno
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from llmflation.fetch import rawstore
from llmflation.config import load_settings
from llmflation.parsing import _write_cache
from llmflation.publish import latest_release, publish
from llmflation.fetch.rawstore import RawStore, write_atomic
from llmflation.records import ParseResult, PriceRecord
from llmflation.report import RunReport
from llmflation.stages import write_run_report
from tests.support.price_rows import frame, price_row

WHEN = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def disk_full_after(monkeypatch: pytest.MonkeyPatch):
    """Make the n-th and later fsyncs of write_atomic fail as a full disk would."""
    def arm(n_ok: int) -> None:
        calls = {"n": 0}
        real = os.fsync

        def fsync(fd: int) -> None:
            calls["n"] += 1
            if calls["n"] > n_ok:
                raise OSError(errno.ENOSPC, "No space left on device")
            real(fd)
        monkeypatch.setattr(rawstore.os, "fsync", fsync)
    return arm


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_write_atomic_keeps_the_old_file_whole(tmp_path: Path, disk_full_after) -> None:
    target = tmp_path / "table.parquet"
    target.write_bytes(b"old complete content")
    disk_full_after(0)
    with pytest.raises(OSError, match="No space"):
        write_atomic(target, b"new content" * 1000)
    assert target.read_bytes() == b"old complete content"
    assert files(tmp_path) == ["table.parquet"]


@pytest.mark.parametrize("n_ok", [0, 1])  # the blob fails; or the blob lands and its manifest entry fails
def test_raw_store_put_leaves_a_consistent_store(tmp_path: Path, disk_full_after, n_ok: int) -> None:
    store = RawStore(tmp_path / "raw")
    disk_full_after(n_ok)
    with pytest.raises(OSError):
        store.put(b'{"data": []}', source_id="openrouter", url="https://x/models", observed_at=WHEN,
                  via="live", status=200, content_type="application/json")
    assert store.verify() == [] and store.captures() == []
    assert all(not name.endswith(".tmp") for name in files(tmp_path))


def test_parse_cache_write_leaves_nothing(tmp_path: Path, disk_full_after) -> None:
    result = ParseResult(prices=[PriceRecord("p", "m", None, None, "per_token")])
    disk_full_after(0)
    with pytest.raises(OSError):
        _write_cache(tmp_path / "parsed" / "x" / "1" / "c.json", result, None)
    assert files(tmp_path) == []


def test_a_failed_publish_leaves_the_last_release_latest(tmp_path: Path, disk_full_after) -> None:
    published = tmp_path / "published"
    first = publish(published, "20261101T030000Z", {"prices": frame(price_row())}, {"run": 1})
    assert first.published
    before = files(published)
    disk_full_after(2)  # the second release fails a few files in
    with pytest.raises(OSError):
        publish(published, "20261102T030000Z", {"prices": frame(price_row(), price_row("m2"))}, {"run": 2})
    assert latest_release(published) == published / "20261101T030000Z"
    assert files(published) == before  # no staging folder, no half release


def test_a_failed_run_report_write_leaves_nothing(data_dir: Path, disk_full_after) -> None:
    settings = load_settings()
    report = RunReport(run_id="20261101T030000Z")
    disk_full_after(0)
    with pytest.raises(OSError):
        write_run_report(settings, report)
    assert not [p for p in (data_dir / "state").rglob("*") if p.is_file()]


def test_a_feed_cut_short_by_a_killed_crawl_is_read_up_to_the_cut(tmp_path: Path) -> None:
    from llmflation.fetch.capture import read_feed

    feed = tmp_path / "live.jsonl"
    feed.write_text('{"source_id": "a", "outcome": "stored"}\n{"source_id": "b", "outc')
    assert read_feed(feed) == [{"source_id": "a", "outcome": "stored"}]


def test_a_killed_publish_leftover_is_swept_even_when_nothing_changes(tmp_path: Path) -> None:
    published = tmp_path / "published"
    publish(published, "20261101T030000Z", {"prices": frame(price_row())}, {})
    (published / ".staging-20261102T030000Z").mkdir()
    (published / ".staging-20261102T030000Z" / "prices.parquet").write_bytes(b"half")
    again = publish(published, "20261103T030000Z", {"prices": frame(price_row())}, {})
    assert not again.published  # same content
    assert not list(published.glob(".staging-*"))
