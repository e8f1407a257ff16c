"""Choosing one score per model, benchmark and comparable setting, and listing the sources that disagree."""

from __future__ import annotations

from datetime import datetime, UTC
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
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def _records() -> list[tuple[str, ScoreRecord]]:
    return [
        ("llm_stats", ScoreRecord("llama-3.1-8b-instruct", "mmlu_pro", 48.3, "5-shot", True, "https://a", _when("2024-07-23"))),
        ("open_llm_leaderboard_v2", ScoreRecord("meta-llama/Llama-3.1-8B-Instruct", "mmlu_pro", 37.98, "5-shot", False, "https://b", _when("2024-07-25"))),
        ("open_llm_leaderboard_v2", ScoreRecord("meta-llama/Llama-3.1-8B-Instruct", "mmlu_pro", 37.5, "5-shot", False, "https://b", _when("2024-08-01"))),
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


def test_all_matched_rows_are_kept_and_one_is_chosen_per_model_benchmark_and_setting_class() -> None:
    table = _table()
    assert len(table) == 7  # 9 rows, less the unsloth copy and the unknown model
    counts = table.groupby(["model_id", "benchmark", "comparable_as"])["chosen"].sum()
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


def _row(model: str, benchmark: str, score: float, setting: str | None, source: str = "reference",
         self_reported: bool = True, when: str = "2025-08-05") -> dict[str, object]:
    return {"model_id": model, "model_key": model, "benchmark": benchmark, "score": score, "setting": setting,
            "self_reported": self_reported, "source_id": source, "source_url": "https://example.org/" + model,
            "reported_at": pd.Timestamp(when, tz="UTC"), "ci95_low": None, "ci95_high": None, "votes": None}


def test_a_score_in_a_setting_that_compares_with_nothing_is_never_chosen() -> None:
    """MMLU 0-shot CoT 90 and gpt-oss-20b's 85.3 "Without tools" are not 5-shot: no chosen MMLU at all."""
    rows = pd.DataFrame([
        _row("cot-model", "mmlu", 90.0, "0-shot CoT"),
        _row("gpt-oss-20b", "mmlu", 85.3, "Without tools"),
        _row("gpt-oss-20b", "gpqa_diamond", 71.5, "Diamond (without tools)"),
    ])
    table = scores_table(rows, ScorePolicy()).set_index(["model_id", "benchmark"])
    assert pd.isna(table.loc[("cot-model", "mmlu"), "comparable_as"])
    assert not table.loc[("cot-model", "mmlu"), "chosen"]
    assert not table.loc[("gpt-oss-20b", "mmlu"), "chosen"]
    # "without tools" is GPQA Diamond's standard single attempt: comparable, chosen, still self-reported
    assert table.loc[("gpt-oss-20b", "gpqa_diamond"), "chosen"]
    assert table.loc[("gpt-oss-20b", "gpqa_diamond"), "comparable_as"] == "diamond, single attempt"


def test_arena_ratings_of_different_snapshots_are_chosen_apart_and_never_disagree() -> None:
    rows = pd.DataFrame([
        _row("m", "arena_elo", 1290.0, "text arena; snapshot 2025-07-18", "lmarena", False, "2025-07-18"),
        _row("m", "arena_elo", 1250.0, "text arena; snapshot 2026-03-13", "lmarena_2026", False, "2026-03-13"),
    ])
    table = scores_table(rows, ScorePolicy())
    assert table["chosen"].tolist() == [True, True]
    assert disagreements(table, ScorePolicy(disagreement_points=0.0)).empty


def test_levels_compare_only_comparable_scores_and_list_the_rest_with_why() -> None:
    from llmflation.scores import format_not_comparable, level_classes, not_comparable_for_levels, scores_for_levels

    rows = pd.DataFrame([
        _row("cot-model", "mmlu", 90.0, "0-shot CoT"),
        _row("gpt-oss-20b", "mmlu", 85.3, "Without tools", "llm_stats"),
        _row("five-shot", "mmlu", 84.0, "5-shot", "llm_stats"),
        _row("five-shot", "mmlu", 91.0, "5-shot CoT", "llm_stats"),
    ])
    table = scores_table(rows, ScorePolicy())
    levels = [("mmlu", 83.0)]
    classes = level_classes(levels)
    assert classes == {"mmlu": "5-shot"}
    compared = scores_for_levels(chosen_scores(table), classes)
    assert compared[["model_id", "score"]].values.tolist() == [["five-shot", 84.0]]
    listed = not_comparable_for_levels(table, levels, classes).set_index("model_id")
    assert sorted(listed.index) == ["cot-model", "gpt-oss-20b"]  # five-shot qualifies on its 5-shot 84
    assert "not 5-shot" in listed.loc["gpt-oss-20b", "reason"]
    lines = format_not_comparable(listed.reset_index())
    assert any(line.startswith("gpt-oss-20b not at mmlu >= 83: 85.3 (llm_stats, self-reported)") for line in lines)


def test_a_level_on_a_per_snapshot_benchmark_must_name_its_snapshot() -> None:
    from llmflation.scores import level_classes

    with pytest.raises(ConfigError, match="arena_elo.*setting"):
        level_classes([("arena_elo", 1300.0)])
    named = "text arena; snapshot 2026-03-13"
    assert level_classes([("arena_elo", 1300.0)], {"arena_elo": named}) == {"arena_elo": named}
    with pytest.raises(ConfigError, match="not comparable"):
        level_classes([("mmlu", 83.0)], {"mmlu": "0-shot CoT"})
