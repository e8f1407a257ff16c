"""One score per model and benchmark, by the documented order of preference."""

from __future__ import annotations

import pandas as pd
import pytest

from llmflation.analyze.scores import choose_scores

ROWS = pd.DataFrame(
    [
        # model, benchmark, score, setting, self_reported, source_name, reported_at
        ("llama-2-7b-chat", "mmlu", 13.0, "Artificial Analysis methodology", False, "AA", "2025-03-04"),
        ("llama-2-7b-chat", "mmlu", 45.3, "5-shot", True, "Llama 2 paper", "2023-07-18"),
        ("claude-3-haiku", "mmlu", 75.2, "5-shot", True, "creator", "2024-03-13"),
        ("claude-3-haiku", "mmlu", 76.0, "5-shot CoT", True, "creator", "2024-03-01"),  # not the standard setting
        ("davinci", "mmlu", 43.9, "5-shot", False, "MMLU paper", "2020-09-07"),
        ("davinci", "mmlu", 44.0, "5-shot", False, "later table", "2023-08-25"),  # published later
        ("davinci", "gpqa", None, "", False, "nobody", "2024-01-01"),  # no score: ignored
        ("gpt-4", "arena_elo", 1186.0, "text arena", False, "LMArena", "2025-08-04"),
    ],
    columns=["model_id", "benchmark", "score", "setting", "self_reported", "source_name", "reported_at"],
)


def chosen(table: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(m, b): s for m, b, s in zip(table["model_id"], table["benchmark"], table["score"], strict=True)}


def test_creator_numbers_in_the_standard_setting_first_then_the_earliest() -> None:
    assert chosen(choose_scores(ROWS)) == {
        ("llama-2-7b-chat", "mmlu"): 45.3,
        ("claude-3-haiku", "mmlu"): 75.2,
        ("davinci", "mmlu"): 43.9,
        ("gpt-4", "arena_elo"): 1186.0,
    }


def test_independent_evaluations_first_when_asked() -> None:
    result = chosen(choose_scores(ROWS, prefer_self_reported=False))

    assert result[("llama-2-7b-chat", "mmlu")] == 13.0
    assert result[("claude-3-haiku", "mmlu")] == 75.2  # only creator numbers exist: still chosen


def test_the_choice_keeps_the_citation_columns_and_missing_columns_are_named() -> None:
    table = choose_scores(ROWS)

    assert list(table.columns) == list(ROWS.columns)
    assert table.loc[table["model_id"] == "davinci", "source_name"].item() == "MMLU paper"
    with pytest.raises(ValueError, match=r"lack columns \['score'\]"):
        choose_scores(ROWS.drop(columns="score"))
