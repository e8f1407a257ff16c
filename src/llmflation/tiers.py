"""The tier vocabulary: what kind of price a row of ``prices`` is, written once for every parser.

A source may state several prices for the same model: real-time and batch, a cheaper "flex" and a
dearer "priority" processing tier, a higher price above a prompt size, a discount at night. The
``tier`` column keeps them apart, in these words and no others:

- a **processing tier**: ``standard`` (the headline: uncached, real-time, default processing),
  ``batch`` (asynchronous batch API), ``flex`` (slower, interruptible processing at a discount),
  ``priority`` (faster, dearer processing);
- a **context band** above a prompt size: ``context>200k`` (the standard price for prompts over
  200,000 tokens), and ``batch/context>200k`` for another processing tier's price in that band. The
  band's absence means the lowest band: ``standard`` is the price for prompts up to the first
  threshold;
- a **time window** a price holds in (DeepSeek's off-peak discount, from genai-prices):
  ``hours 16:30:00Z-00:30:00Z`` and ``hours outside ...``.

Cached input is not a tier: it is the ``cached_input_usd_per_mtok`` column of the same row. The
analysis uses ``standard`` rows only. A capture states at most one price per provider, model and
tier: :class:`PriceClaims` refuses a second claim, naming both tables, so an ambiguous page fails
loudly instead of publishing two "standard" prices. A tier name a page uses that is not in this
vocabulary ("fast mode", "scale") is skipped and counted by its parser, never mapped to the nearest
word.
"""

from __future__ import annotations

import re

from llmflation.records import ParseError, PriceRecord

STANDARD = "standard"

#: Processing tiers and what each means: the words a ``tier`` may start with.
PROCESSING_TIERS: dict[str, str] = {
    STANDARD: "the headline price: uncached, real-time, default processing, lowest context band",
    "batch": "asynchronous batch processing (results within hours)",
    "flex": "slower, interruptible processing at a discount",
    "priority": "faster, guaranteed processing at a premium",
}

#: The ``tier`` column's description, for the schema and the README.
TIER_DESCRIPTION = (
    "What kind of price the row is: standard (the headline: uncached, real-time, default processing, "
    "lowest context band), batch, flex or priority (processing tiers), context>200k (the standard price "
    "above a prompt size; batch/context>200k for another tier in that band), or hours <window> "
    "(a time-of-day price). Cached input is a column, not a tier. The analysis uses standard only"
)

_BAND = r"context>\d+k?"
_TIER = re.compile(
    rf"^(?:{STANDARD}|batch|flex|priority|{_BAND}|(?:batch|flex|priority)/{_BAND}|hours [^/]+(?:/{_BAND})?)$"
)

#: Words pages use for a processing tier -> its name in the vocabulary.
_PAGE_LABELS: dict[str, str] = {
    "standard": STANDARD,
    "batch": "batch",
    "batch api": "batch",
    "flex": "flex",
    "flex processing": "flex",
    "priority": "priority",
    "priority processing": "priority",
}


def processing_tier(label: str) -> str | None:
    """The vocabulary's name for a page's tier label ("Batch", "Flex processing"); ``None`` when the
    label names no tier of the vocabulary (the caller skips those prices and counts them)."""
    return _PAGE_LABELS.get(" ".join(label.lower().split()))


def context_tier(threshold_tokens: int, base: str = STANDARD) -> str:
    """The ``tier`` of prices that apply above ``threshold_tokens`` input tokens.

    ``200000`` -> ``"context>200k"``; with ``base="batch"`` -> ``"batch/context>200k"``.
    Thresholds that are not whole thousands keep their exact token count.
    """
    size = f"{threshold_tokens // 1000}k" if threshold_tokens % 1000 == 0 else str(threshold_tokens)
    name = f"context>{size}"
    return name if base == STANDARD else f"{base}/{name}"


def is_tier(name: str) -> bool:
    """True for a name of the vocabulary."""
    return _TIER.match(name) is not None


class PriceClaims:
    """The price records of one capture, each with the table it came from.

    A record is a claim on (provider, model, tier, quantization): a second claim on the same key is
    a ``ParseError`` naming both tables, since the page then states two prices where the data can
    hold one. A tier outside the vocabulary is a parser bug and raises too.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.records: list[PriceRecord] = []
        self._tables: dict[tuple[str, str, str, str | None], str] = {}

    def add(self, record: PriceRecord, table: str) -> None:
        if not is_tier(record.tier):
            raise ParseError(f"{self.source}: tier {record.tier!r} of {record.model_key} is not in the tier vocabulary")
        key = (record.provider, record.model_key, record.tier, record.quantization)
        first = self._tables.get(key)
        if first is not None:
            where = f"table {first!r}" if first == table else f"tables {first!r} and {table!r}"
            raise ParseError(
                f"{self.source}: {record.model_key} has two {record.tier} prices, in {where}: "
                "the page no longer says which one is the price"
            )
        self._tables[key] = table
        self.records.append(record)

    def extend(self, records: list[PriceRecord], table: str) -> None:
        for record in records:
            self.add(record, table)
