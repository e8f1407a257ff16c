"""The array path for (model, provider)s one listing states gives the walk's intervals exactly.

Random histories: versions of four listings with absences, returns, repeated and equal-valued
prices (``1`` and ``1.0``), free and zero prices, two rows of one model in one capture, unmatched
rows, non-standard tiers, curated reference rows, a retirement and the evidence horizon.
"""

from __future__ import annotations

import random
from decimal import Decimal

import pandas as pd
import pytest

from llmflation.analyze import capture_observations, price_intervals, reference_observations, source_captures
from llmflation.analyze.intervals import _capture_times, _prepare_observations
from llmflation.analyze.listing_runs import keeps_later, single_listing_spans
from llmflation.price_runs import record_runs

PRICES = [Decimal("1"), Decimal("1.0"), Decimal("2.5"), Decimal("0.4"), Decimal("0"), None]


def random_history(rng: random.Random) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A prices table of versions of a few listings (absences, returns, repeats, two rows in one
    capture, unmatched rows) and curated reference rows for some groups."""
    rows = []
    listings = {("litellm", "https://l/1"): ["p1", "p2", "p3"], ("genai_prices", "https://g/1"): ["p1"],
                ("openrouter", "https://o/a"): ["p4"], ("openrouter", "https://o/b"): ["p2", "p5"]}
    models = [f"m{i}" for i in range(5)]
    kept: dict[tuple, dict] = {}
    for (source_id, url), providers in listings.items():
        day = pd.Timestamp("2025-01-01", tz="UTC") + pd.Timedelta(hours=rng.randrange(0, 48))
        for version in range(rng.randrange(1, 9)):
            first = day
            last = first + pd.Timedelta(days=rng.choice([0, 0, 1, 5, 20]))
            n = 1 if last == first else rng.randrange(2, 30)
            sha = f"{source_id}-{url}-{version}"
            for model in rng.sample(models, rng.randrange(1, len(models))):
                for provider in rng.sample(providers, rng.randrange(1, len(providers) + 1)):
                    copies = 2 if rng.random() < 0.1 else 1
                    for copy in range(copies):
                        entry = kept.get((url, model, provider, copy))
                        if entry is None or rng.random() < 0.3:  # most entries stay as they were in the last version
                            entry = kept[(url, model, provider, copy)] = {
                                "model_id": model if rng.random() > 0.03 else None,
                                "input_usd_per_mtok": rng.choice(PRICES[:5]), "output_usd_per_mtok": rng.choice(PRICES),
                                "is_free": rng.random() < 0.05, "tier": "standard" if rng.random() > 0.05 else "batch"}
                        rows.append({
                            **entry, "provider": provider, "observed_at": first, "last_observed_at": last, "n_captures": n,
                            "source_id": source_id, "capture_url": url, "capture_sha256": sha,
                        })
            day = last + pd.Timedelta(days=rng.choice([1, 1, 3]), seconds=rng.choice([0, 0, 7]))
    reference = []
    for model in rng.sample(models, 2):
        reference.append({"model_id": model, "provider": rng.choice(["p1", "p3", "p4"]),
                          "valid_from": pd.Timestamp("2024-12-01", tz="UTC") + pd.Timedelta(days=rng.randrange(0, 90)),
                          "valid_to": pd.NaT, "input_usd_per_mtok": Decimal("3"), "output_usd_per_mtok": Decimal("4"),
                          "is_free": False, "source_url": f"https://ref/{model}", "last_confirmed": pd.NaT})
    return pd.DataFrame(rows), pd.DataFrame(reference)


def as_runs(versions: pd.DataFrame) -> pd.DataFrame:
    """The rows of a history of versions as the ``prices`` table holds them: one per run of one entry."""
    listing = pd.factorize(versions["source_id"] + " " + versions["capture_url"])[0]
    position = pd.Series(versions["observed_at"]).groupby(listing).rank(method="dense").astype(int).to_numpy()
    entry = pd.factorize(pd.Series(list(zip(*(versions[c].astype(str) for c in (
        "model_id", "provider", "input_usd_per_mtok", "output_usd_per_mtok", "is_free", "tier")), strict=True))))[0]
    runs = record_runs(listing, position, entry, versions["n_captures"].to_numpy())
    starts = versions.groupby(listing)["observed_at"].apply(lambda t: sorted(set(t)))
    ends = [starts[listing[i]][position[i]] if position[i] < len(starts[listing[i]]) else pd.NaT for i in runs.last]
    heads = versions.assign(listing=listing).drop_duplicates(["listing", "observed_at"]).sort_values(["listing", "observed_at"])
    numbers = heads.groupby("listing")["n_captures"].cumsum() - heads["n_captures"] + 1  # each version's first capture
    number = dict(zip(zip(heads["listing"], heads["observed_at"], strict=True), numbers, strict=True))
    first = versions.iloc[runs.first]
    return first.assign(
        last_observed_at=versions["last_observed_at"].to_numpy()[runs.last], ended_at=ends, n_captures=runs.n_captures,
        first_capture_number=[number[key] for key in zip(listing[runs.first], first["observed_at"], strict=True)],
    ).reset_index(drop=True)


def intervals(prices: pd.DataFrame, reference: pd.DataFrame, fast: bool, retired: dict[str, str]):
    observations = pd.concat([reference_observations(reference), capture_observations(prices)], ignore_index=True)
    models = pd.DataFrame({"model_id": list(retired), "retired_date": pd.to_datetime(list(retired.values()), utc=True)})
    return price_intervals(observations, models, source_captures(prices), evidence_horizon=pd.Timedelta(days=30),
                           as_of=pd.Timestamp("2025-06-01", tz="UTC"), fast=fast)


@pytest.mark.parametrize("seed", range(60))
def test_the_array_path_gives_the_walks_intervals(seed: int) -> None:
    rng = random.Random(seed)
    prices, reference = random_history(rng)
    if seed % 2:  # rows as the prices table holds them (runs spanning versions); or one row per version
        prices = as_runs(prices)
    retired = {"m1": "2025-02-10"} if seed % 3 == 0 else {}
    fast = intervals(prices, reference, True, retired)
    walked = intervals(prices, reference, False, retired)
    pd.testing.assert_frame_equal(fast.intervals, walked.intervals)
    assert fast.disagreements == walked.disagreements


def test_the_array_path_decides_single_listing_groups_and_leaves_the_others() -> None:
    """Not vacuous: groups of one listing are decided by the array path, the rest are walked."""
    rng = random.Random(7)
    prices, reference = random_history(rng)
    observations = pd.concat([reference_observations(reference), capture_observations(prices)], ignore_index=True)
    obs = _prepare_observations(observations)
    decided, taken = single_listing_spans(obs, _capture_times(source_captures(prices)))
    groups = obs.groupby(["model_id", "provider"])
    single = {key for key, rows in groups if rows["listing"].nunique() == 1 and (rows["kind"] == "capture").all()}
    # Left to the walk among those: a row at a capture that another row's span holds (two names of one model).
    spans_overlap = {key for key, rows in groups if key in single
                     and (rows["observed_at"].iloc[1:].to_numpy() < rows["seen_until"].iloc[:-1].to_numpy()).any()}
    assert decided and set(decided) == single - spans_overlap and spans_overlap
    assert any(rows.duplicated(["observed_at"]).any() for key, rows in groups if key in set(decided))  # two rows, one capture
    assert taken.sum() == sum(len(rows) for key, rows in groups if key in set(decided))


def test_runs_spanning_versions_are_decided_by_the_array_path() -> None:
    prices, reference = random_history(random.Random(11))
    runs = as_runs(prices)
    assert len(runs) < len(prices)  # entries kept by later versions are one row
    obs = _prepare_observations(pd.concat([reference_observations(reference), capture_observations(runs)], ignore_index=True))
    times = _capture_times(source_captures(runs))
    decided, _ = single_listing_spans(obs, times)
    spanning = obs[[any(a < t < b for t in times.get(listing, ())) for a, b, listing
                    in zip(obs["observed_at"], obs["seen_until"], obs["listing"], strict=True)]]
    assert any((m, p) in decided for m, p in zip(spanning["model_id"], spanning["provider"], strict=True))


@pytest.mark.parametrize(("earlier", "later", "kept_later"), [
    ((Decimal("1"), Decimal("2"), False), (Decimal("1.0"), Decimal("2"), False), True),  # the same price: the later row
    ((Decimal("1"), Decimal("2"), False), (Decimal("0.5"), Decimal("9"), False), True),   # the lower input
    ((Decimal("0.5"), Decimal("9"), False), (Decimal("1"), Decimal("2"), False), False),
    ((Decimal("1"), Decimal("3"), False), (Decimal("1"), Decimal("2"), False), True),     # then the lower output
    ((Decimal("1"), Decimal("2"), False), (Decimal("1"), Decimal("2"), True), False),     # a tie: the earlier row
    ((Decimal("1"), Decimal("2"), False), (Decimal("0"), Decimal("0"), True), False),     # zero counts as the highest
    ((None, Decimal("2"), False), (Decimal("5"), Decimal("2"), False), True),            # so does a missing amount
])
def test_two_rows_of_one_capture_keep_the_lower_paid_price(earlier, later, kept_later) -> None:
    assert keeps_later(earlier, later) is kept_later
