"""Run a Scrapy spider in a subprocess and read back what it stored, source by source.

The Twisted reactor cannot be restarted inside one process, so every crawl is its own
``python -m scrapy crawl`` process (clean exit codes, isolation from Prefect's event loop),
handing its results back through a JSON-lines feed file: one line per fetch, either a
stored capture's manifest fields or the one-line reason a fetch produced no bytes.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmflation.config import Settings
from llmflation.progress import ProgressReporter, crawl_progress

log = logging.getLogger(__name__)

SCRAPY_SETTINGS_MODULE = "llmflation_scrapers.settings"


class CaptureError(RuntimeError):
    """The crawl itself could not run (not a source failing: that is an outcome)."""


@dataclass
class SourceCapture:
    """What one crawl did for one source: captures stored, fetches that failed, and why."""

    source_id: str
    stored: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """At least one usable status-200 capture stored and nothing failed or was rejected."""
        return any(_usable(e) for e in self.stored) and not self.errors and not any(e.get("rejected") for e in self.stored)

    def summary(self) -> str:
        """One line for the log and the run report."""
        if self.skipped and not self.stored and not self.errors:
            return f"{self.source_id}: {'; '.join(self.skipped)}"
        parts = []
        good = [e for e in self.stored if _usable(e)]
        if good:
            parts.append(f"{len(good)} capture(s) stored ({sum(e['size'] for e in good):,} bytes)")
        by_status: dict[int, list[dict[str, Any]]] = {}
        for entry in self.stored:
            if entry.get("status") != 200:
                by_status.setdefault(int(entry["status"]), []).append(entry)
            elif entry.get("rejected"):
                parts.append(f"not parsed: {entry['rejected']} from {entry['url']} (body kept as {entry['sha256'][:12]})")
        for status, entries in sorted(by_status.items()):
            first = entries[0]
            more = f" and {len(entries) - 1} more URL(s)" if len(entries) > 1 else ""
            parts.append(f"HTTP {status} from {first['url']}{more} (bodies kept)")
        parts.extend(self.errors[:3])
        if len(self.errors) > 3:
            parts.append(f"and {len(self.errors) - 3} more errors")
        return f"{self.source_id}: " + "; ".join(parts or ["nothing fetched"])


def _usable(entry: dict[str, Any]) -> bool:
    return entry.get("status") == 200 and not entry.get("rejected")


def run_spider(spider: str, args: dict[str, str], settings: Settings, run_dir: Path,
               total: int | None = None, what: str = "fetches") -> list[dict[str, Any]]:
    """Run ``scrapy crawl <spider>`` in a subprocess; the feed's lines, one per fetch.

    The child gets the same data folder and configuration file as this process. Its log goes
    to ``<run_dir>/<spider>.log``; a crash that leaves no feed is a ``CaptureError`` naming it.
    Progress (``total`` fetches expected, when known) is shown while it runs: see :mod:`llmflation.progress`.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    feed = run_dir / f"{spider}.jsonl"
    log_file = run_dir / f"{spider}.log"
    feed.unlink(missing_ok=True)
    env = dict(os.environ)
    env["SCRAPY_SETTINGS_MODULE"] = SCRAPY_SETTINGS_MODULE
    env["LLMFLATION_DATA_DIR"] = str(settings.data_dir)
    if settings.config_path is not None:
        env["LLMFLATION_CONFIG"] = str(settings.config_path)
    progress = ProgressReporter(f"{spider} crawl", total, what, interval_s=settings.progress_interval_s)
    stats_every = 2.0 if progress.terminal else min(settings.progress_interval_s, 10.0)
    command = [sys.executable, "-m", "scrapy", "crawl", spider, "-O", f"{feed}:jsonlines", "-s", f"LOG_FILE={log_file}",
               "-s", f"LOGSTATS_INTERVAL={stats_every}"]
    for key, value in args.items():
        command += ["-a", f"{key}={value}"]
    log.info("running %s", " ".join(command[2:]))
    returncode, stderr = _run_watched(command, env, run_dir, crawl_progress(log_file, progress))
    if returncode != 0 and not feed.exists():
        tail = stderr.strip().splitlines()[-5:]
        raise CaptureError(f"scrapy crawl {spider} exited {returncode}: {' | '.join(tail)} (log: {log_file})")
    if returncode != 0:
        log.warning("scrapy crawl %s exited %s; its feed is used as far as it goes (log: %s)",
                    spider, returncode, log_file)
    lines = read_feed(feed)
    progress.finish(len(lines))
    return lines


def _run_watched(command: list[str], env: dict[str, str], cwd: Path, poll: Callable[[], None]) -> tuple[int, str]:
    """Run the crawl, calling ``poll`` every second until it exits; its exit status and stderr."""
    with tempfile.TemporaryFile(dir=cwd) as out, tempfile.TemporaryFile(dir=cwd) as err:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=err)
        try:
            while True:
                try:
                    returncode = process.wait(timeout=1.0)
                    break
                except subprocess.TimeoutExpired:
                    poll()
        except BaseException:
            process.kill()  # Ctrl-C or a cancelled flow: no orphan crawl
            process.wait()
            raise
        err.seek(0)
        return returncode, err.read().decode("utf-8", "replace")


def read_feed(feed: Path) -> list[dict[str, Any]]:
    """The feed's JSON lines; a last line cut short by a killed crawl is ignored."""
    if not feed.exists():
        return []
    lines = []
    for raw in feed.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        try:
            lines.append(json.loads(raw))
        except json.JSONDecodeError:
            log.warning("ignoring an unreadable line in %s", feed)
    return lines


def group_by_source(lines: list[dict[str, Any]], source_ids: list[str]) -> dict[str, SourceCapture]:
    """Per-source results of a crawl; a selected source with no line at all says so."""
    results: dict[str, SourceCapture] = {sid: SourceCapture(sid) for sid in source_ids}
    for line in lines:
        entry = results.setdefault(line["source_id"], SourceCapture(line["source_id"]))
        outcome = line.get("outcome")
        if outcome == "stored":
            entry.stored.append(line)
        elif outcome == "skipped":
            entry.skipped.append(line.get("error", "skipped"))
        else:
            entry.errors.append(f"{line.get('error', 'unknown error')} ({line.get('url')})")
    for entry in results.values():
        if not entry.stored and not entry.errors and not entry.skipped:
            entry.errors.append("the crawl returned nothing for this source")
    return results


def capture_live(settings: Settings, source_ids: list[str], run_dir: Path) -> dict[str, SourceCapture]:
    """Fetch each source's current address into the raw store; per-source results."""
    lines = run_spider("live", {"sources": ",".join(source_ids)}, settings, run_dir)
    results = group_by_source(lines, source_ids)
    for result in results.values():
        (log.info if result.ok else log.warning)("capture %s", result.summary())
    return results
