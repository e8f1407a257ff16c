"""The inputs of :func:`~llmflation.analyze.intervals.price_intervals`, from the tables that hold them.

- :func:`capture_observations`: the published ``prices`` table (one row per price per capture);
  the evidence of each row is its capture's sha256.
- :func:`source_captures`: every successfully parsed capture of each source. A capture that
  parses yields at least one price (a capture with none is a ParseError), so the distinct
  (source_id, observed_at) pairs of ``prices`` are exactly those captures.
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

    A row seen in several captures of an unchanged listing (``n_captures`` > 1) gives two
    observations, at its first and its last capture, weighted so they count its captures.
    """
    matched = prices[prices["model_id"].notna() & (prices["model_id"].astype(str) != "")]
    first = _observations(matched, "observed_at")
    if "last_observed_at" not in matched.columns:
        return first.assign(n_captures=1)
    counts = matched["n_captures"].fillna(1).astype(int).to_numpy() if "n_captures" in matched.columns else 1
    repeated = (matched["last_observed_at"].notna() & (pd.to_datetime(matched["last_observed_at"], utc=True)
                                                       > pd.to_datetime(matched["observed_at"], utc=True))).to_numpy()
    first["n_captures"] = counts - repeated.astype(int)
    last = _observations(matched[repeated], "last_observed_at").assign(n_captures=1)
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
    """``source_id``, ``listing``, ``observed_at`` of every capture that produced the ``prices`` table
    (the first and last capture of each unchanged run of a listing)."""
    captures = prices[["source_id", "observed_at"]].assign(listing=listing_of(prices))
    if "last_observed_at" in prices.columns:
        lasts = prices[["source_id", "last_observed_at"]].rename(columns={"last_observed_at": "observed_at"})
        captures = pd.concat([captures, lasts.assign(listing=listing_of(prices))], ignore_index=True)
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
