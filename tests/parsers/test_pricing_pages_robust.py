"""Checks every pricing-page parser must pass, whatever its page: hostile and arbitrary input."""

from __future__ import annotations

from types import ModuleType

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from llmflation.parsers import anthropic, deepinfra, fireworks, google, groq, mistral, openai, together
from llmflation.records import ParseError
from tests.parsers.page_support import capture, check_big_hostile_input, check_never_crashes

MODULES = (openai, anthropic, google, mistral, together, groq, fireworks, deepinfra)
PAGE_PARSERS = [pytest.param(module, id=module.PROVIDER) for module in MODULES]

# Fragments of real layouts, so generated pages reach the table, card and embedded-data readers.
_PIECES = st.sampled_from([
    "<table>", "</table>", "<tr>", "<th>Model</th>", "<th>Input</th>", "<th>Output</th>", "<th>Pay-as-you-go</th>",
    "<td>", "</td>", "<h2>Gemini Pro</h2>", "<h3>Batch</h3>", "<h3>Haiku</h3>", "Input:", "Output",
    "$0.25 / MTok", "$0.0008 / 1K tokens", "$1.25, prompts > 200k tokens", "0.25$ / 1M tokens", "0.2€ / 1M tokens",
    "$0.000125 / 1K characters", "$0.04 / image", "open-mistral-7b", "Davinci", "<code>gemini-x</code>",
    "Up to 4B", "$0.10", "Free",
    '<script type="application/json">{"a": ["Claude 3", "Input", "$3 / MTok", "Output", "$15 / MTok"]}</script>',
    '<script>self.__next_f.push([1,"2:[\\"Claude 3\\",\\"Input\\",\\"$$3 / MTok\\"]"])</script>',
    "<", ">", "&", "\u00a0", "\n", '"', "\\", "])</script>",
    # Astro component data (OpenAI's 2026 docs page) and Markdown pipe tables (Mistral's docs source).
    '<astro-island component-export="TextTokenPricingTables" props="{&quot;tier&quot;:[0,&quot;flex&quot;],'
    '&quot;rows&quot;:[1,[[1,[[0,&quot;gpt-x (&lt;272K context length)&quot;],[0,1],[0,0.5],[0,2]]]]]}">',
    '<astro-island props="{&quot;headings&quot;:[1,[[0,&quot;Model&quot;],[0,&quot;Price per second&quot;]]],'
    '&quot;groups&quot;:[1,[[0,{&quot;model&quot;:[0,&quot;sora&quot;],&quot;rows&quot;:[1,[[1,[[0,&quot;$0.10&quot;]]]]]}]]]}">',
    '<astro-island props="{&quot;rows&quot;:[0,1]}">', "</astro-island>", '<div data-content-switcher-pane data-value="scale">',
    "| Model | Endpoint | Input (USD) | Output (USD) |\n", "|---|---|---|---|\n", "| Mistral 7B | `open-mistral-7b` | 0.25$ / 1M tokens | 0.25$ / 1M tokens |\n",
])


@pytest.mark.parametrize("parser", PAGE_PARSERS)
def test_arbitrary_bytes_give_records_or_parse_error(parser: ModuleType) -> None:
    check_never_crashes(parser, parser.PROVIDER)


@pytest.mark.parametrize("parser", PAGE_PARSERS)
def test_big_and_hostile_pages_end_in_parse_error(parser: ModuleType) -> None:
    check_big_hostile_input(parser, parser.PROVIDER)


@pytest.mark.parametrize("parser", PAGE_PARSERS)
@settings(max_examples=40, deadline=None)
@given(body=st.lists(_PIECES, max_size=60).map(lambda pieces: "".join(pieces).encode()))
def test_pages_built_from_layout_fragments_give_records_or_parse_error(parser: ModuleType, body: bytes) -> None:
    try:
        result = parser.parse(body, capture(parser.PROVIDER))
    except ParseError:
        return
    assert result.prices, "a successful parse must hold prices"
    assert all(p.input_usd_per_mtok is None or p.input_usd_per_mtok >= 0 for p in result.prices)
