"""Price changes: one row per change of a model's price at a provider, with the evidence before and after.

Two kinds of evidence, each read along its own series:

- **captures** (the ``prices`` table): a series is one (source, provider, model_key, tier,
  quantization). Its rows are the versions of the listing in the order they were first
  observed; a version whose input or output price differs from the one before is a change.
  The change was first seen at the new version's first capture (``observed_at``, its URL and
  sha256); the old price was last seen at ``last_observed_at`` of the previous version, whose
  capture (URL, sha256) is looked up in ``captures``, the index of every parsed capture (a row
  kept from the last release whose last capture no longer parses falls back to its first capture).
- **curated** price history (``data/reference/prices.csv``): a series is one (model, provider,
  model_key); consecutive rows in ``valid_from`` order with different prices are a change on the
  later row's ``valid_from``, each side's evidence the URL its row cites.

Only prices that differ make a row: the same price seen again (another capture, another night)
is not a change. A model that disappears and comes back at another price is a change at its
return. Prices are compared exactly (decimals); the published columns are float64.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from llmflation.frames import column_values
from llmflation.schema import PRICE_CHANGES

#: The columns of the index of parsed captures :func:`price_changes` looks the old evidence up in.
CAPTURE_INDEX_COLUMNS = ["source_id", "capture_url", "observed_at", "capture_sha256"]

log = logging.getLogger(__name__)


def price_changes(prices: pd.DataFrame, captures: pd.DataFrame, reference_prices: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``price_changes`` table from captured prices and, when given, the curated price history.

    ``prices``: the ``prices`` table (``observed_at``, ``last_observed_at``, the series columns,
    decimal ``input_usd_per_mtok`` / ``output_usd_per_mtok``, ``capture_url``, ``capture_sha256``).
    ``captures``: one row per parsed capture, columns :data:`CAPTURE_INDEX_COLUMNS`.
    ``reference_prices``: the curated ``prices.csv`` as loaded (``model_id``, ``provider``,
    ``model_key``, ``valid_from``, prices, ``source_url``).
    """
    rows = _capture_changes(prices, captures) if len(prices) else []
    if reference_prices is not None and len(reference_prices):
        rows.extend(_reference_changes(reference_prices))
    table = pd.DataFrame(rows, columns=PRICE_CHANGES.column_names)
    for column in ("changed_at", "old_last_seen_at"):
        table[column] = pd.to_datetime(table[column], utc=True).dt.as_unit("us")
    return table.sort_values(list(PRICE_CHANGES.sort_by), kind="stable").reset_index(drop=True)


#: Columns of ``prices`` a capture change reads (the other columns are not needed: converting them is most of the time).
_CAPTURE_COLUMNS = ["source_id", "provider", "model_key", "tier", "quantization", "model_id", "observed_at",
                    "last_observed_at", "input_usd_per_mtok", "output_usd_per_mtok", "capture_url", "capture_sha256"]


def _capture_changes(prices: pd.DataFrame, captures: pd.DataFrame) -> list[dict[str, Any]]:
    index = _capture_index(captures)
    frame = prices.reindex(columns=_CAPTURE_COLUMNS)
    frame = frame.assign(
        quantization=frame["quantization"].astype(object).where(frame["quantization"].notna(), None),
        observed_at=pd.to_datetime(frame["observed_at"], utc=True),
        last_observed_at=pd.to_datetime(frame["last_observed_at"], utc=True),
        _quant=frame["quantization"].astype(object).where(frame["quantization"].notna(), ""),
    )
    frame = frame.sort_values(["source_id", "provider", "model_key", "tier", "_quant", "observed_at"], kind="stable")
    # Codes for the scan (a year of versions is 100k rows, a few thousand distinct values); whole rows only for the changes.
    series = frame.groupby(["source_id", "provider", "model_key", "tier", "_quant"], sort=False, dropna=False).ngroup().to_numpy()
    money_in, money_out = _amount_codes(frame["input_usd_per_mtok"]), _amount_codes(frame["output_usd_per_mtok"])
    changed: list[int] = (np.flatnonzero((series[1:] == series[:-1])
                                         & ((money_in[1:] != money_in[:-1]) | (money_out[1:] != money_out[:-1]))) + 1).tolist()
    wanted = sorted({j for i in changed for j in (i - 1, i)})
    picked = frame.iloc[wanted]
    names = list(picked.columns)
    values = [column_values(picked[name]) for name in names]  # plain values: to_dict boxes each one slowly
    records = {i: dict(zip(names, row, strict=True)) for i, row in zip(wanted, zip(*values), strict=True)}
    rows: list[dict[str, Any]] = []
    for i in changed:
        previous, row = records[i - 1], records[i]
        last_seen = previous["last_observed_at"]
        if pd.isna(last_seen):
            last_seen = previous["observed_at"]
        old_sha = index.get((previous["source_id"], previous["capture_url"], last_seen))
        if old_sha is None:  # a row kept from the last release whose last capture no longer parses
            log.debug("%s: no parsed capture of %s at %s; the old price's first capture is its evidence",
                      row["source_id"], previous["capture_url"], last_seen)
            last_seen, old_sha = previous["observed_at"], previous["capture_sha256"]
        rows.append(_change(previous, row, row["observed_at"], last_seen,
                            (previous["capture_url"], old_sha), (row["capture_url"], row["capture_sha256"])))
    return rows


