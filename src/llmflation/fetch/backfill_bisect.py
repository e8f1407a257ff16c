"""The sample-and-bisect backfill: every change of a source's content, dated to the capture that first shows it.

For each address of each selected source: list every status-200 capture in the window (not
collapsed by digest: a pricing page's bytes change on every load, and dating a change needs
the capture before it too), say what the plan will cost, then read positions of the listing
as :mod:`llmflation.fetch.bisection` asks, round by round, until every change is pinned between two
adjacent listed captures. A position is read

- from the raw store when a capture at that timestamp is stored (a killed run resumes here:
  what it fetched is in the store, written by rename);
- from the store's bytes when another stored capture has the same digest (parsed as the
  listed capture, since parsers may read its date): no request;
- else from the archive: one ``wayback`` crawl per round (a ``scrapy crawl`` subprocess, paced
  like every request to the archive), then the new captures are parsed before the next round.

Incremental: once an address is resolved (nothing left to read, nothing failed), its last
listed timestamp is written to ``<state_dir>/wayback/bisect.json`` (atomically) and the next
run lists only from there. An address left open (a fetch failed, the run was killed or
throttled) is listed again from the same place next time, and what is stored is not fetched again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from llmflation.fetch import bisection
from llmflation.fetch.backfill import (
    BackfillResult,
    PlannedVersion,
    address_key,
    crawl_versions,
    duration_text,
    is_closed,
    listing_window,
    read_listed,
)
from llmflation.config import Settings
from llmflation.parsing import parse_bytes, parse_capture, parser_options
from llmflation.fetch.rawstore import RawStore, write_atomic
from llmflation.records import CaptureMeta, ParseError, ParseResult
from llmflation.report import RunReport
from llmflation.sources import Source, SourceURL
from llmflation.fetch.wayback import CdxClient, CdxRow, Pacer, WaybackListingError, WaybackOptions

log = logging.getLogger(__name__)


@dataclass
class _Address:
    """One address's listing and what is known of each position so far."""

    source: Source
    address: SourceURL
    rows: list[CdxRow]
    sample: list[int]
    outcomes: dict[int, bisection.Outcome] = field(default_factory=dict)
    fetched: set[int] = field(default_factory=set)  # positions asked of the archive in this run
    failures: int = 0

    @property
    def key(self) -> str:
        return f"{self.source.id} {self.address.url}"


def signature(result: ParseResult) -> frozenset[object]:
    """What two captures must share to count as equal: every record the parser made, as a set."""
    return frozenset(result.prices) | frozenset(result.scores) | frozenset(result.models)


def read_state(path: Path) -> dict[str, dict[str, Any]]:
    """Per ``"<source id> <url>"``: the last listed timestamp resolved, and how (unreadable: start again)."""
    if not path.exists():
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): {**v, "resolved_through": str(v["resolved_through"])} for k, v in doc.items()}
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("ignoring unreadable %s (%s): every address will be listed from its first year", path, exc)
        return {}


