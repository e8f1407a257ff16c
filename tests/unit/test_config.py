from pathlib import Path

import pytest

from llmflation.config import DEFAULT_WAYBACK_URL, ConfigError, load_settings


def test_defaults_are_the_real_addresses(tmp_path: Path) -> None:
    settings = load_settings(env={}, cwd=tmp_path)
    assert settings.data_dir == (tmp_path / "data").resolve()
    assert settings.config_path is None
    assert settings.wayback_url == DEFAULT_WAYBACK_URL == "https://web.archive.org"
    assert settings.wayback_requests_per_minute == 15
    assert settings.url_for("openrouter", "https://openrouter.ai/api/v1/models") == "https://openrouter.ai/api/v1/models"
    assert "llmflation" in settings.user_agent and "http" in settings.user_agent


def test_toml_in_the_working_folder_overrides_urls_and_wayback(tmp_path: Path) -> None:
    (tmp_path / "llmflation.toml").write_text(
        '[sources.openrouter]\nurl = "http://127.0.0.1:9/models"\n'
        '[wayback]\nurl = "http://127.0.0.1:9/"\nrequests_per_minute = 6\n'
    )
    settings = load_settings(env={"LLMFLATION_DATA_DIR": str(tmp_path / "elsewhere")}, cwd=tmp_path)
    assert settings.data_dir == (tmp_path / "elsewhere").resolve()
    assert settings.url_for("openrouter", "https://openrouter.ai/api/v1/models") == "http://127.0.0.1:9/models"
    assert settings.wayback_url == "http://127.0.0.1:9"
    assert settings.wayback_requests_per_minute == 6


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    config = tmp_path / "custom.toml"
    config.write_text('[wayback]\nurl = "http://from-file"\n')
    settings = load_settings(env={"LLMFLATION_CONFIG": str(config), "LLMFLATION_WAYBACK_URL": "http://from-env"}, cwd=tmp_path)
    assert settings.config_path == config.resolve()
    assert settings.wayback_url == "http://from-env"


def test_bad_configuration_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a file"):
        load_settings(env={"LLMFLATION_CONFIG": str(tmp_path / "missing.toml")}, cwd=tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text("[sources.openrouter\nurl=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(env={"LLMFLATION_CONFIG": str(bad)}, cwd=tmp_path)
    bad.write_text("[wayback]\nrequests_per_minute = 0\n")
    with pytest.raises(ConfigError, match="requests_per_minute"):
        load_settings(env={"LLMFLATION_CONFIG": str(bad)}, cwd=tmp_path)


def test_default_levels_are_the_named_reference_levels(tmp_path: Path) -> None:
    from llmflation.benchmarks import DEFAULT_LEVELS

    settings = load_settings(env={}, cwd=tmp_path)
    assert settings.quality_levels == [(level.benchmark, float(level.threshold)) for level in DEFAULT_LEVELS]
    assert ("mmlu", 42.0) in settings.quality_levels and ("mmlu", 83.0) in settings.quality_levels
    assert {b for b, _ in settings.quality_levels} == {"mmlu", "eci", "gpqa_diamond"}
    assert settings.level_settings == {}


def test_a_level_names_the_snapshot_it_compares_within_and_only_one(tmp_path: Path) -> None:
    (tmp_path / "llmflation.toml").write_text(
        '[analysis]\nlevels = [{benchmark = "arena_elo", threshold = 1400, setting = "text arena; snapshot 2026-03-13"}]\n'
    )
    settings = load_settings(env={}, cwd=tmp_path)
    assert settings.quality_levels == [("arena_elo", 1400.0)]
    assert settings.level_settings == {"arena_elo": "text arena; snapshot 2026-03-13"}
    (tmp_path / "llmflation.toml").write_text(
        '[analysis]\nlevels = [{benchmark = "arena_elo", threshold = 1400, setting = "text arena; snapshot 2026-03-13"},\n'
        '  {benchmark = "arena_elo", threshold = 1450, setting = "text arena; snapshot 2026-04-02"}]\n'
    )
    with pytest.raises(ConfigError, match="arena_elo levels name two settings"):
        _ = load_settings(env={}, cwd=tmp_path).level_settings
