"""The models.dev parser: on small databases shaped like api.json, and on every corpus file of it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from llmflation.parsers import models_dev
from llmflation.records import ParseError
from llmflation.sources import get_source
from tests.support.captures import capture_at

GPT = {
    "id": "gpt-5.3-codex", "name": "GPT-5.3 Codex", "family": "gpt-codex", "reasoning": True,
    "release_date": "2026-02-05", "open_weights": False,
    "modalities": {"input": ["text", "image"], "output": ["text"]},
    "cost": {"input": 1.75, "output": 14, "cache_read": 0.175}, "limit": {"context": 400000, "output": 128000},
}
GROK = {
    "id": "grok-4.20-beta", "name": "Grok 4.20", "release_date": "2026-03",
    "cost": {"input": 2, "output": 6, "cache_read": 0.2, "context_over_200k": {"input": 4, "output": 12, "cache_read": 0.4}},
    "limit": {"context": 2000000},
}


def parse(doc: object):
    return models_dev.parse(json.dumps(doc).encode(), capture_at("2026-03-13", "models_dev"))


def host(hid: str, *models: dict[str, object]) -> dict[str, object]:
    return {"id": hid, "name": hid.title(), "models": {m["id"]: m for m in models}}


def test_prices_are_usd_per_million_tokens_as_stated_with_cache_prices() -> None:
    result = parse({"openai": host("openai", GPT)})
    (row,) = result.prices
    assert (row.provider, row.model_key, row.tier) == ("openai", "gpt-5.3-codex", "standard")
    assert (row.input_usd_per_mtok, row.output_usd_per_mtok, row.cached_input_usd_per_mtok) == (
        Decimal("1.75"), Decimal(14), Decimal("0.175"))
    assert row.unit_on_page == "per_1m_tokens" and row.context_window_tokens == 400000


def test_prices_above_200k_prompt_tokens_are_their_own_tier() -> None:
    result = parse({"xai": host("xai", GROK)})
    tiers = {r.tier: (r.input_usd_per_mtok, r.output_usd_per_mtok) for r in result.prices}
    assert tiers == {"standard": (Decimal(2), Decimal(6)), "context>200k": (Decimal(4), Decimal(12))}


def test_model_records_state_what_the_listing_says_and_no_more() -> None:
    result = parse({"openai": host("openai", GPT), "xai": host("xai", GROK),
                    "togetherai": host("togetherai", {**GPT, "id": "Qwen/Qwen3-8B"}),
                    "nano-gpt": host("nano-gpt", {**GPT, "id": "TEE/x/z"}),
                    "cerebras": host("cerebras", {**GPT, "id": "llama3.1-8b"}),
                    "firmware": host("firmware", {**GPT, "id": "gpt-oss-20b", "release_date": "1970-01-01"})})
    by_key = {(m.provider, m.model_key): m for m in result.models}
    gpt = by_key[("openai", "gpt-5.3-codex")]
    assert gpt.creator == "openai" and gpt.reasoning is True and gpt.open_weights is False
    assert gpt.release_date == datetime(2026, 2, 5, tzinfo=UTC) and gpt.output_modalities == ("text",)
    assert by_key[("xai", "grok-4.20-beta")].release_date is None  # a month names no day
    assert result.skipped["release date is not a day (YYYY-MM-DD)"] == 1
    assert by_key[("together", "Qwen/Qwen3-8B")].creator == "qwen"  # host id in our naming; owner of the id
    assert by_key[("cerebras", "llama3.1-8b")].creator is None  # a host serving others' models names no creator
    assert by_key[("nano-gpt", "TEE/x/z")].creator is None  # not an owner/model id
    assert by_key[("firmware", "gpt-oss-20b")].release_date is None  # the Unix epoch stands for "unknown"
    assert result.skipped["release date is the Unix epoch (a placeholder)"] == 1


def test_models_without_text_output_or_cost_give_no_price_but_a_model_record() -> None:
    image = {**GPT, "id": "gpt-image-1", "modalities": {"input": ["text"], "output": ["image"]}}
    free = {**GPT, "id": "free-model", "cost": {"input": 0, "output": 0}}
    unpriced = {k: v for k, v in GPT.items() if k != "cost"} | {"id": "no-cost"}
    result = parse({"openai": host("openai", GPT, image, free, unpriced)})
    assert {r.model_key for r in result.prices} == {"gpt-5.3-codex", "free-model"}
    assert next(r for r in result.prices if r.model_key == "free-model").is_free
    assert len(result.models) == 4
    assert result.skipped["does not output text"] == 1 and result.skipped["no cost stated"] == 1


@pytest.mark.parametrize("bad", [[], {"openai": {"models": {}}}, {"openai": host("openai", {**GPT, "cost": {"input": "x", "output": 1}})}])
def test_a_body_without_prices_is_an_error(bad: object) -> None:
    with pytest.raises(ParseError):
        parse(bad)


def test_registry_row_cites_the_mit_licence() -> None:
    source = get_source("models_dev")
    assert source.kind == "price_api" and source.live_url == "https://models.dev/api.json"
    assert "MIT" in (source.attribution or "")


def corpus_files(corpus_dir: Path) -> list[Path]:
    folder = corpus_dir / "catalog" / "models-dev"
    files = sorted(p for p in folder.iterdir() if p.is_file())
    assert files, f"no files in {folder}"
    return files


def test_every_corpus_file_parses_to_prices_and_models(corpus_dir: Path) -> None:
    """Any api.json in the folder: hundreds of priced models, every price a finite non-negative number,
    the big labs' own listings with their creators, and no listing lost (one model record per model)."""
    for path in corpus_files(corpus_dir):
        doc = json.loads(path.read_bytes())
        n_models = sum(len(h.get("models", {})) for h in doc.values() if isinstance(h, dict))
        result = models_dev.parse(path.read_bytes(), capture_at("2026-03-13", "models_dev"))
        assert len(result.models) == n_models, path.name
        assert len(result.prices) > 1000, path.name
        assert all(r.input_usd_per_mtok >= 0 and r.output_usd_per_mtok >= 0 for r in result.prices)
        creators = {m.creator for m in result.models if m.provider in ("openai", "anthropic", "google")}
        assert creators == {"openai", "anthropic", "google"}, path.name
        assert sum(result.skipped.values()) < n_models / 5, (path.name, result.skipped)


def test_corpus_prices_match_what_the_file_states(corpus_dir: Path) -> None:
    """Spot checks against the 2026-03-13 file: GPT-4o (2024-11-20) at OpenAI, $2.50 / $10 with $1.25 cached."""
    path = next((p for p in corpus_files(corpus_dir) if "2026-03-13" in p.name), None)
    if path is None:
        pytest.skip("the 2026-03-13 models.dev file is not in the corpus")
    result = models_dev.parse(path.read_bytes(), capture_at("2026-03-13", "models_dev"))
    row = next(r for r in result.prices if r.provider == "openai" and r.model_key == "gpt-4o-2024-11-20")
    assert (row.input_usd_per_mtok, row.output_usd_per_mtok, row.cached_input_usd_per_mtok) == (
        Decimal("2.5"), Decimal(10), Decimal("1.25"))
