"""The a16z monthly method on hand-made intervals whose cheapest model per month is known."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from llmflation.analyze.monthly import CHEAPEST_COLUMNS, cheapest_by_quality, month_starts


def interval(model: str, start: str, end: str | None, inp: str, out: str, *, provider: str = "p", free: bool = False):
    return {
        "model_id": model,
        "provider": provider,
        "valid_from": pd.Timestamp(start, tz="UTC"),
        "valid_to": pd.Timestamp(end, tz="UTC") if end else pd.NaT,
        "input_usd_per_mtok": Decimal(inp),
        "output_usd_per_mtok": Decimal(out),
        "is_free": free,
        "evidence": f"sha-{model}-{provider}",
    }


SCORES = pd.DataFrame(
    {
        "model_id": ["gpt3", "small", "skewed", "flat", "weak", "free"],
        "benchmark": "mmlu",
        "score": [43.9, 45.0, 84.0, 86.0, 30.0, 90.0],
    }
)


def test_each_month_takes_the_cheapest_price_in_force_at_any_time_in_it() -> None:
    intervals = pd.DataFrame(
        [
            interval("gpt3", "2021-11-18", "2022-09-01", "60", "60"),
            interval("gpt3", "2022-09-01", None, "20", "20"),
            interval("small", "2022-10-20", "2022-12-01", "1", "1"),  # late in Oct, gone in Dec
            interval("weak", "2021-01-01", None, "0.01", "0.01"),  # below the threshold
            interval("free", "2021-01-01", None, "0", "0", free=True),  # free never counts
        ]
    )

    table = cheapest_by_quality(intervals, SCORES, month_starts("2021-10-01", "2022-12-15"), [("mmlu", 42)], ["1:1"])

    assert list(table.columns) == CHEAPEST_COLUMNS
    by_month = {m.strftime("%Y-%m"): (model, str(price)) for m, model, price in zip(table["month"], table["model_id"], table["usd_per_mtok"])}
    assert "2021-10" not in by_month  # nothing reached MMLU 42 yet: no row, not a made-up price
    assert by_month["2021-11"] == ("gpt3", "60")
    assert by_month["2022-08"] == ("gpt3", "60")  # the interval ends on Sep 1 (exclusive)
    assert by_month["2022-09"] == ("gpt3", "20")
    assert by_month["2022-10"] == ("small", "1")
    assert by_month["2022-11"] == ("small", "1")
    assert by_month["2022-12"] == ("gpt3", "20")
    assert len(table) == 14
    assert table["evidence"].iloc[0] == "sha-gpt3-p"
    assert str(table["month"].dtype) == "datetime64[us, UTC]"


def test_the_blend_decides_which_model_is_cheapest() -> None:
    intervals = pd.DataFrame(
        [interval("skewed", "2024-01-01", None, "1", "9"), interval("flat", "2024-01-01", None, "4", "4")]
    )

    table = cheapest_by_quality(intervals, SCORES, ["2024-01"], [("mmlu", 83)], ["1:1", "3:1"])

    rows = {r.blend: (r.model_id, r.usd_per_mtok, r.input_usd_per_mtok, r.output_usd_per_mtok) for r in table.itertuples()}
    assert rows["1:1"] == ("flat", Decimal("4"), Decimal("4"), Decimal("4"))  # skewed is (1 + 9) / 2 = 5
    assert rows["3:1"] == ("skewed", Decimal("3"), Decimal("1"), Decimal("9"))  # (3 * 1 + 9) / 4 = 3


def test_the_same_model_at_two_providers_competes_on_price() -> None:
    intervals = pd.DataFrame(
        [interval("flat", "2024-01-01", None, "4", "4", provider="a"), interval("flat", "2024-01-01", None, "3", "3", provider="b")]
    )

    table = cheapest_by_quality(intervals, SCORES, ["2024-01"], [("mmlu", 83)], ["1:1"])

    assert table[["provider", "usd_per_mtok"]].values.tolist() == [["b", Decimal("3")]]


def test_two_scores_for_one_model_and_benchmark_is_an_error() -> None:
    scores = pd.concat([SCORES, pd.DataFrame({"model_id": ["flat"], "benchmark": ["mmlu"], "score": [80.0]})])

    with pytest.raises(ValueError, match=r"one score per model and benchmark; several for \[\('flat', 'mmlu'\)\]"):
        cheapest_by_quality(pd.DataFrame([interval("flat", "2024-01-01", None, "4", "4")]), scores, ["2024-01"], [("mmlu", 83)], ["1:1"])


def test_no_qualifying_model_gives_an_empty_table_with_the_columns() -> None:
    table = cheapest_by_quality(pd.DataFrame([interval("weak", "2024-01-01", None, "1", "1")]), SCORES, ["2024-01"], [("mmlu", 42)], ["1:1"])

    assert table.empty and list(table.columns) == CHEAPEST_COLUMNS


def test_month_starts_covers_both_ends() -> None:
    months = month_starts("2021-11-20", pd.Timestamp("2022-02-03", tz="UTC"))

    assert [m.strftime("%Y-%m-%d") for m in months] == ["2021-11-01", "2021-12-01", "2022-01-01", "2022-02-01"]


def test_only_comparable_scores_qualify_and_a_self_reported_score_is_marked() -> None:
    """A 0-shot CoT MMLU of 90 and gpt-oss-20b's 85.3 "Without tools" do not reach MMLU 83 (5-shot)."""
    from llmflation.analyze.headline import headline_lines
    from llmflation.scores import chosen_scores, level_classes, scores_for_levels, scores_table

    def row(model: str, score: float, setting: str, self_reported: bool) -> dict[str, object]:
        return {"model_id": model, "model_key": model, "benchmark": "mmlu", "score": score, "setting": setting,
                "self_reported": self_reported, "source_id": "llm_stats", "source_url": "https://example.org",
                "reported_at": pd.Timestamp("2025-08-05", tz="UTC"), "ci95_low": None, "ci95_high": None, "votes": None}

    table = scores_table(pd.DataFrame([
        row("cot-model", 90.0, "0-shot CoT", False),
        row("gpt-oss-20b", 85.3, "Without tools", True),
        row("claimed", 84.0, "5-shot", True),
        row("measured", 86.0, "5-shot", False),
    ]))
    levels = [("mmlu", 83.0)]
    scores = scores_for_levels(chosen_scores(table), level_classes(levels))
    intervals = pd.DataFrame([
        interval("cot-model", "2025-01-01", None, "0.01", "0.01"),
        interval("gpt-oss-20b", "2025-01-01", None, "0.05", "0.05"),
        interval("claimed", "2025-01-01", "2025-03-01", "0.5", "0.5"),
        interval("measured", "2025-01-01", None, "2", "2"),
    ])
    cheapest = cheapest_by_quality(intervals, scores, ["2025-02", "2025-03"], levels, ["1:1"]).set_index("month")
    feb, mar = cheapest.iloc[0], cheapest.iloc[1]
    assert feb["model_id"] == "claimed" and feb["score"] == 84.0 and bool(feb["score_self_reported"]) is True
    assert feb["score_setting"] == "5-shot" and feb["score_source_id"] == "llm_stats"
    assert mar["model_id"] == "measured" and bool(mar["score_self_reported"]) is False
    rates = pd.DataFrame(columns=["benchmark", "threshold", "blend", "method"])
    (line,) = headline_lines(cheapest.reset_index().iloc[:1], rates)
    assert "claimed at p; self-reported score 84" in line
