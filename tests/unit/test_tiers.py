"""The tier vocabulary, the one-price-per-model-and-tier check, and clean model labels."""

from __future__ import annotations

from decimal import Decimal

import pytest

from llmflation.parsers.model_labels import model_label
from llmflation.records import ParseError, PriceRecord
from llmflation.schema import PRICES
from llmflation.tiers import PROCESSING_TIERS, TIER_DESCRIPTION, PriceClaims, context_tier, is_tier, processing_tier


def price(key: str, tier: str = "standard", quantization: str | None = None) -> PriceRecord:
    return PriceRecord(provider="p", model_key=key, input_usd_per_mtok=Decimal(1), output_usd_per_mtok=Decimal(2),
                       unit_on_page="per_1m_tokens", tier=tier, quantization=quantization)


@pytest.mark.parametrize("name", ["standard", "batch", "flex", "priority", "context>200k", "context>131072",
                                  "batch/context>272k", "priority/context>272k", "hours 16:30:00Z-00:30:00Z",
                                  "hours outside 16:30:00Z-00:30:00Z", "hours 16:30:00Z-00:30:00Z/context>200k"])
def test_names_of_the_vocabulary(name: str) -> None:
    assert is_tier(name)


@pytest.mark.parametrize("name", ["Standard", "fast", "scale", "scale/context>1k", "context>", "batch/flex", ""])
def test_names_outside_the_vocabulary(name: str) -> None:
    assert not is_tier(name)


def test_page_labels_map_to_the_vocabulary_and_unknown_ones_to_nothing() -> None:
    assert [processing_tier(label) for label in ("Standard", "Batch API", " flex  processing", "Priority")] == [
        "standard", "batch", "flex", "priority"]
    assert processing_tier("Fast mode") is None and processing_tier("Scale") is None
    assert context_tier(200_000) == "context>200k" and context_tier(272_000, base="flex") == "flex/context>272k"


def test_the_schema_describes_tier_with_the_vocabulary() -> None:
    column = next(c for c in PRICES.columns if c.name == "tier")
    assert column.description == TIER_DESCRIPTION
    assert all(name in TIER_DESCRIPTION for name in PROCESSING_TIERS)


def test_a_second_price_for_one_model_and_tier_names_both_tables() -> None:
    claims = PriceClaims("some page")
    claims.add(price("m"), "Standard table")
    claims.add(price("m", "batch"), "Batch table")
    claims.add(price("m", quantization="fp8"), "Standard table")  # another precision is another price
    with pytest.raises(ParseError, match=r"some page: m has two standard prices, in tables 'Standard table' and 'Flex table'"):
        claims.add(price("m"), "Flex table")
    assert [r.tier for r in claims.records] == ["standard", "batch", "standard"]


def test_a_tier_outside_the_vocabulary_is_refused() -> None:
    with pytest.raises(ParseError, match="'fast' of m is not in the tier vocabulary"):
        PriceClaims("some page").add(price("m", "fast"), "Fast mode")


@pytest.mark.parametrize(("written", "name", "deprecated"), [
    ("Claude Sonnet 3.7 ( deprecated )", "Claude Sonnet 3.7", True),
    ("Claude Opus 3 (deprecated)", "Claude Opus 3", True),
    ("gpt-3.5-turbo Legacy", "gpt-3.5-turbo", True),
    ("GPT-4 (legacy)*", "GPT-4", True),
    ("New GPT-5", "GPT-5", False),
    ("Gemini 3.1 Flash Image Preview 🍌", "Gemini 3.1 Flash Image Preview", False),
    ("o3-pro*", "o3-pro", False),
    ("gpt-4.5-preview¹", "gpt-4.5-preview", False),
    ("gpt-4 [1]", "gpt-4", False),
    ("Gemini 2.5 Flash Native Audio (Live API)", "Gemini 2.5 Flash Native Audio (Live API)", False),
    ("chatgpt-4o-latest", "chatgpt-4o-latest", False),
    ("Legacy", "Legacy", False),
])
def test_model_labels_lose_annotations_and_keep_deprecation(written: str, name: str, deprecated: bool) -> None:
    label = model_label(written)
    assert (label.name, label.deprecated) == (name, deprecated)
