"""Bring your own observations: the same decline analysis on any CSV of prices and scores.

The table needs columns ``model``, ``date`` (``YYYY-MM-DD`` or ``YYYY-MM``) and either
``usd_per_mtok`` (a price already blended, used as given) or ``input_usd_per_mtok`` and
``output_usd_per_mtok`` (blended here, ``3:1`` by default), plus benchmark columns named
freely. Each row is one price observation: the price of that model from that date on.

Rows missing the benchmark or the price are skipped and counted, never silently dropped; so
are rows with a price of zero (free) and rows the user excludes. Epoch AI's study left its
reasoning models (o1, o1-mini, o1-preview, o3-mini, DeepSeek-R1) out of the fits; the same is
done here with ``exclude=[...]`` (model names) or ``exclude_column="reasoning"`` (a boolean
column: rows where it is true are left out).

Methods: ``frontier`` fits the observations that set a new lowest price (Epoch AI);
``monthly`` fits the cheapest price in force in each month (a16z), a model's price holding
from its row's date until that model's next row.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd

from llmflation.analyze.fit import fit_decline, format_r2
from llmflation.analyze.frontier import new_lowest_prices
from llmflation.analyze.monthly import cheapest_per_month, month_starts
from llmflation.normalize import blended_usd_per_mtok, parse_blend

log = logging.getLogger(__name__)

METHODS = ("frontier", "monthly")
#: Written in the JSON ``blend`` field when the table's ``usd_per_mtok`` is used as given.
AS_GIVEN = "as given"
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}


class TrendInputError(ValueError):
    """The CSV cannot be analysed as asked (missing column, bad date, unknown method)."""


def trend_from_csv(
    path: str | Path,
    benchmark: str,
    threshold: float,
    method: str = "frontier",
    blend: str = "3:1",
    exclude: Iterable[str] | None = None,
    exclude_column: str | None = None,
) -> dict[str, object]:
    """Decline rate of the cheapest price at ``benchmark >= threshold`` in the CSV at ``path``.

    Returns the ``llmflation trend --json`` document: ``benchmark``, ``threshold``, ``method``,
    ``blend``, ``n``, ``factor_per_year``, ``ci90`` ([low, high]), ``r2``, ``start``, ``end``,
    ``points`` (``date``, ``model``, ``usd_per_mtok``, ``score``), plus ``reason`` (why there
    is no fit, else null) and ``skipped`` (rows left out, counted by reason).
    """
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise TrendInputError(f"{path}: cannot read as CSV: {exc}") from exc
    return trend_from_table(
        table,
        benchmark,
        threshold,
        method=method,
        blend=blend,
        exclude=exclude,
        exclude_column=exclude_column,
        name=str(path),
    )


def trend_from_table(
    table: pd.DataFrame,
    benchmark: str,
    threshold: float,
    *,
    method: str = "frontier",
    blend: str = "3:1",
    exclude: Iterable[str] | None = None,
    exclude_column: str | None = None,
    name: str = "table",
) -> dict[str, object]:
    """:func:`trend_from_csv` on a table already read (all columns as strings)."""
    if method not in METHODS:
        raise TrendInputError(f"method must be one of {METHODS}, got {method!r}")
    try:
        parse_blend(blend)
    except ValueError as exc:
        raise TrendInputError(str(exc)) from exc
    points, skipped, blend_used = _observations(table, benchmark, blend, exclude, exclude_column, name)
    if method == "frontier":
        series = new_lowest_prices(points, threshold)
    else:
        series = _monthly_series(points, threshold)
    fit = fit_decline(series["date"], series["usd_per_mtok"])
    return {
        "benchmark": benchmark,
        "threshold": float(threshold),
        "method": method,
        "blend": blend_used,
        "n": fit.n,
        "factor_per_year": fit.factor_per_year,
        "ci90": [fit.ci90_low, fit.ci90_high],
        "r2": None if fit.r2 is None or math.isnan(fit.r2) else fit.r2,  # NaN when every price is equal
        "start": _day(fit.start),
        "end": _day(fit.end),
        "reason": fit.reason,
        "skipped": dict(sorted(skipped.items())),
        "points": [
            {
                "date": _day(row.date),
                "model": row.model,
                "usd_per_mtok": float(row.usd_per_mtok),
                "score": float(row.score),
            }
            for row in series.itertuples(index=False)
        ],
    }


def _observations(
    table: pd.DataFrame,
    benchmark: str,
    blend: str,
    exclude: Iterable[str] | None,
    exclude_column: str | None,
    name: str,
) -> tuple[pd.DataFrame, Counter[str], str]:
    """Rows turned into (date, model, usd_per_mtok, score) observations, and the skip counts."""
    table = table.rename(columns=lambda c: str(c).strip())
    has_pair = {"input_usd_per_mtok", "output_usd_per_mtok"} <= set(table.columns)
    required = ["model", "date", benchmark]
    missing = [c for c in required if c not in table.columns]
    if not has_pair and "usd_per_mtok" not in table.columns:
        missing.append("usd_per_mtok (or input_usd_per_mtok and output_usd_per_mtok)")
    if exclude_column is not None and exclude_column not in table.columns:
        missing.append(exclude_column)
    if missing:
        raise TrendInputError(f"{name}: missing column(s) {', '.join(missing)}; it has {list(table.columns)}")
    excluded_models = {m.strip() for m in exclude or () if m.strip()}
    skipped: Counter[str] = Counter()
    rows = []
    for line, record in enumerate(table.to_dict("records"), start=2):  # line 1 is the header
        model = str(record["model"]).strip()
        if model in excluded_models:
            skipped["excluded model"] += 1
            continue
        if exclude_column is not None and _truthy(record[exclude_column], exclude_column, name, line):
            skipped[f"excluded by {exclude_column}"] += 1
            continue
        score = _number(record[benchmark], benchmark, name, line)
        if score is None:
            skipped["missing benchmark"] += 1
            continue
        price = _price(record, has_pair, blend, name, line)
        if price is None:
            skipped["missing price"] += 1
            continue
        if price <= 0:
            skipped["free (price 0)"] += 1
            continue
        rows.append({"date": _date(record["date"], name, line), "model": model, "usd_per_mtok": price, "score": float(score)})
    for reason, count in sorted(skipped.items()):
        log.info("%s: skipped %d row(s): %s", name, count, reason)
    points = pd.DataFrame(rows, columns=["date", "model", "usd_per_mtok", "score"])
    points["date"] = pd.to_datetime(points["date"], utc=True)
    return points, skipped, blend if has_pair else AS_GIVEN


def _price(record: dict[str, str], has_pair: bool, blend: str, name: str, line: int) -> Decimal | None:
    if has_pair:
        input_price = _number(record["input_usd_per_mtok"], "input_usd_per_mtok", name, line)
        output_price = _number(record["output_usd_per_mtok"], "output_usd_per_mtok", name, line)
        if input_price is not None and output_price is not None:
            return blended_usd_per_mtok(input_price, output_price, blend)
        if "usd_per_mtok" not in record:
            return None
    return _number(record["usd_per_mtok"], "usd_per_mtok", name, line)


def _number(text: object, column: str, name: str, line: int) -> Decimal | None:
    """A Decimal from a cell; None for an empty cell; an error naming the cell otherwise."""
    cell = str(text).strip().lstrip("$").replace(",", "")
    if cell == "" or cell.lower() in {"nan", "na", "n/a", "null", "none", "-"}:
        return None
    try:
        value = Decimal(cell)
    except InvalidOperation as exc:
        raise TrendInputError(f"{name} line {line}: {column} is not a number: {text!r}") from exc
    if not value.is_finite():
        raise TrendInputError(f"{name} line {line}: {column} is not a finite number: {text!r}")
    if value < 0:
        raise TrendInputError(f"{name} line {line}: {column} is negative: {text!r}")
    return value


def _date(text: object, name: str, line: int) -> pd.Timestamp:
    cell = str(text).strip()
    for fmt in ("%Y-%m-%d", "%Y-%m"):
        try:
            return pd.to_datetime(cell, format=fmt, utc=True)
        except ValueError:
            continue
    raise TrendInputError(f"{name} line {line}: date must be YYYY-MM-DD or YYYY-MM, got {text!r}")


def _truthy(text: object, column: str, name: str, line: int) -> bool:
    cell = str(text).strip().lower()
    if cell in _TRUE:
        return True
    if cell in _FALSE:
        return False
    raise TrendInputError(f"{name} line {line}: {column} must be true/false (or 1/0, yes/no), got {text!r}")


def _monthly_series(points: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """The cheapest qualifying price in force in each month, dated at the month's start.

    A row's price holds from its date until the same model's next row; a row below the
    threshold still ends that model's previous price. Months run from the first qualifying
    observation to the month of the table's last date.
    """
    if points.empty:
        return points
    spans = points.sort_values(["model", "date"], kind="mergesort").copy()
    spans["valid_from"] = spans["date"]
    spans["valid_to"] = spans.groupby("model")["date"].shift(-1)
    spans = spans[spans["score"] >= threshold]
    if spans.empty:
        return spans[["date", "model", "usd_per_mtok", "score"]]
    months = month_starts(spans["valid_from"].min(), points["date"].max())
    chosen = cheapest_per_month(spans.sort_values(["date", "model"], kind="mergesort"), months)
    chosen["date"] = chosen["month"]
    return chosen[["date", "model", "usd_per_mtok", "score"]].reset_index(drop=True)


def _day(value: object) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def trend_text(result: dict[str, Any]) -> list[str]:
    """The result of :func:`trend_from_csv` as lines for a terminal (``llmflation trend`` without ``--json``)."""
    level = f"{result['benchmark']} >= {result['threshold']:g}, {result['method']} method, blend {result['blend']}"
    lines = [level]
    if result["factor_per_year"] is None:
        lines.append(f"no fit: {result['reason']}")
    else:
        low, high = result["ci90"]
        lines.append(
            f"{result['factor_per_year']:.3g}x cheaper per year (90% CI {low:.3g}-{high:.3g}x), "
            f"r2 {format_r2(result['r2'])}, n={result['n']}, {result['start']} to {result['end']}"
        )
    for point in result["points"]:
        lines.append(f"  {point['date']}  ${point['usd_per_mtok']:<10.4g} {point['model']} ({point['score']:g})")
    skipped = result["skipped"]
    if skipped:
        lines.append("skipped rows: " + ", ".join(f"{reason} {count}" for reason, count in skipped.items()))
    return lines
