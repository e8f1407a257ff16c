"""Cost per task on real data: the served token counts of Artificial Analysis's leaderboard payload.

Two things that could be false: our arithmetic (tokens x price) reproduces the source's own cost
of each run at its own prices, and a reasoning model's cost per task tells another story than its
price per token (o1 against GPT-4o, the case that motivates the table), at the curated prices.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from llmflation.analyze.intervals import price_intervals
from llmflation.analyze.monthly import month_starts
from llmflation.analyze.observations import reference_observations
from llmflation.analyze.pertask import CHECK_TOLERANCE, check_stated_costs, check_summary, cost_per_task
from llmflation.match import Catalog
from llmflation.parsers import aa_leaderboard
from llmflation.reference import load_reference
from llmflation.schema import TOKEN_USAGE
from llmflation.usage import token_usage_table
from tests.conftest import REPO_ROOT
from tests.support.leaderboards import leaderboard_capture

pytestmark = pytest.mark.corpus


class _Parsed:
    """A parsed capture as the build hands it over (outcome None: records are already loaded)."""

    def __init__(self, result, capture) -> None:
        self.result, self.capture, self.outcome, self.parser = result, capture, None, "llmflation.parsers.aa_leaderboard@1"


@pytest.fixture(scope="module")
def reference():
    return load_reference(REPO_ROOT / "data" / "reference")


@pytest.fixture(scope="module")
def usage(corpus_dir: Path, reference) -> pd.DataFrame:
    path = next((corpus_dir / "scores" / "artificial-analysis").glob("aa-leaderboard-page-payload_*"))
    body = path.read_bytes()
    capture = leaderboard_capture("https://example.test/llms.json", path.name.split("_")[1], body)
    parsed = _Parsed(aa_leaderboard.parse(body, capture), capture)
    catalog = Catalog.from_frames(reference.models, reference.aliases)
    return token_usage_table([parsed], catalog, reference.models, TOKEN_USAGE.column_names)


def test_our_cost_of_each_run_at_the_sources_prices_is_the_sources_own(usage: pd.DataFrame) -> None:
    checks = check_stated_costs(usage)
    summary = check_summary(checks)
    assert summary["checked"] == 266
    assert summary["share_within_1_percent"] >= 0.95, summary["disagreeing"]
    # as measured on the 2026-04-10 payload: every one within 1%, the 17 free models at exactly $0 on both sides
    assert summary["within_1_percent"] == 266 and summary["free_models_stated_zero"] == 17
    assert summary["largest_relative_difference"] < CHECK_TOLERANCE


def test_reasoning_splits_agree_with_the_sources_own_parts(usage: pd.DataFrame) -> None:
    """Reasoning tokens x output price is the source's own reasoning cost: reasoning is billed as output."""
    stated = usage[usage["stated_reasoning_cost_usd"].notna() & usage["stated_output_usd_per_mtok"].notna()]
    stated = stated[stated["stated_reasoning_cost_usd"].map(float) > 0]
    ours = stated["reasoning_tokens"].astype(float) * stated["stated_output_usd_per_mtok"].map(float) / 1e6
    assert len(stated) > 100
    assert ((ours - stated["stated_reasoning_cost_usd"].map(float)).abs() <= 0.01 * ours).mean() >= 0.95


def test_o1_is_six_times_gpt_4o_per_token_and_far_more_per_task(usage: pd.DataFrame, reference) -> None:
    intervals, _ = price_intervals(reference_observations(reference.prices), reference.models,
                                   pd.DataFrame(columns=["source_id", "observed_at"]))
    costs = cost_per_task(usage, intervals, month_starts("2025-01-01", "2025-01-31"))
    at_openai = costs[costs["provider"] == "openai"].set_index("model_id")
    o1, gpt4o = at_openai.loc["o1-2024-12-17"], at_openai.loc["gpt-4o-2024-08-06"]
    per_token = (o1["input_usd_per_mtok"] + o1["output_usd_per_mtok"]) / (gpt4o["input_usd_per_mtok"] + gpt4o["output_usd_per_mtok"])
    per_task = o1["usd_per_suite_run"] / gpt4o["usd_per_suite_run"]
    assert per_token == pytest.approx(6.0)
    assert per_task > 2 * per_token  # its hidden reasoning tokens
    assert o1["reasoning_tokens"] > 10 * gpt4o["output_tokens"]


def test_each_effort_of_a_model_has_its_own_score_on_the_payload(corpus_dir: Path) -> None:
    """Why a variant is placed at a level by its own run's score: the efforts of one model score apart."""
    from llmflation.usage import run_scores

    path = next((corpus_dir / "scores" / "artificial-analysis").glob("aa-leaderboard-page-payload_*"))
    body = path.read_bytes()
    capture = leaderboard_capture("https://example.test/llms.json", path.name.split("_")[1], body)
    scores = run_scores([_Parsed(aa_leaderboard.parse(body, capture), capture)])
    gpqa = scores[scores["benchmark"] == "gpqa_diamond"].set_index("model_key")["score"]
    assert gpqa["gpt-5-minimal"] + 10 < gpqa["gpt-5"]
    assert gpqa["gpt-oss-120b-low"] < gpqa["gpt-oss-120b"]
