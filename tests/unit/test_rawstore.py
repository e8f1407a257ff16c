from datetime import UTC, datetime
from pathlib import Path

import pytest

from llmflation.fetch import rawstore
from llmflation.fetch.rawstore import RawStore, RawStoreError, sha256_hex

T1 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
T2 = datetime(2024, 5, 2, 12, 0, tzinfo=UTC)


def put(store: RawStore, body: bytes, when: datetime = T1, **kw: object):
    args = dict(source_id="openrouter", url="https://openrouter.ai/api/v1/models", observed_at=when,
                via="live", status=200, content_type="application/json")
    args.update(kw)
    return store.put(body, **args)


def test_identical_bytes_are_stored_once_with_a_manifest_entry_per_capture(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    a = put(store, b'{"data": []}', T1)
    b = put(store, b'{"data": []}', T2)
    assert a.sha256 == b.sha256 == sha256_hex(b'{"data": []}')
    assert a.capture_id != b.capture_id
    assert len(list((tmp_path / "blobs").rglob("*"))) == 2  # one folder, one blob
    assert [c.capture_id for c in store.captures()] == [a.capture_id, b.capture_id]
    assert store.read(a.sha256) == b'{"data": []}'


def test_storing_the_same_capture_twice_is_one_entry(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    first = put(store, b"x", via="wayback", wayback_timestamp="20240501120000", wayback_digest="ABC")
    again = put(store, b"x", via="wayback", wayback_timestamp="20240501120000", wayback_digest="ABC")
    assert first.capture_id == again.capture_id
    assert len(store.captures()) == 1
    assert store.wayback_digests("openrouter") == {"ABC"}
    assert store.wayback_digests("litellm") == set()


def test_manifest_round_trips_every_field(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    meta = put(store, b"<html></html>", status=404, content_type="text/html", via="wayback",
               wayback_timestamp="20240501120000", wayback_digest="XYZ")
    (loaded,) = RawStore(tmp_path).captures()
    assert loaded == meta
    assert loaded.observed_at.tzinfo is not None


def test_a_corrupt_blob_is_detected(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    meta = put(store, b"original")
    store.blob_path(meta.sha256).write_bytes(b"tampered")
    with pytest.raises(RawStoreError, match="corrupt"):
        store.read(meta.sha256)


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    with pytest.raises(ValueError, match="via"):
        put(store, b"x", via="ftp")
    with pytest.raises(ValueError, match="timezone"):
        put(store, b"x", when=datetime(2024, 5, 1))
    with pytest.raises(RawStoreError):
        store.blob_path("../../etc/passwd")


def test_a_failed_write_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(rawstore.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        put(RawStore(tmp_path), b"body")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_an_unreadable_manifest_entry_is_an_error_naming_it(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    meta = put(store, b"x")
    entry = next((tmp_path / "captures").rglob("*.json"))
    entry.write_text("{not json")
    with pytest.raises(RawStoreError, match=meta.capture_id):
        store.captures()
