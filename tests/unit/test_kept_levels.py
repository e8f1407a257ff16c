"""The kept level series: used while the intervals' prices, the scores, the months and the settings are
unchanged, equal to a fresh computation, and made again as soon as any of them changes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from llmflation import build as build_module
from llmflation.analyze import cheapest_by_quality, decline_rates
from llmflation.analyze.monthly import month_starts
from llmflation.buildstate import state_dir
from llmflation.config import Settings, load_settings
from tests.unit.test_analyze_monthly import SCORES, interval

MONTHS = month_starts("2021-10-01", "2023-06-15")


def intervals() -> pd.DataFrame:
    table = pd.DataFrame([
        interval("gpt3", "2021-11-18", "2022-09-01", "60", "60"),
        interval("gpt3", "2022-09-01", None, "20", "20"),
        interval("small", "2022-10-20", None, "1", "1"),
        interval("flat", "2022-01-01", None, "30", "30"),
    ])
    return table.assign(last_seen=table["valid_from"], n_captures=3, first_seen=table["valid_from"])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(env={"LLMFLATION_DATA_DIR": str(tmp_path / "data")})


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the level series made (not taken from the kept file)."""
    calls: list[int] = []

    def counting(*args, **kwargs):
        calls.append(1)
        return cheapest_by_quality(*args, **kwargs)

    monkeypatch.setattr(build_module, "cheapest_by_quality", counting)
    return calls


def fresh(settings: Settings, table: pd.DataFrame, scores: pd.DataFrame = SCORES) -> tuple[pd.DataFrame, pd.DataFrame]:
    priced = table.reindex(columns=build_module.LEVEL_INTERVAL_COLUMNS)
    cheapest = cheapest_by_quality(priced, scores, MONTHS, settings.quality_levels, settings.blends)
    return cheapest, decline_rates(cheapest, priced, scores, settings.quality_levels, settings.blends)


def assert_equal(left: tuple[pd.DataFrame, pd.DataFrame], right: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    for a, b in zip(left, right, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_a_night_that_only_saw_the_same_prices_again_uses_the_kept_series(settings: Settings, made: list[int]) -> None:
    first = build_module.level_series(settings, intervals(), SCORES, MONTHS)
    assert len(made) == 1 and (state_dir(settings) / "levels.pickle").exists()
    assert len(first[0]) > 0 and len(first[1]) > 0
    seen_again = intervals().assign(last_seen=pd.Timestamp("2023-06-01", tz="UTC"), n_captures=40)
    kept = build_module.level_series(settings, seen_again, SCORES, MONTHS)
    assert len(made) == 1  # not made again
    assert_equal(kept, fresh(settings, seen_again))


@pytest.mark.parametrize("change", ["price", "end", "score", "month", "levels"])
def test_any_change_of_what_the_series_read_makes_them_again(settings: Settings, made: list[int], change: str) -> None:
    build_module.level_series(settings, intervals(), SCORES, MONTHS)
    table, scores, months = intervals(), SCORES, MONTHS
    if change == "price":
        table.loc[2, "output_usd_per_mtok"] = table.loc[2, "output_usd_per_mtok"] * 2
    elif change == "end":
        table.loc[2, "valid_to"] = pd.Timestamp("2023-02-01", tz="UTC")
    elif change == "score":
        scores = SCORES.assign(score=SCORES["score"].where(SCORES["model_id"] != "small", 41.0))
    elif change == "month":
        months = month_starts("2021-10-01", "2023-07-15")
    else:
        config = settings.data_dir.parent / "llmflation.toml"
        config.write_text('[analysis]\nlevels = [{benchmark = "mmlu", threshold = 42}]\n')
        settings = load_settings(env={"LLMFLATION_DATA_DIR": str(settings.data_dir), "LLMFLATION_CONFIG": str(config)})
        assert settings.quality_levels == [("mmlu", 42.0)]
    again = build_module.level_series(settings, table, scores, months)
    assert len(made) == 2
    cheapest = cheapest_by_quality(table.reindex(columns=build_module.LEVEL_INTERVAL_COLUMNS), scores, months,
                                   settings.quality_levels, settings.blends)
    pd.testing.assert_frame_equal(again[0], cheapest)


def test_an_unreadable_kept_series_is_made_again(settings: Settings, made: list[int]) -> None:
    build_module.level_series(settings, intervals(), SCORES, MONTHS)
    (state_dir(settings) / "levels.pickle").write_bytes(b"not a pickle")
    again = build_module.level_series(settings, intervals(), SCORES, MONTHS)
    assert len(made) == 2
    assert_equal(again, fresh(settings, intervals()))

