"""Price tables on pricing pages: header row -> what each column holds -> one record per row.

Pricing pages of every provider and era state most prices in tables whose header names the
columns: ``Model | Input | Output``, ``Model | Prompt | Completion``, ``Model | Usage``,
``Model | Base Input Tokens | 5m Cache Writes | Cache Hits & Refreshes | Output Tokens``,
``Model | Endpoint | Input (USD) | Output (USD) | Input (EUR) | Output (EUR)``. This module
reads such a table into ``PriceRow``s, then into ``PriceRecord``s, counting what it skips.
What a table means (which era, which tier, which unit when cells carry bare numbers) is for
the provider's parser to say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from llmflation.parsers.model_labels import model_label
from llmflation.parsers.money_strings import Money, find_money, is_token_unit, not_per_token, price_record
from llmflation.records import ParseResult, PriceRecord

# Column roles, checked in order: the first pattern that matches a header cell names its role.
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("training", re.compile(r"training", re.I)),
    ("skip", re.compile(r"\b1h\b|1-hour|context window|description|quality|resolution|rate limit", re.I)),
    ("key", re.compile(r"^(endpoint|api name|api endpoint|model id)\b", re.I)),
    ("model", re.compile(r"^(model|models|engine|name)\b", re.I)),
    ("batch_input", re.compile(r"batch.*(input|prompt)", re.I)),
    ("batch_output", re.compile(r"batch.*(output|completion)", re.I)),
    ("batch", re.compile(r"batch", re.I)),  # one cell holding labelled batch input and output prices
    ("cache_write", re.compile(r"cache(d)?\s*writes?|prompt caching write", re.I)),
    ("cached", re.compile(r"cached\s*input|cache\s*(hits?|reads?)|cached", re.I)),
    ("input", re.compile(r"input|prompt", re.I)),
    ("output", re.compile(r"output|completion", re.I)),
    ("usage", re.compile(r"usage|pric|cost", re.I)),
)


@dataclass
class PriceRow:
    """One body row of a price table: the model as written, and the amounts in each priced column."""

    model: str
    key: str | None
    prices: dict[str, list[Money]] = field(default_factory=dict)


@dataclass
class PriceTable:
    """A table whose header names a model column and at least one priced column."""

    roles: list[str]
    rows: list[PriceRow]
    has_training: bool


def column_roles(header: list[str]) -> list[str]:
    """The role of each header cell (``input``, ``output``, ``cached``, ``model``...; ``""`` if none)."""
    roles = []
    for cell in header:
        role = next((name for name, pattern in _ROLES if pattern.search(cell)), "")
        roles.append(role)
    return roles


def read_price_table(rows: list[list[str]], default_unit: str | None = None) -> PriceTable | None:
    """A table's rows (header first) as ``PriceRow``s, or ``None`` when its header names no model
    and no price column.

    ``default_unit`` is the unit of amounts written without one (a page that says "prices per
    1M tokens" once and writes ``$2.50`` in the cells). A header that names a unit
    ("Input (per 1K tokens)") overrides it for that column.
    """
    if len(rows) < 2:
        return None
    header, body = rows[0], rows[1:]
    roles = column_roles(header)
    if not ({"model", "key"} & set(roles)) or not (set(roles) & _PRICED):
        return None
    units = [_header_unit(cell) or default_unit for cell in header]
    parsed: list[PriceRow] = []
    for cells in body:
        if len(cells) != len(header):
            continue  # a spanning note row ("Prices are per 1,000 tokens")
        row = PriceRow(model="", key=None)
        for cell, role, unit in zip(cells, roles, units):
            if role == "model" and not row.model:
                row.model = cell
            elif role == "key" and row.key is None:
                row.key = cell.split(" ")[0] if cell else None
            elif role in _PRICED:
                row.prices.setdefault(role, []).extend(find_money(cell, unit))
        if row.model or row.key:
            parsed.append(row)
    return PriceTable(roles=roles, rows=parsed, has_training="training" in roles)


_PRICED = {"input", "output", "cached", "cache_write", "batch_input", "batch_output", "batch", "usage"}


_HEADER_UNIT = re.compile(r"(?:per|/)\s*(1\s?k|1,000|1\s?m|1,000,000|1\s+million|million|mtok)\b", re.I)


def _header_unit(cell: str) -> str | None:
    """The unit a header names for its column ("Input (per 1K tokens)"), or ``None``."""
    match = _HEADER_UNIT.search(cell)
    if match is None:
        return None
    scale = "1k" if match.group(1).lower().replace(" ", "") in {"1k", "1,000"} else "1m"
    thing = "characters" if "character" in cell.lower() else "tokens"
    return f"per_{scale}_{thing}"


def records_from_table(
    provider: str,
    table: PriceTable,
    result: ParseResult,
    *,
    tier: str = "standard",
    model_prefix: str = "",
) -> list[PriceRecord]:
    """``PriceRecord``s for each row with a USD token price; every other row counted in ``result.skipped``.

    A single ``usage`` price stands for input and output alike (the per-engine prices of
    2020-2023 charged prompt and completion tokens the same). Batch columns give a second
    record with tier ``batch``. ``model_prefix`` names rows that only say "8K context".
    """
    if table.has_training:
        result.skip("fine-tuning price", len(table.rows))
        return []
    records = []
    for row in table.rows:
        label = model_label(row.model)
        model_key = row.key or f"{model_prefix}{label.name}"
        name = label.name or None
        deprecated = label.deprecated
        picked = {role: _usd_token_price(amounts) for role, amounts in _split_labelled(row.prices).items()}
        standard_in = picked.get("input") or picked.get("usage")
        standard_out = picked.get("output") or picked.get("usage")
        batch_in, batch_out = picked.get("batch_input"), picked.get("batch_output")
        if standard_in is None and standard_out is None and batch_in is None and batch_out is None:
            result.skip(_why_not_priced(row))
            continue
        if standard_in is not None or standard_out is not None:
            records.append(price_record(
                provider, model_key, model_name=name, tier=tier,
                input_price=standard_in, output_price=standard_out,
                cached=picked.get("cached"), cache_write=picked.get("cache_write"), is_deprecated=deprecated,
            ))
        if batch_in is not None or batch_out is not None:
            records.append(price_record(
                provider, model_key, model_name=name, tier="batch",
                input_price=batch_in, output_price=batch_out, is_deprecated=deprecated,
            ))
    return records


def _split_labelled(prices: dict[str, list[Money]]) -> dict[str, list[Money]]:
    """Cells that state several labelled prices ("$2.50 / 1M input tokens $10.00 / 1M output tokens")
    spread over the roles their labels name; ``batch`` cells become ``batch_input``/``batch_output``."""
    out: dict[str, list[Money]] = {}
    for role, amounts in prices.items():
        for money in amounts:
            label_role = {"input": "input", "prompt": "input", "output": "output", "completion": "output",
                          "cached input": "cached", "cached": "cached"}.get(money.label, "")
            target = role
            if role in {"usage", "batch"} and label_role:
                target = label_role if role == "usage" else f"batch_{label_role}"
            elif role == "batch":
                target = "batch_usage"
            out.setdefault(target, []).append(money)
    return out


def _usd_token_price(amounts: list[Money]) -> Money | None:
    """The first USD amount with a token unit among a cell's amounts (a cell may also state EUR)."""
    return next((m for m in amounts if m.currency == "USD" and is_token_unit(m.unit)), None)


def _why_not_priced(row: PriceRow) -> str:
    amounts = [m for cell in row.prices.values() for m in cell]
    if not amounts:
        return "row without a price"
    if all(m.currency != "USD" for m in amounts):
        return f"price in {amounts[0].currency} only"
    unit = next((m.unit for m in amounts if not is_token_unit(m.unit)), None)
    return not_per_token(unit) if unit else "no token price"
