"""An index of the raw store's manifest entries, so a build need not read one JSON file per capture.

The manifests (``data/raw/captures/<YYYY-MM>/<capture_id>.json``) stay the source of truth:
writers on several machines add them without knowing of any index. The index is a SQLite file
under the data folder's state (``data/state/raw_index.sqlite``) holding every entry's fields and
the order in which the index first saw it (``seq``). Bringing it up to date lists each month
folder (file names only) and reads just the manifests it does not hold yet; a month folder whose
modification time and entry count are unchanged since it was last listed is not even listed. An
index that is missing, unreadable or from another store is rebuilt from the manifests.

Only the build writes it, under the run lock. SQLite commits are atomic, so a build killed while
updating it leaves the previous index, which the next build brings up to date.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, overload

from llmflation.fetch.rawstore import RawStore, RawStoreError, meta_from_json
from llmflation.records import CaptureMeta

log = logging.getLogger(__name__)

#: Bumped when the table layout changes: an index of another format is rebuilt.
INDEX_FORMAT = "1"

#: A month folder modified less than this long before a listing is listed again next time:
#: a file renamed into it within the same timestamp tick would otherwise go unseen.
_MTIME_SLACK_NS = 2_000_000_000

_FIELDS = [f.name for f in fields(CaptureMeta)]
_TIME_FIELDS = ("observed_at", "fetched_at")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class RawIndex:
    """The manifest entries of one raw store, in SQLite."""

    def __init__(self, store: RawStore, path: Path) -> None:
        self.store = store
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None

    def refresh(self) -> int:
        """Bring the index up to date with the manifests; the number of entries added.

        Entries the index holds whose manifest is gone (an index copied from another store)
        are dropped, so the index always equals the manifests after a refresh.
        """
        db = self._connect()
        base = self.store.root / "captures"
        months = sorted(p.name for p in base.iterdir() if p.is_dir()) if base.exists() else []
        listed = dict(db.execute("SELECT month, mtime_ns FROM months").fetchall())
        counts = dict(db.execute("SELECT month, COUNT(*) FROM captures GROUP BY month").fetchall())
        started_ns = time.time_ns()
        added = 0
        with db:
            for month in months:
                folder = base / month
                mtime_ns = folder.stat().st_mtime_ns
                if listed.get(month) == mtime_ns and started_ns - mtime_ns > _MTIME_SLACK_NS:
                    continue  # nothing renamed into it since it was listed
                added += self._refresh_month(db, month, folder, counts.get(month, 0))
                db.execute("INSERT OR REPLACE INTO months(month, mtime_ns) VALUES (?, ?)", (month, mtime_ns))
            gone = set(listed) - set(months)
            for month in gone:
                db.execute("DELETE FROM captures WHERE month = ?", (month,))
                db.execute("DELETE FROM months WHERE month = ?", (month,))
        if added:
            log.info("raw index: %d new manifest entr%s", added, "y" if added == 1 else "ies")
        return added

    def _refresh_month(self, db: sqlite3.Connection, month: str, folder: Path, known_count: int) -> int:
        names = {entry.name[:-5] for entry in os.scandir(folder) if entry.name.endswith(".json") and not entry.name.startswith(".")}
        known = {row[0] for row in db.execute("SELECT capture_id FROM captures WHERE month = ?", (month,))} if known_count else set()
        for stale in known - names:
            db.execute("DELETE FROM captures WHERE capture_id = ?", (stale,))
        new = sorted(names - known)
        for capture_id in new:
            path = folder / f"{capture_id}.json"
            try:
                meta = meta_from_json(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, KeyError, TypeError) as exc:
                raise RawStoreError(f"manifest entry {path} is unreadable: {exc}") from exc
            db.execute(
                f"INSERT INTO captures(month, {', '.join(_FIELDS)}) VALUES (?{', ?' * len(_FIELDS)})",
                (month, *_row_of(meta)),
            )
        return len(new)

    def generation(self) -> str:
        """Names this index file: ``seq`` numbers mean something only within one generation (a rebuilt
        index numbers its entries afresh)."""
        return str(self._connect().execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])

    def last_seq(self) -> int:
        """The ``seq`` of the newest entry (0 when empty): entries after it are new to whoever saw it."""
        row = self._connect().execute("SELECT MAX(seq) FROM captures").fetchone()
        return int(row[0] or 0)

    def captures(self, after_seq: int = 0, source_ids: set[str] | None = None) -> Iterator[CaptureMeta]:
        """Entries first indexed after ``after_seq``, oldest observation first (ties by capture id)."""
        yield from self._select("seq > ?", (after_seq,), source_ids)

    def captures_where(self, after_seq: int, source_ids: set[str], listings: set[tuple[str, str]]) -> Iterator[CaptureMeta]:
        """Entries first indexed after ``after_seq``, plus every entry of ``source_ids`` and of the
        ``listings`` (source id, URL), oldest observation first."""
        sources = sorted(set(source_ids) | {source_id for source_id, _ in listings})
        cursor = self._connect().execute(
            f"SELECT seq, {', '.join(_FIELDS)} FROM captures WHERE seq > ? OR source_id IN ({', '.join('?' * len(sources))})"
            " ORDER BY observed_at, capture_id", (after_seq, *sources))
        for seq, *row in cursor:
            meta = _meta_of(tuple(row))
            if seq > after_seq or meta.source_id in source_ids or (meta.source_id, meta.url) in listings:
                yield meta

    def usable_captures_at(self, keys: Iterable[tuple[str, str, datetime]]) -> list[tuple[str, str, datetime, str]]:
        """(source id, URL, observed_at, sha256) of the parsed entries (status 200, not rejected) at these
        (source id, URL, observed_at), oldest first (ties by capture id).

        What names the evidence of a price (``price_changes``: the last capture that still showed
        the old price): a few thousand keys, one per version of a listing, however many nights the
        store holds, so a build never loads every capture.
        """
        wanted = sorted({(sid, url, micros(at)) for sid, url, at in keys})
        db = self._connect()
        db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted(source_id TEXT, url TEXT, observed_at INTEGER)")
        try:
            db.executemany("INSERT INTO wanted VALUES (?, ?, ?)", wanted)
            cursor = db.execute(
                "SELECT c.source_id, c.url, c.observed_at, c.sha256 FROM wanted w JOIN captures c"
                " ON c.source_id = w.source_id AND c.url = w.url AND c.observed_at = w.observed_at"
                " WHERE c.status = 200 AND c.rejected IS NULL ORDER BY c.observed_at, c.capture_id")
            return [(sid, url, EPOCH + timedelta(microseconds=int(at)), sha) for sid, url, at, sha in cursor]
        finally:
            db.execute("DELETE FROM wanted")

    def count_by_source(self) -> dict[str, int]:
        """Per source id: entries that are to be parsed (status 200, not rejected)."""
        return dict(self._connect().execute(
            "SELECT source_id, COUNT(*) FROM captures WHERE status = 200 AND rejected IS NULL GROUP BY source_id").fetchall())

    def _select(self, where: str, args: tuple[object, ...], source_ids: set[str] | None) -> Iterator[CaptureMeta]:
        cursor = self._connect().execute(
            f"SELECT {', '.join(_FIELDS)} FROM captures WHERE {where} ORDER BY observed_at, capture_id", args
        )
        for row in cursor:
            meta = _meta_of(row)
            if source_ids is None or meta.source_id in source_ids:
                yield meta

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is not None:
            return self._db
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            log.warning("raw index %s is unreadable (%s): rebuilding it from the manifests", self.path, exc)
            self.path.unlink(missing_ok=True)
            self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60)
        db.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)")
        stored = dict(db.execute("SELECT key, value FROM meta").fetchall())
        root = str(self.store.root.resolve())
        if stored and (stored.get("format") != INDEX_FORMAT or stored.get("root") != root):
            log.warning("raw index %s is of another format or store: rebuilding it", self.path)
            db.close()
            self.path.unlink()
            db = sqlite3.connect(self.path, timeout=60)
            db.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
        columns = ", ".join(f"{name} {'INTEGER' if name in ('status', 'size', *_TIME_FIELDS) else 'TEXT'}" for name in _FIELDS)
        with db:
            db.execute(f"CREATE TABLE IF NOT EXISTS captures(seq INTEGER PRIMARY KEY AUTOINCREMENT, month TEXT NOT NULL, {columns})")
            db.execute("CREATE UNIQUE INDEX IF NOT EXISTS captures_id ON captures(capture_id)")
            db.execute("DROP INDEX IF EXISTS captures_listing")  # (source_id, url): captures_at begins with it
            db.execute("CREATE INDEX IF NOT EXISTS captures_at ON captures(source_id, url, observed_at)")  # usable_captures_at
            db.execute("CREATE INDEX IF NOT EXISTS captures_month ON captures(month)")
            db.execute("CREATE INDEX IF NOT EXISTS captures_usable ON captures(source_id, status, rejected)")  # count_by_source
            db.execute("CREATE TABLE IF NOT EXISTS months(month TEXT PRIMARY KEY, mtime_ns INTEGER)")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?), ('root', ?)", (INDEX_FORMAT, root))
            db.execute("INSERT OR IGNORE INTO meta VALUES ('generation', ?)", (uuid.uuid4().hex,))
        db.execute("SELECT COUNT(*) FROM captures").fetchone()  # an unreadable file fails here, not later
        return db


def _row_of(meta: CaptureMeta) -> list[object]:
    return [micros(getattr(meta, name)) if name in _TIME_FIELDS else getattr(meta, name) for name in _FIELDS]


def _meta_of(row: tuple[object, ...]) -> CaptureMeta:
    values: dict[str, Any] = dict(zip(_FIELDS, row, strict=True))
    for name in _TIME_FIELDS:
        if values[name] is not None:
            values[name] = EPOCH + timedelta(microseconds=int(values[name]))
    return CaptureMeta(**values)


@overload
def micros(value: datetime) -> int: ...
@overload
def micros(value: None) -> None: ...
def micros(value: datetime | None) -> int | None:
    """Microseconds since the epoch: exact, and sorts as time does."""
    if value is None:
        return None
    delta = value.astimezone(UTC) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
