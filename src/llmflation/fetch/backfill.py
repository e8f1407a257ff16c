"""Backfill: the Wayback Machine's history of every registered address, into the raw store.

Two strategies (``[wayback] strategy``). The default, ``bisect``, lists every capture, samples
and bisects to each change of content (``llmflation.fetch.backfill_bisect``, deciding with
``llmflation.fetch.bisection``). ``every_version``, described below and implemented here, fetches
each distinct digest once; both share this module's result types, listing window and crawl.

For each selected source and each address it has had (``Source.urls``, within its years):
list the archived versions from the CDX index (``llmflation.fetch.wayback``), keep those whose
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
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from llmflation.fetch.capture import CaptureError, run_spider
from llmflation.config import Settings
from llmflation.parsers import load_parser
from llmflation.parsing import parse_store, parser_options
from llmflation.fetch.rawstore import RawStore, write_atomic
from llmflation.records import CaptureMeta
from llmflation.report import RunReport
from llmflation.sources import Source, SourceURL, select_sources
from llmflation.fetch.wayback import CdxClient, Pacer, WaybackListingError, WaybackOptions

log = logging.getLogger(__name__)

#: How long after an address's last year the archive may still add captures of it to the index.
INDEXING_LAG = timedelta(days=90)
#: Changes printed per source on the terminal; the run report has them all.
CHANGES_PRINTED = 20


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
    strategy: str = "every_version"  # or "bisect" (llmflation.fetch.backfill_bisect)
    listed: int = 0  # CDX rows in the window (status 200; every_version: adjacent duplicates collapsed)
    already_stored: int = 0  # every_version: rows whose digest was stored; bisect: captures stored at their timestamp
    repeats: int = 0  # rows repeating a digest listed earlier in this run (fetched once)
    retried: int = 0  # versions left pending by an earlier run, fetched again now
    fetched: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)  # {timestamp, url, digest, error}
    listing_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unreadable: list[dict[str, str]] = field(default_factory=list)  # parse errors of Wayback captures
    # The bisect strategy's counts.
    distinct_digests: int = 0  # distinct digests among the listed captures
    sampled: int = 0  # positions in the sample (first of each step, first and last)
    sample_fetches: int = 0  # sample positions fetched from the archive
    bisect_fetches: int = 0  # positions between two differing ones, fetched to pin a change
    boundary_fetches: int = 0  # ends of a pinned change known from stored bytes, fetched to store them
    from_store: int = 0  # positions read from bytes already stored under another capture (same digest)
    would_fetch: int = 0  # dry run: the sample fetches the run would make first
    unknown: int = 0  # read positions the parser could not read (or kept as rejected)
    open_addresses: int = 0  # addresses left for the next run (a fetch failed, stopped, or a dry run)
    changes: list[dict[str, Any]] = field(default_factory=list)  # {url, last_old, first_new, exact, ...}

    @property
    def ok(self) -> bool:
        return not self.failed and not self.listing_errors

    def line(self) -> str:
        """One line for the terminal and the log."""
        if self.strategy == "bisect":
            return self._bisect_line()
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

    def _bisect_line(self) -> str:
        counts = [f"{self.listed} capture(s) listed ({self.distinct_digests} distinct digests)",
                  f"{self.already_stored} already stored", f"{self.sampled} sampled"]
        if self.would_fetch:
            counts.append(f"dry run: {self.would_fetch} sample fetch(es) to make, nothing fetched")
        else:
            counts.append(f"{self.fetched} fetched ({self.sample_fetches} sample, {self.bisect_fetches} bisecting, "
                          f"{self.boundary_fetches} boundary)")
        if self.from_store:
            counts.append(f"{self.from_store} read from stored bytes")
        exact = sum(1 for c in self.changes if c["exact"])
        counts.append(f"{len(self.changes)} change(s) found, {exact} to the exact capture")
        counts.append(f"{len(self.failed)} failed")
        problems = list(self.listing_errors)
        if self.unreadable:
            problems.append(f"{len(self.unreadable)} stored version(s) unreadable by the parser")
        return f"{self.source_id}: backfill " + ", ".join(counts) + "".join(f"; {p}" for p in problems)

    def change_lines(self) -> list[str]:
        """One line per change found (the first ``CHANGES_PRINTED``), oldest first."""
        out = []
        for change in self.changes[:CHANGES_PRINTED]:
            where = "exact" if change["exact"] else f"{change['unresolved_between']} capture(s) between not read yet"
            if change["unreadable_between"]:
                where += f", {change['unreadable_between']} unreadable between"
            out.append(f"  change {self.source_id} {change['url']}: last old {change['last_old']}, "
                       f"first new {change['first_new']} ({where})")
        if len(self.changes) > CHANGES_PRINTED:
            out.append(f"  ... and {len(self.changes) - CHANGES_PRINTED} more change(s) of {self.source_id} "
                       "in the run report")
        return out

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BackfillResult:
    sources: dict[str, SourceBackfill] = field(default_factory=dict)
    cdx_requests: int = 0
    listing_events: list[str] = field(default_factory=list)  # retried CDX requests and waits
    snapshots_planned: int = 0
    elapsed_s: float = 0.0
    plan: list[str] = field(default_factory=list)  # what the listing showed and the fetches planned
    rounds: int = 0  # bisect: crawls made (one per round of midpoints)
    step: str | None = None  # bisect: the sample step

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.sources.values())

    def lines(self) -> list[str]:
        """Per source one line, then one line per failed fetch and per unreadable version."""
        out = [self.sources[k].line() for k in sorted(self.sources)]
        for sid in sorted(self.sources):
            out += self.sources[sid].change_lines()
        for sid in sorted(self.sources):
            for row in self.sources[sid].failed:
                out.append(f"  failed {sid} {row['timestamp']} {row['url']}: {row['error']}")
            for row in self.sources[sid].unreadable:
                out.append(f"  unreadable {sid} {row['wayback_timestamp']} {row['url']}: {row['error']}")
        if self.step not in (None, "every"):
            out.append(f"note: sampled every {self.step}: a change reverted before the next sampled capture is not "
                       "seen; --since/--until with a finer --step looks closer")
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "sources": {k: self.sources[k].to_json() for k in sorted(self.sources)},
            "cdx_requests": self.cdx_requests,
            "listing_events": self.listing_events,
            "snapshots_planned": self.snapshots_planned,
            "elapsed_s": round(self.elapsed_s, 3),
            "plan": self.plan,
            "rounds": self.rounds,
            "step": self.step,
        }


def backfill(
    settings: Settings,
    source_ids: list[str] | None,
    run_dir: Path,
    since: date | None = None,
    until: date | None = None,
    *,
    step: str | None = None,
    strategy: str | None = None,
    dry_run: bool = False,
    announce: Callable[[str], None] | None = None,
) -> BackfillResult:
    """List, plan and fetch the archived history of the selected sources; per-source results.

    ``strategy`` (default ``[wayback] strategy``, ``bisect``): ``bisect`` samples every ``step``
    (default ``[wayback] sample_step``) and bisects to each change (``llmflation.fetch.backfill_bisect``);
    ``every_version`` fetches each distinct digest once. ``dry_run`` lists and prints the plan,
    and fetches nothing. ``announce`` gets each plan line before anything is fetched.
    """
    started = time.monotonic()
    sources = select_sources(source_ids)
    options = WaybackOptions.from_settings(settings)
    strategy = strategy or options.strategy
    tell = announce or (lambda line: log.info("%s", line))
    result = BackfillResult(sources={s.id: SourceBackfill(s.id) for s in sources})
    if strategy == "bisect":
        from llmflation.fetch.backfill_bisect import backfill_by_bisection  # it builds on this module's pieces

        backfill_by_bisection(settings, options, sources, run_dir, result, since, until,
                              step or options.sample_step, dry_run, tell)
        store = RawStore(settings.raw_dir)
        _list_unreadable(settings, store, store.captures(), sources, result)
        return _finished(result, started)
    store = RawStore(settings.raw_dir)
    pacer = Pacer(options.interval_s)
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
        if not dry_run:  # a dry run fetches nothing, so nothing it listed is done
            write_atomic(listed_file, json.dumps(planner.listed, indent=1, sort_keys=True).encode())
    result.cdx_requests = client.requests_made
    result.listing_events = list(client.events)
    plan.sort(key=lambda v: (v.timestamp, v.source_id, v.original_url))
    result.snapshots_planned = len(plan)
    for source in sources:
        planned = sum(1 for v in plan if v.source_id == source.id)
        entry = result.sources[source.id]
        line = (f"plan {source.id}: {entry.listed} version(s) listed, {entry.already_stored} already stored, "
                f"{planned} to fetch, about {duration_text(planned * options.interval_s)}")
        result.plan.append(line)
        tell(line)

    if plan and dry_run:
        pass  # planned and printed: nothing is fetched, nothing is written to pending.json
    elif plan:
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
    return _finished(result, started)


def _finished(result: BackfillResult, started: float) -> BackfillResult:
    result.elapsed_s = time.monotonic() - started
    for entry in result.sources.values():
        (log.info if entry.ok else log.warning)("%s", entry.line())
    return result


def duration_text(seconds: float) -> str:
    """``3 h 05 min``, ``4 min 12 s``, ``9 s``: how long a plan's fetches take at the configured pace."""
    whole = int(math.ceil(seconds))
    if whole >= 3600:
        return f"{whole // 3600} h {whole % 3600 // 60:02d} min"
    if whole >= 60:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole} s"


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
        return is_closed(self.listed, f"{source_id} {address.url}", address, self.since)


