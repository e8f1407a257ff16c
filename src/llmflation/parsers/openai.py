"""OpenAI's API pricing page, in every layout it has had since the API went on sale.

The page lived at beta.openai.com/pricing (2021-2022), openai.com/api/pricing (2022-2023 and
again 2024-2025), openai.com/pricing (2023-2024), platform.openai.com/docs/pricing (2024-2026)
and developers.openai.com/api/docs/pricing (2026-).
The era is decided from the content, never from the date or the address:

=================  ==========  ===============================================================  ===============
era                years       how it is recognised                                             unit on page
=================  ==========  ===============================================================  ===============
engines-per-1k     2021-2022   cards named Ada / Babbage / Curie / Davinci, each with one        per 1K tokens
                               "$0.0200 / 1K tokens" price, no Input/Output columns
tables-per-1k      2023        tables ``Model | Usage``, ``Model | Prompt | Completion`` or       per 1K tokens
                               ``Model | Input | Output`` whose cells say "/ 1K tokens"
tables-per-1m      2024        the same tables with "/ 1M tokens" (also cells holding labelled   per 1M tokens
                               "$2.50 / 1M input tokens" prices and a "Batch API" column)
cards-per-1m       2025-       openai.com/api/pricing: a card per model ("GPT-5") with lines    per 1M tokens
                               "Input: $1.250 / 1M tokens", "Cached input", "Output"; no tables
docs-per-1m        2025-       tables ``Model | Input | Cached input | Output`` of bare amounts,  per 1M tokens
                               the page saying once that prices are per 1M tokens, one table
                               per processing tier (Batch, Flex, Standard, Priority)
docs-components    2026-       developers.openai.com/api/docs/pricing: no price tables in the    per 1M tokens
                               HTML, but Astro components whose serialized props hold every
                               row, one component per processing tier (``openai_components``)
text-cards         (any)       a text rendering of the page (``text/plain`` capture): model       as written
                               names in capitals, each followed by "Input" / "Output" / "Usage"
                               lines and their prices
=================  ==========  ===============================================================  ===============

In the per-engine eras one price covered prompt and completion tokens alike, so input and
output carry the same number. Rows of the 2023 GPT-4 and GPT-3.5 tables name a context size,
not a model ("8K context"); they are keyed ``<section> <row>`` ("GPT-4 8K context").
Fine-tuning, embedding, image, audio and tool prices are skipped and counted by reason. Tiers are
named by ``llmflation.tiers``; a page that states two prices for one model and tier is a
``ParseError`` naming both tables. Model names lose their annotations ("Legacy", footnote marks),
deprecation kept as ``is_deprecated``.
Captures from before per-engine prices (the 2020-2021 monthly subscription plans of the private
beta) state no per-model token price: they raise ``ParseError`` like any unknown layout.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from llmflation.parsers.money_strings import find_money, price_record
from llmflation.parsers.price_cards import read_cards
from llmflation.parsers.price_tables import PriceRow, read_price_table, records_from_table
from llmflation.parsers.pricing_text import (
    clean,
    decode_page,
    find_tables,
    is_text_rendering,
    load_page,
    visible_lines,
)
from llmflation.parsers.openai_components import has_components, read_components
from llmflation.records import CaptureMeta, ParseError, ParseResult, PriceRecord
from llmflation.tiers import STANDARD, PriceClaims, processing_tier

PARSER_VERSION = "3"  # 3: the shared table and money reader also reads "$.50" and "Input/Output" columns
PROVIDER = "openai"
ERAS = ("engines-per-1k", "tables-per-1k", "tables-per-1m", "cards-per-1m", "docs-per-1m", "docs-components", "text-cards")

_ENGINE = re.compile(r"^(ada|babbage|curie|davinci)\b", re.I)
_SKIP_SECTIONS = (
    ("fine-tun", "fine-tuning price"),
    ("embedding", "embedding model"),
    ("image", "image model"),
    ("audio", "audio model"),
    ("assistants", "tool price"),
    ("built-in tools", "tool price"),
    ("realtime", "audio model"),
)


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    try:
        return _parse(body, capture)
    except RecursionError as exc:  # lxml accepts nesting deeper than Python can walk
        raise ParseError("openai pricing page: markup nested too deeply to read") from exc


def _parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    if is_text_rendering(body, capture.content_type):
        return _parse_text_cards(decode_page(body))
    soup = load_page(body, "openai pricing page")
    result = ParseResult()
    claims = PriceClaims("openai pricing page")
    if has_components(soup):
        read_components(soup, result, claims)
        return _finish(result, claims, "docs-components")
    text = clean(soup.get_text(" "))
    tables = find_tables(soup)  # (heading, rows) in document order
    era = _era(text, has_price_tables=any(read_price_table(rows) is not None for _, rows in tables))
    if era == "engines-per-1k":
        claims.extend(_engine_cards(visible_lines(soup), result), "engine cards")
    if era == "cards-per-1m":
        claims.extend(_model_cards(visible_lines(soup), result), "model cards")
    default_unit = "per_1m_tokens" if era == "docs-per-1m" else None
    for number, (heading, rows) in enumerate(tables, 1):
        reason = _skip_reason(heading)
        parsed = read_price_table(rows, default_unit)
        if reason:  # every priced row, with or without its own model name (image resolutions)
            result.skip(reason, sum(1 for row in rows[1:] if find_money(" ".join(row))))
            continue
        if parsed is None:
            continue
        prefix = f"{heading} " if _rows_are_context_sizes(parsed.rows) else ""
        tier: str | None = STANDARD
        if era == "docs-per-1m" and heading:
            tier = processing_tier(heading) or (STANDARD if _tier_free_heading(heading) else None)
        if tier is None:
            result.skip(f"price of a tier not in the vocabulary ({heading})", len(parsed.rows))
            continue
        label = f"table {number} ({heading or 'no heading'})"
        claims.extend(records_from_table(PROVIDER, parsed, result, tier=tier, model_prefix=prefix), label)
    return _finish(result, claims, era)


def _finish(result: ParseResult, claims: PriceClaims, era: str | None) -> ParseResult:
    result.prices.extend(claims.records)
    if not result.prices:
        raise ParseError(f"openai pricing page: no token prices found (era looked for: {era or 'none of ' + ', '.join(ERAS)})")
    return result


def _tier_free_heading(heading: str) -> bool:
    """A docs-era heading that names a kind of model, not a processing tier ("Text tokens")."""
    return re.search(r"\b(tier|processing|mode)\b", heading, re.I) is None


def _era(text: str, *, has_price_tables: bool) -> str | None:
    """The layout the page's text shows (see the module table), or ``None``."""
    if "/ 1M tokens" in text or "/ 1M input tokens" in text:
        return "tables-per-1m" if has_price_tables else "cards-per-1m"
    if "/ 1K tokens" in text:
        has_columns = re.search(r"\b(Prompt|Input)\b.{0,40}\b(Completion|Output)\b", text) is not None
        engines = len(set(m.lower() for m in re.findall(r"\b(Ada|Babbage|Curie|Davinci)\b", text)))
        return "engines-per-1k" if engines >= 3 and not has_columns else "tables-per-1k"
    if re.search(r"per 1M tokens|per million tokens", text, re.I):
        return "docs-per-1m"
    return None


