"""``llmflation.png``: the cheapest price per 1M tokens at each quality level, month by month.

Price on a log scale against month, one step line per quality level (the price holds until
the cheapest model changes), the fitted trend dashed and labelled with its factor per year and
90% interval, and the model at each step named. Drawn with matplotlib's Agg canvas directly
(no pyplot, no display, no global state), so it works in a nightly job and in tests.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import cast

import matplotlib.dates as mdates
from matplotlib import patheffects
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from llmflation.analyze.fit import fit_decline, rate_for
from llmflation.analyze.pertask_chart import draw_per_task
from llmflation.benchmarks import label

log = logging.getLogger(__name__)

#: Marks a model whose score at the level is its creator's own claim (the footer says so).
SELF_REPORTED_MARK = "*"
#: Colour-blind-safe palette (Okabe-Ito), one colour per quality level.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]


def level_label(benchmark: str, threshold: float) -> str:
    """"MMLU ≥ 42" for a benchmark id and threshold."""
    return f"{label(benchmark)} \u2265 {threshold:g}"


def render_chart(
    cheapest_by_quality: pd.DataFrame,
    decline_rates: pd.DataFrame,
    path: str | Path,
    *,
    blend: str = "1:1",
    method: str = "monthly",
    data_to: pd.Timestamp | None = None,
    per_task: pd.DataFrame | None = None,
) -> Path:
    """Draw the chart of ``cheapest_by_quality`` for one ``blend`` and write it as PNG to ``path``.

    The trend of each level is the ``method`` fit of that level's monthly series; its label
    quotes the matching ``decline_rates`` row (or the reason there is no fit). The footer says
    "data to" ``data_to`` (the newest price evidence), else the last month shown. ``per_task``: the
    ``per_task`` rows of ``cheapest_by_quality``, drawn beside the per-token line of the same level
    (:mod:`.pertask_chart`). Returns the path.
    """
    table = cheapest_by_quality[cheapest_by_quality["blend"] == blend]
    if table.empty:
        raise ValueError(f"cheapest_by_quality has no rows for blend {blend!r}")
    levels = table[["benchmark", "threshold"]].drop_duplicates().sort_values(["benchmark", "threshold"])
    benchmarks = list(dict.fromkeys(levels["benchmark"]))
    # one panel per benchmark (MMLU, ECI, GPQA Diamond...), sharing the time axis: seven levels on
    # one plot bury each other's labels, and thresholds of different benchmarks do not compare
    height = 6.6 if len(benchmarks) == 1 else 1.4 + 3.4 * len(benchmarks)
    figure = Figure(figsize=(11, height), dpi=150, layout="constrained")
    FigureCanvasAgg(figure)
    panels = figure.subplots(len(benchmarks), 1, sharex=True, squeeze=False)[:, 0]
    last_month = table["month"].max()
    data_to_label = f"{data_to:%d %b %Y}" if data_to is not None else f"{last_month:%b %Y}"
    colours = iter(COLOURS * 4)
    labels_per_panel = []
    for axes, benchmark in zip(panels, benchmarks, strict=True):
        labels = []
        level_colours: dict[float, str] = {}
        for threshold in levels.loc[levels["benchmark"] == benchmark, "threshold"]:
            level = table[(table["benchmark"] == benchmark) & (table["threshold"] == threshold)].sort_values("month")
            rate = rate_for(decline_rates, benchmark, threshold, blend, method)
            level_colours[float(threshold)] = next(colours)
            labels.extend(_draw_level(axes, level, rate, level_colours[float(threshold)], last_month))
        labels_per_panel.append(labels)
        if per_task is not None and len(per_task):
            draw_per_task(axes, per_task[per_task["benchmark"] == benchmark], last_month, level_colours)
    for axes in panels:  # once every panel has its data, so the shared time axis spans all of it
        _style(axes, figure, blend, last_month, data_to_label, first=axes is panels[0])
    figure.canvas.draw()  # lay the panels out once; labels are then placed on a fixed layout
    figure.set_layout_engine("none")
    for axes, labels in zip(panels, labels_per_panel, strict=True):
        _place_labels(figure, axes, labels)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", facecolor="white")
    log.info("chart written to %s (%d quality levels, blend %s)", path, len(levels), blend)
    return path


def _is_true(value: object) -> bool:
    return value is not None and not pd.isna(value) and bool(value)


def _trend_text(rate: pd.Series | None) -> str:
    if rate is None:
        return "no trend fitted"
    if pd.isna(rate["factor_per_year"]):
        return f"no trend: {rate.get('reason') or 'not enough points'}"
    return (
        f"{rate['factor_per_year']:.3g}\u00d7 cheaper per year "
        f"(90% CI {rate['ci90_low']:.3g}\u2013{rate['ci90_high']:.3g}\u00d7)"
    )


def _draw_level(
    axes, level: pd.DataFrame, rate: pd.Series | None, colour: str, last_month: pd.Timestamp
) -> list[tuple[str, pd.Timestamp, float, str]]:
    """Draw one level's steps and trend; return the step labels to place: (text, month, price, colour)."""
    months = [m.tz_convert(None) for m in pd.to_datetime(level["month"], utc=True)]
    prices = [float(p) for p in level["usd_per_mtok"]]
    end = last_month.tz_convert(None) + pd.offsets.MonthBegin(1)
    label = f"{level_label(level['benchmark'].iloc[0], level['threshold'].iloc[0])}: {_trend_text(rate)}"
    axes.step(months + [end], prices + [prices[-1]], where="post", color=colour, linewidth=2.2, label=label, zorder=3)
    fit = fit_decline(level["month"], level["usd_per_mtok"])
    if fit.factor_per_year is not None:
        span = pd.date_range(fit.start, fit.end + pd.offsets.MonthBegin(1), periods=50)
        axes.plot(
            [t.tz_convert(None) for t in span],
            [fit.predicted_usd_per_mtok(t) for t in span],
            linestyle=(0, (5, 4)),
            color=colour,
            linewidth=1.4,
            alpha=0.9,
            zorder=2,
        )
    labels = _step_labels(level, months, prices, colour)
    axes.plot([x for _, x, _, _ in labels], [y for _, _, y, _ in labels], "o", markersize=3.5, color=colour, zorder=4)
    return labels


