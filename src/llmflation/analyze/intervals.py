"""Price intervals: the half-open periods ``[valid_from, valid_to)`` during which a price held.

Evidence comes in two kinds:

- **captures**: a price seen in a parsed capture of a source (a pricing page, a price API, a
  Wayback snapshot) at ``observed_at``. Every successfully parsed capture of a source is also
  evidence of *absence* for the models it no longer lists.
- **reference** rows: a curated, cited statement that a price took effect on a date (and,
  sometimes, when it ended).

For one (model, provider), a price holds from its first evidence until a different price is
observed, the model is retired (``models.retired_date``), or it is withdrawn: every source that
had listed it has since been captured without it. When a (model, provider) is listed by two
sources, the listing whose price began most recently (its latest change) gives the price in
force: a listing that goes on showing an old price does not take over from one that has since
changed, however often it is captured. Prices that began at the same instant (two sources
changing in the same second) are decided by source precedence (the registry's order: price APIs,
then pricing pages), then the lower price, then the listing's name (``_in_force``).

Evidence ages: a price that nothing contradicts holds until its last evidence (``last_seen``:
the last capture listing it, or a reference row's ``last_confirmed``) plus the evidence horizon
(``[analysis] evidence_horizon_days``), not for ever. Months after that have no price for that
(model, provider). An end still in the future (``as_of``) stays open.

Captures take precedence over reference rows for the period they cover, from the first
capture that lists the model to the last capture of its sources. Reference rows fill the
time before (and any change they date after). Where a capture states a different price from
the reference row in force on that date, the difference is returned as a
:class:`Disagreement`, once per capture price and reference row, for the run report.

Only ``tier == "standard"`` observations (uncached, real-time, lowest context tier) make
headline intervals; the other tiers are ignored here.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from llmflation.analyze.listing_runs import Price, keeps_later, price_order, single_listing_spans
from llmflation.frames import column_values, timestamps
from llmflation.schema import PRICE_INTERVALS
from llmflation.sources import SOURCES

log = logging.getLogger(__name__)

#: Which source decides when two report a price at the same instant: the registry's order
#: (price APIs first, then pricing pages, then the rest).
_SOURCE_RANK = {source.id: rank for rank, source in enumerate(SOURCES)}

#: Columns of the published ``price_intervals`` table, in order.
INTERVAL_COLUMNS = PRICE_INTERVALS.column_names

OBSERVATION_COLUMNS = [
    "model_id",
    "provider",
    "observed_at",
    "input_usd_per_mtok",
    "output_usd_per_mtok",
    "source_id",
    "evidence",
    "kind",
]

#: An observation or a span as one row of its table: values as pandas gives them.
Row = dict[str, Any]


@dataclass(frozen=True)
class Disagreement:
    """A captured price that differs from the curated reference row in force on that date."""

    model_id: str
    provider: str
    observed_at: pd.Timestamp
    source_id: str
    capture_evidence: str
    capture_input_usd_per_mtok: Decimal | None
    capture_output_usd_per_mtok: Decimal | None
    reference_input_usd_per_mtok: Decimal | None
    reference_output_usd_per_mtok: Decimal | None
    reference_evidence: str

    def describe(self) -> str:
        """One line for the run report."""
        return (
            f"{self.model_id} at {self.provider}: capture of {self.source_id} on {self.observed_at:%Y-%m-%d} "
            f"says in/out ${_fmt(self.capture_input_usd_per_mtok)}/${_fmt(self.capture_output_usd_per_mtok)} "
            f"per 1M tokens, reference says ${_fmt(self.reference_input_usd_per_mtok)}/"
            f"${_fmt(self.reference_output_usd_per_mtok)} ({self.reference_evidence}); the capture is used"
        )


class PriceIntervals(NamedTuple):
    """What :func:`price_intervals` returns: the table, and the capture/reference disagreements."""

    intervals: pd.DataFrame
    disagreements: list[Disagreement]


def price_intervals(
    observations: pd.DataFrame,
    models: pd.DataFrame,
    source_captures: pd.DataFrame,
    evidence_horizon: pd.Timedelta | None = None,
    as_of: pd.Timestamp | None = None,
    fast: bool = True,
) -> PriceIntervals:
    """Build the ``price_intervals`` table from price observations.

    ``observations``: one row per observed price, columns ``model_id``, ``provider``,
    ``observed_at`` (UTC), ``input_usd_per_mtok``, ``output_usd_per_mtok`` (Decimal, USD per 1M
    tokens, or None), ``source_id``, ``evidence`` (capture sha256 or the reference row's
    source URL), ``kind`` (``capture`` | ``reference``), and optionally ``valid_to`` (the end a
    reference row states), ``last_confirmed`` (a reference row's last evidence), ``is_free``, ``tier``
    and ``seen_until`` (a capture row shown at every capture of its listing from ``observed_at`` to
    then: a ``prices`` row spans many; missing or equal to ``observed_at``, the row is one capture's).
    ``models``: ``model_id``, ``retired_date`` (NaT when none).
    ``source_captures``: ``source_id``, ``observed_at`` of every successfully parsed capture.
    Both may carry ``listing``: which list of models a capture is (a source with several URLs,
    such as OpenRouter's one endpoints list per model, has several). A model is withdrawn only
    when a later capture of the same listing lacks it; without ``listing`` each source is one.

    ``evidence_horizon``: how long an uncontradicted price holds after its last evidence (None:
    until contradicted); ``as_of``: the build's time (default now), before which an end must fall.

    ``fast``: find the spans of the groups one listing alone states with array operations
    (:mod:`~llmflation.analyze.listing_runs`); ``False`` walks every group (the tests compare the two).

    Returns ``(intervals, disagreements)``; the intervals sorted by model, provider and start.
    """
    obs = _prepare_observations(observations)
    retired = _retirement_dates(models)
    captures_by_source = _capture_times(source_captures)
    rows: list[Row] = []
    disagreements: list[Disagreement] = []
    decided, taken = single_listing_spans(obs, captures_by_source) if fast else ({}, np.zeros(len(obs), dtype=bool))
    walked = obs[~taken]
    names = list(walked.columns)
    columns = [column_values(walked[name]) for name in names]  # plain values: row access in pandas is far slower
    positions: dict[tuple[str, str], list[int]] = {key: [] for key in decided}
    for i, key in enumerate(zip(columns[names.index("model_id")], columns[names.index("provider")], strict=True)):
        positions.setdefault(key, []).append(i)
    for (model_id, provider), rows_at in sorted(positions.items(), key=lambda item: item[0]):
        if (model_id, provider) in decided:  # one listing, no reference rows: its runs, found for all such at once
            spans = decided[(model_id, provider)]
        else:
            group: dict[str, list[Row]] = {"capture": [], "reference": []}
            for i in rows_at:  # one (model, provider) as dicts at a time: a year's rows at once were hundreds of MB
                record = {name: column[i] for name, column in zip(names, columns, strict=True)}
                group[record["kind"]].append(record)
            captured = group["capture"]
            reference = _reference_spans(group["reference"])
            capture_rows, covered = _capture_spans(captured, captures_by_source)
            disagreements.extend(_disagreements(captured, reference))
            spans = _merge(reference, capture_rows, covered)
        spans = _retire(spans, retired.get(model_id))
        spans = _expire(spans, evidence_horizon, as_of if as_of is not None else pd.Timestamp.now(tz="UTC"))
        for span in spans:
            rows.append({"model_id": model_id, "provider": provider, **span})
    table = pd.DataFrame(rows, columns=INTERVAL_COLUMNS)
    for column in ("valid_from", "valid_to", "first_seen", "last_seen"):
        table[column] = pd.to_datetime(table[column], utc=True).dt.as_unit("us")
    table["n_captures"] = table["n_captures"].astype("int64")
    table["is_free"] = table["is_free"].astype(bool)
    if disagreements:
        log.info("%d capture(s) disagree with the curated reference prices", len(disagreements))
    return PriceIntervals(table.reset_index(drop=True), disagreements)


def _prepare_observations(observations: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in OBSERVATION_COLUMNS if c not in observations.columns]
    if missing:
        raise ValueError(f"price observations lack columns {missing}")
    obs = observations.copy()
    if "tier" in obs.columns:
        ignored = obs["tier"].fillna("standard") != "standard"
        if ignored.any():
            log.debug("price intervals: %d non-standard tier observation(s) left out", int(ignored.sum()))
        obs = obs[~ignored]
    bad_kind = sorted(set(obs["kind"]) - {"capture", "reference"})
    if bad_kind:
        raise ValueError(f"observation kind must be 'capture' or 'reference', got {bad_kind}")
    obs["observed_at"] = pd.to_datetime(obs["observed_at"], utc=True)
    if obs["observed_at"].isna().any():
        raise ValueError("an observation has no observed_at")
    until = pd.to_datetime(obs["seen_until"], utc=True) if "seen_until" in obs.columns else obs["observed_at"]
    obs["seen_until"] = until.where(until.notna() & (obs["kind"] == "capture"), obs["observed_at"])
    if (obs["seen_until"] < obs["observed_at"]).any():
        first = obs[obs["seen_until"] < obs["observed_at"]].iloc[0]
        raise ValueError(f"observation of {first['model_id']} at {first['provider']} ({first['source_id']}, "
                         f"{first['evidence']}) is seen until before it is observed")
    if "valid_to" in obs.columns:
        obs["valid_to"] = pd.to_datetime(obs["valid_to"], utc=True)
    else:
        obs["valid_to"] = pd.Series(pd.NaT, index=obs.index, dtype="datetime64[us, UTC]")
    obs["is_free"] = obs["is_free"].fillna(False).astype(bool) if "is_free" in obs.columns else False
    if "last_confirmed" in obs.columns:
        obs["last_confirmed"] = pd.to_datetime(obs["last_confirmed"], utc=True)
    if "listing" not in obs.columns:
        obs["listing"] = obs["source_id"]
    obs["listing"] = obs["listing"].fillna(obs["source_id"])
    for column in ("input_usd_per_mtok", "output_usd_per_mtok"):
        amounts = [v if type(v) is Decimal else _decimal_or_none(v) for v in obs[column].tolist()]
        obs[column] = pd.Series(amounts, index=obs.index, dtype=object)
        negative = pd.Series([v is not None and v < 0 for v in amounts], index=obs.index, dtype=bool)
        if negative.any():
            first = obs[negative].iloc[0]
            raise ValueError(
                f"negative {column} for {first['model_id']} at {first['provider']} "
                f"({first['source_id']}, {first['evidence']})"
            )
    bad_end = obs["valid_to"].notna() & (obs["valid_to"] <= obs["observed_at"])
    if bad_end.any():
        first = obs[bad_end].iloc[0]
        raise ValueError(
            f"reference row for {first['model_id']} at {first['provider']} ends ({first['valid_to']}) "
            f"before it starts ({first['observed_at']}): {first['evidence']}"
        )
    return obs.sort_values(["model_id", "provider", "observed_at"], kind="mergesort")


def _decimal_or_none(value: object) -> Decimal | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _retirement_dates(models: pd.DataFrame) -> dict[str, pd.Timestamp]:
    if "model_id" not in models.columns or "retired_date" not in models.columns:
        raise ValueError("models need columns model_id and retired_date")
    dates = pd.to_datetime(models["retired_date"], utc=True)
    return {m: d for m, d in zip(models["model_id"], dates, strict=True) if pd.notna(d)}


def _capture_times(source_captures: pd.DataFrame) -> dict[str, list[pd.Timestamp]]:
    if "source_id" not in source_captures.columns or "observed_at" not in source_captures.columns:
        raise ValueError("source captures need columns source_id and observed_at")
    times = timestamps(pd.to_datetime(source_captures["observed_at"], utc=True))
    keys = source_captures["listing"] if "listing" in source_captures.columns else source_captures["source_id"]
    by_source: dict[str, set[pd.Timestamp]] = {}
    for source_id, when in zip(keys, times, strict=True):
        by_source.setdefault(source_id, set()).add(when)
    return {source_id: sorted(whens) for source_id, whens in by_source.items()}


def _price(row: Mapping[str, Any]) -> Price:
    return (row["input_usd_per_mtok"], row["output_usd_per_mtok"], bool(row["is_free"]))


def _span(valid_from: pd.Timestamp, valid_to: object, price: Price, **provenance: object) -> Row:
    return {
        "valid_from": valid_from,
        "valid_to": valid_to,
        "input_usd_per_mtok": price[0],
        "output_usd_per_mtok": price[1],
        "is_free": price[2],
        **provenance,
    }


def _reference_spans(rows: list[Row]) -> list[Row]:
    """Each reference row (in date order) holds until its stated end or the next row's date."""
    spans = []
    for i, row in enumerate(rows):
        start, stated_end = row["observed_at"], row["valid_to"]
        next_start = rows[i + 1]["observed_at"] if i + 1 < len(rows) else pd.NaT
        if pd.notna(next_start) and next_start == start:
            continue  # two rows on one date: the later one in the file states the price
        end = stated_end if pd.notna(stated_end) else next_start
        if pd.notna(stated_end) and pd.notna(next_start):
            end = min(stated_end, next_start)
        spans.append(
            _span(
                start,
                end,
                _price(row),
                first_seen=start,
                last_seen=row["last_confirmed"] if pd.notna(row.get("last_confirmed")) else start,
                n_captures=0,
                source_id=row["source_id"],
                evidence=row["evidence"],
            )
        )
    return spans


def _capture_spans(
    captured: list[Row], captures_by_source: dict[str, list[pd.Timestamp]]
) -> tuple[list[Row], tuple[pd.Timestamp, pd.Timestamp] | None]:
    """Intervals from captures, and the period ``(first, last)`` the captures cover.

    Walks the captures of the sources that ever listed this (model, provider) where one may change
    its state, in time order. Each source's state is its latest capture: the price it lists and
    since when, or absent. The price in force is the one that began most recently among sources
    still listing; when every source that had listed the model has since been captured without
    it, the model is withdrawn.
    """
    if not captured:
        return [], None
    listings: dict[tuple[pd.Timestamp, str], Row] = {}
    observed: dict[tuple[pd.Timestamp, str], list[Row]] = {}  # every row observed at a capture, for the count
    spanning: dict[str, list[Row]] = {}  # rows shown at every capture of their listing until seen_until
    for row in captured:
        observed.setdefault((row["observed_at"], row["listing"]), []).append(row)
        if row["seen_until"] > row["observed_at"]:
            spanning.setdefault(row["listing"], []).append(row)
        key = (row["observed_at"], row["listing"])
        earlier = listings.get(key)
        if earlier is not None and _price(earlier) != _price(row):
            log.debug(
                "%s at %s: two prices in one capture of %s on %s; the lower is used",
                row["model_id"], row["provider"], row["listing"], row["observed_at"],
            )
        if earlier is None or keeps_later(_price(earlier), _price(row)):
            listings[key] = row
    first_listing: dict[str, pd.Timestamp] = {}
    for when, source_id in listings:
        if source_id not in first_listing or when < first_listing[source_id]:
            first_listing[source_id] = when
    # Between its own rows a listing's state cannot change, so its other captures need no visit: the
    # instants are the rows' own, the capture after each row's last (where it may be gone), and the
    # listing's last capture (the end of the period the captures cover).
    events = set(listings)
    for row in captured:
        times = captures_by_source.get(row["listing"], [])  # sorted
        after = bisect_right(times, row["seen_until"])
        if after < len(times):
            events.add((times[after], row["listing"]))
    for listing, start in first_listing.items():
        times = captures_by_source.get(listing, [])
        if times and times[-1] >= start:
            events.add((times[-1], listing))
    ordered_events = sorted(events)
    by_instant: dict[pd.Timestamp, list[str]] = {}
    for when, listing in ordered_events:
        by_instant.setdefault(when, []).append(listing)
    state: dict[str, tuple[pd.Timestamp, Row] | None] = {}
    spans: list[Row] = []
    current: Row | None = None
    counted: dict[str, int] = {}  # per listing, the last capture number the current span has counted
    for when, listings_now in by_instant.items():  # every listing captured at one instant, together
        rows_now = [listings.get((when, listing)) for listing in listings_now]
        shown = [_shown(listings.get((when, listing)), spanning.get(listing, ()), when) for listing in listings_now]
        for listing, seen in zip(listings_now, shown, strict=True):
            before = state.get(listing)
            if seen is None:
                state[listing] = None
            elif before is None or _price(before[1]) != _price(seen):
                state[listing] = (when, seen)  # the price this listing states begins here
        in_force = _in_force(state)
        price = _price(in_force) if in_force is not None else None
        if current is not None and (price is None or _price_of(current) != price):
            current["valid_to"] = when
            spans.append(current)
            current = None
        if price is not None and in_force is not None and current is None:
            counted = {}
            current = _span(
                when,
                pd.NaT,
                price,
                first_seen=when,
                last_seen=when,
                n_captures=0,
                source_id=in_force["source_id"],
                evidence=in_force["evidence"],
            )
        for listing, seen in zip(listings_now, rows_now, strict=True):
            if current is not None and seen is not None and _price(seen) == price:
                current["last_seen"] = when
                current["n_captures"] += _captures(seen, observed[(when, listing)], price, counted)
    if current is not None:
        spans.append(current)
    return spans, (ordered_events[0][0], ordered_events[-1][0])


def _captures(row: Row, observed: list[Row], price: Price, counted: dict[str, int]) -> int:
    """Captures a listing's rows observed at one instant add to a span showing ``price``.

    Rows that number their captures (``capture_from`` .. ``capture_to``, a ``prices`` row's
    captures among its listing's) count each capture once, however many rows (two names of the
    model in one table) showed it; ranges arrive in time order, so the span keeps per listing the
    last number counted. Other rows count their ``n_captures``, the row kept for the instant only.
    """
    if "capture_from" not in row or pd.isna(row["capture_from"]):
        return int(row.get("n_captures", 1) or 1)  # a row may stand for several captures
    added = 0
    for seen in observed:
        if _price(seen) != price or pd.isna(seen["capture_from"]):
            continue
        upto = counted.get(seen["listing"], 0)
        first, last = int(seen["capture_from"]), int(seen["capture_to"])
        added += max(0, last - max(first, upto + 1) + 1)
        counted[seen["listing"]] = max(upto, last)
    return added


def _shown(row: Row | None, spanning: Iterable[Row], when: pd.Timestamp) -> Row | None:
    """The row a listing shows at a capture: the one observed then, or one whose span holds that capture
    (two rows of the model at once: :func:`keeps_later`, rows in their order)."""
    for span in spanning:
        if span["observed_at"] < when < span["seen_until"] and (row is None or keeps_later(_price(row), _price(span))):
            row = span
    return row


def _in_force(state: Mapping[str, tuple[pd.Timestamp, Row] | None]) -> Row | None:
    """The listing row that states the price in force, given each listing's current price and since when.

    The price that began most recently wins. Prices that began at the same instant (two sources
    changing in the same second) are decided by :func:`_precedence`: the source listed first in
    the registry, then the lower price, then the listing's name, so the result never depends on
    the order the rows arrived in.
    """
    if len(state) == 1:  # one listing (the common case): its row, if it lists the model
        (only,) = state.values()
        return None if only is None else only[1]
    listed = [entry for entry in state.values() if entry is not None]
    if not listed:
        return None
    latest = max(when for when, _ in listed)
    return min((row for when, row in listed if when == latest), key=_precedence)


def _precedence(row: Mapping[str, Any]) -> tuple[int, str, tuple[Decimal, Decimal], str]:
    """Sort key among rows observed at the same instant: registry order of the source (sources
    not in the registry after it, by id), then the lower price, then the listing."""
    source_id = str(row["source_id"])
    return (_SOURCE_RANK.get(source_id, len(_SOURCE_RANK)), source_id, _price_sort_key(row), str(row["listing"]))


def _price_sort_key(row: Mapping[str, Any]) -> tuple[Decimal, Decimal]:
    return price_order(_price(row))


def _price_of(span: Row) -> Price:
    return (span["input_usd_per_mtok"], span["output_usd_per_mtok"], span["is_free"])


def _merge(
    reference: list[Row],
    captured: list[Row],
    covered: tuple[pd.Timestamp, pd.Timestamp] | None,
) -> list[Row]:
    """Reference spans outside the covered period, capture spans inside it, in time order.

    A reference span that starts before the covered period is cut at its start; one that
    starts after its end begins a new price, cutting an open capture span.
    """
    if covered is None:
        return reference
    first, last = covered
    merged = []
    for span in reference:
        if span["valid_from"] < first:
            end = span["valid_to"]
            merged.append({**span, "valid_to": first if pd.isna(end) else min(end, first)})
        elif span["valid_from"] > last:
            merged.append(dict(span))
    later = [s for s in merged if s["valid_from"] > last]
    for span in captured:
        span = dict(span)
        if later and (pd.isna(span["valid_to"]) or span["valid_to"] > later[0]["valid_from"]):
            span["valid_to"] = later[0]["valid_from"]
        merged.append(span)
    return sorted(merged, key=lambda s: s["valid_from"])


def _retire(spans: list[Row], retired: pd.Timestamp | None) -> list[Row]:
    """Cut every span at the model's retirement; drop spans that start after it."""
    if retired is None:
        return spans
    kept = []
    for span in spans:
        if span["valid_from"] >= retired:
            continue
        if pd.isna(span["valid_to"]) or span["valid_to"] > retired:
            span = {**span, "valid_to": retired}
        kept.append(span)
    return kept


def _expire(spans: list[Row], horizon: pd.Timedelta | None,
            as_of: pd.Timestamp) -> list[Row]:
    """End each open span ``horizon`` after its last evidence, when that is already past at ``as_of``."""
    if horizon is None:
        return spans
    expired = []
    for span in spans:
        end = span["last_seen"] + horizon
        if pd.isna(span["valid_to"]) and end <= as_of:
            span = {**span, "valid_to": end}
        expired.append(span)
    return expired


def _disagreements(captured: list[Row], reference: list[Row]) -> list[Disagreement]:
    """Captured prices that differ from the reference span in force on the capture's date."""
    found: dict[tuple[Price, object], Disagreement] = {}
    if not reference:
        return []
    for row in captured:
        when = row["observed_at"]
        in_force = [
            span
            for span in reference
            if span["valid_from"] <= when and (pd.isna(span["valid_to"]) or when < span["valid_to"])
        ]
        if not in_force:
            continue
        span = in_force[-1]
        captured_price = _price(row)
        if captured_price[:2] == _price_of(span)[:2]:
            continue
        key = (captured_price, span["evidence"])
        if key in found:
            continue
        found[key] = Disagreement(
            model_id=row["model_id"],
            provider=row["provider"],
            observed_at=when,
            source_id=row["source_id"],
            capture_evidence=row["evidence"],
            capture_input_usd_per_mtok=captured_price[0],
            capture_output_usd_per_mtok=captured_price[1],
            reference_input_usd_per_mtok=span["input_usd_per_mtok"],
            reference_output_usd_per_mtok=span["output_usd_per_mtok"],
            reference_evidence=str(span["evidence"]),
        )
    return list(found.values())


def _fmt(value: Decimal | None) -> str:
    return "?" if value is None else f"{value:f}"