def _skip_reason(heading: str) -> str:
    lowered = heading.lower()
    return next((reason for key, reason in _SKIP_SECTIONS if key in lowered), "")


def _rows_are_context_sizes(rows: Sequence[PriceRow]) -> bool:
    """True for the 2023 tables whose rows say "8K context" instead of naming a model."""
    return all(re.match(r"^\d+K context$", row.model, re.I) for row in rows)


def _engine_cards(lines: list[str], result: ParseResult) -> list[PriceRecord]:
    """Base-model cards of 2021-2022: an engine name, a tagline, one price per 1K tokens.

    Engine names further down (in the fine-tuned and embedding sections) are not base-model
    cards: those sections are read, and skipped, by the table reader.
    """
    def is_name(seq: Sequence[str], i: int) -> bool:
        return _ENGINE.match(seq[i]) is not None and len(seq[i]) < 30

    def section_of(line: str) -> str | None:
        return line if line.lower().startswith(("fine-tuned models", "embedding models", "model training")) else None

    records = []
    for card in read_cards(lines, is_name=is_name, section_of=section_of):
        if card.section:
            continue
        usage = card.prices.get("usage")
        if usage is None or usage.unit != "per_1k_tokens":
            result.skip("engine card without a per-1K-token price")
            continue
        records.append(price_record(PROVIDER, card.name, model_name=card.name, input_price=usage, output_price=usage))
    return records


