"""LMArena's own leaderboard export: the Hugging Face dataset ``lmarena-ai/leaderboard-dataset`` (CC-BY-4.0).

LMArena publishes every leaderboard it shows as a Parquet table per board (``text``, ``vision``,
``webdev``...), split into ``latest`` (the board as published now) and ``full`` (every past
publication). Each row is one model in one category of one publication: ``model_name``,
``organization``, ``license``, ``rating``, ``rating_lower``, ``rating_upper`` (its 95%
interval), ``variance``, ``vote_count``, ``rank``, ``category`` (``overall``, ``coding``,
``hard_prompts``...) and ``leaderboard_publish_date``.

Only the ``overall`` category is read (the Elo the board headlines; other categories are counted
as skipped). Ratings are only comparable within one publication, since they drift as models
join: each rating's setting names its publication (``text arena; snapshot 2026-03-13``), and
its ``reported_at`` is that date. The board is told by the path of the capture URL
(``.../text/...`` -> ``arena_elo``, ``.../vision/...`` -> ``arena_elo_vision``). The dataset
states who made each model, which becomes a ``ModelRecord`` (open weights only when the licence
says ``Proprietary``: closed; other licences are not read as a claim either way).
"""

from __future__ import annotations

import io
from datetime import date, datetime, UTC

import pyarrow as pa
import pyarrow.parquet as pq

from llmflation.parsers.common import check_size
from llmflation.records import CaptureMeta, ModelRecord, ParseError, ParseResult, ScoreRecord

PARSER_VERSION = "1"

REQUIRED = ("model_name", "rating", "category", "leaderboard_publish_date")
BENCHMARK_BY_BOARD = {"text": "arena_elo", "vision": "arena_elo_vision", "text_to_image": "arena_elo_image"}
LEADERBOARD_PAGE = "https://lmarena.ai/leaderboard/{board}"


def board_of(url: str) -> str:
    """The board a capture URL names: the dataset folder before the file (``.../text/latest-....parquet``)."""
    parts = [p for p in url.split("?", 1)[0].split("/") if p]
    return parts[-2] if len(parts) >= 2 else "text"


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    check_size(body)
    try:
        table = pq.read_table(io.BytesIO(body))
    except (pa.ArrowException, OSError) as exc:
        raise ParseError(f"not a Parquet table: {exc}") from exc
    missing = [c for c in REQUIRED if c not in table.column_names]
    if missing:
        raise ParseError(f"not an LMArena leaderboard table: no {missing}; columns {table.column_names[:8]}")
    board = board_of(capture.url)
    benchmark = BENCHMARK_BY_BOARD.get(board)
    if benchmark is None:
        raise ParseError(f"board {board!r} of {capture.url} is not one of {sorted(BENCHMARK_BY_BOARD)}")
    result = ParseResult()
    for row in table.to_pylist():
        if row.get("category") != "overall":
            result.skip("category other than overall")
            continue
        name, rating, published = row.get("model_name"), row.get("rating"), _day(row.get("leaderboard_publish_date"))
        if not isinstance(name, str) or not name.strip():
            result.skip("row without a model name")
            continue
        if not isinstance(rating, (int, float)) or isinstance(rating, bool) or rating != rating or rating <= 0:
            result.skip("rating missing or not positive")
            continue
        if published is None:
            result.skip("row without a publication date")
            continue
        votes = row.get("vote_count")
        result.scores.append(ScoreRecord(
            model_key=name, benchmark=benchmark, score=float(rating),
            setting=f"{board} arena; snapshot {published:%Y-%m-%d}", self_reported=False,
            source_url=LEADERBOARD_PAGE.format(board=board), reported_at=published,
            ci95_low=_number(row.get("rating_lower")), ci95_high=_number(row.get("rating_upper")),
            votes=int(votes) if isinstance(votes, (int, float)) and not isinstance(votes, bool) and votes >= 0 else None,
        ))
        organization, licence = row.get("organization"), row.get("license")
        result.models.append(ModelRecord(
            model_key=name, name=name, creator=organization if isinstance(organization, str) and organization else None,
            open_weights=False if licence == "Proprietary" else None,
        ))
    if not result.scores:
        raise ParseError(f"no overall ratings among {table.num_rows} rows")
    return result


def _day(value: object) -> datetime | None:
    """A publication date (a date, a timestamp or ``2026-03-13``) as midnight UTC."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


def _number(value: object) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
        return float(value)
    return None
