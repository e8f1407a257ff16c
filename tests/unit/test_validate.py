"""The validation gate, fed the bad data each check exists to catch."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from llmflation import validate as validate_module
from llmflation.validate import AllowEntry, AllowlistError, load_allowlist, validate
from tests.support.price_rows import frame, price_row

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
NIGHT_1, NIGHT_2 = pd.Timestamp("2026-01-01", tz="UTC"), pd.Timestamp("2026-01-02", tz="UTC")


def checks(result, severity: str = "held_out") -> dict[str, int]:
    return {f.check: len(f.rows) for f in result.findings if f.severity == severity}


def test_clean_prices_pass_untouched() -> None:
    prices = frame(price_row(), price_row(when="2026-02-01"), price_row("meta/llama", "0.1", "0.2"))
    result = validate({"prices": prices}, now=NOW)
    assert result.ok and result.findings == []
    assert len(result.tables["prices"]) == 3


@pytest.mark.parametrize("inp,out,free", [("0", "10", False), ("-1", "10", False), ("2.5", "1000.01", False),
                                          ("1", "0", True)])
def test_out_of_range_prices_are_held_out(inp: str, out: str, free: bool) -> None:
    prices = frame(price_row(), price_row("bad/model", inp, out, is_free=free))
    result = validate({"prices": prices}, now=NOW)
    assert checks(result) == {"price_range": 1}
    assert list(result.tables["prices"]["model_key"]) == ["openai/gpt-4o"]
    assert result.ok  # held out, not a refusal


def test_free_zero_price_and_top_of_range_pass() -> None:
    prices = frame(price_row("x/free:free", "0", "0", is_free=True), price_row("o1-pro", "150", "600"),
                   price_row("edge", "1000", "1000"))
    assert validate({"prices": prices}, now=NOW).findings == []


def test_dates_outside_the_source_life_are_held_out() -> None:
    prices = frame(price_row(when="2026-03-01"),
                   price_row("old", when="2021-06-01"),         # openrouter starts in 2023
                   price_row("future", when="2027-06-01"),      # after now
                   price_row("ghost", source_id="nowhere"))     # not in the registry
    result = validate({"prices": prices}, now=NOW)
    assert checks(result) == {"source_dates": 3}
    reasons = sorted(r["reason"] for r in result.findings[0].rows)
    assert any("before the source existed" in r for r in reasons)
    assert any("in the future" in r for r in reasons)
    assert any("not in the registry" in r for r in reasons)


@pytest.mark.parametrize("column,value", [("capture_sha256", "not-a-hash"), ("capture_sha256", None),
                                          ("capture_url", " "), ("parser", None)])
def test_missing_provenance_refuses_the_release(column: str, value: object) -> None:
    broken = price_row("nohash")
    broken[column] = value
    result = validate({"prices": frame(price_row(), broken)}, now=NOW)
    assert not result.ok
    assert "provenance" in checks(result, "error")


def test_a_per_1k_slip_is_held_out_and_the_next_good_capture_kept() -> None:
    prices = frame(price_row(when="2026-01-01"),
                   price_row(inp="0.0025", out="0.01", when="2026-01-02"),  # /1000: a per-1K price read as per-1M
                   price_row(when="2026-01-03"))
    result = validate({"prices": prices}, now=NOW)
    assert checks(result) == {"price_jump": 1}
    kept = result.tables["prices"]
    assert sorted(kept["observed_at"].dt.day) == [1, 3]
    row = result.findings[0].rows[0]
    assert "2.5 -> 0.0025" in row["reason"]


def test_a_jump_of_exactly_twenty_times_passes_and_just_over_is_caught() -> None:
    ok = validate({"prices": frame(price_row(inp="1", out="1"), price_row(inp="20", out="1", when="2026-01-02"))}, now=NOW)
    assert ok.findings == []
    bad = validate({"prices": frame(price_row(inp="1", out="1"), price_row(inp="20.5", out="1", when="2026-01-02"))}, now=NOW)
    assert checks(bad) == {"price_jump": 1}


def test_the_allowlist_accepts_a_genuine_jump_and_it_becomes_the_reference() -> None:
    prices = frame(price_row(inp="60", out="120", when="2026-01-01"),
                   price_row(inp="2", out="4", when="2026-02-01"),
                   price_row(inp="2", out="4", when="2026-03-01"))
    held = validate({"prices": prices}, now=NOW)
    assert checks(held) == {"price_jump": 2}
    entry = AllowEntry(datetime(2026, 2, 1).date(), "openrouter", "openai/gpt-4o", "30x price cut", "https://example.org/news")
    accepted = validate({"prices": prices}, allowlist=[entry], now=NOW)
    assert checks(accepted) == {}
    assert checks(accepted, "accepted") == {"price_jump": 1}
    assert accepted.findings[0].rows[0]["link"] == "https://example.org/news"
    assert len(accepted.tables["prices"]) == 3


def test_a_price_1000x_from_the_same_model_elsewhere_is_held_out() -> None:
    prices = frame(price_row("meta-llama/llama-3.1-8b-instruct", "0.05", "0.08", provider="a"),
                   price_row("meta-llama/llama-3.1-8b-instruct", "0.06", "0.09", provider="b"),
                   price_row("llama-3.1-8b-instruct", "60", "90", provider="c"))  # per-1K read as per-1M
    result = validate({"prices": prices}, now=NOW)
    assert checks(result) == {"cross_provider": 1}
    assert list(result.tables["prices"]["provider"]) == ["a", "b"]


def test_cross_provider_check_uses_model_id_and_ignores_other_models() -> None:
    prices = frame(price_row("x", "0.01", "0.01", provider="a", model_id="tiny"),
                   price_row("y", "0.01", "0.01", provider="b", model_id="tiny"),
                   price_row("z", "50", "50", provider="c", model_id="huge"))
    assert validate({"prices": prices}, now=NOW).findings == []


def test_allowlist_accepts_a_cross_provider_outlier() -> None:
    prices = frame(price_row("m", "0.05", "0.05", provider="a"), price_row("m", "0.05", "0.05", provider="b"),
                   price_row("m", "80", "80", provider="c"))
    entry = AllowEntry(datetime(2025, 1, 1).date(), "openrouter", "m", "premium tier", "https://example.org/c")
    result = validate({"prices": prices}, allowlist=[entry], now=NOW)
    assert checks(result) == {} and checks(result, "accepted") == {"cross_provider": 1}


def test_drift_keeps_the_last_release_rows_of_a_shrunken_source() -> None:
    previous = frame(*[price_row(f"m{i}", when="2026-01-01") for i in range(10)])
    now = frame(*[price_row(f"m{i}", when="2026-01-01") for i in range(4)])
    result = validate({"prices": now}, previous={"prices": previous}, now=NOW)
    assert checks(result, "kept_previous") == {"drift": 1}
    assert len(result.tables["prices"]) == 10
    assert "fell by more than half" in result.findings[0].message


def test_no_drift_when_half_or_more_remain() -> None:
    previous = frame(*[price_row(f"m{i}") for i in range(10)])
    now = frame(*[price_row(f"m{i}") for i in range(5)])
    result = validate({"prices": now}, previous={"prices": previous}, now=NOW)
    assert result.findings == [] and len(result.tables["prices"]) == 5


def test_drift_survives_a_parquet_round_trip(tmp_path: Path) -> None:
    from llmflation.publish import parquet_bytes

    previous_path = tmp_path / "prices.parquet"
    previous_path.write_bytes(parquet_bytes("prices", frame(*[price_row(f"m{i}") for i in range(6)])))
    previous = pd.read_parquet(previous_path)
    result = validate({"prices": frame(price_row("m0"))}, previous={"prices": previous}, now=NOW)
    assert result.ok, result.to_json()
    assert len(result.tables["prices"]) == 6


def test_duplicate_keys_and_schema_breaks_refuse_the_release() -> None:
    row = price_row()
    dup = validate({"prices": frame(row, dict(row))}, now=NOW)
    assert not dup.ok and checks(dup, "error") == {"unique_key": 2}
    nulls = price_row()
    nulls["provider"] = None
    broken = validate({"prices": frame(nulls)}, now=NOW)
    assert not broken.ok and [f.check for f in broken.findings] == ["schema"]
    unknown = validate({"nonsense": pd.DataFrame({"a": [1]})}, now=NOW)
    assert not unknown.ok


def test_allowlist_file_is_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "allowlist.csv"
    assert load_allowlist(path) == []
    path.write_text("date,source,model_key,reason,link\n2026-02-01,openrouter,openai/gpt-4o,price cut,https://x.org/a\n")
    [entry] = load_allowlist(path)
    assert entry.since.isoformat() == "2026-02-01" and entry.line == 2
    path.write_text("date,source,model_key,reason,link\n2026-02-01,openrouter,openai/gpt-4o,,https://x.org/a\n")
    with pytest.raises(AllowlistError, match=r"allowlist.csv:2: empty \['reason'\]"):
        load_allowlist(path)
    path.write_text("date,source,model_key,reason,link\n02/01/2026,openrouter,m,cut,https://x.org/a\n")
    with pytest.raises(AllowlistError, match="not YYYY-MM-DD"):
        load_allowlist(path)
    path.write_text("date,source,model_key,reason,link\n2026-02-01,openrouter,m,cut,see the blog\n")
    with pytest.raises(AllowlistError, match="not an http"):
        load_allowlist(path)
    path.write_text("date,source,model\n")
    with pytest.raises(AllowlistError, match="missing column"):
        load_allowlist(path)


def capture_rows(when: str, n: int, start: int = 0) -> list[dict]:
    return [price_row(f"m{i}", when=when) for i in range(start, start + n)]


def test_a_newest_capture_that_half_reads_the_page_is_held_out() -> None:
    previous = frame(*capture_rows("2026-01-01", 12))
    # The next night's capture shows 3 of the 12: their rows run on to it, the other 9 end there.
    now = frame(*capture_rows("2026-01-01", 12)).assign(
        last_observed_at=[NIGHT_2 if i < 3 else NIGHT_1 for i in range(12)],
        ended_at=[pd.NaT if i < 3 else NIGHT_2 for i in range(12)])
    other = frame(price_row("m0", when="2026-01-02", source_id="litellm", provider="openai"))
    result = validate({"prices": pd.concat([now, other], ignore_index=True)}, previous={"prices": previous}, now=NOW)
    assert checks(result, "kept_previous") == {"drift": 1}
    kept = result.tables["prices"]
    ours = kept[kept["source_id"] == "openrouter"]
    assert len(ours) == 12 and set(ours["last_observed_at"].dt.day) == {1} and ours["ended_at"].isna().all()
    assert (kept["source_id"] == "litellm").sum() == 1  # other listings carry on
    assert "held out, the listing's rows stay as the last release had them" in result.findings[0].message
    assert result.findings[0].rows[0]["rows_now"] == 3 and result.findings[0].rows[0]["rows_in_last_good_capture"] == 12


def test_a_newest_capture_that_shows_most_rows_again_is_kept() -> None:
    previous = frame(*capture_rows("2026-01-01", 12))
    now = frame(*capture_rows("2026-01-01", 12)).assign(
        last_observed_at=[NIGHT_2 if i < 8 else NIGHT_1 for i in range(12)],
        ended_at=[pd.NaT if i < 8 else NIGHT_2 for i in range(12)])
    result = validate({"prices": now}, previous={"prices": previous}, now=NOW)
    assert result.findings == [] and len(result.tables["prices"]) == 12


def test_a_newest_capture_with_half_the_rows_or_a_short_list_is_kept() -> None:
    half = frame(*capture_rows("2026-01-01", 12), *capture_rows("2026-01-02", 6))
    assert validate({"prices": half}, previous={"prices": frame(*capture_rows("2026-01-01", 12))}, now=NOW).findings == []
    short = frame(*capture_rows("2026-01-01", 4), *capture_rows("2026-01-02", 1))
    assert validate({"prices": short}, previous={"prices": frame(*capture_rows("2026-01-01", 4))}, now=NOW).findings == []


def test_the_allowlist_accepts_a_source_that_really_shrank() -> None:
    now = frame(*capture_rows("2026-01-01", 12), *capture_rows("2026-01-02", 3))
    entry = AllowEntry(datetime(2026, 1, 2).date(), "openrouter", "*", "retired most models", "https://example.org/r")
    result = validate({"prices": now}, previous={"prices": frame(*capture_rows("2026-01-01", 12))},
                      allowlist=[entry], now=NOW)
    assert result.findings == [] and len(result.tables["prices"]) == 15


def test_the_stage_compares_with_the_last_release_and_reads_the_allowlist(data_dir: Path) -> None:
    from llmflation.build import BuildResult
    from llmflation.config import load_settings
    from llmflation.publish import publish
    from llmflation.report import RunReport
    from llmflation.stages import validate_stage

    settings = load_settings()
    publish(settings.published_dir, "20260101T000000Z", {"prices": frame(*capture_rows("2026-01-01", 8))}, {})
    report = RunReport(run_id="20260102T000000Z")
    result = validate_stage(settings, report, BuildResult(tables={"prices": frame(*capture_rows("2026-01-01", 2))}))
    assert result.ok and len(result.tables["prices"]) == 8
    assert report.sections["validation"]["findings"][0]["check"] == "drift"

    reference = data_dir / "reference"
    if reference.is_symlink():
        reference.unlink()  # a private folder: never write into the repository's reference data
    reference.mkdir(exist_ok=True)
    (reference / "allowlist.csv").write_text("date,source,model_key,reason,link\n2026-01-01,openrouter,m0,,\n")
    refused = validate_stage(settings, RunReport(run_id="r2"), BuildResult(tables={"prices": frame(price_row())}))
    assert not refused.ok and refused.findings[0].check == "allowlist"


def test_the_report_lists_each_held_out_model_once_with_its_first_observation() -> None:
    prices = frame(price_row(when="2026-01-01"), price_row(inp="0.0025", out="0.01", when="2026-01-02"),
                   price_row(inp="0.0025", out="0.01", when="2026-01-03"))
    [finding] = validate({"prices": prices}, now=NOW).to_json()["findings"]
    assert finding["n_rows"] == 2 and "(1 models)" in finding["message"]
    [model] = finding["models"]
    assert model["model_key"] == "openai/gpt-4o" and model["n_rows"] == 2
    assert model["first_observed_at"].startswith("2026-01-02")


def test_the_recheck_after_analysis_keeps_earlier_findings_and_runs_no_row_checks() -> None:
    from llmflation.validate import check_tables

    prices = frame(price_row(inp="60", out="120", when="2026-01-01"), price_row(inp="2", out="4", when="2026-02-01"))
    entry = AllowEntry(datetime(2026, 2, 1).date(), "openrouter", "openai/gpt-4o", "30x price cut", "https://example.org/n")
    gate = validate({"prices": prices}, allowlist=[entry], now=NOW)
    recheck = check_tables(gate.tables, gate.findings)
    assert recheck.ok and len(recheck.tables["prices"]) == 2  # the accepted jump stays in
    assert [f.severity for f in recheck.findings] == ["accepted"]
    row = price_row()
    assert not check_tables({"prices": frame(row, dict(row))}).ok


def _walk_every_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn the float screens off: every series goes through the exact decimal walk."""
    import numpy as np

    from llmflation import validate as module

    monkeypatch.setattr(module, "_jump_candidates", lambda ordered, keys: np.ones(len(ordered), dtype=bool))
    monkeypatch.setattr(module, "_cross_provider_candidates", lambda prices, ids: np.ones(len(prices), dtype=bool))


