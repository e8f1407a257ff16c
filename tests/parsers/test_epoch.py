"""Epoch AI's benchmarking bundle: the ECI and Epoch's own runs, on the real tables of the corpus.

Epoch publishes every table in one zip (``benchmark_data.zip``); the corpus holds the tables as
separate files, so the bundle is rebuilt in memory from whatever files the folder holds.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from llmflation.benchmarks import ECI_ANCHORED_SCALE, comparable_as
from llmflation.parsers import epoch
from llmflation.records import ParseError
from llmflation.sources import EPOCH_ATTRIBUTION, get_source
from tests.support.leaderboards import leaderboard_capture, zip_members

URL = "https://epoch.ai/data/benchmark_data.zip"


def _folder(corpus_dir: Path) -> Path:
    return corpus_dir / "scores" / "epoch"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _bundle(paths: list[Path]) -> bytes:
    return zip_members({p.name: p.read_text(encoding="utf-8-sig") for p in paths})


def _parse(body: bytes, url: str = URL, day: str = "2026-04-10"):
    return epoch.parse(body, leaderboard_capture(url, day, body))


@pytest.mark.corpus
def test_every_table_in_the_folder_is_read_in_one_bundle(corpus_dir: Path) -> None:
    paths = sorted(_folder(corpus_dir).glob("*.csv"))
    assert paths
    result = _parse(_bundle(paths))
    assert not [reason for reason in result.skipped if reason.startswith("table of another kind")]
    eci_rows = sum(1 for p in paths for r in _rows(p) if (r.get("eci") or r.get("ECI Score")))
    assert sum(1 for s in result.scores if s.benchmark == "eci") == eci_rows
    run_rows = sum(len(_rows(p)) for p in paths if p.name.startswith("benchmarks_runs"))
    assert sum(1 for s in result.scores if s.benchmark != "eci") == run_rows
    assert all(s.self_reported is False for s in result.scores)


@pytest.mark.corpus
def test_every_score_table_parses_on_its_own(corpus_dir: Path) -> None:
    for path in sorted(_folder(corpus_dir).glob("*.csv")):
        body = path.read_bytes()
        header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        if epoch._is_versions(header):  # a model table alone states no score
            with pytest.raises(ParseError, match="no ECI or benchmark scores"):
                _parse(body, f"https://example.invalid/{path.name}")
            continue
        result = _parse(body, f"https://example.invalid/{path.name}")
        assert result.scores, path.name
        if "eci" in path.name or "capabilities" in path.name:
            assert result.models, path.name


@pytest.mark.corpus
def test_eci_files_are_on_the_anchored_scale_at_the_issue_anchors(corpus_dir: Path) -> None:
    """GPT-4 about 122, Claude 3.5 Sonnet 130, GPT-5 150 (Epoch's anchors), in both layouts."""
    paths = [p for p in sorted(_folder(corpus_dir).glob("*.csv")) if "eci" in p.name or "capabilities" in p.name]
    assert len(paths) >= 2
    for path in paths:
        scores = {s.model_key: s for s in _parse(path.read_bytes(), f"https://example.invalid/{path.name}").scores}
        gpt4 = scores.get("GPT-4 (Jun 2023)") or scores["gpt-4-0613"]
        sonnet = scores.get("Claude 3.5 Sonnet") or scores["claude-3-5-sonnet-20240620"]
        gpt5 = scores.get("GPT-5") or scores["gpt-5-2025-08-07"]
        assert 120 <= gpt4.score <= 124, path.name
        assert sonnet.score == 130 and gpt5.score == 150, path.name
        assert {s.setting.split(";")[0] for s in scores.values()} == {ECI_ANCHORED_SCALE}
        assert comparable_as("eci", gpt4.setting)[0] == ECI_ANCHORED_SCALE


@pytest.mark.corpus
def test_eci_per_model_keeps_epochs_interval_and_the_model_facts(corpus_dir: Path) -> None:
    path = next(_folder(corpus_dir).glob("eci_scores_*.csv"))
    result = _parse(path.read_bytes(), f"https://example.invalid/{path.name}")
    o1 = next(s for s in result.scores if s.model_key == "o1")
    row = next(r for r in _rows(path) if r["Model"] == "o1")
    assert (o1.score, o1.ci90_low, o1.ci90_high) == (float(row["eci"]), float(row["eci_ci_low"]), float(row["eci_ci_high"]))
    assert o1.ci95_low is None  # Epoch's interval is 90%, not put in the 95% columns
    model = next(m for m in result.models if m.model_key == "o1")
    assert model.creator == "OpenAI" and model.release_date.date().isoformat() == row["date"]
    assert model.open_weights is False


@pytest.mark.corpus
def test_eci_per_version_strips_the_effort_into_the_setting(corpus_dir: Path) -> None:
    path = next(_folder(corpus_dir).glob("epoch_capabilities_index_*.csv"))
    result = _parse(path.read_bytes(), f"https://example.invalid/{path.name}")
    o1 = [s for s in result.scores if s.model_key == "o1-2024-12-17"]
    assert {s.setting for s in o1} == {f"{ECI_ANCHORED_SCALE}; effort {e}" for e in ("low", "medium", "high")}
    # the effort configures the model, not the index: every one is on the anchored scale
    assert {comparable_as("eci", s.setting)[0] for s in o1} == {ECI_ANCHORED_SCALE}


@pytest.mark.corpus
def test_gpqa_diamond_runs_with_their_setting_date_and_model(corpus_dir: Path) -> None:
    paths = sorted(_folder(corpus_dir).glob("*.csv"))
    result = _parse(_bundle(paths))
    runs = next(p for p in paths if p.name.startswith("benchmarks_runs"))
    gpqa_rows = [r for r in _rows(runs) if r["task"] == "GPQA diamond"]
    gpqa = [s for s in result.scores if s.benchmark == "gpqa_diamond"]
    assert len(gpqa) == len(gpqa_rows) > 100
    o1 = next(s for s in gpqa if s.model_key == "o1-2024-12-17" and s.setting.endswith("effort medium"))
    assert o1.score == pytest.approx(75.8)
    assert o1.setting.startswith("Epoch AI run, task version 1.0.0")
    assert o1.reported_at.isoformat() == "2025-01-26T19:00:00+00:00"
    assert comparable_as("gpqa_diamond", o1.setting)[0] == "diamond, single attempt"
    gpt4 = next(s for s in gpqa if s.model_key == "gpt-4-0314")
    assert gpt4.score == pytest.approx(35.7)
    versions = {m.model_key: m for m in result.models}
    assert versions["Mistral-7B-v0.3"].hugging_face_id == "mistralai/Mistral-7B-v0.3"


@pytest.mark.corpus
def test_the_bundle_layout_of_one_file_per_benchmark(corpus_dir: Path) -> None:
    """Since late 2025 the bundle holds one file per benchmark; real GPQA runs rewritten in that layout."""
    runs = next(_folder(corpus_dir).glob("benchmarks_runs_*.csv"))
    lines = ["Model version,mean_score,Best score (across scorers),Release date,Organization,stderr,Started at,id"]
    for r in _rows(runs):
        if r["task"] == "GPQA diamond":
            lines.append(f"{r['model']},{r['Best score (across scorers)']},{r['Best score (across scorers)']},,,,,{r['id']}")
    body = zip_members({"gpqa_diamond.csv": "\n".join(lines) + "\n", "gpqa_diamond_external.csv": "Model version,Score\nx,1\n",
                        "epoch_capabilities_index.csv": next(_folder(corpus_dir).glob("epoch_capabilities_index_*.csv")).read_text("utf-8-sig")})
    result = _parse(body)
    gpqa = [s for s in result.scores if s.benchmark == "gpqa_diamond"]
    assert len(gpqa) == len(lines) - 1
    assert result.skipped["external results table (collected by Epoch from others, not its own runs)"] == 1
    assert all(s.reported_at.date().isoformat() == "2026-04-10" for s in gpqa)  # no run date: the capture's


def test_an_eci_table_without_its_anchors_compares_with_nothing() -> None:
    body = b"Model,Display name,eci,eci_ci_low,eci_ci_high,date,Organization\nNew Model,New Model,140.5,139,142,2026-01-01,Lab\n"
    (score,) = _parse(body, "https://example.invalid/eci_scores.csv").scores
    assert score.setting == "ECI captured 2026-04-10, anchors not found"
    assert comparable_as("eci", score.setting)[0] is None


def test_bad_bytes_are_parse_errors_naming_the_problem() -> None:
    with pytest.raises(ParseError, match="no ECI or benchmark scores"):
        _parse(zip_members({"README.md": "hello", "other.csv": "a,b\n1,2\n"}))
    with pytest.raises(ParseError, match="not UTF-8"):
        _parse(b"Model,eci\n\xff\xfe,1\n", "https://example.invalid/eci.csv")
    with pytest.raises(ParseError, match="zip"):
        _parse(b"PK\x03\x04 truncated")


def test_registry_row_is_the_bundle_with_its_attribution() -> None:
    source = get_source("epoch_benchmarks")
    assert source.live_url == URL and source.kind == "leaderboard"
    assert source.attribution == EPOCH_ATTRIBUTION and "CC-BY-4.0" in EPOCH_ATTRIBUTION
