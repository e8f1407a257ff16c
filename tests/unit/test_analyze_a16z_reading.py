"""The analysis over the curated reference data gives a16z's reading of the price of MMLU levels.

a16z, "Welcome to LLMflation - LLM inference cost is going down fast"
(https://a16z.com/llmflation-llm-inference-cost/, Nov 2024): GPT-3 at $60 per 1M tokens was the
only model reaching MMLU 42 in November 2021; three years later the cheapest such model cost
about a thousandth of that; at MMLU 83 the price fell "by about a factor of 62" from GPT-4's
launch in March 2023. Their blend is the plain mean of input and output price (1:1).
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from llmflation.analyze.intervals import price_intervals
from llmflation.analyze.monthly import cheapest_by_quality, month_starts
from llmflation.analyze.observations import capture_observations, reference_observations, source_captures
from llmflation.match import Catalog
from llmflation.scores import chosen_scores, level_classes, match_score_rows, reference_score_rows, scores_for_levels, scores_table
from llmflation.reference import load_reference
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def monthly() -> pd.DataFrame:
    ref = load_reference(REPO_ROOT / "data" / "reference")
    intervals, _ = price_intervals(
        reference_observations(ref.prices), ref.models, pd.DataFrame(columns=["source_id", "observed_at"])
    )
    levels = [("mmlu", 42.0), ("mmlu", 83.0)]
    table = cheapest_by_quality(
        intervals,
        scores_for_levels(
            chosen_scores(scores_table(match_score_rows(reference_score_rows(ref.scores), Catalog.from_frames(ref.models, ref.aliases)))),
            level_classes(levels),
        ),
        month_starts("2021-11-01", "2024-11-30"),
        levels,
        ["1:1"],
    )
    return table.set_index(["threshold", table["month"].dt.strftime("%Y-%m")])


def test_gpt3_at_60_dollars_was_the_only_way_to_mmlu_42_in_november_2021(monthly: pd.DataFrame) -> None:
    first = monthly.loc[(42.0, "2021-11")]

    assert first["usd_per_mtok"] == Decimal("60")
    assert first["model_id"] == "davinci" and first["provider"] == "openai"
    assert first["evidence"].startswith("http")


def test_mmlu_42_is_about_a_thousand_times_cheaper_three_years_later(monthly: pd.DataFrame) -> None:
    ratio = monthly.loc[(42.0, "2021-11"), "usd_per_mtok"] / monthly.loc[(42.0, "2024-11"), "usd_per_mtok"]

    assert 500 <= ratio <= 2000


def test_mmlu_83_is_about_sixty_times_cheaper_from_march_2023_to_november_2024(monthly: pd.DataFrame) -> None:
    assert (83.0, "2023-02") not in monthly.index  # nothing reached MMLU 83 before GPT-4
    ratio = monthly.loc[(83.0, "2023-03"), "usd_per_mtok"] / monthly.loc[(83.0, "2024-11"), "usd_per_mtok"]

    assert 40 <= ratio <= 90


def test_captures_feed_the_same_analysis_and_override_reference_rows() -> None:
    prices = pd.DataFrame(
        {
            "observed_at": pd.to_datetime(["2024-01-10", "2024-02-10", "2024-02-10"], utc=True),
            "source_id": ["openai_pricing", "openai_pricing", "openai_pricing"],
            "provider": ["openai", "openai", "openai"],
            "model_key": ["gpt-x", "gpt-x", "mystery"],
            "model_id": ["gpt-x", "gpt-x", None],  # the unmatched row is not analysed
            "input_usd_per_mtok": [Decimal("2"), Decimal("1"), Decimal("9")],
            "output_usd_per_mtok": [Decimal("4"), Decimal("2"), Decimal("9")],
            "capture_sha256": ["sha-jan", "sha-feb", "sha-feb"],
            "tier": ["standard"] * 3,
            "is_free": [False] * 3,
        }
    )
    curated = pd.DataFrame(
        {
            "model_id": ["gpt-x"],
            "provider": ["openai"],
            "valid_from": pd.to_datetime(["2023-06-01"], utc=True),
            "valid_to": pd.to_datetime([None], utc=True),
            "input_usd_per_mtok": [Decimal("2")],
            "output_usd_per_mtok": [Decimal("4")],
            "is_free": [False],
            "source_url": ["https://example.org/gpt-x-pricing"],
        }
    )
    observations = pd.concat([reference_observations(curated), capture_observations(prices)], ignore_index=True)

    intervals, disagreements = price_intervals(
        observations, pd.DataFrame(columns=["model_id", "retired_date"]), source_captures(prices)
    )

    assert intervals["evidence"].tolist() == ["https://example.org/gpt-x-pricing", "sha-jan", "sha-feb"]
    assert intervals["input_usd_per_mtok"].tolist() == [Decimal("2"), Decimal("2"), Decimal("1")]
    assert len(source_captures(prices)) == 2
    [disagreement] = disagreements  # February's capture says 1/2 where the reference still says 2/4
    assert disagreement.capture_evidence == "sha-feb"
