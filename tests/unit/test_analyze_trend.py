"""``llmflation trend`` on small CSVs whose answers are known exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmflation.analyze.trend import TrendInputError, trend_from_csv


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "observations.csv"
    path.write_text(text.strip() + "\n")
    return path


TENFOLD = """
model,date,usd_per_mtok,mmlu,reasoning
a,2020-01-01,100,50,false
b,2021-01-01,10,55,false
c,2022-01-01,1,60,no
d,2023-01-01,0.1,65,0
think,2022-06-01,0.5,90,true
weak,2022-06-01,0.001,30,false
nobench,2022-06-01,0.001,,false
noprice,2022-06-01,,70,false
free,2022-07-01,0,80,false
"""


def test_frontier_on_a_tenfold_decline_skips_and_counts_what_it_cannot_use(tmp_path: Path) -> None:
    result = trend_from_csv(write(tmp_path, TENFOLD), "mmlu", 42, exclude_column="reasoning")

    assert [p["model"] for p in result["points"]] == ["a", "b", "c", "d"]
    assert result["n"] == 4
    # Calendar years (2020 has 366 days) are not exactly 365.25 days: close to 10, not exactly.
    assert result["factor_per_year"] == pytest.approx(10, rel=2e-3)
    assert result["r2"] == pytest.approx(1, abs=1e-5)
    assert (result["start"], result["end"]) == ("2020-01-01", "2023-01-01")
    assert result["skipped"] == {
        "excluded by reasoning": 1,
        "free (price 0)": 1,
        "missing benchmark": 1,
        "missing price": 1,
    }
    assert result["blend"] == "as given" and result["method"] == "frontier"
    assert result["points"][0] == {"date": "2020-01-01", "model": "a", "usd_per_mtok": 100.0, "score": 50.0}
    json.dumps(result)  # the --json document must serialise as is


def test_excluding_models_by_name_changes_the_frontier(tmp_path: Path) -> None:
    path = write(tmp_path, TENFOLD)

    kept = trend_from_csv(path, "mmlu", 42)
    excluded = trend_from_csv(path, "mmlu", 42, exclude=["think"])

    assert "think" in [p["model"] for p in kept["points"]]
    assert "think" not in [p["model"] for p in excluded["points"]]
    assert excluded["skipped"]["excluded model"] == 1


def test_input_and_output_prices_are_blended(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
model,date,input_usd_per_mtok,output_usd_per_mtok,gpqa
x,2024-01,1,9,40
""",
    )

    three_to_one = trend_from_csv(path, "gpqa", 33, blend="3:1")
    one_to_one = trend_from_csv(path, "gpqa", 33, blend="1:1")

    assert three_to_one["points"][0]["usd_per_mtok"] == 3.0
    assert one_to_one["points"][0]["usd_per_mtok"] == 5.0
    assert three_to_one["factor_per_year"] is None and three_to_one["reason"] == "fewer than 4 points (n=1)"
    assert three_to_one["ci90"] == [None, None] and three_to_one["points"][0]["date"] == "2024-01-01"


def test_monthly_method_takes_the_cheapest_price_in_force_each_month(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
model,date,usd_per_mtok,mmlu
big,2024-01-15,8,80
big,2024-03-10,4,80
small,2024-02-01,6,70
small,2024-04-01,7,30
""",
    )

    result = trend_from_csv(path, "mmlu", 60, method="monthly")

    # small's second row is below the threshold, but it still ends small's $6 price in April.
    assert [(p["date"], p["model"], p["usd_per_mtok"]) for p in result["points"]] == [
        ("2024-01-01", "big", 8.0),
        ("2024-02-01", "small", 6.0),
        ("2024-03-01", "big", 4.0),
        ("2024-04-01", "big", 4.0),
    ]
    assert result["n"] == 4 and result["factor_per_year"] > 1


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("model,date,mmlu\na,2024-01-01,50", {}, r"missing column\(s\) usd_per_mtok"),
        ("model,date,usd_per_mtok\na,2024-01-01,1", {}, r"missing column\(s\) mmlu"),
        ("model,date,usd_per_mtok,mmlu\na,01/02/2024,1,50", {}, "line 2: date must be YYYY-MM-DD or YYYY-MM"),
        ("model,date,usd_per_mtok,mmlu\na,2024-01-01,cheap,50", {}, "line 2: usd_per_mtok is not a number"),
        ("model,date,usd_per_mtok,mmlu\na,2024-01-01,-1,50", {}, "line 2: usd_per_mtok is negative"),
        ("model,date,usd_per_mtok,mmlu,r\na,2024-01-01,1,50,maybe", {"exclude_column": "r"}, "r must be true/false"),
        ("model,date,usd_per_mtok,mmlu\na,2024-01-01,1,50", {"method": "median"}, "method must be one of"),
        ("model,date,usd_per_mtok,mmlu\na,2024-01-01,1,50", {"blend": "3-1"}, "blend must look like"),
    ],
)
def test_bad_input_is_an_error_naming_the_problem(tmp_path: Path, text: str, kwargs: dict, message: str) -> None:
    with pytest.raises(TrendInputError, match=message):
        trend_from_csv(write(tmp_path, text), "mmlu", 42, **kwargs)


def test_trend_text_states_the_rate_the_points_and_the_skips(tmp_path: Path) -> None:
    from llmflation.analyze.trend import trend_text

    lines = trend_text(trend_from_csv(write(tmp_path, TENFOLD), "mmlu", 42, exclude=["think"]))

    assert lines[0] == "mmlu >= 42, frontier method, blend as given"
    assert lines[1].startswith("10x cheaper per year (90% CI ") and "n=4, 2020-01-01 to 2023-01-01" in lines[1]
    assert lines[2] == "  2020-01-01  $100        a (50)"
    assert lines[-1] == "skipped rows: excluded model 1, free (price 0) 1, missing benchmark 1, missing price 1"


def test_trend_text_says_why_there_is_no_fit(tmp_path: Path) -> None:
    from llmflation.analyze.trend import trend_text

    lines = trend_text(trend_from_csv(write(tmp_path, "model,date,usd_per_mtok,mmlu\na,2024-01-01,1,50"), "mmlu", 42))

    assert lines[1] == "no fit: fewer than 4 points (n=1)"


def test_a_price_that_never_moves_has_factor_one_and_no_r2_and_stays_valid_json(tmp_path: Path) -> None:
    from llmflation.analyze.trend import trend_text

    path = write(tmp_path, "model,date,usd_per_mtok,mmlu\nsolo,2024-01-01,5,70\nlast,2024-05-01,9,10")

    result = trend_from_csv(path, "mmlu", 60, method="monthly")

    assert result["n"] == 5 and result["factor_per_year"] == pytest.approx(1)
    assert result["r2"] is None
    json.loads(json.dumps(result, allow_nan=False))
    assert "r2 n/a" in trend_text(result)[1]
