"""One parser module per page family or API.

Each module exposes ``PARSER_VERSION`` (a string; bump it whenever its output for the same bytes
changes, so the build re-parses) and ``parse(body: bytes, capture: CaptureMeta) -> ParseResult``.
Parsers are pure: no network, no clock, no file access.
"""

from __future__ import annotations

import importlib
from types import ModuleType


def load_parser(dotted: str) -> ModuleType:
    """The parser module a registry row names, checked to have ``parse`` and ``PARSER_VERSION``."""
    module = importlib.import_module(dotted)
    if not callable(getattr(module, "parse", None)) or not isinstance(getattr(module, "PARSER_VERSION", None), str):
        raise TypeError(f"{dotted} is not a parser module (needs parse() and PARSER_VERSION)")
    return module
