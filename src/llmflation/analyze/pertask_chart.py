"""The per-task line of ``llmflation.png``: the cheapest cost of a suite run beside the per-token price.

Drawn on a second, right-hand log axis of the benchmark's panel (USD per suite run, a different
unit from USD per 1M tokens), dotted, in the colour of the same level's per-token line, one line
per level that has a per-task series, with its own fitted decline in the legend. Per token and per task of the same level can then be
read side by side: a reasoning model can be cheap per token and dear per task.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from llmflation.analyze.fit import fit_decline

#: Colour of a per-task line whose level has no per-token line in the panel.
NO_LEVEL_COLOUR = "#555555"


def draw_per_task(axes, rows: pd.DataFrame, last_month: pd.Timestamp, colours: dict[float, str] | None = None) -> None:
    """Draw each level's cheapest USD per suite run on a twin axis of ``axes``, in ``colours[threshold]`` (the
    per-token line's colour); nothing when ``rows`` is empty."""
    if rows.empty:
        return
    twin = axes.twinx()
    end = last_month.tz_convert(None) + pd.offsets.MonthBegin(1)
    for threshold, level in rows.groupby("threshold", sort=True):
        colour = (colours or {}).get(float(threshold), NO_LEVEL_COLOUR)
        level = level.sort_values("month")
        months = [m.tz_convert(None) for m in pd.to_datetime(level["month"], utc=True)]
        costs = [float(c) for c in level["usd_per_suite_run"]]
        fit = fit_decline(level["month"], level["usd_per_suite_run"])
        trend = f"{fit.factor_per_year:.3g}\u00d7 cheaper per year" if fit.factor_per_year is not None else f"no trend: {fit.reason}"
        twin.step(months + [end], costs + [costs[-1]], where="post", color=colour, linewidth=1.8, linestyle=(0, (1, 1.5)),
                  label=f"\u2265 {threshold:g} per task (USD per suite run, right axis): {trend}", zorder=3)
    twin.set_yscale("log")
    twin.yaxis.set_major_locator(LogLocator(base=10))
    twin.yaxis.set_minor_formatter(NullFormatter())
    twin.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"${value:,g}"))
    twin.set_ylabel("USD per suite run (log scale, dotted)", color=NO_LEVEL_COLOUR)
    twin.spines["top"].set_visible(False)
    twin.legend(loc="lower left", frameon=False, fontsize=8)
