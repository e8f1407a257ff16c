"""The Artificial Analysis leaderboard page payload: token usage per model and evaluation, scores, stated costs.

The served payload (``scores/artificial-analysis/aa-leaderboard-page-payload_*`` in the corpus,
the mirror's snapshot of 2026-04-10) is what the tests of real data read; the small documents
built here change one field of a model shaped like it, to show each check with the bad data it
exists to catch.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from llmflation.parsers import aa_leaderboard
from llmflation.records import ParseError
from llmflation.sources import ARTIFICIAL_ANALYSIS_ATTRIBUTION, get_source
from tests.support.leaderboards import leaderboard_capture

URL = get_source("artificial_analysis_leaderboard").live_url

#: One model as the payload lays it out (made-up numbers).
MODEL = {
    "slug": "test-reasoner-high",
    "name": "Test Reasoner (high)",
    "evaluations": {"artificial_analysis_intelligence_index": 40.0, "artificial_analysis_intelligence_index_is_estimated": False,
                    "gpqa": 0.7, "aa_omniscience": -12.5},
    "pricing": {"price_1m_input_tokens": 1.1, "price_1m_output_tokens": 4.4, "intelligence_index_cost_total": 270.0,
                "intelligence_index_cost_input": 11.0, "intelligence_index_cost_output": 259.0},
    "breakdowns": {
        "intelligence_index_token_counts": {"inputTokens": 10_000_000, "outputTokens": 56_363_636,
                                            "reasoningTokens": 50_000_000, "answerTokens": 6_363_636},
        "eval_token_counts": {"gpqa": {"inputTokens": 50_000, "outputTokens": 900_000, "reasoningTokens": 850_000,
                                       "answerTokens": 50_000}},
    },
}


def _doc(*models: dict) -> bytes:
    return json.dumps({"meta": {"endpoint": "llms", "source_type": "page_payload", "fetched_at": "2026-04-10T06:58:38+00:00"},
                       "models": list(models)}).encode()


def _parse(body: bytes, day: str = "2026-04-10"):
    return aa_leaderboard.parse(body, leaderboard_capture(URL, day, body))


def test_a_model_gives_its_suite_usage_its_evaluations_and_the_stated_cost() -> None:
    result = _parse(_doc(MODEL))
    suite, gpqa = sorted(result.usage, key=lambda u: u.component or "")
    assert (suite.component, gpqa.component) == (None, "gpqa")
    assert (suite.input_tokens, suite.output_tokens, suite.reasoning_tokens, suite.answer_tokens) == (
        10_000_000, 56_363_636, 50_000_000, 6_363_636)
    assert suite.suite == "aa_intelligence_index"
    assert suite.suite_version == "index version not stated; captured 2026-04-10"
    assert suite.variant == "high" and suite.model_key == "test-reasoner-high"
    assert suite.stated_cost_usd == Decimal("270.0") and suite.stated_output_usd_per_mtok == Decimal("4.4")
    assert suite.n_tasks is None  # the payload does not say how many tasks
    assert gpqa.stated_cost_usd is None  # a per-evaluation row has no stated cost
    assert suite.reported_at.isoformat() == "2026-04-10T06:58:38+00:00"  # the payload's own fetch time
    assert {s.benchmark: s.score for s in result.scores} == {"aa_intelligence_index": 40.0, "gpqa_diamond": pytest.approx(70.0)}
    assert result.skipped["evaluation outside its scale"] == 1  # aa_omniscience is not a fraction


def test_counts_read_on_another_day_are_another_suite_version() -> None:
    (first,) = [u for u in _parse(_doc(MODEL), "2026-04-10").usage if u.component is None]
    (second,) = [u for u in _parse(_doc(MODEL), "2026-04-11").usage if u.component is None]
    assert first.suite_version != second.suite_version


@pytest.mark.parametrize(
    ("counts", "reason"),
    [
        ({"inputTokens": -5, "outputTokens": 10}, "token count is not a non-negative integer"),
        ({"inputTokens": 1.5, "outputTokens": 10}, "token count is not a non-negative integer"),
        ({"inputTokens": "100", "outputTokens": 10}, "token count is not a non-negative integer"),
        ({"inputTokens": True, "outputTokens": 10}, "token count is not a non-negative integer"),
        ({"outputTokens": 10}, "token counts without input or output"),
        ({"inputTokens": 5, "outputTokens": 100, "reasoningTokens": 50, "answerTokens": 10},
         "reasoning + answer tokens do not add up to output tokens"),
        ([1, 2], "token counts are not an object"),
    ],
)
def test_unusable_token_counts_are_skipped_and_counted(counts: object, reason: str) -> None:
    model = copy.deepcopy(MODEL)
    model["breakdowns"]["intelligence_index_token_counts"] = counts
    result = _parse(_doc(model))
    assert [u.component for u in result.usage] == ["gpqa"]
    assert result.skipped[reason] == 1


def test_a_stated_cost_that_is_not_a_number_is_dropped_not_the_tokens() -> None:
    model = copy.deepcopy(MODEL)
    model["pricing"]["intelligence_index_cost_total"] = "n/a"
    model["pricing"]["price_1m_input_tokens"] = -1
    (suite,) = [u for u in _parse(_doc(model)).usage if u.component is None]
    assert suite.stated_cost_usd is None and suite.stated_input_usd_per_mtok is None
    assert suite.input_tokens == 10_000_000


def test_an_estimated_index_is_not_a_score() -> None:
    model = copy.deepcopy(MODEL)
    model["evaluations"]["artificial_analysis_intelligence_index_is_estimated"] = True
    result = _parse(_doc(model))
    assert "aa_intelligence_index" not in {s.benchmark for s in result.scores}
    assert result.skipped["intelligence index estimated, not measured"] == 1


@pytest.mark.parametrize(
    ("name", "variant"),
    [
        ("GPT-5.4 Pro (xhigh)", "xhigh"),
        ("Gemma 4 31B (Reasoning)", "Reasoning"),
        ("Claude Sonnet 4.6 (Non-reasoning, Low Effort)", "Non-reasoning, Low Effort"),
        ("Claude Opus 4.6 (Adaptive Reasoning, Max Effort)", "Adaptive Reasoning, Max Effort"),
        ("Claude 3.5 Sonnet (Oct '24)", None),
        ("Gemini 2.5 Pro (Preview)", None),
        ("GPT-4o (March 2025, chatgpt-4o-latest)", None),
        ("Llama 3.3 70B", None),
        (None, None),
    ],
)
def test_variant_is_the_effort_or_mode_only(name: str | None, variant: str | None) -> None:
    assert aa_leaderboard.variant_of(name) == variant


def test_wrong_documents_are_parse_errors() -> None:
    with pytest.raises(ParseError, match="'models' list"):
        _parse(b'{"data": []}')
    with pytest.raises(ParseError, match="endpoint 'text-to-image'"):
        _parse(json.dumps({"meta": {"endpoint": "text-to-image"}, "models": []}).encode())
    with pytest.raises(ParseError, match="no evaluations and no token counts among 1 models"):
        _parse(_doc({"slug": "x", "evaluations": {}, "breakdowns": {}}))
    # counts without any evaluation: the build reads usage only from captures that state scores
    counts = {"inputTokens": 10, "outputTokens": 20}
    with pytest.raises(ParseError, match="token counts but nothing to place them at a level"):
        _parse(_doc({"slug": "x", "evaluations": {}, "breakdowns": {"intelligence_index_token_counts": counts}}))


def test_registry_row_credits_artificial_analysis() -> None:
    source = get_source("artificial_analysis_leaderboard")
    assert source.attribution == ARTIFICIAL_ANALYSIS_ATTRIBUTION
    assert source.parser == "llmflation.parsers.aa_leaderboard"



@pytest.fixture(scope="module")
def served(corpus_dir: Path):
    path = next((corpus_dir / "scores" / "artificial-analysis").glob("aa-leaderboard-page-payload_*"))
    return _parse(path.read_bytes(), path.name.split("_")[1])


def test_served_payload_states_tokens_for_319_models_and_cost_for_266(served) -> None:
    suite = [u for u in served.usage if u.component is None]
    assert len(suite) == 319
    assert len({u.model_key for u in suite}) == 319
    assert sum(u.stated_cost_usd is not None for u in suite) == 266
    # every evaluation row belongs to a model that has a suite row
    assert {u.model_key for u in served.usage if u.component} <= {u.model_key for u in suite}
    assert {u.component for u in served.usage if u.component} == {
        "critpt", "gdpval", "gpqa", "hle", "ifbench", "lcr", "mmmuPro", "omniscience", "scicode", "tau2", "terminalbenchHard"}
    assert not served.skipped.get("reasoning + answer tokens do not add up to output tokens")


def test_served_payload_index_counts_are_the_sum_of_its_evaluations_but_mmmu_pro(served) -> None:
    """The payload's own structure, checked: the index's counts = the evaluations' (multimodal MMMU-Pro is
    outside the index), so per-evaluation rows and suite rows are the same runs."""
    by_model: dict[str, dict[str | None, object]] = {}
    for usage in served.usage:
        by_model.setdefault(usage.model_key, {})[usage.component] = usage
    compared = 0
    for parts in by_model.values():
        if len(parts) < 2:
            continue
        summed = sum(u.input_tokens for c, u in parts.items() if c not in (None, "mmmuPro"))
        compared += 1
        assert summed == pytest.approx(parts[None].input_tokens, rel=0.01)
    assert compared == 148


def test_served_payload_variants_of_one_model_are_rows_of_their_own(served) -> None:
    suite = {u.model_key: u for u in served.usage if u.component is None}
    assert suite["gpt-5-minimal"].variant == "minimal" and suite["gpt-5"].variant == "high"
    assert suite["gpt-5"].output_tokens > 10 * suite["gpt-5-minimal"].output_tokens
    assert suite["o3-mini-high"].reasoning_tokens > 0
