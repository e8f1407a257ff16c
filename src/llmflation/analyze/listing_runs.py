"""Capture spans of every (model, provider) that a single listing states, for all of them at once.

Most (model, provider)s are stated by one listing only (one source's URL: a provider listed by
litellm alone, one OpenRouter endpoints list). For those, the walk of
:func:`llmflation.analyze.intervals._capture_spans` (every capture of the listing, one instant at
a time, in Python) comes down to runs along the listing's captures: from the first capture that
lists the model, each capture either lists it at a price or not; a span is a run of consecutive
captures listing the same price, ending at the next capture (which lists another price or lacks
the model). A year of nights gives each such group tens of captures, and walking them was most of
the analysis; here the runs of every group are found with array operations.

:func:`single_listing_spans` returns the same spans, in the same form, as the walk would, for
the groups it can decide (one listing, no curated reference rows, every row at a capture of its
listing), and leaves the others to the walk. Two rows of one group in one capture (two names of
the same model in one table) are first reduced to one by the walk's own rule (:func:`keeps_later`).
A test holds the two equal on random histories.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from llmflation.frames import timestamps

#: One span as the walk makes it (``intervals.Row``).
Span = dict[str, Any]
#: A row's price as the walk compares them: input, output (USD per 1M tokens, or None), is_free.
Price = tuple[Decimal | None, Decimal | None, bool]

_HIGHEST = Decimal("Infinity")


def price_order(price: Price) -> tuple[Decimal, Decimal]:
    """Sort key of a price: input, then output, a missing or zero amount counting as the highest.

    Zero too: a table that lists a model twice, free and paid (a free tier or a promotion beside
    the list price), states the model's price in the paid row; free prices never count in the
    analysis, so preferring them would lose the model's price for that capture.
    """
    return (price[0] or _HIGHEST, price[1] or _HIGHEST)


def keeps_later(earlier: Price, later: Price) -> bool:
    """Two rows of one (model, provider) in one capture: whether the later row (in table order) is kept.

    The same price: the later row. Different prices: the lower one (:func:`price_order`), the
    earlier row on a tie, so the result never depends on which name the table listed first
    when the prices differ.
    """
    return earlier == later or price_order(later) < price_order(earlier)


def single_listing_spans(obs: pd.DataFrame, captures_by_listing: dict[str, list[pd.Timestamp]]
                         ) -> tuple[dict[tuple[Any, Any], list[Span]], np.ndarray]:
    """Capture spans of the groups one listing states, and which rows of ``obs`` they came from.

    ``obs``: observations as ``intervals._prepare_observations`` leaves them (sorted by model,
    provider, time; ``listing`` filled). ``captures_by_listing``: each listing's capture times,
    sorted. Returns ``{(model_id, provider): spans}`` (spans before merging with reference rows,
    retirement and expiry, which the caller applies as to any group) and a boolean mask of the
    rows of ``obs`` those groups hold; the other rows are for the walk.
    """
    n_rows = len(obs)
    taken = np.zeros(n_rows, dtype=bool)
    if n_rows == 0:
        return {}, taken
    group = obs.groupby(["model_id", "provider"], sort=False, dropna=True).ngroup().to_numpy()
    listing_codes, listings = pd.factorize(obs["listing"], use_na_sentinel=True)
    when = pd.DatetimeIndex(obs["observed_at"]).as_unit("ns").asi8
    # Every listing's capture times end to end: listing i's are times[starts[i]:ends[i]].
    listing_times = [_nanoseconds(captures_by_listing.get(name, [])) for name in listings]
    sizes = np.array([len(t) for t in listing_times], dtype=np.int64)
    ends = np.cumsum(sizes)
    starts = ends - sizes
    times = np.concatenate(listing_times) if len(listing_times) else np.empty(0, dtype=np.int64)
    until = pd.DatetimeIndex(obs["seen_until"]).as_unit("ns").asi8 if "seen_until" in obs.columns else when
    at = np.full(n_rows, -1, dtype=np.int64)  # each row's capture, as an index into times
    until_at = np.full(n_rows, -1, dtype=np.int64)  # the capture it is seen until
    by_listing = np.argsort(listing_codes, kind="stable")  # the rows of each listing together: one pass, not one per listing
    bounds = np.searchsorted(listing_codes[by_listing], np.arange(len(listings) + 1))
    for code, own in enumerate(listing_times):
        rows = by_listing[bounds[code]:bounds[code + 1]]
        for instants, index in ((when, at), (until, until_at)):
            k = np.searchsorted(own, instants[rows])
            found = k < len(own)
            found[found] = own[k[found]] == instants[rows[found]]
            index[rows[found]] = starts[code] + k[found]

    decidable = _decidable_groups(obs, group, listing_codes, at, until_at, when, until)
    decided = decidable[np.where(group >= 0, group, 0)] & (group >= 0)
    taken[decided] = True
    rows = np.flatnonzero(decided & ~_second_rows_of_a_capture(obs, group, at, decided))
    if len(rows) == 0:
        return {}, taken
    # The captures each group is walked over: from its first row to the last capture of its listing.
    row_group = group[rows]
    heads = np.flatnonzero(np.r_[True, row_group[1:] != row_group[:-1]])  # rows are sorted by group, then time
    first_at = at[rows[heads]]
    last_at = ends[listing_codes[rows[heads]]]  # exclusive
    counts = last_at - first_at
    point_start = np.cumsum(counts) - counts
    n_points = int(counts.sum())
    point_owner = np.repeat(np.arange(len(heads)), counts)
    point_at = np.arange(n_points) - np.repeat(point_start, counts) + np.repeat(first_at, counts)
    owner_of_row = np.repeat(np.arange(len(heads)), np.diff(np.r_[heads, len(rows)]))
    row_point = point_start[owner_of_row] + at[rows] - first_at[owner_of_row]

    price_codes, _ = pd.factorize(pd.Series(list(zip(obs["input_usd_per_mtok"].to_numpy()[rows],
                                                      obs["output_usd_per_mtok"].to_numpy()[rows],
                                                      obs["is_free"].to_numpy()[rows], strict=True)), dtype=object))
    present = np.zeros(n_points, dtype=bool)
    present[row_point] = True
    observed = present.copy()  # the points a row is observed at (last_seen counts only those)
    price = np.full(n_points, -1, dtype=np.int64)
    price[row_point] = price_codes
    row_at_point = np.full(n_points, -1, dtype=np.int64)
    row_at_point[row_point] = rows
    weight = np.zeros(n_points, dtype=np.int64)
    weight[row_point] = _weights(obs, rows)
    # A row seen until a later capture is shown at every capture of its listing in between (no weight: its
    # captures are counted at its two observations); the groups decided here have no other row there.
    inside = until_at[rows] - at[rows] - 1
    spans = np.flatnonzero(inside > 0)
    if len(spans):
        lengths = inside[spans]
        covered = np.repeat(row_point[spans] + 1, lengths) + np.arange(int(lengths.sum())) \
            - np.repeat(np.cumsum(lengths) - lengths, lengths)
        present[covered] = True
        price[covered] = np.repeat(price_codes[spans], lengths)

    group_start = np.zeros(n_points, dtype=bool)
    group_start[point_start] = True
    previous_present = np.r_[False, present[:-1]]
    previous_price = np.r_[-1, price[:-1]]
    run_start = present & (group_start | ~previous_present | (price != previous_price))
    run_of_point = np.cumsum(run_start) - 1  # a listed point that starts no run continues the one before it
    run_heads = np.flatnonzero(run_start)
    run_last = np.zeros(len(run_heads), dtype=np.int64)
    np.maximum.at(run_last, run_of_point[present], np.flatnonzero(present))
    last_observed = np.zeros(len(run_heads), dtype=np.int64)
    np.maximum.at(last_observed, run_of_point[observed], np.flatnonzero(observed))
    captures = np.bincount(run_of_point[present], weights=weight[present], minlength=len(run_heads)).astype(np.int64)
    after = run_last + 1
    closed = after < n_points
    closed[closed] = point_owner[after[closed]] == point_owner[run_last[closed]]

    stamps = np.array(timestamps(pd.Series(pd.to_datetime(times, unit="ns", utc=True))), dtype=object)  # boxed once each
    column = {name: obs[name].to_numpy() for name in
              ("model_id", "provider", "input_usd_per_mtok", "output_usd_per_mtok", "is_free", "source_id", "evidence")}
    out: dict[tuple[Any, Any], list[Span]] = {}
    for head, last, ends_at, n, is_closed in zip(run_heads.tolist(), last_observed.tolist(), after.tolist(),
                                                 captures.tolist(), closed.tolist(), strict=True):
        row = int(row_at_point[head])
        start = stamps[point_at[head]]
        out.setdefault((column["model_id"][row], column["provider"][row]), []).append({
            "valid_from": start,
            "valid_to": stamps[point_at[ends_at]] if is_closed else pd.NaT,
            "input_usd_per_mtok": column["input_usd_per_mtok"][row],
            "output_usd_per_mtok": column["output_usd_per_mtok"][row],
            "is_free": bool(column["is_free"][row]),
            "first_seen": start,
            "last_seen": stamps[point_at[last]],
            "n_captures": n,
            "source_id": column["source_id"][row],
            "evidence": column["evidence"][row],
        })
    return out, taken


def _decidable_groups(obs: pd.DataFrame, group: np.ndarray, listing_codes: np.ndarray, at: np.ndarray,
                      until_at: np.ndarray, when: np.ndarray, until: np.ndarray) -> np.ndarray:
    """Per group: one listing, captures only, every row at a capture of its listing and seen until one,
    no row at a capture another row's span holds (rows of one capture are reduced to one later)."""
    n_groups = int(group.max()) + 1 if len(group) else 0
    if n_groups <= 0:
        return np.zeros(0, dtype=bool)
    valid = group >= 0
    g = group[valid]
    bad = np.zeros(n_groups, dtype=bool)
    bad[g[(obs["kind"].to_numpy()[valid] != "capture") | (at[valid] < 0) | (until_at[valid] < 0) | (listing_codes[valid] < 0)]] = True
    # Rows come sorted by group and time: a span that the group's next row starts inside overlaps it.
    overlaps = (group[1:] == group[:-1]) & (until[:-1] > when[:-1]) & (when[1:] < until[:-1]) & valid[:-1]
    bad[group[:-1][overlaps]] = True
    shares_its_start = pd.DataFrame({"g": group, "at": at}).duplicated(keep=False).to_numpy() & (until > when) & valid
    bad[group[shares_its_start]] = True  # a span beside another row of its first capture
    lowest = np.full(n_groups, np.iinfo(np.int64).max, dtype=np.int64)
    highest = np.full(n_groups, -1, dtype=np.int64)
    np.minimum.at(lowest, g, listing_codes[valid])
    np.maximum.at(highest, g, listing_codes[valid])
    bad |= lowest != highest  # more than one listing
    return ~bad


