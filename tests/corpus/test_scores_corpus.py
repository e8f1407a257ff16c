"""The scores table built from the real leaderboards and the curated reference scores."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from llmflation import reference
from llmflation.match import Catalog
from llmflation.parsers import llm_stats, lmarena, open_llm_leaderboard
from llmflation.scores import (
    chosen_scores,
    disagreements,
    match_score_rows,
    reference_score_rows,
    score_rows,
    scores_table,
    unmatched_score_names,
)
from tests.support.leaderboards import leaderboard_capture, zip_folder

pytestmark = pytest.mark.corpus
REFERENCE_DIR = Path(__file__).resolve().parents[2] / "data" / "reference"


@pytest.fixture(scope="module")
def matched(corpus_dir: Path) -> pd.DataFrame:
    records = []
    scores_dir = corpus_dir / "scores"
    for source_id, name in [("open_llm_leaderboard_v1", "open_llm_leaderboard_v1_final.csv"),
                            ("open_llm_leaderboard_v2", "open_llm_leaderboard_v2_final.csv")]:
        body = (scores_dir / "open-llm-leaderboard" / name).read_bytes()
        parsed = open_llm_leaderboard.parse(body, leaderboard_capture(f"https://x/{name}", "2025-03-21", body))
        records += [(source_id, r) for r in parsed.scores]
    for path in sorted((scores_dir / "lmarena").glob("lmsys_*.csv")):
        body = path.read_bytes()
        day = path.name.split("_")[1]
        records += [("lmarena", r) for r in lmarena.parse(body, leaderboard_capture(f"https://x/{path.name}", day, body)).scores]
    body = zip_folder(scores_dir / "llm-stats" / "data", "llm-leaderboard-main/data/")
    records += [("llm_stats", r) for r in llm_stats.parse(body, leaderboard_capture("https://x/main.zip", body=body)).scores]
    models = reference.load_models(REFERENCE_DIR)
    rows = pd.concat([score_rows(records), reference_score_rows(reference.load_scores(REFERENCE_DIR, models))])
    return match_score_rows(rows.reset_index(drop=True), Catalog.load(REFERENCE_DIR))


def test_one_chosen_score_per_model_benchmark_and_comparable_class(matched: pd.DataFrame) -> None:
    table = scores_table(matched)
    comparable = table[table["comparable_as"].notna()]
    assert (comparable.groupby(["model_id", "benchmark", "comparable_as"])["chosen"].sum() == 1).all()
    assert not table.loc[table["comparable_as"].isna(), "chosen"].any()  # never a score that compares with nothing
    mmlu = table[(table["benchmark"] == "mmlu") & table["chosen"]]
    assert set(mmlu["comparable_as"]) == {"5-shot"}
    assert len(table) == int(matched["model_id"].notna().sum())  # every matched row is kept
    assert {"reference", "lmarena", "llm_stats", "open_llm_leaderboard_v1", "open_llm_leaderboard_v2"} <= set(table["source_id"])


def test_leaderboard_copies_under_other_accounts_are_not_matched(matched: pd.DataFrame) -> None:
    hub = matched[matched["source_id"].str.startswith("open_llm_leaderboard") & matched["model_id"].notna()]
    owners = {key.split("/", 1)[0].lower() for key in hub["model_key"]}
    # deepseek-ai: the creator's own R1-Distill repositories, catalog models since the aliases work
    assert owners <= {"meta-llama", "mistralai", "qwen", "google", "microsoft", "deepseek-ai"}
    unmatched = unmatched_score_names(matched, ["open_llm_leaderboard_v2"])
    copy = unmatched[unmatched["name"] == "unsloth/Llama-3.2-1B-Instruct"]
    assert copy["reason"].tolist() == ["repository of 'unsloth', not of a model's creator"]


def test_arena_rating_is_matched_and_the_latest_month_is_chosen(matched: pd.DataFrame) -> None:
    arena = matched[(matched["source_id"] == "lmarena") & (matched["model_id"] == "gpt-4o-2024-05-13")]
    assert len(arena) >= 12  # one rating per monthly export
    chosen = chosen_scores(scores_table(matched[matched["source_id"] != "reference"]))
    chosen = chosen[(chosen["model_id"] == "gpt-4o-2024-05-13") & (chosen["benchmark"] == "arena_elo")]
    # one rating per dated snapshot, each its own comparable class
    assert len(chosen) == arena["setting"].nunique() == len(arena)
    latest = arena.sort_values("reported_at").iloc[-1]
    assert chosen.set_index("comparable_as").loc[latest["setting"], "score"] == latest["score"]


def test_self_reported_and_independent_mmlu_pro_disagreements_are_listed(matched: pd.DataFrame) -> None:
    without_reference = matched[matched["source_id"] != "reference"]
    found = disagreements(scores_table(without_reference))
    row = found[(found["model_id"] == "llama-3.1-8b-instruct") & (found["benchmark"] == "mmlu_pro")]
    assert row[["chosen_source_id", "other_source_id"]].values.tolist() == [["open_llm_leaderboard_v2", "llm_stats"]]
    assert (found["difference"].abs() > 3).all()
    # MMLU rows that compare with nothing (0-shot CoT, "Without tools") never disagree with a 5-shot one
    mmlu = found[found["benchmark"] == "mmlu"]
    table = scores_table(without_reference).set_index(["model_id", "benchmark", "source_id"])
    for r in mmlu.itertuples():
        assert table.loc[(r.model_id, "mmlu", r.other_source_id), "comparable_as"].eq("5-shot").any()
