"""LMArena (formerly LMSYS Chatbot Arena) leaderboard exports, as CSV.

Three header layouts over time, all with the rating, its 95% interval as ``+a/-b`` and the
number of votes:

1. to mid 2024: ``rank, model, arena_elo, 95_pct_ci, votes, organization, license, knowledge_cutoff, url``
2. from mid 2024: ``arena_elo`` renamed ``arena_score``
3. from late 2024: a ``rank_stylectrl`` column after ``rank`` (the rank with style control; the
   score column stays the plain rating)

The export names no date: a rating is dated by the capture, and its setting names that date
(``text arena; snapshot 2025-07-18``), because ratings are only comparable within one snapshot
of the board (they drift as models join). The same layout serves the text,
vision and text-to-image boards; the board is told by the file name in the capture URL
(``..._vision.csv``, ``..._image.csv``; anything else is the text board) and becomes the
benchmark id, because ratings of different boards are not comparable: ``arena_elo`` (text),
``arena_elo_vision``, ``arena_elo_image``. Ratings are kept as the board states them (Elo scale,
not 0-100), measured by the arena's voters (``self_reported = False``).
"""

from __future__ import annotations

import re

from llmflation.parsers.csvtable import number, read_csv
from llmflation.records import CaptureMeta, ParseError, ParseResult, ScoreRecord

PARSER_VERSION = "2"

_CI = re.compile(r"^\+\s*(?P<up>\d+(?:\.\d+)?)\s*/\s*-\s*(?P<down>\d+(?:\.\d+)?)$")


def board_of(url: str) -> str:
    """``text``, ``vision`` or ``image``, from the export's file name in ``url``."""
    name = url.rsplit("/", 1)[-1].lower()
    if "vision" in name:
        return "vision"
    if "image" in name:
        return "image"
    return "text"


BENCHMARK_BY_BOARD = {"text": "arena_elo", "vision": "arena_elo_vision", "image": "arena_elo_image"}


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    header, rows = read_csv(body)
    score_column = "arena_score" if "arena_score" in header else "arena_elo" if "arena_elo" in header else None
    if score_column is None or "model" not in header or "95_pct_ci" not in header:
        raise ParseError(f"not an arena export (no model / arena_elo|arena_score / 95_pct_ci); header {header[:6]}")
    board = board_of(capture.url)
    benchmark = BENCHMARK_BY_BOARD[board]
    result = ParseResult()
    for row in rows:
        name = row["model"]
        rating = number(row[score_column])
        if not name:
            result.skip("row without a model name")
            continue
        if rating is None or rating <= 0:
            result.skip("rating missing or not positive")
            continue
        low, high = _interval(row["95_pct_ci"], rating)
        votes = number(row.get("votes", ""))
        result.scores.append(
            ScoreRecord(
                model_key=name,
                benchmark=benchmark,
                score=rating,
                setting=f"{board} arena; snapshot {capture.observed_at:%Y-%m-%d}",
                self_reported=False,
                source_url=capture.url,
                reported_at=capture.observed_at,
                ci95_low=low,
                ci95_high=high,
                votes=int(votes) if votes is not None and votes >= 0 else None,
            )
        )
    if not result.scores:
        raise ParseError(f"no ratings among {len(rows)} rows")
    return result


def _interval(text: str, rating: float) -> tuple[float | None, float | None]:
    """``+3/-4`` around 1287 -> (1283, 1290); ``(None, None)`` when the cell is not in that form."""
    match = _CI.match(text.strip())
    if match is None:
        return None, None
    return rating - float(match["down"]), rating + float(match["up"])
