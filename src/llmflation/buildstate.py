"""The build's own state between runs, so a night's build costs what changed since the last one.

Under ``<data_dir>/state/build/``:

- ``versions.sqlite``: one row per version of a listing (a source's URL): a run of consecutive
  captures whose parse gave exactly the same records. It holds the provenance of the version's
  first capture, its last capture time and capture count, and the key of its parse result.
  ``meta`` holds the raw-index position the state is up to date with, and each source's parser
  variant (module, version, options) the versions were made with.
- ``rows.parquet``: the price rows of every parse result a version points at (one copy per
  distinct result, however many versions and captures share it), decimals kept exactly, each with
  a digest of its fields (``record``): the ``prices`` table is the runs of each record along its
  listing's versions (:mod:`~llmflation.price_runs`), found from the digests without making a row
  of every record of every version.

Each build reads only the manifest entries the raw index gained since the last build. A listing
whose new captures are older than its newest version (a Wayback backfill) is folded again from
all its captures; a source whose parser variant changed is folded again from all its captures
(their bytes re-parsed once each). Folding uses cached parse digests, never records. Memory is
bounded by the number of versions and the size of the release, not by the number of captures:
captures are streamed from the index in chunks.

``build --full`` deletes this state and the raw index and builds them again from the raw store;
the tables are identical to an incremental build's (tested).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pyarrow.parquet as pq

from llmflation.config import Settings
from llmflation.frames import per_distinct
from llmflation.kept import KeptResult, frame_digest, package_digest
from llmflation.match import Catalog
from llmflation.price_runs import meanings, record_key, record_runs
from llmflation.parsing import Outcome, ParseCache, ParsedCapture, ParsedStore, parser_options, report_outcome, usable_source
from llmflation.fetch.rawindex import EPOCH, RawIndex, micros
from llmflation.fetch.rawstore import RawStore
from llmflation.records import CaptureMeta, PriceRecord, record_to_dict
from llmflation.report import RunReport
from llmflation.schema import PRICES
from llmflation.sources import SOURCES

log = logging.getLogger(__name__)

#: Bumped when what a version is, or the files' layout, changes: older state is rebuilt.
STATE_FORMAT = "2"

#: Manifest entries folded per batch: bounds the captures held in memory at once.
CHUNK = 20_000

_RECORD_FIELDS = [f.name for f in fields(PriceRecord)]
_DECIMAL_FIELDS = [f.name for f in fields(PriceRecord) if "usd_per_mtok" in f.name]
_VERSION_COLUMNS = (
    "source_id", "url", "first_us", "last_us", "n_captures", "capture_id", "sha256", "via", "wayback_timestamp",
    "parser", "result_key", "result_path", "prices_digest", "records_digest", "n_prices", "n_scores", "n_models",
)
Listing = tuple[str, str]


@dataclass
class Version:
    """One version of a listing: consecutive captures whose records are exactly the same."""

    source_id: str
    url: str
    first_us: int
    last_us: int
    n_captures: int
    capture_id: str
    sha256: str
    via: str
    wayback_timestamp: str | None
    parser: str
    result_key: str
    result_path: str
    prices_digest: str
    records_digest: str
    n_prices: int
    n_scores: int
    n_models: int
    version_id: int | None = None


def state_dir(settings: Settings) -> Path:
    return settings.state_dir / "build"


def raw_index(settings: Settings) -> RawIndex:
    return RawIndex(RawStore(settings.raw_dir), settings.state_dir / "raw_index.sqlite")


def forget(settings: Settings) -> None:
    """Delete the build state and the raw index (``build --full``): the next build makes them again."""
    shutil.rmtree(state_dir(settings), ignore_errors=True)
    (settings.state_dir / "raw_index.sqlite").unlink(missing_ok=True)


class BuildState:
    """The versions of every listing and the rows of their results; brought up to date by :meth:`update`."""

    def __init__(self, settings: Settings, keep_read: bool = False) -> None:
        self.settings = settings
        self.root = state_dir(settings)
        self.root.mkdir(parents=True, exist_ok=True)
        self.db = self._open()
        self.cache = ParseCache(settings.parsed_dir)
        self.index = raw_index(settings)
        #: With ``keep_read``: every capture this build read, with its parse outcome or error (a cold
        #: build: all of them). Off by default: a cold build of a year reads 118k captures, and
        #: holding them all would make its memory grow with the captures, not the release.
        self.read = ParsedStore()
        self.keep_read = keep_read

    def close(self) -> None:
        self.db.close()
        self.cache.close()
        self.index.close()

    # -- bringing the state up to date -------------------------------------------------------

    def update(self, report: RunReport) -> None:
        """Fold the captures added since the last build (and whatever must be folded again)."""
        store = RawStore(self.settings.raw_dir)
        self.index.refresh()
        upto = self.index.last_seq()
        after = int(self._meta("seq") or 0)
        generations = f"{self.index.generation()} {self.cache.generation()}"
        dropped = False  # versions deleted: their results' rows may be used no more
        if self._meta("generations") not in (None, generations):
            log.warning("build state: the raw index or the parse index was made again since the last build: "
                        "folding every capture again")
            self.db.execute("DELETE FROM versions")
            after = 0
            dropped = True
        options = parser_options(self.settings)
        parsers = self._current_parsers(options)
        changed_sources = self._changed_parsers(parsers)
        latest = self._latest_versions()
        # Listings where a parser crashed last time: a bug fixed without a version bump must get its chance.
        refold: set[Listing] = {(source_id, url) for source_id, url in json.loads(self._meta("retry") or "[]")}
        crashed: set[Listing] = set()
        for capture in self.index.captures(after):
            listing = (capture.source_id, capture.url)
            version = latest.get(listing)
            if version is not None and micros(capture.observed_at) <= version.last_us:
                refold.add(listing)  # older than what the listing has shown: history changed under it
        for listing in refold | {key for key in latest if key[0] in changed_sources}:
            latest.pop(listing, None)
            self.db.execute("DELETE FROM versions WHERE source_id = ? AND url = ?", listing)
        if changed_sources or refold:
            dropped = True
            log.info("build state: folding again %d source(s) whose parser changed and %d listing(s) with older captures",
                     len(changed_sources), len(refold))
        new_rows: list[pd.DataFrame] = []
        known_results: set[str] | None = None  # read when a new version needs it: a night of known lists adds none
        n_captures = 0
        for chunk in _chunks(self._to_fold(after, changed_sources, refold), CHUNK):
            items = [(source, capture) for capture in chunk if (source := usable_source(capture, report)) is not None]
            resolved = self.cache.resolve(store, items, report, options)
            for (_source, capture), (spec, outcome, crash) in zip(items, resolved, strict=True):
                error = crash if outcome is None else outcome.error
                if self.keep_read:
                    self.read.parsed.append(ParsedCapture(capture, spec.parser_id, error=error, outcome=outcome, cache=self.cache))
                if outcome is None:
                    crashed.add((capture.source_id, capture.url))
                    continue
                report_outcome(report, capture, outcome)
                if outcome.error is not None:
                    continue
                if not self._fold(latest, capture, spec.parser_id, outcome) or not outcome.n_prices:
                    continue  # the listing's version goes on: its rows are kept already
                if known_results is None:
                    known_results = self._known_results()
                if outcome.key not in known_results:
                    known_results.add(outcome.key)
                    new_rows.append(_result_rows(outcome, self.cache))
            n_captures += len(chunk)
        if new_rows:  # before the versions that point at them are committed: a kill in between loses nothing
            self._add_rows(pd.concat(new_rows, ignore_index=True))
        with self.db:
            for version in latest.values():
                self._save(version)
            self._set_meta("seq", str(upto))
            self._set_meta("generations", generations)
            self._set_meta("retry", json.dumps(sorted(crashed)))
            for source_id, cache_id in parsers.items():
                self._set_meta(f"parser:{source_id}", cache_id)
        if dropped or new_rows:
            self._drop_unused_rows(self._known_results() if known_results is None else known_results)
        for source_id, total in self.index.count_by_source().items():
            report.source(source_id).captures_total = total
        report.sections["build_state"] = {"captures_read": n_captures, "listings_folded_again": len(refold),
                                          "sources_folded_again": sorted(changed_sources), "new_results": len(new_rows)}
        log.info("build state: %d new capture(s) read, %d new result(s)", n_captures, len(new_rows))

    def _to_fold(self, after: int, sources: set[str], listings: set[Listing]) -> Iterator[CaptureMeta]:
        """New entries, plus every entry of the sources and listings folded again, in observation order."""
        if not sources and not listings:
            yield from self.index.captures(after)
            return
        yield from self.index.captures_where(after, sources, listings)

    def _fold(self, latest: dict[Listing, Version], capture: CaptureMeta, parser_id: str, outcome: Outcome) -> bool:
        """Extend the listing's version with ``capture``, or start a new one (True) when its records differ."""
        listing = (capture.source_id, capture.url)
        when = micros(capture.observed_at)
        version = latest.get(listing)
        if version is not None and version.records_digest == outcome.records_digest:
            version.last_us = max(version.last_us, when)
            version.n_captures += 1
            return False
        if version is not None:
            self._save(version)
        latest[listing] = Version(
            source_id=capture.source_id, url=capture.url, first_us=when, last_us=when, n_captures=1,
            capture_id=capture.capture_id, sha256=capture.sha256, via=capture.via,
            wayback_timestamp=capture.wayback_timestamp, parser=parser_id, result_key=outcome.key,
            result_path=outcome.path, prices_digest=outcome.prices_digest, records_digest=outcome.records_digest,
            n_prices=outcome.n_prices, n_scores=outcome.n_scores, n_models=outcome.n_models,
        )
        return True

    def _save(self, version: Version) -> None:
        values = [getattr(version, name) for name in _VERSION_COLUMNS]
        if version.version_id is None:
            cursor = self.db.execute(
                f"INSERT INTO versions({', '.join(_VERSION_COLUMNS)}) VALUES ({', '.join('?' * len(_VERSION_COLUMNS))})", values)
            version.version_id = cursor.lastrowid
        else:
            self.db.execute(f"UPDATE versions SET {', '.join(f'{c} = ?' for c in _VERSION_COLUMNS)} WHERE version_id = ?",
                            [*values, version.version_id])

    def _latest_versions(self) -> dict[Listing, Version]:
        """Each listing's newest version (the one new captures extend or follow)."""
        rows = self.db.execute(f"SELECT version_id, {', '.join(_VERSION_COLUMNS)} FROM versions "
                               "ORDER BY source_id, url, first_us, version_id").fetchall()
        out = {}
        for row in rows:
            version = Version(**dict(zip(_VERSION_COLUMNS, row[1:], strict=True)), version_id=row[0])
            out[(version.source_id, version.url)] = version
        return out

    def _current_parsers(self, options: dict[str, Any]) -> dict[str, str]:
        return {source.id: self.cache.spec(source, options).cache_id for source in SOURCES}

    def _changed_parsers(self, parsers: dict[str, str]) -> set[str]:
        """Sources whose versions were made by another parser version or options than now (``parsers``:
        each source's parser variant now, from :meth:`_current_parsers`)."""
        changed = set()
        for source_id, cache_id in parsers.items():
            before = self._meta(f"parser:{source_id}")
            if before is not None and before != cache_id:
                changed.add(source_id)
        return changed

    # -- the price rows ----------------------------------------------------------------------

    def _rows_path(self) -> Path:
        return self.root / "rows.parquet"

    def _known_results(self) -> set[str]:
        path = self._rows_path()
        if not path.exists():
            return set()
        return set(pq.read_table(path, columns=["result_key"]).column("result_key").unique().to_pylist())

    def _add_rows(self, rows: pd.DataFrame) -> None:
        """Append rows of new results to ``rows.parquet`` (written whole, to a temporary name, then renamed)."""
        path = self._rows_path()
        table = pa.Table.from_pandas(rows, schema=_ROWS_SCHEMA, preserve_index=False).replace_schema_metadata(None)
        if path.exists():
            table = pa.concat_tables([pq.read_table(path, schema=_ROWS_SCHEMA), table])
        self._write_rows(table)

    def _write_rows(self, table: pa.Table) -> None:
        path = self._rows_path()
        tmp = path.with_name(f".{path.name}.tmp")
        pq.write_table(table, tmp)
        tmp.replace(path)

    def _drop_unused_rows(self, known: set[str]) -> None:
        """Rewrite ``rows.parquet`` without the results no version points at any more (after a parser
        version change or a refold), so the file stays the size of the release."""
        used = {row[0] for row in self.db.execute("SELECT DISTINCT result_key FROM versions WHERE n_prices > 0")}
        if not known - used:
            return
        table = pq.read_table(self._rows_path(), schema=_ROWS_SCHEMA)
        self._write_rows(table.filter(pa.compute.is_in(table.column("result_key"), value_set=pa.array(sorted(used), pa.string()))))
        log.info("build state: dropped the rows of %d result(s) no version uses", len(known - used))

    # -- the tables --------------------------------------------------------------------------

    def prices(self, source_ids: set[str] | None = None, catalog: Catalog | None = None,
               catalog_digest: str | None = None) -> pd.DataFrame:
        """The ``prices`` table (without ``model_id``): one row per run of one record in a listing
        (:mod:`~llmflation.price_runs`), found on integer codes; only the runs' rows are made whole.
        With ``catalog``, a run also ends where what its name means changes (``price_runs.meanings``).

        With ``catalog_digest`` (the key of everything the catalog is made from), the runs are kept
        between builds (``runs.pickle``, :mod:`llmflation.kept`) under the digest of what they are
        found from: the versions without their last capture and count, the stored rows and the
        catalog. A night that only extends versions changes none of those, and takes its rows'
        ``last_observed_at`` and ``n_captures`` from the versions as they are now."""
        versions = pd.read_sql_query(
            f"SELECT {', '.join(_VERSION_COLUMNS)} FROM versions WHERE n_prices > 0 ORDER BY source_id, url, first_us, version_id",
            self.db)
        if source_ids is not None:
            versions = versions[versions["source_id"].isin(source_ids)].reset_index(drop=True)
        if versions.empty:
            return pd.DataFrame(columns=PRICES.column_names)
        listing = pd.factorize(versions["source_id"] + "\n" + versions["url"])[0]
        next_first = versions.groupby(listing, sort=False)["first_us"].shift(-1)  # the version after, which ends a run
        through = versions.groupby(listing, sort=False)["n_captures"].cumsum().to_numpy()  # captures up to each version
        first_number = through - versions["n_captures"].to_numpy() + 1
        kept = None
        if catalog_digest is not None:
            digest = hashlib.sha256(f"{catalog_digest} {sorted(source_ids) if source_ids is not None else None}\n".encode())
            package_digest(digest)
            frame_digest(digest, "versions", versions.drop(columns=["last_us", "n_captures"]))
            digest.update(self._rows_path().read_bytes() if self._rows_path().exists() else b"")
            kept = KeptResult(self.root / "runs.pickle", digest.hexdigest(), tuple)
        found = kept.load() if kept is not None else None
        if found is None:
            found = self._runs(versions, listing, catalog)
            if kept is not None:
                kept.save(found)
        rows, first, last = found
        # A run spans consecutive versions of its listing: its captures are theirs, first to last.
        n_captures = through[last] - through[first] + versions["n_captures"].to_numpy()[first]
        head = versions.iloc[first].reset_index(drop=True)
        ended = next_first.to_numpy()[last]
        out = rows.assign(
            observed_at=_timestamps(head["first_us"]),
            last_observed_at=_timestamps(versions["last_us"].iloc[last].reset_index(drop=True)),
            ended_at=pd.to_datetime(pd.Series(ended, dtype="Int64"), unit="us", utc=True),
            n_captures=n_captures, first_capture_number=first_number[first],
            source_id=head["source_id"], capture_url=head["url"], capture_id=head["capture_id"],
            capture_sha256=head["sha256"], via=head["via"], wayback_timestamp=head["wayback_timestamp"],
            parser=head["parser"],
        )
        out = out.sort_values(["observed_at", "capture_id", "row"], kind="mergesort")  # capture order, then the parser's
        for name in _DECIMAL_FIELDS:  # exact, as the parser wrote them
            out[name] = pd.Series(per_distinct(out[name], _exact), index=out.index, dtype=object)
        return out.reindex(columns=PRICES.column_names).reset_index(drop=True)

    def _runs(self, versions: pd.DataFrame, listing: np.ndarray,
              catalog: Catalog | None) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """The stored row of each run's first record, and the positions in ``versions`` of each run's
        first and last version: every (version, record) pair of the stored rows, in one pass."""
        position = versions.groupby(listing, sort=False).cumcount().to_numpy()
        table = pq.read_table(self._rows_path(), schema=_ROWS_SCHEMA).combine_chunks()  # one chunk: takes stay fast
        result_of_row, results = pd.factorize(table.column("result_key").to_numpy(zero_copy_only=False))
        result_of_version = pd.Index(results).get_indexer(versions["result_key"])
        rows_of_result = np.bincount(result_of_row, minlength=len(results))
        by_result = np.argsort(result_of_row, kind="stable")  # each result's rows together, in the parser's order
        result_start = np.cumsum(rows_of_result) - rows_of_result
        sizes = np.where(result_of_version >= 0, rows_of_result[result_of_version], 0)
        pair_version = np.repeat(np.arange(len(versions)), sizes)
        offset = np.arange(len(pair_version)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        pair_row = by_result[result_start[result_of_version[pair_version]] + offset]
        record = pd.factorize(table.column("record").to_numpy(zero_copy_only=False))[0][pair_row]
        meaning = meanings(table.column("model_key").to_numpy(zero_copy_only=False)[pair_row],
                           _timestamps(pd.Series(versions["first_us"].to_numpy()[pair_version])), catalog)
        record = record * (int(meaning.max()) + 1) + meaning
        runs = record_runs(listing[pair_version], position[pair_version], record,
                           versions["n_captures"].to_numpy()[pair_version])
        rows = table.take(pa.array(pair_row[runs.first])).to_pandas()
        rows["context_window_tokens"] = rows["context_window_tokens"].astype("Int64")
        return rows, pair_version[runs.first], pair_version[runs.last]

    def parsed(self, source_ids: set[str] | None = None) -> ParsedStore:
        """One parsed capture per version (its first capture), in observation order; records load when asked for."""
        rows = self.db.execute(f"SELECT {', '.join(_VERSION_COLUMNS)} FROM versions ORDER BY first_us, capture_id").fetchall()
        out = ParsedStore()
        for row in rows:
            version = Version(**dict(zip(_VERSION_COLUMNS, row, strict=True)))
            if source_ids is not None and version.source_id not in source_ids:
                continue
            capture = CaptureMeta(
                capture_id=version.capture_id, source_id=version.source_id, url=version.url,
                observed_at=EPOCH + timedelta(microseconds=version.first_us), via=version.via, status=200,
                content_type="", sha256=version.sha256, size=0, wayback_timestamp=version.wayback_timestamp)
            outcome = Outcome(key=version.result_key, parser_id=version.parser, path=version.result_path, error=None,
                              prices_digest=version.prices_digest, records_digest=version.records_digest,
                              n_prices=version.n_prices, n_scores=version.n_scores, n_models=version.n_models, skipped={})
            out.parsed.append(ParsedCapture(capture, version.parser, outcome=outcome, cache=self.cache))
        return out

    # -- storage -----------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        path = self.root / "versions.sqlite"
        try:
            db = _connect(path)
        except sqlite3.DatabaseError as exc:
            log.warning("build state %s is unreadable (%s): building it again from the raw store", path, exc)
            db = None
        if db is None or dict(db.execute("SELECT key, value FROM meta").fetchall()).get("format", STATE_FORMAT) != STATE_FORMAT:
            if db is not None:
                db.close()
            for name in ("versions.sqlite", "rows.parquet"):
                (self.root / name).unlink(missing_ok=True)
            db = _connect(path)
        with db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (STATE_FORMAT,))
        if not self._rows_path().exists() and db.execute("SELECT COUNT(*) FROM versions WHERE n_prices > 0").fetchone()[0]:
            log.warning("build state: %s is missing: building the state again", self._rows_path())
            with db:
                db.execute("DELETE FROM versions")
                db.execute("DELETE FROM meta WHERE key != 'format'")
        return db

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


