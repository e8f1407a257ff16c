"""Monthly method (a16z): for each month, the cheapest model that reaches a quality level.

A price counts for a month when its validity interval ``[valid_from, valid_to)`` overlaps
that month at all, so a price cut on the 20th already counts for that month. Free prices
(``is_free``, or a zero price) never count: a promotion is not the price of intelligence.
The price compared is a blend of input and output price per 1M tokens (``1:1`` as a16z,
``3:1`` as Epoch AI and Artificial Analysis), exact in Decimal.

Months in which no priced model reaches the level get no row (before GPT-3 nothing reached
MMLU 42): a gap in the table is a fact, not a missing value to fill.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

import numpy as np
import pandas as pd

from llmflation.normalize import blended_usd_per_mtok
from llmflation.schema import CHEAPEST_BY_QUALITY

#: Columns of the published ``cheapest_by_quality`` table, in order; the token blends' rows leave the
#: per-task columns empty (``analyze.pertask`` adds the ``per_task`` rows).
CHEAPEST_COLUMNS = CHEAPEST_BY_QUALITY.column_names
#: What the rows this module makes measure (the ``measure`` column).
TOKEN_MEASURE = "usd_per_mtok"
#: Columns of the chosen score carried beside the cheapest model, under their published names.
_SCORE_COLUMNS = {"setting": "score_setting", "source_id": "score_source_id", "self_reported": "score_self_reported"}

_INTERVAL_COLUMNS = ["model_id", "provider", "valid_from", "valid_to", "input_usd_per_mtok", "output_usd_per_mtok"]


def month_starts(first: object, last: object) -> pd.DatetimeIndex:
    """First instant (UTC) of every month from ``first``'s month to ``last``'s month, inclusive."""
    periods = pd.period_range(pd.Timestamp(first).strftime("%Y-%m"), pd.Timestamp(last).strftime("%Y-%m"), freq="M")
    return _as_month_starts(periods)


def _as_month_starts(months: Iterable[object]) -> pd.DatetimeIndex:
    """Each month (a Period, a Timestamp or a date string) as its first instant in UTC."""
    starts = []
    for month in months:
        if not isinstance(month, pd.Period):
            stamp = pd.Timestamp(month)
            if stamp.tzinfo is not None:
                stamp = stamp.tz_convert("UTC").tz_localize(None)
            month = stamp.to_period("M")
        starts.append(month.start_time)
    return pd.DatetimeIndex(starts).tz_localize("UTC").as_unit("us")


def cheapest_per_month(spans: pd.DataFrame, months: Iterable[object]) -> pd.DataFrame:
    """For each month, the cheapest row of ``spans`` whose ``[valid_from, valid_to)`` overlaps it.

    ``spans`` needs ``valid_from``, ``valid_to`` (NaT = still in force) and ``usd_per_mtok``;
    ties go to the row that sorts first by price, then by the order given. Returns the chosen
    rows with a ``month`` column (UTC month start) in front; months with no candidate are absent.
    """
    starts = _as_month_starts(months)
    if spans.empty or len(starts) == 0:
        return pd.DataFrame(columns=["month", *spans.columns])
    price = spans["usd_per_mtok"].map(float).to_numpy()
    order = sorted(range(len(spans)), key=lambda i: price[i])
    ordered = spans.iloc[order].reset_index(drop=True)
    valid_from = _utc_datetime64(ordered["valid_from"])
    valid_to = _utc_datetime64(ordered["valid_to"])  # NaT: still in force
    open_ended = np.isnat(valid_to)
    chosen, chosen_months = [], []
    ends = _utc_datetime64(starts + pd.offsets.MonthBegin(1))
    for start, start64, end64 in zip(starts, _utc_datetime64(starts), ends, strict=True):
        overlaps = (valid_from < end64) & (open_ended | (valid_to > start64))
        hits = overlaps.nonzero()[0]
        if len(hits):
            chosen.append(hits[0])
            chosen_months.append(start)
    if not chosen:
        return pd.DataFrame(columns=["month", *spans.columns])
    rows = ordered.iloc[chosen].reset_index(drop=True)
    rows.insert(0, "month", pd.DatetimeIndex(chosen_months))
    return rows


def _utc_datetime64(times: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Instants as plain UTC ``datetime64[us]`` (NaT kept), for comparisons over whole arrays."""
    return pd.DatetimeIndex(pd.to_datetime(times, utc=True)).tz_convert(None).to_numpy(dtype="datetime64[us]")


