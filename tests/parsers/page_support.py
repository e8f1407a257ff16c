"""What the pricing-page parser tests share: capture metadata, fixture paths, and checks every page parser must pass."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmflation.records import CaptureMeta, ParseError, ParseResult

FIXTURES = Path(__file__).parent / "fixtures"


def capture(source_id: str, url: str = "https://example.invalid/pricing") -> CaptureMeta:
    """Capture metadata for a fixture page (parsers must not depend on any of it)."""
    return CaptureMeta(
        capture_id="fixture",
        source_id=source_id,
        url=url,
        observed_at=datetime(2025, 1, 1, tzinfo=timezone.utc),
        via="live",
        status=200,
        content_type="text/html",
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
