"""DeepInfra's pricing page in each of its eras."""

from __future__ import annotations

import json

import pytest

from llmflation.parsers import deepinfra
from llmflation.records import ParseError
from tests.parsers.page_support import (
    FOREIGN_PAGE,
    D,
    capture,
    fixture_bytes,
    prices_of,
)


def parse_fixture(name: str):
    return deepinfra.parse(fixture_bytes("deepinfra", name), capture("deepinfra"))


def next_data_page(models: list[dict[str, object]], visible: str = "") -> bytes:
    data = json.dumps({"props": {"pageProps": {"models": models}}, "page": "/pricing"})
    return f'<html><body>{visible}<script id="__NEXT_DATA__" type="application/json">{data}</script></body></html>'.encode()


def test_html_table_era() -> None:
    result = parse_fixture("html-table_2024-03-25.html")
    assert prices_of(result) == [
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", D("0.27"), D("0.27")),
        ("meta-llama/Llama-2-70b-chat-hf", D("0.7"), D("0.9")),
        ("lizpreciatior/lzlv_70b_fp16_hf", D("0.7"), D("0.9")),
        ("codellama/CodeLlama-34b-Instruct-hf", D("0.6"), D("0.6")),
        ("01-ai/Yi-34B-Chat", D("0.6"), D("0.6")),
        ("meta-llama/Llama-2-13b-chat-hf", D("0.22"), D("0.22")),
        ("Gryphe/MythoMax-L2-13b", D("0.22"), D("0.22")),
        ("mistralai/Mistral-7B-Instruct-v0.1", D("0.13"), D("0.13")),
        ("meta-llama/Llama-2-7b-chat-hf", D("0.13"), D("0.13")),
    ]
    assert [p.context_window_tokens for p in result.prices][:2] == [32768, 4096]
    assert {p.unit_on_page for p in result.prices} == {"per_1m_tokens"}


def test_next_data_era_reads_cents_per_token_exactly() -> None:
    result = parse_fixture("next-data_2025-08-30.html")
    assert prices_of(result) == [
        ("meta-llama/Llama-3.3-70B-Instruct", D("0.23"), D("0.4")),
        ("meta-llama/Llama-3.3-70B-Instruct-Turbo", D("0.038"), D("0.12")),
        ("meta-llama/Meta-Llama-3.1-8B-Instruct", D("0.03"), D("0.05")),
        ("deepseek-ai/DeepSeek-V3", D("0.38"), D("0.89")),
        ("deepseek-ai/DeepSeek-R1-0528", D("0.5"), D("2.15")),
        ("Qwen/Qwen3-235B-A22B", D("0.13"), D("0.6")),
        ("openai/gpt-oss-120b", D("0.09"), D("0.45")),
    ]
    assert result.prices[1].quantization == "fp8"
    assert result.prices[3].context_window_tokens == 163840
    assert {p.unit_on_page for p in result.prices} == {"per_token"}
    assert result.skipped == {
        "not a text-generation model (embeddings)": 1,
        "not a text-generation model (automatic-speech-recognition)": 1,
    }


def test_embedded_json_wins_over_the_visible_table() -> None:
    visible = "<table><tr><th>Model</th><th>$ per 1M input tokens</th><th>$ per 1M output tokens</th></tr>"
    visible += "<tr><td>m/visible</td><td>$9.00</td><td>$9.00</td></tr></table>"
    model = {"model_name": "m/json", "type": "text-generation", "pricing": {"type": "tokens", "cents_per_input_token": 0.00001, "cents_per_output_token": 0.00002}}
    result = deepinfra.parse(next_data_page([model], visible), capture("deepinfra"))
    assert prices_of(result) == [("m/json", D("0.1"), D("0.2"))]


def test_deprecated_free_and_time_priced_models() -> None:
    models = [
        {"model_name": "old/model", "type": "text-generation", "deprecated": 1735689600,
         "pricing": {"type": "tokens", "cents_per_input_token": 0.00007, "cents_per_output_token": 0.00009}},
        {"model_name": "free/model", "type": "text-generation", "deprecated": None,
         "pricing": {"type": "tokens", "cents_per_input_token": 0, "cents_per_output_token": 0}},
        {"model_name": "gpu/model", "type": "text-generation", "pricing": {"type": "time", "cents_per_sec": 0.05}},
        {"model_name": "bad/model", "type": "text-generation", "pricing": {"type": "tokens", "cents_per_input_token": "n/a"}},
    ]
    result = deepinfra.parse(next_data_page(models), capture("deepinfra"))
    assert [(p.model_key, p.is_deprecated, p.is_free) for p in result.prices] == [
        ("old/model", True, False),
        ("free/model", False, True),
    ]
    assert result.skipped == {"priced by time, not per token": 1, "price is not a number": 1}


def test_a_price_plausible_in_cents_but_not_in_dollars_skips_that_model_only() -> None:
    models = [
        {"model_name": "tiny/model", "type": "text-generation",
         "pricing": {"type": "tokens", "cents_per_input_token": "1e-29", "cents_per_output_token": 0.00009}},
        {"model_name": "ok/model", "type": "text-generation",
         "pricing": {"type": "tokens", "cents_per_input_token": 0.00007, "cents_per_output_token": 0.00009}},
    ]
    result = deepinfra.parse(next_data_page(models), capture("deepinfra"))
    assert [p.model_key for p in result.prices] == ["ok/model"]
    assert result.skipped == {"price out of any plausible range": 1}


def test_next_data_without_token_prices_is_a_parse_error() -> None:
    models = [{"model_name": "img/model", "type": "text-to-image", "pricing": {"type": "image_units"}}]
    with pytest.raises(ParseError, match="next-data era: 1 models"):
        deepinfra.parse(next_data_page(models), capture("deepinfra"))


def test_broken_next_data_is_a_parse_error() -> None:
    body = b'<html><script id="__NEXT_DATA__" type="application/json">{"props": </script></html>'
    with pytest.raises(ParseError, match="not valid JSON"):
        deepinfra.parse(body, capture("deepinfra"))


def test_page_from_another_site_is_a_parse_error_naming_the_eras() -> None:
    with pytest.raises(ParseError, match="next-data era.*html-table era"):
        deepinfra.parse(FOREIGN_PAGE, capture("deepinfra"))


def test_page_with_its_table_removed_is_a_parse_error() -> None:
    body = fixture_bytes("deepinfra", "html-table_2024-03-25.html")
    body = body[: body.index(b"<table")] + body[body.index(b"</table>") + 8 :]
    with pytest.raises(ParseError, match="no prices found"):
        deepinfra.parse(body, capture("deepinfra"))

