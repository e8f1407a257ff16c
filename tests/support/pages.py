"""Helpers for the pricing-page parser tests: capture metadata, fixture bytes, and the checks
every page parser must pass (hostile input, pages from other sites)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from types import ModuleType

from llmflation.records import CaptureMeta, ParseError, ParseResult, PriceRecord

FIXTURES = Path(__file__).resolve().parents[1] / "parsers" / "fixtures"


def capture(source_id: str, body: bytes, *, content_type: str = "text/html; charset=utf-8",
            url: str = "https://example.invalid/pricing") -> CaptureMeta:
    """Capture metadata for bytes handed straight to a parser (as the build does after the raw store)."""
    return CaptureMeta(
        capture_id="test", source_id=source_id, url=url,
        observed_at=datetime(2024, 1, 1, tzinfo=timezone.utc), via="wayback", status=200,
        content_type=content_type, sha256=hashlib.sha256(body).hexdigest(), size=len(body),
    )


def fixture(source_id: str, name: str) -> bytes:
    return (FIXTURES / source_id / name).read_bytes()


def parse_fixture(parser: ModuleType, source_id: str, name: str) -> ParseResult:
    body = fixture(source_id, name)
    return parser.parse(body, capture(source_id, body))


def prices_by_key(result: ParseResult, tier: str = "standard") -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """``{model_key: (input, output)}`` for one tier, failing on a key seen twice in that tier."""
    table: dict[str, tuple[Decimal | None, Decimal | None]] = {}
    for record in result.prices:
        if record.tier != tier:
            continue
        assert record.model_key not in table, f"{record.model_key} appears twice in tier {tier}"
        table[record.model_key] = (record.input_usd_per_mtok, record.output_usd_per_mtok)
    return table


def record(result: ParseResult, model_key: str, tier: str = "standard") -> PriceRecord:
    matches = [r for r in result.prices if r.model_key == model_key and r.tier == tier]
    assert len(matches) == 1, f"{model_key}/{tier}: {len(matches)} records"
    return matches[0]


def d(value: str) -> Decimal:
    return Decimal(value)


def assert_parse_error_or_records(parser: ModuleType, source_id: str, body: bytes) -> None:
    """Arbitrary bytes give records or a ParseError, never another exception."""
    try:
        result = parser.parse(body, capture(source_id, body))
    except ParseError:
        return
    assert result.prices, "an empty success: parse() must raise ParseError when it finds no prices"
    for price in result.prices:
        assert price.input_usd_per_mtok is None or price.input_usd_per_mtok >= 0


OTHER_SITE = b"""<!DOCTYPE html><html><head><title>Bakery</title></head><body>
<h1>Our prices</h1><table><tr><th>Item</th><th>Price</th></tr>
<tr><td>Croissant</td><td>$2.50</td></tr><tr><td>Baguette</td><td>$3.10</td></tr></table>
<p>All prices include tax.</p></body></html>"""


def without_tables_and_prices(body: bytes) -> bytes:
    """The page with every table, and every dollar amount outside tables, removed (a layout change)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body.decode("utf-8"), "lxml")
    for table in soup.find_all("table"):
        table.decompose()
    for script in soup.find_all("script"):
        script.decompose()
    for text in soup.find_all(string=lambda s: "$" in s or "€" in s):
        text.replace_with("")
    return str(soup).encode("utf-8")