class BisectionBackfill:
    """One run of the sample-and-bisect backfill over the selected sources."""

    def __init__(self, settings: Settings, options: WaybackOptions, run_dir: Path, result: BackfillResult,
                 step: str, dry_run: bool, announce: Callable[[str], None]) -> None:
        self.settings = settings
        self.options = options
        self.run_dir = run_dir
        self.result = result
        self.step = step
        self.dry_run = dry_run
        self.announce = announce
        self.store = RawStore(settings.raw_dir)
        self.pacer = Pacer(options.interval_s)
        self.parse_options = parser_options(settings)
        self.scratch = RunReport(run_id="backfill-bisect")  # parse counts stay out of the run's report
        self.state_file = settings.state_dir / "wayback" / "bisect.json"
        self.listed_file = settings.state_dir / "wayback" / "listed.json"
        self.state = read_state(self.state_file)
        self.listed = read_listed(self.listed_file)
        self.by_time: dict[tuple[str, str, str], CaptureMeta] = {}
        self.by_digest: dict[tuple[str, str], CaptureMeta] = {}
        for meta in self.store.captures():
            self._index(meta)
        self.addresses: list[_Address] = []
        self.stop_reason: str | None = None
        self.rounds = 0

    def _index(self, meta: CaptureMeta) -> None:
        if meta.via != "wayback" or not meta.wayback_timestamp:
            return
        self.by_time[(meta.source_id, address_key(meta.url), meta.wayback_timestamp)] = meta
        if meta.wayback_digest:
            known = self.by_digest.get((meta.source_id, meta.wayback_digest))
            if known is None or (known.rejected and not meta.rejected):
                self.by_digest[(meta.source_id, meta.wayback_digest)] = meta

    # Listing and the plan.
    def list_sources(self, sources: list[Source], since: date | None, until: date | None) -> None:
        client = CdxClient(self.options, self.pacer)
        try:
            for source in sources:
                self._list_source(client, source, since, until)
        finally:
            client.close()
            self.result.cdx_requests += client.requests_made
            self.result.listing_events += client.events

    def _list_source(self, client: CdxClient, source: Source, since: date | None, until: date | None) -> None:
        entry = self.result.sources[source.id]
        entry.strategy = "bisect"
        if source.needs_api_key_env:
            entry.notes.append("not listed: an API behind a key is not something the archive holds")
            return
        unlisted = 0
        for address in source.urls:
            key = f"{source.id} {address.url}"
            if self.stop_reason:
                unlisted += 1
                continue
            if is_closed(self.listed, key, address, since):
                entry.notes.append(f"{address.url} not listed again: its years ended and it was resolved since")
                continue
            resolved = self.state.get(key, {}).get("resolved_through") if since is None else None
            window = listing_window(address, since, until, resolved)
            if window is None:
                continue
            try:
                rows = client.list_versions(address.url, *window, collapse=False)
            except WaybackListingError as exc:
                log.error("backfill %s: %s", source.id, exc)
                entry.listing_errors.append(f"listing {address.url} failed: {exc}")
                self.stop_reason = exc.stop_reason
                continue
            rows = _one_per_timestamp(rows)
            if not rows:
                self._resolved(key, None)
                continue
            timestamps = [r.timestamp for r in rows]
            spot = _Address(source, address, rows, bisection.sample_positions(timestamps, self.step))
            for position, row in enumerate(rows):  # stored captures are known already: a killed run resumes here
                meta = self.by_time.get((source.id, address_key(row.original_url), row.timestamp))
                if meta is not None:
                    spot.outcomes[position] = self._read_stored(meta)
            entry.listed += len(rows)
            entry.distinct_digests += len({r.digest for r in rows})
            entry.already_stored += len(spot.outcomes)
            entry.sampled += len(spot.sample)
            self.addresses.append(spot)
            self._announce_plan(spot)
        if unlisted:
            entry.listing_errors.append(f"{unlisted} address(es) not listed: {self.stop_reason}")

    def _announce_plan(self, spot: _Address) -> None:
        rows = spot.rows
        unread = [p for p in spot.sample if p not in spot.outcomes]
        by_bytes = sum(1 for p in unread if (spot.source.id, rows[p].digest) in self.by_digest)
        to_fetch = len(unread) - by_bytes
        per_change = bisection.bisection_fetches_per_change(len(rows), len(spot.sample))
        line = (
            f"plan {spot.source.id} {spot.address.url}: {len(rows)} capture(s) listed "
            f"({len({r.digest for r in rows})} distinct digests), {rows[0].timestamp[:8]}..{rows[-1].timestamp[:8]}; "
            f"sample of {len(spot.sample)} (step {self.step}): {to_fetch} to fetch, "
            f"{len(spot.sample) - to_fetch} already in the store; about {per_change} more fetch(es) per change found; "
            f"the sample takes about {duration_text(to_fetch * self.options.interval_s)}"
            f" (every capture would take {duration_text(len(rows) * self.options.interval_s)})"
        )
        self.result.plan.append(line)
        self.announce(line)

    # Reading positions.
    def _read_stored(self, meta: CaptureMeta) -> bisection.Outcome:
        if meta.status != 200 or meta.rejected:
            return bisection.Outcome("unknown", stored=True, reason=meta.rejected or f"HTTP {meta.status}")
        parsed = parse_capture(self.store, self.settings.parsed_dir, meta, self.scratch, self.parse_options)
        if parsed.result is None:
            return bisection.Outcome("unknown", stored=True, reason=parsed.error or "unreadable")
        return bisection.Outcome("known", signature(parsed.result), stored=True)

    def _read_same_bytes(self, row: CdxRow, same: CaptureMeta) -> bisection.Outcome:
        """A listed capture whose bytes are stored under another capture: parsed as itself, no request."""
        if same.status != 200 or same.rejected:
            return bisection.Outcome("unknown", reason=same.rejected or f"HTTP {same.status}")
        stand_in = replace(same, capture_id=f"listed-{row.timestamp}", observed_at=row.observed_at,
                           wayback_timestamp=row.timestamp)
        try:
            result = parse_bytes(self.store.read(same.sha256), stand_in, self.parse_options)
        except ParseError as exc:
            return bisection.Outcome("unknown", reason=str(exc) or "unreadable")
        except Exception as exc:  # a parser bug: unknown, as parse_store reports it
            log.exception("parser crashed on the stored bytes of %s at %s", row.original_url, row.timestamp)
            return bisection.Outcome("unknown", reason=f"parser crashed: {type(exc).__name__}: {exc}")
        return bisection.Outcome("known", signature(result))

    def _settle_from_store(self) -> list[tuple[_Address, int]]:
        """Read every wanted position the store can answer; what is left must be fetched."""
        while True:
            need: list[tuple[_Address, int]] = []
            progressed = False
            for spot in self.addresses:
                for position in bisection.next_positions(len(spot.rows), spot.sample, spot.outcomes, spot.fetched):
                    row = spot.rows[position]
                    same = self.by_digest.get((spot.source.id, row.digest))
                    if position not in spot.outcomes and same is not None:
                        spot.outcomes[position] = self._read_same_bytes(row, same)
                        self.result.sources[spot.source.id].from_store += 1
                        progressed = True
                    else:
                        need.append((spot, position))
            if not progressed:
                return need

    # Rounds.
    def run(self) -> None:
        """Read round after round until every address is resolved (or, for a dry run, after planning)."""
        while not self.stop_reason:
            need = self._settle_from_store()
            if not need:
                break
            if self.dry_run:
                for spot, _ in need:
                    self.result.sources[spot.source.id].would_fetch += 1
                break
            self._crawl(need)
        for spot in self.addresses:
            self._finish(spot)
        if self.dry_run:
            return
        write_atomic(self.state_file, json.dumps(self.state, indent=1, sort_keys=True).encode())
        write_atomic(self.listed_file, json.dumps(self.listed, indent=1, sort_keys=True).encode())

    def _crawl(self, need: list[tuple[_Address, int]]) -> None:
        self.rounds += 1
        plan = []
        for spot, position in need:
            row = spot.rows[position]
            spot.fetched.add(position)
            plan.append(PlannedVersion(spot.source.id, row.original_url, row.timestamp, row.digest))
            entry = self.result.sources[spot.source.id]
            if position in spot.sample:
                entry.sample_fetches += 1
            elif position in spot.outcomes:
                entry.boundary_fetches += 1
            else:
                entry.bisect_fetches += 1
        self.result.snapshots_planned += len(plan)
        log.info("backfill round %d: %d capture(s) to fetch", self.rounds, len(plan))
        self.pacer.wait()  # the crawl's first request keeps its distance from the last one
        lines, not_fetched = crawl_versions(self.settings, plan, self.run_dir / f"wayback-round-{self.rounds:03d}")
        self.pacer.wait()  # from the crawl's end: the next round's first request waits a full interval
        errors: dict[tuple[str, str], str] = {}
        for line in lines:
            if line.get("outcome") == "stored":
                self._index(_meta_of(line))
            elif line.get("planned_timestamp"):
                errors.setdefault((line["source_id"], line["planned_timestamp"]), str(line.get("error")))
        failed = 0
        for spot, position in need:
            failed += not self._after_fetch(spot, position, errors, not_fetched)
        if failed == len(need):
            self.stop_reason = f"every fetch of round {self.rounds} failed"
            log.error("backfill: %s; stopping, the next run resumes", self.stop_reason)

    def _after_fetch(self, spot: _Address, position: int, errors: dict[tuple[str, str], str], not_fetched: str) -> bool:
        row = spot.rows[position]
        entry = self.result.sources[spot.source.id]
        meta = self.by_time.get((spot.source.id, address_key(row.original_url), row.timestamp))
        if meta is not None:
            entry.fetched += 1
            spot.outcomes[position] = self._read_stored(meta)
            return True
        error = errors.get((spot.source.id, row.timestamp), not_fetched)
        same = self.by_digest.get((spot.source.id, row.digest))
        if same is not None and same.wayback_timestamp != row.timestamp and not errors.get((spot.source.id, row.timestamp)):
            entry.fetched += 1
            entry.notes.append(f"{row.original_url} listed at {row.timestamp} was served as {same.wayback_timestamp} "
                               f"(same digest): stored under the served timestamp")
            spot.outcomes.setdefault(position, self._read_same_bytes(row, same))
            return True
        spot.failures += 1
        entry.failed.append({"timestamp": row.timestamp, "url": row.original_url, "digest": row.digest, "error": error})
        spot.outcomes.setdefault(position, bisection.Outcome("failed", reason=error))
        return False

    def _finish(self, spot: _Address) -> None:
        entry = self.result.sources[spot.source.id]
        rows = spot.rows
        for change in bisection.changes(spot.outcomes):
            before, after = rows[change.before], rows[change.after]
            entry.changes.append({
                "url": spot.address.url,
                "last_old": before.timestamp,  # the last capture showing the old content
                "first_new": after.timestamp,  # the first capture showing the new one
                "exact": change.exact,
                "listed_between": change.after - change.before - 1,
                "unreadable_between": change.unreadable_between,
                "unresolved_between": change.unresolved_between,
                "both_stored": spot.outcomes[change.before].stored and spot.outcomes[change.after].stored,
            })
        for _position, outcome in sorted(spot.outcomes.items()):
            if outcome.kind == "unknown":
                entry.unknown += 1
        if self.dry_run or self.stop_reason or spot.failures:
            entry.open_addresses += 1
            return
        self._resolved(spot.key, rows[-1].timestamp)

    def _resolved(self, key: str, through: str | None) -> None:
        """Nothing left to read in this address's window: the next run lists only what is newer."""
        if self.dry_run:
            return
        self.listed[key] = datetime.now(UTC).date().isoformat()
        earlier = self.state.get(key, {}).get("resolved_through")
        if through is not None and (earlier is None or through > earlier):  # a closer look at an old window keeps it
            self.state[key] = {"resolved_through": through, "step": self.step,
                               "resolved_at": datetime.now(UTC).isoformat(timespec="seconds")}