_CARD_NAME = re.compile(r"^(gpt|o\d|chatgpt|codex|computer-use)[\w.\- ]*$", re.I)
_CARD_SECTIONS = re.compile(
    r"^(flagship models|more models|other models|legacy models|realtime api|fine-tuning|image generation api|"
    r"embeddings|built-in tools|audio models|transcription and speech generation|moderation)$",
    re.I,
)


def _model_cards(lines: list[str], result: ParseResult) -> list[PriceRecord]:
    """Model cards of the 2025 openai.com/api/pricing page: a name, then "Input: $1.250 / 1M tokens",
    "Cached input: ...", "Output: ..."; sections (Realtime API, Fine-tuning...) decide what is skipped."""
    def is_name(seq: Sequence[str], i: int) -> bool:
        return _CARD_NAME.match(seq[i]) is not None and len(seq[i]) <= 40

    def section_of(line: str) -> str | None:
        return line if _CARD_SECTIONS.match(line) else None

    records = []
    for card in read_cards(lines, is_name=is_name, section_of=section_of):
        reason = _skip_reason(card.section)
        if reason:
            result.skip(reason)
            continue
        input_price, output_price = card.prices.get("input"), card.prices.get("output")
        if input_price is None or output_price is None:
            result.skip("card without input and output prices")
            continue
        records.append(price_record(PROVIDER, card.name, model_name=card.name, input_price=input_price,
                                    output_price=output_price, cached=card.prices.get("cached")))
    return records


# -- text renderings ------------------------------------------------------------------------

_LABEL_LINES = {"input", "output", "usage", "training", "input usage", "output usage", "quality", "price"}
_TEXT_SECTIONS = re.compile(
    r"^(LANGUAGE MODELS|GPT-[\w.\- ]+|ASSISTANTS API|FINE-TUNING MODELS|EMBEDDING MODELS|BASE MODELS|"
    r"OTHER MODELS|IMAGE MODELS|AUDIO MODELS|OLDER MODELS|SIMPLE AND FLEXIBLE|FAQ)$"
)


def _parse_text_cards(text: str) -> ParseResult:
    lines = [clean(line) for line in text.splitlines() if clean(line)]
    result = ParseResult()

    def is_name(seq: Sequence[str], i: int) -> bool:
        following = seq[i + 1].lower() if i + 1 < len(seq) else ""
        return seq[i].upper() == seq[i] and following in _LABEL_LINES and len(seq[i]) < 60

    def section_of(line: str) -> str | None:
        # A section title is a capitalised line that is not followed by a label (not a card name).
        return line if _TEXT_SECTIONS.match(line) else None

    # Card names can look like section titles ("GPT-4"): decide by what follows, so test names first.
    names = {i for i in range(len(lines)) if is_name(lines, i)}
    for card in read_cards(
        lines,
        is_name=lambda seq, i: i in names,
        section_of=lambda line: None if line in {lines[i] for i in names} else section_of(line),
    ):
        reason = _skip_reason(card.section)
        if reason:
            result.skip(reason)
            continue
        standard_in = card.prices.get("input") or card.prices.get("usage")
        standard_out = card.prices.get("output") or card.prices.get("usage")
        if standard_in is None or standard_in.unit not in {"per_1k_tokens", "per_1m_tokens"}:
            result.skip("card without a token price")
            continue
        key = card.name.lower()
        result.prices.append(price_record(PROVIDER, key, model_name=card.name, input_price=standard_in,
                                          output_price=standard_out))
    if not result.prices:
        raise ParseError("openai pricing page (text rendering): no token prices found (era looked for: text-cards)")
    return result
