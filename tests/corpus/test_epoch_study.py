"""``llmflation trend --method frontier`` on the inputs of Epoch AI's study reproduces its results.

The study: "LLM inference prices have fallen rapidly but unequally across tasks", Epoch AI,
published 2025-03-12, https://epoch.ai/data-insights/llm-inference-price-trends (the page
quotes the range "9x to 900x per year" and GPT-4-level GPQA Diamond falling "40x per year").
The exact factors and 90% intervals below are the study's published results table,
``results/default/lowest_price_models_above_previous_frontier/lowest_price_models_results.csv``
in https://github.com/epoch-research/llm-benchmark-efficiency (commit 2fdd9a8c), the code the
page links to. Its inputs are the two CSVs of ``studies/epoch/`` in the corpus, renamed here
(in a temporary file) to the columns ``llmflation trend`` reads.

The study's year is 365 days, ours is 365.25; that alone moves the factors by up to 0.5%,
inside the 1% asked for.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from llmflation.analyze.trend import trend_from_csv

pytestmark = pytest.mark.corpus

STUDY_FILES = ["aa_data_with_math5.csv", "epoch_ai_price_data_not_in_aa_with_benchmarks.csv"]
RENAMES = {
    "Model Name": "model",
    "Release Date": "date",
    "USD per 1M Tokens": "usd_per_mtok",
    "MMLU": "mmlu",
    "GPQA Diamond": "gpqa_diamond",
    "HumanEval": "humaneval",
    "LMSys Chatbot Arena ELO": "arena_elo",
}
#: The models the study's notebook lists as reasoning models and leaves out of its fits.
REASONING_MODELS = ["DeepSeek-R1", "o1", "o1-mini", "o1-preview", "o3-mini"]

# (benchmark, threshold, threshold model in the study, n, start, end, factor, ci90 low, ci90 high, r2)
PUBLISHED = [
    ("mmlu", 43.9, "GPT-3", 9, "2021-11-20", "2024-10-03", 11.772872667426151, 8.287354506876559, 16.724339561970456, 0.96),
    ("mmlu", 64.8, "GPT-3.5", 7, "2022-11-30", "2024-10-03", 15.830914761762989, 8.054664913158714, 31.114623003717604, 0.93),
    ("gpqa_diamond", 33, "GPT-4-0314", 6, "2023-03-14", "2024-12-13", 42.0189988368494, 4.398155473320801, 401.44016598804956, 0.76),
    ("humaneval", 71, "GPT-3.5-Turbo-2023-06", 6, "2023-06-13", "2024-12-13", 9.240250279099344, 4.832723864099762, 17.66751579883625, 0.93),
    ("arena_elo", 1106, "GPT-3.5 Turbo", 7, "2023-03-06", "2024-10-03", 9.605140145319366, 5.258629304647338, 17.544251907943323, 0.92),
]


@pytest.fixture(scope="module")
def study_csv(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = corpus_dir / "studies" / "epoch"
    frames = [pd.read_csv(folder / name, dtype=str, keep_default_na=False) for name in STUDY_FILES]
    table = pd.concat(frames, ignore_index=True).rename(columns=RENAMES)
    path = tmp_path_factory.mktemp("epoch") / "epoch_observations.csv"
    table.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("benchmark", "threshold", "threshold_model", "n", "start", "end", "factor", "low", "high", "r2"),
    PUBLISHED,
    ids=[f"{row[0]}>={row[1]}" for row in PUBLISHED],
)
def test_frontier_reproduces_published_factor_and_interval(
    study_csv: Path,
    benchmark: str,
    threshold: float,
    threshold_model: str,
    n: int,
    start: str,
    end: str,
    factor: float,
    low: float,
    high: float,
    r2: float,
) -> None:
    result = trend_from_csv(study_csv, benchmark, threshold, method="frontier", exclude=REASONING_MODELS)

    assert (result["n"], result["start"], result["end"]) == (n, start, end)
    assert result["factor_per_year"] == pytest.approx(factor, rel=0.01)
    assert result["ci90"][0] == pytest.approx(low, rel=0.01)
    assert result["ci90"][1] == pytest.approx(high, rel=0.01)
    assert round(result["r2"], 2) == r2
    assert result["blend"] == "as given"  # the study's prices are already a 3:1 blend


def test_first_point_is_the_threshold_model(study_csv: Path) -> None:
    result = trend_from_csv(study_csv, "mmlu", 43.9, exclude=REASONING_MODELS)

    first = result["points"][0]
    assert (first["model"], first["date"], first["usd_per_mtok"]) == ("GPT-3 175B (davinci)", "2021-11-20", 60.0)
    prices = [p["usd_per_mtok"] for p in result["points"]]
    assert prices == sorted(prices, reverse=True) and len(set(prices)) == len(prices)


def test_reasoning_models_must_be_excluded_where_the_study_did(study_csv: Path) -> None:
    """GPQA Diamond >= 56 (Claude 3.5 Sonnet's score): o1-mini would set a new low in Sep 2024.

    Published: 251.15711308883266 [41.56132345563141, 1517.7547346984131], n = 4.
    """
    kept = trend_from_csv(study_csv, "gpqa_diamond", 56)
    excluded = trend_from_csv(study_csv, "gpqa_diamond", 56, exclude=REASONING_MODELS)

    assert "o1-mini" in [p["model"] for p in kept["points"]]
    assert kept["factor_per_year"] != pytest.approx(251.15711308883266, rel=0.01)
    assert excluded["n"] == 4
    assert excluded["factor_per_year"] == pytest.approx(251.15711308883266, rel=0.01)
    assert excluded["ci90"][0] == pytest.approx(41.56132345563141, rel=0.01)
    assert excluded["ci90"][1] == pytest.approx(1517.7547346984131, rel=0.01)
    assert excluded["skipped"]["excluded model"] == 6
