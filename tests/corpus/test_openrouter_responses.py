"""The OpenRouter parser on the real model-list responses of the corpus, and on bodies it must refuse."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from llmflation.parsers import openrouter
from llmflation.records import CaptureMeta, ParseError

CAPTURE = CaptureMeta("c", "openrouter", "https://openrouter.ai/api/v1/models", datetime(2025, 12, 29, tzinfo=UTC),
                      "live", 200, "application/json", "0" * 64, 0)

# Per file: entries in `data`, token-priced rows we keep, and how many of those are free.
EXPECTED = {
    "openrouter_models_2025-12-29_95e496d4.json": (353, 351, 35),
    "openrouter_models_2026-01-11_cac60929.json": (349, 347, 32),
}


def corpus_files(corpus_dir: Path) -> list[Path]:
    files = sorted((corpus_dir / "prices" / "openrouter-api").glob("*.json"))
    assert files, "no OpenRouter responses in the corpus"
    return files


@pytest.mark.corpus
def test_every_corpus_response_parses_to_exact_per_token_prices(corpus_dir: Path) -> None:
    for path in corpus_files(corpus_dir):
        doc = json.loads(path.read_bytes())
        result = openrouter.parse(path.read_bytes(), CAPTURE)
        n_entries, n_rows, n_free = EXPECTED[path.name]
        assert len(doc["data"]) == n_entries
        assert len(result.prices) == n_rows
        assert sum(r.is_free for r in result.prices) == n_free
        assert sum(result.skipped.values()) == n_entries - n_rows
        by_key = {r.model_key: r for r in result.prices}
        for entry in doc["data"]:
            record = by_key.get(entry["id"])
            if record is None:
                assert Decimal(entry["pricing"]["prompt"]) < 0  # only variable-price routers are skipped
                continue
            assert record.input_usd_per_mtok == Decimal(entry["pricing"]["prompt"]) * 1_000_000
            assert record.output_usd_per_mtok == Decimal(entry["pricing"]["completion"]) * 1_000_000
            assert record.provider == "openrouter" and record.unit_on_page == "per_token"


@pytest.mark.corpus
def test_spot_prices_on_2025_12_29(corpus_dir: Path) -> None:
    path = corpus_dir / "prices" / "openrouter-api" / "openrouter_models_2025-12-29_95e496d4.json"
    by_key = {r.model_key: r for r in openrouter.parse(path.read_bytes(), CAPTURE).prices}
    gpt4o = by_key["openai/gpt-4o"]
    assert (gpt4o.input_usd_per_mtok, gpt4o.output_usd_per_mtok, gpt4o.cached_input_usd_per_mtok) == (
        Decimal("2.5"), Decimal("10"), Decimal("1.25"))
    seed = by_key["bytedance-seed/seed-1.6-flash"]
    assert (seed.input_usd_per_mtok, seed.output_usd_per_mtok) == (Decimal("0.075"), Decimal("0.3"))
    assert seed.context_window_tokens == 262144
    assert by_key["xiaomi/mimo-v2-flash:free"].is_free
    assert "openrouter/auto" not in by_key


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html><title>Just a moment...</title></html>", "not JSON"),
        (b'{"error": {"code": 429, "message": "Rate limit exceeded"}}', "'data' is a list"),
        (b'{"data": []}', "no token prices"),
        (b'{"data": [{"id": "x/y", "pricing": {"prompt": "abc", "completion": "1"}}]}', "no token prices"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON"),
    ],
)
def test_bad_bodies_are_parse_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        openrouter.parse(body, CAPTURE)