def cheapest_by_quality(
    intervals: pd.DataFrame,
    scores: pd.DataFrame,
    months: Iterable[object],
    benchmarks_thresholds: Sequence[tuple[str, float]],
    blends: Sequence[str],
) -> pd.DataFrame:
    """The ``cheapest_by_quality`` table: month x (benchmark, threshold) x blend.

    ``intervals`` is the ``price_intervals`` table (Decimal prices; ``is_free`` optional);
    ``scores`` has one ``score`` per ``model_id`` and ``benchmark`` (with its ``setting``,
    ``source_id`` and ``self_reported`` when given: they are published beside the cheapest
    model, so a self-reported score is marked wherever it sets a level); ``months`` are month
    starts (or anything in the month); ``benchmarks_thresholds`` pairs such as
    ``[("mmlu", 42), ("mmlu", 83)]``; ``blends`` such as ``["1:1", "3:1"]``.
    """
    missing = [c for c in _INTERVAL_COLUMNS if c not in intervals.columns]
    if missing:
        raise ValueError(f"price intervals lack columns {missing}")
    _check_scores(scores)
    month_index = _as_month_starts(months)
    usable = _priced_not_free(intervals)
    tables = []
    for benchmark, threshold in benchmarks_thresholds:
        carried = [c for c in _SCORE_COLUMNS if c in scores.columns]
        bench = scores.loc[scores["benchmark"] == benchmark, ["model_id", "score", *carried]].rename(columns=_SCORE_COLUMNS)
        qualifying = usable.merge(bench, on="model_id", how="inner")
        qualifying = qualifying[qualifying["score"].astype(float) >= float(threshold)]
        for blend in blends:
            spans = qualifying.assign(
                usd_per_mtok=[
                    blended_usd_per_mtok(Decimal(i), Decimal(o), blend)
                    for i, o in zip(qualifying["input_usd_per_mtok"], qualifying["output_usd_per_mtok"], strict=True)
                ]
            )
            spans = spans.sort_values(["model_id", "provider", "valid_from"], kind="mergesort")
            chosen = cheapest_per_month(spans, month_index)
            if chosen.empty:
                continue
            chosen["benchmark"] = benchmark
            chosen["threshold"] = float(threshold)
            chosen["blend"] = blend
            chosen["measure"] = TOKEN_MEASURE
            if "evidence" not in chosen.columns:
                chosen["evidence"] = None
            tables.append(chosen.reindex(columns=CHEAPEST_COLUMNS))
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=CHEAPEST_COLUMNS)
    table["month"] = pd.to_datetime(table["month"], utc=True).dt.as_unit("us")
    return table.sort_values(["benchmark", "threshold", "blend", "month"], kind="mergesort").reset_index(drop=True)


def _priced_not_free(intervals: pd.DataFrame) -> pd.DataFrame:
    """Intervals with both prices, neither negative, not flagged free and not both zero."""
    priced = intervals[intervals["input_usd_per_mtok"].notna() & intervals["output_usd_per_mtok"].notna()]
    if "is_free" in priced.columns:
        priced = priced[~priced["is_free"].fillna(False).astype(bool)]
    total = priced["input_usd_per_mtok"].map(Decimal) + priced["output_usd_per_mtok"].map(Decimal)
    return priced[total > 0]


def _check_scores(scores: pd.DataFrame) -> None:
    missing = [c for c in ("model_id", "benchmark", "score") if c not in scores.columns]
    if missing:
        raise ValueError(f"scores lack columns {missing}")
    duplicated = scores[scores.duplicated(["model_id", "benchmark"], keep=False)]
    if not duplicated.empty:
        pairs = sorted({(m, b) for m, b in zip(duplicated["model_id"], duplicated["benchmark"], strict=True)})
        raise ValueError(f"scores must hold one score per model and benchmark; several for {pairs[:5]}")
