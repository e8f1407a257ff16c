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

PRICES = [Decimal("1"), Decimal("1.0"), Decimal("2.5"), Decimal("0.4"), Decimal("0"), None]


def random_history(rng: random.Random) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A prices table of versions of a few listings (absences, returns, repeats, two rows in one
    capture, unmatched rows) and curated reference rows for some groups."""
    rows = []
    listings = {("litellm", "https://l/1"): ["p1", "p2", "p3"], ("genai_prices", "https://g/1"): ["p1"],
                ("openrouter", "https://o/a"): ["p4"], ("openrouter", "https://o/b"): ["p2", "p5"]}
    models = [f"m{i}" for i in range(5)]
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
                    for _ in range(copies):
                        rows.append({
                            "model_id": model if rng.random() > 0.03 else None, "provider": provider,
                            "observed_at": first, "last_observed_at": last, "n_captures": n,
                            "input_usd_per_mtok": rng.choice(PRICES[:5]), "output_usd_per_mtok": rng.choice(PRICES),
                            "is_free": rng.random() < 0.05, "tier": "standard" if rng.random() > 0.05 else "batch",
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


def intervals(prices: pd.DataFrame, reference: pd.DataFrame, fast: bool, retired: dict[str, str]):
    observations = pd.concat([reference_observations(reference), capture_observations(prices)], ignore_index=True)
    models = pd.DataFrame({"model_id": list(retired), "retired_date": pd.to_datetime(list(retired.values()), utc=True)})
    return price_intervals(observations, models, source_captures(prices), evidence_horizon=pd.Timedelta(days=30),
                           as_of=pd.Timestamp("2025-06-01", tz="UTC"), fast=fast)


@pytest.mark.parametrize("seed", range(60))
def test_the_array_path_gives_the_walks_intervals(seed: int) -> None:
    rng = random.Random(seed)
    prices, reference = random_history(rng)
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
    assert decided and set(decided) == single
    assert any(rows.duplicated(["observed_at"]).any() for key, rows in groups if key in single)  # two rows, one capture
    assert taken.sum() == sum(len(rows) for key, rows in groups if key in single)


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
