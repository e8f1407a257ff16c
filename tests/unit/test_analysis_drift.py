"""The analysis gate, on small tables: unreached levels, an empty analysis, and levels or months lost."""

from __future__ import annotations

from datetime import date

import pandas as pd

from llmflation.analysis_drift import check_analysis
from llmflation.config import AnalysisSettings, QualityLevel
from llmflation.validate import AllowEntry

CONFIG = AnalysisSettings(levels=(QualityLevel("mmlu", 42.0), QualityLevel("mmlu", 83.0)))  # blends 1:1 and 3:1, from 2021-11-01, horizon 90 days
RECORDED = CONFIG.recorded()
SCORES = pd.DataFrame({"model_id": ["a", "b"], "benchmark": ["mmlu", "mmlu"], "score": [50.0, 86.4]})


def table(levels: dict[tuple[float, str], list[str]]) -> pd.DataFrame:
    rows = [{"month": pd.Timestamp(m, tz="UTC"), "benchmark": "mmlu", "threshold": t, "blend": b, "usd_per_mtok": 1.0}
            for (t, b), months in levels.items() for m in months]
    return pd.DataFrame(rows, columns=["month", "benchmark", "threshold", "blend", "usd_per_mtok"])


FULL = table({(42.0, "1:1"): ["2024-01-01", "2024-02-01", "2024-03-01"], (42.0, "3:1"): ["2024-01-01"],
              (83.0, "1:1"): ["2024-02-01", "2024-03-01"], (83.0, "3:1"): ["2024-02-01"]})


def checks(findings) -> list[tuple[str, str]]:
    return [(f.check, f.severity) for f in findings]


def test_the_same_analysis_as_last_time_passes() -> None:
    assert check_analysis(FULL, SCORES, CONFIG, previous=FULL, previous_config=RECORDED) == []


def test_a_level_no_model_reaches_is_reported_with_the_highest_score() -> None:
    config = AnalysisSettings(levels=(QualityLevel("mmlu", 42.0), QualityLevel("mmlu", 99.0)))
    found = check_analysis(FULL[FULL["threshold"] == 42.0], SCORES, config)
    assert checks(found) == [("unreached_level", "warning")]
    assert found[0].message == ("MMLU \u2265 99: no priced model reaches this level in any month analysed; "
                                "the highest chosen mmlu score is 86.4 (b)")


def test_an_empty_analysis_is_refused_even_as_the_first_release() -> None:
    config = AnalysisSettings(levels=(QualityLevel("mmlu", 99.0),))
    assert checks(check_analysis(FULL.iloc[0:0], SCORES, config)) == [("unreached_level", "warning"),
                                                                      ("empty_analysis", "error")]


def test_a_level_the_data_lost_is_refused() -> None:
    now = FULL[FULL["threshold"] == 42.0]
    found = check_analysis(now, SCORES, CONFIG, previous=FULL, previous_config=RECORDED)
    assert checks(found) == [("unreached_level", "warning"), ("analysis_drift", "error"), ("analysis_drift", "error")]
    assert "MMLU \u2265 83 (1:1 blend): lost all 2 months the last release had" in found[1].message


def test_a_lost_month_is_refused_and_months_before_a_later_start_are_not_compared() -> None:
    now = FULL[FULL["month"] != pd.Timestamp("2024-01-01", tz="UTC")]
    found = check_analysis(now, SCORES, CONFIG, previous=FULL, previous_config=RECORDED)
    assert [(f.severity, f.message.split(": ", 1)[1]) for f in found] == [
        ("error", "lost 1 month(s) the last release had (Jan 2024): refused like any drift; if the loss is real, add an "
                  "allowlist entry '<today>,analysis,mmlu,<reason>,<link>'"),
        ("error", "lost all 1 months the last release had: refused like any drift; if the loss is real, add an "
                  "allowlist entry '<today>,analysis,mmlu,<reason>,<link>'"),  # 42 at 3:1 had only January
    ]
    assert found[0].rows == [{"benchmark": "mmlu", "threshold": 42.0, "blend": "1:1", "month": pd.Timestamp("2024-01-01", tz="UTC")}]
    later = AnalysisSettings(levels=CONFIG.levels, start="2024-02-01")
    assert check_analysis(now, SCORES, later, previous=FULL, previous_config={**RECORDED, "start": "2024-02-01"}) == []


def test_levels_and_blends_dropped_from_the_configuration_are_not_losses() -> None:
    config = AnalysisSettings(levels=(QualityLevel("mmlu", 42.0),), blends=("1:1",))
    now = FULL[(FULL["threshold"] == 42.0) & (FULL["blend"] == "1:1")]
    found = check_analysis(now, SCORES, config, previous=FULL, previous_config=RECORDED)
    assert checks(found) == [("analysis_drift", "warning")] * 3
    assert all("no longer configured in [analysis]" in f.message for f in found)


def test_months_lost_when_the_horizon_changed_are_warnings() -> None:
    now = FULL[FULL["month"] != pd.Timestamp("2024-03-01", tz="UTC")]
    assert checks(check_analysis(now, SCORES, CONFIG, previous=FULL, previous_config=RECORDED)) == [("analysis_drift", "error")] * 2
    for recorded in ({**RECORDED, "evidence_horizon_days": 365}, None):  # changed, or never recorded
        found = check_analysis(now, SCORES, CONFIG, previous=FULL, previous_config=recorded)
        assert checks(found) == [("analysis_drift", "warning")] * 2


def test_an_allowlist_entry_accepts_a_loss_against_releases_made_up_to_its_date_only() -> None:
    now = FULL[FULL["threshold"] == 42.0]
    entry = AllowEntry(date(2026, 12, 2), "analysis", "mmlu", "GPT-4 score corrected", "https://example.org/fix", 7)
    accepted = check_analysis(now, SCORES, CONFIG, previous=FULL, previous_config=RECORDED,
                              previous_version="20261201T030000Z", allowlist=[entry])
    assert checks(accepted)[1:] == [("analysis_drift", "accepted")] * 2
    assert "accepted by allowlist line 7: GPT-4 score corrected" in accepted[1].message
    later = check_analysis(now, SCORES, CONFIG, previous=FULL, previous_config=RECORDED,
                           previous_version="20261203T030000Z", allowlist=[entry])
    assert checks(later)[1:] == [("analysis_drift", "error")] * 2
    other = AllowEntry(date(2026, 12, 2), "analysis", "gpqa_diamond", "other", "https://example.org/x", 8)
    assert checks(check_analysis(now, SCORES, CONFIG, previous=FULL, previous_config=RECORDED,
                                 previous_version="20261201T030000Z", allowlist=[other]))[1:] == [("analysis_drift", "error")] * 2


def test_the_per_task_series_is_compared_but_its_losses_only_warn() -> None:
    """per_task is computed for every configured level (no blend setting names it): the next release still
    compares its months, and says what it lost, without refusing: it follows the newest suite version."""
    with_task = pd.concat([FULL, table({(42.0, "per_task"): ["2024-01-01", "2024-02-01"]})], ignore_index=True)
    assert check_analysis(with_task, SCORES, CONFIG, previous=with_task, previous_config=RECORDED) == []
    lost = with_task[~((with_task["blend"] == "per_task") & (with_task["month"] == pd.Timestamp("2024-01-01", tz="UTC")))]
    found = check_analysis(lost, SCORES, CONFIG, previous=with_task, previous_config=RECORDED)
    assert checks(found) == [("analysis_drift", "warning")]
    assert "(per_task blend): lost 1 month(s)" in found[0].message and "newest suite version" in found[0].message