def _second_rows_of_a_capture(obs: pd.DataFrame, group: np.ndarray, at: np.ndarray, decided: np.ndarray) -> np.ndarray:
    """Rows that another row of the same group and capture replaces (:func:`keeps_later`, in row order)."""
    dropped = np.zeros(len(obs), dtype=bool)
    same = pd.DataFrame({"g": group, "at": at}).duplicated(keep=False).to_numpy() & decided
    if not same.any():
        return dropped
    prices = obs[["input_usd_per_mtok", "output_usd_per_mtok", "is_free"]].to_numpy(dtype=object)
    kept: dict[tuple[int, int], int] = {}
    for i in np.flatnonzero(same).tolist():
        key = (int(group[i]), int(at[i]))
        j = kept.get(key)
        if j is None or keeps_later(tuple(prices[j]), tuple(prices[i])):
            if j is not None:
                dropped[j] = True
            kept[key] = i
        else:
            dropped[i] = True
    return dropped


def _weights(obs: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """How many captures each row stands for, as the walk counts them (missing or 0: one)."""
    if "n_captures" not in obs.columns:
        return np.ones(len(rows), dtype=np.int64)
    counts = pd.to_numeric(obs["n_captures"].iloc[rows], errors="coerce").fillna(1).to_numpy()
    return np.where(counts > 0, counts, 1).astype(np.int64)


def _nanoseconds(times: list[pd.Timestamp]) -> np.ndarray:
    return np.array([t.value for t in times], dtype=np.int64) if times else np.empty(0, dtype=np.int64)
