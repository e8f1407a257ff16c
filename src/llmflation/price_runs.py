"""The rows of the ``prices`` table: runs of one record in one listing.

A listing (a source's URL) is captured night after night; consecutive captures with exactly the
same records are one *version*. A price table that changes a few prices a month still gets a new
version each month, which repeats every unchanged entry. A ``prices`` row is therefore not a row
of a version but a **run**: one record (every field of it equal: prices, tier, quantization,
model name, context window...) in consecutive versions of its listing. It starts at the first
capture of the first version that shows it (its provenance), lasts to the last capture of the
last one (``last_observed_at``, with ``n_captures`` the captures between), and ends at the first
capture of the next version, which no longer shows it (``ended_at``: its price changed or the
model left the list; null while the listing's newest version still shows it).

So the table grows with what changes, not with the number of versions of whole tables: a year of
nightly tables edited monthly is some 8 thousand rows, where one row per version and record was
117 thousand. A record that leaves a listing and comes back later starts a new run.

:func:`record_runs` finds the runs from (listing, version, record) triples with array
operations; the build state and the capture-by-capture definition of the table
(:func:`llmflation.build.prices_frame`) both use it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from llmflation.match import Catalog, assign_model_ids, match_names, seen_before_release
from llmflation.records import PriceRecord

_RECORD_FIELDS = tuple(f.name for f in fields(PriceRecord))


def record_key(record: PriceRecord) -> str:
    """A digest of every field of a price record, decimals as their exact text: equal keys, the same record."""
    text = "\x1f".join("\x00" if (value := getattr(record, name)) is None else str(value) for name in _RECORD_FIELDS)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def meanings(names: np.ndarray, seen: pd.Series, catalog: Catalog | None) -> np.ndarray:
    """Per (name, time): a code of what the name means then in the catalog (equal codes, the same model).

    A run of one entry must not span a change of meaning, or its model would be the one its first
    capture's date gives for all of it: a dated alias (``gpt-4o``) moves from snapshot to snapshot,
    and a name seen well before a model's release meant an earlier model (``match``). So the
    entry's identity in a run includes this code, and :func:`~llmflation.match.assign_model_ids`
    at a run's first capture gives the model of every capture in the run.
    """
    codes = np.zeros(len(names), dtype=np.int64)
    if catalog is None or len(names) == 0:
        return codes
    of_name, distinct = pd.factorize(pd.Series(names, dtype=object))
    plain = match_names(list(distinct), catalog)
    ids = np.array([plain[name].model_id for name in distinct], dtype=object)  # once per name
    early, _, _ = seen_before_release(ids[of_name], seen, catalog)
    codes[early] = 1
    aliased = np.array([catalog.depends_on_time(str(name)) for name in distinct], dtype=bool)[of_name]
    rows = np.flatnonzero(aliased)
    if len(rows):
        found = assign_model_ids(pd.DataFrame({"model_key": np.asarray(names, dtype=object)[rows],
                                               "observed_at": seen.iloc[rows].reset_index(drop=True)}),
                                 catalog)["model_id"]
        codes[rows] = 2 + pd.factorize(found.fillna(""))[0]
    return codes


@dataclass(frozen=True)
class Runs:
    """The runs found by :func:`record_runs`, as positions in its input and per-run sums.

    ``first``: the position of each run's first triple (its first version, the record as it
    was first shown); ``last``: of its last triple; ``n_captures``: the captures its versions
    hold together. Runs come in the order of their first triple.
    """

    first: np.ndarray
    last: np.ndarray
    n_captures: np.ndarray


def record_runs(listing: np.ndarray, version: np.ndarray, record: np.ndarray, n_captures: np.ndarray) -> Runs:
    """Runs of each record along the versions of its listing.

    One triple per record of each version: ``listing`` and ``record`` are integer codes (equal
    codes: the same listing, exactly the same record), ``version`` the version's position among
    its listing's versions (0, 1, 2... with no gaps), ``n_captures`` the version's captures. A run
    is a record in consecutive versions; a version listing one record twice counts it once.
    """
    size = len(listing)
    if size == 0:
        empty = np.empty(0, dtype=np.int64)
        return Runs(empty, empty, empty)
    order = np.lexsort((np.arange(size), version, record, listing))  # stable: a repeated record keeps its first place
    same_record = np.r_[False, (listing[order][1:] == listing[order][:-1]) & (record[order][1:] == record[order][:-1])]
    step = np.r_[0, np.diff(version[order])]
    starts = ~(same_record & (step <= 1))  # the next version, or a second copy in the same one, continues the run
    copy = same_record & (step == 0)  # counted once: its captures are the first copy's
    run_of = np.cumsum(starts) - 1
    heads = np.flatnonzero(starts)
    tails = np.r_[heads[1:] - 1, len(order) - 1]
    captures = np.bincount(run_of, weights=np.where(copy, 0, n_captures[order]).astype(np.float64)).astype(np.int64)
    first, last = order[heads], order[tails]
    by_first = np.argsort(first, kind="stable")
    return Runs(first[by_first], last[by_first], captures[by_first])


def prices_as_of(prices: pd.DataFrame, when: object) -> pd.DataFrame:
    """The rows of a ``prices`` table that each listing showed as of ``when``: at its newest capture
    at or before then (``observed_at <= when``, and not ended by then). A listing's rows stay
    shown after its last capture until a capture ends them; a listing first captured after
    ``when`` shows nothing. What one capture of a listing showed is ``prices_as_of`` its time.
    """
    at = pd.Timestamp(when)
    at = at.tz_localize("UTC") if at.tzinfo is None else at.tz_convert("UTC")
    started = pd.to_datetime(prices["observed_at"], utc=True) <= at
    ended = pd.to_datetime(prices["ended_at"], utc=True) <= at
    return prices[started & ~ended.fillna(False)]
