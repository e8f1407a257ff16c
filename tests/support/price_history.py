"""A price history for the archive at scale: OpenRouter's real model list, its prices cut a few times.

Shared by the bisection integration tests and the on-demand backfill benchmark, so both
measure the same archive.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd

from llmflation.build import analyze, build
from llmflation.config import load_settings
from llmflation.report import RunReport
from tests.support.fake_wayback import NONCE

#: Catalog models (dated or single-snapshot names) whose prices the history changes.
MODELS = ("openai/gpt-4o-2024-08-06", "openai/gpt-4o-2024-11-20", "meta-llama/llama-3.2-3b-instruct",
          "meta-llama/llama-3.2-1b-instruct", "meta-llama/llama-3.3-70b-instruct", "anthropic/claude-3.5-haiku-20241022")


def price_versions(corpus_dir: Path, changes: int) -> list[bytes]:
    """The real model list cut to ``MODELS``, then ``changes`` versions each cutting one model's prompt price by 10%.

    Each version differs from every earlier one (prices only fall), and every version carries
    a nonce: the bytes of two captures are never the same.
    """
    files = sorted((corpus_dir / "prices" / "openrouter-api").glob("openrouter_models_*.json"))
    models = {m["id"]: m for m in json.loads(files[-1].read_bytes())["data"]}
    chosen = [json.loads(json.dumps(models[name])) for name in MODELS]
    versions = []
    for k in range(changes + 1):
        if k:
            model = chosen[(k - 1) % len(chosen)]
            model["pricing"]["prompt"] = format(Decimal(model["pricing"]["prompt"]) * Decimal("0.9"), "f")
        versions.append(json.dumps({"data": chosen, "build": NONCE.decode()}).encode())
    return versions


def change_starts(count: int, changes: int) -> list[int]:
    """Where each version begins: spread out, off the month boundaries, two of them a few captures apart."""
    starts = [0] + [int(count * (k + 0.37) / (changes + 1)) for k in range(1, changes + 1)]
    if changes >= 5:
        starts[5] = starts[4] + 9  # two changes in one sample step: both must be found
    return sorted(starts)


def published_tables() -> dict[str, pd.DataFrame]:
    """The tables a build of the configured data folder would publish (analysed as of 2025-01-31)."""
    settings = load_settings()
    report = RunReport(run_id="compare")
    result = build(settings, report)
    analyze(settings, report, result, now=datetime(2025, 1, 31, tzinfo=UTC))
    return result.tables


def comparable(table: pd.DataFrame) -> pd.DataFrame:
    """A table without ``n_captures`` and ``first_capture_number`` (they count the captures stored, which
    bisecting keeps few), rows sorted."""
    kept = table.drop(columns=[c for c in ("n_captures", "first_capture_number") if c in table.columns])
    return kept.astype(str).sort_values(list(kept.columns)).reset_index(drop=True)
