"""The registry rows of the provider pricing pages."""

from __future__ import annotations

import pytest

from llmflation.parsers import load_parser
from llmflation.sources import PRICING_PAGES, SOURCES, get_source

IDS = [source.id for source in SOURCES if source.kind == "pricing_page"]  # fixtures: test_registry_coverage


@pytest.mark.parametrize("source_id", IDS)
def test_row_names_its_parser_and_every_address_with_years(source_id: str) -> None:
    source = get_source(source_id)
    assert source in PRICING_PAGES
    assert (source.kind, source.provider) == ("pricing_page", source_id)
    assert load_parser(source.parser).PROVIDER == source_id
    assert [u.url for u in source.urls if u.until is None] == [source.live_url]
    starts = [u.since for u in source.urls]
    assert starts == sorted(starts) and all(u.until is None or u.until >= u.since for u in source.urls)
    assert all(u.url.startswith("https://") for u in source.urls)


def test_each_pricing_page_is_registered_once() -> None:
    ids = [source.id for source in PRICING_PAGES]
    assert sorted(ids) == sorted(IDS) and len(set(ids)) == len(ids) and ids
