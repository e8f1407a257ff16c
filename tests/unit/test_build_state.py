"""The incremental build: the same tables as a full rebuild, at a cost of what changed."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from llmflation.build import build, prices_frame
from llmflation.catalog import build_catalog, newest_model_records
from llmflation.reference import load_reference
from llmflation.buildstate import raw_index, state_dir
from llmflation.config import Settings, load_settings
from llmflation.parsers import openrouter
from llmflation.parsing import parse_store
from llmflation.fetch.rawstore import RawStore
from llmflation.report import RunReport

MODELS_URL = "https://openrouter.ai/api/v1/models"
DAY0 = datetime(2025, 1, 1, 3, tzinfo=UTC)


def model_list(*models: tuple[str, str]) -> bytes:
    return json.dumps({"data": [{"id": key, "pricing": {"prompt": price, "completion": price}} for key, price in models]}).encode()


def endpoints(model: str, *offers: tuple[str, str]) -> bytes:
    return json.dumps({"data": {"id": model, "name": model, "endpoints": [
        {"provider_name": provider, "pricing": {"prompt": price, "completion": price}, "quantization": "fp8"}
        for provider, price in offers]}}).encode()


A = model_list(("openai/gpt-4o-mini", "0.00000015"), ("vendor/b", "0.000002"))
B = model_list(("openai/gpt-4o-mini", "0.0000001"))  # a cut, and vendor/b withdrawn
E1 = endpoints("openai/gpt-4o-mini", ("OpenAI", "0.00000015"), ("Azure", "0.00000016"))
E2 = endpoints("openai/gpt-4o-mini", ("OpenAI", "0.00000015"))
LITELLM = json.dumps({"gpt-old": {"mode": "chat", "litellm_provider": "openai", "input_cost_per_token": 1e-6,
                                  "output_cost_per_token": 2e-6, "deprecation_date": "2025-01-10"}}).encode()


def put(store: RawStore, body: bytes, day: float, source_id: str = "openrouter", url: str = MODELS_URL) -> None:
    store.put(body, source_id=source_id, url=url, observed_at=DAY0 + timedelta(days=day), via="live", status=200,
              content_type="application/json")


def settings_for(data_dir: Path) -> Settings:
    return load_settings(env={"LLMFLATION_DATA_DIR": str(data_dir)})


def tables(settings: Settings, full: bool = False) -> tuple[dict[str, pd.DataFrame], RunReport]:
    report = RunReport("r")
    result = build(settings, report, full=full)
    return result.tables, report


def assert_same(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame]) -> None:
    assert left.keys() == right.keys()
    for name in left:
        pd.testing.assert_frame_equal(left[name].reset_index(drop=True), right[name].reset_index(drop=True), obj=name)


@pytest.fixture
def stores(tmp_path: Path) -> tuple[RawStore, Settings, Settings]:
    return two_data_folders(tmp_path)


def two_data_folders(tmp_path: Path) -> tuple[RawStore, Settings, Settings]:
    """One raw store seen by two data folders: one built night after night, one rebuilt in full each time."""
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    store = RawStore(incremental / "raw")
    store.root.mkdir(parents=True)
    full.mkdir()
    (full / "raw").symlink_to(store.root)
    return store, settings_for(incremental), settings_for(full)


def test_incremental_builds_after_every_step_equal_a_full_rebuild(stores) -> None:
    store, nightly, rebuilt = stores
    endpoints_url = "https://openrouter.ai/api/v1/models/openai/gpt-4o-mini/endpoints"
    steps = [
        lambda: put(store, A, 0),
        lambda: (put(store, A, 1), put(store, E1, 1, url=endpoints_url)),
        lambda: (put(store, A, 2), put(store, E1, 2, url=endpoints_url), put(store, LITELLM, 2, "litellm", "https://x/l.json")),
        lambda: (put(store, B, 3), put(store, E2, 3, url=endpoints_url)),
        lambda: (put(store, A, 4), put(store, LITELLM, 12, "litellm", "https://x/l.json")),  # A returns; past deprecation
        lambda: put(store, B, 0.5),  # a backfilled Wayback-era capture older than the listing's versions
        lambda: None,  # a night with nothing new
    ]
    for step in steps:
        step()
        night, _ = tables(nightly)
        full, _ = tables(rebuilt, full=True)
        assert_same(night, full)
    prices = night["prices"]
    listing = prices[prices["capture_url"] == MODELS_URL]
    # A (day 0), B (0.5), A (1, 2), B (3), A (4): each version has its rows, repeats extend them.
    firsts = listing.groupby("observed_at")["n_captures"].first()
    assert [(t.day, n) for t, n in firsts.items()] == [(1, 1), (1, 1), (2, 2), (4, 1), (5, 1)]
    litellm = prices[prices["source_id"] == "litellm"].sort_values("observed_at")
    assert litellm["is_deprecated"].tolist() == [False, True]
    # The same rows, in the same order, as comparing every capture with the one before.
    parsed = parse_store(store, rebuilt.data_dir / "scratch", RunReport("r"))
    catalog = build_catalog(load_reference(rebuilt.reference_dir), newest_model_records(parsed)).catalog
    reference = prices_frame(parsed, catalog)
    pd.testing.assert_frame_equal(prices.drop(columns=["model_id", "match_reason"]).reset_index(drop=True),
                                  reference.drop(columns=["model_id", "match_reason"]).reset_index(drop=True),
                                  check_dtype=False)


def test_a_capture_whose_bytes_were_seen_costs_no_parse(stores) -> None:
    store, nightly, _ = stores
    put(store, A, 0)
    _, first = tables(nightly)
    assert first.sources["openrouter"].captures_parsed == 1
    put(store, A, 1)
    put(store, A, 2)
    night, report = tables(nightly)
    assert report.sources["openrouter"].captures_parsed == 0
    assert report.sources["openrouter"].captures_reused == 2
    assert report.sections["build_state"]["captures_read"] == 2
    assert set(night["prices"]["n_captures"]) == {3}
    _, quiet = tables(nightly)
    assert quiet.sections["build_state"]["captures_read"] == 0


def test_a_date_dependent_parse_is_reused_only_between_its_dates(stores) -> None:
    store, nightly, _ = stores
    for day in (0, 1, 5, 20, 30):  # deprecated from day 9 (2025-01-10)
        put(store, LITELLM, day, "litellm", "https://x/l.json")
    _, report = tables(nightly)
    assert report.sources["litellm"].captures_parsed == 2  # one before the deprecation date, one after
    assert report.sources["litellm"].captures_reused == 3


def test_a_new_parser_version_re_derives_its_source(stores, monkeypatch: pytest.MonkeyPatch) -> None:
    store, nightly, _ = stores
    put(store, A, 0)
    put(store, A, 1)
    put(store, LITELLM, 1, "litellm", "https://x/l.json")
    tables(nightly)
    monkeypatch.setattr(openrouter, "PARSER_VERSION", "999")
    night, report = tables(nightly)
    assert report.sources["openrouter"].captures_parsed == 1 and report.sources["openrouter"].captures_reused == 1
    assert "litellm" not in report.sections["build_state"]["sources_folded_again"]
    assert set(night["prices"].loc[night["prices"]["source_id"] == "openrouter", "parser"]) == {"llmflation.parsers.openrouter@999"}
    rows = pq.read_table(state_dir(nightly) / "rows.parquet").column("result_key").unique()
    assert len(rows) == 2  # openrouter@999's result and litellm's: the rows of openrouter@2 are dropped


def test_a_lost_or_broken_raw_index_is_rebuilt_and_a_capture_stored_meanwhile_is_seen(stores) -> None:
    store, nightly, _ = stores
    put(store, A, 0)
    before, _ = tables(nightly)
    index_path = raw_index(nightly).path
    assert index_path.exists()
    index_path.unlink()
    again, _ = tables(nightly)
    assert index_path.exists()
    assert_same(before, again)
    index_path.write_bytes(b"not a database")
    put(store, B, 1)  # stored by another process after the index was written
    after, report = tables(nightly)
    assert sorted(after["prices"]["observed_at"].unique()) == [pd.Timestamp(DAY0), pd.Timestamp(DAY0 + timedelta(days=1))]
    assert set(after["prices"]["n_captures"]) == {1}  # the rebuilt index numbers entries afresh: nothing counted twice
    assert report.sources["openrouter"].captures_parsed == 1  # only B's bytes are new


def test_a_lost_parse_cache_is_parsed_again_and_gives_the_same_tables(stores) -> None:
    store, nightly, rebuilt = stores
    put(store, A, 0)
    put(store, B, 1)
    tables(nightly)
    shutil.rmtree(nightly.parsed_dir)
    put(store, A, 2)
    after, report = tables(nightly)
    assert report.sources["openrouter"].captures_parsed == 2
    assert_same(after, tables(rebuilt, full=True)[0])
    assert after["prices"]["n_captures"].tolist() == [1, 1, 1, 1, 1]  # A (2 rows), B, A (2 rows)


def test_the_index_sees_an_entry_added_to_a_month_it_has_just_listed(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    index = raw_index(settings_for(tmp_path))
    put(store, A, 0)
    assert index.refresh() == 1
    put(store, B, 1)  # same month folder, moments later
    assert index.refresh() == 1
    assert [c.sha256 for c in index.captures()] == [c.sha256 for c in store.captures()]
    assert index.refresh() == 0


def test_the_build_result_holds_every_capture_read_and_every_version(stores) -> None:
    store, nightly, _ = stores
    put(store, A, 0)
    put(store, b"not json", 1)
    put(store, A, 2)
    result = build(nightly, RunReport("r"), keep_read=True)
    assert [(p.capture.observed_at.day, p.error is None) for p in result.read.parsed] == [(1, True), (2, False), (3, True)]
    assert [p.capture.observed_at.day for p in result.parsed.ok()] == [1]  # one version, its first capture
    put(store, B, 3)
    again = build(nightly, RunReport("r"), keep_read=True)
    assert [p.capture.observed_at.day for p in again.read.parsed] == [4]
    assert [p.capture.observed_at.day for p in again.parsed.ok()] == [1, 4]
    assert [r.model_key for r in again.parsed.ok()[1].result.prices] == ["openai/gpt-4o-mini"]
    assert build(nightly, RunReport("r"), full=True).read.parsed == []  # not asked for: not held (bounded memory)


def test_a_listing_whose_parser_crashed_is_read_again_by_the_next_build(stores, monkeypatch: pytest.MonkeyPatch) -> None:
    store, nightly, rebuilt = stores
    put(store, A, 0)
    real = openrouter.parse

    def broken(body: bytes, capture):  # a parser bug (not a ParseError): never cached
        raise RuntimeError("bug")

    monkeypatch.setattr(openrouter, "parse", broken)
    first, report = tables(nightly)
    assert "parser crashed" in report.sources["openrouter"].parse_errors[0]["error"] and first["prices"].empty
    monkeypatch.setattr(openrouter, "parse", real)  # fixed, same PARSER_VERSION
    fixed, _ = tables(nightly)
    assert len(fixed["prices"]) == 2
    assert_same(fixed, tables(rebuilt, full=True)[0])


def test_price_changes_name_the_last_capture_of_the_old_price_from_the_raw_index(stores) -> None:
    from llmflation.fetch.rawstore import sha256_hex
    from llmflation.stages import analyze_stage, validate_stage

    store, nightly, _ = stores
    same_records = json.dumps(json.loads(A), indent=1).encode()  # other bytes, the same records: one version
    put(store, A, 0)
    put(store, same_records, 1)
    put(store, B, 2)  # the cut
    report = RunReport("r")
    result = build(nightly, report)
    analyzed, _ = analyze_stage(nightly, report, result, validate_stage(nightly, report, result))
    changes = analyzed.tables["price_changes"]
    cut = changes[(changes["source_id"] == "openrouter") & (changes["model_key"] == "openai/gpt-4o-mini")].iloc[0]
    assert cut["old_evidence"] == sha256_hex(same_records)  # the second capture of the old version, not its first
    assert cut["old_last_seen_at"] == pd.Timestamp(DAY0 + timedelta(days=1))
    assert cut["new_evidence"] == sha256_hex(B)
