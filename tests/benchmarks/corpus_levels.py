"""Measurement: the default quality levels on the real corpus, as captures of every source that has them.

Run on demand (not part of the test suite)::

    .venv/bin/python -m tests.benchmarks.corpus_levels /tmp/levels-data
    LLMFLATION_DATA_DIR=/tmp/levels-data .venv/bin/llmflation build
    LLMFLATION_DATA_DIR=/tmp/levels-data .venv/bin/llmflation report

It fills ``<data>/raw`` with the corpus files as live captures dated by their content: every
litellm, OpenRouter and genai-prices version; Epoch AI's tables as two bundles (the 2025-12-19 ECI
with the 2025-11-21 runs and model versions, then the 2026-04-10 ECI), the Artificial Analysis v2
response of 2026-06-27 and leaderboard page payload of 2026-04-10, and the 2026-03-13 arena ratings in LMArena's dataset columns. The README's
figures under "The analysis" come from this build.
"""

from __future__ import annotations

import sys
from datetime import datetime, UTC
from pathlib import Path

from llmflation.fetch.rawstore import RawStore
from llmflation.sources import get_source
from tests.conftest import corpus_root
from tests.support.leaderboards import arena_dataset_table, zip_members


def _put(store: RawStore, source_id: str, body: bytes, day: str, content_type: str = "application/json") -> None:
    store.put(body, source_id=source_id, url=get_source(source_id).live_url, via="live", status=200,
              observed_at=datetime.fromisoformat(day).replace(tzinfo=UTC), content_type=content_type)


def load(corpus: Path, data_dir: Path) -> int:
    """Write the captures; returns how many the store holds."""
    store = RawStore(data_dir / "raw")
    prices, scores = corpus / "prices", corpus / "scores"
    for path in sorted((prices / "litellm").glob("litellm_*.json")):
        _put(store, "litellm", path.read_bytes(), path.name.split("_")[1])
    for path in sorted((prices / "openrouter-api").glob("*.json")) + sorted((prices / "openrouter-api-raw").glob("*.json")):
        _put(store, "openrouter", path.read_bytes(), path.name.split("_")[2])
    for path in sorted((prices / "genai-prices").glob("data_*.json")):
        _put(store, "genai_prices", path.read_bytes(), path.name.split("_")[1].removesuffix(".json"))
    epoch = scores / "epoch"
    older = {p.name: p.read_text("utf-8-sig") for p in epoch.glob("*.csv") if not p.name.startswith("epoch_capabilities")}
    _put(store, "epoch_benchmarks", zip_members(older), "2025-12-19", "application/zip")
    newer = {p.name: p.read_text("utf-8-sig") for p in epoch.glob("epoch_capabilities_index_*.csv")}
    _put(store, "epoch_benchmarks", zip_members(newer), "2026-04-10", "application/zip")
    for path in (scores / "artificial-analysis").glob("aa-api-v2-*"):
        _put(store, "artificial_analysis", path.read_bytes(), path.name.split("_")[1])
    for path in (scores / "artificial-analysis").glob("aa-leaderboard-page-payload_*"):
        _put(store, "artificial_analysis_leaderboard", path.read_bytes(), path.name.split("_")[1])
    for path in (scores / "lmarena").glob("lmarena-text-scrape_*.json"):
        _put(store, "lmarena_dataset", arena_dataset_table(path), path.name.split("_")[1], "application/octet-stream")
    return len(store.captures())


def main() -> None:
    corpus = corpus_root()
    if corpus is None or len(sys.argv) != 2:
        raise SystemExit("usage: python -m tests.benchmarks.corpus_levels DATA_DIR (with the corpus at LLMFLATION_CORPUS)")
    print(f"{load(corpus, Path(sys.argv[1]))} captures in {sys.argv[1]}/raw")


if __name__ == "__main__":
    main()
