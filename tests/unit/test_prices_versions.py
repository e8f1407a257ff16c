"""``prices`` keeps one row per run of one entry in a listing; repeats and new versions that keep it extend it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from llmflation.analyze import capture_observations, price_intervals, source_captures
from llmflation import prices_as_of
from llmflation.build import prices_frame
from llmflation.buildstate import BuildState
from llmflation.config import load_settings
from llmflation.match import Catalog, assign_model_ids
from llmflation.parsing import parse_store
from llmflation.fetch.rawstore import RawStore
from llmflation.report import RunReport

URL = "https://openrouter.ai/api/v1/models"


def listing(*models: tuple[str, str]) -> bytes:
    return json.dumps({"data": [{"id": key, "pricing": {"prompt": price, "completion": price}} for key, price in models]}).encode()


A = listing(("vendor/a", "0.000001"), ("vendor/b", "0.000002"))
B = listing(("vendor/a", "0.0000005"))  # a cut, and vendor/b withdrawn


def build_prices(tmp_path: Path, bodies: list[bytes]) -> pd.DataFrame:
    store = RawStore(tmp_path / "raw")
    for day, body in enumerate(bodies, start=1):
        store.put(body, source_id="openrouter", url=URL, observed_at=datetime(2025, 1, day, tzinfo=UTC),
                  via="live", status=200, content_type="application/json")
    return prices_frame(parse_store(store, tmp_path / "parsed", RunReport("r")))


def test_unchanged_captures_extend_the_first_rows_and_a_returning_version_gets_rows_again(tmp_path: Path) -> None:
    prices = build_prices(tmp_path, [A, A, A, B, A])
    versions = prices.groupby("observed_at")["model_key"].apply(sorted).to_dict()
    assert [(ts.day, keys) for ts, keys in versions.items()] == [
        (1, ["vendor/a", "vendor/b"]), (4, ["vendor/a"]), (5, ["vendor/a", "vendor/b"])]
    first = prices[prices["observed_at"].dt.day == 1]
    assert set(first["n_captures"]) == {3} and set(first["last_observed_at"].dt.day) == {3}
    later = prices[prices["observed_at"].dt.day > 1]
    assert set(later["n_captures"]) == {1}


def test_intervals_from_versions_count_every_capture_and_see_withdrawals(tmp_path: Path) -> None:
    prices = build_prices(tmp_path, [A, A, A, B, A]).assign(model_id=lambda f: f["model_key"].str.removeprefix("vendor/"))
    models = pd.DataFrame({"model_id": ["a", "b"], "retired_date": [pd.NaT, pd.NaT]})
    intervals, _ = price_intervals(capture_observations(prices), models, source_captures(prices))
    b = intervals[intervals["model_id"] == "b"].sort_values("valid_from")
    # b: listed days 1-3, gone on day 4, listed again on day 5.
    assert [(r.valid_from.day, None if pd.isna(r.valid_to) else r.valid_to.day, r.n_captures, r.last_seen.day)
            for r in b.itertuples()] == [(1, 4, 3, 3), (5, None, 1, 5)]
    a = intervals[intervals["model_id"] == "a"].sort_values("valid_from")
    assert [(r.valid_from.day, None if pd.isna(r.valid_to) else r.valid_to.day) for r in a.itertuples()] == [(1, 4), (4, 5), (5, None)]


def test_a_listing_that_only_reorders_its_entries_is_not_a_new_version(tmp_path: Path) -> None:
    reordered = listing(("vendor/b", "0.000002"), ("vendor/a", "0.000001"))
    assert reordered != A
    prices = build_prices(tmp_path, [A, reordered, B])
    assert sorted({ts.day for ts in prices["observed_at"]}) == [1, 3]
    first = prices[prices["observed_at"].dt.day == 1]
    assert set(first["n_captures"]) == {2} and set(first["last_observed_at"].dt.day) == {2}


C = listing(("vendor/a", "0.0000005"), ("vendor/b", "0.000002"))  # a cut; vendor/b unchanged
D = listing(("vendor/b", "0.000002"))  # vendor/a withdrawn; vendor/b still unchanged


def runs_of(prices: pd.DataFrame) -> list[tuple]:
    ordered = prices.sort_values(["model_key", "observed_at"])
    return [(r.model_key, float(r.input_usd_per_mtok), r.observed_at.day, r.last_observed_at.day,
             None if pd.isna(r.ended_at) else r.ended_at.day, r.n_captures) for r in ordered.itertuples()]


def test_an_entry_a_new_version_keeps_stays_one_row(tmp_path: Path) -> None:
    prices = build_prices(tmp_path, [A, C, C, D, D])
    assert runs_of(prices) == [
        ("vendor/a", 1.0, 1, 1, 2, 1),  # cut on day 2
        ("vendor/a", 0.5, 2, 3, 4, 2),  # gone on day 4
        ("vendor/b", 2.0, 1, 5, None, 5),  # the same through three versions: one row
    ]


def test_an_entry_that_leaves_and_comes_back_starts_a_new_row(tmp_path: Path) -> None:
    prices = build_prices(tmp_path, [C, D, C])
    assert runs_of(prices) == [
        ("vendor/a", 0.5, 1, 1, 2, 1),
        ("vendor/a", 0.5, 3, 3, None, 1),
        ("vendor/b", 2.0, 1, 3, None, 3),
    ]


def test_intervals_see_a_withdrawal_that_ends_no_other_row(tmp_path: Path) -> None:
    """Day 4 starts no row (vendor/b runs on): the row that ended there says the capture was made."""
    prices = build_prices(tmp_path, [A, C, C, D, D]).assign(model_id=lambda f: f["model_key"].str.removeprefix("vendor/"))
    models = pd.DataFrame({"model_id": ["a", "b"], "retired_date": [pd.NaT, pd.NaT]})
    intervals, _ = price_intervals(capture_observations(prices), models, source_captures(prices))
    a = intervals[intervals["model_id"] == "a"].sort_values("valid_from")
    assert [(r.valid_from.day, r.valid_to.day, float(r.input_usd_per_mtok), r.n_captures) for r in a.itertuples()] == [
        (1, 2, 1.0, 1), (2, 4, 0.5, 2)]
    b = intervals[intervals["model_id"] == "b"]
    assert [(r.valid_from.day, pd.isna(r.valid_to), r.n_captures, r.last_seen.day) for r in b.itertuples()] == [(1, True, 5, 5)]


def test_a_run_ends_where_its_name_comes_to_mean_another_model(tmp_path: Path) -> None:
    """``vendor/a`` is an undated name: seen well before ``vendor/a``'s release it meant an earlier model,
    and ``vendor/b`` is a dated alias that moves to another snapshot on day 3. The same entries in every
    version (``vendor/c`` changes daily): each run is cut at the version where the catalog's answer
    changes, so each row has one model throughout."""
    models = pd.DataFrame({"model_id": ["vendor/a", "b-old", "b-new"],
                           "release_date": [pd.Timestamp("2025-03-01"), pd.NaT, pd.NaT]})
    aliases = pd.DataFrame({"alias": ["vendor/b", "vendor/b"], "model_id": ["b-old", "b-new"],
                            "valid_from": [None, "2025-01-03"], "valid_to": ["2025-01-03", None]})
    catalog = Catalog.from_frames(models, aliases)
    store = RawStore(tmp_path / "raw")
    for day in (1, 2, 3, 4):
        when = datetime(2025, 1, day, tzinfo=UTC) if day < 4 else datetime(2025, 2, 20, tzinfo=UTC)
        body = listing(("vendor/a", "0.000001"), ("vendor/b", "0.000002"), ("vendor/c", f"0.00000{day}"))  # a new version each day
        store.put(body, source_id="openrouter", url=URL, observed_at=when, via="live", status=200, content_type="application/json")
    parsed = parse_store(store, tmp_path / "parsed", RunReport("r"))
    prices = assign_model_ids(prices_frame(parsed, catalog), catalog)
    rows = prices[prices["model_key"] != "vendor/c"].sort_values(["model_key", "observed_at"])
    assert [(r.model_key, r.model_id if isinstance(r.model_id, str) else None, r.observed_at.day, r.n_captures)
            for r in rows.itertuples()] == [
        ("vendor/a", None, 1, 3),  # 2025-01: over a month before its release
        ("vendor/a", "vendor/a", 20, 1),  # 2025-02-20: within the slack of 2025-03-01
        ("vendor/b", "b-old", 1, 2),
        ("vendor/b", "b-new", 3, 2),
    ]
    assert (prices_frame(parsed)["model_key"] != "vendor/c").sum() == 2  # without a catalog: one row per entry
    state = BuildState(load_settings(env={"LLMFLATION_DATA_DIR": str(tmp_path)}))  # the build's incremental way
    try:
        state.update(RunReport("r"))
        incremental = state.prices(None, catalog)
    finally:
        state.close()
    def plain(frame: pd.DataFrame) -> pd.DataFrame:  # missing as None whatever the column's dtype
        return frame.astype(object).where(frame.notna(), None)
    pd.testing.assert_frame_equal(plain(incremental), plain(prices_frame(parsed, catalog)))
    assert len(incremental) == len(prices)


def test_two_names_of_one_model_in_one_listing_count_each_capture_once(tmp_path: Path) -> None:
    """x and y are one model: y leaves on day 3 and comes back on day 4; the price held on all 4 captures."""
    days = [listing(("vendor/x", "0.000001"), ("vendor/y", "0.000001")),
            listing(("vendor/x", "0.000001"), ("vendor/y", "0.000001"), ("vendor/z", "0.000002")),
            listing(("vendor/x", "0.000001"), ("vendor/z", "0.000002")),
            listing(("vendor/x", "0.000001"), ("vendor/y", "0.000001"), ("vendor/z", "0.000002"))]
    prices = build_prices(tmp_path, days)
    assert sorted(zip(prices["model_key"], prices["first_capture_number"], prices["n_captures"], strict=True)) == [
        ("vendor/x", 1, 4), ("vendor/y", 1, 2), ("vendor/y", 4, 1), ("vendor/z", 2, 3)]
    prices = prices.assign(model_id=prices["model_key"].map({"vendor/x": "m", "vendor/y": "m", "vendor/z": "z"}))
    models = pd.DataFrame({"model_id": ["m", "z"], "retired_date": [pd.NaT, pd.NaT]})
    intervals, _ = price_intervals(capture_observations(prices), models, source_captures(prices))
    m = intervals[intervals["model_id"] == "m"]
    assert [(r.valid_from.day, pd.isna(r.valid_to), r.n_captures, r.last_seen.day) for r in m.itertuples()] == [(1, True, 4, 4)]


def test_what_a_listing_showed_as_of_a_time(tmp_path: Path) -> None:
    prices = build_prices(tmp_path, [A, C, C, D, D])
    def shown(day: int) -> list[tuple[str, float]]:
        rows = prices_as_of(prices, datetime(2025, 1, day, 12))
        return sorted((key, float(price)) for key, price in zip(rows["model_key"], rows["input_usd_per_mtok"], strict=True))
    assert prices_as_of(prices, "2024-12-31").empty
    assert shown(1) == [("vendor/a", 1.0), ("vendor/b", 2.0)]
    assert shown(3) == [("vendor/a", 0.5), ("vendor/b", 2.0)]
    assert shown(4) == shown(9) == [("vendor/b", 2.0)]  # after the last capture: as the last capture showed
