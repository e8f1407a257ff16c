"""Helpers every parser uses to read bytes safely."""

from __future__ import annotations

import json
from typing import Any

from llmflation.records import ParseError

#: Larger bodies are refused before decoding: no real source is near this.
MAX_BODY_BYTES = 64 * 1024 * 1024


def check_size(body: bytes, limit: int | None = None, what: str = "body") -> None:
    """Refuse bytes over ``limit`` (default :data:`MAX_BODY_BYTES`) before any work is spent on them."""
    limit = MAX_BODY_BYTES if limit is None else limit
    if len(body) > limit:
        raise ParseError(f"{what} of {len(body)} bytes is over the {limit}-byte limit")


def decode_text(body: bytes) -> str:
    """A size-bounded body as UTF-8 text (a leading byte-order mark dropped); anything else is a parse error."""
    check_size(body)
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"body is not UTF-8 text: {exc}") from exc


def load_json(body: bytes) -> Any:
    """Decode a JSON body, with its size bounded and deep nesting refused as a parse error."""
    text = decode_text(body)
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ParseError("JSON nested too deeply") from exc
    except json.JSONDecodeError as exc:
        head = text[:80].strip().replace("\n", " ")
        raise ParseError(f"not JSON ({exc.msg} at line {exc.lineno}); body starts {head!r}") from exc


def mapping(value: object) -> dict[str, object]:
    """``value`` when it is a JSON object, else an empty one (a field a source may leave out or misstate)."""
    return value if isinstance(value, dict) else {}


def optional_text(value: object) -> str | None:
    """A non-empty string, stripped; anything else (absent, blank, not a string) is ``None``."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def string_list(value: object) -> tuple[str, ...]:
    """The strings of a JSON list (``["text", "image"]``); anything else gives ``()``."""
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def positive_int(value: object) -> int | None:
    """A positive JSON integer (a token count); booleans, floats and anything else give ``None``."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
