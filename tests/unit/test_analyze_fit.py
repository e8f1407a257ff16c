"""The decline fit on series whose answers are known exactly."""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd
import pytest

from llmflation.analyze.fit import DAYS_PER_YEAR, decline_rates, fit_decline

START = pd.Timestamp("2020-01-01", tz="UTC")


def years(*offsets: float) -> list[pd.Timestamp]:
    return [START + pd.Timedelta(days=DAYS_PER_YEAR * k) for k in offsets]


def test_tenfold_cheaper_each_year_is_a_factor_of_ten_with_r2_one() -> None:
    fit = fit_decline(years(0, 1, 2, 3), [Decimal("100"), Decimal("10"), Decimal("1"), Decimal("0.1")])

    assert fit.factor_per_year == pytest.approx(10, rel=1e-12)
    assert fit.r2 == pytest.approx(1, rel=1e-12)
    assert fit.ci90_low == pytest.approx(10, rel=1e-9) and fit.ci90_high == pytest.approx(10, rel=1e-9)
    assert (fit.n, fit.start, fit.end, fit.reason) == (4, START, years(3)[0], None)
    assert fit.predicted_usd_per_mtok(years(1.5)[0]) == pytest.approx(10**0.5, rel=1e-9)


def test_interval_is_the_t_interval_with_n_minus_2_degrees_of_freedom() -> None:
    # log10 prices 2, 1, 1, 0 at years 0..3: slope -0.6, SSE 0.2, Sxx 5, so se = sqrt(0.1 / 5),
    # and t(0.95, 2 df) = 2.919986 from any t table: the 90% interval is 10 ** (0.6 -/+ t * se).
    fit = fit_decline(years(0, 1, 2, 3), [100, 10, 10, 1])

    half_width = 2.919986 * math.sqrt(0.02)
    assert fit.factor_per_year == pytest.approx(10**0.6, rel=1e-12)
    assert fit.ci90_low == pytest.approx(10 ** (0.6 - half_width), rel=1e-6)
    assert fit.ci90_high == pytest.approx(10 ** (0.6 + half_width), rel=1e-6)
    assert fit.r2 == pytest.approx(0.9, rel=1e-12)


def test_rising_prices_give_a_factor_below_one() -> None:
    fit = fit_decline(years(0, 1, 2, 3), [1, 2, 4, 8])

    assert fit.factor_per_year == pytest.approx(0.5, rel=1e-12)


@pytest.mark.parametrize(
    ("dates", "prices", "reason"),
    [
        (years(0, 1, 2), [100, 10, 1], "fewer than 4 points (n=3)"),
        ([], [], "fewer than 4 points (n=0)"),
        (years(0, 0, 0, 0), [4, 3, 2, 1], "all points are on the same date"),
    ],
)
def test_no_fit_says_why(dates: list[pd.Timestamp], prices: list[float], reason: str) -> None:
    fit = fit_decline(dates, prices)

    assert fit.factor_per_year is None and fit.ci90_low is None and fit.r2 is None
    assert fit.reason == reason
    with pytest.raises(ValueError, match="no fitted trend"):
        fit.predicted_usd_per_mtok(START)


def test_free_or_missing_prices_are_errors() -> None:
    with pytest.raises(ValueError, match="must be > 0"):
        fit_decline(years(0, 1, 2, 3), [10, 1, 0, 0.1])
    with pytest.raises(ValueError, match="missing"):
        fit_decline(years(0, 1, 2, 3), [10, 1, float("nan"), 0.1])
    with pytest.raises(ValueError, match="3 dates but 4 prices"):
        fit_decline(years(0, 1, 2), [10, 1, 0.5, 0.1])


def _intervals(rows: list[tuple[str, pd.Timestamp, pd.Timestamp | None, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "model_id": model,
                "provider": "p",
                "valid_from": start,
                "valid_to": end if end is not None else pd.NaT,
                "input_usd_per_mtok": Decimal(inp),
                "output_usd_per_mtok": Decimal(out),
                "is_free": False,
                "evidence": f"sha-{model}",
            }
            for model, start, end, inp, out in rows
        ]
    )


def test_decline_rates_fit_both_methods_and_explain_short_series() -> None:
    from llmflation.analyze.monthly import cheapest_by_quality, month_starts

    a, b, c, d = years(0, 1, 2, 3)
    intervals = _intervals(
        [("m100", a, None, "100", "100"), ("m10", b, None, "10", "10"), ("m1", c, None, "1", "1"), ("m01", d, None, "0.1", "0.1")]
    )
    scores = pd.DataFrame({"model_id": ["m100", "m10", "m1", "m01"], "benchmark": "mmlu", "score": [50.0, 60, 70, 80]})
    levels = [("mmlu", 42.0), ("mmlu", 75.0)]
    months = month_starts(a, d)
    cheapest = cheapest_by_quality(intervals, scores, months, levels, ["1:1"])

    table = decline_rates(cheapest, intervals, scores, levels, ["1:1"])

    assert table[["threshold", "method"]].values.tolist() == [
        [42.0, "monthly"], [42.0, "frontier"], [75.0, "monthly"], [75.0, "frontier"],
    ]
    frontier_42 = table.iloc[1]
    assert frontier_42["n"] == 4 and frontier_42["factor_per_year"] == pytest.approx(10, rel=1e-9)
    assert frontier_42["r2"] == pytest.approx(1, rel=1e-9)
    monthly_42 = table.iloc[0]
    assert monthly_42["n"] == len(months) == 36  # Jan 2020 .. Dec 2022 (the last price starts 2022-12-31)
    assert 5 < monthly_42["factor_per_year"] < 20
    short = table.iloc[3]
    assert short["n"] == 1 and pd.isna(short["factor_per_year"]) and short["reason"] == "fewer than 4 points (n=1)"
    assert str(table["start"].dtype) == "datetime64[us, UTC]"
