"""Benchmark: a backfill of one address with thousands of captures, sample-and-bisect against fetching everything.

Run on demand (not part of the test suite): ``make bench-backfill`` or
``.venv/bin/python -m tests.benchmarks.bench_backfill [--captures 5000] [--changes 12] [--every-version]``.

A fake Wayback Machine on 127.0.0.1 serves OpenRouter's model list (a real response from the
corpus, cut to six models) at ``--captures`` captures spread over 2025-01..2026-10, each with
its own nonce (so its own digest), with ``--changes`` price changes among them. The backfill
runs through the library with pacing at ``--rpm`` (default 60000 a minute: pacing off, as in
the tests). Prints one JSON object: requests made (CDX pages, snapshots, robots.txt) against
captures listed, crawl rounds, wall time, whether every change was found at its exact
capture, and with ``--every-version`` the same for fetching every capture, and whether the
published tables (all but the ``n_captures`` counts) are the same.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from llmflation.fetch.backfill import backfill
from llmflation.config import load_settings
from llmflation.sources import get_source
from tests.conftest import corpus_root
from tests.support.fake_wayback import Capture, FakeWayback, churning_history
from tests.support.price_history import change_starts, comparable, price_versions, published_tables

URL = get_source("openrouter").live_url
#: After every model of the synthetic history was released: a price seen before its model's
#: release is not that model's (llmflation.match), so an earlier span would leave them unmatched.
FIRST = datetime(2025, 1, 1, tzinfo=UTC)
LAST = datetime(2026, 10, 20, tzinfo=UTC)


def run_backfill(captures: list[Capture], workdir: Path, rpm: float, strategy: str, step: str) -> dict[str, object]:
    """One backfill into a fresh data folder; what it asked of the archive and what it found."""
    fake = FakeWayback(captures)
    fake.start()
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "llmflation.toml"
    config.write_text(f'[wayback]\nurl = "{fake.url}"\nrequests_per_minute = {rpm}\ncdx_page_size = 5000\n'
                      "[capture]\ntimeout_s = 30\n", encoding="utf-8")
    os.environ["LLMFLATION_CONFIG"] = str(config)
    os.environ["LLMFLATION_DATA_DIR"] = str(workdir / "data")
    try:
        began = time.perf_counter()
        result = backfill(load_settings(), ["openrouter"], workdir / "run", strategy=strategy, step=step)
        elapsed = time.perf_counter() - began
    finally:
        fake.stop()
    requests = fake.paths_requested()
    entry = result.sources["openrouter"]
    return {
        "strategy": strategy,
        "requests": len(requests),
        "cdx_requests": len(fake.cdx_requests()),
        "snapshot_requests": len(fake.snapshot_requests()),
        "robots_requests": requests.count("/robots.txt"),
        "rounds": result.rounds,
        "seconds": round(elapsed, 1),
        "changes": [(c["last_old"], c["first_new"]) for c in entry.changes],
        "ok": result.ok,
    }


def tables(data_dir: Path) -> dict[str, pd.DataFrame]:
    os.environ["LLMFLATION_DATA_DIR"] = str(data_dir)
    return published_tables()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--captures", type=int, default=5000)
    parser.add_argument("--changes", type=int, default=12)
    parser.add_argument("--step", default="month")
    parser.add_argument("--rpm", type=float, default=60000.0, help="archive requests a minute (default: pacing off)")
    parser.add_argument("--every-version", action="store_true", help="also fetch every capture and compare tables")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    corpus = corpus_root()
    if corpus is None:
        sys.stderr.write("the corpus is needed (LLMFLATION_CORPUS or ../shared/corpus)\n")
        return 2
    starts = change_starts(args.captures, args.changes)
    captures = churning_history(URL, price_versions(corpus, args.changes), starts, args.captures, FIRST, LAST)
    expected = [(captures[s - 1].timestamp, captures[s].timestamp) for s in starts[1:]]
    out: dict[str, object] = {"captures_listed": len(captures), "price_changes": args.changes, "step": args.step}
    with tempfile.TemporaryDirectory(prefix="llmflation-bench-backfill-") as tmp:
        bisected = run_backfill(captures, Path(tmp) / "bisect", args.rpm, "bisect", args.step)
        bisected["every_change_exact"] = bisected.pop("changes") == expected
        out["bisect"] = bisected
        if args.every_version:
            full = run_backfill(captures, Path(tmp) / "every", args.rpm, "every_version", args.step)
            full.pop("changes")
            out["every_version"] = full
            mine, theirs = tables(Path(tmp) / "bisect" / "data"), tables(Path(tmp) / "every" / "data")
            out["same_tables_but_n_captures"] = {
                name: bool(comparable(mine[name]).equals(comparable(theirs[name])))
                for name in ("prices", "price_intervals", "cheapest_by_quality", "decline_rates")}
    sys.stdout.write(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
