"""Decline rate: ordinary least squares of log10(price) on time in years.

The slope of ``log10(usd_per_mtok)`` against time is the number of decades the price falls per
year, so ``factor_per_year = 10 ** -slope`` reads "N times cheaper each year". Its 90%
confidence interval comes from the slope's standard error and the t distribution with n - 2
degrees of freedom, the textbook interval for a simple regression (and the one Epoch AI's
study reports). Time is measured in Julian years of 365.25 days from the first point.

Fewer than :data:`MIN_POINTS` points give no fit, with the reason, rather than a number that
means nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
from scipy import stats

from llmflation.analyze.frontier import new_lowest_prices, points_from_intervals
from llmflation.schema import DECLINE_RATES

#: Below this many points a trend is not estimated (two points always fit perfectly).
MIN_POINTS = 4
#: Days per year when turning dates into a time axis (a Julian year).
DAYS_PER_YEAR = 365.25
#: Two-sided confidence level of the reported interval.
CONFIDENCE = 0.90

#: Columns of the published ``decline_rates`` table, in order (``reason`` is empty when fitted).
DECLINE_RATE_COLUMNS = DECLINE_RATES.column_names


@dataclass(frozen=True)
class DeclineFit:
    """The fitted trend of one price series; ``factor_per_year`` is None when ``reason`` says why."""

    n: int
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    factor_per_year: float | None = None
    ci90_low: float | None = None
    ci90_high: float | None = None
    r2: float | None = None
    slope_log10_per_year: float | None = None
    intercept_log10: float | None = None  # log10 price at ``start``, on the fitted line
    reason: str | None = None

    def predicted_usd_per_mtok(self, when: pd.Timestamp) -> float:
        """The fitted line's price at ``when`` (for drawing the trend)."""
        if self.slope_log10_per_year is None or self.intercept_log10 is None or self.start is None:
            raise ValueError(f"no fitted trend: {self.reason}")
        years = (pd.Timestamp(when) - self.start) / pd.Timedelta(days=DAYS_PER_YEAR)
        return float(10 ** (self.intercept_log10 + self.slope_log10_per_year * years))


def fit_decline(dates: Sequence[object] | pd.Series, usd_per_mtok: Sequence[object] | pd.Series) -> DeclineFit:
    """Fit log10(price) = a + b * years and report the decline factor per year.

    ``dates`` are anything ``pd.to_datetime`` reads (UTC when naive); ``usd_per_mtok`` are
    positive prices (Decimal or float). A price <= 0 is an error: a free price has no
    logarithm and never belongs in a price series.
    """
    when = pd.to_datetime(pd.Series(list(dates)), utc=True)
    prices = np.asarray([float(cast(float, p)) for p in usd_per_mtok], dtype=np.float64)
    if len(when) != len(prices):
        raise ValueError(f"{len(when)} dates but {len(prices)} prices")
    if np.isnan(prices).any():
        raise ValueError("a price in the series is missing (NaN)")
    if (prices <= 0).any():
        raise ValueError(f"prices must be > 0 to take their logarithm, got {prices[prices <= 0].tolist()}")
    n = len(prices)
    start = when.min() if n else None
    end = when.max() if n else None
    if n < MIN_POINTS:
        return DeclineFit(n=n, start=start, end=end, reason=f"fewer than {MIN_POINTS} points (n={n})")
    years = ((when - start) / pd.Timedelta(days=DAYS_PER_YEAR)).to_numpy(dtype=float)
    if np.ptp(years) == 0:
        return DeclineFit(n=n, start=start, end=end, reason="all points are on the same date")
    log_price = np.log10(prices)
    # Ordinary least squares, written out: the slope's standard error is what the interval needs.
    x_centred = years - years.mean()
    y_centred = log_price - log_price.mean()
    s_xx = float((x_centred**2).sum())
    slope = float((x_centred * y_centred).sum()) / s_xx
    intercept = float(log_price.mean() - slope * years.mean())
    residuals = y_centred - slope * x_centred
    sse = float((residuals**2).sum())
    ss_tot = float((y_centred**2).sum())
    standard_error = math.sqrt(sse / (n - 2) / s_xx)
    t_crit = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 2))
    half_width = t_crit * standard_error
    r2 = 1 - sse / ss_tot if ss_tot > 0 else math.nan  # undefined when every price is equal
    return DeclineFit(
        n=n,
        start=start,
        end=end,
        factor_per_year=10 ** -slope,
        ci90_low=10 ** -(slope + half_width),
        ci90_high=10 ** -(slope - half_width),
        r2=r2,
        slope_log10_per_year=slope,
        intercept_log10=intercept,
    )


