"""The cross-check on served pages: every corpus pricing page against the corpus price APIs of its dates.

The same run as ``make agreement`` (``tests/corpus/agreement_corpus.py``): pages and API files
stored as captures on their content dates, built by the nightly build's code, compared by
``crosscheck.cross_check``. What is asserted holds for any page file in the folder; the pinned
facts are prices read from the pages and the litellm table of 2026-04-29 themselves.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from llmflation.crosscheck import AGREE, MAX_GAP, VERDICTS, CrossCheck, Outcome, api_provider_names
from llmflation.sources import get_source
from tests.corpus.agreement_corpus import PAGES, PageResult, measure, report_lines

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def measured(corpus_dir: Path) -> tuple[list[PageResult], CrossCheck]:
    return measure(corpus_dir)


def page(measured: tuple[list[PageResult], CrossCheck], name_part: str) -> PageResult:
    (found,) = [r for r in measured[0] if name_part in r.file]
    return found


def rows(result: PageResult, model_key: str) -> list[Outcome]:
    return [o for o in result.outcomes if o.page.model_key == model_key]


def test_every_page_file_is_a_registered_page_captured_on_its_date(corpus_dir: Path,
                                                                   measured: tuple[list[PageResult], CrossCheck]) -> None:
    files = sorted(p.relative_to(corpus_dir).as_posix() for p in (corpus_dir / PAGES).glob("*/*") if p.is_file())
    assert files and sorted(r.file for r in measured[0]) == files
    for result in measured[0]:
        assert get_source(result.source_id).kind == "pricing_page"
        assert result.observed_at.strftime("%Y-%m-%d") in result.file  # file names carry the content date
        assert result.error or result.outcomes or result.repeats_previous, f"{result.file}: parsed, yet no standard prices"


def test_every_comparison_follows_the_rules(measured: tuple[list[PageResult], CrossCheck]) -> None:
    names = api_provider_names()
    for result in measured[0]:
        for outcome in result.outcomes:
            assert outcome.compared == bool(outcome.pairs) and (outcome.compared or outcome.reason)
            for pair in outcome.pairs:
                assert pair.gap <= MAX_GAP
                assert names[(pair.api.source_id, pair.api_provider_name)] == outcome.page.provider
                assert get_source(pair.api.source_id).kind == "price_api"
            if outcome.compared:
                assert outcome.verdict in VERDICTS
                assert (outcome.verdict == AGREE) == all(p.agrees for p in outcome.pairs)


def test_anthropic_2026_current_models_agree_with_litellm(measured: tuple[list[PageResult], CrossCheck]) -> None:
    result = page(measured, "anthropic/platform-claude-com-docs-pricing_2026-04-26")
    for model, inp, out in (("Claude Opus 4.5", "5", "25"), ("Claude Sonnet 4.5", "3", "15"), ("Claude Haiku 4.5", "1", "5")):
        (outcome,) = rows(result, model)
        assert (outcome.page.input_usd_per_mtok, outcome.page.output_usd_per_mtok) == (Decimal(inp), Decimal(out))
        assert outcome.verdict == AGREE and outcome.matched_on == "model_id"
        (pair,) = outcome.pairs
        # litellm's row of the model: the same entry in its tables from before the page's date to after it.
        assert pair.api.source_id == "litellm" and pair.api.observed_at < outcome.page.observed_at < pair.api.last_observed_at
        assert pair.gap == timedelta(0)


def test_gemini_2026_a_standard_price_other_than_the_apis_is_never_agreed(measured: tuple[list[PageResult], CrossCheck]) -> None:
    """gemini-2.5-flash is $0.30 / $2.50 (Standard tab of the page; litellm agrees). A Flex ($0.15 / $1.25) or
    Priority ($0.54 / $4.50) price read as the standard one is what the cross-check must flag."""
    result = page(measured, "google/ai-google-dev-gemini-api-docs-pricing_2026-04-27")
    flash = rows(result, "gemini-2.5-flash")
    standard = [o for o in flash if o.page.prices() == (Decimal("0.3"), Decimal("2.5"))]
    assert len(standard) == 1 and standard[0].verdict == AGREE
    for other in flash:
        if other not in standard:
            assert other.verdict not in (AGREE, None), other.page.prices()


def test_the_report_names_every_page_and_every_row_that_does_not_agree(measured: tuple[list[PageResult], CrossCheck]) -> None:
    lines = report_lines(measured[0], MAX_GAP)
    for result in measured[0]:
        assert any(line.startswith(result.file) for line in lines)
    disagreeing = sum(o.verdict != AGREE for r in measured[0] for o in r.outcomes)
    assert sum(line.startswith("    ") for line in lines) == disagreeing
