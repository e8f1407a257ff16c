"""Capture metadata and archives for leaderboard parser tests."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import datetime, UTC
from pathlib import Path

from llmflation.records import CaptureMeta


def leaderboard_capture(url: str, day: str = "2025-01-15", body: bytes = b"") -> CaptureMeta:
    """A live capture of ``url`` observed at 00:00 UTC on ``day``."""
    return CaptureMeta(
        capture_id=f"test-{day}",
        source_id="test",
        url=url,
        observed_at=datetime.fromisoformat(day).replace(tzinfo=UTC),
        via="live",
        status=200,
        content_type="text/csv",
        sha256=hashlib.sha256(body).hexdigest(),
        size=len(body),
    )


def zip_folder(folder: Path, prefix: str) -> bytes:
    """The JSON files under ``folder`` as a zip archive, each stored under ``prefix`` + its relative path.

    Mirrors GitHub's repository archive (``llm-leaderboard-main/data/...``) without copying files
    anywhere: the archive exists only in memory.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*.json")):
            archive.write(path, prefix + path.relative_to(folder).as_posix())
    return buffer.getvalue()


def zip_members(members: dict[str, str]) -> bytes:
    """A zip archive holding ``members`` (path -> text), the same bytes every time (members dated 1980-01-01)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, text in members.items():
            archive.writestr(zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


def arena_dataset_table(scrape: Path) -> bytes:
    """The real ratings of an LMArena text-leaderboard scrape (``[{model, arena_elo}]``, dated by its file
    name) as a Parquet table in the columns of LMArena's ``leaderboard-dataset``; intervals and votes are ours."""
    import json
    from datetime import date

    import pyarrow as pa
    import pyarrow.parquet as pq

    day = date.fromisoformat(scrape.name.split("_")[1])
    rows = [
        {"model_name": e["model"], "organization": None, "license": None, "rating": float(e["arena_elo"]),
         "rating_lower": float(e["arena_elo"]) - 5, "rating_upper": float(e["arena_elo"]) + 5, "variance": None,
         "vote_count": None, "rank": None, "category": "overall", "leaderboard_publish_date": day}
        for e in json.loads(scrape.read_bytes()) if e.get("arena_elo")
    ]
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buffer)
    return buffer.getvalue()
