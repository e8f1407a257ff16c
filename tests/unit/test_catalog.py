"""Catalog building rules on small hand-made records: identity, ids, provenance, and what stays unresolved."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pandas as pd
import pytest

from llmflation.catalog import SourcedRecord, build_catalog
from llmflation.records import ModelRecord
from llmflation.reference import Reference
from tests.support.captures import capture_at

MODELS = pd.DataFrame(
    {
        "model_id": ["gpt-9-2027-01-01", "gpt-9-2027-06-01", "tiny-1"],
        "name": ["GPT-9 (2027-01-01)", "GPT-9 (2027-06-01)", "Tiny 1"],
        "creator": ["openai", "openai", "meta"],
        "release_date": pd.to_datetime(["2027-01-01", "2027-06-01", "2024-01-01"], utc=True),
        "open_weights": [False, False, True],
        "parameters_b": [float("nan"), float("nan"), 1.0],
        "retired_date": pd.to_datetime([None, None, None], utc=True),
        "reasoning": [False, False, False],
        "source_url": ["https://example.org/a", "https://example.org/b", "https://example.org/c"],
        "retired_source_url": [None, None, None],
    }
)
ALIASES = pd.DataFrame({"alias": ["tiny"], "model_id": ["tiny-1"], "seen_in": ["litellm"],
                        "source_url": ["https://example.org/t"], "valid_from": [pd.NaT], "valid_to": [pd.NaT]})
REFERENCE = Reference(models=MODELS, aliases=ALIASES, scores=pd.DataFrame(), prices=pd.DataFrame())
OR_CAPTURE = capture_at("2027-08-01", "openrouter", b"or", url="https://openrouter.ai/api/v1/models")
MD_CAPTURE = capture_at("2027-07-15", "models_dev", b"md", url="https://models.dev/api.json")


def orr(key: str, **facts: object) -> SourcedRecord:
    return SourcedRecord(OR_CAPTURE, ModelRecord(model_key=key, creator=key.split("/")[0], provider="openrouter", **facts))


def md(key: str, host: str, creator: str | None, **facts: object) -> SourcedRecord:
    return SourcedRecord(MD_CAPTURE, ModelRecord(model_key=key, creator=creator, provider=host, **facts))


LISTED = datetime(2027, 7, 1, 12, tzinfo=UTC)
RECORDS = [
    # OpenRouter's undated id, whose canonical slug names the snapshot
    orr("openai/gpt-9", canonical_slug="openai/gpt-9-2027-06-01", first_listed_at=LISTED),
    # the same undated name at OpenAI itself: two snapshots exist, no slug says which
    md("gpt-9", "openai", "openai"),
    # a new model, spelled two ways, at its maker and at OpenRouter
    md("claude-zen-2-5", "anthropic", "anthropic", name="Claude Zen 2.5", release_date=datetime(2027, 7, 10, tzinfo=UTC)),
    orr("anthropic/claude-zen-2.5", name="Anthropic: Claude Zen 2.5", first_listed_at=LISTED),
    # a floating name is never a model of its own
    md("claude-zen-latest", "anthropic", "anthropic"),
    # a display name may match, never make a model
    SourcedRecord(MD_CAPTURE, ModelRecord(model_key="Claude Zen 3 (Jan 2028)", creator="Anthropic", provider="epoch")),
    # a host's route is not a maker
    md("@cf/meta/tiny-2", "cloudflare-workers-ai", None),
    # two makers claimed by owners of ids
    md("acme/widget-1", "nano-gpt", "acme"),
    orr("otherco/widget-1"),
    # curated model found through an alias; the source adds its first listing, never its name
    orr("meta/tiny", name="Meta: Tiny", first_listed_at=LISTED),
]


@pytest.fixture(scope="module")
def built():
    return build_catalog(REFERENCE, RECORDS)


def test_a_canonical_slug_links_an_undated_id_to_its_snapshot_from_its_first_listing(built) -> None:
    assert built.record_models[("openrouter", "openai/gpt-9")] == "gpt-9-2027-06-01"
    alias = built.aliases[built.aliases["alias"] == "openai/gpt-9"].iloc[0]
    assert alias["model_id"] == "gpt-9-2027-06-01" and alias["valid_from"] == pd.Timestamp(LISTED)
    assert alias["source_url"] == OR_CAPTURE.url and alias["seen_in"] == "openrouter"
    assert built.catalog.match("openrouter/openai/gpt-9", at=datetime(2027, 8, 2, tzinfo=UTC)).model_id == "gpt-9-2027-06-01"
    assert built.catalog.match("openai/gpt-9", at=datetime(2027, 1, 2, tzinfo=UTC)).model_id is None  # before OpenRouter listed it


def test_an_undated_name_of_two_snapshots_is_unresolved_with_the_reason(built) -> None:
    row = built.unresolved[(built.unresolved["source_id"] == "models_dev") & (built.unresolved["model_key"] == "gpt-9")]
    assert len(row) == 1 and "names no snapshot" in row["reason"].iloc[0]
    assert ("models_dev", "gpt-9") not in built.record_models


def test_two_spellings_of_a_new_model_are_one_model_named_as_its_maker_names_it(built) -> None:
    zen = built.models[built.models["model_id"] == "anthropic/claude-zen-2-5"]
    assert len(zen) == 1
    row = zen.iloc[0]
    assert row["origin"] == "sources" and row["creator"] == "anthropic" and row["name"] == "Claude Zen 2.5"
    assert row["name_source"] == f"models_dev:{MD_CAPTURE.sha256}"
    assert row["first_listed_at"] == pd.Timestamp(LISTED) and row["first_listed_at_source"] == f"openrouter:{OR_CAPTURE.sha256}"
    assert (row["source_id"], row["capture_url"], row["capture_sha256"]) == ("models_dev", MD_CAPTURE.url, MD_CAPTURE.sha256)
    assert built.record_models[("openrouter", "anthropic/claude-zen-2.5")] == "anthropic/claude-zen-2-5"


def test_no_maker_or_two_makers_stay_unresolved(built) -> None:
    reasons = dict(zip(zip(built.unresolved["source_id"], built.unresolved["model_key"]), built.unresolved["reason"]))
    assert "no maker stated" in reasons[("models_dev", "@cf/meta/tiny-2")]
    assert "only a dated alias can say which" in reasons[("models_dev", "claude-zen-latest")]
    assert "a display name" in reasons[("models_dev", "Claude Zen 3 (Jan 2028)")]
    # OpenRouter's author outranks another source's owner: one model, OpenRouter's maker
    assert built.record_models[("openrouter", "otherco/widget-1")] == "otherco/widget-1"
    assert built.record_models[("models_dev", "acme/widget-1")] == "otherco/widget-1"


def test_curated_facts_win_and_sources_fill_only_what_the_file_has_no_column_for(built) -> None:
    tiny = built.models.set_index("model_id").loc["tiny-1"]
    assert tiny["name"] == "Tiny 1" and tiny["name_source"] == "reference" and tiny["origin"] == "reference"
    assert tiny["first_listed_at"] == pd.Timestamp(LISTED) and tiny["first_listed_at_source"].startswith("openrouter:")
    assert set(MODELS["model_id"]) <= set(built.models["model_id"])


def test_the_result_does_not_depend_on_record_order() -> None:
    shuffled = list(RECORDS)
    random.Random(3).shuffle(shuffled)
    again = build_catalog(REFERENCE, shuffled)
    first = build_catalog(REFERENCE, RECORDS)
    assert first.record_models == again.record_models
    assert first.models.sort_values("model_id").reset_index(drop=True).equals(
        again.models.sort_values("model_id").reset_index(drop=True))
