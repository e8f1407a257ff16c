"""The Epoch frontier: observations at or above the threshold that set a new lowest price."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from llmflation.analyze.frontier import new_lowest_prices, points_from_intervals


def points(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"date": pd.Timestamp(d, tz="UTC"), "model": m, "usd_per_mtok": p, "score": s} for d, m, p, s in rows]
    )


def test_only_new_lows_at_or_above_the_threshold_count_in_date_order() -> None:
    table = points(
        [
            ("2023-05-01", "late-cheap", 1.0, 70),
            ("2021-01-01", "first", 60.0, 45),
            ("2022-01-01", "same-price", 60.0, 50),  # not strictly lower
            ("2022-06-01", "too-weak", 0.5, 41.9),  # below the threshold
            ("2022-09-01", "cut", 20.0, 42),  # exactly at the threshold counts
            ("2023-01-01", "dearer", 30.0, 80),
            ("2024-01-01", "free", 0.0, 90),  # free never counts
        ]
    )

    frontier = new_lowest_prices(table, 42)

    assert frontier["model"].tolist() == ["first", "cut", "late-cheap"]
    assert frontier["usd_per_mtok"].tolist() == [60.0, 20.0, 1.0]


def test_on_one_date_only_the_cheapest_counts() -> None:
    table = points([("2024-01-01", "b", 2.0, 50), ("2024-01-01", "a", 1.0, 50), ("2023-01-01", "old", 3.0, 50)])

    assert new_lowest_prices(table, 42)["model"].tolist() == ["old", "a"]


def test_nothing_qualifies_gives_an_empty_frontier_and_missing_columns_are_named() -> None:
    assert new_lowest_prices(points([("2024-01-01", "a", 1.0, 10)]), 42).empty
    with pytest.raises(ValueError, match=r"lacks columns \['score'\]"):
        new_lowest_prices(points([("2024-01-01", "a", 1.0, 10)]).drop(columns="score"), 42)


def test_points_from_intervals_blend_price_and_skip_free_and_unscored() -> None:
    intervals = pd.DataFrame(
        [
            {"model_id": "a", "provider": "p", "valid_from": pd.Timestamp("2024-01-01", tz="UTC"), "valid_to": pd.NaT,
             "input_usd_per_mtok": Decimal("1"), "output_usd_per_mtok": Decimal("5"), "is_free": False, "evidence": "sha-a"},
            {"model_id": "b", "provider": "p", "valid_from": pd.Timestamp("2024-02-01", tz="UTC"), "valid_to": pd.NaT,
             "input_usd_per_mtok": Decimal("0"), "output_usd_per_mtok": Decimal("0"), "is_free": True, "evidence": "sha-b"},
            {"model_id": "c", "provider": "p", "valid_from": pd.Timestamp("2024-03-01", tz="UTC"), "valid_to": pd.NaT,
             "input_usd_per_mtok": Decimal("1"), "output_usd_per_mtok": Decimal("1"), "is_free": False, "evidence": "sha-c"},
        ]
    )
    scores = pd.DataFrame({"model_id": ["a", "b"], "benchmark": "mmlu", "score": [70.0, 90.0]})

    result = points_from_intervals(intervals, scores, "mmlu", "3:1")

    assert result["model"].tolist() == ["a"]
    assert result["usd_per_mtok"].tolist() == [Decimal("2")]  # (3 * 1 + 5) / 4
    assert result["evidence"].tolist() == ["sha-a"]
