"""price_changes: one row per change of a price, with the last capture of the old price and the first of the new."""

from __future__ import annotations

import pandas as pd
import pytest

from llmflation.analyze.changes import CAPTURE_INDEX_COLUMNS, price_changes
from llmflation.reference import load_reference
from llmflation.schema import PRICE_CHANGES, to_arrow
from tests.support.price_rows import frame, price_row


def _index(prices: pd.DataFrame, extra: list[tuple[str, str, pd.Timestamp, str]] = ()) -> pd.DataFrame:  # type: ignore[assignment]
    rows = list(zip(prices["source_id"], prices["capture_url"], prices["observed_at"], prices["capture_sha256"], strict=True))
    return pd.DataFrame(rows + list(extra), columns=CAPTURE_INDEX_COLUMNS)


def test_a_cut_is_one_row_with_the_evidence_on_both_sides() -> None:
    first = price_row(inp="10", out="30", when="2026-01-01")
    # The same price seen again three nights later extends the first version (no new row, no change).
    first["last_observed_at"] = pd.Timestamp("2026-01-04", tz="UTC")
    first["n_captures"] = 4
    cut = price_row(inp="2.5", out="10", when="2026-01-05")
    again = price_row(inp="2.5", out="10", when="2026-02-01")  # a new version of the listing, same price
    prices = frame(first, cut, again)
    last_old = ("openrouter", first["capture_url"], pd.Timestamp("2026-01-04", tz="UTC"), "b" * 64)
    changes = price_changes(prices, _index(prices, [last_old]))
    assert len(changes) == 1
    change = changes.iloc[0]
    assert change["changed_at"] == pd.Timestamp("2026-01-05", tz="UTC")
    assert change["old_last_seen_at"] == pd.Timestamp("2026-01-04", tz="UTC")
    assert change["old_evidence"] == "b" * 64  # the last capture with the old price, not the first
    assert change["new_evidence"] == cut["capture_sha256"]
    assert (change["old_input_usd_per_mtok"], change["new_output_usd_per_mtok"]) == (10.0, 10.0)
    assert change["input_ratio"] == 0.25 and change["output_ratio"] == pytest.approx(1 / 3)
    assert change["ratio"] == pytest.approx(12.5 / 40)
    to_arrow(PRICE_CHANGES, changes)  # fits the published schema


def test_series_are_apart_per_provider_tier_and_source() -> None:
    prices = frame(
        price_row(inp="1", out="2", when="2026-01-01", provider="a"),
        price_row(inp="3", out="4", when="2026-01-02", provider="b"),  # another provider: no change
        price_row(inp="1", out="2", when="2026-01-03", provider="a", tier="batch"),
        price_row(inp="0.5", out="1", when="2026-01-04", provider="a", tier="batch"),  # batch halved
    )
    changes = price_changes(prices, _index(prices))
    assert list(zip(changes["provider"], changes["tier"], changes["ratio"], strict=True)) == [("a", "batch", 0.5)]


def test_a_free_old_price_has_no_ratio() -> None:
    prices = frame(price_row(inp="0", out="0", when="2026-01-01", is_free=True), price_row(inp="1", out="1", when="2026-01-02"))
    change = price_changes(prices, _index(prices)).iloc[0]
    assert pd.isna(change["ratio"]) and pd.isna(change["input_ratio"])


def test_a_last_capture_missing_from_the_index_falls_back_to_the_first() -> None:
    first = price_row(inp="10", out="30", when="2026-01-01")
    first["last_observed_at"] = pd.Timestamp("2026-01-04", tz="UTC")
    prices = frame(first, price_row(inp="5", out="30", when="2026-01-05"))
    change = price_changes(prices, _index(prices)).iloc[0]
    assert change["old_evidence"] == first["capture_sha256"]
    assert change["old_last_seen_at"] == pd.Timestamp("2026-01-01", tz="UTC")


def test_the_curated_history_gives_changes_citing_its_rows() -> None:
    reference = load_reference()
    changes = price_changes(frame(), _index(frame()), reference.prices)
    assert len(changes) > 0 and (changes["source_id"] == "reference").all()
    assert changes["new_evidence"].str.startswith("http").all()
    assert (changes["old_last_seen_at"] < changes["changed_at"]).all()
    differs = ((changes["old_input_usd_per_mtok"] != changes["new_input_usd_per_mtok"])
               | (changes["old_output_usd_per_mtok"] != changes["new_output_usd_per_mtok"]))
    assert differs.all()
    to_arrow(PRICE_CHANGES, changes)
