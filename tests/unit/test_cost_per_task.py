"""Cost per task: token usage x the standard prices in force, the arithmetic check, the per-task series and variants."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from llmflation.analyze.monthly import month_starts
from llmflation.analyze.pertask import (
    PER_TASK,
    add_per_task,
    check_stated_costs,
    check_summary,
    cost_per_task,
)
from llmflation.match import Catalog
from llmflation.schema import CHEAPEST_BY_QUALITY, COST_PER_TASK, DECLINE_RATES, TOKEN_USAGE, to_arrow
from llmflation.usage import match_usage_name, without_effort

UTC = "UTC"
V1, V2 = "v1", "v2"


def _ts(day: str | None) -> pd.Timestamp | None:
    return pd.Timestamp(day, tz=UTC) if day else None


def _interval(model_id: str, provider: str, start: str, end: str | None, inp: str, out: str, free: bool = False) -> dict:
    return {"model_id": model_id, "provider": provider, "valid_from": _ts(start), "valid_to": _ts(end),
            "input_usd_per_mtok": Decimal(inp), "output_usd_per_mtok": Decimal(out), "is_free": free,
            "first_seen": _ts(start), "last_seen": _ts(start), "n_captures": 1, "source_id": "test",
            "evidence": f"sha-{model_id}-{provider}-{start}"}


INTERVALS = pd.DataFrame([
    _interval("a", "p1", "2025-01-01", "2025-03-01", "1", "4"),
    _interval("a", "p1", "2025-03-01", None, "0.5", "2"),
    _interval("a", "p2", "2025-01-01", None, "0", "0", free=True),  # a promotion: never a cost
    _interval("c", "p1", "2025-01-01", None, "0.1", "0.1"),
    _interval("d", "p1", "2025-02-10", "2025-02-20", "3", "3"),  # a price that held within one month only
    _interval("d", "p1", "2025-02-20", None, "1", "1"),
])


def _usage(model_key: str, model_id: str | None, inp: int | None, out: int | None, *, version: str = V1,
           reasoning: int | None = None, component: str | None = None, variant: str | None = None,
           stated: tuple[str, str, str] | None = None, n_tasks: int | None = None) -> dict:
    prices = stated or (None, None, None)
    return {
        "model_id": model_id, "model_key": model_key, "variant": variant, "suite": "suite", "suite_version": version,
        "component": component, "input_tokens": inp, "output_tokens": out, "reasoning_tokens": reasoning,
        "answer_tokens": None if reasoning is None or out is None else out - reasoning, "n_tasks": n_tasks,
        "stated_input_usd_per_mtok": None if prices[0] is None else Decimal(prices[0]),
        "stated_output_usd_per_mtok": None if prices[1] is None else Decimal(prices[1]),
        "stated_cost_usd": None if prices[2] is None else Decimal(prices[2]),
        "stated_input_cost_usd": None, "stated_output_cost_usd": None,
        "reported_at": _ts("2025-04-01"), "source_url": f"https://example.test/{model_key}", "source_id": "usage_src",
        "observed_at": _ts("2025-04-01"), "capture_url": "https://example.test/payload", "capture_id": "cap1",
        "capture_sha256": "usage-sha", "parser": "test@1",
    }


USAGE = pd.DataFrame([
    _usage("a-high", "a", 2_000_000, 1_000_000, reasoning=900_000, variant="high", stated=("1", "4", "6")),
    _usage("a-low", "a", 2_000_000, 100_000, reasoning=50_000, variant="low", n_tasks=100),
    _usage("a-high", "a", 50_000, 20_000, component="gpqa"),  # one evaluation: not a suite run
    _usage("b", None, 1_000_000, 1_000_000),  # unmatched: no cost, nothing estimated
    _usage("c", "c", 1_000_000, 1_000_000, version=V2),
    _usage("d", "d", 1_000_000, 0),
])
MONTHS = month_starts("2025-01-01", "2025-04-01")


@pytest.fixture(scope="module")
def costs() -> pd.DataFrame:
    return cost_per_task(USAGE, INTERVALS, MONTHS)


def _cost(costs: pd.DataFrame, key: str, month: str, provider: str = "p1") -> pd.Series:
    rows = costs[(costs["model_key"] == key) & (costs["month"] == _ts(month)) & (costs["provider"] == provider)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_tokens_times_the_price_in_force_each_month(costs: pd.DataFrame) -> None:
    jan = _cost(costs, "a-high", "2025-01-01")
    assert jan["usd_per_suite_run"] == pytest.approx(2 * 1 + 1 * 4)  # 2M input at $1, 1M output at $4
    assert jan["usd_reasoning"] == pytest.approx(0.9 * 4)  # reasoning tokens are billed as output
    assert jan["price_evidence"] == "sha-a-p1-2025-01-01" and jan["usage_capture_sha256"] == "usage-sha"
    assert _cost(costs, "a-high", "2025-03-01")["usd_per_suite_run"] == pytest.approx(2 * 0.5 + 1 * 2)  # the cut of 1 March


def test_variants_of_one_model_pay_the_same_price_for_their_own_tokens(costs: pd.DataFrame) -> None:
    high, low = _cost(costs, "a-high", "2025-01-01"), _cost(costs, "a-low", "2025-01-01")
    assert (high["model_id"], high["input_usd_per_mtok"], high["output_usd_per_mtok"]) == (
        low["model_id"], low["input_usd_per_mtok"], low["output_usd_per_mtok"])
    assert low["usd_per_suite_run"] == pytest.approx(2 * 1 + 0.1 * 4)
    assert low["usd_per_task"] == pytest.approx((2 + 0.4) / 100)  # its source states 100 tasks
    assert pd.isna(high["usd_per_task"])  # no stated number of tasks: no per-task figure made up


def test_free_unmatched_and_per_evaluation_rows_have_no_cost(costs: pd.DataFrame) -> None:
    assert "p2" not in set(costs["provider"])
    assert "b" not in set(costs["model_key"])
    assert len(costs[(costs["model_key"] == "a-high") & (costs["month"] == _ts("2025-01-01"))]) == 1


def test_a_price_changed_within_a_month_counts_at_its_lowest(costs: pd.DataFrame) -> None:
    assert _cost(costs, "d", "2025-02-01")["usd_per_suite_run"] == pytest.approx(1.0)


def test_the_tables_fit_their_published_schema(costs: pd.DataFrame) -> None:
    assert to_arrow(COST_PER_TASK, costs).num_rows == len(costs)
    assert to_arrow(TOKEN_USAGE, USAGE).num_rows == len(USAGE)


def test_the_arithmetic_check_catches_a_cost_that_does_not_follow_from_tokens_and_prices() -> None:
    usage = pd.DataFrame([
        _usage("right", "a", 2_000_000, 1_000_000, stated=("1", "4", "6.03")),  # 0.5% off: within 1%
        _usage("wrong", "a", 2_000_000, 1_000_000, stated=("1", "4", "7")),
        _usage("free", "a", 2_000_000, 1_000_000, stated=("0", "0", "0")),
        _usage("free-but-charged", "a", 2_000_000, 1_000_000, stated=("0", "0", "5")),
        _usage("no-prices", "a", 2_000_000, 1_000_000, stated=(None, None, "6")),
    ])
    checks = check_stated_costs(usage).set_index("model_key")
    assert checks.loc["right", "agrees"] and checks.loc["free", "agrees"]
    assert not checks.loc["wrong", "agrees"] and "$6.00 computed against $7.00 stated" in checks.loc["wrong", "why"]
    assert not checks.loc["free-but-charged", "agrees"]
    assert "not the prices" in checks.loc["no-prices", "why"]
    summary = check_summary(checks.reset_index())
    assert (summary["checked"], summary["within_1_percent"]) == (5, 2)
    assert len(summary["disagreeing"]) == 3


GPQA = "gpqa_diamond"
CLASSES = {GPQA: "diamond, single attempt"}
#: The chosen scores per model (a's is its headline run's), and the usage source's scores of each run.
SCORES = pd.DataFrame({"model_id": ["a", "c", "d"], "benchmark": [GPQA] * 3, "score": [80.0, 90.0, 70.0],
                       "setting": "0-shot", "source_id": "test", "self_reported": False})
RUN_SCORES = pd.DataFrame({"source_id": ["usage_src"] * 3, "model_key": ["a-high", "a-low", "d"], "benchmark": [GPQA] * 3,
                           "score": [80.0, 76.0, 99.0], "setting": ["AA methodology", "AA methodology", "with tools"]})


def test_an_effort_variant_is_placed_by_its_own_runs_score_only() -> None:
    from llmflation.analyze.pertask import run_level_scores

    costs = cost_per_task(USAGE, INTERVALS, MONTHS)
    placed = run_level_scores(costs, SCORES, RUN_SCORES, GPQA, CLASSES[GPQA]).set_index("model_key")
    assert placed.loc["a-low", "score"] == 76.0  # its own run's score, not a's headline 80
    assert placed.loc["a-low", "source_id"] == "usage_src"
    assert placed.loc["d", "score"] == 70.0  # no variant: the model's chosen score; 99 'with tools' compares with nothing
    without_runs = run_level_scores(costs, SCORES, None, GPQA, CLASSES[GPQA])
    assert not set(without_runs["model_key"]) & {"a-high", "a-low"}  # no score of the run: not at any level


def test_per_task_series_keeps_to_one_suite_version_and_has_the_same_fits() -> None:
    tables = {"token_usage": USAGE, "cheapest_by_quality": pd.DataFrame(columns=CHEAPEST_BY_QUALITY.column_names),
              "decline_rates": pd.DataFrame(columns=DECLINE_RATES.column_names)}
    sections: dict = {}
    per_task = add_per_task(tables, sections, INTERVALS, SCORES, MONTHS, [(GPQA, 75)],
                            "1:1", RUN_SCORES, CLASSES)
    # c is cheaper but its counts are of suite version v2; v1 has more models: c never enters the series
    assert set(per_task["model_id"]) == {"a"}
    assert set(per_task["suite_version"]) == {V1}
    assert set(per_task["blend"]) == {PER_TASK} and set(per_task["measure"]) == {"usd_per_suite_run"}
    assert per_task["usd_per_mtok"].isna().all()
    jan = per_task[per_task["month"] == _ts("2025-01-01")].iloc[0]
    assert jan["model_id"] == "a" and jan["variant"] == "low" and jan["usd_per_suite_run"] == pytest.approx(2.4)
    assert jan["score"] == 76.0 and jan["score_source_id"] == "usage_src"
    above = add_per_task({**tables, "cheapest_by_quality": pd.DataFrame(columns=CHEAPEST_BY_QUALITY.column_names)}, {},
                         INTERVALS, SCORES, MONTHS, [(GPQA, 78)], "1:1", RUN_SCORES, CLASSES)
    assert set(above["variant"]) == {"high"}  # at 78 the low-effort run (76) no longer qualifies; its model (80) would
    rates = tables["decline_rates"]
    assert set(rates.loc[rates["blend"] == PER_TASK, "method"]) == {"monthly", "frontier"}
    assert to_arrow(CHEAPEST_BY_QUALITY, tables["cheapest_by_quality"]).num_rows == len(per_task)
    assert sections["cost_per_task"]["arithmetic_check"]["within_1_percent"] == 1
    assert sections["cost_per_task"]["suite_of_the_per_task_series"] == ["suite", V1]


REASONING_CATALOG = Catalog(["o3-mini", "qwen3-instruct-2507", "qwen3-max", "magistral-medium-2506"], {})


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("o3-mini-high", "o3-mini"),
        ("o3-mini", "o3-mini"),
        ("o3-mini-non-reasoning-low-effort", "o3-mini"),
        ("qwen3-instruct-2507-reasoning", None),  # a separate release: never another model's price
        ("qwen3-max", "qwen3-max"),  # a product name, not an effort
    ],
)
def test_effort_suffixes_name_modes_of_reasoning_models_only(name: str, model_id: str | None) -> None:
    found, reason = match_usage_name(name, REASONING_CATALOG, {"o3-mini"})
    assert found == model_id, reason
    if name == "qwen3-instruct-2507-reasoning":
        assert "no source says reasons" in reason


def test_without_effort_keeps_product_names() -> None:
    assert without_effort("claude-sonnet-4-6-non-reasoning-low-effort") == "claude-sonnet-4-6"
    assert without_effort("gpt-oss-120b-low") == "gpt-oss-120b"
    assert without_effort("qwen3-max") == "qwen3-max"
    assert without_effort("claude-opus-4-6-adaptive-max-effort") == "claude-opus-4-6"


def test_the_report_and_the_chart_show_per_token_and_per_task_side_by_side(tmp_path) -> None:
    from llmflation.analyze.chart import render_chart
    from llmflation.analyze.fit import decline_rates
    from llmflation.analyze.headline import headline_lines
    from llmflation.analyze.monthly import cheapest_by_quality

    cheapest = cheapest_by_quality(INTERVALS, SCORES, MONTHS, [(GPQA, 75)], ["1:1"])
    tables = {"token_usage": USAGE, "cheapest_by_quality": cheapest,
              "decline_rates": decline_rates(cheapest, INTERVALS, SCORES, [(GPQA, 75)], ["1:1"])}
    per_task = add_per_task(tables, {}, INTERVALS, SCORES, MONTHS, [(GPQA, 75)], "1:1",
                            RUN_SCORES, CLASSES)
    lines = headline_lines(tables["cheapest_by_quality"], tables["decline_rates"])
    (side,) = [line for line in lines if "per token vs per task" in line]
    # April 2025: c at $0.10 per 1M tokens is the cheapest per token; per task, a's low-effort run
    assert "$0.1 per 1M tokens (1:1) with c at p1" in side and "$1.20 per suite run with a (low) at p1" in side
    assert not [line for line in lines if "per_task blend" in line]  # never read as a token price
    path = render_chart(cheapest, tables["decline_rates"], tmp_path / "chart.png", blend="1:1", per_task=per_task)
    assert path.stat().st_size > 0


def test_a_level_on_a_benchmark_no_run_states_still_places_plain_models() -> None:
    from llmflation.analyze.pertask import run_level_scores

    costs = cost_per_task(USAGE, INTERVALS, MONTHS)
    eci = pd.DataFrame({"model_id": ["d"], "benchmark": ["eci"], "score": [140.0]})
    placed = run_level_scores(costs, eci, RUN_SCORES, "eci", "eci")
    assert list(placed["model_key"]) == ["d"]


def test_without_any_token_usage_there_is_no_per_task_measure() -> None:
    """An offline build states no token usage: no per_task rows, not one 'no points' fit per level."""
    tables = {"token_usage": pd.DataFrame(columns=TOKEN_USAGE.column_names),
              "cheapest_by_quality": pd.DataFrame(columns=CHEAPEST_BY_QUALITY.column_names),
              "decline_rates": pd.DataFrame(columns=DECLINE_RATES.column_names)}
    sections: dict = {}
    per_task = add_per_task(tables, sections, INTERVALS, SCORES, MONTHS, [(GPQA, 75)], "1:1")
    assert per_task.empty and tables["decline_rates"].empty and tables["cost_per_task"].empty
    assert sections["cost_per_task"]["arithmetic_check"]["checked"] == 0
