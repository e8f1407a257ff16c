"""Backfill: the Wayback Machine's history of every registered address, into the raw store.

For each selected source and each address it has had (``Source.urls``, within its years):
list the archived versions from the CDX index (``llmflation.wayback``), keep those whose
digest is not stored yet (each distinct version once, the earliest capture of it), fetch
them with the ``wayback`` spider, and say per source how many were listed, already stored,
fetched and failed.

Incremental: without ``--since``, an address is listed only from its newest stored Wayback
capture on, and an old address (its last year over) is not listed again once it has been
listed completely after that year (``<state_dir>/wayback/listed.json``). Resumable: the versions planned for fetching are written to
``<state_dir>/wayback/pending.json`` before the crawl and removed once stored, so a run
killed half way, or a version that failed, is fetched by the next run without listing again.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from llmflation.capture import CaptureError, run_spider
from llmflation.config import Settings
from llmflation.parsers import load_parser
from llmflation.parsing import parse_store, parser_options
from llmflation.rawstore import RawStore, write_atomic
from llmflation.records import CaptureMeta
from llmflation.report import RunReport
from llmflation.sources import Source, SourceURL, select_sources
from llmflation.wayback import CdxClient, Pacer, WaybackListingError, WaybackOptions

log = logging.getLogger(__name__)

#: How long after an address's last year the archive may still add captures of it to the index.
INDEXING_LAG = timedelta(days=90)


@dataclass(frozen=True)
class PlannedVersion:
    """One archived version to fetch: the line format of the spider's plan file."""

    source_id: str
    original_url: str
    timestamp: str
    digest: str


@dataclass
class SourceBackfill:
    """What one backfill did for one source."""

    source_id: str
    listed: int = 0  # CDX rows (status 200, adjacent duplicates collapsed) in the window
    already_stored: int = 0  # rows whose digest was in the raw store before this run
    repeats: int = 0  # rows repeating a digest listed earlier in this run (fetched once)
    retried: int = 0  # versions left pending by an earlier run, fetched again now
    fetched: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)  # {timestamp, url, digest, error}
    listing_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unreadable: list[dict[str, str]] = field(default_factory=list)  # parse errors of Wayback captures

    @property
    def ok(self) -> bool:
        return not self.failed and not self.listing_errors

    def line(self) -> str:
        """One line for the terminal and the log."""
        counts = [f"{self.listed} version(s) listed", f"{self.already_stored} already stored"]
        if self.repeats:
            counts.append(f"{self.repeats} repeat(s)")
        if self.retried:
            counts.append(f"{self.retried} retried from an earlier run")
        counts += [f"{self.fetched} fetched", f"{len(self.failed)} failed"]
        problems = list(self.listing_errors)
        if self.unreadable:
            problems.append(f"{len(self.unreadable)} stored version(s) unreadable by the parser")
        return f"{self.source_id}: backfill " + ", ".join(counts) + "".join(f"; {p}" for p in problems)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BackfillResult:
    sources: dict[str, SourceBackfill] = field(default_factory=dict)
    cdx_requests: int = 0
    listing_events: list[str] = field(default_factory=list)  # retried CDX requests and waits
    snapshots_planned: int = 0
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.sources.values())

    def lines(self) -> list[str]:
        """Per source one line, then one line per failed fetch and per unreadable version."""
        out = [self.sources[k].line() for k in sorted(self.sources)]
        for sid in sorted(self.sources):
            for row in self.sources[sid].failed:
                out.append(f"  failed {sid} {row['timestamp']} {row['url']}: {row['error']}")
            for row in self.sources[sid].unreadable:
                out.append(f"  unreadable {sid} {row['wayback_timestamp']} {row['url']}: {row['error']}")
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "sources": {k: self.sources[k].to_json() for k in sorted(self.sources)},
            "cdx_requests": self.cdx_requests,
            "listing_events": self.listing_events,
            "snapshots_planned": self.snapshots_planned,
            "elapsed_s": round(self.elapsed_s, 3),
        }


