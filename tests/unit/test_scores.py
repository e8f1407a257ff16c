"""Choosing one score per model and benchmark, and listing the sources that disagree."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from llmflation.config import ConfigError, load_settings
from llmflation.match import Catalog
from llmflation.records import ScoreRecord
from llmflation.scores import (
    ScorePolicy,
    chosen_scores,
    disagreements,
    format_disagreements,
    match_score_rows,
    reference_score_rows,
    score_rows,
    scores_table,
    unmatched_score_names,
)

CATALOG = Catalog(["llama-3.1-8b-instruct", "gpt-4o-2024-05-13"], {"GPT-4o-2024-05-13": "gpt-4o-2024-05-13"})


def _when(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=timezone.utc)


def _records() -> list[tuple[str, ScoreRecord]]:
    return [
        ("llm_stats", ScoreRecord("llama-3.1-8b-instruct", "mmlu_pro", 48.3, "5-shot CoT", True, "https://a", _when("2024-07-23"))),
        ("open_llm_leaderboard_v2", ScoreRecord("meta-llama/Llama-3.1-8B-Instruct", "mmlu_pro", 37.98, "5-shot, float16", False, "https://b", _when("2024-07-25"))),
        ("open_llm_leaderboard_v2", ScoreRecord("meta-llama/Llama-3.1-8B-Instruct", "mmlu_pro", 37.5, "5-shot, bfloat16", False, "https://b", _when("2024-08-01"))),
        ("open_llm_leaderboard_v2", ScoreRecord("unsloth/Llama-3.1-8B-Instruct", "mmlu_pro", 30.0, "5-shot", False, "https://b", _when("2024-09-01"))),
        ("llm_stats", ScoreRecord("llama-3.1-8b-instruct", "mmlu", 69.4, "5-shot", True, "https://a", _when("2024-07-23"))),
        ("lmarena", ScoreRecord("GPT-4o-2024-05-13", "arena_elo", 1287, "text arena", False, "https://c", _when("2024-06-19"), 1284, 1290, 42046)),
        ("lmarena", ScoreRecord("GPT-4o-2024-05-13", "arena_elo", 1285, "text arena", False, "https://c", _when("2024-07-31"), 1282, 1288, 68186)),
        ("lmarena", ScoreRecord("Mystery-Model", "arena_elo", 1100, "text arena", False, "https://c", _when("2024-07-31"))),
    ]


REFERENCE = pd.DataFrame(
    {
        "model_id": ["llama-3.1-8b-instruct"],
        "benchmark": ["mmlu"],
        "score": [69.4],
        "setting": ["5-shot"],
        "self_reported": [True],
        "source_name": ["Meta model card"],
        "source_url": ["https://example.org/card"],
        "reported_at": [pd.Timestamp("2024-07-23", tz="UTC")],
    }
)


def _table(policy: ScorePolicy | None = None) -> pd.DataFrame:
    rows = pd.concat([score_rows(_records()), reference_score_rows(REFERENCE)], ignore_index=True)
    return scores_table(match_score_rows(rows, CATALOG, policy), policy)


def test_all_matched_rows_are_kept_and_one_is_chosen_per_model_and_benchmark() -> None:
    table = _table()
    assert len(table) == 7  # 9 rows, less the unsloth copy and the unknown model
    counts = table.groupby(["model_id", "benchmark"])["chosen"].sum()
    assert (counts == 1).all()


def test_default_order_prefers_reference_then_independent_then_self_reported() -> None:
    chosen = chosen_scores(_table()).set_index(["model_id", "benchmark"])
    assert chosen.loc[("llama-3.1-8b-instruct", "mmlu"), "source_id"] == "reference"
    assert chosen.loc[("llama-3.1-8b-instruct", "mmlu_pro"), "source_id"] == "open_llm_leaderboard_v2"


def test_within_a_source_the_latest_row_wins() -> None:
    chosen = chosen_scores(_table()).set_index(["model_id", "benchmark"])
    assert chosen.loc[("llama-3.1-8b-instruct", "mmlu_pro"), "score"] == 37.5  # 2024-08-01 beats 2024-07-25
    assert chosen.loc[("gpt-4o-2024-05-13", "arena_elo"), "score"] == 1285


def test_preference_is_configurable() -> None:
    policy = ScorePolicy(preference=("llm_stats", "*"))
    chosen = chosen_scores(_table(policy)).set_index(["model_id", "benchmark"])
    assert chosen.loc[("llama-3.1-8b-instruct", "mmlu_pro"), "source_id"] == "llm_stats"
    assert chosen.loc[("llama-3.1-8b-instruct", "mmlu_pro"), "score"] == 48.3


def test_disagreements_over_three_points_are_listed_with_both_sources() -> None:
    found = disagreements(_table())
    assert found[["model_id", "benchmark", "chosen_source_id", "other_source_id"]].values.tolist() == [
        ["llama-3.1-8b-instruct", "mmlu_pro", "open_llm_leaderboard_v2", "llm_stats"],
    ]
    assert found["difference"].iloc[0] == pytest.approx(10.8)
    (line,) = format_disagreements(found)
    assert line == "llama-3.1-8b-instruct mmlu_pro: open_llm_leaderboard_v2 37.5 (chosen), llm_stats 48.3 (+10.8)"


def test_agreement_within_the_threshold_is_not_listed() -> None:
    assert disagreements(_table(), ScorePolicy(disagreement_points=11.0)).empty
    # the same source's rows never disagree with each other (37.98 vs 37.5, 1287 vs 1285)
    assert set(disagreements(_table(), ScorePolicy(disagreement_points=0.0))["other_source_id"]) == {"llm_stats"}


def test_unmatched_score_names_are_reported_with_reasons() -> None:
    rows = score_rows(_records())
    table = unmatched_score_names(match_score_rows(rows, CATALOG))
    assert table[["name", "source_id", "n_score_rows"]].values.tolist() == [
        ["Mystery-Model", "lmarena", 1],
        ["unsloth/Llama-3.1-8B-Instruct", "open_llm_leaderboard_v2", 1],
    ]
    assert "not of a model's creator" in table["reason"].iloc[1]


def test_policy_from_config_file(tmp_path: Path) -> None:
    config = tmp_path / "llmflation.toml"
    config.write_text('[scores]\npreference = ["reference", "llm_stats", "*"]\ndisagreement_points = 5\n')
    policy = ScorePolicy.from_settings(load_settings(env={"LLMFLATION_CONFIG": str(config)}, cwd=tmp_path))
    assert policy.preference == ("reference", "llm_stats", "*")
    assert policy.disagreement_points == 5.0
    assert policy.rank("artificial_analysis") == 2


@pytest.mark.parametrize(
    "table",
    ['preference = "reference"', 'preference = ["reference", "reference"]', 'disagreement_points = "3"',
     "disagreement_points = -1"],
)
def test_bad_policy_in_config_is_a_config_error(tmp_path: Path, table: str) -> None:
    config = tmp_path / "llmflation.toml"
    config.write_text(f"[scores]\n{table}\n")
    with pytest.raises(ConfigError, match=r"\[scores\]"):
        ScorePolicy.from_settings(load_settings(env={"LLMFLATION_CONFIG": str(config)}, cwd=tmp_path))


def test_within_a_source_the_standard_setting_wins_over_independence() -> None:
    """Scores of different settings are not comparable: Llama 2 7B is 45.3 at 5-shot, 13 by AA's method."""
    from llmflation.scores import ScorePolicy, scores_table

    rows = pd.DataFrame([
        {"model_id": "llama-2-7b-chat", "model_key": "llama-2-7b-chat", "benchmark": "mmlu", "score": 13.0,
         "setting": "Artificial Analysis methodology", "self_reported": False, "source_id": "reference",
         "source_url": "https://example.org/aa", "reported_at": pd.Timestamp("2025-03-04", tz="UTC"),
         "ci95_low": None, "ci95_high": None, "votes": None},
        {"model_id": "llama-2-7b-chat", "model_key": "llama-2-7b-chat", "benchmark": "mmlu", "score": 45.3,
         "setting": "5-shot", "self_reported": True, "source_id": "reference",
         "source_url": "https://example.org/paper", "reported_at": pd.Timestamp("2023-07-18", tz="UTC"),
         "ci95_low": None, "ci95_high": None, "votes": None},
        {"model_id": "claude-3-haiku", "model_key": "claude-3-haiku", "benchmark": "mmlu", "score": 76.0,
         "setting": "5-shot CoT", "self_reported": False, "source_id": "reference",
         "source_url": "https://example.org/cot", "reported_at": pd.Timestamp("2024-03-01", tz="UTC"),
         "ci95_low": None, "ci95_high": None, "votes": None},
        {"model_id": "claude-3-haiku", "model_key": "claude-3-haiku", "benchmark": "mmlu", "score": 75.2,
         "setting": "5-shot", "self_reported": True, "source_id": "reference",
         "source_url": "https://example.org/card", "reported_at": pd.Timestamp("2024-03-13", tz="UTC"),
         "ci95_low": None, "ci95_high": None, "votes": None},
    ])
    table = scores_table(rows, ScorePolicy())
    chosen = table[table["chosen"]].set_index("model_id")["score"].to_dict()
    assert chosen == {"llama-2-7b-chat": 45.3, "claude-3-haiku": 75.2}
