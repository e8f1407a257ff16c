"""Money strings as pricing pages write them, and price records built from them.

A money string is a currency amount with an optional unit: ``$0.50 / 1M tokens``,
``0.25$ / 1M tokens``, ``$0.0008 / 1K tokens``, ``$3 / MTok``, ``$1.63/million tokens``,
``$0.000125 / 1K characters``, ``$0.040 / image``, ``$0.006 / minute``. Units come back as the
names ``llmflation.normalize`` uses (``per_1m_tokens``...), or a non-token unit (``per_image``...,
``per_other`` for "/ session", "/ GB"), or ``None`` when nothing follows the amount; a table
cell's bare ``$2.50`` takes the unit its header or heading names (:func:`unit_in`). This is the
one money reader of every pricing-page parser: tables (``price_tables``), cards, text renderings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from llmflation.normalize import DEFAULT_CHARS_PER_TOKEN, TOKEN_UNITS, usd_per_mtok
from llmflation.parsers.pricing_text import clean
from llmflation.records import ParseError, PriceRecord, as_decimal

_NUMBER = r"(?:\d{1,9}(?:,\d{3})*(?:\.\d{1,12})?|\.\d{1,12})"  # "$.50" too
_MONEY = re.compile(
    rf"(?:(?P<pre>[$€])\s?(?P<a>{_NUMBER})|(?P<b>{_NUMBER})\s?(?P<post>[$€]))"
    r"(?=(?P<rest>[^$€\n]{0,60}))"  # looked at, not consumed: the next amount may start inside
)
# What follows the amount: "/ 1M tokens", "per 1K characters", "/ MTok", "/ image", "/1M input tokens".
_UNIT = re.compile(
    r"^\s*(?:/|per)\s*(?:(?P<scale>1,000,000|1,000|1\s+million|1\s+thousand|million|thousand|1\s?k|1\s?m|m|k)\b)?\s*"
    r"(?P<what>mtok|ktok|(?:[a-z*]+\s){0,2}tokens?|characters?|chars?|images?|seconds?|minutes?|hours?|requests?)",
    re.IGNORECASE,
)
_SCALES = {"1k": "1k", "1,000": "1k", "1thousand": "1k", "thousand": "1k", "k": "1k",
           "1m": "1m", "1,000,000": "1m", "1million": "1m", "million": "1m", "m": "1m"}


@dataclass(frozen=True)
class Money:
    """One amount as a page states it: ``unit`` is ``None`` when the page gives no unit next to it."""

    amount: Decimal
    currency: str  # "USD" | "EUR"
    unit: str | None
    label: str = ""  # words between scale and "tokens" ("input", "cached input"...), lower case


def find_money(text: str, default_unit: str | None = None) -> list[Money]:
    """Every money string in ``text``, in order. ``default_unit`` applies where none is written."""
    return [money for money, _ in money_with_context(text, default_unit)]


def money_with_context(text: str, default_unit: str | None = None) -> list[tuple[Money, str]]:
    """Every money string in ``text`` with the text that follows it up to the next amount:
    the condition a page attaches to a price ("$2.50, prompts > 200k tokens")."""
    matches = list(_MONEY.finditer(text))
    found = []
    for i, match in enumerate(matches):
        raw = match.group("a") or match.group("b")
        currency = "EUR" if (match.group("pre") or match.group("post")) == "€" else "USD"
        unit, label = _unit_of(match.group("rest"))
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        money = Money(as_decimal(raw.replace(",", "")), currency, unit or default_unit, label)
        found.append((money, text[match.end():end]))
    return found


def _unit_of(rest: str) -> tuple[str | None, str]:
    match = _UNIT.match(rest)
    if match is None:
        # "/ session", "/ GB / day": a price, but per something that is not a token.
        return ("per_other" if re.match(r"\s*(?:/|per\s)\s*\w", rest, re.IGNORECASE) else None), ""
    scale = _SCALES.get(re.sub(r"\s", "", (match.group("scale") or "").lower()), "")
    what = match.group("what").lower()
    if re.match(r"\s*(?:/|per)\s*hour", rest[match.end():], re.IGNORECASE):
        return "per_hour", ""  # storage: "$1.00 / 1M tokens per hour"
    if what == "mtok":
        return "per_1m_tokens", ""
    if what == "ktok":
        return "per_1k_tokens", ""
    if what.endswith(("token", "tokens")):
        label = what.rsplit(" ", 1)[0].replace("*", "").strip() if " " in what else ""
        return {"1k": "per_1k_tokens", "1m": "per_1m_tokens"}.get(scale, "per_token"), label
    if what.startswith(("character", "char")):
        return {"1k": "per_1k_characters", "1m": "per_1m_characters"}.get(scale, "per_character"), ""
    non_token = {"image": "per_image", "second": "per_second", "minute": "per_minute", "hour": "per_hour",
                 "request": "per_request"}
    return non_token[what.rstrip("s")], ""


# Units named in a header, heading or sentence, most specific first; matched against lower-cased text.
_NAMED_UNITS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("per_1m_characters", re.compile(r"(?:1\s?m|million)\s+characters")),
    ("per_1k_characters", re.compile(r"(?:1\s?k|1,000|thousand)\s+characters")),
    ("per_1m_tokens", re.compile(r"(?:1\s?m|million|mtok)\b|per\s+million")),
    ("per_1k_tokens", re.compile(r"(?:1\s?k|1,000|thousand)\s+tokens")),
    ("per_hour", re.compile(r"per\s+hour|/\s?h(?:ou)?r\b|hour\s+transcribed|gpu[- ]hour")),
    ("per_minute", re.compile(r"per\s+minute|/\s?min(?:ute)?\b")),
    ("per_second", re.compile(r"per\s+second|/\s?sec(?:ond)?\b|gpu[- ]second")),
    ("per_image", re.compile(r"per\s+image|/\s?image|per\s+mp\b|/\s?mp\b|megapixel|/\s?step\b|per\s+step")),
)

#: Text longer than this is not a header or a price cell (a paragraph, a script): not searched.
MAX_CELL_CHARS = 400


def unit_in(text: str) -> str | None:
    """The price unit a header, heading or cell names (``"$/1M tokens"`` -> ``per_1m_tokens``); None if none.

    Token and character units are the ones ``normalize.usd_per_mtok`` converts; ``per_hour``,
    ``per_second``, ``per_minute`` and ``per_image`` mark prices that are not token prices.
    """
    lowered = clean(text).lower()[:MAX_CELL_CHARS]
    for unit, pattern in _NAMED_UNITS:
        if pattern.search(lowered):
            return unit
    return None


def is_token_unit(unit: str | None) -> bool:
    """True for the units ``normalize.usd_per_mtok`` turns into USD per 1M tokens."""
    return unit in TOKEN_UNITS


#: Why a price in a unit that is not a token is never published as a token price, by unit.
NON_TOKEN_REASONS: dict[str, str] = {
    "per_second": "price per second (not per token)",
    "per_minute": "price per minute (not per token)",
    "per_hour": "price per hour (not per token)",
    "per_image": "price per image or step (not per token)",
    "per_request": "price per request (not per token)",
    "per_character": "price per character (not per token)",
    "per_1k_characters": "price per character, no conversion rule for this source",
    "per_1m_characters": "price per character, no conversion rule for this source",
    "per_other": "price per other unit (not per token)",
}


def not_per_token(unit: str | None) -> str:
    """The skip reason for a price stated per ``unit`` (a key of :data:`NON_TOKEN_REASONS`)."""
    return NON_TOKEN_REASONS.get(unit or "", "price without a token unit")


def _usd_per_mtok(money: Money, chars_per_token: Decimal) -> Decimal:
    """USD per 1M tokens from a token-priced USD amount; ``ParseError`` for anything else."""
    if money.currency != "USD":
        raise ParseError(f"price {money.amount} is in {money.currency}, not USD")
    if money.unit is None or not is_token_unit(money.unit):
        raise ParseError(f"price {money.amount} has no token unit ({money.unit})")
    return usd_per_mtok(money.amount, money.unit, chars_per_token=chars_per_token)


def price_record(
    provider: str,
    model_key: str,
    *,
    input_price: Money | None,
    output_price: Money | None,
    tier: str = "standard",
    cached: Money | None = None,
    cache_write: Money | None = None,
    model_name: str | None = None,
    is_deprecated: bool = False,
    chars_per_token: Decimal = DEFAULT_CHARS_PER_TOKEN,
    context_window_tokens: int | None = None,
) -> PriceRecord:
    """A ``PriceRecord`` from page amounts, converted to USD per 1M tokens.

    The unit on the page is the unit of the input price (else the output price); rows whose
    price was stated per character are marked ``converted_from_characters``. A row whose
    stated prices are all zero is flagged ``is_free``.
    """
    stated = [m for m in (input_price, output_price) if m is not None]
    if not stated:
        raise ParseError(f"{model_key}: neither an input nor an output price")
    unit = stated[0].unit or ""
    def usd(money: Money | None) -> Decimal | None:
        return _usd_per_mtok(money, chars_per_token) if money is not None else None

    in_usd, out_usd = usd(input_price), usd(output_price)
    return PriceRecord(
        provider=provider,
        model_key=model_key,
        model_name=model_name,
        input_usd_per_mtok=in_usd,
        output_usd_per_mtok=out_usd,
        cached_input_usd_per_mtok=usd(cached),
        cache_write_usd_per_mtok=usd(cache_write),
        unit_on_page=unit,
        tier=tier,
        is_free=all(v == 0 for v in (in_usd, out_usd) if v is not None),
        is_deprecated=is_deprecated,
        converted_from_characters=unit.endswith(("characters", "character")),
        context_window_tokens=context_window_tokens,
    )
