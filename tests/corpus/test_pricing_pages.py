"""Every served pricing page of the corpus, through the parser its registry row names.

What holds for any page there, known or added later: it gives standard prices, or a ParseError
whose message says why (only an all-euro page may do that); every tier is in the vocabulary; no
model has two prices in one tier; keys carry no annotations; every published unit is a token
unit. The per-page values are pinned in tests/parsers/test_<provider>.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from llmflation.normalize import TOKEN_UNITS
from llmflation.parsers import load_parser
from llmflation.parsers.model_labels import model_label
from llmflation.records import ParseError
from llmflation.sources import get_source
from llmflation.tiers import is_tier
from tests.parsers.page_support import SERVED_PAGES, capture

pytestmark = pytest.mark.corpus

#: Content type a capture of each kind of file has (raw Markdown is served as text/plain).
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".htm": "text/html", ".md": "text/plain; charset=utf-8",
                 ".txt": "text/plain; charset=utf-8"}


def served_pages(corpus: Path) -> list[Path]:
    return sorted(p for p in (corpus / SERVED_PAGES).glob("*/*") if p.is_file())


def test_the_corpus_has_served_pages_of_four_providers(corpus_dir: Path) -> None:
    assert {p.parent.name for p in served_pages(corpus_dir)} >= {"openai", "anthropic", "google", "mistral"}


def test_every_served_page_gives_clean_standard_prices_or_says_why_not(corpus_dir: Path) -> None:
    for page in served_pages(corpus_dir):
        source = get_source(page.parent.name)  # a folder per registered pricing page
        assert source.kind == "pricing_page", page
        parser = load_parser(source.parser)
        assert page.suffix in CONTENT_TYPES, f"{page.name}: no content type known for this kind of file"
        try:
            result = parser.parse(page.read_bytes(), capture(source.id, url=source.live_url,
                                                             content_type=CONTENT_TYPES[page.suffix]))
        except ParseError as exc:
            assert "EUR only" in str(exc), f"{page.name}: {exc}"
            continue
        tiers = {p.tier for p in result.prices}
        assert "standard" in tiers, page.name
        assert all(is_tier(tier) for tier in tiers), (page.name, tiers)
        keys = [(p.provider, p.model_key, p.tier, p.quantization) for p in result.prices]
        assert len(keys) == len(set(keys)), page.name
        assert all(model_label(p.model_key).name == p.model_key for p in result.prices), page.name
        assert all(p.unit_on_page in TOKEN_UNITS for p in result.prices), page.name
        assert all(p.input_usd_per_mtok is None or p.input_usd_per_mtok >= 0 for p in result.prices), page.name
