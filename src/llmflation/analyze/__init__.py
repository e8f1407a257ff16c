"""Analysis: from observed prices to the cheapest price per quality level and how fast it falls.

Pure functions over pandas DataFrames, one job per module:

- :mod:`~llmflation.analyze.observations`: the inputs of the intervals, from ``prices`` and the
  curated price history (one score per model and benchmark is chosen in :mod:`llmflation.scores`).
- :mod:`~llmflation.analyze.intervals`: observations -> half-open price intervals (and the
  captures that disagree with curated reference prices).
- :mod:`~llmflation.analyze.monthly`: intervals + scores -> cheapest model per month and
  quality level (a16z's method).
- :mod:`~llmflation.analyze.frontier`: the observations that set a new lowest price (Epoch AI's method).
- :mod:`~llmflation.analyze.fit`: OLS of log10 price on time -> decline factor per year, 90% CI.
- :mod:`~llmflation.analyze.pertask`: token usage x prices in force -> cost per suite run, the
  ``per_task`` measure of the cheapest per level and its fits (:mod:`~llmflation.analyze.pertask_chart` draws it).
- :mod:`~llmflation.analyze.chart`: ``llmflation.png``.
- :mod:`~llmflation.analyze.headline`: the text of ``llmflation report``.
- :mod:`~llmflation.analyze.trend`: the same analysis on a user's own CSV (``llmflation trend``).
"""

from llmflation.analyze.chart import render_chart
from llmflation.analyze.fit import decline_rates, fit_decline
from llmflation.analyze.frontier import new_lowest_prices
from llmflation.analyze.headline import headline_lines, newest_evidence
from llmflation.analyze.intervals import Disagreement, PriceIntervals, price_intervals
from llmflation.analyze.monthly import cheapest_by_quality, month_starts
from llmflation.analyze.observations import capture_observations, reference_observations, source_captures
from llmflation.analyze.trend import TrendInputError, trend_from_csv, trend_text

__all__ = [
    "Disagreement",
    "PriceIntervals",
    "TrendInputError",
    "capture_observations",
    "cheapest_by_quality",
    "decline_rates",
    "fit_decline",
    "headline_lines",
    "month_starts",
    "new_lowest_prices",
    "newest_evidence",
    "price_intervals",
    "reference_observations",
    "render_chart",
    "source_captures",
    "trend_from_csv",
    "trend_text",
]
