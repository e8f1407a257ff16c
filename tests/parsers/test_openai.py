"""OpenAI pricing page: every era's fixture, the 2024-04-01 page text of the corpus, bad pages."""

from __future__ import annotations

import html
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmflation.parsers import openai
from llmflation.records import ParseError
from tests.parsers.page_support import (
    D,
    FOREIGN_PAGE,
    capture,
    fixture_bytes,
    parse_fixture,
    prices_by_key,
    priced,
    record,
    served_page,
    without_tables_and_prices,
)


def test_engines_era_2022_one_price_per_engine_per_1k_tokens() -> None:
    result = parse_fixture(openai, "openai", "engines-per-1k_2022-07-03.html")
    assert prices_by_key(result) == {
        "Ada": (D("0.8"), D("0.8")),
        "Babbage": (D("1.2"), D("1.2")),
        "Curie": (D("6"), D("6")),
        "Davinci": (D("60"), D("60")),
    }
    assert {r.unit_on_page for r in result.prices} == {"per_1k_tokens"}
    assert result.skipped == {"fine-tuning price": 4, "embedding model": 4}


def test_tables_per_1k_era_2023_context_rows_are_keyed_by_family() -> None:
    result = parse_fixture(openai, "openai", "tables-per-1k_2023-07-15.html")
    assert prices_by_key(result) == {
        "GPT-4 8K context": (D("30"), D("60")),
        "GPT-4 32K context": (D("60"), D("120")),
        "GPT-3.5 Turbo 4K context": (D("1.5"), D("2")),
        "GPT-3.5 Turbo 16K context": (D("3"), D("4")),
        "Ada": (D("0.4"), D("0.4")),
        "Babbage": (D("0.5"), D("0.5")),
        "Curie": (D("2"), D("2")),
        "Davinci": (D("20"), D("20")),
    }
    assert result.skipped == {"fine-tuning price": 2, "embedding model": 1, "image model": 2, "audio model": 1}


def test_tables_per_1m_era_2024_04() -> None:
    result = parse_fixture(openai, "openai", "tables-per-1m_2024-04-01.html")
    prices = prices_by_key(result)
    assert prices["gpt-4-0125-preview"] == (D("10"), D("30"))
    assert prices["gpt-3.5-turbo-0125"] == (D("0.5"), D("1.5"))
    assert prices["gpt-4-32k"] == (D("60"), D("120"))
    assert prices["davinci-002"] == (D("2"), D("2"))  # base model: one usage price
    assert len(prices) == 13
    # Text-to-speech is priced per 1M characters: an audio price, never a token price.
    assert "TTS" not in prices and result.skipped["audio model"] == 3
    assert result.skipped["fine-tuning price"] == 3 and result.skipped["tool price"] == 2


def test_tables_per_1m_era_2024_10_cached_and_batch_prices_kept_apart() -> None:
    result = parse_fixture(openai, "openai", "tables-per-1m_2024-10-15.html")
    gpt4o = record(result, "gpt-4o")
    assert (gpt4o.input_usd_per_mtok, gpt4o.cached_input_usd_per_mtok, gpt4o.output_usd_per_mtok) == (
        D("2.5"), D("1.25"), D("10"))
    batch = record(result, "gpt-4o", tier="batch")
    assert (batch.input_usd_per_mtok, batch.output_usd_per_mtok) == (D("1.25"), D("5"))
    mini = record(result, "gpt-4o-mini")
    assert (mini.input_usd_per_mtok, mini.cached_input_usd_per_mtok, mini.output_usd_per_mtok) == (
        D("0.15"), D("0.075"), D("0.6"))
    assert record(result, "gpt-4o-2024-05-13").cached_input_usd_per_mtok is None
    assert prices_by_key(result, "batch").keys() == {
        "gpt-4o", "gpt-4o-2024-08-06", "gpt-4o-2024-05-13", "gpt-4o-mini", "gpt-4o-mini-2024-07-18"}
    assert prices_by_key(result)["o1-mini"] == (D("3"), D("12"))


def test_docs_era_2025_bare_amounts_per_1m_and_one_table_per_tier() -> None:
    result = parse_fixture(openai, "openai", "docs-per-1m_2025-08-15.html")
    gpt5 = record(result, "gpt-5")
    assert (gpt5.input_usd_per_mtok, gpt5.cached_input_usd_per_mtok, gpt5.output_usd_per_mtok) == (
        D("1.25"), D("0.125"), D("10"))
    assert prices_by_key(result, "batch")["gpt-5-nano"] == (D("0.025"), D("0.2"))
    assert record(result, "o3-pro").cached_input_usd_per_mtok is None  # "-" on the page
    assert len(prices_by_key(result)) == 5
    assert result.skipped == {"image model": 1, "embedding model": 1}


