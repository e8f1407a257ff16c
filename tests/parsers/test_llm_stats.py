"""llm-stats parser on small archives in both repository layouts, and on bad archives."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmflation.parsers import llm_stats
from llmflation.records import ParseError
from tests.support.leaderboards import leaderboard_capture, zip_members

URL = "https://github.com/JonathanChavezTamales/llm-leaderboard/archive/refs/heads/main.zip"
ROOT = "llm-leaderboard-main/data/"


def _parse(body: bytes):
    return llm_stats.parse(body, leaderboard_capture(URL, body=body))


def _result(benchmark_id: str, score: object, method: str | None = "5-shot") -> dict[str, object]:
    return {
        "benchmark_id": benchmark_id,
        "model_id": "model-a",
        "score": score,
        "is_self_reported": True,
        "self_reported_source_link": "https://example.org/model-a-card",
        "analysis_method": method,
        "created_at": "2025-07-19T19:56:14+00:00",
    }


def _new_layout(results: list[dict[str, object]], max_scores: dict[str, float]) -> bytes:
    members = {
        f"{ROOT}organizations/lab/models/model-a/benchmarks.json": json.dumps(results),
        f"{ROOT}organizations/lab/models/model-a/model.json": json.dumps({"announcement_date": "2024-09-19"}),
    }
    for benchmark_id, max_score in max_scores.items():
        members[f"{ROOT}benchmarks/{benchmark_id}.json"] = json.dumps({"max_score": max_score})
    return zip_members(members)


def test_new_layout_scales_by_max_score_and_maps_benchmark_ids() -> None:
    body = _new_layout(
        [_result("mmlu-pro", 0.711), _result("gpqa", 0.49, "0-shot CoT, Diamond"), _result("codeforces", 1850, None)],
        {"mmlu-pro": 1.0, "gpqa": 1.0, "codeforces": 3000.0},
    )
    by_benchmark = {s.benchmark: s for s in _parse(body).scores}
    assert by_benchmark["mmlu_pro"].score == pytest.approx(71.1)
    assert by_benchmark["gpqa_diamond"].score == pytest.approx(49.0)
    assert by_benchmark["codeforces"].score == 1850  # a rating on its own scale, kept as stated
    mmlu_pro = by_benchmark["mmlu_pro"]
    assert mmlu_pro.model_key == "model-a"
    assert mmlu_pro.self_reported is True
    assert mmlu_pro.source_url == "https://example.org/model-a-card"
    assert mmlu_pro.reported_at.date().isoformat() == "2024-09-19"  # the model's announcement
    assert mmlu_pro.setting == "5-shot"


def test_gpqa_without_diamond_in_the_method_stays_gpqa() -> None:
    body = _new_layout([_result("gpqa", 0.41, "0-shot")], {"gpqa": 1.0})
    assert [s.benchmark for s in _parse(body).scores] == ["gpqa"]


def test_score_above_its_max_is_skipped_and_counted() -> None:
    body = _new_layout([_result("mmlu", 1.5), _result("mmlu-pro", "high"), _result("gsm8k", 0.9)], {"mmlu": 1.0})
    result = _parse(body)
    assert [s.benchmark for s in result.scores] == ["gsm8k"]
    assert result.skipped == {"score outside its scale": 1, "score is not a number": 1}


def test_old_layout_reads_inline_metrics() -> None:
    model = {
        "name": "Model B",
        "release_date": "2024-06-01",
        "qualitative_metrics": [
            {"dataset_name": "MMLU", "score": 0.823, "is_self_reported": True, "analysis_method": "5-shot",
             "date_recorded": "2024-06-02", "source_link": "https://example.org/b"},
            {"dataset_name": "ARC Challenge", "score": 0.9, "is_self_reported": False, "source_link": None},
        ],
    }
    body = zip_members({"llm-leaderboard-78b6d8a/data/models/lab/model-b/model.json": json.dumps(model)})
    mmlu, arc = _parse(body).scores
    assert (mmlu.model_key, mmlu.benchmark, mmlu.score) == ("model-b", "mmlu", pytest.approx(82.3))
    assert mmlu.reported_at.date().isoformat() == "2024-06-02"
    assert (arc.benchmark, arc.self_reported, arc.source_url) == ("arc", False, URL)
    assert arc.reported_at.date().isoformat() == "2024-06-01"


def test_archive_without_model_folders_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="no llm-stats model folders"):
        _parse(zip_members({"llm-leaderboard-main/README.md": "hello"}))


def test_not_a_zip_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="not a zip archive"):
        _parse(b"<html>rate limited</html>")


def test_broken_json_names_the_file() -> None:
    body = zip_members({f"{ROOT}organizations/lab/models/model-a/benchmarks.json": "[{"})
    with pytest.raises(ParseError, match="model-a/benchmarks.json: not JSON"):
        _parse(body)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_scores_or_parse_error(body: bytes) -> None:
    try:
        _parse(body)
    except ParseError:
        pass


_JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(
        ["benchmark_id", "score", "model_id", "is_self_reported", "analysis_method", "dataset_name",
         "qualitative_metrics", "created_at", "max_score"]), children, max_size=5),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(_JSON, _JSON, _JSON)
def test_arbitrary_json_in_real_paths_gives_scores_or_parse_error(results: object, model: object, bench: object) -> None:
    body = zip_members(
        {
            f"{ROOT}organizations/lab/models/model-a/benchmarks.json": json.dumps(results),
            f"{ROOT}organizations/lab/models/model-a/model.json": json.dumps(model),
            f"{ROOT}benchmarks/mmlu.json": json.dumps(bench),
            "llm-leaderboard-old/data/models/lab/model-b/model.json": json.dumps(model),
        }
    )
    try:
        _parse(body)
    except ParseError:
        pass