def backfill(
    settings: Settings,
    source_ids: list[str] | None,
    run_dir: Path,
    since: date | None = None,
    until: date | None = None,
) -> BackfillResult:
    """List, plan and fetch the archived versions of the selected sources; per-source results."""
    started = time.monotonic()
    sources = select_sources(source_ids)
    store = RawStore(settings.raw_dir)
    options = WaybackOptions.from_settings(settings)
    pacer = Pacer(options.interval_s)
    result = BackfillResult(sources={s.id: SourceBackfill(s.id) for s in sources})
    captures = store.captures()  # read once: the store can hold thousands of entries
    pending_file = settings.state_dir / "wayback" / "pending.json"
    pending = read_pending(pending_file)

    listed_file = settings.state_dir / "wayback" / "listed.json"
    client = CdxClient(options, pacer)
    planner = _Planner(client, stored_wayback_digests(captures), newest_stored_timestamps(captures), since, until,
                       read_listed(listed_file))
    try:
        plan = [v for source in sources for v in planner.plan(source, pending, result.sources[source.id])]
    finally:
        client.close()
        write_atomic(listed_file, json.dumps(planner.listed, indent=1, sort_keys=True).encode())
    result.cdx_requests = client.requests_made
    result.listing_events = list(client.events)
    plan.sort(key=lambda v: (v.timestamp, v.source_id, v.original_url))
    result.snapshots_planned = len(plan)

    if plan:
        write_pending(pending_file, _merge(pending, plan))  # before the crawl: a killed run resumes from here
        if planner.stop_reason:
            for version in plan:
                result.sources[version.source_id].failed.append(_failure(
                    version, f"not fetched: {planner.stop_reason} (kept for the next run)"))
        else:
            pacer.wait()  # the crawl's first request keeps the same distance from the last listing
            _fetch(settings, plan, run_dir, result)
            captures = store.captures()
            stored = stored_wayback_digests(captures)
            write_pending(pending_file, [v for v in _merge(pending, plan)
                                         if v.digest not in stored.get(v.source_id, set())])
    _list_unreadable(settings, store, captures, sources, result)
    result.elapsed_s = time.monotonic() - started
    for entry in result.sources.values():
        (log.info if entry.ok else log.warning)("%s", entry.line())
    return result


class _Planner:
    """Lists each address of a source and keeps the versions not stored yet, each digest once."""

    def __init__(self, client: CdxClient, stored: dict[str, set[str]], newest: dict[tuple[str, str], str],
                 since: date | None, until: date | None, listed: dict[str, str]) -> None:
        self.client = client
        self.stored = stored
        self.newest = newest
        self.since = since
        self.until = until
        self.listed = listed  # "<source id> <url>" -> ISO date of its last complete listing
        self.today = datetime.now(UTC).date()
        self.stop_reason: str | None = None  # throttled or unreachable: ask the archive nothing more this run

    def plan(self, source: Source, pending: list[PlannedVersion], entry: SourceBackfill) -> list[PlannedVersion]:
        stored = self.stored.get(source.id, set())
        planned: dict[str, PlannedVersion] = {}
        if source.needs_api_key_env:
            entry.notes.append("not listed: an API behind a key is not something the archive holds")
            return []
        unlisted = 0
        for address in source.urls:
            if self.stop_reason:
                unlisted += 1
                continue
            if self._closed(source.id, address):
                entry.notes.append(f"{address.url} not listed again: its years ended and it was listed since")
                continue
            newest = self.newest.get((source.id, address_key(address.url)))
            window = listing_window(address, self.since, self.until, newest)
            if window is None:
                continue
            try:
                rows = self.client.list_versions(address.url, *window)
            except WaybackListingError as exc:
                log.error("backfill %s: %s", source.id, exc)
                entry.listing_errors.append(f"listing {address.url} failed: {exc}")
                self.stop_reason = exc.stop_reason
                continue
            self.listed[f"{source.id} {address.url}"] = self.today.isoformat()
            entry.listed += len(rows)
            for row in rows:
                if row.digest in stored:
                    entry.already_stored += 1
                elif row.digest in planned:
                    entry.repeats += 1
                else:
                    planned[row.digest] = PlannedVersion(source.id, row.original_url, row.timestamp, row.digest)
        if unlisted:
            entry.listing_errors.append(f"{unlisted} address(es) not listed: {self.stop_reason}")
        for old in pending:  # planned by an earlier run, not stored yet: no need to list them again
            if (old.source_id == source.id and old.digest not in stored and old.digest not in planned
                    and in_dates(old.timestamp, self.since, self.until)):
                planned[old.digest] = old
                entry.retried += 1
        return list(planned.values())


    def _closed(self, source_id: str, address: SourceURL) -> bool:
        """An old address listed completely after its last year (plus the archive's indexing lag): done.

        Only in incremental runs: ``--since`` always lists again.
        """
        last = self.listed.get(f"{source_id} {address.url}")
        if self.since is not None or address.until is None or last is None:
            return False
        return date.fromisoformat(last) > date(address.until, 12, 31) + INDEXING_LAG


