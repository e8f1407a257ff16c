"""OpenAI's developer-docs pricing page (developers.openai.com/api/docs/pricing, 2026-): its price
tables as the data of the page's components.

The page is an Astro site. Each price table is an ``<astro-island>`` whose serialized props hold
every row (``llmflation.parsers.astro_props``); the server-rendered HTML shows only some of them.
Three components carry prices:

- ``TextTokenPricingTables``: ``{tier, rows: [[model, input, cached input, output], ...]}``, one per
  processing tier (Standard, Batch, Flex, Priority). A model priced by prompt size is written
  "gpt-5.5 (<272K context length)": its row is the lowest band (tier ``standard``, ``batch``...),
  and the long-context prices are read from the component's rendered "Short context | Long context"
  table (tier ``context>272k``, ``batch/context>272k``...).
- ``GroupedPricingTable``: ``{headings, groups: [{model, rows}]}``; the group is the model
  ("Model | Modality | Input | ..." , "Model | Size | ... | Price per second") or a category
  ("Category | Model | Input | Cached input | Output").
- ``PricingTable``: ``{headings, rows}`` (fine-tuning).

A component's processing tier is its ``tier`` prop, else the content-switcher pane it sits in
(``data-value="batch"``); a tier outside ``llmflation.tiers`` is skipped and counted, never mapped.
Amounts are bare numbers in the unit the section states ("Prices per 1M tokens"), else the unit
another section of the page states; with no unit stated anywhere they are skipped, never assumed.
A row named "model (>272K context length)" is that band's price. A cell or column
with its own unit ("$0.006 / minute", "Price per second", "$15.00 / 1M characters") is not a token
price and is skipped by unit. Sections that are not chat/completion prices (audio, images, video,
transcription, tools, embeddings, moderation, fine-tuning) are skipped and counted by section.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bs4 import BeautifulSoup, Tag

from llmflation.parsers.astro_props import island_props
from llmflation.parsers.model_labels import model_label
from llmflation.parsers.money_strings import Money, find_money, not_per_token, price_record, unit_in
from llmflation.parsers.pricing_text import clean
from llmflation.records import ParseError, ParseResult
from llmflation.tiers import STANDARD, PriceClaims, context_tier, processing_tier

SOURCE = "openai pricing page"

#: Section words -> why its rows are not chat/completion prices (first match wins).
SKIP_SECTIONS: tuple[tuple[str, str], ...] = (
    ("fine-tun", "fine-tuning price"),
    ("finetun", "fine-tuning price"),
    ("embedding", "embedding model"),
    ("moderation", "moderation model"),
    ("image", "image model"),
    ("video", "video model"),
    ("audio", "audio model"),
    ("realtime", "audio model"),
    ("transcri", "audio model"),
    ("speech", "audio model"),
    ("assistants", "tool price"),
    ("tool", "tool price"),
)

#: The columns of TextTokenPricingTables rows, which carry no headings of their own.
TEXT_TOKEN_COLUMNS = ("Model", "Input", "Cached input", "Output")

_CONTEXT_NOTE = re.compile(r"\(\s*(?P<side>[<>≤≥]=?)\s*(?P<size>\d{2,5})\s*K\s+context(?:\s+length)?\s*\)", re.I)
_NO_PRICE = {"", "-", "–", "—", "n/a", "not available"}


@dataclass
class _Island:
    component: str
    props: dict[str, Any]
    tier_label: str
    section: str
    unit: str | None
    tag: Tag


def has_components(soup: BeautifulSoup) -> bool:
    """True when the page is the component-data layout (an island with price rows)."""
    return any(_is_price_table(island) for island in soup.find_all("astro-island"))


def _is_price_table(island: Tag) -> bool:
    props = island.get("props") or ""
    return '"rows"' in props or '"groups"' in props or "&quot;rows&quot;" in props


def read_components(soup: BeautifulSoup, result: ParseResult, claims: PriceClaims) -> None:
    """Every price of every pricing component, into ``claims``; skips counted in ``result``."""
    islands = list(_islands(soup))
    page_unit = next((island.unit for island in islands if island.unit), None)
    for island in islands:
        island.unit = island.unit or page_unit
        uid = island.tag.get("uid")
        name = f"{island.component}{f' {uid}' if uid else ''} ({island.section or 'no section'}, {island.tier_label})"
        header, rows = _table_of(island)
        if not rows:
            continue
        tier = processing_tier(island.tier_label)
        section_reason = next((reason for key, reason in SKIP_SECTIONS if key in island.section.lower()), "")
        roles = [_role(cell) for cell in header]
        for row in rows:
            if len(row) != len(header):
                result.skip("row whose cells do not match the table's columns")
                continue
            reason = _row_skip(roles, header, row, section_reason, island.unit)
            if reason:
                result.skip(reason)
                continue
            if tier is None:
                result.skip(f"price of a tier not in the vocabulary ({island.tier_label})")
                continue
            if island.unit is None:
                result.skip("price without a stated unit")
                continue
            _add_row(roles, row, tier, island.unit, name, result, claims)
        if island.component == "TextTokenPricingTables" and tier is not None and island.unit and not section_reason:
            _long_context(island, tier, name, result, claims)


def _islands(soup: BeautifulSoup) -> Iterator[_Island]:
    """Price-table islands in document order, with the section (heading id or text and the title
    paragraph after it), the unit that section states, and the processing tier."""
    section, unit, titled = "", None, False
    for tag in soup.find_all(["h1", "h2", "h3", "h4", "p", "astro-island"]):
        if tag.name == "astro-island":
            if tag.find_parent("astro-island") is not None or not _is_price_table(tag):
                continue
            props = island_props(tag, SOURCE)
            pane = tag.find_parent(attrs={"data-content-switcher-pane": True})
            label = props.get("tier") or (pane.get("data-value") if pane is not None else None) or STANDARD
            component = str(tag.get("component-export") or "component")
            yield _Island(component, props, str(label), section, unit, tag)
        elif tag.name == "p":
            if tag.find_parent("astro-island") is not None:
                continue
            text = clean(tag.get_text(" "))
            if not titled and text:
                section, titled = f"{section} {text}".strip(), True
            unit = unit or _stated_unit(text)
        else:
            section = clean(tag.get_text(" ")) or str(tag.get("id") or "")
            unit, titled = None, False


def _stated_unit(text: str) -> str | None:
    """The unit a section's sentence states ("Prices per 1M tokens."), or ``None``."""
    if not re.search(r"\bprices?\b", text, re.I):
        return None
    return unit_in(text)