def fit_row(fit: DeclineFit, *, benchmark: str, threshold: float, blend: str, method: str) -> dict[str, object]:
    """One row of the ``decline_rates`` table."""
    return {
        "benchmark": benchmark,
        "threshold": float(threshold),
        "blend": blend,
        "method": method,
        "start": fit.start,
        "end": fit.end,
        "n": fit.n,
        "factor_per_year": fit.factor_per_year,
        "ci90_low": fit.ci90_low,
        "ci90_high": fit.ci90_high,
        "r2": fit.r2,
        "reason": fit.reason,
    }


def decline_rates(
    cheapest_by_quality: pd.DataFrame,
    intervals: pd.DataFrame,
    scores: pd.DataFrame,
    benchmarks_thresholds: Sequence[tuple[str, float]],
    blends: Sequence[str],
) -> pd.DataFrame:
    """The ``decline_rates`` table: one fit per benchmark x threshold x blend x method.

    ``monthly`` fits the cheapest price of every month in ``cheapest_by_quality`` (a16z);
    ``frontier`` fits the new lowest prices among the ``intervals`` whose model reaches the
    threshold, each dated when its price took effect (Epoch AI). A series too short to fit
    still gets a row, with ``factor_per_year`` empty and the ``reason``.
    """
    rows = []
    points_of: dict[tuple[str, str], pd.DataFrame] = {}  # levels of one benchmark share its priced points
    for benchmark, threshold in benchmarks_thresholds:
        for blend in blends:
            level = cheapest_by_quality[
                (cheapest_by_quality["benchmark"] == benchmark)
                & (cheapest_by_quality["threshold"] == float(threshold))
                & (cheapest_by_quality["blend"] == blend)
            ]
            monthly = fit_decline(level["month"], level["usd_per_mtok"])
            rows.append(fit_row(monthly, benchmark=benchmark, threshold=threshold, blend=blend, method="monthly"))
            if (benchmark, blend) not in points_of:
                points_of[(benchmark, blend)] = points_from_intervals(intervals, scores, benchmark, blend)
            points = points_of[(benchmark, blend)]
            series = new_lowest_prices(points, float(threshold))
            frontier = fit_decline(series["date"], series["usd_per_mtok"])
            rows.append(fit_row(frontier, benchmark=benchmark, threshold=threshold, blend=blend, method="frontier"))
    table = pd.DataFrame(rows, columns=DECLINE_RATE_COLUMNS)
    for column in ("start", "end"):
        table[column] = pd.to_datetime(table[column], utc=True).dt.as_unit("us")
    return table


def rate_for(
    decline_rates: pd.DataFrame, benchmark: str, threshold: float, blend: str, method: str
) -> pd.Series | None:
    """The ``decline_rates`` row of one level, blend and method, or None when there is none."""
    rows = decline_rates[
        (decline_rates["benchmark"] == benchmark)
        & (decline_rates["threshold"] == float(threshold))
        & (decline_rates["blend"] == blend)
        & (decline_rates["method"] == method)
    ]
    return rows.iloc[0] if len(rows) else None


def format_r2(value: object) -> str:
    """r² to two decimals; "n/a" when undefined (every price in the series is the same)."""
    return "n/a" if value is None or pd.isna(value) else f"{value:.2f}"
