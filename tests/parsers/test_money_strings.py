"""Money strings as the provider pages of every era write them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from llmflation.parsers.money_strings import Money, find_money, money_with_context, price_record
from llmflation.records import ParseError


def test_money_strings_of_every_era() -> None:
    cases = {
        "$0.0200 / 1K tokens": ("0.0200", "USD", "per_1k_tokens"),
        "0.25$ / 1M tokens": ("0.25", "USD", "per_1m_tokens"),
        "$3 / MTok": ("3", "USD", "per_1m_tokens"),
        "$1.63/million tokens": ("1.63", "USD", "per_1m_tokens"),
        "$7 / 1 million tokens": ("7", "USD", "per_1m_tokens"),
        "$0.000125 / 1K characters": ("0.000125", "USD", "per_1k_characters"),
        "0.14€ / 1M tokens": ("0.14", "EUR", "per_1m_tokens"),
        "$0.040 / image": ("0.040", "USD", "per_image"),
        "$0.006 / minute": ("0.006", "USD", "per_minute"),
        "$4.50 / 1,000,000 tokens per hour": ("4.50", "USD", "per_hour"),
        "$0.03 / session": ("0.03", "USD", "per_other"),
        "$2.50": ("2.50", "USD", None),
    }
    for text, (amount, currency, unit) in cases.items():
        (money,) = find_money(text)
        assert (str(money.amount), money.currency, money.unit) == (amount, currency, unit), text
    # Amounts written back to back, as text renderings of tables run them together.
    assert [str(m.amount) for m in find_money("0.25$ / 1M tokens0.7$ / 1M tokens0.2€ / 1M")] == ["0.25", "0.7", "0.2"]
    assert find_money("$1.25 / 1M cached** input tokens")[0].label == "cached input"


def test_condition_after_an_amount_is_kept_for_context_tiers() -> None:
    (low, low_text), (high, high_text) = money_with_context("$1.25, prompts <= 200k tokens $2.50, prompts > 200k", "per_1m_tokens")
    assert (low.amount, low.unit, high.amount) == (Decimal("1.25"), "per_1m_tokens", Decimal("2.50"))
    assert "<= 200k" in low_text and "> 200k" in high_text


def test_records_refuse_euros_and_non_token_units() -> None:
    with pytest.raises(ParseError, match="EUR"):
        price_record("mistral", "m", input_price=Money(Decimal("0.2"), "EUR", "per_1m_tokens"), output_price=None)
    with pytest.raises(ParseError, match="no token unit"):
        price_record("openai", "dall-e", input_price=Money(Decimal("0.04"), "USD", "per_image"), output_price=None)
    free = price_record("google", "x", input_price=Money(Decimal(0), "USD", "per_1m_tokens"),
                        output_price=Money(Decimal(0), "USD", "per_1m_tokens"))
    assert free.is_free