def test_cards_era_2025_gpt5_family_with_cached_input_and_sections_skipped() -> None:
    result = parse_fixture(openai, "openai", "cards-per-1m_2025-09-01.html")
    assert prices_by_key(result) == {
        "GPT-5": (D("1.25"), D("10")),
        "GPT-5 mini": (D("0.25"), D("2")),
        "GPT-5 nano": (D("0.05"), D("0.4")),
    }
    assert record(result, "GPT-5 nano").cached_input_usd_per_mtok == D("0.005")
    assert result.skipped == {"audio model": 1, "fine-tuning price": 1}


@pytest.mark.corpus
def test_page_text_of_2024_04_01_agrees_with_llm_prices(corpus_dir) -> None:
    folder = corpus_dir / "prices" / "pricing-page-text"
    body = (folder / "pricing-page-openai_2024-04-01.txt").read_bytes()
    result = openai.parse(body, capture("openai", content_type="text/plain"))
    expected = json.loads((folder / "llm-prices_2024-04-01.json").read_text())["openai"]["models"]
    ours = prices_by_key(result)
    for model, price in expected.items():
        assert ours[model] == (D(str(price["input_per_million"])), D(str(price["output_per_million"]))), model
    # Our reading also keeps the base models that project left out, and nothing else.
    assert set(ours) - set(expected) == {"davinci-002", "babbage-002"}
    assert result.skipped["image model"] == 7


@pytest.mark.parametrize("name", [
    "engines-per-1k_2022-07-03.html", "tables-per-1k_2023-07-15.html", "tables-per-1m_2024-04-01.html",
    "tables-per-1m_2024-10-15.html", "cards-per-1m_2025-09-01.html", "docs-per-1m_2025-08-15.html",
])
def test_page_with_its_tables_removed_is_an_error_naming_the_era(name: str) -> None:
    body = without_tables_and_prices(fixture_bytes("openai", name))
    with pytest.raises(ParseError, match="openai pricing page: no token prices found .era looked for"):
        openai.parse(body, capture("openai"))


def test_page_from_another_site_is_an_error() -> None:
    with pytest.raises(ParseError, match="none of engines-per-1k"):
        openai.parse(FOREIGN_PAGE, capture("openai"))


def test_empty_text_capture_is_an_error() -> None:
    with pytest.raises(ParseError, match="text-cards"):
        openai.parse(b"nothing here", capture("openai", content_type="text/plain"))


# -- served pages of the corpus ------------------------------------------------------------------


@pytest.fixture
def docs_2026(corpus_dir):
    body = served_page(corpus_dir, "openai", "developers-openai-com-api-docs-pricing_2026-04-27")
    return openai.parse(body, capture("openai", url="https://developers.openai.com/api/docs/pricing"))


@pytest.mark.corpus
def test_docs_2026_standard_prices_come_from_the_component_data(docs_2026) -> None:
    # Values read on the page (the "Standard" pane of Flagship models, "All models" rows).
    assert priced(docs_2026, "gpt-5.5") == (D("5"), D("0.5"), D("30"))
    assert priced(docs_2026, "gpt-5.4-mini") == (D("0.75"), D("0.075"), D("4.5"))
    assert priced(docs_2026, "gpt-5.2-pro") == (D("21"), None, D("168"))  # "-" cached
    assert priced(docs_2026, "gpt-5") == (D("1.25"), D("0.125"), D("10"))
    assert priced(docs_2026, "gpt-5-nano") == (D("0.05"), D("0.005"), D("0.4"))
    assert priced(docs_2026, "gpt-4.1") == (D("2"), D("0.5"), D("8"))
    assert priced(docs_2026, "gpt-4o-mini") == (D("0.15"), D("0.075"), D("0.6"))
    assert priced(docs_2026, "o3") == (D("2"), D("0.5"), D("8"))
    assert priced(docs_2026, "o4-mini") == (D("1.1"), D("0.275"), D("4.4"))
    assert priced(docs_2026, "o1-pro") == (D("150"), None, D("600"))
    assert priced(docs_2026, "gpt-4-32k") == (D("60"), None, D("120"))
    assert priced(docs_2026, "gpt-3.5-turbo-0125") == (D("0.5"), None, D("1.5"))
    assert priced(docs_2026, "davinci-002") == (D("2"), None, D("2"))
    # Specialized models (category groups) are chat/completion prices too.
    assert priced(docs_2026, "gpt-5.3-codex") == (D("1.75"), D("0.175"), D("14"))
    assert priced(docs_2026, "o3-deep-research") == (D("10"), D("2.5"), D("40"))
    assert len(prices_by_key(docs_2026)) == 60


