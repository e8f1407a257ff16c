"""One score per model and benchmark, chosen among the sources by a fixed, documented order.

The curated scores keep every published number (a creator's 5-shot MMLU, an independent
evaluation, a leaderboard dump); the quality levels need exactly one per model. The order:

1. the creator's own number (``self_reported``) first, as a16z's reading used the scores
   creators publish; with ``prefer_self_reported=False`` independent evaluations come first,
   as in Epoch AI's study (Artificial Analysis measurements);
2. the benchmark's standard setting (:data:`STANDARD_SETTINGS`: MMLU is 5-shot, without
   chain of thought) before any other setting;
3. the number published first (``reported_at``), which is the one a reader had at the time;
4. the source's name, so that a tie is broken the same way on every run.
"""

from __future__ import annotations

import pandas as pd

#: The setting a benchmark is normally reported in; rows stating it are preferred.
STANDARD_SETTINGS = {"mmlu": "5-shot"}

SCORE_COLUMNS = ["model_id", "benchmark", "score"]


def choose_scores(scores: pd.DataFrame, *, prefer_self_reported: bool = True) -> pd.DataFrame:
    """The chosen row for each (model_id, benchmark) of ``scores``, with all its columns.

    ``scores`` has ``model_id``, ``benchmark``, ``score`` and, when known, ``setting``,
    ``self_reported``, ``reported_at`` and ``source_name``; rows without a score are ignored.
    """
    missing = [c for c in SCORE_COLUMNS if c not in scores.columns]
    if missing:
        raise ValueError(f"scores lack columns {missing}")
    table = scores[scores["score"].notna()].copy()
    self_reported = _column(table, "self_reported", False).fillna(False).astype(bool)
    table["_source_rank"] = (~self_reported if prefer_self_reported else self_reported).astype(int)
    setting = _column(table, "setting", "").fillna("").astype(str).str.strip().str.lower()
    standard = table["benchmark"].map(STANDARD_SETTINGS).fillna("").str.lower()
    table["_setting_rank"] = ((standard == "") | (setting != standard)).astype(int)
    table["_reported"] = pd.to_datetime(_column(table, "reported_at", pd.NaT), utc=True)
    table["_source"] = _column(table, "source_name", "").fillna("").astype(str)
    table = table.sort_values(
        ["model_id", "benchmark", "_source_rank", "_setting_rank", "_reported", "_source"],
        kind="mergesort",
        na_position="last",
    )
    chosen = table.drop_duplicates(["model_id", "benchmark"], keep="first")
    return chosen.drop(columns=["_source_rank", "_setting_rank", "_reported", "_source"]).reset_index(drop=True)


def _column(table: pd.DataFrame, name: str, default: object) -> pd.Series:
    return table[name] if name in table.columns else pd.Series(default, index=table.index)
