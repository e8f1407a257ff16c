"""Checks every pricing-page parser must pass, whatever its page: hostile and arbitrary input."""

from __future__ import annotations

from types import ModuleType

import pytest

from llmflation.parsers import deepinfra, fireworks, groq, together
from tests.parsers.page_support import check_big_hostile_input, check_never_crashes

PAGE_PARSERS = [pytest.param(module, id=module.PROVIDER) for module in (together, groq, fireworks, deepinfra)]


@pytest.mark.parametrize("parser", PAGE_PARSERS)
def test_arbitrary_bytes_give_records_or_parse_error(parser: ModuleType) -> None:
    check_never_crashes(parser, parser.PROVIDER)


@pytest.mark.parametrize("parser", PAGE_PARSERS)
def test_big_and_hostile_pages_end_in_parse_error(parser: ModuleType) -> None:
    check_big_hostile_input(parser, parser.PROVIDER)