def is_closed(listed: dict[str, str], key: str, address: SourceURL, since: date | None) -> bool:
    """An old address listed completely after its last year (plus the archive's indexing lag): done.

    Only in incremental runs: ``--since`` always lists again.
    """
    last = listed.get(key)
    if since is not None or address.until is None or last is None:
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


def crawl_versions(settings: Settings, plan: list[PlannedVersion], run_dir: Path) -> tuple[list[dict[str, Any]], str]:
    """Run the ``wayback`` spider over ``plan``: its feed lines, and what to say of a version with no line."""
    plan_file = run_dir / "wayback-plan.json"
    run_dir.mkdir(parents=True, exist_ok=True)
    plan_file.write_text(json.dumps([asdict(v) for v in plan], indent=1), encoding="utf-8")
    try:
        return run_spider("wayback", {"plan": str(plan_file)}, settings, run_dir, total=len(plan), what="versions"), NO_OUTCOME
    except CaptureError as exc:
        log.error("the wayback crawl did not run: %s", exc)
        return [], f"the wayback crawl did not run: {exc}"


#: What a planned version that the crawl never answered for is reported as.
NO_OUTCOME = "no outcome: the crawl ended before fetching it"


def _fetch(settings: Settings, plan: list[PlannedVersion], run_dir: Path, result: BackfillResult) -> None:
    """Run the spider over the plan and count each planned version as fetched or failed."""
    lines, not_fetched = crawl_versions(settings, plan, run_dir)
    outcomes: dict[tuple[str, str], dict[str, Any]] = {}
    for line in lines:  # a stored line wins over an error line about the same version
        key = (line["source_id"], str(line.get("planned_digest") or line.get("wayback_digest")))
        if line.get("outcome") == "stored" or key not in outcomes:
            outcomes[key] = line
    for version in plan:
        entry = result.sources[version.source_id]
        answer = outcomes.get((version.source_id, version.digest))
        if answer is not None and answer.get("outcome") == "stored":
            entry.fetched += 1
            if answer.get("wayback_timestamp") != version.timestamp:
                entry.notes.append(f"{version.original_url} listed at {version.timestamp} was served as "
                                   f"{answer.get('wayback_timestamp')} (same digest): stored under the served timestamp")
            continue
        entry.failed.append(_failure(version, answer.get("error", "not stored") if answer is not None else not_fetched))


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
