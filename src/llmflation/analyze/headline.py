"""The headline of a run, as text: for each quality level, the price then and now, and how fast it falls.

One line per benchmark x threshold x blend, for ``llmflation report`` and the run report::

    MMLU ≥ 42, 1:1 blend: $60 per 1M tokens in Nov 2021 (gpt-3-davinci at openai) -> $0.06 in
    Jun 2025 (llama-3.2-3b at together), 1000x cheaper; monthly fit 11.8x cheaper per year
    (90% CI 9.5-14.8x, n=44, r² 0.89); frontier fit 11.2x per year (90% CI 5.4-23.4x, n=7, r² 0.90)
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from llmflation.analyze.chart import level_label
from llmflation.analyze.fit import format_r2, rate_for
from llmflation.analyze.pertask import PER_TASK, side_by_side

#: The methods quoted on a headline line, in this order, when ``decline_rates`` has them.
METHODS = ("monthly", "frontier")


def newest_evidence(price_intervals: pd.DataFrame) -> pd.Timestamp | None:
    """The newest evidence of any price (``last_seen``: a capture, or a reference row's last confirmation).

    The series says nothing about months after it but what the evidence horizon lets a price
    carry: "data to" this date, not to the day the release was built.
    """
    if price_intervals.empty or price_intervals["last_seen"].isna().all():
        return None
    return pd.Timestamp(price_intervals["last_seen"].max())


def headline_lines(cheapest_by_quality: pd.DataFrame, decline_rates: pd.DataFrame,
                   data_to: pd.Timestamp | None = None) -> list[str]:
    """One plain-text line per quality level and blend, after "Data to <newest evidence>" when given;
    an empty table gives one line saying so."""
    lines = [f"Data to {data_to:%Y-%m-%d} (the newest price evidence)"] if data_to is not None else []
    if cheapest_by_quality.empty:
        return [*lines, "No model reaches any configured quality level in the months analysed."]
    token_rows = cheapest_by_quality[cheapest_by_quality["blend"] != PER_TASK]  # per_task: its own lines, below
    levels = token_rows.sort_values(["benchmark", "threshold", "blend", "month"], kind="mergesort")
    for (benchmark, threshold, blend), level in levels.groupby(["benchmark", "threshold", "blend"], sort=False):
        first, last = level.iloc[0], level.iloc[-1]
        then_price, now_price = Decimal(first["usd_per_mtok"]), Decimal(last["usd_per_mtok"])
        change = _change(then_price, now_price)
        text = (
            f"{level_label(benchmark, threshold)}, {blend} blend: {_money(then_price)} per 1M tokens in "
            f"{first['month']:%b %Y} ({_offer(first)}) -> {_money(now_price)} in {last['month']:%b %Y} "
            f"({_offer(last)}), {change}"
        )
        rates = {method: rate_for(decline_rates, benchmark, threshold, blend, method) for method in METHODS}
        fits = [_fit_text(rate, method) for method, rate in rates.items() if rate is not None]
        lines.append("; ".join([text, *fits]))
    return [*lines, *side_by_side(cheapest_by_quality, decline_rates)]


def _fit_text(rate: pd.Series, method: str) -> str:
    if pd.isna(rate["factor_per_year"]):
        return f"{method} fit: none ({rate['reason']})"
    return (
        f"{method} fit {rate['factor_per_year']:.3g}x cheaper per year "
        f"(90% CI {rate['ci90_low']:.3g}-{rate['ci90_high']:.3g}x, n={int(rate['n'])}, r\u00b2 {format_r2(rate['r2'])})"
    )


def _change(then_price: Decimal, now_price: Decimal) -> str:
    if now_price == then_price:
        return "unchanged"
    if now_price < then_price:
        return f"{_ratio(then_price / now_price)} cheaper"
    return f"{_ratio(now_price / then_price)} dearer"


def _ratio(ratio: Decimal) -> str:
    """1000x, 62.5x, 1.5x: whole numbers from 100 up, three significant figures below."""
    return f"{ratio:,.0f}x" if ratio >= 100 else f"{float(ratio):.3g}x"


def _offer(row: pd.Series) -> str:
    """``llama-3.2-3b at together``, with ``; self-reported score 63.4`` when the level rests on the creator's claim."""
    provider = row.get("provider")
    offer = str(row["model_id"]) if provider is None or pd.isna(provider) or provider == "" else f"{row['model_id']} at {provider}"
    claimed = row.get("score_self_reported")
    if claimed is not None and not pd.isna(claimed) and bool(claimed):
        offer += f"; self-reported score {float(row['score']):g}"
    return offer


def _money(price: Decimal) -> str:
    """$60, $2.5, $0.06, $1,250: three significant figures below $1000, whole dollars above."""
    if price >= 1000:
        return f"${price:,.0f}"
    return f"${float(price):.3g}"
