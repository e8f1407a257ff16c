"""Matching on real names: a table of name variants taken from the corpus, each with the model it means.

Every name below occurs in the corpus (OpenRouter ids, litellm keys, genai-prices ids, LMArena
and Open LLM Leaderboard names, llm-stats ids); ``test_every_name_occurs_in_the_corpus`` checks
that. The expected ``model_id`` is what the name means, decided from the source (OpenRouter's
``hugging_face_id``, the provider's documentation); ``None`` where the name is a different model
(a base model, a distillation, a copy), or an undated name that has meant several snapshots.
"""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

import pandas as pd
import pytest

from llmflation.match import HUB_CREATOR_ORGS, Catalog, format_summary, match_summary

REPO_ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger(__name__)

TABLE = [
    ("openrouter", "openai/gpt-4o-2024-08-06", "gpt-4o-2024-08-06"),
    ("openrouter", "openai/gpt-4o", None),
    ("openrouter", "openai/gpt-4o-mini", "gpt-4o-mini-2024-07-18"),
    ("openrouter", "meta-llama/llama-3.2-3b-instruct", "llama-3.2-3b-instruct"),
    ("openrouter", "meta-llama/llama-3.2-3b-instruct:free", "llama-3.2-3b-instruct"),
    ("openrouter", "meta-llama/llama-3.1-405b", None),
    ("openrouter", "mistralai/mixtral-8x7b-instruct", "mixtral-8x7b-instruct-v0.1"),
    ("openrouter", "mistralai/mistral-7b-instruct", None),
    ("openrouter", "anthropic/claude-3.7-sonnet", "claude-3-7-sonnet-20250219"),
    ("openrouter", "anthropic/claude-3.5-sonnet", None),
    ("openrouter", "qwen/qwen-2.5-72b-instruct", "qwen2.5-72b-instruct"),
    ("openrouter", "google/gemma-2-9b-it", "gemma-2-9b-it"),
    ("openrouter", "qwen/qwen-2.5-vl-7b-instruct", None),
    ("openrouter", "openai/gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"),
    ("openrouter", "anthropic/claude-sonnet-4.5", "claude-sonnet-4-5-20250929"),
    ("openrouter", "mistralai/mistral-small-3.1-24b-instruct:free", "mistral-small-3.1-24b-instruct-2503"),
    ("openrouter", "qwen/qwen3-235b-a22b-2507", "qwen3-235b-a22b-instruct-2507"),
    ("openrouter", "qwen/qwen3-235b-a22b", "qwen3-235b-a22b"),
    ("litellm", "gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),
    ("litellm", "gpt-3.5-turbo", None),
    ("litellm", "gpt-3.5-turbo-0125", "gpt-3.5-turbo-0125"),
    ("litellm", "claude-3-haiku-20240307", "claude-3-haiku-20240307"),
    ("litellm", "anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet-20241022"),
    ("litellm", "bedrock/us-east-1/meta.llama3-8b-instruct-v1:0", "llama-3-8b-instruct"),
    ("litellm", "us.meta.llama3-2-3b-instruct-v1:0", "llama-3.2-3b-instruct"),
    ("litellm", "bedrock/us-west-2/mistral.mistral-7b-instruct-v0:2", "mistral-7b-instruct-v0.2"),
    ("litellm", "vertex_ai/claude-3-5-sonnet@20240620", "claude-3-5-sonnet-20240620"),
    ("litellm", "together_ai/meta-llama/Llama-3.2-3B-Instruct-Turbo", "llama-3.2-3b-instruct"),
    ("litellm", "deepinfra/meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "llama-3.1-8b-instruct"),
    ("litellm", "fireworks_ai/accounts/fireworks/models/llama-v3p2-3b-instruct", "llama-3.2-3b-instruct"),
    ("litellm", "fireworks_ai/accounts/fireworks/models/qwen2p5-coder-32b-instruct", "qwen2.5-coder-32b-instruct"),
    ("litellm", "groq/llama-3.2-3b-preview", "llama-3.2-3b-instruct"),
    ("litellm", "groq/llama3-8b-8192", "llama-3-8b-instruct"),
    ("litellm", "cloudflare/@cf/meta/llama-3.1-8b-instruct-fp8", "llama-3.1-8b-instruct"),
    ("litellm", "databricks/databricks-meta-llama-3-1-405b-instruct", "llama-3.1-405b-instruct"),
    ("litellm", "ft:gpt-4o-2024-08-06", None),
    ("litellm", "azure/eu/gpt-4o-2024-08-06", "gpt-4o-2024-08-06"),
    ("litellm", "text-davinci-003", "text-davinci-003"),
    ("litellm", "gemini/gemini-gemma-2-9b-it", "gemma-2-9b-it"),
    ("litellm", "replicate/meta/llama-3-70b", None),
    ("litellm", "deepinfra/deepseek-ai/DeepSeek-R1-Distill-Llama-70B", "deepseek-r1-distill-llama-70b"),
    ("litellm", "nscale/deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "deepseek-r1-distill-llama-8b"),
    ("litellm", "bedrock/us-east-1/anthropic.claude-v2:1", "claude-2.1"),
    ("litellm", "bedrock/us-west-2/anthropic.claude-v2", "claude-2.0"),
    ("litellm", "anthropic.claude-instant-v1", None),
    ("litellm", "vertex_ai/claude-sonnet-4-5", "claude-sonnet-4-5-20250929"),
    ("litellm", "databricks/databricks-claude-opus-4-1", "claude-opus-4-1-20250805"),
    ("litellm", "claude-3-5-sonnet-latest", None),
    ("litellm", "snowflake/openai-gpt-4.1", "gpt-4.1-2025-04-14"),
    ("litellm", "oci/openai.gpt-5-mini", "gpt-5-mini-2025-08-07"),
    ("litellm", "gradient_ai/openai-o3", "o3-2025-04-16"),
    ("litellm", "us.meta.llama4-scout-17b-instruct-v1:0", "llama-4-scout-17b-16e-instruct"),
    ("litellm", "cerebras/llama3.3-70b", "llama-3.3-70b-instruct"),
    ("litellm", "cerebras/llama3.1-8b", "llama-3.1-8b-instruct"),
    ("litellm", "vertex_ai/codestral@2405", "codestral-2405"),
    ("litellm", "mistral/codestral-latest", None),
    ("litellm", "mistral/open-mixtral-8x22b", "mixtral-8x22b-instruct-v0.1"),
    ("litellm", "fireworks_ai/accounts/fireworks/models/qwen3-235b-a22b-thinking-2507", "qwen3-235b-a22b-thinking-2507"),
    ("litellm", "azure/gpt-35-turbo-1106", "gpt-3.5-turbo-1106"),
    ("litellm", "azure/gpt-35-turbo", None),
    ("litellm", "azure/gpt-35-turbo-16k-0613", None),
    ("litellm", "vertex_ai/claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet-20241022"),
    ("litellm", "deepinfra/anthropic/claude-4-opus", "claude-opus-4-20250514"),
    ("litellm", "meta.llama2-70b-chat-v1", "llama-2-70b-chat"),
    ("litellm", "groq/llama-3.2-90b-vision-preview", "llama-3.2-90b-vision-instruct"),
    ("litellm", "groq/llama-3.2-90b-text-preview", None),
    ("litellm", "vertex_ai/meta/llama3-8b-instruct-maas", None),
    ("litellm", "vertex_ai/mistral-large@2411-001", "mistral-large-2411"),
    ("litellm", "mistral/pixtral-large-latest", None),
    ("litellm", "fireworks_ai/accounts/fireworks/models/qwen2p5-vl-72b-instruct", "qwen2.5-vl-72b-instruct"),
    ("litellm", "cloudflare/@cf/deepseek-ai/deepseek-r1-distill-qwen-32b", "deepseek-r1-distill-qwen-32b"),
    ("litellm", "together_ai/Qwen/Qwen3-Next-80B-A3B-Thinking", "qwen3-next-80b-a3b-thinking"),
    ("litellm", "azure_ai/mistral-small", None),
    ("litellm", "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo-Free", "llama-3.3-70b-instruct"),
    ("litellm", "novita/qwen/qwen3-8b-fp8", "qwen3-8b"),
    ("litellm", "lemonade/Qwen3-4B-Instruct-2507-GGUF", None),
    ("litellm", "openai.gpt-oss-120b-1:0", "gpt-oss-120b"),
    ("litellm", "azure_ai/Phi-3-mini-128k-instruct", "phi-3-mini-128k-instruct"),
    ("litellm", "azure_ai/Phi-3.5-MoE-instruct", None),
    ("litellm", "fireworks_ai/accounts/fireworks/models/qwen2p5-coder-7b", None),
    ("openrouter", "qwen/qwen3-4b:free", "qwen3-4b"),
    ("genai-prices", "Qwen/Qwen3-14B-FP8", "qwen3-14b"),
    ("genai-prices", "llama-3.3-70b-specdec", "llama-3.3-70b-instruct"),
    ("genai-prices", "magistral-medium-2506", "magistral-medium-2506"),
    ("litellm", "openrouter/openai/gpt-4o", None),
    ("genai-prices", "meta-llama/llama-3.1-8b-instruct-bf16", "llama-3.1-8b-instruct"),
    ("genai-prices", "llama-3.1-70b-versatile", "llama-3.1-70b-instruct"),
    ("genai-prices", "gpt-4o-mini", "gpt-4o-mini-2024-07-18"),
    ("genai-prices", "claude-3-haiku", "claude-3-haiku-20240307"),
    ("genai-prices", "claude-3-5-sonnet", None),
    ("genai-prices", "google/gemma-7b", None),
    ("genai-prices", "mistralai/Mixtral-8x7B-v0.1", None),
    ("genai-prices", "gemma-7b-it", "gemma-7b-it"),
    ("genai-prices", "text-davinci-002", "text-davinci-002"),
    ("genai-prices", "gpt-3.5-turbo-16k-0613", None),
    ("genai-prices", "meta-llama/llama-2-13b-chat", "llama-2-13b-chat"),
    ("genai-prices", "global.anthropic.claude-opus-4-5-v1:0", "claude-opus-4-5-20251101"),
    ("genai-prices", "gpt-5-nano", "gpt-5-nano-2025-08-07"),
    ("lmarena", "GPT-4o-2024-05-13", "gpt-4o-2024-05-13"),
    ("lmarena", "Meta-Llama-3.1-405b-Instruct-bf16", "llama-3.1-405b-instruct"),
    ("lmarena", "Qwen2.5-72b-Instruct", "qwen2.5-72b-instruct"),
    ("lmarena", "Phi-3-Mini-4k-Instruct", "phi-3-mini-4k-instruct"),
    ("lmarena", "GPT-3.5-Turbo-0613", "gpt-3.5-turbo-0613"),
    ("lmarena", "Gemma-1.1-7b-it", None),
    ("lmarena", "Llama-3.1-Nemotron-70B-Instruct", None),
    ("lmarena", "ChatGPT-4o-latest (2024-08-08)", None),
    ("lmarena", "Mixtral-8x7b-Instruct-v0.1", "mixtral-8x7b-instruct-v0.1"),
    ("lmarena", "Gemini-1.5-Pro-002", "gemini-1.5-pro-002"),
    ("llm-stats", "qwen-2.5-72b-instruct", "qwen2.5-72b-instruct"),
    ("llm-stats", "llama-3.1-405b-instruct", "llama-3.1-405b-instruct"),
    ("llm-stats", "claude-3-5-sonnet-20241022", "claude-3-5-sonnet-20241022"),
    ("llm-stats", "deepseek-r1-distill-llama-8b", "deepseek-r1-distill-llama-8b"),
    ("llm-stats", "phi-3.5-moe-instruct", None),
    ("llm-stats", "qwen2.5-vl-7b", None),
    ("open-llm-leaderboard", "meta-llama/Meta-Llama-3-8B-Instruct", "llama-3-8b-instruct"),
    ("open-llm-leaderboard", "unsloth/Llama-3.2-1B-Instruct", None),
    ("open-llm-leaderboard", "TheBloke/Llama-2-7b-Chat-AWQ", None),
    ("open-llm-leaderboard", "mistralai/Mistral-7B-Instruct-v0.2", "mistral-7b-instruct-v0.2"),
    ("open-llm-leaderboard", "meta-llama/Meta-Llama-3-8B", None),
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(REPO_ROOT / "data" / "reference")


def test_table_is_large_and_varied() -> None:
    assert len(TABLE) >= 60
    assert {source for source, _, _ in TABLE} == {
        "openrouter", "litellm", "genai-prices", "lmarena", "llm-stats", "open-llm-leaderboard",
    }
    assert sum(1 for _, _, expected in TABLE if expected is None) >= 15


@pytest.mark.parametrize(("source", "name", "expected"), TABLE, ids=[f"{s}:{n}" for s, n, _ in TABLE])
def test_real_name_maps_to_its_model(catalog: Catalog, source: str, name: str, expected: str | None) -> None:
    owners = HUB_CREATOR_ORGS if source == "open-llm-leaderboard" else None
    found = catalog.match(name, owners=owners)
    assert found.model_id == expected, found.reason
    if expected is None:
        assert found.reason  # every unmatched name says why


def _price_names(corpus: Path) -> dict[str, set[str]]:
    """Distinct chat-model names per price source, read straight from the corpus JSON."""
    names: dict[str, set[str]] = {"litellm": set(), "openrouter": set(), "genai_prices": set()}
    for path in (corpus / "prices" / "litellm").glob("*.json"):
        table = json.loads(path.read_text(encoding="utf-8"))
        names["litellm"].update(
            key for key, entry in table.items()
            if key != "sample_spec" and isinstance(entry, dict) and entry.get("mode") in ("chat", "completion")
        )
    for path in (corpus / "prices" / "openrouter-api").glob("*.json"):
        for entry in json.loads(path.read_text(encoding="utf-8"))["data"]:
            outputs = (entry.get("architecture") or {}).get("output_modalities") or ["text"]
            if "text" in outputs:
                names["openrouter"].add(entry["id"])
    for path in (corpus / "prices" / "genai-prices").glob("data_*.json"):
        for provider in json.loads(path.read_text(encoding="utf-8")):
            names["genai_prices"].update(model["id"] for model in provider.get("models", []))
    return names


@pytest.mark.corpus
def test_every_name_occurs_in_the_corpus(corpus_dir: Path) -> None:
    seen = set().union(*_price_names(corpus_dir).values())
    for path in (corpus_dir / "scores" / "lmarena").glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            seen.update(row["model"] for row in csv.DictReader(handle))
    for name, column in [("open_llm_leaderboard_v1_final.csv", "fullname"), ("open_llm_leaderboard_v2_final.csv", "model_name")]:
        with (corpus_dir / "scores" / "open-llm-leaderboard" / name).open(encoding="utf-8", newline="") as handle:
            seen.update(row[column] for row in csv.DictReader(handle))
    llm_stats = corpus_dir / "scores" / "llm-stats"
    seen.update(p.parent.name for p in llm_stats.glob("data/organizations/*/models/*/model.json"))
    seen.update(p.parent.name for p in llm_stats.glob("snapshot_2025-01/models/*/*/model.json"))
    missing = [name for _, name, _ in TABLE if name not in seen]
    assert not missing


@pytest.mark.corpus
def test_share_of_price_source_models_matched(corpus_dir: Path, catalog: Catalog) -> None:
    """Measured: the share of distinct chat-model names of each price source that match the catalog.

    The catalog covers the models that matter for the cheapest-at-quality series, not every
    model ever sold, so most names stay unmatched; the floors pin today's measurement so a
    regression in the rules shows.
    """
    rows = [(source, name) for source, names in _price_names(corpus_dir).items() for name in sorted(names)]
    summary = match_summary(pd.DataFrame(rows, columns=["source_id", "model_key"]), catalog)
    for line in format_summary(summary):
        log.info("%s", line)
    share = summary.set_index("source_id")["share_matched"]
    assert share["litellm"] >= 0.20
    assert share["openrouter"] >= 0.20
    assert share["genai_prices"] >= 0.15
