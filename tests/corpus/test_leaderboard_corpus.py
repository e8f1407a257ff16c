"""Every leaderboard file of the real corpus parses, in every layout it had.

Counts are derived in each test from the file itself (a plain csv/json read), and spot values
are checked against what the file says.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from llmflation.parsers import llm_stats, lmarena, open_llm_leaderboard
from tests.support.leaderboards import leaderboard_capture, zip_folder

pytestmark = pytest.mark.corpus

ARENA_FILES = [
    "lmsys_2024-06-19_3792cf00.csv",  # layout 1: arena_elo
    "lmsys_2024-07-31_773bf001.csv",  # layout 2: arena_score
    "lmsys_2024-09-28_9e0aed92.csv",
    "lmsys_2024-10-29_50e56122.csv",  # layout 3: rank_stylectrl
    "lmsys_2025-01-29_c658466a.csv",
    "lmsys_2025-07-18_f1d824ad.csv",
    "lmarena_text_2025-08-04.csv",
    "lmarena_vision_2025-08-04.csv",
    "lmarena_image_2025-08-04.csv",
]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_arena_export_in_the_corpus_parses_and_all_three_layouts_occur(corpus_dir: Path) -> None:
    layouts = set()
    paths = sorted((corpus_dir / "scores" / "lmarena").glob("*.csv"))
    assert {p.name for p in paths} >= set(ARENA_FILES)
    for path in paths:
        header = tuple(_rows(path)[0])
        layouts.add(header[:4])
        body = path.read_bytes()
        result = lmarena.parse(body, leaderboard_capture(f"https://example.invalid/{path.name}", body=body))
        assert len(result.scores) == len(_rows(path)), path.name
    assert len(layouts) == 3


@pytest.mark.parametrize("name", ARENA_FILES)
def test_arena_export_gives_one_rating_per_row(corpus_dir: Path, name: str) -> None:
    path = corpus_dir / "scores" / "lmarena" / name
    rows = _rows(path)
    body = path.read_bytes()
    result = lmarena.parse(body, leaderboard_capture(f"https://example.invalid/{name}", body=body))
    assert len(result.scores) == len(rows)
    column = "arena_score" if "arena_score" in rows[0] else "arena_elo"
    assert [s.model_key for s in result.scores] == [r["model"] for r in rows]
    assert [s.score for s in result.scores] == [float(r[column]) for r in rows]
    assert all(s.ci95_low <= s.score <= s.ci95_high for s in result.scores if s.ci95_low is not None)
    assert all(s.votes and s.votes > 0 for s in result.scores)


def test_arena_spot_values(corpus_dir: Path) -> None:
    path = corpus_dir / "scores" / "lmarena" / "lmsys_2024-06-19_3792cf00.csv"
    body = path.read_bytes()
    scores = {s.model_key: s for s in lmarena.parse(body, leaderboard_capture("https://x/lmsys.csv", body=body)).scores}
    gpt4o = scores["GPT-4o-2024-05-13"]
    assert (gpt4o.score, gpt4o.ci95_low, gpt4o.ci95_high, gpt4o.votes) == (1287, 1284, 1290, 42046)


@pytest.mark.parametrize(
    ("name", "name_column", "value_columns"),
    [
        ("open_llm_leaderboard_v1_final.csv", "fullname",
         ["arc", "hellaswag", "mmlu", "truthfulqa", "winogrande", "gsm8k"]),
        ("open_llm_leaderboard_v2_final.csv", "model_name",
         [f"evaluations_{b}_value" for b in ("ifeval", "bbh", "math", "gpqa", "musr", "mmlu_pro")]),
    ],
)
def test_open_llm_leaderboard_gives_every_stated_score(
    corpus_dir: Path, name: str, name_column: str, value_columns: list[str]
) -> None:
    path = corpus_dir / "scores" / "open-llm-leaderboard" / name
    rows = [r for r in _rows(path) if "/" in r[name_column]]
    expected = sum(1 for r in rows for c in value_columns if r[c] != "")
    body = path.read_bytes()
    result = open_llm_leaderboard.parse(body, leaderboard_capture("https://x/" + name, body=body))
    assert len(result.scores) == expected
    assert len(rows) > 4000  # the final dumps hold thousands of evaluated models


def test_open_llm_leaderboard_spot_values(corpus_dir: Path) -> None:
    folder = corpus_dir / "scores" / "open-llm-leaderboard"
    for name, benchmark, expected in [
        ("open_llm_leaderboard_v1_final.csv", "mmlu", 67.07),
        ("open_llm_leaderboard_v2_final.csv", "mmlu_pro", 36.6439494680851),
    ]:
        body = (folder / name).read_bytes()
        result = open_llm_leaderboard.parse(body, leaderboard_capture("https://x/" + name, body=body))
        found = [s.score for s in result.scores
                 if s.model_key == "meta-llama/Meta-Llama-3-8B-Instruct" and s.benchmark == benchmark]
        assert found and found[0] == pytest.approx(expected)


def test_llm_stats_current_layout(corpus_dir: Path) -> None:
    folder = corpus_dir / "scores" / "llm-stats" / "data"
    expected = sum(len(json.loads(p.read_text())) for p in folder.glob("organizations/*/models/*/benchmarks.json"))
    body = zip_folder(folder, "llm-leaderboard-main/data/")
    result = llm_stats.parse(body, leaderboard_capture("https://x/main.zip", body=body))
    assert len(result.scores) + sum(result.skipped.values()) == expected
    assert len(result.scores) >= 0.99 * expected
    aider = [s for s in result.scores if s.model_key == "qwen3-32b" and s.benchmark == "aider"]
    assert [s.score for s in aider] == [pytest.approx(50.2)]
    assert aider[0].source_url == "https://qwenlm.github.io/blog/qwen3/"


def test_llm_stats_snapshot_layout(corpus_dir: Path) -> None:
    folder = corpus_dir / "scores" / "llm-stats" / "snapshot_2025-01"
    expected = sum(
        len(json.loads(p.read_text()).get("qualitative_metrics") or []) for p in folder.glob("models/*/*/model.json")
    )
    body = zip_folder(folder, "llm-leaderboard-78b6d8a/data/")
    result = llm_stats.parse(body, leaderboard_capture("https://x/main.zip", body=body))
    assert len(result.scores) + sum(result.skipped.values()) == expected
    mmlu_pro = [s for s in result.scores if s.model_key == "qwen-2.5-72b-instruct" and s.benchmark == "mmlu_pro"]
    assert [s.score for s in mmlu_pro] == [pytest.approx(71.1)]
    assert mmlu_pro[0].self_reported is True
