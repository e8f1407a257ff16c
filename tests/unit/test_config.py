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
