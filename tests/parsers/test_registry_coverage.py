"""The registry is the only list of sources: every registered source has a parser test and test data.

Adding a source is a registry row, a parser, a fixture and a test; a row added without the last two
fails here, by name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from llmflation.sources import SOURCES, Source
from tests.integration.test_every_source import SERVED
from tests.parsers.page_support import FIXTURES

PARSER_TESTS = Path(__file__).parent


def parser_test(source: Source) -> Path:
    """The test module of the source's parser (``llmflation.parsers.openai`` -> ``test_openai.py``)."""
    return PARSER_TESTS / f"test_{source.parser.rsplit('.', 1)[-1]}.py"


def missing_test_data(source: Source) -> str | None:
    """Why the source has no test data, or ``None``: a pricing page needs served pages of two or more
    dates in ``fixtures/<id>/``; any other source a body the every-source run serves."""
    if source.kind == "pricing_page":
        dates = {page.stem.rsplit("_", 1)[-1] for page in (FIXTURES / source.id).glob("*.html")}
        return None if len(dates) >= 2 else f"{source.id}: fixture pages of {len(dates)} dates in {FIXTURES / source.id}"
    return None if source.id in SERVED else f"{source.id}: no body in tests/integration/test_every_source.py SERVED"


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.id)
def test_every_source_has_a_parser_test(source: Source) -> None:
    assert parser_test(source).is_file(), f"{source.id}: no {parser_test(source).name} for {source.parser}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.id)
def test_every_source_has_test_data(source: Source) -> None:
    assert missing_test_data(source) is None, missing_test_data(source)


def test_a_source_without_a_test_or_data_is_caught() -> None:
    new = Source(id="newcomer", kind="pricing_page", provider="newcomer", urls=(), parser="llmflation.parsers.newcomer")
    assert not parser_test(new).is_file()
    assert missing_test_data(new) == f"newcomer: fixture pages of 0 dates in {FIXTURES / 'newcomer'}"
    api = Source(id="newcomer_api", kind="price_api", provider="newcomer", urls=(), parser="llmflation.parsers.openrouter")
    assert parser_test(api).is_file() and "SERVED" in (missing_test_data(api) or "")


def test_no_source_id_is_listed_twice() -> None:
    ids = [source.id for source in SOURCES]
    assert len(ids) == len(set(ids))


def test_ranks_are_unique_and_only_where_they_mean_something() -> None:
    score_ranks = [s.score_rank for s in SOURCES if s.score_rank is not None]
    catalog_ranks = [s.catalog_rank for s in SOURCES if s.catalog_rank is not None]
    assert len(set(score_ranks)) == len(score_ranks) and len(set(catalog_ranks)) == len(catalog_ranks)
    assert all(s.kind == "leaderboard" for s in SOURCES if s.score_rank is not None or s.hub_repo_names)
