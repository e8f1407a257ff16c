"""Artificial Analysis parser on a response shaped as its API documentation describes.

The fixture's numbers are made up for this test; its fields and scales follow
https://artificialanalysis.ai/documentation (indexes 0-100, single benchmarks as fractions,
``null`` when not evaluated).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmflation.parsers import artificial_analysis
from llmflation.records import ParseError
from llmflation.sources import ARTIFICIAL_ANALYSIS_ATTRIBUTION, get_source
from tests.support.leaderboards import leaderboard_capture

FIXTURE = Path(__file__).parent / "fixtures" / "artificial_analysis_models.json"
URL = "https://artificialanalysis.ai/api/v2/data/llms/models"


def _parse(body: bytes):
    return artificial_analysis.parse(body, leaderboard_capture(URL, "2025-09-01", body))


def test_evaluations_become_percentages_under_project_benchmark_ids() -> None:
    result = _parse(FIXTURE.read_bytes())
    large = {s.benchmark: s for s in result.scores if s.model_key == "test-model-large"}
    assert large["mmlu_pro"].score == pytest.approx(73.2)
    assert large["gpqa_diamond"].score == pytest.approx(51.5)
    assert large["aa_intelligence_index"].score == 41.2
    assert large["hle"].score == pytest.approx(4.2)
    assert "aime_2024" not in large  # null: not evaluated, not a zero
    assert large["mmlu_pro"].self_reported is False
    assert large["mmlu_pro"].source_url == "https://artificialanalysis.ai/models/test-model-large"
    assert large["mmlu_pro"].reported_at.date().isoformat() == "2025-09-01"


def test_out_of_scale_and_non_numeric_evaluations_are_counted_not_kept() -> None:
    result = _parse(FIXTURE.read_bytes())
    assert not [s for s in result.scores if s.model_key == "test-model-small"]
    assert result.skipped["evaluation outside its scale"] == 1
    assert result.skipped["evaluation is not a number"] == 1


def test_response_without_models_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="'data' list"):
        _parse(b'{"status": 401, "error": "Invalid API key"}')
    with pytest.raises(ParseError, match="no evaluations among 0 models"):
        _parse(b'{"status": 200, "data": []}')


def test_registry_row_needs_a_key_and_carries_the_attribution() -> None:
    source = get_source("artificial_analysis")
    assert source.needs_api_key_env == "ARTIFICIAL_ANALYSIS_API_KEY"
    assert ARTIFICIAL_ANALYSIS_ATTRIBUTION in source.notes
    assert "https://artificialanalysis.ai/" in ARTIFICIAL_ANALYSIS_ATTRIBUTION


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_scores_or_parse_error(body: bytes) -> None:
    try:
        _parse(body)
    except ParseError:
        pass


def _real_responses(corpus_dir: Path) -> list[Path]:
    return sorted((corpus_dir / "scores" / "artificial-analysis").glob("aa-api-v2-*"))


@pytest.mark.corpus
def test_every_file_in_the_folder_is_an_api_response_that_parses_or_is_refused_by_name(corpus_dir: Path) -> None:
    """aa-api-v2-* files are API v2 responses and parse; any other file (the leaderboard page payload, a
    third party's extraction of the page, not registered as a source) is refused with a clear error."""
    import json

    folder = corpus_dir / "scores" / "artificial-analysis"
    assert _real_responses(corpus_dir)
    for path in sorted(folder.iterdir()):
        body = path.read_bytes()
        if path.name.startswith("aa-api-v2-"):
            doc = json.loads(body)
            result = _parse(body)
            numbers = [v for m in doc["data"] for v in m["evaluations"].values()
                       if isinstance(v, (int, float)) and not isinstance(v, bool)]
            assert len(result.scores) == len(numbers) > 0, path.name
            assert len(result.models) == len(doc["data"])
        else:
            with pytest.raises(ParseError, match="'data' list"):
                _parse(body)


@pytest.mark.corpus
def test_the_real_response_keeps_its_index_version_as_the_setting(corpus_dir: Path) -> None:
    import json

    from llmflation.benchmarks import comparable_as

    for path in _real_responses(corpus_dir):
        body = path.read_bytes()
        version = json.loads(body)["intelligence_index_version"]
        result = _parse(body)
        indexes = [s for s in result.scores if s.benchmark.startswith("aa_")]
        assert indexes and {s.setting for s in indexes} == {f"Intelligence Index v{version}"}
        assert comparable_as("aa_intelligence_index", indexes[0].setting)[0] == f"Intelligence Index v{version}"
        assert all(0 <= s.score <= 100 and s.self_reported is False for s in indexes)
        pages = json.loads(body)["pagination"]
        if pages["page"] == 1:  # the capture of page 1 asks for the others
            assert len(artificial_analysis.page_urls(body, URL)) == pages["total_pages"] - 1
        model = result.models[0]
        assert model.creator and model.release_date is not None


def test_index_scores_of_two_versions_never_compare() -> None:
    import pandas as pd

    from llmflation.scores import ScorePolicy, chosen_scores, disagreements, level_classes, scores_for_levels, scores_table

    def row(version: str, score: float) -> dict[str, object]:
        return {"model_id": "m", "model_key": "m", "benchmark": "aa_intelligence_index", "score": score,
                "setting": f"Intelligence Index v{version}", "self_reported": False, "source_id": "artificial_analysis",
                "source_url": "https://x", "reported_at": pd.Timestamp("2026-06-27", tz="UTC"), "votes": None}

    table = scores_table(pd.DataFrame([row("3", 70.0), row("4.1", 50.0)]), ScorePolicy())
    assert table["chosen"].all()  # one per version
    assert disagreements(table, ScorePolicy(disagreement_points=0.0)).empty
    classes = level_classes([("aa_intelligence_index", 45.0)], {"aa_intelligence_index": "Intelligence Index v4.1"})
    assert scores_for_levels(chosen_scores(table), classes)["score"].tolist() == [50.0]


def test_a_response_without_a_version_gets_a_setting_of_its_own() -> None:
    result = _parse(FIXTURE.read_bytes())
    index = next(s for s in result.scores if s.benchmark == "aa_intelligence_index")
    assert index.setting == "index version not stated; captured 2025-09-01"


def _paged(page: int, total: int) -> bytes:
    doc = json.loads(FIXTURE.read_bytes())
    return json.dumps({**doc, "pagination": {"page": page, "page_size": 200, "total_pages": total,
                                             "has_more": page < total}}).encode()


def test_page_one_leads_to_every_other_page_and_no_other_page_does() -> None:
    assert artificial_analysis.page_urls(_paged(1, 3), URL) == [f"{URL}?page=2", f"{URL}?page=3"]
    assert artificial_analysis.page_urls(_paged(2, 3), f"{URL}?page=2") == []
    assert artificial_analysis.page_urls(_paged(1, 1), URL) == []
    assert artificial_analysis.page_urls(FIXTURE.read_bytes(), URL) == []  # no page count stated
    many = artificial_analysis.page_urls(_paged(1, 10_000), URL)
    assert len(many) == artificial_analysis.MAX_PAGES and many[-1].endswith(f"page={artificial_analysis.MAX_PAGES + 1}")
    with pytest.raises(ParseError):
        artificial_analysis.page_urls(b"<html>login</html>", URL)


def test_a_page_that_is_not_the_page_its_url_asked_for_is_refused() -> None:
    body = _paged(1, 3)
    with pytest.raises(ParseError, match="asks for page 2"):
        artificial_analysis.parse(body, leaderboard_capture(f"{URL}?page=2", "2025-09-01", body))
    later = _paged(2, 3)
    assert artificial_analysis.parse(later, leaderboard_capture(f"{URL}?page=2", "2025-09-01", later)).scores
