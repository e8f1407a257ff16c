"""OpenRouter: the model list, the per-model endpoints list, and the endpoints URLs to follow."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmflation.parsers import openrouter
from llmflation.records import ParseError
from tests.support.captures import capture_at

FIXTURES = Path(__file__).parent / "fixtures"
CAPTURE = capture_at("2026-01-11", "openrouter")
MODELS_URL = "https://openrouter.ai/api/v1/models"


def model(model_id: str, prompt: str = "0.000001", completion: str = "0.000002", outputs: list[str] | None = None) -> dict[str, object]:
    return {"id": model_id, "name": model_id, "context_length": 8192,
            "architecture": {"input_modalities": ["text"], "output_modalities": outputs or ["text"]},
            "pricing": {"prompt": prompt, "completion": completion, "request": "0", "image": "0"}}


def model_list(*models: dict[str, object]) -> bytes:
    return json.dumps({"data": list(models)}).encode()


def test_endpoints_give_one_row_per_serving_provider_with_its_quantization() -> None:
    body = (FIXTURES / "openrouter_endpoints_llama-3.3-70b-instruct.json").read_bytes()
    result = openrouter.parse(body, CAPTURE)
    found = {(r.provider, r.quantization): (r.input_usd_per_mtok, r.output_usd_per_mtok, r.is_free) for r in result.prices}
    assert found == {
        ("DeepInfra", "fp8"): (Decimal("0.1"), Decimal("0.32"), False),
        ("DeepInfra", "bf16"): (Decimal("0.23"), Decimal("0.4"), False),
        ("Groq", "unknown"): (Decimal("0.59"), Decimal("0.79"), False),
        ("Together", "fp8"): (Decimal("0.88"), Decimal("0.88"), False),
        ("Venice", "fp8"): (Decimal(0), Decimal(0), True),
    }
    assert {r.model_key for r in result.prices} == {"meta-llama/llama-3.3-70b-instruct"}
    assert all(r.unit_on_page == "per_token" and r.context_window_tokens for r in result.prices)


def test_endpoints_keep_cache_prices_per_provider() -> None:
    body = (FIXTURES / "openrouter_endpoints_claude-sonnet-4.5.json").read_bytes()
    by_provider = {r.provider: r for r in openrouter.parse(body, CAPTURE).prices}
    assert set(by_provider) == {"Anthropic", "Amazon Bedrock", "Google"}
    google = by_provider["Google"]
    assert (google.input_usd_per_mtok, google.output_usd_per_mtok) == (Decimal("3.3"), Decimal("16.5"))
    assert (google.cached_input_usd_per_mtok, google.cache_write_usd_per_mtok) == (Decimal("0.33"), Decimal("4.125"))
    assert by_provider["Anthropic"].quantization is None


def test_model_list_rows_are_openrouters_own_price() -> None:
    result = openrouter.parse(model_list(
        model("meta-llama/llama-3.3-70b-instruct", "0.0000001", "0.00000032"),
        model("meta-llama/llama-3.3-70b-instruct:free", "0", "0"),
        model("openrouter/auto", "-1", "-1"),
        model("google/imagen", outputs=["image"]),
    ), CAPTURE)
    assert [(r.provider, r.model_key, r.input_usd_per_mtok, r.is_free) for r in result.prices] == [
        ("openrouter", "meta-llama/llama-3.3-70b-instruct", Decimal("0.1"), False),
        ("openrouter", "meta-llama/llama-3.3-70b-instruct:free", Decimal(0), True),
    ]
    assert result.skipped == {"variable price (router)": 1, "does not output text": 1}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"data": {"id": "a/b"}}, "'data' is a list of models or a model with an 'endpoints' list"),
        ({"data": {"id": "a/b", "endpoints": []}}, "no token prices among 0 endpoints of a/b"),
        ({"data": {"endpoints": [{"provider_name": "X", "pricing": {"prompt": "0.1", "completion": "0.1"}}]}}, "without the model's 'id'"),
        ({"data": {"id": "a/b", "architecture": {"output_modalities": ["image"]}, "endpoints": [{}]}}, "does not output text"),
        ({"error": {"code": 404, "message": "Model not found"}}, "'data'"),
    ],
)
def test_endpoint_bodies_that_hold_no_prices_are_parse_errors(doc: object, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        openrouter.parse(json.dumps(doc).encode(), CAPTURE)


def test_endpoint_urls_one_per_priced_text_model_without_free_or_variant_duplicates() -> None:
    body = model_list(
        model("meta-llama/llama-3.3-70b-instruct"),
        model("meta-llama/llama-3.3-70b-instruct:free", "0", "0"),
        model("z-ai/glm-4.6"),
        model("z-ai/glm-4.6:exacto"),
        model("allenai/molmo-2-8b:free", "0", "0"),
        model("openai/gpt-4o:extended"),
        model("openrouter/auto", "-1", "-1"),
        model("google/imagen", outputs=["image"]),
        model("google/gemini-2.5-flash-image", outputs=["image", "text"]),
        model("../../etc/passwd"),
        model("no-slash"),
        model("meta-llama/llama-3.3-70b-instruct"),
    )
    assert openrouter.endpoint_urls(body, MODELS_URL + "/") == [
        "https://openrouter.ai/api/v1/models/meta-llama/llama-3.3-70b-instruct/endpoints",
        "https://openrouter.ai/api/v1/models/z-ai/glm-4.6/endpoints",
        "https://openrouter.ai/api/v1/models/openai/gpt-4o:extended/endpoints",
        "https://openrouter.ai/api/v1/models/google/gemini-2.5-flash-image/endpoints",
    ]


def test_endpoint_urls_follow_the_configured_host_and_stay_bounded() -> None:
    body = model_list(*(model(f"author/model-{i}") for i in range(50)))
    urls = openrouter.endpoint_urls(body, "http://127.0.0.1:8123/api/v1/models?x=1", limit=7)
    assert len(urls) == 7
    assert urls[0] == "http://127.0.0.1:8123/api/v1/models/author/model-0/endpoints"
    assert len(openrouter.endpoint_urls(body, MODELS_URL)) == 50


def test_endpoint_urls_refuse_a_body_that_is_not_a_model_list() -> None:
    with pytest.raises(ParseError):
        openrouter.endpoint_urls((FIXTURES / "openrouter_endpoints_claude-sonnet-4.5.json").read_bytes(), MODELS_URL)


_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["id", "pricing", "prompt", "completion", "input_cache_read", "architecture", "output_modalities",
                         "provider_name", "quantization", "endpoints", "context_length", "data"]),
        inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=64), data=_values)
def test_hostile_input_gives_records_or_a_parse_error(raw: bytes, data: object) -> None:
    for body in (raw, json.dumps({"data": data}).encode()):
        try:
            result = openrouter.parse(body, CAPTURE)
        except ParseError:
            pass
        else:
            assert result.prices
        try:
            urls = openrouter.endpoint_urls(body, MODELS_URL)
        except ParseError:
            continue
        assert all(u.startswith(MODELS_URL + "/") and u.endswith("/endpoints") for u in urls)


def test_bodies_over_the_size_bound_are_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    from llmflation.parsers import common

    body = (FIXTURES / "openrouter_endpoints_claude-sonnet-4.5.json").read_bytes()
    monkeypatch.setattr(common, "MAX_BODY_BYTES", len(body) - 1)
    with pytest.raises(ParseError, match="over the"):
        openrouter.parse(body, CAPTURE)
    with pytest.raises(ParseError, match="over the"):
        openrouter.endpoint_urls(body, MODELS_URL)


def test_two_endpoints_of_one_provider_at_one_precision_are_an_error_naming_both() -> None:
    doc = json.loads((FIXTURES / "openrouter_endpoints_llama-3.3-70b-instruct.json").read_bytes())
    endpoints = doc["data"]["endpoints"]
    twin = dict(next(e for e in endpoints if e["provider_name"] == "Groq"), tag="groq/second")
    endpoints.append(twin)
    with pytest.raises(ParseError, match=r"two standard prices, in tables 'endpoint Groq.*' and 'endpoint Groq groq/second'"):
        openrouter.parse(json.dumps(doc).encode(), CAPTURE)
