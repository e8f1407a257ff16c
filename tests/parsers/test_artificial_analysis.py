"""Artificial Analysis parser on a response shaped as its API documentation describes.

The fixture's numbers are made up for this test; its fields and scales follow
https://artificialanalysis.ai/documentation (indexes 0-100, single benchmarks as fractions,
``null`` when not evaluated).
"""

from __future__ import annotations

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