def read_listed(path: Path) -> dict[str, str]:
    """When each address was last listed completely (an unreadable file means: list everything again)."""
    if not path.exists():
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(date.fromisoformat(v)) for k, v in doc.items()}
    except (ValueError, TypeError, AttributeError) as exc:
        log.warning("ignoring unreadable %s (%s): every address will be listed", path, exc)
        return {}


def listing_window(
    address: SourceURL, since: date | None, until: date | None, newest_stored: str | None
) -> tuple[str, str | None] | None:
    """The CDX ``from``/``to`` (14-digit, inclusive) for one address; None when nothing is left to ask.

    The address's own years bound the window; ``since``/``until`` narrow it. Without ``since``,
    or when ``since`` is later than the newest stored capture, listing starts at that capture:
    only what is newer is asked for (the capture itself comes back, already stored).
    """
    start = date(address.since, 1, 1)
    end = date(address.until, 12, 31) if address.until is not None else None
    if until is not None and (end is None or until < end):
        end = until
    start_ts = f"{start:%Y%m%d}000000"
    if since is not None and since > start:
        start_ts = f"{since:%Y%m%d}000000"
    if newest_stored is not None and (since is None or start_ts > newest_stored):
        start_ts = max(start_ts, newest_stored)
    end_ts = f"{end:%Y%m%d}235959" if end is not None else None
    if end_ts is not None and end_ts < start_ts:
        return None
    return start_ts, end_ts


def in_dates(timestamp: str, since: date | None, until: date | None) -> bool:
    day = timestamp[:8]
    return (since is None or day >= f"{since:%Y%m%d}") and (until is None or day <= f"{until:%Y%m%d}")


def address_key(url: str) -> str:
    """An address without scheme, ``www.`` or trailing slash: how the archive matches it exactly."""
    rest = url.split("://", 1)[-1]
    rest = rest[4:] if rest.startswith("www.") else rest
    return rest.rstrip("/")


def stored_wayback_digests(captures: list[CaptureMeta]) -> dict[str, set[str]]:
    """Per source id: the CDX digests already stored (the same as ``RawStore.wayback_digests``, in one pass)."""
    digests: dict[str, set[str]] = {}
    for meta in captures:
        if meta.wayback_digest:
            digests.setdefault(meta.source_id, set()).add(meta.wayback_digest)
    return digests


def newest_stored_timestamps(captures: list[CaptureMeta]) -> dict[tuple[str, str], str]:
    """Per (source id, address key): the newest Wayback timestamp stored."""
    newest: dict[tuple[str, str], str] = {}
    for meta in captures:
        if meta.via == "wayback" and meta.wayback_timestamp:
            key = (meta.source_id, address_key(meta.url))
            newest[key] = max(newest.get(key, ""), meta.wayback_timestamp)
    return newest


def read_pending(path: Path) -> list[PlannedVersion]:
    """Versions planned by earlier runs and not stored yet (an unreadable file is reported and ignored)."""
    if not path.exists():
        return []
    try:
        return [PlannedVersion(**row) for row in json.loads(path.read_text(encoding="utf-8"))]
    except (ValueError, TypeError) as exc:
        log.warning("ignoring unreadable %s (%s): those versions will be listed again", path, exc)
        return []


