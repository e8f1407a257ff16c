"""The gate before publishing: checks that can fail, each tested with the bad data it exists to catch.

Two kinds of finding:
- ``error``: the release as a whole is wrong (a table off its schema, duplicate keys). The
  run refuses to publish; the last good release stays ``latest``.
- ``held_out``: some rows are suspect (a price out of range). They are removed from this
  release and listed in the report; the rest publishes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from llmflation.schema import TABLES, to_arrow

log = logging.getLogger(__name__)

#: Token prices outside (0, MAX] USD per 1M are held out unless flagged free. The dearest
#: list price ever published (o1-pro output, $600/M) sits well inside.
MAX_USD_PER_MTOK = Decimal(1000)


@dataclass
class Finding:
    check: str
    severity: str  # "error" | "held_out" | "warning"
    table: str
    message: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "severity": self.severity, "table": self.table,
                "message": self.message, "rows": self.rows[:50], "n_rows": len(self.rows)}


@dataclass
class ValidationResult:
    tables: dict[str, pd.DataFrame]
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "findings": [f.to_json() for f in self.findings]}


def validate(tables: dict[str, pd.DataFrame]) -> ValidationResult:
    """Hold out suspect rows, then check every table's schema and keys."""
    findings: list[Finding] = []
    tables = dict(tables)
    if "prices" in tables:
        tables["prices"] = _hold_out_out_of_range(tables["prices"], findings)
    for name, frame in tables.items():
        spec = TABLES.get(name)
        if spec is None:
            findings.append(Finding("known_table", "error", name, f"table {name} has no schema"))
            continue
        try:
            to_arrow(spec, frame)
        except ValueError as exc:
            findings.append(Finding("schema", "error", name, str(exc)))
            continue
        if spec.primary_key and len(frame):
            keyed = frame.reindex(columns=spec.column_names)
            dupes = keyed[keyed.duplicated(list(spec.primary_key), keep=False)]
            if len(dupes):
                findings.append(Finding(
                    "unique_key", "error", name,
                    f"{len(dupes)} rows share a key {spec.primary_key}",
                    _rows(dupes, list(spec.primary_key)),
                ))
    for finding in findings:
        (log.error if finding.severity == "error" else log.warning)("validation %s: %s", finding.check, finding.message)
    return ValidationResult(tables, findings)


def _hold_out_out_of_range(prices: pd.DataFrame, findings: list[Finding]) -> pd.DataFrame:
    if prices.empty:
        return prices

    def bad(value: object, free: bool) -> bool:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return False
        amount = Decimal(value)  # type: ignore[arg-type]
        if free:
            return amount != 0
        return not (Decimal(0) < amount <= MAX_USD_PER_MTOK)

    mask = pd.Series(False, index=prices.index)
    for column in ("input_usd_per_mtok", "output_usd_per_mtok"):
        mask |= pd.Series([bad(v, bool(f)) for v, f in zip(prices[column], prices["is_free"])], index=prices.index)
    if mask.any():
        findings.append(Finding(
            "price_range", "held_out", "prices",
            f"{int(mask.sum())} price rows outside (0, {MAX_USD_PER_MTOK}] USD per 1M tokens (or non-zero while flagged free)",
            _rows(prices[mask], ["source_id", "provider", "model_key", "observed_at", "input_usd_per_mtok", "output_usd_per_mtok", "capture_sha256"]),
        ))
    return prices[~mask]


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    present = [c for c in columns if c in frame.columns]
    return [{k: (str(v) if v is not None else None) for k, v in row.items()} for row in frame[present].to_dict("records")]
