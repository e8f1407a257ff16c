"""Build the release tables from the raw store and the curated reference data. No network.

raw store -> parse (cached per parser version) -> ``prices`` with provenance -> the
analysis tables. Everything published is rebuilt from ``data/raw/`` plus ``data/reference/``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field

import pandas as pd

from llmflation.config import Settings
from llmflation.parsing import ParsedStore, parse_store
from llmflation.rawstore import RawStore
from llmflation.report import RunReport
from llmflation.schema import PRICES

log = logging.getLogger(__name__)


@dataclass
class BuildResult:
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    parsed: ParsedStore = field(default_factory=ParsedStore)


def prices_frame(parsed: ParsedStore) -> pd.DataFrame:
    """One row per price record per capture, with the capture's provenance attached."""
    rows = []
    for item in parsed.ok():
        capture = item.capture
        assert item.result is not None
        provenance = {
            "observed_at": capture.observed_at,
            "source_id": capture.source_id,
            "capture_url": capture.url,
            "capture_id": capture.capture_id,
            "capture_sha256": capture.sha256,
            "via": capture.via,
            "wayback_timestamp": capture.wayback_timestamp,
            "parser": item.parser,
        }
        for record in item.result.prices:
            rows.append({**asdict(record), **provenance})
    frame = pd.DataFrame(rows).reindex(columns=PRICES.column_names)
    return frame


def build(settings: Settings, report: RunReport, source_ids: list[str] | None = None) -> BuildResult:
    """Parse the store and assemble every table of the release."""
    store = RawStore(settings.raw_dir)
    parsed = parse_store(store, settings.parsed_dir, report, source_ids,
                         options={"chars_per_token": settings.chars_per_token})
    prices = prices_frame(parsed)
    log.info("built prices: %s rows from %s captures", len(prices), len(parsed.ok()))
    report.sections["build"] = {"captures_parsed_ok": len(parsed.ok()), "price_rows": len(prices)}
    return BuildResult(tables={"prices": prices}, parsed=parsed)
