from decimal import Decimal

import pytest

from llmflation.normalize import blended_usd_per_mtok, parse_blend, usd_per_mtok
from llmflation.records import ParseError


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("0.000000075", "per_token", Decimal("0.075")),
        (3e-07, "per_token", Decimal("0.3")),  # a float goes through repr, not its binary expansion
        ("0.06", "per_1k_tokens", Decimal("60")),  # GPT-3 davinci, 2021
        ("0.0015", "per_1k_tokens", Decimal("1.5")),
        (Decimal("2.50"), "per_1m_tokens", Decimal("2.5")),
        ("0", "per_token", Decimal("0")),
    ],
)
def test_token_units_convert_exactly(value: object, unit: str, expected: Decimal) -> None:
    result = usd_per_mtok(value, unit)
    assert result == expected
    assert str(result) == str(expected)


def test_per_character_prices_use_the_configured_characters_per_token() -> None:
    # $0.0005 per 1K characters at 4 characters per token = $0.002 per 1K tokens = $2 per 1M.
    assert usd_per_mtok("0.0005", "per_1k_characters") == Decimal("2")
    assert usd_per_mtok("0.0005", "per_1k_characters", chars_per_token=Decimal(3)) == Decimal("1.5")


@pytest.mark.parametrize("unit", ["per_image", "per_second", "per_1k_tokenz"])
def test_non_token_units_are_refused(unit: str) -> None:
    with pytest.raises(ParseError, match="not a token unit"):
        usd_per_mtok("0.04", unit)


def test_non_numbers_are_refused() -> None:
    with pytest.raises(ParseError):
        usd_per_mtok("free", "per_token")
    with pytest.raises(ParseError):
        usd_per_mtok(True, "per_token")


def test_blends() -> None:
    assert blended_usd_per_mtok(Decimal(30), Decimal(60), "1:1") == Decimal(45)
    assert blended_usd_per_mtok(Decimal(3), Decimal(15), "3:1") == Decimal(6)
    assert blended_usd_per_mtok(Decimal("0.1"), Decimal("0.2"), "2:1") == Decimal("0.1333333333333333333333333333")
    assert parse_blend("3:1") == (3, 1)
    with pytest.raises(ValueError):
        parse_blend("3-1")
    with pytest.raises(ValueError):
        parse_blend("0:0")


def test_conversion_keeps_every_digit_the_source_wrote() -> None:
    """Float noise is the source's own statement; the published columns round only beyond 18 places."""
    from decimal import Decimal

    from llmflation.normalize import usd_per_mtok

    assert usd_per_mtok("2.9999900000000002e-06", "per_token") == Decimal("2.9999900000000002")
    assert usd_per_mtok("0.00000015", "per_token") == Decimal("0.15")


@pytest.mark.parametrize("value", ["-0.5", "NaN", "Infinity", "1e999999", "1e-40"])
def test_negative_non_finite_and_implausible_prices_are_refused(value: str) -> None:
    with pytest.raises(ParseError, match="negative|finite|plausible"):
        usd_per_mtok(value, "per_1m_tokens")
