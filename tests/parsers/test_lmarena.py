"""LMArena parser on the three header layouts, boards, intervals and bad input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmflation.parsers import lmarena
from llmflation.records import ParseError
from tests.support.leaderboards import leaderboard_capture

MIRROR = "https://raw.githubusercontent.com/fboulnois/llm-leaderboard-csv/main/csv/"
TAIL = "OpenAI,Proprietary,2023/10,https://openai.com/index/hello-gpt-4o/"
LAYOUTS = {
    "arena_elo": (
        "rank,model,arena_elo,95_pct_ci,votes,organization,license,knowledge_cutoff,url\n"
        f"1,GPT-4o-2024-05-13,1287,+3/-4,42046,{TAIL}\n"
    ),
    "arena_score": (
        "rank,model,arena_score,95_pct_ci,votes,organization,license,knowledge_cutoff,url\n"
        f"1,GPT-4o-2024-05-13,1287,+3/-4,42046,{TAIL}\n"
    ),
    "rank_stylectrl": (
        "rank,rank_stylectrl,model,arena_score,95_pct_ci,votes,organization,license,knowledge_cutoff,url\n"
        f"1,2,GPT-4o-2024-05-13,1287,+3/-4,42046,{TAIL}\n"
    ),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_layout_gives_the_rating_its_interval_and_votes(layout: str) -> None:
    body = LAYOUTS[layout].encode()
    (score,) = lmarena.parse(body, leaderboard_capture(MIRROR + "lmsys.csv", "2024-06-19", body)).scores
    assert score.model_key == "GPT-4o-2024-05-13"
    assert score.benchmark == "arena_elo"
    assert score.score == 1287
    assert (score.ci95_low, score.ci95_high) == (1283, 1290)
    assert score.votes == 42046
    assert score.reported_at.date().isoformat() == "2024-06-19"
    assert score.self_reported is False


@pytest.mark.parametrize(
    ("file_name", "benchmark"),
    [("lmarena_text.csv", "arena_elo"), ("lmarena_vision.csv", "arena_elo_vision"), ("lmarena_image.csv", "arena_elo_image")],
)
def test_board_is_read_from_the_file_name(file_name: str, benchmark: str) -> None:
    body = LAYOUTS["rank_stylectrl"].encode()
    (score,) = lmarena.parse(body, leaderboard_capture(MIRROR + file_name, body=body)).scores
    assert score.benchmark == benchmark


def test_unreadable_interval_keeps_the_rating_without_bounds() -> None:
    body = LAYOUTS["arena_score"].replace("+3/-4", "n/a").encode()
    (score,) = lmarena.parse(body, leaderboard_capture(MIRROR + "lmsys.csv", body=body)).scores
    assert score.score == 1287
    assert score.ci95_low is None and score.ci95_high is None


def test_rows_without_rating_are_skipped_and_an_empty_board_is_an_error() -> None:
    body = LAYOUTS["arena_score"].replace(",1287,", ",,").encode()
    with pytest.raises(ParseError, match="no ratings among 1 rows"):
        lmarena.parse(body, leaderboard_capture(MIRROR + "lmsys.csv", body=body))


def test_other_csv_is_a_parse_error() -> None:
    body = b"model,price\nx,1\n"
    with pytest.raises(ParseError, match="not an arena export"):
        lmarena.parse(body, leaderboard_capture(MIRROR + "lmsys.csv", body=body))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_scores_or_parse_error(body: bytes) -> None:
    try:
        lmarena.parse(body, leaderboard_capture(MIRROR + "lmsys.csv", body=body))
    except ParseError:
        pass
