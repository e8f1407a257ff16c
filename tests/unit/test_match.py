"""Matching rules on a small hand-made catalog: each rule, and each way a name must stay unmatched."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmflation.match import HUB_CREATOR_ORGS, Catalog, assign_model_ids, match_ids, match_summary, unmatched_table

CATALOG = Catalog(
    [
        "gpt-4o-2024-08-06",
        "gpt-4o-2024-05-13",
        "gpt-3.5-turbo-0125",
        "llama-3.2-3b-instruct",
        "llama-3.2-3b",
        "llama-3.1-8b-instruct",
        "mistral-7b-instruct-v0.2",
        "claude-3-5-sonnet-20240620",
        "qwen2.5-coder-32b-instruct",
        "gemma-2-9b-it",
        "gemini-2.0-flash-lite-001",
    ],
    {"gpt-4o": "gpt-4o-2024-08-06", "groq/llama-3.2-3b-preview": "llama-3.2-3b-instruct"},
)


@pytest.mark.parametrize(
    ("name", "model_id", "reason"),
    [
        ("gpt-4o-2024-08-06", "gpt-4o-2024-08-06", "model id"),
        ("GPT-4o-2024-08-06", "gpt-4o-2024-08-06", "model id"),
        ("gpt-4o", "gpt-4o-2024-08-06", "alias"),
        ("openai/gpt-4o", "gpt-4o-2024-08-06", "alias"),
        ("azure/eu/gpt-4o-20240806", "gpt-4o-2024-08-06", "normalized"),
        ("groq/llama-3.2-3b-preview", "llama-3.2-3b-instruct", "alias"),
        ("accounts/fireworks/models/llama-v3p2-3b-instruct", "llama-3.2-3b-instruct", "normalized"),
        ("fireworks_ai/accounts/fireworks/models/qwen2p5-coder-32b-instruct", "qwen2.5-coder-32b-instruct", "normalized"),
        ("eu.meta.llama3-2-3b-instruct-v1:0", "llama-3.2-3b-instruct", "normalized"),
        ("bedrock/us-west-2/mistral.mistral-7b-instruct-v0:2", "mistral-7b-instruct-v0.2", "normalized"),
        ("vertex_ai/claude-3-5-sonnet@20240620", "claude-3-5-sonnet-20240620", "normalized"),
        ("meta-llama/llama-3.2-3b-instruct:free", "llama-3.2-3b-instruct", "model id"),
        ("meta-llama/Llama-3.2-3B-Instruct-Turbo", "llama-3.2-3b-instruct", "serving attributes"),
        ("cloudflare/@cf/meta/llama-3.1-8b-instruct-fp8", "llama-3.1-8b-instruct", "serving attributes"),
        ("deepinfra/meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "llama-3.1-8b-instruct", "creator word"),
        ("databricks/databricks-meta-llama-3-1-8b-instruct", "llama-3.1-8b-instruct", "creator word"),
        ("gemini/gemini-gemma-2-9b-it", "gemma-2-9b-it", "creator word"),
        ("meta-llama/Llama-3.2-3B", "llama-3.2-3b", "model id"),
        ("meta-llama/Meta-Llama-3.2-3B-Instruct", "llama-3.2-3b-instruct", "creator word"),
        ("together/meta-llama/llama-3.2-3b-instruct", "llama-3.2-3b-instruct", "model id"),
        ("openrouter/groq/llama-3.2-3b-preview", "llama-3.2-3b-instruct", "alias"),
        ("azure/gpt-35-turbo-0125", "gpt-3.5-turbo-0125", "normalized"),
        ("together_ai/meta-llama/Llama-3.2-3B-Instruct-Turbo-Free", "llama-3.2-3b-instruct", "serving attributes"),
    ],
)
def test_rules_find_the_model(name: str, model_id: str, reason: str) -> None:
    found = CATALOG.match(name)
    assert (found.model_id, found.reason) == (model_id, reason)


def test_attributes_are_kept_not_thrown_away() -> None:
    assert dict(CATALOG.match("meta-llama/Llama-3.2-3B-Instruct-Turbo").attributes) == {
        "route": "meta-llama",
        "serving": "turbo",
    }
    fp8 = CATALOG.match("cloudflare/@cf/meta/llama-3.1-8b-instruct-fp8-fast").attributes
    assert (fp8["quantization"], fp8["serving"]) == ("fp8", "fast")
    assert CATALOG.match("meta-llama/llama-3.2-3b-instruct:free").attributes["variant"] == "free"
    assert CATALOG.match("TheBloke/Llama-3.2-3B-Instruct-AWQ").attributes["quantization"] == "awq"


@pytest.mark.parametrize(
    "name",
    [
        "meta-llama/Llama-3.2-3B-Instruct-Turbo",
        "llama-3.2-3b-instruct-int4",
    ],
)
def test_instruct_names_never_land_on_the_base_model(name: str) -> None:
    assert CATALOG.match(name).model_id == "llama-3.2-3b-instruct"


def test_base_name_never_lands_on_the_instruct_model() -> None:
    catalog = Catalog(["llama-3.2-3b-instruct"])
    found = catalog.match("meta-llama/Llama-3.2-3B")
    assert found.model_id is None
    assert "no catalog model" in found.reason


def test_serving_words_are_part_of_the_name_without_an_instruct_marker() -> None:
    assert CATALOG.match("gpt-3.5-turbo").model_id is None  # not gpt-3.5 + a "turbo" attribute
    assert CATALOG.match("gemini-2.0-flash-lite-001").model_id == "gemini-2.0-flash-lite-001"
    assert CATALOG.match("groq/llama-3.1-8b-instant").model_id is None  # would be the base name


def test_two_candidates_are_ambiguous_and_named() -> None:
    catalog = Catalog(["llama-3.1-8b-instruct", "llama3.1-8b-instruct"])
    found = catalog.match("meta-llama/Meta-Llama-3.1-8B-Instruct")
    assert found.model_id is None
    assert found.candidates == ("llama-3.1-8b-instruct", "llama3.1-8b-instruct")
    assert found.reason.startswith("ambiguous: could be llama-3.1-8b-instruct, llama3.1-8b-instruct")


def test_two_aliases_of_one_spelling_for_two_models_are_ambiguous() -> None:
    catalog = Catalog(["gpt-4o-2024-05-13", "gpt-4o-2024-08-06"], {"gpt_4o": "gpt-4o-2024-05-13", "gpt-4o": "gpt-4o-2024-08-06"})
    assert catalog.match("openai/gpt.4o").candidates == ("gpt-4o-2024-05-13", "gpt-4o-2024-08-06")


def test_display_names_and_routed_aliases_match_only_exactly() -> None:
    catalog = Catalog(
        ["gemma-2-9b-it", "deepseek-v3"],
        {"Gemma 2 9B": "gemma-2-9b-it", "deepseek/deepseek-chat": "deepseek-v3"},
    )
    assert catalog.match("gemma 2 9b").model_id == "gemma-2-9b-it"
    assert catalog.match("google/gemma-2-9b").model_id is None  # the base model, not the display name
    assert catalog.match("openrouter/deepseek/deepseek-chat").model_id == "deepseek-v3"
    assert catalog.match("deepseek-chat").model_id is None  # DeepSeek's own name moved between versions
    thinking = catalog.match("deepseek/deepseek-chat:thinking")
    assert (thinking.model_id, thinking.attributes["variant"]) == ("deepseek-v3", "thinking")


def test_undated_name_without_alias_is_not_guessed() -> None:
    catalog = Catalog(["gpt-4o-2024-05-13", "gpt-4o-2024-08-06"])
    found = catalog.match("openai/gpt-4o")
    assert found.model_id is None
    assert found.reason.startswith("names no snapshot: the catalog has gpt-4o-2024-05-13, gpt-4o-2024-08-06")
    assert found.candidates == ("gpt-4o-2024-05-13", "gpt-4o-2024-08-06")


def test_azure_gpt35_spelling_names_gpt_3_5_and_nothing_else() -> None:
    # Azure writes GPT-3.5 deployments without the dot; only a dated one names a snapshot.
    assert CATALOG.match("gpt-35-turbo-0125").model_id == "gpt-3.5-turbo-0125"
    undated = CATALOG.match("azure/gpt-35-turbo")
    assert undated.model_id is None and "gpt-3.5-turbo-0125" in undated.reason
    # a longer number is not the Azure spelling, and other snapshots stay apart
    assert CATALOG.match("gpt-350-turbo-0125").model_id is None
    assert CATALOG.match("azure/gpt-35-turbo-1106").model_id is None
    assert CATALOG.match("gpt-35-turbo-16k-0125").model_id is None


def test_free_tier_is_a_variant_only_after_an_instruct_marker() -> None:
    found = CATALOG.match("together_ai/meta-llama/Llama-3.2-3B-Instruct-Turbo-Free")
    assert found.attributes["variant"] == "free" and found.attributes["serving"] == "turbo"
    # without the marker "free" stays part of the name: the base model is not reached
    assert CATALOG.match("meta-llama/Llama-3.2-3B-Free").model_id is None


def test_fine_tuned_price_is_not_the_base_model() -> None:
    found = CATALOG.match("ft:gpt-4o-2024-08-06")
    assert found.model_id is None and "fine-tuned" in found.reason


def test_hub_repositories_match_only_under_a_creator() -> None:
    assert CATALOG.match("meta-llama/Llama-3.2-3B-Instruct", owners=HUB_CREATOR_ORGS).model_id == "llama-3.2-3b-instruct"
    copy = CATALOG.match("unsloth/Llama-3.2-3B-Instruct", owners=HUB_CREATOR_ORGS)
    assert copy.model_id is None and "'unsloth'" in copy.reason


def test_empty_name_and_unknown_name() -> None:
    assert CATALOG.match("  ").reason == "empty name"
    assert CATALOG.match("nousresearch/hermes-3-llama-3.1-405b").model_id is None


def test_alias_to_unknown_model_or_to_two_models_is_refused() -> None:
    with pytest.raises(ValueError, match="not in the catalog"):
        Catalog(["a-1"], {"x": "b-2"})
    with pytest.raises(ValueError, match="maps to"):
        Catalog(["a-1", "b-2"], {"a-1": "b-2"})


PRICES = pd.DataFrame(
    {
        "source_id": ["litellm", "litellm", "litellm", "openrouter", "openrouter", "openrouter"],
        "model_key": [
            "together_ai/meta-llama/Llama-3.2-3B-Instruct-Turbo",
            "groq/llama-3.1-8b-instant",
            "groq/llama-3.1-8b-instant",
            "openai/gpt-4o",
            "nousresearch/hermes-3-llama-3.1-405b",
            "openai/gpt-4o",
        ],
        "provider": ["together_ai", "groq", "groq", "openrouter", "openrouter", "openrouter"],
    }
)


def test_match_ids_is_the_json_shape() -> None:
    assert match_ids(["openai/gpt-4o", "nothing-like-it"], CATALOG) == {
        "openai/gpt-4o": "gpt-4o-2024-08-06",
        "nothing-like-it": None,
    }


def test_unmatched_table_ranks_names_by_price_rows() -> None:
    table = unmatched_table(PRICES, CATALOG)
    assert list(table.columns) == ["name", "source_id", "n_price_rows", "reason"]
    assert table[["name", "source_id", "n_price_rows"]].values.tolist() == [
        ["groq/llama-3.1-8b-instant", "litellm", 2],
        ["nousresearch/hermes-3-llama-3.1-405b", "openrouter", 1],
    ]
    assert table["reason"].str.startswith("no catalog model").all()


def test_summary_counts_distinct_models_per_source() -> None:
    summary = match_summary(PRICES, CATALOG).set_index("source_id")
    assert summary.loc["litellm", ["n_models", "n_matched", "n_price_rows", "n_price_rows_matched"]].tolist() == [2, 1, 3, 1]
    assert summary.loc["openrouter", "share_matched"] == pytest.approx(0.5)
    assert summary.loc["all", ["n_models", "n_matched"]].tolist() == [4, 2]


def test_assign_model_ids_adds_id_reason_and_quantization_from_the_name() -> None:
    prices = pd.DataFrame({"source_id": ["x", "x"], "model_key": ["llama-3.1-8b-instruct-fp8", "gpt-4o"],
                           "quantization": [None, "int4"]})
    out = assign_model_ids(prices, CATALOG)
    assert out["model_id"].tolist() == ["llama-3.1-8b-instruct", "gpt-4o-2024-08-06"]
    assert out["quantization"].tolist() == ["fp8", "int4"]  # the row's own value wins
    assert out["match_reason"].tolist() == ["serving attributes", "alias"]


def test_cheapest_rows_must_name_catalog_models() -> None:
    cheapest = pd.DataFrame(
        {
            "month": ["2024-11", "2024-11", "2024-12"],
            "benchmark": ["mmlu", "mmlu", "mmlu"],
            "threshold": [42, 83, 42],
            "blend": ["1:1", "1:1", "1:1"],
            "model_id": ["llama-3.2-3b-instruct", None, "meta-llama/Llama-3.2-3B-Instruct-Turbo"],
            "provider": ["deepinfra", "together", "together"],
        }
    )
    from llmflation.match import cheapest_rows_unmatched

    problems = cheapest_rows_unmatched(cheapest, CATALOG)
    assert len(problems) == 2
    assert problems[0] == "cheapest_by_quality 2024-11 mmlu >= 83 (1:1) at together: no model_id"
    assert "'meta-llama/Llama-3.2-3B-Instruct-Turbo'" in problems[1]
    assert cheapest_rows_unmatched(cheapest.iloc[:1], CATALOG) == []


def test_format_matches_says_what_and_why() -> None:
    from llmflation.match import format_matches, match_names

    lines = format_matches(match_names(["meta-llama/Llama-3.2-3B-Instruct-Turbo", "ft:gpt-4o-2024-08-06"], CATALOG))
    assert lines == [
        "meta-llama/Llama-3.2-3B-Instruct-Turbo -> llama-3.2-3b-instruct [route=meta-llama, serving=turbo]",
        "ft:gpt-4o-2024-08-06 -> no match: a fine-tuned model (ft: prefix), not the catalog model",
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gives_a_match_or_a_reason(name: str) -> None:
    found = CATALOG.match(name)
    assert found.model_id in CATALOG.model_ids or (found.model_id is None and found.reason)


# --- dated aliases: a name that moved between snapshots matches the one it meant on the day ---

def _dated_catalog() -> Catalog:
    from datetime import UTC, datetime

    from llmflation.match import DatedAlias

    def day(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)

    return Catalog(
        ["gpt-4o-2024-05-13", "gpt-4o-2024-08-06", "claude-3-5-haiku-20241022"],
        {},
        [
            ("gpt-4o", DatedAlias("gpt-4o-2024-05-13", day("2024-05-13"), day("2024-10-02"))),
            ("gpt-4o", DatedAlias("gpt-4o-2024-08-06", day("2024-10-02"), None)),
            ("anthropic/claude-3.5-haiku", DatedAlias("claude-3-5-haiku-20241022", day("2025-12-29"), day("2026-04-05"))),
        ],
    )


@pytest.mark.parametrize(
    ("name", "day", "model_id"),
    [
        ("gpt-4o", "2024-06-01", "gpt-4o-2024-05-13"),
        ("openai/gpt-4o", "2025-03-15", "gpt-4o-2024-08-06"),
        ("gpt-4o:extended", "2024-10-02", "gpt-4o-2024-08-06"),  # valid_from is inclusive
        ("gpt-4o", "2024-10-01", "gpt-4o-2024-05-13"),  # valid_to is exclusive
        ("gpt-4o", "2024-01-01", None),  # before the name existed
        ("anthropic/claude-3.5-haiku", "2026-01-11", "claude-3-5-haiku-20241022"),
        ("anthropic/claude-3.5-haiku", "2026-06-01", None),  # outside the cited evidence
    ],
)
def test_a_dated_alias_matches_the_model_it_meant_on_the_day(name: str, day: str, model_id: str | None) -> None:
    from datetime import UTC, datetime

    found = _dated_catalog().match(name, at=datetime.fromisoformat(day).replace(tzinfo=UTC))
    assert found.model_id == model_id, found.reason


def test_a_dated_alias_without_a_date_is_unmatched_naming_every_model_it_meant() -> None:
    found = _dated_catalog().match("gpt-4o")
    assert found.model_id is None and "needs the date" in found.reason
    assert found.candidates == ("gpt-4o-2024-05-13", "gpt-4o-2024-08-06")
    # even one that named a single model: outside its range the name is not known to mean it
    assert _dated_catalog().match("anthropic/claude-3.5-haiku").model_id is None


def test_assign_model_ids_matches_dated_aliases_at_each_rows_observation_time() -> None:
    prices = pd.DataFrame({
        "model_key": ["gpt-4o", "gpt-4o", "gpt-4o", "gpt-4o-2024-08-06"],
        "source_id": ["litellm"] * 4,
        "observed_at": pd.to_datetime(["2024-06-01", "2025-03-15", "2023-01-01", "2023-01-01"], utc=True),
    })
    out = assign_model_ids(prices, _dated_catalog())
    assert [m if isinstance(m, str) else None for m in out["model_id"]] == [
        "gpt-4o-2024-05-13", "gpt-4o-2024-08-06", None, "gpt-4o-2024-08-06"]
    table = unmatched_table(out, _dated_catalog())
    assert table.to_dict("records") == [{"name": "gpt-4o", "source_id": "litellm", "n_price_rows": 1,
                                         "reason": out["match_reason"].iloc[2]}]
    assert match_summary(out, _dated_catalog())["n_matched"].tolist() == [2, 2]


def test_a_name_both_dated_and_undated_is_refused() -> None:
    from llmflation.match import DatedAlias

    with pytest.raises(ValueError, match="both dated and undated"):
        Catalog(["a-1", "a-2"], {"a": "a-1"}, [("A", DatedAlias("a-2", None, None))])


def test_a_price_seen_long_before_the_model_was_released_is_not_that_models() -> None:
    """`deepseek-chat` named DeepSeek V2 in 2024 and a V3.x model from late 2025: a catalog that knows
    only the newer model must not give it the 2024 price (and so the newer model's scores)."""
    models = pd.DataFrame({"model_id": ["deepseek/deepseek-chat"],
                           "release_date": [pd.Timestamp("2025-12-01", tz="UTC")]})
    catalog = Catalog.from_frames(models, pd.DataFrame({"alias": ["deepseek-chat"], "model_id": ["deepseek/deepseek-chat"]}))
    prices = pd.DataFrame({"model_key": ["deepseek-chat", "deepseek-chat", "deepseek-chat"],
                           "observed_at": pd.to_datetime(["2024-05-10", "2025-11-20", "2026-01-05"], utc=True)})
    out = assign_model_ids(prices, catalog)
    assert out["model_id"].tolist() == [None, "deepseek/deepseek-chat", "deepseek/deepseek-chat"]  # 11 days early: a preview
    assert "before deepseek/deepseek-chat was released (2025-12-01)" in out["match_reason"].iloc[0]


@pytest.mark.parametrize(("name", "model_id"), [
    ("claude-4-5-sonnet", "claude-sonnet-4-5-20250929"),               # Artificial Analysis' order
    ("claude-4.5-sonnet", "claude-sonnet-4-5-20250929"),
    ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929"),
    ("claude-4-opus-20250514", "claude-opus-4-20250514"),
    ("anthropic/claude-4-opus-20250514", "claude-opus-4-20250514"),
    ("claude-4-5-haiku", None),                                         # another tier stays another model
    ("claude-4-1-opus", None),                                          # and another version
    ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet-20241022"),       # Claude 3 names keep their own order
    ("claude-sonnet-3-5-20241022", None),
])
def test_claude_names_in_either_order_from_claude_4_on(name: str, model_id: str | None) -> None:
    catalog = Catalog(["claude-sonnet-4-5-20250929", "claude-opus-4-20250514", "claude-3-5-sonnet-20241022"],
                      {"claude-sonnet-4-5": "claude-sonnet-4-5-20250929"})
    assert catalog.match(name).model_id == model_id


@pytest.mark.parametrize(("name", "model_id"), [
    ("llama-3-3-instruct-70b", "llama-3.3-70b-instruct"),             # Artificial Analysis' order
    ("llama-3-2-instruct-11b-vision", "llama-3.2-11b-vision-instruct"),
    ("llama-3-1-nemotron-instruct-70b", "llama-3.1-nemotron-70b-instruct"),
    ("llama-3-3-70b", None),                                            # the base model is not the instruct one
    ("llama-3-1-instruct-70b", None),                                   # another version
])
def test_llama_names_with_instruct_before_the_size(name: str, model_id: str | None) -> None:
    catalog = Catalog(["llama-3.3-70b-instruct", "llama-3.2-11b-vision-instruct", "llama-3.1-nemotron-70b-instruct"])
    assert catalog.match(name).model_id == model_id