def backfill_by_bisection(
    settings: Settings, options: WaybackOptions, sources: list[Source], run_dir: Path, result: BackfillResult,
    since: date | None, until: date | None, step: str, dry_run: bool, announce: Callable[[str], None],
) -> None:
    """List, plan, sample and bisect the selected sources' addresses; counts and changes into ``result``."""
    run = BisectionBackfill(settings, options, run_dir, result, step, dry_run, announce)
    run.list_sources(sources, since, until)
    run.run()
    result.rounds = run.rounds
    result.step = step
    if run.stop_reason:
        for spot in run.addresses:
            if spot.failures == 0:
                result.sources[spot.source.id].listing_errors.append(
                    f"{spot.address.url} left open: {run.stop_reason} (the next run resumes)")


def _one_per_timestamp(rows: list[CdxRow]) -> list[CdxRow]:
    """Oldest first, one row per timestamp (the index can list a capture twice)."""
    seen: dict[str, CdxRow] = {}
    for row in rows:
        seen.setdefault(row.timestamp, row)
    return [seen[t] for t in sorted(seen)]


def _meta_of(line: dict[str, Any]) -> CaptureMeta:
    """The manifest entry of a capture the spider stored, from its feed line."""
    fields = {k: line.get(k) for k in CaptureMeta.__dataclass_fields__ if k not in ("observed_at", "fetched_at")}
    return CaptureMeta(**fields, observed_at=datetime.fromisoformat(line["observed_at"]))  # type: ignore[arg-type]
