"""How much of what is priced the catalog knows: the ``catalog`` section of ``run_report.json``.

Measured on each listing's current version (the rows of a source's URL last observed latest):

- the share of priced text models matched to a catalog model, per price source, and per year the
  source first listed the model (OpenRouter's ``created``; else the release date the source states;
  else ``unknown``);
- the share of matched models that have a score on the benchmark of a default quality level, and
  the share that reach at least one default level;
- the months in which a model first listed or released in a given year is the cheapest at some level.

Price rows are text models already (parsers skip image, audio and embedding models); free and
``$0`` rows are not "priced" and are left out.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from llmflation.catalog import CatalogBuild

UNKNOWN_YEAR = "unknown"


def current_priced_rows(prices: pd.DataFrame) -> pd.DataFrame:
    """Non-free ``standard`` rows of each listing's latest version (source and URL)."""
    if prices.empty:
        return prices
    rows = prices[(prices["tier"] == "standard") & ~prices["is_free"].astype(bool)]
    latest = rows.groupby(["source_id", "capture_url"])["last_observed_at"].transform("max")
    return rows[rows["last_observed_at"] == latest]


def listing_years(built: CatalogBuild) -> dict[tuple[str, str], str]:
    """(source_id, model_key) -> the year the source first listed the model, from its model records."""
    return {key: str(when.year) for key, when in built.listed.items()}


def matched_shares(prices: pd.DataFrame, built: CatalogBuild) -> pd.DataFrame:
    """One row per (source_id, year first listed), and per source ``year = "all"``: distinct priced
    model names, how many matched a catalog model, and the share (0-1)."""
    rows = current_priced_rows(prices)
    columns = ["source_id", "year", "n_models", "n_matched", "share_matched"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    names = rows.assign(matched=rows["model_id"].notna()).groupby(["source_id", "model_key"], sort=True)["matched"].any()
    frame = names.reset_index()
    years = listing_years(built)
    frame["year"] = [years.get((s, k), UNKNOWN_YEAR) for s, k in zip(frame["source_id"], frame["model_key"])]
    out = []
    for source_id, group in frame.groupby("source_id", sort=True):
        for year, part in [("all", group), *group.groupby("year", sort=True)]:
            n_models, n_matched = len(part), int(part["matched"].sum())
            out.append({"source_id": source_id, "year": year, "n_models": n_models, "n_matched": n_matched,
                        "share_matched": round(n_matched / n_models, 4) if n_models else 0.0})
    return pd.DataFrame(out, columns=columns)


def score_coverage(prices: pd.DataFrame, scores: pd.DataFrame, levels: Sequence[tuple[str, float]]) -> dict[str, object]:
    """Of the models matched by current priced rows: how many have a chosen score on a default level's
    benchmark, and how many reach at least one default level."""
    matched = set(current_priced_rows(prices)["model_id"].dropna()) if len(prices) else set()
    benchmarks = {benchmark for benchmark, _ in levels}
    chosen = scores[scores["chosen"].astype(bool)] if len(scores) else scores
    scored = chosen[chosen["benchmark"].isin(benchmarks) & chosen["model_id"].isin(matched)] if len(chosen) else chosen
    reach = {
        model_id for model_id, benchmark, score in
        (zip(scored["model_id"], scored["benchmark"], scored["score"]) if len(scored) else [])
        if any(benchmark == b and score >= t for b, t in levels)
    }
    n_scored = len(set(scored["model_id"])) if len(scored) else 0
    return {
        "levels": [f"{b} >= {t:g}" for b, t in levels],
        "n_matched_models": len(matched),
        "n_with_score_on_a_level_benchmark": n_scored,
        "share_with_score_on_a_level_benchmark": round(n_scored / len(matched), 4) if matched else 0.0,
        "n_reaching_a_level": len(reach),
        "share_reaching_a_level": round(len(reach) / len(matched), 4) if matched else 0.0,
    }


def cheapest_months_by_model_year(cheapest: pd.DataFrame, models: pd.DataFrame) -> dict[str, list[str]]:
    """Year a model appeared (release date, else first listing) -> the months (``YYYY-MM benchmark >= t blend``)
    where a model of that year is the cheapest at a level; only years from 2026 on, the catalog's new models."""
    if cheapest.empty or models.empty:
        return {}
    appeared = models.set_index("model_id")["release_date"].combine_first(models.set_index("model_id")["first_listed_at"])
    out: dict[str, list[str]] = {}
    for row in cheapest.itertuples(index=False):
        when = appeared.get(row.model_id)
        if when is None or pd.isna(when) or when.year < 2026:
            continue
        out.setdefault(str(when.year), []).append(
            f"{pd.Timestamp(row.month):%Y-%m} {row.benchmark} >= {row.threshold:g} ({row.blend}): {row.model_id}")
    return out


def catalog_section(built: CatalogBuild, prices: pd.DataFrame, scores: pd.DataFrame,
                    levels: Sequence[tuple[str, float]]) -> dict[str, object]:
    """The ``catalog`` section of the run report (see the module doc)."""
    shares = matched_shares(prices, built)
    return {
        **built.summary(),
        "matched_share": shares.to_dict("records"),
        "scores_at_default_levels": score_coverage(prices, scores, levels),
    }
