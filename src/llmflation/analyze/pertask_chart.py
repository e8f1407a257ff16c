"""The per-task line of ``llmflation.png``: the cheapest cost of a suite run beside the per-token price.

Drawn on a second, right-hand log axis of the benchmark's panel (USD per suite run, a different
unit from USD per 1M tokens), dotted and in grey, one line per level that has a per-task series,
with its own fitted decline in the legend. Per token and per task of the same level can then be
read side by side: a reasoning model can be cheap per token and dear per task.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from llmflation.analyze.fit import fit_decline

#: Greys for the per-task lines (the per-token lines keep the colours).
GREYS = ["#444444", "#888888", "#222222", "#aaaaaa"]


def draw_per_task(axes, rows: pd.DataFrame, last_month: pd.Timestamp) -> None:
    """Draw each level's cheapest USD per suite run on a twin axis of ``axes``; nothing when ``rows`` is empty."""
    if rows.empty:
        return
    twin = axes.twinx()
    end = last_month.tz_convert(None) + pd.offsets.MonthBegin(1)
    for grey, (threshold, level) in zip(GREYS * 4, rows.groupby("threshold", sort=True)):
        level = level.sort_values("month")
        months = [m.tz_convert(None) for m in pd.to_datetime(level["month"], utc=True)]
        costs = [float(c) for c in level["usd_per_suite_run"]]
        fit = fit_decline(level["month"], level["usd_per_suite_run"])
        trend = f"{fit.factor_per_year:.3g}\u00d7 cheaper per year" if fit.factor_per_year is not None else f"no trend: {fit.reason}"
        twin.step(months + [end], costs + [costs[-1]], where="post", color=grey, linewidth=1.8, linestyle=(0, (1, 1.5)),
                  label=f"\u2265 {threshold:g} per task (USD per suite run, right axis): {trend}", zorder=3)
    twin.set_yscale("log")
    twin.yaxis.set_major_locator(LogLocator(base=10))
    twin.yaxis.set_minor_formatter(NullFormatter())
    twin.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"${value:,g}"))
    twin.set_ylabel("USD per suite run (log scale, dotted)", color="#555555")
    twin.spines["top"].set_visible(False)
    twin.legend(loc="lower left", frameon=False, fontsize=8)
