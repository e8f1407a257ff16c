"""LMArena's leaderboard dataset (Parquet) parser.

The corpus holds no Parquet file of the dataset; its 2026-03-13 text leaderboard is there as a
third party's scrape (``lmarena-text-scrape_*.json``: model, rating). These tests write those real
ratings into a table of the dataset's published columns (model_name, organization, license,
rating, rating_lower, rating_upper, variance, vote_count, rank, category,
leaderboard_publish_date) and parse it; the intervals, votes and organizations are ours.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from llmflation.benchmarks import comparable_as
from llmflation.parsers import lmarena_dataset
from llmflation.records import ParseError
from llmflation.sources import LMARENA_ATTRIBUTION, get_source
from tests.support.leaderboards import leaderboard_capture

URL = get_source("lmarena_dataset").live_url


def _table(rows: list[dict[str, object]]) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buffer)
    return buffer.getvalue()


def _row(name: str, rating: float, category: str = "overall", published: date = date(2026, 3, 13), **extra: object) -> dict[str, object]:
    return {"model_name": name, "organization": extra.get("organization", "Lab"), "license": extra.get("license", "Proprietary"),
            "rating": rating, "rating_lower": rating - 5, "rating_upper": rating + 6, "variance": 4.0,
            "vote_count": 12000, "rank": 1, "category": category, "leaderboard_publish_date": published}


def _parse(body: bytes, url: str = URL):
    return lmarena_dataset.parse(body, leaderboard_capture(url, "2026-03-20", body))


@pytest.mark.corpus
def test_the_2026_text_leaderboard_in_the_dataset_layout(corpus_dir: Path) -> None:
    scrapes = sorted((corpus_dir / "scores" / "lmarena").glob("lmarena-text-scrape_*.json"))
    assert scrapes
    for path in scrapes:
        day = date.fromisoformat(path.name.split("_")[1])
        entries = json.loads(path.read_bytes())
        rows = [_row(e["model"], e["arena_elo"], published=day) for e in entries if e.get("arena_elo")]
        rows += [_row(e["model"], e["arena_elo_coding"], "coding", day) for e in entries if e.get("arena_elo_coding")]
        result = _parse(_table(rows))
        overall = [r for r in rows if r["category"] == "overall"]
        assert [(s.model_key, s.score) for s in result.scores] == [(r["model_name"], r["rating"]) for r in overall]
        assert result.skipped["category other than overall"] == len(rows) - len(overall)
        first = result.scores[0]
        assert first.setting == f"text arena; snapshot {day.isoformat()}" and first.reported_at.date() == day
        assert (first.ci95_low, first.ci95_high, first.votes) == (first.score - 5, first.score + 6, 12000)
        assert comparable_as("arena_elo", first.setting)[0] == first.setting  # one snapshot, one class
        assert result.models[0].open_weights is False and result.models[0].creator == "Lab"


def test_a_later_publication_is_a_different_setting() -> None:
    body = _table([_row("a", 1400.0, published=date(2026, 3, 13)), _row("a", 1390.0, published=date(2026, 4, 2))])
    settings = {s.setting for s in _parse(body).scores}
    assert settings == {"text arena; snapshot 2026-03-13", "text arena; snapshot 2026-04-02"}


def test_the_board_comes_from_the_url() -> None:
    body = _table([_row("a", 1200.0)])
    (vision,) = _parse(body, URL.replace("/text/", "/vision/")).scores
    assert vision.benchmark == "arena_elo_vision"
    with pytest.raises(ParseError, match="board 'webdev'"):
        _parse(body, URL.replace("/text/", "/webdev/"))


def test_bad_tables_are_parse_errors() -> None:
    with pytest.raises(ParseError, match="not a Parquet table"):
        _parse(b"<html>Just a moment...</html>")
    with pytest.raises(ParseError, match="no \\['rating'"):
        _parse(_table([{"model_name": "a", "category": "overall", "leaderboard_publish_date": date(2026, 1, 1)}]))
    with pytest.raises(ParseError, match="no overall ratings"):
        _parse(_table([_row("a", 1200.0, "coding"), _row("b", -1.0)]))


def test_registry_row_credits_lmarena() -> None:
    source = get_source("lmarena_dataset")
    assert source.live_url.startswith("https://huggingface.co/datasets/lmarena-ai/leaderboard-dataset/")
    assert source.attribution == LMARENA_ATTRIBUTION and "CC-BY-4.0" in LMARENA_ATTRIBUTION
