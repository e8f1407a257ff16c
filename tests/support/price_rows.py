"""Rows of the ``prices`` table for tests: one call per price, every provenance column filled in."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal

import pandas as pd

from llmflation.schema import PRICES


def price_row(model_key: str = "openai/gpt-4o", inp: str | None = "2.5", out: str | None = "10",
              when: str = "2026-01-01", provider: str = "openrouter", source_id: str = "openrouter",
              is_free: bool = False, model_id: str | None = None, tier: str = "standard") -> dict:
    observed = datetime.fromisoformat(when).replace(tzinfo=UTC)
    capture_key = f"{source_id}|{observed.isoformat()}"
    return {
        "observed_at": observed, "last_observed_at": observed, "n_captures": 1, "first_capture_number": 1, "source_id": source_id, "provider": provider, "model_key": model_key,
        "model_id": model_id, "model_name": None,
        "input_usd_per_mtok": None if inp is None else Decimal(inp),
        "output_usd_per_mtok": None if out is None else Decimal(out),
        "cached_input_usd_per_mtok": None, "cache_write_usd_per_mtok": None,
        "tier": tier, "unit_on_page": "per_token", "is_free": is_free, "is_deprecated": False,
        "quantization": None, "converted_from_characters": False, "context_window_tokens": None,
        "capture_url": "https://openrouter.ai/api/v1/models",
        "capture_id": hashlib.sha256(capture_key.encode()).hexdigest()[:24],
        "capture_sha256": hashlib.sha256(capture_key.encode()).hexdigest(),
        "via": "live", "wayback_timestamp": None, "parser": "llmflation.parsers.openrouter@1",
    }


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows)).reindex(columns=PRICES.column_names)