@pytest.mark.corpus
def test_docs_2026_batch_flex_and_priority_panes_are_their_own_tiers(docs_2026) -> None:
    assert priced(docs_2026, "gpt-5.5", "batch") == (D("2.5"), D("0.25"), D("15"))
    assert priced(docs_2026, "gpt-4.1", "batch") == (D("1"), None, D("4"))  # "-" cached in Batch
    assert priced(docs_2026, "gpt-4o", "batch") == (D("1.25"), None, D("5"))
    assert priced(docs_2026, "o4-mini", "flex") == (D("0.55"), D("0.138"), D("2.2"))
    assert priced(docs_2026, "gpt-5-mini", "flex") == (D("0.125"), D("0.0125"), D("1"))
    assert priced(docs_2026, "gpt-4o", "priority") == (D("4.25"), D("2.125"), D("17"))
    assert priced(docs_2026, "gpt-5.4-mini", "priority") == (D("1.5"), D("0.15"), D("9"))
    assert priced(docs_2026, "computer-use-preview", "batch") == (D("1.5"), None, D("6"))
    assert priced(docs_2026, "gpt-5-codex", "priority") == (D("2.5"), D("0.25"), D("20"))
    counts = {tier: len(prices_by_key(docs_2026, tier)) for tier in ("batch", "flex", "priority")}
    assert counts == {"batch": 43, "flex": 13, "priority": 20}


@pytest.mark.corpus
def test_docs_2026_long_context_prices_are_a_band_above_272k(docs_2026) -> None:
    assert priced(docs_2026, "gpt-5.5", "context>272k") == (D("10"), D("1"), D("45"))
    assert priced(docs_2026, "gpt-5.4-pro", "context>272k") == (D("60"), None, D("270"))
    assert priced(docs_2026, "gpt-5.4", "batch/context>272k") == (D("2.5"), D("0.25"), D("11.25"))
    assert priced(docs_2026, "gpt-5.5", "flex/context>272k") == (D("5"), D("0.5"), D("22.5"))
    # gpt-5.4-mini has no long-context price ("-"), and the key keeps no "(<272K context length)".
    assert "gpt-5.4-mini" not in prices_by_key(docs_2026, "context>272k")
    assert not [p for p in docs_2026.prices if "(" in p.model_key or "context" in p.model_key]


@pytest.mark.corpus
def test_docs_2026_video_image_and_audio_rows_are_never_token_prices(docs_2026) -> None:
    keys = {p.model_key for p in docs_2026.prices}
    assert not keys & {"sora-2", "sora-2-pro", "gpt-image-2", "gpt-realtime-1.5", "tts-1", "Whisper", "gpt-4o-transcribe"}
    skipped = docs_2026.skipped
    assert skipped["price per second (not per token)"] == 8  # sora: 4 sizes, standard and batch
    assert skipped["price per minute (not per token)"] == 1  # Whisper
    assert skipped["price per character, no conversion rule for this source"] == 2  # tts-1, tts-1-hd
    assert skipped["image model"] == 20 and skipped["audio model"] == 28
    assert skipped["fine-tuning price"] == 20 and skipped["embedding model"] == 3
    assert {p.unit_on_page for p in docs_2026.prices} == {"per_1m_tokens"}


@pytest.mark.corpus
def test_docs_2026_a_new_tier_pane_is_skipped_not_mistiered(corpus_dir) -> None:
    body = served_page(corpus_dir, "openai", "developers-openai-com-api-docs-pricing_2026-04-27")
    body = body.replace(b'props="{&quot;tier&quot;:[0,&quot;flex&quot;]', b'props="{&quot;tier&quot;:[0,&quot;scale&quot;]')
    result = openai.parse(body, capture("openai"))
    assert prices_by_key(result, "flex") == {}
    assert result.skipped["price of a tier not in the vocabulary (scale)"] == 13
    assert priced(result, "gpt-5.5") == (D("5"), D("0.5"), D("30"))


@pytest.mark.corpus
def test_docs_2026_two_standard_prices_for_one_model_is_an_error_naming_both(corpus_dir) -> None:
    body = served_page(corpus_dir, "openai", "developers-openai-com-api-docs-pricing_2026-04-27")
    body = body.replace(b'props="{&quot;tier&quot;:[0,&quot;priority&quot;]', b'props="{&quot;tier&quot;:[0,&quot;standard&quot;]')
    with pytest.raises(ParseError, match=r"gpt-5.5 has two standard prices, in tables .*standard.*standard"):
        openai.parse(body, capture("openai"))


