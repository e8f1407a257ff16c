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


def test_the_nightly_flow_checks_its_levels_before_capturing(data_dir: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A scheduled run (no CLI start-up in front of it) refuses a misspelt level before any request or lock."""
    from llmflation.config import ConfigError
    from pipelines.nightly import nightly

    config = tmp_path / "llmflation.toml"
    # The source points at a closed loopback port: were the check to regress, nothing leaves the machine.
    config.write_text('[analysis]\nlevels = [{benchmark = "gpqa_dimond", threshold = 50}]\n'
                      '[sources.openrouter]\nurl = "http://127.0.0.1:9/api/v1/models"\n')
    monkeypatch.setenv("LLMFLATION_CONFIG", str(config))
    with pytest.raises(ConfigError, match="unknown benchmark 'gpqa_dimond'"):
        nightly.fn(sources=["openrouter"], skip_history=True)
    from llmflation.runlock import lock_path

    # Importing the flow sets up Prefect's home under state/; no lock was taken and nothing fetched.
    assert not lock_path(data_dir / "state").exists() and not (data_dir / "raw").exists()


def test_scrapy_middlewares_take_their_limits_from_the_settings_only() -> None:
    """Their ceilings are set from [capture]/[wayback] settings; a missing one is an error, not a second default."""
    from scrapy.settings import Settings as ScrapySettings

    from llmflation_scrapers.middlewares import required_float

    with pytest.raises(ValueError, match="RETRY_AFTER_MAX_S is not set"):
        required_float(ScrapySettings(), "RETRY_AFTER_MAX_S")
    assert required_float(ScrapySettings({"RETRY_AFTER_MAX_S": 12}), "RETRY_AFTER_MAX_S") == 12.0