def write_pending(path: Path, versions: list[PlannedVersion]) -> None:
    write_atomic(path, json.dumps([asdict(v) for v in versions], indent=1).encode())


def _merge(old: list[PlannedVersion], new: list[PlannedVersion]) -> list[PlannedVersion]:
    seen = {(v.source_id, v.digest): v for v in old}
    for version in new:
        seen.setdefault((version.source_id, version.digest), version)
    return sorted(seen.values(), key=lambda v: (v.timestamp, v.source_id))


def _fetch(settings: Settings, plan: list[PlannedVersion], run_dir: Path, result: BackfillResult) -> None:
    """Run the spider over the plan and count each planned version as fetched or failed."""
    plan_file = run_dir / "wayback-plan.json"
    run_dir.mkdir(parents=True, exist_ok=True)
    plan_file.write_text(json.dumps([asdict(v) for v in plan], indent=1), encoding="utf-8")
    not_fetched = "no outcome: the crawl ended before fetching it"
    try:
        lines = run_spider("wayback", {"plan": str(plan_file)}, settings, run_dir, total=len(plan), what="versions")
    except CaptureError as exc:
        lines, not_fetched = [], f"the wayback crawl did not run: {exc}"
        log.error("%s", not_fetched)
    outcomes: dict[tuple[str, str], dict[str, Any]] = {}
    for line in lines:  # a stored line wins over an error line about the same version
        key = (line["source_id"], str(line.get("planned_digest") or line.get("wayback_digest")))
        if line.get("outcome") == "stored" or key not in outcomes:
            outcomes[key] = line
    for version in plan:
        entry = result.sources[version.source_id]
        line = outcomes.get((version.source_id, version.digest))
        if line is not None and line.get("outcome") == "stored":
            entry.fetched += 1
            if line.get("wayback_timestamp") != version.timestamp:
                entry.notes.append(f"{version.original_url} listed at {version.timestamp} was served as "
                                   f"{line.get('wayback_timestamp')} (same digest): stored under the served timestamp")
            continue
        entry.failed.append(_failure(version, line.get("error", "not stored") if line is not None else not_fetched))


def _failure(version: PlannedVersion, error: str) -> dict[str, str]:
    return {"timestamp": version.timestamp, "url": version.original_url, "digest": version.digest, "error": error}


def _list_unreadable(
    settings: Settings, store: RawStore, captures: list[CaptureMeta], sources: list[Source], result: BackfillResult
) -> None:
    """Every stored Wayback version whose prices could not be read: parse errors (parses are cached),
    and archived pages that are not the source's content (a challenge page, HTML for an API)."""
    readable: list[str] = []
    for source in sources:
        try:
            load_parser(source.parser)
            readable.append(source.id)
        except (ImportError, TypeError) as exc:
            result.sources[source.id].notes.append(f"parser {source.parser} unavailable ({exc}): versions not checked")
    if not readable:
        return
    scratch = RunReport(run_id="backfill-parse")  # counts stay out of the run's own report
    parse_store(store, settings.parsed_dir, scratch, readable, options=parser_options(settings))
    timestamps = {m.capture_id: m.wayback_timestamp for m in captures}
    for source_id in readable:
        for error in scratch.source(source_id).parse_errors:
            if error["via"] == "wayback":
                row = dict(error, wayback_timestamp=timestamps.get(error["capture_id"]) or "")
                result.sources[source_id].unreadable.append(row)
    for meta in captures:
        if meta.via == "wayback" and meta.rejected and meta.source_id in readable:
            result.sources[meta.source_id].unreadable.append({
                "capture_id": meta.capture_id, "observed_at": meta.observed_at.isoformat(), "url": meta.url,
                "via": meta.via, "sha256": meta.sha256, "wayback_timestamp": meta.wayback_timestamp or "",
                "error": f"not parsed: {meta.rejected}",
            })
