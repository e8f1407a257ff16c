"""The release page's content, without a browser (the browser test is tests/integration/test_release_page.py)."""

from __future__ import annotations

from pathlib import Path

from llmflation.publish import publish
from llmflation.release_page import table_changes
from tests.support.price_rows import frame, price_row


def test_the_page_counts_rows_and_what_changed_and_escapes_what_sources_say(tmp_path: Path) -> None:
    first = frame(price_row("a/model", when="2026-01-01"), price_row("b/model", when="2026-01-01"))
    publish(tmp_path, "20260101T000000Z", {"prices": first}, {"run_id": "r1", "analysis": {"headline": ["<b>x</b> fell"]}})
    second = frame(price_row("b/model", when="2026-01-01"), price_row("c/model", when="2026-01-02"),
                   price_row("d/model", when="2026-01-02"))
    publish(tmp_path, "20260102T000000Z", {"prices": second}, {"run_id": "r2"})

    first_page = (tmp_path / "20260101T000000Z" / "index.html").read_text()
    assert "<script" not in first_page and "&lt;b&gt;x&lt;/b&gt; fell" in first_page
    assert "This is the first release." in first_page

    assert table_changes(tmp_path / "20260102T000000Z", tmp_path / "20260101T000000Z") == [("prices", 2, 1, 3)]
    page = (tmp_path / "20260102T000000Z" / "index.html").read_text()
    assert "Since release <code>20260101T000000Z</code>" in page
    assert '<tr><td>prices</td><td class="num">2</td><td class="num">1</td><td class="num">3</td></tr>' in page
    assert '<a href="prices.parquet">prices</a></td><td class="num">3</td>' in page
    top = (tmp_path / "index.html").read_text()
    assert top == page.replace("<head>", '<head>\n<base href="latest/">', 1)
