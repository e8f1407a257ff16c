"""The CLI finds every configuration error at start-up: exit 2, one line, nothing fetched or written."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from llmflation.cli import main


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, toml: str,
         *args: str) -> tuple[int, list[str]]:
    config = tmp_path / "llmflation.toml"
    config.write_text(toml)
    monkeypatch.setenv("LLMFLATION_CONFIG", str(config))
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="llmflation"):
        code = main(list(args))
    return code, [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    ("toml", "args", "expected"),
    [
        ('[analysis]\nlevels = [{benchmark = "gpqa_dimond", threshold = 50}]\n', ["build"],
         "[analysis] levels: unknown benchmark 'gpqa_dimond' (did you mean 'gpqa_diamond'?); the known benchmarks "
         "are aa_agentic_index, aa_coding_index, aa_intelligence_index"),
        ('[analysis]\nlevels = [{benchmark = "mmlu", threshold = 830}]\n', ["run"],
         "[analysis] levels: mmlu threshold 830 is above 100: mmlu scores are percent correct (0-100)"),
        ('[analysis]\nblends = ["1:1", "banana"]\n', ["build"], "[analysis] blends: blend must look like '3:1', got 'banana'"),
        ('[analysis]\nstart = "yesterday"\n', ["build"], "[analysis] start: must be a date YYYY-MM-DD, got 'yesterday'"),
        ('[capture]\nretries = "two"\n', ["capture"], "[capture] retries: must be a whole number, got 'two'"),
        ("[capture]\nretires = 3\n", ["capture"], "[capture] unknown key 'retires' (did you mean 'retries'?)"),
        ("", ["serve", "--cron", "not a cron"], "--cron: must be a cron expression of five fields"),
        ("", ["capture", "--sources", "openroutr"], "unknown source 'openroutr'"),
    ],
)
def test_a_configuration_error_exits_2_with_one_line_before_anything_runs(
        data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        toml: str, args: list[str], expected: str) -> None:
    code, errors = _run(tmp_path, monkeypatch, caplog, toml, *args)
    assert code == 2
    assert len(errors) == 1 and expected in errors[0], errors
    assert "\n" not in errors[0]
    assert not (data_dir / "state").exists() and not (data_dir / "raw").exists()  # no lock taken, nothing fetched


def test_known_benchmarks_include_those_of_the_latest_release(data_dir: Path, tmp_path: Path) -> None:
    """A benchmark only a leaderboard yields is known once a release holds its scores."""
    import pandas as pd

    from llmflation.config import load_settings
    from llmflation.preflight import known_benchmarks

    release = data_dir / "published" / "20260101T000000Z"
    release.mkdir(parents=True)
    pd.DataFrame({"benchmark": ["ifeval", "mmlu"]}).to_parquet(release / "scores.parquet")
    (data_dir / "published" / "latest").symlink_to(release.name)
    known = known_benchmarks(load_settings())
    assert {"ifeval", "mmlu", "gpqa_diamond"} <= known
