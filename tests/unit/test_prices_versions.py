"""``prices`` keeps one row per price per version of a listing; repeats extend it instead of copying it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from llmflation.analyze import capture_observations, price_intervals, source_captures
from llmflation.build import prices_frame
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
