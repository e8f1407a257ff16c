"""The run report: per source, what was captured, parsed, rejected and why; then validation and publish.

Written as ``run_report.json`` into every release and into ``<data_dir>/state/runs/<run_id>/``
for every run (a run whose release is unchanged still leaves its report). ``lines()`` gives
the one-line-per-source summary the CLI prints.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from llmflation import __version__


@dataclass
class SourceReport:
    source_id: str
    capture_status: str = "not run"  # ok | failed | skipped | not run
    capture_summary: str = ""
    capture_errors: list[str] = field(default_factory=list)
    captures_total: int = 0  # status-200 captures of this source in the raw store
    captures_parsed: int = 0  # parsed in this run
    captures_reused: int = 0  # parse result reused (same capture, same parser version)
    price_rows: int = 0
    score_rows: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    parse_errors: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One line: how the source fared in this run."""
        parts = [f"capture {self.capture_status}"]
        if self.capture_summary and self.capture_status != "ok":
            parts[0] += f" ({self.capture_summary.split(': ', 1)[-1]})"
        parts.append(f"{self.captures_total} capture(s) in store, {self.captures_parsed} parsed now")
        if self.price_rows:
            parts.append(f"{self.price_rows:,} price rows")
        if self.score_rows:
            parts.append(f"{self.score_rows:,} score rows")
        if self.parse_errors:
            last = self.parse_errors[-1]
            parts.append(f"{len(self.parse_errors)} unreadable capture(s), latest {last['observed_at']}: {last['error']}")
        return f"{self.source_id}: " + "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "capture": {"status": self.capture_status, "summary": self.capture_summary, "errors": self.capture_errors},
            "parse": {
                "captures_in_store": self.captures_total,
                "captures_parsed": self.captures_parsed,
                "captures_reused": self.captures_reused,
                "price_rows": self.price_rows,
                "score_rows": self.score_rows,
                "skipped_by_reason": dict(sorted(self.skipped.items())),
                "errors": self.parse_errors,
            },
            "notes": self.notes,
        }


@dataclass
class RunReport:
    run_id: str
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    sources: dict[str, SourceReport] = field(default_factory=dict)
    sections: dict[str, Any] = field(default_factory=dict)  # build, validation, publish, analysis...

    def source(self, source_id: str) -> SourceReport:
        return self.sources.setdefault(source_id, SourceReport(source_id))

    def lines(self) -> list[str]:
        return [self.sources[k].line() for k in sorted(self.sources)]

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "llmflation_version": __version__,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "sources": {k: self.sources[k].to_json() for k in sorted(self.sources)},
            **self.sections,
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=False, default=str)


def new_run_id(now: datetime | None = None) -> str:
    """A sortable id for a run, also the version name of the release it makes: 20261122T030000Z."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