@pytest.mark.parametrize("seed", range(6))
def test_the_float_screens_hold_out_exactly_what_the_decimal_walk_does(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    pick = random.Random(seed)
    # Most series keep their price; some step by a factor at, just under or just over a limit
    # (20x between observations, 1000x between providers), where float64 and decimals could part.
    steps = ["20", "20.000000000000001", "19.999999999999999", "1000", "1000.0000000000001", "999.99999999999999", "0.05"]
    bases = {f"m{i}": Decimal(pick.choice(["0.15", "2.5", "0.6", "0.0001"])) for i in range(30)}
    rows = []
    for i in range(600):
        model = pick.choice(sorted(bases))
        scale = Decimal(pick.choice(steps)) if pick.random() < 0.04 else Decimal(1)
        amount = str(bases[model] * scale) if pick.random() > 0.02 else pick.choice(["0", None])
        rows.append(price_row(model, amount, str(bases[model] * 4), when=f"2026-0{1 + i % 9}-{10 + i % 17}",
                              provider=pick.choice("abc"), is_free=pick.random() < 0.02,
                              model_id=pick.choice([None, None, "shared"]) if model < "m3" else None))
    prices = frame(*rows)
    allow = [AllowEntry(datetime(2026, 5, 1).date(), "openrouter", "m1", "checked", "https://example.org/a")]
    screened = validate({"prices": prices}, allowlist=allow, now=NOW)
    ordered = prices.sort_values(["observed_at", "capture_id"], kind="stable")
    walked = validate_module._jump_candidates(ordered, ["source_id", "provider", "model_key", "tier"]).sum()
    _walk_every_row(monkeypatch)
    exact = validate({"prices": prices}, allowlist=allow, now=NOW)
    assert [f.to_json() for f in screened.findings] == [f.to_json() for f in exact.findings]
    assert screened.tables["prices"].index.tolist() == exact.tables["prices"].index.tolist()
    assert {f.check for f in exact.findings if f.severity == "held_out"} >= {"price_jump", "cross_provider"}  # the data reaches both
    assert 0 < walked < len(prices)  # the screen passes some series on to the walk, not all


def test_tables_already_checked_are_skipped_only_when_they_are_the_very_same_frame() -> None:
    from llmflation.validate import check_tables

    good = validate({"prices": frame(price_row())}, now=NOW)
    assert good.ok and check_tables(good.tables, checked=good.checked).ok
    broken = good.tables["prices"].drop(columns=["capture_id"])  # a new frame under the same name
    refused = check_tables({"prices": broken}, checked=good.checked)
    assert not refused.ok and "prices" not in refused.checked
