"""The analysis as a reader gets it: the published tables, the chart and the CLI's headline.

Built offline from the curated reference data alone (an empty raw store), as ``make run``
does on a fresh clone with no network.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from llmflation.match import Catalog, cheapest_rows_unmatched
from llmflation.sources import SOURCES, get_source
from tests.corpus.test_epoch_study import PUBLISHED, REASONING_MODELS, study_csv  # noqa: F401  (fixture)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One offline build of the reference data, published into a data folder of its own."""
    import os
    import subprocess
    import sys

    data = tmp_path_factory.mktemp("analysis") / "data"
    env = dict(os.environ, LLMFLATION_DATA_DIR=str(data))
    env.pop("LLMFLATION_CONFIG", None)
    done = subprocess.run([sys.executable, "-m", "llmflation.cli", "build"], env=env, cwd=data.parent,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return data / "published" / "latest"


@pytest.fixture(scope="module")
def cheapest(release: Path) -> pd.DataFrame:
    table = pd.read_parquet(release / "cheapest_by_quality.parquet")
    return table.set_index(["threshold", "blend", table["month"].dt.strftime("%Y-%m")])


def _series_end(release: Path) -> str:
    """The month of the newest price evidence plus the 90-day horizon (or this month, if sooner)."""
    newest = pd.read_parquet(release / "price_intervals.parquet")["last_seen"].max()
    return min(newest + pd.Timedelta(days=90), pd.Timestamp(datetime.now(UTC))).strftime("%Y-%m")


def test_every_month_since_november_2021_for_both_levels_and_blends(cheapest: pd.DataFrame, release: Path) -> None:
    now = _series_end(release)
    assert now < datetime.now(UTC).strftime("%Y-%m")  # the curated evidence is older than 90 days: no month of today
    for blend in ("1:1", "3:1"):
        months42 = cheapest.xs((42.0, blend), level=(0, 1)).index
        assert months42[0] == "2021-11" and months42[-1] == now
        assert len(months42) == len(pd.period_range("2021-11", now, freq="M"))
        months83 = cheapest.xs((83.0, blend), level=(0, 1)).index
        assert months83[0] == "2023-03" and months83[-1] == now  # nothing reached MMLU 83 before GPT-4


def test_gpt3_at_60_dollars_in_november_2021(cheapest: pd.DataFrame) -> None:
    first = cheapest.loc[(42.0, "1:1", "2021-11")]
    assert first["usd_per_mtok"] == Decimal("60")
    assert first["model_id"] == "davinci" and first["provider"] == "openai"
    assert first["evidence"].startswith("https://")


def test_mmlu_42_about_a_thousandfold_cheaper_three_years_later(cheapest: pd.DataFrame) -> None:
    ratio = cheapest.loc[(42.0, "1:1", "2021-11"), "usd_per_mtok"] / cheapest.loc[(42.0, "1:1", "2024-11"), "usd_per_mtok"]
    # a16z read 1,000x ($60 -> Llama 3.2 3B at $0.06). The cited facts here give $0.04 (Llama 3.2 1B,
    # MMLU 49.3 5-shot per Meta, at Groq): 1,500x.
    assert ratio == 1500
    assert cheapest.loc[(42.0, "1:1", "2024-11"), "model_id"] == "llama-3.2-1b-instruct"


def test_mmlu_83_about_sixty_times_cheaper_from_march_2023_to_november_2024(cheapest: pd.DataFrame) -> None:
    start = cheapest.loc[(83.0, "1:1", "2023-03")]
    end = cheapest.loc[(83.0, "1:1", "2024-11")]
    assert start["model_id"] == "gpt-4-0314" and start["usd_per_mtok"] == Decimal("45")
    assert 40 <= start["usd_per_mtok"] / end["usd_per_mtok"] <= 90


def test_every_cheapest_model_is_in_the_catalog(release: Path) -> None:
    table = pd.read_parquet(release / "cheapest_by_quality.parquet")
    models = pd.read_parquet(release / "models.parquet")
    assert set(table["model_id"]) <= set(models["model_id"])
    assert cheapest_rows_unmatched(table, Catalog.load()) == []


def test_decline_rates_for_each_level_blend_and_method(release: Path) -> None:
    from llmflation.benchmarks import DEFAULT_LEVELS

    rates = pd.read_parquet(release / "decline_rates.parquet")
    assert len(rates) == len(DEFAULT_LEVELS) * 2 * 2  # every default level x 2 blends x 2 methods
    fitted = rates[rates["factor_per_year"].notna()]
    # MMLU and GPQA Diamond levels fit on the curated scores alone; ECI needs Epoch's captured table
    assert set(fitted["benchmark"]) == {"mmlu", "gpqa_diamond"} and len(fitted) == 4 * 2 * 2
    assert ((fitted["ci90_low"] < fitted["factor_per_year"]) & (fitted["factor_per_year"] < fitted["ci90_high"])).all()
    assert (fitted["factor_per_year"] > 1).all()  # prices fall at every level


def test_the_chart_and_the_datapackage(release: Path) -> None:
    assert (release / "llmflation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    package = json.loads((release / "datapackage.json").read_text())
    names = {r["name"] for r in package["resources"]}
    assert names == {"prices", "price_intervals", "models", "model_aliases", "scores", "cheapest_by_quality", "decline_rates",
                     "unmatched_models",
                     "source_agreement", "price_changes", "token_usage", "cost_per_task"}
    for resource in package["resources"]:
        assert (release / resource["path"]).exists()
    assert package["schema_version"] == json.loads((release / "release.json").read_text())["schema_version"]
    assert package["licenses"][0]["name"] == "Apache-2.0"  # the project's licence, for the tables it computes
    sources = {s["title"]: s for s in package["sources"]}
    assert set(sources) == {s.id for s in SOURCES}
    assert sources["llm_stats"]["licence"] == "CC-BY-4.0" and "CC BY 4.0" in sources["llm_stats"]["attribution"]
    assert sources["openai"]["licence"] == f"see {get_source('openai').live_url}"  # no licence we know of


def test_analysis_money_is_float64_and_plots(release: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    table = pd.read_parquet(release / "cheapest_by_quality.parquet")
    for column in ("usd_per_mtok", "input_usd_per_mtok", "output_usd_per_mtok"):
        assert table[column].dtype == "float64", column
    assert table.usd_per_mtok.plot() is not None and table.usd_per_mtok.mean() > 0
    exact = pd.read_parquet(release / "price_intervals.parquet")
    assert isinstance(exact["input_usd_per_mtok"].dropna().iloc[0], Decimal)  # the exact decimals stay here


def test_report_prints_the_headline(release: Path) -> None:
    import os
    import subprocess
    import sys

    env = dict(os.environ, LLMFLATION_DATA_DIR=str(release.parent.parent))
    done = subprocess.run([sys.executable, "-m", "llmflation.cli", "report"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    newest = pd.read_parquet(release / "price_intervals.parquet")["last_seen"].max()
    assert f"Data to {newest:%Y-%m-%d} (the newest price evidence)" in lines
    assert not any(f"in {datetime.now(UTC):%b %Y}" in line for line in lines)  # no price is shown as this month's
    assert any(line.startswith("MMLU ≥ 42, 1:1 blend: $60 per 1M tokens in Nov 2021") for line in lines)
    assert any("cheaper per year" in line for line in lines)


@pytest.mark.corpus
def test_trend_cli_reproduces_epoch_for_mmlu_at_gpt3(study_csv: Path) -> None:  # noqa: F811
    import os
    import subprocess
    import sys

    benchmark, threshold, _, n, *_, factor, low, high, _r2 = PUBLISHED[0]
    done = subprocess.run(
        [sys.executable, "-m", "llmflation.cli", "trend", str(study_csv), "--benchmark", benchmark,
         "--threshold", str(threshold), "--method", "frontier", "--exclude-models", ",".join(REASONING_MODELS), "--json"],
        env=dict(os.environ), capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["n"] == n
    assert result["factor_per_year"] == pytest.approx(factor, rel=0.01)
    assert result["ci90"][0] == pytest.approx(low, rel=0.01) and result["ci90"][1] == pytest.approx(high, rel=0.01)
    assert {p["model"] for p in result["points"]} and result["points"][0]["usd_per_mtok"] > result["points"][-1]["usd_per_mtok"]
