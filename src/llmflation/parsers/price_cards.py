"""Price cards: a model's name, then labelled prices in the lines below it.

Several eras of pricing pages show a card per model instead of a table:

    HAIKU                      Claude 3.5 Sonnet            GPT-4-0125-PREVIEW
    * Input: $0.25 / MTok      Input                        Input
    * Output: $1.25 / MTok     $3 / MTok                    $10.00 / 1M tokens
                               Prompt caching write         Output
                               $3.75 / MTok                 $30.00 / 1M tokens

This module reads such cards from a sequence of text lines: the visible lines of an HTML
page, a text rendering of it, or the strings of the page's embedded JSON in order. The
provider's parser says which lines name a model and which section a card is in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from llmflation.parsers.money_strings import Money, find_money

#: Label text (lower case, without ":") -> the kind of price it introduces.
DEFAULT_LABELS: dict[str, str] = {
    "input": "input",
    "prompt": "input",
    "base input tokens": "input",
    "output": "output",
    "completion": "output",
    "output tokens": "output",
    "usage": "usage",
    "cached input": "cached",
    "prompt caching read": "cached",
    "cache read": "cached",
    "read": "cached",
    "cache hits": "cached",
    "prompt caching write": "cache_write",
    "cache write": "cache_write",
    "write": "cache_write",
    "batch input": "batch_input",
    "batch output": "batch_output",
    "training": "training",
    "input usage": "ft_input",
    "output usage": "ft_output",
}

_BULLET = re.compile(r"^[*•\-–]\s+")

#: Card lines are short ("Input: $0.25 / MTok"); longer lines are prose and are not searched.
MAX_CARD_LINE = 400


@dataclass
class Card:
    """One model's card: its name as written, the section it sits in, and its prices by kind."""

    name: str
    section: str
    prices: dict[str, Money] = field(default_factory=dict)


def read_cards(
    lines: Sequence[str],
    *,
    is_name: Callable[[Sequence[str], int], bool],
    section_of: Callable[[str], str | None] = lambda line: None,
    labels: dict[str, str] = DEFAULT_LABELS,
    default_unit: str | None = None,
) -> list[Card]:
    """The cards in ``lines``, in order; cards that state no price are left out.

    ``is_name(lines, i)`` says whether line ``i`` names a model (it opens a new card);
    ``section_of(line)`` returns a section title when the line is one (it closes the card).
    A price is attached to the kind named by the label on its own line ("Input: $3 / MTok")
    or on the line just before it; a price with no label is the card's ``usage`` price.
    """
    cards: list[Card] = []
    card: Card | None = None
    section = ""
    pending_label = ""
    for i, raw in enumerate(lines):
        if len(raw) > MAX_CARD_LINE:
            continue  # a paragraph or a blob, not a line of a card
        line = _BULLET.sub("", raw.strip())
        title = section_of(line)
        if title is not None:
            section, card, pending_label = title, None, ""
            continue
        amounts = find_money(line, default_unit)
        if not amounts:
            label = line.rstrip(":").strip().lower()
            if label in labels:
                pending_label = label
            elif is_name(lines, i):
                card = Card(name=line, section=section)
                cards.append(card)
                pending_label = ""
            continue
        if card is None:
            continue
        before = line[: _first_amount_at(line)].rstrip(": ").strip().lower()
        kind = labels.get(before) or labels.get(pending_label) or ("usage" if not before else "")
        if kind and kind not in card.prices:
            card.prices[kind] = amounts[0]
        pending_label = ""
    return [c for c in cards if c.prices]


def _first_amount_at(line: str) -> int:
    match = re.search(r"[$€]|\d", line)
    return match.start() if match else 0
