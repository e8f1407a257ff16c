"""Open LLM Leaderboard parser on small exports in both layouts, and on bad input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmflation.parsers import open_llm_leaderboard
from llmflation.records import ParseError
from tests.support.leaderboards import leaderboard_capture

V1_HEADER = (
    "t,model,average,arc,hellaswag,mmlu,truthfulqa,winogrande,gsm8k,type,architecture,weight_type,precision,"
    "merged,hub_license,params_b,hub_hearts,available_on_the_hub,model_sha,flagged,moe,date,fullname,url"
)
V1_ROW = (
    "💬,meta-llama/Meta-Llama-3-8B-Instruct,66.87,60.75,78.55,67.07,51.65,74.51,68.69,💬 chat models,"
    "LlamaForCausalLM,Original,float16,TRUE,llama3,8,2756,TRUE,d3aa29f,TRUE,TRUE,2024-04-18T17:04:58Z,"
    "meta-llama/Meta-Llama-3-8B-Instruct,https://huggingface.co/meta-llama/Meta-Llama-3-8B-Instruct"
)
V2_HEADER = (
    "id,model_name,model_precision,evaluations_ifeval_value,evaluations_bbh_value,evaluations_math_value,"
    "evaluations_gpqa_value,evaluations_musr_value,evaluations_mmlu_pro_value,metadata_submission_date"
)
V2_ROW = "x,Qwen/Qwen2.5-72B-Instruct,bfloat16,0.86,0.72,0.59,0.375,0.42,0.5625831,2024-10-16"

URL = "https://raw.githubusercontent.com/fboulnois/llm-leaderboard-csv/main/csv/huggingface.csv"


def _parse(text: str):
    body = text.encode("utf-8")
    return open_llm_leaderboard.parse(body, leaderboard_capture(URL, body=body))


def test_v1_row_gives_six_percentages_with_their_shots() -> None:
    result = _parse(f"{V1_HEADER}\n{V1_ROW}\n")
    by_benchmark = {s.benchmark: s for s in result.scores}
    assert set(by_benchmark) == {"arc", "hellaswag", "mmlu", "truthfulqa", "winogrande", "gsm8k"}
    mmlu = by_benchmark["mmlu"]
    assert mmlu.model_key == "meta-llama/Meta-Llama-3-8B-Instruct"
    assert mmlu.score == 67.07
    assert mmlu.setting == "5-shot, float16"
    assert by_benchmark["arc"].setting.startswith("25-shot")
    assert mmlu.self_reported is False
    assert mmlu.reported_at.isoformat() == "2024-04-18T17:04:58+00:00"
    assert mmlu.source_url == URL


def test_v2_fractions_become_raw_accuracy_percentages() -> None:
    result = _parse(f"{V2_HEADER}\n{V2_ROW}\n")
    by_benchmark = {s.benchmark: s for s in result.scores}
    assert set(by_benchmark) == {"ifeval", "bbh", "math_lvl5", "gpqa", "musr", "mmlu_pro"}
    assert by_benchmark["mmlu_pro"].score == pytest.approx(56.25831)
    assert by_benchmark["gpqa"].score == 37.5
    assert by_benchmark["bbh"].setting == "3-shot, bfloat16"
    assert by_benchmark["mmlu_pro"].reported_at.date().isoformat() == "2024-10-16"


def test_missing_and_out_of_range_cells_are_skipped_and_counted() -> None:
    row = V2_ROW.replace("0.86", "").replace("0.72", "1.7")
    result = _parse(f"{V2_HEADER}\n{row}\n")
    assert {s.benchmark for s in result.scores} == {"math_lvl5", "gpqa", "musr", "mmlu_pro"}
    assert result.skipped["ifeval: missing or out of 0-1"] == 1
    assert result.skipped["bbh: missing or out of 0-1"] == 1


def test_unknown_header_is_a_parse_error_naming_it() -> None:
    with pytest.raises(ParseError, match="not an Open LLM Leaderboard"):
        _parse("model,score\nfoo/bar,1\n")


def test_header_without_rows_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="no scores"):
        _parse(f"{V1_HEADER}\n")


def test_shifted_row_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="cells for"):
        _parse(f"{V2_HEADER}\n{V2_ROW},extra\n")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_scores_or_parse_error(body: bytes) -> None:
    try:
        open_llm_leaderboard.parse(body, leaderboard_capture(URL, body=body))
    except ParseError:
        pass
