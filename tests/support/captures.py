"""Capture metadata for parser tests: only the time and the source matter to a parser."""

from __future__ import annotations

import hashlib
from datetime import datetime, UTC

from llmflation.records import CaptureMeta


def capture_at(day: str, source_id: str = "test", body: bytes = b"", url: str = "https://example.invalid/") -> CaptureMeta:
    """A live capture observed at 00:00 UTC on ``day`` (``YYYY-MM-DD``)."""
    observed = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return CaptureMeta(
        capture_id=f"{source_id}-{day}",
        source_id=source_id,
        url=url,
        observed_at=observed,
        via="live",
        status=200,
        content_type="application/json",
        sha256=hashlib.sha256(body).hexdigest(),
        size=len(body),
    )
