"""Build the release tables from the raw store and the curated reference data. No network.

raw store -> parse (cached per parser version) -> ``prices`` with provenance -> the
analysis tables. Everything published is rebuilt from ``data/raw/`` plus ``data/reference/``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from llmflation.analyze import (
    capture_observations,
    cheapest_by_quality,
    decline_rates,
    headline_lines,
    month_starts,
    newest_evidence,
    price_intervals,
    reference_observations,
    render_chart,
    source_captures,
)
from llmflation.catalog import build_catalog, newest_model_records
from llmflation.catalog_memo import CatalogMemo, catalog_key
from llmflation.kept import KeptResult, frame_digest, package_digest
from llmflation.catalog_measures import catalog_section, cheapest_months_by_model_year
from llmflation.analyze.changes import CAPTURE_INDEX_COLUMNS, price_changes
from llmflation.config import Settings
from llmflation.match import Catalog, assign_model_ids, format_summary, match_summary, unmatched_table
from llmflation.buildstate import BuildState, forget, raw_index, state_dir
from llmflation.analyze.pertask import add_per_task
from llmflation.usage import run_scores, token_usage_table
from llmflation.parsing import ParsedStore
from llmflation.price_runs import meanings, record_key, record_runs
from llmflation.records import PriceRecord, record_to_dict
from llmflation.reference import Reference, load_reference
from llmflation.report import RunReport
from llmflation.schema import MODELS, PRICES, TOKEN_USAGE
from llmflation.scores import (
    ScorePolicy,
    chosen_scores,
    disagreements,
    format_disagreements,
    format_not_comparable,
    level_classes,
    match_score_rows,
    not_comparable_for_levels,
    reference_score_rows,
    score_rows,
    scores_for_levels,
    scores_table,
    unmatched_score_names,
)

log = logging.getLogger(__name__)


@dataclass
class BuildResult:
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    parsed: ParsedStore = field(default_factory=ParsedStore)
    reference: Reference | None = None
    #: With ``build(keep_read=True)``: every capture this build read (since the last build; all of them
    #: with ``full``), errors included; otherwise empty (a year holds 118k captures: bounded memory).
    #: ``parsed`` holds one capture per version of every listing, the whole history.
    read: ParsedStore = field(default_factory=ParsedStore)
    #: Files beside the tables in the release (the chart), each written by its function.
    extra_files: dict[str, Callable[[Path], object]] = field(default_factory=dict)


def prices_frame(parsed: ParsedStore, catalog: Catalog | None = None) -> pd.DataFrame:
    """The ``prices`` table from parsed captures, capture by capture: one row per run of one record in
    a listing (:mod:`~llmflation.price_runs`), with the provenance of the capture that first showed it.

    A listing (a source's URL) captured again with exactly the same records (every night the
    table did not change) is the same version: its records get a later ``last_observed_at`` and a
    larger ``n_captures``. A new version continues the runs of the records it still shows and
    starts runs for the others; every capture stays in the raw store. Records are compared as a
    set, as the backfill's bisection compares captures: a listing that only reorders its entries
    is not a new version. Captures without prices (a leaderboard's) are not versions of a price list.

    With ``catalog``, an entry's run also ends where what its name means in the catalog changes
    (:func:`~llmflation.price_runs.meanings`).

    This is the definition of the table, for a handful of parsed captures; :func:`build` computes
    the same table incrementally (``buildstate``), and the tests hold the two equal.
    """
    versions: list[dict[str, object]] = []
    shown: list[tuple[PriceRecord, ...]] = []
    latest: dict[tuple[str, str], int] = {}
    listings: dict[tuple[str, str], int] = {}
    numbered: dict[tuple[str, str], int] = {}  # captures of each listing so far
    for item in parsed.ok():  # in observation order
        capture = item.capture
        assert item.result is not None
        records = tuple(item.result.prices)
        if not records:
            continue
        listing = (capture.source_id, capture.url)
        numbered[listing] = numbered.get(listing, 0) + 1
        before = latest.get(listing)
        if before is not None and frozenset(shown[before]) == frozenset(records):  # the same records in another order: unchanged
            versions[before]["last_observed_at"] = capture.observed_at
            versions[before]["n_captures"] = int(versions[before]["n_captures"]) + 1  # type: ignore[call-overload]
            continue
        if before is not None:
            versions[before]["ended_at"] = capture.observed_at
        latest[listing] = len(versions)
        versions.append({
            "listing": listings.setdefault(listing, len(listings)),
            "position": 0 if before is None else int(versions[before]["position"]) + 1,  # type: ignore[call-overload]
            "observed_at": capture.observed_at, "last_observed_at": capture.observed_at, "n_captures": 1, "ended_at": None,
            "first_capture_number": numbered[listing],
            "source_id": capture.source_id, "capture_url": capture.url, "capture_id": capture.capture_id,
            "capture_sha256": capture.sha256, "via": capture.via, "wayback_timestamp": capture.wayback_timestamp,
            "parser": item.parser,
        })
        shown.append(records)
    pairs = [(v, i) for v, records in enumerate(shown) for i in range(len(records))]
    if not pairs:
        return pd.DataFrame(columns=PRICES.column_names)
    seen = pd.Series([versions[v]["observed_at"] for v, _ in pairs])
    meaning = meanings(np.array([shown[v][i].model_key for v, i in pairs], dtype=object), seen, catalog)
    keys = pd.factorize(pd.Series([(record_key(shown[v][i]), code) for (v, i), code in zip(pairs, meaning.tolist(), strict=True)]))[0]
    runs = record_runs(np.array([versions[v]["listing"] for v, _ in pairs], dtype=np.int64),
                       np.array([versions[v]["position"] for v, _ in pairs], dtype=np.int64), keys,
                       np.array([versions[v]["n_captures"] for v, _ in pairs], dtype=np.int64))
    rows = []
    for first, last, n in zip(runs.first.tolist(), runs.last.tolist(), runs.n_captures.tolist(), strict=True):
        v, i = pairs[first]
        end = versions[pairs[last][0]]
        rows.append({**record_to_dict(shown[v][i]), **versions[v], "last_observed_at": end["last_observed_at"],
                     "ended_at": end["ended_at"], "n_captures": n})
    return pd.DataFrame(rows).reindex(columns=PRICES.column_names)


def scores_frame(parsed: ParsedStore, reference: Reference, catalog: Catalog, policy: ScorePolicy,
                 report: RunReport) -> pd.DataFrame:
    """Every score from the leaderboards and the curated table, matched to the catalog, one chosen per benchmark."""
    with_scores = [item for item in parsed.ok() if item.outcome is None or item.outcome.n_scores]  # no record loads for price lists
    records = [(item.capture.source_id, r) for item in with_scores for r in item.result.scores]  # type: ignore[union-attr]
    rows = pd.concat([score_rows(records), reference_score_rows(reference.scores)], ignore_index=True)
    matched = match_score_rows(rows, catalog, policy)
    table = scores_table(matched, policy)
    found = disagreements(table, policy)
    report.sections["scores"] = {
        "rows": len(table),
        "unmatched_rows": int(matched["model_id"].isna().sum()),
        "disagreements_over_threshold": format_disagreements(found),
        "unmatched_names": unmatched_score_names(matched).head(200).to_dict("records"),
    }
    return table


def evidence_captures(settings: Settings, prices: pd.DataFrame) -> pd.DataFrame:
    """The parsed captures (``CAPTURE_INDEX_COLUMNS``) at the first and last observation of each
    price row's listing: all ``price_changes`` looks up, from the raw index."""
    keys: list[tuple[str, str, datetime]] = []
    for column in ("observed_at", "last_observed_at"):
        if column in prices.columns and len(prices):
            at = prices[["source_id", "capture_url", column]].dropna().drop_duplicates()
            keys += zip(at["source_id"], at["capture_url"], pd.to_datetime(at[column], utc=True).dt.to_pydatetime(), strict=True)
    index = raw_index(settings)
    try:
        return pd.DataFrame(index.usable_captures_at(keys), columns=CAPTURE_INDEX_COLUMNS)
    finally:
        index.close()



def build(settings: Settings, report: RunReport, source_ids: list[str] | None = None, full: bool = False,
          keep_read: bool = False) -> BuildResult:
    """Bring the build state up to date with the raw store and assemble every table of the release.

    Only captures added since the last build are read (``buildstate``); ``full`` forgets the
    state and the raw index first and rebuilds them from the raw store (the same tables).
    ``parsed`` holds one parsed capture per version of a listing.
    A malformed curated reference file stops the build (``ReferenceDataError`` naming file and
    line): it is ours to fix, and publishing without it would silently change the series.
    """
    reference = load_reference(settings.reference_dir)
    if full:
        forget(settings)
    state = BuildState(settings, keep_read=keep_read)
    try:
        state.update(report)
        wanted = set(source_ids) if source_ids else None
        parsed = state.parsed(wanted)
        memo = CatalogMemo(state_dir(settings), catalog_key(settings.reference_dir, parsed))
        built = memo.load() or build_catalog(reference, newest_model_records(parsed))
        catalog = built.catalog
        listed = state.prices(wanted, catalog, memo.key)  # runs split where a name's meaning in the catalog changes
        read = state.read
    finally:
        state.close()
    prices = assign_model_ids(listed, catalog)
    log.info("built prices: %s rows from %s captures", len(prices), len(parsed.ok()))
    report.sections["matching"] = format_summary(match_summary(prices, catalog)) if len(prices) else []
    tables = {
        "prices": prices,
        "models": built.models.reindex(columns=MODELS.column_names),
        "model_aliases": built.aliases,
        "scores": scores_frame(parsed, reference, catalog, ScorePolicy.from_settings(settings), report),
        "unmatched_models": unmatched_table(prices, catalog),
        "token_usage": token_usage_table(parsed.ok(), catalog, built.models, TOKEN_USAGE.column_names),
    }
    report.sections["catalog"] = catalog_section(built, prices, tables["scores"], settings.quality_levels)
    report.sections["build"] = {"captures_parsed_ok": len(parsed.ok()), **{f"{k}_rows": len(v) for k, v in tables.items()}}
    memo.save(built)  # with the names this build matched
    return BuildResult(tables=tables, parsed=parsed, reference=reference, read=read)


#: The columns of ``price_intervals`` the level series read, and all that their kept result is keyed by
#: (a night that only saw the same prices again changes ``last_seen`` and ``n_captures``, nothing here).
LEVEL_INTERVAL_COLUMNS = ["model_id", "provider", "valid_from", "valid_to", "input_usd_per_mtok", "output_usd_per_mtok",
                          "is_free", "evidence"]


def level_series(settings: Settings, intervals: pd.DataFrame, scores: pd.DataFrame,
                 months: pd.DatetimeIndex) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``cheapest_by_quality`` and ``decline_rates`` of the token blends, kept between builds
    (:mod:`llmflation.kept`): while no price interval, level score, month or setting changed, they are
    what the last build made, and fitting every level again would cost as much as on a night of changes."""
    levels, blends = settings.quality_levels, settings.blends
    priced = intervals.reindex(columns=LEVEL_INTERVAL_COLUMNS)
    digest = hashlib.sha256()
    package_digest(digest)
    frame_digest(digest, "intervals", priced)
    frame_digest(digest, "scores", scores)
    digest.update(repr(([m.isoformat() for m in months], list(levels), list(blends))).encode())
    kept = KeptResult(state_dir(settings) / "levels.pickle", digest.hexdigest(), tuple)
    found = kept.load()
    if found is not None:
        return found
    cheapest = cheapest_by_quality(priced, scores, months, levels, blends)
    rates = decline_rates(cheapest, priced, scores, levels, blends)
    kept.save((cheapest, rates))
    return cheapest, rates


def analyze(settings: Settings, report: RunReport, result: BuildResult, now: datetime | None = None) -> None:
    """Add the analysis tables and the chart to a validated build: intervals, cheapest per level, decline rates.

    Runs on the prices that passed validation, so a held-out price never reaches the series.
    Curated reference prices cover the months before any capture; captured prices take
    precedence where they exist, and every disagreement between the two is in the report.
    """
    assert result.reference is not None
    reference = result.reference
    prices = result.tables["prices"]
    observations = pd.concat(
        [reference_observations(reference.prices), capture_observations(prices)], ignore_index=True
    )
    now = pd.Timestamp(now or datetime.now(UTC))
    horizon = pd.Timedelta(days=settings.analysis.evidence_horizon_days)
    intervals, disagreements = price_intervals(observations, reference.models, source_captures(prices),
                                               evidence_horizon=horizon, as_of=now)
    levels, blends = settings.quality_levels, settings.blends
    classes = level_classes(levels, settings.level_settings)
    scores = scores_for_levels(chosen_scores(result.tables["scores"]), classes)
    months = month_starts(settings.series_start, now)
    cheapest, rates = level_series(settings, intervals, scores, months)
    result.tables.update({"price_intervals": intervals, "cheapest_by_quality": cheapest, "decline_rates": rates})
    chart_blend = "1:1" if "1:1" in blends else blends[0]
    per_task = add_per_task(result.tables, report.sections, intervals, scores, months, levels,  # cost per task
                            chart_blend, run_scores(result.parsed.ok()), classes)
    report.sections.setdefault("catalog", {})["cheapest_months_of_new_models"] = cheapest_months_by_model_year(
        cheapest, result.tables["models"])
    result.tables["price_changes"] = price_changes(prices, evidence_captures(settings, prices), reference.prices)
    data_to = newest_evidence(intervals)
    report.sections["analysis"] = {
        "headline": headline_lines(result.tables["cheapest_by_quality"], result.tables["decline_rates"], data_to),
        "data_to": data_to.isoformat() if data_to is not None else None,
        "capture_reference_disagreements": [d.describe() for d in disagreements],
        "not_comparable": format_not_comparable(not_comparable_for_levels(result.tables["scores"], levels, classes)),
    }
    if (cheapest["blend"] == chart_blend).any():
        result.extra_files["llmflation.png"] = lambda path: render_chart(cheapest, rates, path, blend=chart_blend,
                                                                        data_to=data_to, per_task=per_task)
    log.info("analysis: %s intervals, %s monthly rows, %s fits; %s capture/reference disagreements",
             len(intervals), len(cheapest), int(rates["factor_per_year"].notna().sum()), len(disagreements))
