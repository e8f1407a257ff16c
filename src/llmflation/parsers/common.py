"""Helpers every parser uses to read bytes safely."""

from __future__ import annotations

import json
from typing import Any

from llmflation.records import ParseError

#: Larger bodies are refused before decoding: no real source is near this.
MAX_BODY_BYTES = 64 * 1024 * 1024


def load_json(body: bytes) -> Any:
    """Decode a JSON body, with its size bounded and deep nesting refused as a parse error."""
    if len(body) > MAX_BODY_BYTES:
        raise ParseError(f"body of {len(body)} bytes is over the {MAX_BODY_BYTES}-byte limit")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"body is not UTF-8: {exc}") from exc
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ParseError("JSON nested too deeply") from exc
    except json.JSONDecodeError as exc:
        head = text[:80].strip().replace("\n", " ")
        raise ParseError(f"not JSON ({exc.msg} at line {exc.lineno}); body starts {head!r}") from exc
