"""Reading one price value safely (tier names are in ``llmflation.tiers``).

Price tables are third-party JSON: a value may be a float, a decimal string, ``NaN``,
``Infinity``, ``"1e999999"`` or ``true``. Everything that is not a plausible number becomes a
``ParseError`` here, so a parser can skip that entry by reason instead of crashing later in
``Decimal`` arithmetic.
"""

from __future__ import annotations

from decimal import Decimal

from llmflation.normalize import to_usd_per_mtok
from llmflation.records import ParseError, as_decimal

#: Exponent bounds for any price in USD per unit. A token price of 1e12 USD or a nonzero price
#: below 1e-30 USD is no real price; refusing them keeps every later conversion exact and finite.
_MAX_ADJUSTED_EXPONENT = 12
_MIN_ADJUSTED_EXPONENT = -30


def price_amount(value: object) -> Decimal:
    """An exact, finite ``Decimal`` of a price as the source wrote it (may be negative).

    Raises ``ParseError`` for non-numbers, ``NaN``/``Infinity`` and implausible magnitudes.
    """
    amount = as_decimal(value)
    if not amount.is_finite():
        raise ParseError(f"price is not finite: {value!r}")
    if amount != 0 and not _MIN_ADJUSTED_EXPONENT <= amount.adjusted() <= _MAX_ADJUSTED_EXPONENT:
        raise ParseError(f"price out of any plausible range: {value!r}")
    return amount


def usd_per_mtok(value: object, unit: str, *, chars_per_token: Decimal | None = None) -> Decimal:
    """``value`` (a price in USD per ``unit``) in USD per million tokens, checked as above.

    Negative prices are refused: callers that give a negative value a meaning (OpenRouter's
    ``-1`` for "depends on the routed model") test for it before calling this.
    """
    amount = price_amount(value)
    if amount < 0:
        raise ParseError(f"negative price: {value!r}")
    if chars_per_token is None:
        return to_usd_per_mtok(amount, unit)
    return to_usd_per_mtok(amount, unit, chars_per_token=chars_per_token)

