"""What every provider pricing-page parser must do with input nobody designed: records or a
ParseError, never another exception, never an empty success, never a hang; and the registry rows."""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmflation.parsers import anthropic, google, load_parser, mistral, openai
from llmflation.parsers.pricing_text import find_money
from llmflation.records import ParseError
from llmflation.sources import PRICING_PAGES, get_source
from tests.support.pages import FIXTURES, assert_parse_error_or_records, capture

PARSERS: dict[str, ModuleType] = {"openai": openai, "anthropic": anthropic, "google": google, "mistral": mistral}

# Fragments of real layouts, so generated pages reach the table and card readers.
_PIECES = st.sampled_from([
    "<table>", "</table>", "<tr>", "<th>Model</th>", "<th>Input</th>", "<th>Output</th>", "<th>Pay-as-you-go</th>",
    "<td>", "</td>", "<h2>Gemini Pro</h2>", "<h3>Batch</h3>", "<h3>Haiku</h3>", "Input:", "Output",
    "$0.25 / MTok", "$0.0008 / 1K tokens", "$1.25, prompts > 200k tokens", "0.25$ / 1M tokens", "0.2€ / 1M tokens",
    "$0.000125 / 1K characters", "$0.04 / image", "open-mistral-7b", "Davinci", "<code>gemini-x</code>",
    '<script type="application/json">{"a": ["Claude 3", "Input", "$3 / MTok", "Output", "$15 / MTok"]}</script>',
    '<script>self.__next_f.push([1,"2:[\\"Claude 3\\",\\"Input\\",\\"$$3 / MTok\\"]"])</script>',
    "<", ">", "&", "\u00a0", "\n", '"', "\\", "])</script>",
])


@pytest.mark.parametrize("source_id", sorted(PARSERS))
@settings(max_examples=40, deadline=None)
@given(body=st.one_of(st.binary(max_size=3000), st.lists(_PIECES, max_size=60).map(lambda p: "".join(p).encode())))
def test_arbitrary_bytes_give_records_or_parse_error(source_id: str, body: bytes) -> None:
    assert_parse_error_or_records(PARSERS[source_id], source_id, body)


@pytest.mark.parametrize("source_id", sorted(PARSERS))
@pytest.mark.timeout(120)  # a hang guard: pytest-timeout fails the test instead of the suite stalling
def test_hostile_pages_are_refused_or_read(source_id: str) -> None:
    parser = PARSERS[source_id]
    deep = b"<div>" * 50_000 + b"$" * 100_000 + b"1" * 100_000  # deeper than Python can recurse
    with pytest.raises(ParseError):
        parser.parse(deep, capture(source_id, deep))
    huge = b"<html>" + b"<td>$1 / 1M tokens</td>" * 900_000  # over the page size limit
    with pytest.raises(ParseError, match="over the"):
        parser.parse(huge, capture(source_id, huge))


def test_money_strings_of_every_era() -> None:
    cases = {
        "$0.0200 / 1K tokens": ("0.0200", "USD", "per_1k_tokens"),
        "0.25$ / 1M tokens": ("0.25", "USD", "per_1m_tokens"),
        "$3 / MTok": ("3", "USD", "per_1m_tokens"),
        "$1.63/million tokens": ("1.63", "USD", "per_1m_tokens"),
        "$7 / 1 million tokens": ("7", "USD", "per_1m_tokens"),
        "$0.000125 / 1K characters": ("0.000125", "USD", "per_1k_characters"),
        "0.14€ / 1M tokens": ("0.14", "EUR", "per_1m_tokens"),
        "$0.040 / image": ("0.040", "USD", "per_image"),
        "$0.006 / minute": ("0.006", "USD", "per_minute"),
        "$4.50 / 1,000,000 tokens per hour": ("4.50", "USD", "per_hour"),
        "$0.03 / session": ("0.03", "USD", "per_other"),
        "$2.50": ("2.50", "USD", None),
    }
    for text, (amount, currency, unit) in cases.items():
        (money,) = find_money(text)
        assert (str(money.amount), money.currency, money.unit) == (amount, currency, unit), text
    # Amounts written back to back, as text renderings of tables run them together.
    assert [str(m.amount) for m in find_money("0.25$ / 1M tokens0.7$ / 1M tokens0.2€ / 1M")] == ["0.25", "0.7", "0.2"]
    assert find_money("$1.25 / 1M cached** input tokens")[0].label == "cached input"


@pytest.mark.parametrize("source_id", sorted(PARSERS))
def test_registry_row_names_the_parser_and_its_addresses(source_id: str) -> None:
    source = get_source(source_id)
    assert source.kind == "pricing_page" and source.provider == source_id
    assert load_parser(source.parser) is PARSERS[source_id]
    years = [u.since for u in source.urls]
    assert min(years) <= 2023 and all(u.until is None or u.until >= u.since for u in source.urls)
    assert sum(u.until is None for u in source.urls) == 1, "one current address"
    assert (FIXTURES / source_id).is_dir() and len(list((FIXTURES / source_id).glob("*.html"))) >= 2


def test_registry_holds_each_pricing_page_once() -> None:
    ids = [s.id for s in PRICING_PAGES]
    assert len(ids) == len(set(ids))
    assert {"openai", "anthropic", "google", "mistral"} <= set(ids)
