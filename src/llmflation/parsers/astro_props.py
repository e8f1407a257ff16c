"""The data an Astro page renders its interactive components from ("islands").

Pages built with Astro (developers.openai.com since 2026) serve each interactive component as an
``<astro-island>`` element whose ``props`` attribute holds the component's input as JSON, every
value wrapped as ``[type, value]``: type 0 a plain value (an object's values wrapped again), type 1
an array of wrapped values, types 2-11 RegExp, Date, Map, Set, BigInt, URL, typed arrays and
Infinity. A price table drawn in the browser states all its rows here, including those the
server-rendered HTML leaves out ("show all models"). Numbers come back as exact ``Decimal``/``int``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from bs4 import Tag

from llmflation.records import ParseError

_PLAIN, _ARRAY = 0, 1


def island_props(island: Tag, source: str) -> dict[str, Any]:
    """The decoded props of one ``<astro-island>``; ``{}`` when it has none.

    ``ParseError`` (naming ``source`` and the component) when the attribute is not the JSON Astro
    writes: a changed serialization must not read as an empty table.
    """
    raw = island.get("props")
    if not raw:
        return {}
    component = island.get("component-export") or island.get("component-url") or "component"
    try:
        doc = json.loads(str(raw), parse_float=Decimal)
        props = {key: _decode(value) for key, value in doc.items()} if isinstance(doc, dict) else None
    except (json.JSONDecodeError, ValueError, TypeError, AttributeError) as exc:
        raise ParseError(f"{source}: props of {component} are not Astro's serialized JSON ({exc})") from exc
    if props is None:
        raise ParseError(f"{source}: props of {component} are not an object")
    return props


def _decode(value: Any) -> Any:
    """One ``[type, value]`` pair as a Python value (RecursionError on absurd nesting, for the caller)."""
    if not isinstance(value, list) or not value or not isinstance(value[0], int):
        raise ValueError(f"not a [type, value] pair: {str(value)[:60]}")
    kind = value[0]
    if len(value) == 1:
        return None  # [0] is how undefined is written
    inner = value[1]
    if kind == _PLAIN:
        if isinstance(inner, dict):
            return {key: _decode(item) for key, item in inner.items()}
        return inner
    if kind == _ARRAY:
        if not isinstance(inner, list):
            raise ValueError("an array pair without a list")
        return [_decode(item) for item in inner]
    return str(inner)  # dates, URLs, big integers...: kept as their text