def _table_of(island: _Island) -> tuple[list[str], list[list[Any]]]:
    """The component's column headings and its rows, each row with one value per heading."""
    props = island.props
    if island.component == "TextTokenPricingTables" or ("rows" in props and "headings" not in props):
        rendered = _rendered_headings(island.tag)
        if rendered and [h.lower() for h in rendered[: len(TEXT_TOKEN_COLUMNS)]] != [h.lower() for h in TEXT_TOKEN_COLUMNS]:
            raise ParseError(f"{SOURCE}: {island.component} now shows columns {rendered}: its rows cannot be read")
        return list(TEXT_TOKEN_COLUMNS), [row for row in _list(props.get("rows")) if isinstance(row, list)]
    header = [_text(cell) for cell in _list(props.get("headings"))]
    if "groups" in props:
        rows = []
        for group in _list(props.get("groups")):
            if not isinstance(group, dict):
                continue
            for row in _list(group.get("rows")):
                if isinstance(row, list):
                    rows.append([group.get("model"), *row])
        return header, rows
    return header, [row for row in _list(props.get("rows")) if isinstance(row, list)]


def _list(value: Any) -> list[Any]:
    """``value`` when the props hold a list there, else nothing (a changed shape reads as no rows)."""
    return value if isinstance(value, list) else []


def _rendered_headings(island: Tag) -> list[str]:
    """The last heading row of the island's server-rendered table (the column names), if any."""
    table = island.find("table")
    if table is None:
        return []
    rows = table.find_all("tr")
    heading_rows = [row for row in rows if row.find("th") is not None and row.find("td") is None]
    if not heading_rows:
        return []
    return [clean(cell.get_text(" ")) for cell in heading_rows[-1].find_all(["th", "td"])]


def _role(heading: str) -> str:
    lowered = heading.lower()
    if lowered.startswith("model"):
        return "model"
    for word in ("category", "modality", "training", "tool"):
        if lowered.startswith(word):
            return word
    if "cached" in lowered:
        return "cached"
    if lowered.startswith("input"):
        return "input"
    if lowered.startswith("output"):
        return "output"
    if re.search(r"price|cost|pricing", lowered):
        return "price"
    return ""


def _text(cell: Any) -> str:
    """A cell's text: strings as is, ``{"__pricingHtml": "..."}`` rendered, headings' labels."""
    if isinstance(cell, dict):
        if "__pricingHtml" in cell:
            return clean(BeautifulSoup(str(cell["__pricingHtml"]), "lxml").get_text(" "))
        for value in cell.values():
            if isinstance(value, dict) and "label" in value:
                return clean(str(value["label"]))
        return ""
    return "" if cell is None else clean(str(cell))


def _cells(roles: list[str], row: list[Any], role: str) -> list[Any]:
    return [value for value, r in zip(row, roles) if r == role]


