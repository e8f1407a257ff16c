"""Every price-table file in the real-data corpus parses, with the prices the file states.

For each file the number of token-priced text models is both derived here from the file's own
JSON (a plain count, independent of the parser) and pinned as a literal, so a change in the data
or in the parser shows. At least 95% of those models must come out as standard rows whose prices
are exactly the file's per-token price x 1,000,000 (or, for genai-prices, its per-1M price).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from llmflation.parsers import genai_prices, litellm, openrouter
from llmflation.records import as_decimal
from tests.support.captures import capture_at

pytestmark = pytest.mark.corpus

MILLION = Decimal(1_000_000)

#: Text models (mode chat/completion/responses) with numeric input and output per-token prices.
LITELLM_TEXT_MODELS = {
    "litellm_2024-01-30_f38877f4.json": 175,
    "litellm_2024-02-05_aac81257.json": 175,
    "litellm_2024-03-25_5f7464ce.json": 218,
    "litellm_2024-04-22_569280a3.json": 241,
    "litellm_2024-05-14_ad4d93d5.json": 279,
    "litellm_2024-06-30_49a9c6f7.json": 340,
    "litellm_2024-07-25_0deb7c4b.json": 369,
    "litellm_2024-09-06_6578d420.json": 446,
    "litellm_2024-10-30_4fb87df3.json": 512,
    "litellm_2024-11-22_b993a71f.json": 555,
    "litellm_2025-01-13_226b3329.json": 601,
    "litellm_2025-02-06_b094ffea.json": 617,
    "litellm_2025-02-19_8d4099ef.json": 640,
    "litellm_2025-03-24_2e30c662.json": 698,
    "litellm_2025-05-30_f6068e90.json": 826,
    "litellm_2025-06-29_7731d8b9.json": 956,
    "litellm_2025-07-30_3ffa29f7.json": 1068,
    "litellm_2025-08-30_5d07d8ad.json": 1254,
    "litellm_2025-09-01_59042a13.json": 1342,
    "litellm_2025-10-31_ca3fa353.json": 1325,
    "litellm_2026-01-31_94b6c3be.json": 1882,
    "litellm_2026-04-29_3baa7778.json": 2020,
    "litellm_2026-07-24_8442b939.json": 2261,
}

#: Models with input and output prices in at least one of their price sets.
GENAI_PRICED_MODELS = {
    "data_2025-06-22_8421a4e0.json": 526,
    "data_2025-12-31_defd911c.json": 1008,
    "data_2026-08-21.json": 1245,
}

#: Models that output text and have a fixed (non-negative) price.
OPENROUTER_PRICED_MODELS = {
    "openrouter_models_2025-12-29_95e496d4.json": 351,
    "openrouter_models_2026-01-11_cac60929.json": 347,
}

#: (file, model_key, input USD/1M, output USD/1M): list prices of the day, checked by hand in the file.
LITELLM_SPOT_PRICES = [
    ("litellm_2024-01-30_f38877f4.json", "gpt-4", "30", "60"),
    ("litellm_2024-05-14_ad4d93d5.json", "gpt-4o", "5", "15"),
    ("litellm_2024-07-25_0deb7c4b.json", "claude-3-5-sonnet-20240620", "3", "15"),
    ("litellm_2025-01-13_226b3329.json", "gpt-4o", "2.5", "10"),
    ("litellm_2025-01-13_226b3329.json", "gpt-4o-mini", "0.15", "0.6"),
    ("litellm_2026-07-24_8442b939.json", "gpt-4o", "2.5", "10"),
]


def content_day(path: Path) -> str:
    """The content date in a corpus file name (``litellm_2024-01-30_f38877f4.json`` -> 2024-01-30)."""
    return next(part for part in path.stem.split("_") if part[:2] == "20")


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@pytest.mark.parametrize(
    ("folder", "pattern", "pinned"),
    [
        ("litellm", "*.json", LITELLM_TEXT_MODELS),
        ("genai-prices", "data_*.json", GENAI_PRICED_MODELS),
        ("openrouter-api", "*.json", OPENROUTER_PRICED_MODELS),
    ],
)
def test_every_corpus_file_has_a_pinned_count(corpus_dir: Path, folder: str, pattern: str, pinned: dict[str, int]) -> None:
    found = sorted((corpus_dir / "prices" / folder).glob(pattern))
    assert [p.name for p in found] == sorted(pinned)


# --- litellm -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LITELLM_TEXT_MODELS))
def test_litellm_version_prices_match_the_file(corpus_dir: Path, name: str) -> None:
    path = corpus_dir / "prices" / "litellm" / name
    body = path.read_bytes()
    table = json.loads(body)
    expected = {
        key: (entry["input_cost_per_token"], entry["output_cost_per_token"])
        for key, entry in table.items()
        if key != "sample_spec" and isinstance(entry, dict) and entry.get("mode") in {"chat", "completion", "responses"}
        and _number(entry.get("input_cost_per_token")) and _number(entry.get("output_cost_per_token"))
    }
    assert len(expected) == LITELLM_TEXT_MODELS[name]

    result = litellm.parse(body, capture_at(content_day(path), "litellm", body))
    standard = {r.model_key: r for r in result.prices if r.tier == "standard"}
    exact = [
        key for key, (given_in, given_out) in expected.items()
        if key in standard
        and standard[key].input_usd_per_mtok == as_decimal(given_in) * MILLION
        and standard[key].output_usd_per_mtok == as_decimal(given_out) * MILLION
        and standard[key].provider == table[key].get("litellm_provider", standard[key].provider)
    ]
    assert len(exact) >= 0.95 * len(expected), f"{len(exact)} of {len(expected)} exact"
    # Whatever did not become a row was counted: rows + skips account for every entry.
    assert len({r.model_key for r in result.prices}) + sum(result.skipped.values()) >= len(table)
    assert "sample_spec" not in standard
    assert not any(r.model_key in table and table[r.model_key].get("mode") == "embedding" for r in result.prices)


@pytest.mark.parametrize(("name", "key", "input_price", "output_price"), LITELLM_SPOT_PRICES)
def test_litellm_spot_prices(corpus_dir: Path, name: str, key: str, input_price: str, output_price: str) -> None:
    path = corpus_dir / "prices" / "litellm" / name
    result = litellm.parse(path.read_bytes(), capture_at(content_day(path), "litellm"))
    [row] = [r for r in result.prices if r.model_key == key and r.tier == "standard"]
    assert (row.input_usd_per_mtok, row.output_usd_per_mtok) == (Decimal(input_price), Decimal(output_price))
    assert row.provider in {"openai", "anthropic"} and not row.is_free


def test_litellm_provider_inference_agrees_with_later_versions(corpus_dir: Path) -> None:
    """The copies without litellm_provider get, for each key, what the next version states."""
    stripped = json.loads((corpus_dir / "prices/litellm/litellm_2024-01-30_f38877f4.json").read_bytes())
    stated = json.loads((corpus_dir / "prices/litellm/litellm_2024-03-25_5f7464ce.json").read_bytes())
    shared = [key for key in stripped if key in stated and "litellm_provider" in stated[key] and "/" not in key]
    assert len(shared) > 60
    mismatches = {key: (litellm.provider_of(key, stripped[key]), stated[key]["litellm_provider"])
                  for key in shared if litellm.provider_of(key, stripped[key]) != stated[key]["litellm_provider"]}
    assert mismatches == {}


def test_litellm_tiers_batch_and_deprecation_in_a_recent_version(corpus_dir: Path) -> None:
    path = corpus_dir / "prices/litellm/litellm_2026-07-24_8442b939.json"
    table = json.loads(path.read_bytes())
    result = litellm.parse(path.read_bytes(), capture_at("2026-07-24", "litellm"))
    rows = {(r.model_key, r.tier): r for r in result.prices}
    for (key, tier), row in rows.items():
        entry = table[key]
        if tier == "batch":
            assert row.input_usd_per_mtok == as_decimal(entry["input_cost_per_token_batches"]) * MILLION
        if tier == "context>200k":
            assert row.output_usd_per_mtok == as_decimal(entry["output_cost_per_token_above_200k_tokens"]) * MILLION
        deprecated = isinstance(entry.get("deprecation_date"), str) and entry["deprecation_date"] <= "2026-07-24"
        assert row.is_deprecated == deprecated, key
    assert sum(r.tier == "batch" for r in result.prices) > 50
    assert sum(r.is_deprecated for r in result.prices) > 10
    assert result.skipped["priced per second, not per token"] > 0


# --- genai-prices --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GENAI_PRICED_MODELS))
def test_genai_prices_version_prices_match_the_file(corpus_dir: Path, name: str) -> None:
    path = corpus_dir / "prices" / "genai-prices" / name
    body = path.read_bytes()
    providers = json.loads(body)
    priced = 0
    plain: dict[tuple[str, str], tuple[object, object]] = {}
    for provider in providers:
        for model in provider["models"]:
            sets = [model["prices"]] if isinstance(model["prices"], dict) else [c["prices"] for c in model["prices"]]
            if any(s.get("input_mtok") is not None and s.get("output_mtok") is not None for s in sets):
                priced += 1
            only = sets[0] if len(sets) == 1 else {}
            if _number(only.get("input_mtok")) and _number(only.get("output_mtok")):
                plain[(provider["id"], model["id"])] = (only["input_mtok"], only["output_mtok"])
    assert priced == GENAI_PRICED_MODELS[name]

    result = genai_prices.parse(body, capture_at(content_day(path), "genai_prices", body))
    standard = {(r.provider, r.model_key): r for r in result.prices if r.tier == "standard"}
    assert len({(r.provider, r.model_key) for r in result.prices}) >= 0.95 * priced
    exact = [k for k, (i, o) in plain.items() if k in standard
             and (standard[k].input_usd_per_mtok, standard[k].output_usd_per_mtok) == (as_decimal(i), as_decimal(o))]
    assert len(exact) >= 0.95 * len(plain)


def test_genai_prices_spot_prices_and_dated_changes(corpus_dir: Path) -> None:
    body = (corpus_dir / "prices/genai-prices/data_2026-08-21.json").read_bytes()

    def price(day: str, provider: str, key: str) -> tuple[Decimal | None, Decimal | None]:
        [row] = [r for r in genai_prices.parse(body, capture_at(day)).prices
                 if (r.provider, r.model_key, r.tier) == (provider, key, "standard")]
        return row.input_usd_per_mtok, row.output_usd_per_mtok

    assert price("2026-08-21", "openai", "gpt-4o") == (Decimal("2.5"), Decimal(10))
    assert price("2025-06-09", "openai", "o3") == (Decimal(10), Decimal(40))
    assert price("2025-06-10", "openai", "o3") == (Decimal(2), Decimal(8))
    assert price("2026-08-21", "anthropic", "claude-sonnet-5") == (Decimal(2), Decimal(10))
    assert price("2026-09-01", "anthropic", "claude-sonnet-5") == (Decimal(3), Decimal(15))


# --- OpenRouter ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(OPENROUTER_PRICED_MODELS))
def test_openrouter_model_list_prices_match_the_file(corpus_dir: Path, name: str) -> None:
    path = corpus_dir / "prices" / "openrouter-api" / name
    body = path.read_bytes()
    models = json.loads(body)["data"]
    expected = {m["id"]: m["pricing"] for m in models
                if "text" in m["architecture"]["output_modalities"] and not m["pricing"]["prompt"].startswith("-")}
    assert len(expected) == OPENROUTER_PRICED_MODELS[name]
    result = openrouter.parse(body, capture_at(content_day(path), "openrouter", body))
    rows = {r.model_key: r for r in result.prices}
    exact = [k for k, p in expected.items() if k in rows
             and rows[k].input_usd_per_mtok == Decimal(p["prompt"]) * MILLION
             and rows[k].output_usd_per_mtok == Decimal(p["completion"]) * MILLION]
    assert len(exact) == len(expected)
    assert result.skipped == {"variable price (router)": len(models) - len(expected)}
    assert {r.model_key for r in result.prices if r.is_free} == {k for k in expected if k.endswith(":free")} | {
        k for k, p in expected.items() if Decimal(p["prompt"]) == 0 and Decimal(p["completion"]) == 0}

    urls = openrouter.endpoint_urls(body, "https://openrouter.ai/api/v1/models")
    paid_bases = {k.split(":")[0] for k in expected if not k.endswith(":free")}
    assert len(urls) == len(paid_bases) and len(set(urls)) == len(urls)


# --- the three tables against each other -----------------------------------------------------


@pytest.mark.parametrize(
    ("litellm_key", "genai_key", "openrouter_key", "input_price", "output_price"),
    [
        ("gpt-4o", ("openai", "gpt-4o"), "openai/gpt-4o", "2.5", "10"),
        ("gpt-4o-mini", ("openai", "gpt-4o-mini"), "openai/gpt-4o-mini", "0.15", "0.6"),
        ("claude-sonnet-4-5", ("anthropic", "claude-sonnet-4-5"), "anthropic/claude-sonnet-4.5", "3", "15"),
    ],
)
def test_three_tables_agree_on_flagship_prices_at_the_turn_of_2026(
    corpus_dir: Path, litellm_key: str, genai_key: tuple[str, str], openrouter_key: str, input_price: str, output_price: str
) -> None:
    """litellm of 2026-01-31, genai-prices of 2025-12-31 and OpenRouter of 2025-12-29, read independently."""
    prices = corpus_dir / "prices"
    lite = litellm.parse((prices / "litellm/litellm_2026-01-31_94b6c3be.json").read_bytes(), capture_at("2026-01-31"))
    genai = genai_prices.parse((prices / "genai-prices/data_2025-12-31_defd911c.json").read_bytes(), capture_at("2025-12-31"))
    router = openrouter.parse((prices / "openrouter-api/openrouter_models_2025-12-29_95e496d4.json").read_bytes(), capture_at("2025-12-29"))
    found = {
        next((r.input_usd_per_mtok, r.output_usd_per_mtok) for r in lite.prices if r.model_key == litellm_key and r.tier == "standard"),
        next((r.input_usd_per_mtok, r.output_usd_per_mtok) for r in genai.prices if (r.provider, r.model_key) == genai_key and r.tier == "standard"),
        next((r.input_usd_per_mtok, r.output_usd_per_mtok) for r in router.prices if r.model_key == openrouter_key),
    }
    assert found == {(Decimal(input_price), Decimal(output_price))}
