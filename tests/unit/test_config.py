from pathlib import Path

import pytest

from llmflation.config import WaybackSettings, ConfigError, load_settings
DEFAULT_WAYBACK_URL = WaybackSettings.url


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


# --- every configuration error at start-up: one line naming the file, the key and the problem ---------


def _settings_from(tmp_path: Path, text: str):
    config = tmp_path / "llmflation.toml"
    config.write_text(text)
    return load_settings(env={"LLMFLATION_CONFIG": str(config)}, cwd=tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[analysis]\nblends = ["1:1", "banana"]\n', r"\[analysis\] blends: .*'banana'"),
        ('[analysis]\nstart = "yesterday"\n', r"\[analysis\] start: must be a date YYYY-MM-DD, got 'yesterday'"),
        ('[capture]\nretries = "two"\n', r"\[capture\] retries: must be a whole number, got 'two'"),
        ("[capture]\nretires = 3\n", r"\[capture\] unknown key 'retires' \(did you mean 'retries'\?\)"),
        ("[captur]\nretries = 3\n", r"unknown section \[captur\] \(did you mean \[capture\]\?\)"),
        ('[sources.openroutr]\nurl = "http://127.0.0.1:9/"\n', r"\[sources.openroutr\]: no source has this id \(did you mean \[sources.openrouter\]\?\)"),
        ('[sources.openrouter]\nuri = "http://127.0.0.1:9/"\n', r"\[sources.openrouter\] unknown key 'uri' \(did you mean 'url'\?\)"),
        ('[schedule]\ncron = "not a cron"\n', r"\[schedule\] cron: must be a cron expression of five fields"),
        ('[schedule]\ncron = "61 3 * * *"\n', r"\[schedule\] cron: '61 3 \* \* \*' is not a cron expression"),
        ('[schedule]\ntimezone = "Mars/Base"\n', r"\[schedule\] timezone: 'Mars/Base' is not a time zone name"),
        ("[wayback]\nrequests_per_minute = 0\n", r"\[wayback\] requests_per_minute: must be > 0"),
        ("[wayback]\ncdx_page_size = 0\n", r"\[wayback\] cdx_page_size: must be >= 1"),
        ("[capture]\ndownload_delay_s = true\n", r"\[capture\] download_delay_s: must be a number, got True"),
        ('[capture]\nlog_level = "LOUD"\n', r"\[capture\] log_level: must be one of DEBUG, INFO"),
        ('[analysis]\nlevels = [{benchmark = "mmlu", treshold = 42}]\n', r"levels: entry 1: unknown key 'treshold' \(did you mean 'threshold'\?\)"),
        ('[analysis]\nlevels = [{benchmark = "mmlu", threshold = "42"}]\n', r"levels: entry 1: threshold must be a number"),
        ('[analysis]\nlevels = []\n', r"levels: must list at least one level"),
        ('[scores]\npreference = ["reference", "reference"]\n', r"\[scores\] preference: must list each source once"),
        ('[scores]\npreference = ["reference", "artifical_analysis", "*"]\n',
         r"\[scores\] preference: no source has the id 'artifical_analysis' \(did you mean 'artificial_analysis'\?\)"),
        ('[analysis]\nevidence_horizon_days = 0\n', r"\[analysis\] evidence_horizon_days: must be >= 1"),
        ("analysis = 3\n", r"\[analysis\] must be a table"),
    ],
)
def test_every_bad_key_or_value_is_one_line_naming_file_key_and_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        _settings_from(tmp_path, text)
    assert str(raised.value).startswith(str(tmp_path / "llmflation.toml"))
    assert "\n" not in str(raised.value)


def test_sections_are_typed_frozen_and_hold_each_default(tmp_path: Path) -> None:
    import dataclasses

    settings = _settings_from(tmp_path, '[capture]\nretries = 5\n[analysis]\nstart = 2022-01-01\nblends = ["3:1"]\n'
                                        'levels = [{benchmark = "gpqa_diamond", threshold = 50}]\n')
    assert settings.capture.retries == 5 and settings.capture.timeout_s == 60.0
    assert settings.analysis.start == "2022-01-01"  # a TOML date reads like the string form
    assert settings.blends == ["3:1"] and settings.quality_levels == [("gpqa_diamond", 50.0)]
    assert settings.analysis.evidence_horizon_days == 90
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.capture.retries = 1  # type: ignore[misc]
    assert not hasattr(settings, "section")  # no ad-hoc reads by key name: settings.<section>.<key>
    defaults = load_settings(env={}, cwd=tmp_path / "none")
    assert ("mmlu", 42.0) in defaults.quality_levels and defaults.blends == ["1:1", "3:1"]


def test_every_setting_is_in_the_readme() -> None:
    """A key added to a section without a line in README.md fails here, by name."""
    import dataclasses

    from llmflation.config import SECTIONS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    keys = [f"[{name}] {f.name}" for name, cls in SECTIONS.items() for f in dataclasses.fields(cls)]

    def missing(names: list[str]) -> list[str]:
        return [name for name in names if name not in readme]

    assert keys and missing(keys) == []
    assert missing(["[capture] no_such_key"]) == ["[capture] no_such_key"]  # the check can fail
