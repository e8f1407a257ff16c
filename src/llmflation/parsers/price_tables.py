"""Price tables on pricing pages: the one reader of every provider's tables.

Pricing pages of every provider and era state most prices in tables whose header names the
columns: ``Model | Input | Output``, ``Model | Prompt | Completion``, ``Model | Usage``,
``Model | Base Input Tokens | 5m Cache Writes | Cache Hits & Refreshes | Output Tokens``,
``Model | Endpoint | Input (USD) | Output (USD) | Input (EUR) | Output (EUR)``,
``Base model | $/1M tokens``, ``Model | Input | Output | Batch input | Input (> 200K tokens)``.
:func:`read_header` says what each column holds (its role, its tier, the unit it names);
:func:`read_price_table` reads the body rows into amounts with ``money_strings``, the one
money reader. Two ways of turning rows into records follow, by how a provider writes its rows:
:func:`records_from_table` for rows that name a model and whose cells may carry their own unit
and label (OpenAI, Anthropic, Mistral), :func:`read_token_table` for tables whose first column is
a model or a size band and whose unit the header or heading states once (Together, Groq,
Fireworks, DeepInfra). What a table means (which era, which tier, which unit when cells carry
bare numbers) is for the provider's parser to say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from llmflation.normalize import TOKEN_UNITS
from llmflation.parsers.model_labels import model_label
from llmflation.parsers.money_strings import (
    MAX_CELL_CHARS,
    NON_TOKEN_REASONS,
    Money,
    find_money,
    is_token_unit,
    not_per_token,
    price_record,
    unit_in,
)
from llmflation.parsers.pricing_text import context_tokens, size_band
from llmflation.records import ParseResult, PriceRecord

# Column roles, checked in order: the first pattern that matches a header cell names its role.
# ``context`` (a context-length column) is decided before these, from the cell's tier.
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("training", re.compile(r"training", re.I)),
    ("skip", re.compile(r"\b1h\b|1-hour|description|quality|resolution|rate limit", re.I)),
    ("key", re.compile(r"^(endpoint|api name|api endpoint|model id)\b", re.I)),
    ("model", re.compile(r"^(model|models|engine|name)\b", re.I)),
    ("batch_input", re.compile(r"batch.*(input|prompt)", re.I)),
    ("batch_output", re.compile(r"batch.*(output|completion)", re.I)),
    ("batch", re.compile(r"batch", re.I)),  # one cell holding labelled batch input and output prices
    ("cache_write", re.compile(r"cache(d)?\s*writes?|prompt caching write|cache.*write", re.I)),
    ("cached", re.compile(r"cached\s*input|cache\s*(hits?|reads?)|cached", re.I)),
    # "Price per 1M Tokens (Input/Output)": one cell holds both, input first unless labelled.
    ("input_output", re.compile(r"(input|prompt).*(output|completion)|(output|completion).*(input|prompt)", re.I)),
    ("input", re.compile(r"input|prompt", re.I)),
    ("output", re.compile(r"output|completion", re.I)),
    ("usage", re.compile(r"usage|pric|cost|\$", re.I)),
)

_PRICED = frozenset({"input", "output", "input_output", "cached", "cache_write", "batch_input", "batch_output",
                     "batch", "usage"})

_CONTEXT_TIER = re.compile(r"(?:>|≥|over|above|more than)\s*(\d{2,4})\s?k", re.IGNORECASE)


@dataclass(frozen=True)
class Column:
    """What a header cell says its column holds.

    ``role``: ``model``, ``key``, ``input``, ``output``, ``input_output``, ``cached``,
    ``cache_write``, ``batch_input``, ``batch_output``, ``batch``, ``usage`` (one price, or
    labelled prices, in a column named "Price"/"Usage"/"$/1M tokens"), ``context`` (a context
    length), ``training``, ``skip``, or ``""``. ``tier``: ``batch`` for a header naming batch,
    ``context>200k`` for one naming a context threshold ("> 200K tokens"), else ``standard``.
    ``unit``: the unit the header names ("Input (per 1K tokens)"), or ``None``.
    """

    role: str
    tier: str = "standard"
    unit: str | None = None


#: Words of a header cell that prices something, whatever else it mentions ("... 200k context").
_PRICE_WORDS = re.compile(r"input|output|prompt|complet|pric|cost|\$", re.I)


def read_header(header: list[str]) -> list[Column]:
    """The :class:`Column` of each header cell."""
    columns = []
    for cell in header:
        tier = _tier(cell)
        named = unit_in(cell)
        if "context" in cell.lower() and tier == "standard" and not _PRICE_WORDS.search(cell):
            role = "context"  # "Context", "Context window": not "Input (prompts <= 200k context)"
        elif named is not None and named not in TOKEN_UNITS and not re.search(r"input|output|prompt|complet", cell, re.I):
            role = "usage"  # "Price per second", "$ / hour", "SDXL, $/step": priced, not per token
        else:
            role = next((name for name, pattern in _ROLES if pattern.search(cell)), "")
            if not role and named is not None:
                role = "usage"
        columns.append(Column(role, tier, named if named in TOKEN_UNITS else None))
    return columns


def _tier(header: str) -> str:
    """``batch``, ``context>128k`` (from "> 128K tokens", "above 200k"...), else ``standard``."""
    if "batch" in header.lower():
        return "batch"
    match = _CONTEXT_TIER.search(header)
    return f"context>{match.group(1)}k" if match else "standard"


@dataclass
class PriceRow:
    """One body row of a price table: the model as written, its cells, and the amounts in each priced column."""

    model: str
    key: str | None
    prices: dict[str, list[Money]] = field(default_factory=dict)
    cells: list[str] = field(default_factory=list)
    amounts: list[list[Money]] = field(default_factory=list)  # per column, [] where not priced


@dataclass
class PriceTable:
    """A table whose header names a model column and at least one priced column."""

    columns: list[Column]
    rows: list[PriceRow]
    has_training: bool


def read_price_table(rows: list[list[str]], default_unit: str | None = None, *,
                     model_column: int | None = None) -> PriceTable | None:
    """A table's rows (header first) as ``PriceRow``s, or ``None`` when its header names no model
    and no price column.

    ``default_unit`` is the unit of amounts written without one (a page that says "prices per
    1M tokens" once and writes ``$2.50`` in the cells). A header that names a unit
    ("Input (per 1K tokens)") overrides it for that column. ``model_column``: the column that
    names the model whatever its header says ("Base model", "AI Model", a blank cell); its rows
    are all kept, ragged ones and ones without a name included, for the caller to count.
    Without it, the header must name a model or key column, and rows that do not fill the
    header (a spanning note, "Prices are per 1,000 tokens") or name no model are left out.
    """
    if len(rows) < 2:
        return None
    header, body = rows[0], rows[1:]
    columns = read_header(header)
    if model_column is not None:
        columns[model_column] = Column("model")
    roles = [column.role for column in columns]
    if not ({"model", "key"} & set(roles)) or not (set(roles) & _PRICED):
        return None
    parsed: list[PriceRow] = []
    for cells in body:
        if len(cells) != len(header):
            if model_column is None:
                continue
            cells = (cells + [""] * len(header))[: len(header)]
        row = PriceRow(model="", key=None, cells=cells)
        for cell, column in zip(cells, columns):
            priced = column.role in _PRICED and len(cell) <= MAX_CELL_CHARS  # an overlong cell is not read
            row.amounts.append(find_money(cell, column.unit or default_unit) if priced else [])
            if column.role == "model" and not row.model:
                row.model = cell
            elif column.role == "key" and row.key is None:
                row.key = cell.split(" ")[0] if cell else None
            elif column.role in _PRICED:
                row.prices.setdefault(column.role, []).extend(row.amounts[-1])
        if row.model or row.key or model_column is not None:
            parsed.append(row)
    return PriceTable(columns=columns, rows=parsed, has_training="training" in roles)


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
    spread over the roles their labels name; ``batch`` cells become ``batch_input``/``batch_output``;
    an ``input_output`` cell's unlabelled amounts are input then output."""
    out: dict[str, list[Money]] = {}
    for role, amounts in prices.items():
        unlabelled = 0
        for money in amounts:
            label_role = {"input": "input", "prompt": "input", "output": "output", "completion": "output",
                          "cached input": "cached", "cached": "cached"}.get(money.label, "")
            target = role
            if role == "input_output":
                target = label_role or ("input", "output", "input_output")[min(unlabelled, 2)]
                unlabelled += 0 if label_role else 1
            elif role in {"usage", "batch"} and label_role:
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


# -- Tables whose first column is a model or a size band, with one unit for the whole table --

# Tables that price something other than chat/completion tokens, recognised by their heading or header.
_NOT_CHAT = (
    ("fine-tuning training", re.compile(r"fine[- ]?tun|in training|training tokens")),
    ("embedding model", re.compile(r"embedding")),
    ("rerank model", re.compile(r"rerank")),
    ("image model", re.compile(r"image generation|/\s?step|per step|megapixel")),
    ("audio model", re.compile(r"speech|transcri|audio")),
)

#: The role of a column in a token table, as the kind of price its cells hold.
_TOKEN_KIND = {"input": "input", "batch_input": "input", "output": "output", "batch_output": "output",
               "input_output": "price", "usage": "price", "batch": "price", "cached": "cached",
               "cache_write": "cache_write", "context": "context"}


def read_token_table(
    rows: list[list[str]],
    heading: str,
    provider: str,
    result: ParseResult,
    default_unit: str | None = None,
) -> bool:
    """Append a record per model row of a price table; False when the table prices no tokens.

    The first row is the header and the first column names the model. Columns are told apart by
    :func:`read_header`: ``input``, ``output``, ``cached``, ``cache_write``, ``context``, and a single
    price column (one price for input and output, or a cell such as ``"$0.55 input, $2.19 output"``).
    Columns whose header names "batch" or a context threshold ("> 200K tokens") give further
    records per row with ``tier="batch"`` or ``tier="context>200k"``; the standard record comes
    first. The unit comes from the header, else the heading, else ``default_unit`` (USD per that
    unit; a cell's own unit is not read). Size-band rows ("16.1B - 80B") become one record per
    model they name in parentheses, or are skipped and counted. Tables of embeddings,
    fine-tuning, images or audio, and per-hour/second/image prices are skipped and counted by reason.
    """
    header = [cell.lower() for cell in rows[0]]
    joined = " ".join(header)
    context_text = f"{heading.lower()} {joined}"
    for reason, pattern in _NOT_CHAT:
        if pattern.search(context_text):
            result.skip(reason, len(rows) - 1)
            return True
    unit = unit_in(joined) or unit_in(heading) or default_unit
    if unit in NON_TOKEN_REASONS and unit not in TOKEN_UNITS:
        result.skip(NON_TOKEN_REASONS[unit], len(rows) - 1)
        return True
    if unit not in _TABLE_UNITS:
        return False
    columns = _token_columns(read_header(rows[0]))
    if not any(kind in ("input", "output", "price") for _, kind in columns):
        return False
    table = read_price_table(rows, unit, model_column=0)
    for row in table.rows if table is not None else []:
        _read_token_row(row, columns, unit, provider, result)
    return True


_TABLE_UNITS = ("per_1m_tokens", "per_1k_tokens", "per_1m_characters", "per_1k_characters")

#: Column index per (tier, kind), e.g. ("batch", "input") -> 4.
_Columns = dict[tuple[str, str], int]


def _token_columns(columns: list[Column]) -> _Columns:
    """Column index per (tier, kind) of a token table, the first column of each kept (the model column left out)."""
    found: _Columns = {}
    for index, column in enumerate(columns):
        kind = _TOKEN_KIND.get(column.role)
        if index > 0 and kind is not None:
            found.setdefault((column.tier, kind), index)
    return found


def _read_token_row(row: PriceRow, columns: _Columns, unit: str, provider: str, result: ParseResult) -> None:
    label = row.model
    if not label:
        result.skip("row without a model name")
        return
    band, named = size_band(label)
    if band and not named:
        result.skip("size band without named models")
        return
    context_at = columns.get(("standard", "context"))
    context = context_tokens(row.cells[context_at]) if context_at is not None else None
    tiers = sorted({tier for tier, kind in columns if kind != "context"}, key=lambda t: (t != "standard", t))
    for tier in tiers:
        if (tier, "input") in columns or (tier, "output") in columns:
            prices = _first_usd(row, columns.get((tier, "input")), unit), _first_usd(row, columns.get((tier, "output")), unit)
        else:
            prices = _single_cell_prices(row, columns.get((tier, "price")), unit)
        if prices[0] is None or prices[1] is None:
            result.skip("price not stated" if tier == "standard" else "batch price not stated")
            continue
        cached = _first_usd(row, columns.get((tier, "cached")), unit)
        cache_write = _first_usd(row, columns.get((tier, "cache_write")), unit)
        for key in named or [label]:
            result.prices.append(price_record(
                provider, key, tier=tier, input_price=prices[0], output_price=prices[1],
                cached=cached, cache_write=cache_write, is_deprecated="deprecated" in label.lower(),
                context_window_tokens=context,
            ))


def _is_free(text: str) -> bool:
    """A cell that states no charge ("Free")."""
    return text.strip().lower() == "free"


def _usd(row: PriceRow, index: int | None, unit: str) -> list[Money]:
    """The USD amounts of a cell, in the table's ``unit`` ("Free" is one of zero); none for a missing column."""
    if index is None:
        return []
    if _is_free(row.cells[index]):
        return [Money(Decimal(0), "USD", unit)]
    return [Money(money.amount, "USD", unit) for money in row.amounts[index] if money.currency == "USD"]


def _first_usd(row: PriceRow, index: int | None, unit: str) -> Money | None:
    amounts = _usd(row, index, unit)
    return amounts[0] if amounts else None


def _single_cell_prices(row: PriceRow, index: int | None, unit: str) -> tuple[Money | None, Money | None]:
    """One price for input and output, or ``"$0.55 input, $2.19 output"`` / ``"$0.70/$0.80"``."""
    amounts = _usd(row, index, unit)
    if len(amounts) == 1:
        return amounts[0], amounts[0]
    if len(amounts) == 2:
        lowered = row.cells[index].lower() if index is not None else ""
        if "input" in lowered and "output" in lowered and lowered.index("input") > lowered.index("output"):
            return amounts[1], amounts[0]
        return amounts[0], amounts[1]
    return None, None
