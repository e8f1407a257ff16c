"""The one place where prices become USD per million tokens, and where blends are computed.

All conversions are exact (``Decimal``): a per-token price of 0.00000015 becomes exactly 0.15.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from llmflation.records import ParseError, as_decimal

#: Characters per token used to turn per-character prices (Google's PaLM/Gemini pricing of
#: 2023-2024 was per 1K characters) into per-token prices. Google's own documentation of that
#: era stated that one token is about 4 characters. Configurable as ``[normalize]
#: chars_per_token``; rows converted this way carry ``converted_from_characters = True``.
DEFAULT_CHARS_PER_TOKEN = Decimal(4)

#: Tokens per unit of each token-based unit a source may use.
_TOKENS_PER_UNIT: dict[str, Decimal] = {
    "per_token": Decimal(1),
    "per_1k_tokens": Decimal(1_000),
    "per_1m_tokens": Decimal(1_000_000),
}

TOKEN_UNITS = frozenset(_TOKENS_PER_UNIT) | {"per_1k_characters", "per_1m_characters", "per_character"}

#: Units that are prices but not token prices: never in ``prices``, counted in the run report.
NON_TOKEN_UNITS = frozenset({"per_second", "per_minute", "per_image", "per_request", "per_hour"})


#: Exponent bounds for any price in USD per unit. A token price of 1e12 USD or a nonzero price
#: below 1e-30 USD is no real price; refusing them keeps every later conversion exact and finite.
_MAX_ADJUSTED_EXPONENT = 12
_MIN_ADJUSTED_EXPONENT = -30


def price_amount(value: object) -> Decimal:
    """An exact, finite ``Decimal`` of a price as the source wrote it (may be negative).

    Price tables are third-party data: a value may be a float, a decimal string, ``NaN``,
    ``Infinity``, ``"1e999999"`` or ``true``. Anything that is not a plausible number is a
    ``ParseError`` here, so a parser can skip that entry by reason instead of crashing later in
    ``Decimal`` arithmetic.
    """
    amount = as_decimal(value)
    if not amount.is_finite():
        raise ParseError(f"price is not finite: {value!r}")
    if amount != 0 and not _MIN_ADJUSTED_EXPONENT <= amount.adjusted() <= _MAX_ADJUSTED_EXPONENT:
        raise ParseError(f"price out of any plausible range: {value!r}")
    return amount


def usd_per_mtok(
    value: object,
    unit: str,
    *,
    chars_per_token: Decimal = DEFAULT_CHARS_PER_TOKEN,
) -> Decimal:
    """USD per million tokens from a USD price stated in ``unit``: the only such conversion.

    ``unit`` is one of ``per_token``, ``per_1k_tokens``, ``per_1m_tokens``, ``per_character``,
    ``per_1k_characters``, ``per_1m_characters``. Character units are converted with
    ``chars_per_token`` characters per token. Any other unit is an error: a per-second or
    per-image price is not a token price and must not be turned into one. The value is read by
    :func:`price_amount`; a negative price is an error too (callers that give a negative value a
    meaning, as OpenRouter's ``-1`` for "depends on the routed model", test for it first).
    """
    amount = price_amount(value)
    if amount < 0:
        raise ParseError(f"negative price: {value!r}")
    if unit in _TOKENS_PER_UNIT:
        return _clean(amount * Decimal(1_000_000) / _TOKENS_PER_UNIT[unit])
    chars_per_unit = {"per_character": 1, "per_1k_characters": 1_000, "per_1m_characters": 1_000_000}.get(unit)
    if chars_per_unit is not None:
        # Multiply by chars_per_token before dividing: 1/3 token per character would round.
        return _clean(amount * Decimal(1_000_000) * chars_per_token / Decimal(chars_per_unit))
    raise ParseError(f"unit {unit!r} is not a token unit")


def _clean(value: Decimal) -> Decimal:
    """Drop trailing zeros and negative zero so equal prices compare and print equal."""
    normalized = value.normalize()
    if normalized == 0:
        return Decimal(0)
    # normalize() can turn 60 into 6E+1; quantize back to a plain exponent >= 0 for integers.
    if normalized == normalized.to_integral_value():
        return normalized.quantize(Decimal(1))
    return normalized


def parse_blend(blend: str) -> tuple[int, int]:
    """``"3:1"`` -> (3, 1): parts input to parts output."""
    try:
        left, right = blend.split(":")
        weights = int(left), int(right)
    except ValueError as exc:
        raise ValueError(f"blend must look like '3:1', got {blend!r}") from exc
    if min(weights) < 0 or sum(weights) == 0:
        raise ValueError(f"blend weights must be >= 0 and not both 0, got {blend!r}")
    return weights


@lru_cache(maxsize=1 << 16)  # the monthly series blend the same few thousand price pairs again and again
def blended_usd_per_mtok(input_price: Decimal, output_price: Decimal, blend: str) -> Decimal:
    """Weighted mean of input and output price, ``blend`` = "input:output" token ratio.

    ``1:1`` is the plain mean (a16z); ``3:1`` weights input three times (Epoch AI, Artificial
    Analysis). Exact in Decimal; the analysis turns it into a float when it fits curves.
    """
    w_in, w_out = parse_blend(blend)
    value = Fraction(input_price) * w_in / (w_in + w_out) + Fraction(output_price) * w_out / (w_in + w_out)
    return _clean(Decimal(value.numerator) / Decimal(value.denominator))