_ROWS_SCHEMA = pa.schema(
    [pa.field("result_key", pa.string()), pa.field("row", pa.int64()), pa.field("record", pa.string())]
    + [pa.field(c.name, pa.string() if c.name in _DECIMAL_FIELDS else c.type) for c in PRICES.columns if c.name in _RECORD_FIELDS]
)


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=60)
    columns = ", ".join(f"{c} {'INTEGER' if c.endswith('_us') or c.startswith('n_') else 'TEXT'}" for c in _VERSION_COLUMNS)
    with db:
        db.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)")
        db.execute(f"CREATE TABLE IF NOT EXISTS versions(version_id INTEGER PRIMARY KEY AUTOINCREMENT, {columns})")
        db.execute("CREATE INDEX IF NOT EXISTS versions_listing ON versions(source_id, url, first_us)")
    return db


def _result_rows(outcome: Outcome, cache: ParseCache) -> pd.DataFrame:
    """The price rows of one parse result, decimals as their exact strings, in the parser's order."""
    result = cache.load(outcome)
    records = [record_to_dict(record) for record in result.prices]
    frame = pd.DataFrame(records, columns=_RECORD_FIELDS)
    for name in _DECIMAL_FIELDS:
        frame[name] = [None if v is None else str(v) for v in frame[name]]
    frame["context_window_tokens"] = frame["context_window_tokens"].astype("Int64")
    return frame.assign(result_key=outcome.key, row=range(len(frame)), record=[record_key(r) for r in result.prices])


def _chunks(items: Iterator[CaptureMeta], size: int) -> Iterator[list[CaptureMeta]]:
    chunk: list[CaptureMeta] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _exact(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _timestamps(micros: pd.Series) -> pd.Series:
    return pd.to_datetime(micros.astype("int64"), unit="us", utc=True)