def _reference_changes(reference_prices: pd.DataFrame) -> list[dict[str, Any]]:
    frame = reference_prices.assign(valid_from=pd.to_datetime(reference_prices["valid_from"], utc=True))
    if "model_key" not in frame.columns:
        frame = frame.assign(model_key=frame["model_id"])
    frame = frame.assign(model_key=frame["model_key"].fillna(frame["model_id"]))
    frame = frame.sort_values(["model_id", "provider", "model_key", "valid_from"], kind="stable")
    rows: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for row in frame.to_dict("records"):
        same_series = previous is not None and all(_same(previous[c], row[c]) for c in ("model_id", "provider", "model_key"))
        if same_series and _price_pair(previous) != _price_pair(row):  # type: ignore[arg-type]
            assert previous is not None
            old = {**previous, "source_id": "reference", "tier": "standard", "quantization": None}
            new = {**row, "source_id": "reference", "tier": "standard", "quantization": None}
            rows.append(_change(old, new, row["valid_from"], previous["valid_from"],
                                (previous["source_url"], previous["source_url"]), (row["source_url"], row["source_url"])))
        previous = row
    return rows


def _change(old: dict[str, Any], new: dict[str, Any], changed_at: pd.Timestamp, old_seen: pd.Timestamp,
            old_evidence: tuple[str, str], new_evidence: tuple[str, str]) -> dict[str, Any]:
    old_in, old_out = _price_pair(old)
    new_in, new_out = _price_pair(new)
    model_id = new.get("model_id")
    return {
        "changed_at": changed_at,
        "model_id": None if model_id is None or pd.isna(model_id) or model_id == "" else model_id,
        "model_key": new["model_key"],
        "provider": new["provider"],
        "tier": new["tier"],
        "quantization": new.get("quantization"),
        "source_id": new["source_id"],
        "old_input_usd_per_mtok": _float(old_in),
        "old_output_usd_per_mtok": _float(old_out),
        "new_input_usd_per_mtok": _float(new_in),
        "new_output_usd_per_mtok": _float(new_out),
        "input_ratio": _ratio(new_in, old_in),
        "output_ratio": _ratio(new_out, old_out),
        "ratio": _ratio(_sum(new_in, new_out), _sum(old_in, old_out)),
        "old_last_seen_at": old_seen,
        "old_url": old_evidence[0],
        "old_evidence": old_evidence[1],
        "new_url": new_evidence[0],
        "new_evidence": new_evidence[1],
    }


def _capture_index(captures: pd.DataFrame) -> dict[tuple[str, str, pd.Timestamp], str]:
    """(source, URL, time) -> sha256 of every parsed capture."""
    missing = [c for c in CAPTURE_INDEX_COLUMNS if c not in captures.columns]
    if missing:
        raise ValueError(f"capture index lacks columns {missing}")
    times = pd.to_datetime(captures["observed_at"], utc=True)
    return {(s, u, t): sha for s, u, t, sha in zip(captures["source_id"], captures["capture_url"], times,
                                                  captures["capture_sha256"], strict=True)}


def _amount_codes(column: pd.Series) -> np.ndarray:
    """One integer per row, equal where the amounts are equal as decimals (``1`` and ``1.0``; missing: -1);
    each distinct value converted once."""
    codes, uniques = pd.factorize(column.astype(object), use_na_sentinel=True)
    exact, _ = pd.factorize(pd.Series([_decimal(v) for v in uniques], dtype=object), use_na_sentinel=True)
    return np.where(codes >= 0, exact[np.maximum(codes, 0)] if len(exact) else -1, -1)


def _price_pair(row: dict[str, Any]) -> tuple[Decimal | None, Decimal | None]:
    return _decimal(row.get("input_usd_per_mtok")), _decimal(row.get("output_usd_per_mtok"))


def _decimal(value: object) -> Decimal | None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _same(a: object, b: object) -> bool:
    a_missing = a is None or (isinstance(a, float) and pd.isna(a))
    b_missing = b is None or (isinstance(b, float) and pd.isna(b))
    return (a_missing and b_missing) or a == b


def _sum(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a + b


def _ratio(new: Decimal | None, old: Decimal | None) -> float | None:
    if new is None or old is None or old == 0:
        return None
    return float(new / old)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
