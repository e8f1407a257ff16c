"""Frontier method (Epoch AI): the observations that set a new lowest price at a quality level.

Among the price observations whose score is at or above the threshold, taken in date order,
keep each one that is strictly cheaper than every earlier one. The first qualifying
observation always starts the series. On one date the cheapest observation is taken first, so
two models priced on the same day never both count. Free prices (<= 0) never count.

The same rule serves the published tables (observations built from price intervals: the date
a price took effect) and ``llmflation trend`` on a user's own table.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from llmflation.normalize import blended_usd_per_mtok

#: Columns a frontier works on, and returns.
POINT_COLUMNS = ["date", "model", "usd_per_mtok", "score"]


def new_lowest_prices(points: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """The rows of ``points`` that set a new lowest ``usd_per_mtok`` among rows with ``score >= threshold``.

    ``points`` has at least ``date``, ``model``, ``usd_per_mtok`` (USD per 1M tokens, Decimal or
    float) and ``score``; other columns are carried through. Returned in date order.
    """
    missing = [c for c in POINT_COLUMNS if c not in points.columns]
    if missing:
        raise ValueError(f"frontier input lacks columns {missing}")
    price = pd.to_numeric(points["usd_per_mtok"].map(float), errors="raise")
    qualifying = points[(points["score"] >= threshold) & (price > 0)].copy()
    qualifying["_price"] = price[qualifying.index]
    qualifying = qualifying.sort_values(["date", "_price", "model"], kind="mergesort")
    kept = []
    lowest = float("inf")
    for index, row_price in qualifying["_price"].items():
        if row_price < lowest:
            kept.append(index)
            lowest = row_price
    return qualifying.loc[kept].drop(columns="_price").reset_index(drop=True)


def points_from_intervals(
    intervals: pd.DataFrame, scores: pd.DataFrame, benchmark: str, blend: str
) -> pd.DataFrame:
    """Price observations for the frontier from published price intervals.

    Each interval is one observation dated ``valid_from`` (when that price took effect), priced
    at the ``blend`` of its input and output price, scored with the model's ``benchmark`` score.
    Intervals without a score, without both prices, or free are left out. Carries
    ``provider``, ``input_usd_per_mtok``, ``output_usd_per_mtok`` and ``evidence``.
    """
    bench = scores[scores["benchmark"] == benchmark][["model_id", "score"]]
    joined = intervals.merge(bench, on="model_id", how="inner")
    priced = joined["input_usd_per_mtok"].notna() & joined["output_usd_per_mtok"].notna()
    joined = joined[priced]
    if "is_free" in joined.columns:
        joined = joined[~joined["is_free"].astype(bool)]
    joined = joined.reset_index(drop=True)
    blended = [
        blended_usd_per_mtok(Decimal(i), Decimal(o), blend)
        for i, o in zip(joined["input_usd_per_mtok"], joined["output_usd_per_mtok"], strict=True)
    ]
    return pd.DataFrame(
        {
            "date": joined["valid_from"],
            "model": joined["model_id"],
            "usd_per_mtok": pd.Series(blended, dtype=object),
            "score": joined["score"].astype(float),
            "provider": joined["provider"],
            "input_usd_per_mtok": joined["input_usd_per_mtok"],
            "output_usd_per_mtok": joined["output_usd_per_mtok"],
            "evidence": joined["evidence"] if "evidence" in joined.columns else None,
        },
        columns=POINT_COLUMNS + ["provider", "input_usd_per_mtok", "output_usd_per_mtok", "evidence"],
    )
