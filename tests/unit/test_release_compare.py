"""The release comparison a refactor is checked with finds every kind of difference, and no false one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.corpus.corpus_release import compare


def _write(folder: Path, **tables: pd.DataFrame) -> Path:
    folder.mkdir()
    for name, table in tables.items():
        table.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def test_same_rows_in_another_order_with_missing_values_are_identical(tmp_path: Path) -> None:
    table = pd.DataFrame({"model_id": ["a", "b", None], "usd": [1.0, None, 3.0]})
    before = _write(tmp_path / "before", prices=table)
    after = _write(tmp_path / "after", prices=table.iloc[::-1])
    assert compare(before, after) == ["prices: identical (3 rows)"]


def test_a_changed_cell_a_missing_table_and_a_new_column_are_reported(tmp_path: Path) -> None:
    table = pd.DataFrame({"model_id": ["a", "b"], "usd": [1.0, 2.0]})
    before = _write(tmp_path / "before", prices=table, scores=table, models=table)
    after = _write(tmp_path / "after", prices=table.assign(usd=[1.0, 2.5]), models=table.assign(extra=1))
    assert compare(before, after) == [
        "models: columns or types differ: ['extra']",
        "prices: 1 cells differ in {'usd': 1}",
        "scores: only in before",
    ]


def test_a_value_that_became_missing_is_a_difference(tmp_path: Path) -> None:
    table = pd.DataFrame({"model_id": ["a", "b"], "usd": [1.0, 2.0]})
    before = _write(tmp_path / "before", token_usage=table)
    after = _write(tmp_path / "after", token_usage=table.assign(model_id=["a", None]))
    (line,) = compare(before, after)  # rows are aligned by sorting, so the cells counted depend on the order
    assert line.startswith("token_usage: ") and "cells differ" in line and "model_id" in line
