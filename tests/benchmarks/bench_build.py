"""Benchmark: how long a build takes and how much memory it needs, cold and warm.

Run on demand (not part of the test suite): ``make bench`` or
``.venv/bin/python -m tests.benchmarks.bench_build [--copies N]``.

It fills a temporary raw store with the real corpus (every litellm version, both OpenRouter
responses, every genai-prices version) as Wayback captures, ``--copies`` times over at
different timestamps (each copy a run of distinct versions), then ``--nights`` nightly live
captures of each source's newest file that did not change (what a year of nightly runs mostly
stores), then times ``build`` + ``analyze`` with an empty parse cache (cold) and again with it
filled (warm), and reports peak resident memory. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from llmflation.build import analyze, build
from llmflation.config import load_settings
from llmflation.fetch.rawstore import RawStore
from llmflation.report import RunReport
from tests.conftest import corpus_root


def fill_store(store: RawStore, corpus: Path, copies: int, nights: int) -> int:
    files = [("litellm", p) for p in sorted((corpus / "prices" / "litellm").glob("*.json"))]
    files += [("openrouter", p) for p in sorted((corpus / "prices" / "openrouter-api").glob("*.json"))]
    files += [("genai_prices", p) for p in sorted((corpus / "prices" / "genai-prices").glob("data_*.json"))]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    n = 0
    for copy in range(copies):
        for index, (source_id, path) in enumerate(files):
            when = start + timedelta(days=copy * len(files) + index)
            store.put(path.read_bytes(), source_id=source_id, url=f"https://example.org/{source_id}", observed_at=when,
                      via="wayback", status=200, content_type="application/json",
                      wayback_timestamp=when.strftime("%Y%m%d%H%M%S"))
            n += 1
    newest = {source_id: path for source_id, path in files}  # the last file listed per source
    night0 = start + timedelta(days=copies * len(files) + 1)
    for night in range(nights):
        for source_id, path in newest.items():
            store.put(path.read_bytes(), source_id=source_id, url=f"https://example.org/{source_id}",
                      observed_at=night0 + timedelta(days=night), via="live", status=200, content_type="application/json")
            n += 1
    return n


def timed_build(settings_env: dict[str, str]) -> tuple[float, int]:
    settings = load_settings(env=settings_env)
    report = RunReport("bench")
    began = time.perf_counter()
    result = build(settings, report)
    analyze(settings, report, result)
    return time.perf_counter() - began, len(result.tables["prices"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=3, help="times the corpus is stored, at different dates")
    parser.add_argument("--nights", type=int, default=30, help="unchanged nightly captures of each source's newest file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    corpus = corpus_root()
    if corpus is None:
        sys.stderr.write("corpus not found: set LLMFLATION_CORPUS\n")
        return 2
    with tempfile.TemporaryDirectory() as folder:
        env = {"LLMFLATION_DATA_DIR": str(Path(folder) / "data")}
        captures = fill_store(RawStore(Path(folder) / "data" / "raw"), corpus, args.copies, args.nights)
        cold_s, rows = timed_build(env)
        warm_s, _ = timed_build(env)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"captures": captures, "price_rows": rows, "cold_build_s": round(cold_s, 2),
                      "warm_build_s": round(warm_s, 2), "peak_rss_mb": round(peak_mb)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
