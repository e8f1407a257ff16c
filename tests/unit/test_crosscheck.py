"""Pages against price APIs: fed the wrong page prices the cross-check exists to catch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from llmflation.crosscheck import (
    AGREE,
    AMBIGUOUS_API,
    DIFFER,
    DIFFER_APIS_DISAGREE,
    DIFFER_SINGLE_API,
    NO_API_IN_TIME,
    NO_API_MODEL,
    NOT_CONVERTED,
    api_provider_names,
    cross_check,
)
from llmflation.schema import SOURCE_AGREEMENT, to_arrow
from llmflation.sources import SOURCES, get_source
from llmflation.validate import AllowEntry, validate
from tests.support.price_rows import frame, price_row

NOW = datetime(2026, 5, 10, tzinfo=UTC)


def page(model: str = "gpt-4.1", inp: str = "2", out: str = "8", when: str = "2026-04-27", **extra) -> dict:
    return price_row(model, inp, out, when=when, provider="openai", source_id="openai", **extra)


def litellm(model: str = "gpt-4.1", inp: str = "2", out: str = "8", when: str = "2026-04-29",
            provider: str = "openai", **extra) -> dict:
    return price_row(model, inp, out, when=when, provider=provider, source_id="litellm", **extra)


def genai(model: str = "gpt-4.1", inp: str = "2", out: str = "8", when: str = "2026-04-25", **extra) -> dict:
    return price_row(model, inp, out, when=when, provider="openai", source_id="genai_prices", **extra)


def endpoint(model: str = "openai/gpt-4.1", inp: str = "2", out: str = "8", when: str = "2026-04-28",
             provider: str = "OpenAI", **extra) -> dict:
    return price_row(model, inp, out, when=when, provider=provider, source_id="openrouter", **extra)


def verdicts(*rows: dict) -> dict[str, str | None]:
    return {o.page.model_key: o.verdict or o.reason for o in cross_check(frame(*rows)).outcomes}


def test_a_page_price_the_apis_confirm_agrees_within_ten_percent() -> None:
    checked = cross_check(frame(page(inp="2.15"), litellm(), genai(), endpoint()))
    (outcome,) = checked.outcomes
    assert outcome.verdict == AGREE and len(outcome.pairs) == 3
    assert outcome.matched_on == "name" and outcome.match_key == "gpt-4-1"
    assert {p.api.source_id for p in outcome.pairs} == {"litellm", "genai_prices", "openrouter"}


def test_a_page_off_by_two_with_two_agreeing_apis_is_contradicted() -> None:
    checked = cross_check(frame(page(inp="1", out="4"), litellm(), genai()))
    (outcome,) = checked.outcomes
    assert outcome.verdict == DIFFER
    assert "litellm" in outcome.reason and "genai_prices" in outcome.reason and "agree with each other" in outcome.reason
    assert [p.ratios for p in outcome.pairs] == [(0.5, 0.5), (0.5, 0.5)]
    assert checked.contradicted() == [outcome]


def test_one_api_alone_never_contradicts() -> None:
    assert verdicts(page(inp="1", out="4"), litellm()) == {"gpt-4.1": DIFFER_SINGLE_API}


def test_apis_that_disagree_with_each_other_do_not_contradict() -> None:
    # The page is off from both, but litellm and genai-prices are 3x apart: no two agreeing witnesses.
    assert verdicts(page(inp="1", out="4"), litellm(), genai(inp="6", out="24")) == {"gpt-4.1": DIFFER_APIS_DISAGREE}
    # The page agrees with one and differs from the other: kept.
    assert verdicts(page(), litellm(), genai(inp="4", out="16")) == {"gpt-4.1": DIFFER_APIS_DISAGREE}


def test_apis_agree_with_each_other_only_on_a_price_both_state() -> None:
    # genai-prices states only the input: it witnesses with litellm on the input alone.
    assert verdicts(page(inp="1", out="4"), litellm(), genai(out=None)) == {"gpt-4.1": DIFFER}
    # Nothing in common between the two APIs: they cannot be said to agree.
    assert verdicts(page(inp="1", out="4"), litellm(out=None), genai(inp=None)) == {"gpt-4.1": DIFFER_APIS_DISAGREE}


def test_just_over_ten_percent_differs_and_ten_percent_agrees() -> None:
    assert verdicts(page(inp="2.2", out="8.8"), litellm(), genai()) == {"gpt-4.1": AGREE}
    assert verdicts(page(inp="2.21"), litellm(), genai()) == {"gpt-4.1": DIFFER}
    assert verdicts(page(inp="1.81"), litellm(), genai()) == {"gpt-4.1": DIFFER}  # 2 / 1.81 > 1.1


def test_only_api_captures_within_seven_days_count() -> None:
    assert verdicts(page(), litellm(when="2026-05-04")) == {"gpt-4.1": AGREE}  # 7 days after
    assert verdicts(page(), litellm(when="2026-05-04T00:00:01")) == {"gpt-4.1": NO_API_IN_TIME}
    # A version seen from long before until after the page is in force at the page's time.
    long_lived = litellm(when="2026-01-01") | {"last_observed_at": datetime(2026, 5, 1, tzinfo=UTC)}
    assert verdicts(page(), long_lived) == {"gpt-4.1": AGREE}


def test_the_nearest_capture_of_each_api_is_used() -> None:
    checked = cross_check(frame(page(inp="1", out="4"), litellm(when="2026-04-21"),
                                litellm(inp="1", out="4", when="2026-04-26"), genai()))
    (outcome,) = checked.outcomes
    nearest = {p.api.source_id: p.api.observed_at.day for p in outcome.pairs}
    assert nearest == {"litellm": 26, "genai_prices": 25}
    assert outcome.verdict == DIFFER_APIS_DISAGREE  # agrees with the nearest litellm, not with genai-prices


def test_an_api_stating_two_prices_for_the_model_is_not_used() -> None:
    # OpenRouter lists a standard and a Flex endpoint of Google AI Studio: which one is standard is not said.
    rows = [price_row("gemini-2.5-flash", "0.3", "2.5", when="2026-04-27", provider="google", source_id="google"),
            endpoint("google/gemini-2.5-flash", "0.3", "2.5", provider="Google AI Studio"),
            endpoint("google/gemini-2.5-flash", "0.15", "1.25", provider="Google AI Studio") | {"quantization": "flex"}]
    assert verdicts(*rows) == {"gemini-2.5-flash": AMBIGUOUS_API}


def test_only_the_providers_the_registry_names_are_compared() -> None:
    # Azure and OpenRouter's routed price sell OpenAI models too, at their own prices: never the page's witness.
    rows = [page(inp="1", out="4"), litellm(provider="azure"), endpoint(provider="Azure"),
            endpoint(provider="openrouter")]
    assert verdicts(*rows) == {"gpt-4.1": NO_API_MODEL}
    assert api_provider_names()[("litellm", "gemini")] == "google"
    assert ("litellm", "vertex_ai-language-models") not in api_provider_names()


def test_other_tiers_free_rows_and_converted_prices_are_not_compared() -> None:
    rows = [page(tier="batch", inp="1", out="4"), page("gpt-free", "0", "0", is_free=True),
            page("gemini-pro", "0.5", "1.5") | {"converted_from_characters": True},
            litellm(tier="batch"), litellm("gpt-free", "0", "0", is_free=True), litellm("gemini-pro")]
    checked = cross_check(frame(*rows))
    assert [(o.page.model_key, o.reason) for o in checked.outcomes] == [("gemini-pro", NOT_CONVERTED)]


def test_names_match_through_the_catalog_or_exactly_after_normalization() -> None:
    rows = [price_row("Claude Opus 4.7", "5", "25", when="2026-04-26", provider="anthropic", source_id="anthropic"),
            litellm("claude-opus-4-7", "5", "25", provider="anthropic"),
            litellm("claude-opus-4-7-fp8", "1", "1", provider="anthropic"),  # another name: never compared
            page("gpt-4o-2024-08-06", "2.5", "10", model_id="gpt-4o-2024-08-06"),
            litellm("gpt-4o-2024-08-06", "2.5", "10", model_id="gpt-4o-2024-08-06"),
            litellm("gpt-4o", "5", "15")]  # unmatched undated name: not the dated model
    by_key = {o.page.model_key: o for o in cross_check(frame(*rows)).outcomes}
    assert by_key["Claude Opus 4.7"].verdict == AGREE
    assert [p.api.model_key for p in by_key["Claude Opus 4.7"].pairs] == ["claude-opus-4-7"]
    assert by_key["gpt-4o-2024-08-06"].matched_on == "model_id"
    assert [p.api.model_key for p in by_key["gpt-4o-2024-08-06"].pairs] == ["gpt-4o-2024-08-06"]


def test_the_table_fits_its_schema_and_carries_both_captures() -> None:
    rows = [page(inp="1", out="4"), litellm(), genai()]
    table = cross_check(frame(*rows)).table()
    arrow = to_arrow(SOURCE_AGREEMENT, table)
    assert arrow.num_rows == 2
    out = arrow.to_pandas()
    assert set(out["api_source_id"]) == {"litellm", "genai_prices"}
    assert set(out["verdict"]) == {DIFFER} and set(out["n_apis"]) == {2} and not out["api_agrees"].any()
    assert out["page_input_usd_per_mtok"].tolist() == [Decimal(1)] * 2
    assert sorted(out["gap_days"]) == [2.0, 2.0]
    assert out["page_capture_sha256"].str.len().eq(64).all() and out["api_capture_sha256"].str.len().eq(64).all()
    assert to_arrow(SOURCE_AGREEMENT, cross_check(frame()).table()).num_rows == 0


def test_summary_counts_per_page_and_per_api() -> None:
    rows = [page(), page("o3", "1", "4"), page("unknown-model"), litellm(), litellm("o3", "2", "8"), genai("o3", "2", "8")]
    summary = cross_check(frame(*rows)).summary()
    openai = summary["pages"]["openai"]
    assert (openai["standard_rows"], openai["rows_compared"], openai["agreeing"], openai["differing"]) == (3, 2, 1, 1)
    assert openai["share_agreeing"] == 0.5 and openai["not_compared_by_reason"] == {NO_API_MODEL: 1}
    assert summary["apis"]["litellm"] == {"rows_compared": 2, "agreeing": 1, "differing": 1, "share_agreeing": 0.5}
    assert "1 of 2 page prices compared agree" in summary["line"]


def test_every_provider_name_points_at_a_pricing_page_provider() -> None:
    page_providers = {s.provider for s in SOURCES if s.kind == "pricing_page"}
    for source in SOURCES:
        if source.provider_names:
            assert source.kind == "price_api", source.id
            names = [name for name, _ in source.provider_names]
            assert len(names) == len(set(names)), source.id
            assert {provider for _, provider in source.provider_names} <= page_providers, source.id
    assert get_source("openrouter").provider_names and get_source("litellm").provider_names


# --- the validation gate --------------------------------------------------------------------


def test_the_gate_holds_out_a_page_row_two_agreeing_apis_contradict() -> None:
    prices = frame(page(inp="1", out="4"), page("o3", "2", "8"), litellm(), genai(), litellm("o3", "2", "8"))
    result = validate({"prices": prices}, now=NOW)
    held = [f for f in result.findings if f.check == "source_agreement" and f.severity == "held_out"]
    assert len(held) == 1 and result.ok
    (row,) = held[0].rows
    assert row["model_key"] == "gpt-4.1" and row["source_id"] == "openai"
    assert {a["source_id"]: (a["input_usd_per_mtok"], a["output_usd_per_mtok"]) for a in row["apis"]} == {
        "litellm": ("2", "8"), "genai_prices": ("2", "8")}
    assert all(len(a["capture_sha256"]) == 64 and a["observed_at"] for a in row["apis"])
    kept = result.tables["prices"]
    assert not ((kept["source_id"] == "openai") & (kept["model_key"] == "gpt-4.1")).any()
    assert ((kept["source_id"] == "openai") & (kept["model_key"] == "o3")).any()
    assert len(kept[kept["source_id"] != "openai"]) == 3  # the APIs' rows stay
    agreement = result.tables["source_agreement"]
    assert set(agreement.loc[agreement["model_key"] == "gpt-4.1", "verdict"]) == {DIFFER}
    assert result.source_agreement["pages"]["openai"]["differing"] == 1
    assert any(f.severity == "info" and "page prices compared agree" in f.message for f in result.findings)


@pytest.mark.parametrize("apis", [[litellm()], [litellm(), genai(inp="6", out="24")]],
                         ids=["one API", "two disagreeing APIs"])
def test_the_gate_keeps_a_page_row_without_two_agreeing_witnesses(apis: list[dict]) -> None:
    result = validate({"prices": frame(page(inp="1", out="4"), *apis)}, now=NOW)
    assert not [f for f in result.findings if f.severity == "held_out"]
    kept = result.tables["prices"]
    assert ((kept["source_id"] == "openai") & (kept["model_key"] == "gpt-4.1")).any()
    verdict = set(result.tables["source_agreement"]["verdict"])
    assert verdict in ({DIFFER_SINGLE_API}, {DIFFER_APIS_DISAGREE})
    assert result.source_agreement["pages"]["openai"]["differing"] == 1


def test_an_allowlisted_page_row_is_accepted_not_held_out() -> None:
    prices = frame(page(inp="1", out="4"), litellm(), genai())
    entry = AllowEntry(since=datetime(2026, 4, 1).date(), source="openai", model_key="gpt-4.1",
                       reason="price cut announced before the APIs caught up", link="https://example.org/cut")
    result = validate({"prices": prices}, allowlist=[entry], now=NOW)
    assert [(f.check, f.severity) for f in result.findings if f.severity != "info"] == [("source_agreement", "accepted")]
    assert len(result.tables["prices"]) == 3


def test_the_table_is_empty_but_present_without_pages() -> None:
    result = validate({"prices": frame(litellm(), genai())}, now=NOW)
    assert result.findings == [] and list(result.tables["source_agreement"].columns) == SOURCE_AGREEMENT.column_names
    assert isinstance(result.tables["source_agreement"], pd.DataFrame) and result.tables["source_agreement"].empty


def test_gap_is_measured_from_the_page_observation() -> None:
    checked = cross_check(frame(page(when="2026-04-27T12:00:00"), litellm(when="2026-04-29")))
    assert checked.outcomes[0].pairs[0].gap == timedelta(hours=36)