@pytest.mark.corpus
def test_openai_com_pricing_2023_12_14(corpus_dir) -> None:
    result = openai.parse(served_page(corpus_dir, "openai", "openai-com-pricing_2023-12-14"), capture("openai"))
    assert prices_by_key(result) == {
        "gpt-4-1106-preview": (D("10"), D("30")),
        "gpt-4-1106-vision-preview": (D("10"), D("30")),
        "gpt-4": (D("30"), D("60")),
        "gpt-4-32k": (D("60"), D("120")),
        "gpt-3.5-turbo-1106": (D("1"), D("2")),
        "gpt-3.5-turbo-instruct": (D("1.5"), D("2")),
        "davinci-002": (D("2"), D("2")),
        "babbage-002": (D("0.4"), D("0.4")),
    }
    assert {p.unit_on_page for p in result.prices} == {"per_1k_tokens"}
    # Every DALL-E row (7, most without a model name of their own), Whisper per minute, TTS per character.
    assert result.skipped["image model"] == 7 and result.skipped["audio model"] == 3
    assert result.skipped["fine-tuning price"] == 3 and result.skipped["embedding model"] == 1


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**6) | st.text(max_size=12) | st.sampled_from(["$0.10", "-", "Free", "$1 / minute"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["rows", "groups", "headings", "model", "tier", "__pricingHtml", "label"]), inner, max_size=3),
    max_leaves=25,
)


def astro_pairs(value: object) -> object:
    """``value`` serialized the way Astro writes props: ``[0, plain]`` / ``[1, [pairs]]``."""
    if isinstance(value, dict):
        return [0, {key: astro_pairs(item) for key, item in value.items()}]
    if isinstance(value, list):
        return [1, [astro_pairs(item) for item in value]]
    return [0, value]


@settings(max_examples=200, deadline=None)
@given(props=_JSON, wrapped=st.booleans(),
       component=st.sampled_from(["TextTokenPricingTables", "GroupedPricingTable", "PricingTable", "Other"]))
def test_arbitrary_component_data_gives_records_or_a_parse_error(props: object, wrapped: bool, component: str) -> None:
    """Whatever a component's props hold (wrapped as Astro pairs or not), the parser never crashes."""
    doc = props if isinstance(props, dict) else {"rows": props}
    if wrapped:
        doc = {key: astro_pairs(item) for key, item in doc.items()}
    attribute = html.escape(json.dumps(doc), quote=True)
    body = f'<p>Prices per 1M tokens.</p><astro-island component-export="{component}" props="{attribute}"></astro-island>'
    try:
        result = openai.parse(body.encode(), capture("openai"))
    except ParseError:
        return
    assert result.prices


@pytest.mark.corpus
def test_docs_2026_without_a_stated_unit_publishes_nothing(corpus_dir) -> None:
    body = served_page(corpus_dir, "openai", "developers-openai-com-api-docs-pricing_2026-04-27")
    with pytest.raises(ParseError, match="no token prices found .era looked for: docs-components"):
        openai.parse(body.replace(b"Prices per 1M tokens", b"Prices listed below"), capture("openai"))


@pytest.mark.corpus
def test_docs_2026_a_row_noted_above_a_prompt_size_is_that_band(corpus_dir) -> None:
    body = served_page(corpus_dir, "openai", "developers-openai-com-api-docs-pricing_2026-04-27")
    body = body.replace(b"[0,&quot;gpt-5.2&quot;],[0,1.75]", b"[0,&quot;gpt-5.2 (&gt;272K context length)&quot;],[0,1.75]", 1)
    result = openai.parse(body, capture("openai"))
    assert priced(result, "gpt-5.2", "context>272k") == (D("1.75"), D("0.175"), D("14"))
    assert "gpt-5.2" not in prices_by_key(result)


def test_docs_era_a_model_in_two_standard_tables_is_an_error_naming_both() -> None:
    body = fixture_bytes("openai", "docs-per-1m_2025-08-15.html").replace(b">Batch<", b">Standard<", 1)
    with pytest.raises(ParseError, match=r"has two standard prices, in tables 'table 1 \(Standard\)' and 'table 2 \(Standard\)'"):
        openai.parse(body, capture("openai"))


@pytest.mark.corpus
def test_docs_2026_a_row_of_another_shape_is_skipped_not_read_into_the_wrong_columns(corpus_dir) -> None:
    body = served_page(corpus_dir, "openai", "developers-openai-com-api-docs-pricing_2026-04-27")
    body = body.replace(b"[0,&quot;gpt-5.2&quot;],[0,1.75]", b"[0,&quot;gpt-5.2&quot;],[0,&quot;Text&quot;],[0,1.75]", 1)
    result = openai.parse(body, capture("openai"))
    assert "gpt-5.2" not in prices_by_key(result)
    assert result.skipped["row whose cells do not match the table's columns"] == 1