def _step_labels(
    level: pd.DataFrame, months: list[pd.Timestamp], prices: list[float], colour: str
) -> list[tuple[str, pd.Timestamp, float, str]]:
    """One label where the cheapest offer changes: model (provider) and price, or the new price alone.

    A model at the level on its creator's own score is marked ``*`` (explained in the footer).
    """
    labels = []
    previous: tuple[object, object, float] | None = None
    claimed = level["score_self_reported"] if "score_self_reported" in level.columns else [None] * len(level)
    for when, price, model, provider, own in zip(months, prices, level["model_id"], level["provider"], claimed, strict=True):
        if previous == (model, provider, price):
            continue
        mark = SELF_REPORTED_MARK if _is_true(own) else ""
        if previous is not None and previous[:2] == (model, provider):
            text = f"${price:.3g}"
        elif provider is None or pd.isna(provider) or provider == "":
            text = f"{model}{mark} ${price:.3g}"
        else:
            text = f"{model}{mark} ({provider}) ${price:.3g}"
        previous = (model, provider, price)
        labels.append((text, when, price, colour))
    return labels


#: Where a step label may go relative to its point, in order of preference: (dx, dy) in
#: points and the text alignment. Above-right first, where a falling step line leaves room.
_PLACES = [
    ((4, 4), "left", "bottom"),
    ((4, -4), "left", "top"),
    ((-4, 4), "right", "bottom"),
    ((-4, -4), "right", "top"),
    ((4, 14), "left", "bottom"),
    ((4, -14), "left", "top"),
]


def _place_labels(figure: Figure, axes, labels: list[tuple[str, pd.Timestamp, float, str]]) -> None:
    """Put each label at the first place where it overlaps no label placed before it.

    Text sizes are only known once rendered, so each candidate is measured with the canvas
    renderer. A label that fits nowhere keeps the first place (rare; better than dropping it).
    """
    figure.canvas.draw()  # settles the layout and the axis limits the labels are measured against
    renderer = cast(FigureCanvasAgg, figure.canvas).get_renderer()
    taken: list[Bbox] = []
    for text, when, price, colour in labels:
        annotation = axes.annotate(
            text,
            xy=(when, price),
            xytext=_PLACES[0][0],
            textcoords="offset points",
            fontsize=7.5,
            color=colour,
            zorder=5,
            path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
        )
        annotation.set_in_layout(False)  # labels must not move the axes once measured
        for offset, ha, va in [*_PLACES, _PLACES[0]]:
            annotation.set_position(offset)
            annotation.set_horizontalalignment(ha)
            annotation.set_verticalalignment(va)
            box = annotation.get_window_extent(renderer).expanded(1.02, 1.1)
            if not any(box.overlaps(other) for other in taken):
                break
        taken.append(annotation.get_window_extent(renderer))


def _style(axes, figure: Figure, blend: str, last_month: pd.Timestamp, data_to: str, first: bool = True) -> None:
    """Scales, grid and legend of one panel; the titles and the footer ("data to" ``data_to``) once, with the first panel."""
    axes.set_yscale("log")
    axes.yaxis.set_major_locator(LogLocator(base=10))
    axes.yaxis.set_minor_formatter(NullFormatter())
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"${value:,g}"))
    axes.xaxis.set_major_locator(mdates.YearLocator())
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    axes.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(4, 7, 10)))
    axes.grid(True, which="major", color="#dddddd", linewidth=0.8)
    axes.grid(True, which="minor", axis="x", color="#f0f0f0", linewidth=0.6)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_xlim(right=last_month.tz_convert(None) + pd.DateOffset(months=7))  # room for the last labels
    axes.set_ylabel("USD per 1M tokens (log scale)")
    axes.legend(loc="upper right", frameon=False, fontsize=9)
    if not first:
        return
    figure.suptitle("The cheapest LLM that reaches each quality level, month by month", fontsize=14, x=0.01, ha="left")
    axes.set_title(
        f"Price per 1M tokens at a {blend} input:output blend; dashed: fitted trend (OLS of log price on time)",
        fontsize=9.5,
        loc="left",
        color="#555555",
    )
    figure.supxlabel(  # the figure's footer, below every panel (an axes annotation would stretch the first)
        f"llmflation \u00b7 data to {data_to} \u00b7 every price traced to a capture or a cited source"
        f" \u00b7 {SELF_REPORTED_MARK} score self-reported by the model's creator",
        x=0.005,
        ha="left",
        fontsize=7.5,
        color="#777777",
    )
