"""What the pricing-page parser tests share: capture metadata, fixture paths, and checks every page parser must pass."""

from __future__ import annotations

from datetime import datetime, UTC
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmflation.records import CaptureMeta, ParseError, ParseResult, PriceRecord

FIXTURES = Path(__file__).parent / "fixtures"


def capture(source_id: str, url: str = "https://example.invalid/pricing", content_type: str = "text/html") -> CaptureMeta:
    """Capture metadata for a fixture page (parsers read only its content type: a ``text/plain``
    capture is a text rendering of a page)."""
    return CaptureMeta(
        capture_id="fixture",
        source_id=source_id,
        url=url,
        observed_at=datetime(2025, 1, 1, tzinfo=UTC),
        via="live",
        status=200,
        content_type=content_type,
        sha256="0" * 64,
        size=0,
    )


def fixture_bytes(source_id: str, name: str) -> bytes:
    return (FIXTURES / source_id / name).read_bytes()


def prices_of(result: ParseResult) -> list[tuple[str, Decimal | None, Decimal | None]]:
    """(model_key, input, output) per record, in page order: what fixture tests compare exactly."""
    return [(p.model_key, p.input_usd_per_mtok, p.output_usd_per_mtok) for p in result.prices]


def D(value: str) -> Decimal:
    return Decimal(value)


def parse_fixture(parser: ModuleType, source_id: str, name: str) -> ParseResult:
    return parser.parse(fixture_bytes(source_id, name), capture(source_id))


def prices_by_key(result: ParseResult, tier: str = "standard") -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """``{model_key: (input, output)}`` for one tier, failing on a key seen twice in that tier."""
    table: dict[str, tuple[Decimal | None, Decimal | None]] = {}
    for price in result.prices:
        if price.tier != tier:
            continue
        assert price.model_key not in table, f"{price.model_key} appears twice in tier {tier}"
        table[price.model_key] = (price.input_usd_per_mtok, price.output_usd_per_mtok)
    return table


def record(result: ParseResult, model_key: str, tier: str = "standard") -> PriceRecord:
    """The one record of ``model_key`` in ``tier``."""
    matches = [p for p in result.prices if p.model_key == model_key and p.tier == tier]
    assert len(matches) == 1, f"{model_key}/{tier}: {len(matches)} records"
    return matches[0]


def without_tables_and_prices(body: bytes) -> bytes:
    """The page with its tables, scripts and every amount outside them removed: a layout change."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body.decode("utf-8"), "lxml")
    for tag in soup.find_all(["table", "script"]):
        tag.decompose()
    for text in soup.find_all(string=lambda s: "$" in s or "€" in s):
        text.replace_with("")
    return str(soup).encode("utf-8")


FOREIGN_PAGE = b"""<!DOCTYPE html><html><head><title>Release notes</title></head><body>
<h1>Release notes</h1><p>Version 2.1 fixes a crash when saving.</p>
<table><tr><th>Version</th><th>Date</th></tr><tr><td>2.1</td><td>2025-01-02</td></tr></table>
</body></html>"""


def check_never_crashes(parser: ModuleType, source_id: str) -> None:
    """Arbitrary bytes give records or a ParseError, never another exception."""

    @settings(max_examples=150, deadline=None)
    @given(st.binary(max_size=4096) | st.text(max_size=2048).map(lambda t: t.encode("utf-8")))
    def run(body: bytes) -> None:
        try:
            result = parser.parse(body, capture(source_id))
        except ParseError:
            return
        assert result.prices, "a successful parse must hold prices"

    run()


def check_big_hostile_input(parser: ModuleType, source_id: str) -> None:
    """Deep nesting and a huge single line finish with ParseError; an over-limit body is refused."""
    deep = b"<div>" * 20_000 + b"$0.10 per 1M tokens" + b"</div>" * 20_000
    long_line = b"<p>" + b"$1" * 500_000 + b"</p>"
    dollars_in_cells = b"<table>" + b"<tr><td>Up to 4B</td><td>$0.10</td></tr>" * 5_000 + b"</table>"
    many_tables = b"<h2>x</h2>" + b"<table><tr><td>Model</td><td>$0.10 per 1M tokens</td></tr></table>" * 3_000
    for body in (deep, long_line, dollars_in_cells, many_tables):
        with pytest.raises(ParseError):
            parser.parse(body, capture(source_id))
    with pytest.raises(ParseError, match="limit"):
        parser.parse(b" " * (16 * 1024 * 1024 + 1), capture(source_id))


SERVED_PAGES = Path("prices") / "pricing-pages"


def served_page(corpus_dir: Path, provider: str, prefix: str) -> bytes:
    """The bytes of the one served page of ``provider`` in the corpus whose name starts with ``prefix``."""
    matches = sorted((corpus_dir / SERVED_PAGES / provider).glob(f"{prefix}*"))
    assert len(matches) == 1, f"expected one corpus page {provider}/{prefix}*, found {matches}"
    return matches[0].read_bytes()


def priced(result: ParseResult, model_key: str, tier: str = "standard") -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(input, cached input, output) of the one record of ``model_key`` in ``tier``."""
    price = record(result, model_key, tier)
    return price.input_usd_per_mtok, price.cached_input_usd_per_mtok, price.output_usd_per_mtok