def _row_skip(roles: list[str], header: list[str], row: list[Any], section_reason: str, unit: str | None) -> str:
    """Why a row is not a chat/completion token price, or ``""``."""
    if "tool" in roles[:1]:
        return "tool price"
    token_cells = _cells(roles, row, "input") + _cells(roles, row, "output")
    token_prices = [value for value in token_cells if _amount(value, unit)[0] is not None]
    other = [(heading, value) for heading, value, role in zip(header, row, roles) if role == "price"]
    odd_units = [m.unit for value in token_cells for m in find_money(_text(value)) if m.unit not in (None, unit)]
    for heading, value in other:
        named = unit_in(heading)
        odd_units += [named] if named and find_money(_text(value)) else []
        odd_units += [m.unit for m in find_money(_text(value)) if m.unit not in (None, unit)]
    odd_units = [u for u in odd_units if u]
    if not token_prices and odd_units:
        return not_per_token(odd_units[0])
    if section_reason:
        return section_reason
    for category in _cells(roles, row, "category"):
        reason = next((why for key, why in SKIP_SECTIONS if key in _text(category).lower()), "")
        if reason:
            return reason
    if "training" in roles:
        return "fine-tuning price"
    modality = _cells(roles, row, "modality")
    if modality and _text(modality[0]).lower() != "text":
        return f"price of {_text(modality[0]).lower() or 'non-text'} tokens (not text tokens)"
    if not token_prices:
        return "row without a price"
    return ""


def _amount(value: Any, unit: str | None) -> tuple[Decimal | None, str]:
    """A cell's amount in the section's unit: ``(amount, "")``, or ``(None, why)``."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return Decimal(value), ""
    text = _text(value)
    if text.lower() in _NO_PRICE:
        return None, "no price"
    if text.lower() == "free":
        return Decimal(0), ""
    found = find_money(text)
    if not found:
        return None, "no price"
    money = found[0]
    if money.currency != "USD":
        return None, f"price in {money.currency} only"
    if money.unit not in (None, unit):
        return None, not_per_token(money.unit)
    return money.amount, ""


def _add_row(roles: list[str], row: list[Any], tier: str, unit: str, table: str,
             result: ParseResult, claims: PriceClaims, band: str = "") -> None:
    models = _cells(roles, row, "model")
    raw_name = _text(models[0]) if models else ""
    note = _CONTEXT_NOTE.search(raw_name)
    if note is not None and note.group("side").startswith((">", "≥")) and not band:
        band = context_tier(int(note.group("size")) * 1000, base=tier)
    name = _CONTEXT_NOTE.sub(" ", raw_name)
    label = model_label(name)
    if not label.name:
        result.skip("row without a model name")
        return
    def money(role: str) -> Money | None:
        cells = _cells(roles, row, role)
        amount = _amount(cells[0], unit)[0] if cells else None
        return Money(amount, "USD", unit) if amount is not None else None

    input_price, output_price = money("input"), money("output")
    if input_price is None and output_price is None:
        result.skip("row without a price")
        return
    claims.add(price_record(
        "openai", label.name, model_name=raw_name if raw_name != label.name else None,
        tier=band or tier, input_price=input_price, output_price=output_price, cached=money("cached"),
        is_deprecated=label.deprecated,
    ), table)


def _long_context(island: _Island, tier: str, table: str, result: ParseResult, claims: PriceClaims) -> None:
    assert island.unit is not None
    """The "Long context" columns of a TextTokenPricingTables island's rendered table, as the
    context band its rows' "(<272K context length)" notes name."""
    rendered = island.tag.find("table")
    if rendered is None:
        return
    groups = _column_groups(rendered)
    if "long context" not in groups:
        return
    thresholds = {}
    for row in _list(island.props.get("rows")):
        if isinstance(row, list) and row:
            note = _CONTEXT_NOTE.search(_text(row[0]))
            if note and note.group("side").startswith(("<", "≤")):
                thresholds[model_label(_CONTEXT_NOTE.sub(" ", _text(row[0]))).name] = int(note.group("size")) * 1000
    columns = groups["long context"]
    headings = _rendered_headings(island.tag)
    roles = ["model", *(_role(headings[i]) if i < len(headings) else "" for i in columns)]
    if not {"input", "output"} <= set(roles):
        result.skip("long-context table without input and output columns")
        return
    for tr in rendered.find_all("tr"):
        cells = [clean(cell.get_text(" ")) for cell in tr.find_all("td")]
        if len(cells) <= max(columns):
            continue
        name = model_label(_CONTEXT_NOTE.sub(" ", cells[0])).name
        values = [cells[0], *(cells[i] for i in columns)]
        if all(_amount(v, island.unit)[0] is None for v in values[1:]):
            continue  # "-": no long-context price for this model in this tier
        if name not in thresholds:
            result.skip("long-context price without a stated prompt size")
            continue
        band = context_tier(thresholds[name], base=tier)
        _add_row(roles, values, tier, island.unit,
                 f"{table} long context", result, claims, band=band)


def _column_groups(table: Tag) -> dict[str, list[int]]:
    """Column indexes under each spanning heading ("Short context", "Long context"), lower case."""
    first = table.find("tr")
    if first is None:
        return {}
    groups: dict[str, list[int]] = {}
    index = 0
    for cell in first.find_all(["th", "td"]):
        try:
            span = max(1, min(int(str(cell.get("colspan") or 1)), 50))
        except ValueError:
            span = 1
        label = clean(cell.get_text(" ")).lower()
        if label:
            groups[label] = list(range(index, index + span))
        index += span
    return groups
