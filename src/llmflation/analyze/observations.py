"""The inputs of :func:`~llmflation.analyze.intervals.price_intervals`, from the tables that hold them.

- :func:`capture_observations`: the published ``prices`` table (one row per run of one entry in a
  listing); the evidence of each row is the sha256 of the capture that first showed it.
- :func:`source_captures`: the captures of each listing where something in it changed, or that
  begin or end a row: a listing's entries change only there, so between them each entry is
  either shown throughout or not at all.
- :func:`reference_observations`: the curated ``prices.csv`` of ``data/reference`` (one row per
  dated list price); the evidence of each row is the URL that stated it.

Rows whose model is not matched to the catalog (``model_id`` empty) cannot be analysed: they
are left out here and listed for review by the build, never silently dropped there.
"""

from __future__ import annotations

import pandas as pd

from llmflation.analyze.intervals import OBSERVATION_COLUMNS
from llmflation.sources import REFERENCE_SOURCE_ID

#: The ``source_id`` given to curated reference rows.


def capture_observations(prices: pd.DataFrame) -> pd.DataFrame:
    """Observations (kind ``capture``) from the ``prices`` table, matched rows only.

    A row seen in several captures of its listing (``n_captures`` > 1) gives two observations, at
    its first and its last capture, weighted so they count its captures; the first says it was
    shown at every capture of the listing until the last (``seen_until``). With
    ``first_capture_number``, observations carry which of the listing's captures they stand for
    (``capture_from``, ``capture_to``), so two rows of one model in one listing count a capture once.
    """
    matched = prices[prices["model_id"].notna() & (prices["model_id"].astype(str) != "")]
    first = _observations(matched, "observed_at")
    if "last_observed_at" not in matched.columns:
        return first.assign(n_captures=1, seen_until=first["observed_at"])
    counts = matched["n_captures"].fillna(1).astype(int).to_numpy() if "n_captures" in matched.columns else 1
    last_seen = pd.to_datetime(matched["last_observed_at"], utc=True).reset_index(drop=True)  # aligned with ``first``
    repeated = (last_seen.notna() & (last_seen > first["observed_at"])).to_numpy()
    first["n_captures"] = counts - repeated.astype(int)
    first["seen_until"] = last_seen.where(repeated, first["observed_at"])
    last = _observations(matched[repeated], "last_observed_at").assign(n_captures=1)
    last["seen_until"] = last["observed_at"]
    if "first_capture_number" in matched.columns:  # which of its listing's captures each row spans
        number = pd.to_numeric(matched["first_capture_number"], errors="coerce").astype("Int64").to_numpy()
        through = number + first["n_captures"].to_numpy() - 1  # the first observation: all but a separate last capture
        first["capture_from"], first["capture_to"] = number, through
        last["capture_from"] = last["capture_to"] = through[repeated] + 1
    return pd.concat([first, last], ignore_index=True)


def _observations(matched: pd.DataFrame, time_column: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model_id": matched["model_id"],
            "provider": matched["provider"],
            "observed_at": pd.to_datetime(matched[time_column], utc=True),
            "input_usd_per_mtok": matched["input_usd_per_mtok"],
            "output_usd_per_mtok": matched["output_usd_per_mtok"],
            "source_id": matched["source_id"],
            "evidence": matched["capture_sha256"],
            "listing": listing_of(matched),
            "kind": "capture",
            "is_free": matched["is_free"] if "is_free" in matched.columns else False,
            "tier": matched["tier"] if "tier" in matched.columns else "standard",
        },
        columns=[*OBSERVATION_COLUMNS, "listing", "is_free", "tier"],
    ).reset_index(drop=True)


def listing_of(prices: pd.DataFrame) -> pd.Series:
    """Which list of models each price row came from: its source and the URL captured.

    A source with several URLs (one OpenRouter endpoints list per model) has several listings;
    a model missing from one listing says nothing about another.
    """
    if "capture_url" not in prices.columns:
        return prices["source_id"].astype(str)
    return prices["source_id"].astype(str) + " " + prices["capture_url"].fillna("").astype(str)


def source_captures(prices: pd.DataFrame) -> pd.DataFrame:
    """``source_id``, ``listing``, ``observed_at`` of the captures that tell the ``prices`` table's story:
    the first and last capture of each row (a run of one entry in a listing) and the capture that
    ended it (``ended_at``), which is how a model that left a list is seen to be gone."""
    listing = listing_of(prices)
    times = [column for column in ("observed_at", "last_observed_at", "ended_at") if column in prices.columns]
    captures = pd.concat([prices[["source_id", column]].rename(columns={column: "observed_at"}).assign(listing=listing)
                          for column in times], ignore_index=True)
    captures = captures[captures["observed_at"].notna()]
    captures = captures.drop_duplicates()
    captures = captures.assign(observed_at=pd.to_datetime(captures["observed_at"], utc=True))
    return captures.sort_values(["source_id", "observed_at"]).reset_index(drop=True)


def reference_observations(reference_prices: pd.DataFrame) -> pd.DataFrame:
    """Observations (kind ``reference``) from the curated price history.

    Each row's ``valid_from`` is when the price took effect; ``valid_to`` is kept where the
    row states an end; ``last_confirmed`` is the last day its source shows the price. Evidence is
    the row's ``source_url``.
    """
    return pd.DataFrame(
        {
            "model_id": reference_prices["model_id"],
            "provider": reference_prices["provider"],
            "observed_at": pd.to_datetime(reference_prices["valid_from"], utc=True),
            "input_usd_per_mtok": reference_prices["input_usd_per_mtok"],
            "output_usd_per_mtok": reference_prices["output_usd_per_mtok"],
            "source_id": REFERENCE_SOURCE_ID,
            "evidence": reference_prices["source_url"],
            "kind": "reference",
            "valid_to": pd.to_datetime(reference_prices["valid_to"], utc=True),
            "is_free": reference_prices["is_free"] if "is_free" in reference_prices.columns else False,
            "last_confirmed": pd.to_datetime(reference_prices["last_confirmed"], utc=True)
            if "last_confirmed" in reference_prices.columns else pd.NaT,
        },
        columns=[*OBSERVATION_COLUMNS, "valid_to", "is_free", "last_confirmed"],
    ).reset_index(drop=True)
