"""Every parser the registry names, fed arbitrary bytes: records or a clean ParseError, never a crash.

Runs over ``llmflation.sources.SOURCES`` at test time, so a parser added with a registry row is
fuzzed without touching this file. Inputs: raw bytes, JSON built from the keys price tables use,
and HTML/CSV-like text with prices in it. A hang fails the test through its timeout.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmflation.parsers import load_parser
from llmflation.records import CaptureMeta, ParseError, ParseResult
from llmflation.sources import SOURCES

PARSERS = sorted({(s.parser, s.id) for s in SOURCES}, key=lambda p: p[0])
UNIQUE_PARSERS = {parser: source_id for parser, source_id in PARSERS}

#: Keys the sources' price tables and APIs use, so generated JSON reaches past the first check.
KEYS = ["data", "id", "name", "pricing", "prompt", "completion", "input_cache_read", "models", "model", "prices",
        "input_cost_per_token", "output_cost_per_token", "litellm_provider", "mode", "input", "output",
        "price_history", "from_date", "to_date", "providers", "endpoints", "provider_name", "context_length",
        "architecture", "output_modalities", "score", "mmlu", "benchmarks", "vendor", "input_mtok", "output_mtok"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**12), st.floats(allow_nan=False),
                    st.sampled_from(["0.000002", "-1", "1e309", "NaN", "", "free", "$2.50", "2024-13-45", "text"]),
                    st.text(max_size=20))
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=6)),
    max_leaves=40,
)
json_bodies = json_values.map(lambda v: json.dumps(v).encode())
markup_bodies = st.lists(
    st.sampled_from(["<html>", "<body>", "<table>", "<tr>", "<td>", "</td>", "</tr>", "</table>", "<script>",
                     "</script>", "$0.15", "/ 1M tokens", "per 1K tokens", "Input", "Output", "gpt-4o", "Model",
                     ",", "\n", "{\"props\":", "}", "&amp;", "<!--", "-->", "\x00", "€"]),
    max_size=60,
).map(lambda parts: "".join(parts).encode())
#: Small documents in the documented shapes of the price sources (OpenRouter, litellm, llm-prices,
#: genai-prices), mutated below at one to three places: reaches the paths where prices are read.
SEEDS: list[object] = [
    {"data": [{"id": "a/b", "name": "B", "pricing": {"prompt": "0.000001", "completion": "0.000002",
                                                     "input_cache_read": "0.0000001"}, "context_length": 8192,
               "architecture": {"output_modalities": ["text"]}}]},
    {"sample_spec": {"input_cost_per_token": 0}, "gpt-4o": {"input_cost_per_token": 2.5e-06,
                                                            "output_cost_per_token": 1e-05, "litellm_provider": "openai", "mode": "chat"}},
    {"vendor": "openai", "models": [{"id": "gpt-4o", "name": "GPT-4o", "price_history": [
        {"input": 2.5, "output": 10, "input_cached": 1.25, "from_date": "2024-05-13", "to_date": None}]}]},
    [{"id": "openai", "name": "OpenAI", "models": [{"id": "gpt-4o", "prices": {"input_mtok": 2.5, "output_mtok": 10}}]}],
]


def _paths(doc: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutated_seeds(draw: st.DrawFn) -> bytes:
    doc = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc)))
        if not path:
            continue
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = draw(st.one_of(scalars, scalars, json_values))
    return json.dumps(doc).encode()


bodies = st.one_of(st.binary(max_size=2048), json_bodies, markup_bodies, mutated_seeds())


def capture_for(source_id: str, body: bytes) -> CaptureMeta:
    source = next(s for s in SOURCES if s.id == source_id)
    return CaptureMeta(capture_id="0" * 24, source_id=source_id, url=source.live_url,
                       observed_at=datetime(2025, 6, 1, tzinfo=UTC), via="live", status=200,
                       content_type="application/octet-stream", sha256="0" * 64, size=len(body))


@pytest.mark.timeout(300)
@pytest.mark.parametrize("parser", sorted(UNIQUE_PARSERS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
          derandomize=True)
@given(body=bodies)
def test_parser_returns_records_or_a_parse_error(parser: str, body: bytes) -> None:
    module = load_parser(parser)
    try:
        result = module.parse(body, capture_for(UNIQUE_PARSERS[parser], body))
    except ParseError:
        return
    assert isinstance(result, ParseResult)
    assert result.prices or result.scores, "an empty result must be a ParseError"
    for record in result.prices:
        for value in (record.input_usd_per_mtok, record.output_usd_per_mtok):
            assert value is None or isinstance(value, Decimal)
