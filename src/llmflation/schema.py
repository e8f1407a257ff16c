"""The published tables: every column's Arrow type, unit and meaning, in one place.

The same specs write the Parquet files (explicit schema, descriptions in field metadata)
and ``datapackage.json`` (Frictionless Data Package), so the two can never disagree.
Units are in column names: ``*_usd_per_mtok`` is US dollars per million tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
import pyarrow as pa

#: Exact money: 30 digits, 12 after the point (a per-token price of 1e-12 USD is 1e-6 per 1M).
PRICE = pa.decimal128(30, 12)
TIMESTAMP = pa.timestamp("us", tz="UTC")
DATE = pa.date32()

_USD_PER_MTOK = "USD per 1,000,000 tokens"


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str
    unit: str | None = None
    required: bool = False  # no nulls allowed


@dataclass(frozen=True)
class TableSpec:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    sort_by: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def arrow_schema(self) -> pa.Schema:
        fields = []
        for col in self.columns:
            meta = {"description": col.description}
            if col.unit:
                meta["unit"] = col.unit
            fields.append(pa.field(col.name, col.type, nullable=not col.required, metadata=meta))
        return pa.schema(fields, metadata={"table": self.name, "description": self.description})


def _price(name: str, what: str, required: bool = False) -> Column:
    return Column(name, PRICE, f"{what}, exact decimal", _USD_PER_MTOK, required)


PROVENANCE_COLUMNS = (
    Column("capture_url", pa.string(), "URL the bytes were fetched from (the original URL for Wayback captures)", required=True),
    Column("capture_id", pa.string(), "Raw-store manifest entry of the capture", required=True),
    Column("capture_sha256", pa.string(), "sha256 of the captured bytes; data/raw/blobs/<2>/<sha256>", required=True),
    Column("via", pa.string(), "live (fetched from the source) or wayback (Internet Archive snapshot)", required=True),
    Column("wayback_timestamp", pa.string(), "14-digit Wayback Machine timestamp, when via = wayback"),
    Column("parser", pa.string(), "Parser module and version that read the capture", required=True),
)

PRICES = TableSpec(
    name="prices",
    description="Every price seen in every capture, in USD per million tokens, with its provenance.",
    columns=(
        Column("observed_at", TIMESTAMP, "When the source showed this price: fetch time, or the Wayback snapshot time", required=True),
        Column("source_id", pa.string(), "Registry id of the source", required=True),
        Column("provider", pa.string(), "Who serves the model at this price", required=True),
        Column("model_key", pa.string(), "The source's own model identifier, untouched", required=True),
        Column("model_id", pa.string(), "Canonical model id from the catalog; null when unmatched (see unmatched_models)"),
        Column("model_name", pa.string(), "The source's display name of the model"),
        _price("input_usd_per_mtok", "Price of input (prompt) tokens"),
        _price("output_usd_per_mtok", "Price of output (completion) tokens"),
        _price("cached_input_usd_per_mtok", "Price of input tokens read from the prompt cache"),
        _price("cache_write_usd_per_mtok", "Price of input tokens written to the prompt cache"),
        Column("tier", pa.string(), "standard (uncached, real-time, lowest context tier), batch, context>128k, ...", required=True),
        Column("unit_on_page", pa.string(), "Unit the source stated: per_token, per_1k_tokens, per_1m_tokens, per_1k_characters", required=True),
        Column("is_free", pa.bool_(), "Free or $0 promotional price: never counted as cheapest", required=True),
        Column("is_deprecated", pa.bool_(), "The source marks the model deprecated", required=True),
        Column("quantization", pa.string(), "Serving precision the source states (fp8, int4...)"),
        Column("converted_from_characters", pa.bool_(), "Price was per character, converted with the configured characters per token", required=True),
        Column("context_window_tokens", pa.int64(), "Context window the source states", "tokens"),
        *PROVENANCE_COLUMNS,
    ),
    primary_key=("capture_id", "provider", "model_key", "tier"),
    sort_by=("observed_at", "source_id", "provider", "model_key", "tier"),
)

TABLES: dict[str, TableSpec] = {spec.name: spec for spec in (PRICES,)}


def to_arrow(spec: TableSpec, frame: pd.DataFrame) -> pa.Table:
    """An Arrow table of exactly the spec's columns and types, rows in the spec's order.

    Missing optional columns become nulls; a missing required column, a null in a required
    column, or a value that does not fit its type (a price with more than 12 decimals) raises.
    """
    missing = [c.name for c in spec.columns if c.required and c.name not in frame.columns]
    if missing:
        raise ValueError(f"table {spec.name}: required columns missing: {missing}")
    frame = frame.reindex(columns=spec.column_names)
    if spec.sort_by and len(frame):
        frame = frame.sort_values(list(spec.sort_by), kind="stable", na_position="last")
    arrays = []
    for col in spec.columns:
        values = frame[col.name].tolist()
        values = [None if _is_missing(v) else v for v in values]
        if col.type == PRICE:
            values = [None if v is None else Decimal(v) if not isinstance(v, Decimal) else v for v in values]
        try:
            arrays.append(pa.array(values, type=col.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise ValueError(f"table {spec.name}, column {col.name}: {exc}") from exc
        if col.required and arrays[-1].null_count:
            raise ValueError(f"table {spec.name}: {arrays[-1].null_count} null(s) in required column {col.name}")
    return pa.Table.from_arrays(arrays, schema=spec.arrow_schema())


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def datapackage_resource(spec: TableSpec) -> dict[str, object]:
    """The table's entry in datapackage.json (Frictionless Table Schema)."""
    fields = []
    for col in spec.columns:
        entry: dict[str, object] = {
            "name": col.name,
            "type": _frictionless_type(col.type),
            "description": col.description,
        }
        if col.unit:
            entry["unit"] = col.unit
        if col.required:
            entry["constraints"] = {"required": True}
        fields.append(entry)
    schema: dict[str, object] = {"fields": fields}
    if spec.primary_key:
        schema["primaryKey"] = list(spec.primary_key)
    return {
        "name": spec.name,
        "path": f"{spec.name}.parquet",
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "description": spec.description,
        "schema": schema,
    }


def _frictionless_type(dtype: pa.DataType) -> str:
    if pa.types.is_timestamp(dtype):
        return "datetime"
    if pa.types.is_date(dtype):
        return "date"
    if pa.types.is_decimal(dtype) or pa.types.is_floating(dtype):
        return "number"
    if pa.types.is_integer(dtype):
        return "integer"
    if pa.types.is_boolean(dtype):
        return "boolean"
    if pa.types.is_list(dtype):
        return "array"
    return "string"
