"""Price intervals on small hand-made histories whose intervals are known exactly."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from llmflation.analyze.intervals import INTERVAL_COLUMNS, price_intervals

D = Decimal


def ts(day: str) -> pd.Timestamp:
    return pd.Timestamp(day, tz="UTC")


def obs(
    day: str,
    inp: str | None,
    out: str | None,
    *,
    kind: str = "capture",
    source: str = "openai_pricing",
    model: str = "gpt-x",
    provider: str = "openai",
    valid_to: str | None = None,
    evidence: str | None = None,
    tier: str = "standard",
    is_free: bool = False,
) -> dict[str, object]:
    return {
        "model_id": model,
        "provider": provider,
        "observed_at": ts(day),
        "input_usd_per_mtok": None if inp is None else D(inp),
        "output_usd_per_mtok": None if out is None else D(out),
        "source_id": source,
        "evidence": evidence or (f"sha-{source}-{day}" if kind == "capture" else f"https://example.org/{day}"),
        "kind": kind,
        "valid_to": ts(valid_to) if valid_to else pd.NaT,
        "is_free": is_free,
        "tier": tier,
    }


def build(rows: list[dict[str, object]], captures: dict[str, list[str]] | None = None, retired: dict[str, str] | None = None):
    observations = pd.DataFrame(rows)
    if captures is None:  # every capture listed something: the capture times are the listing times
        captures = {}
        for row in rows:
            if row["kind"] == "capture":
                captures.setdefault(row["source_id"], []).append(row["observed_at"].strftime("%Y-%m-%d"))
    source_captures = pd.DataFrame(
        [{"source_id": s, "observed_at": ts(d)} for s, days in captures.items() for d in days],
        columns=["source_id", "observed_at"],
    )
    models = pd.DataFrame(
        [{"model_id": m, "retired_date": ts(d)} for m, d in (retired or {}).items()], columns=["model_id", "retired_date"]
    )
    return price_intervals(observations, models, source_captures)


def spans(table: pd.DataFrame) -> list[tuple[str, str | None, str | None, str | None]]:
    """(valid_from, valid_to, input, output) as short strings, for exact comparison."""
    return [
        (
            r.valid_from.strftime("%Y-%m-%d"),
            None if pd.isna(r.valid_to) else r.valid_to.strftime("%Y-%m-%d"),
            None if r.input_usd_per_mtok is None else str(r.input_usd_per_mtok),
            None if r.output_usd_per_mtok is None else str(r.output_usd_per_mtok),
        )
        for r in table.itertuples()
    ]


def test_price_holds_until_a_different_price_is_observed() -> None:
    result = build(
        [
            obs("2024-01-01", "10", "30"),
            obs("2024-02-01", "10", "30"),
            obs("2024-03-01", "5", "15"),
            obs("2024-04-01", "5", "15"),
        ]
    )
    table = result.intervals

    assert list(table.columns) == INTERVAL_COLUMNS
    assert spans(table) == [("2024-01-01", "2024-03-01", "10", "30"), ("2024-03-01", None, "5", "15")]
    assert table["n_captures"].tolist() == [2, 2]
    assert table["first_seen"].tolist() == [ts("2024-01-01"), ts("2024-03-01")]
    assert table["last_seen"].tolist() == [ts("2024-02-01"), ts("2024-04-01")]
    assert table["evidence"].tolist() == ["sha-openai_pricing-2024-01-01", "sha-openai_pricing-2024-03-01"]
    assert str(table["valid_from"].dtype) == "datetime64[us, UTC]"
    assert result.disagreements == []


def test_a_model_missing_from_a_later_capture_of_its_source_is_withdrawn() -> None:
    result = build(
        [obs("2024-01-01", "10", "30"), obs("2024-02-01", "10", "30")],
        captures={"openai_pricing": ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]},
    )

    assert spans(result.intervals) == [("2024-01-01", "2024-03-01", "10", "30")]


def test_a_model_that_comes_back_starts_a_new_interval() -> None:
    result = build(
        [obs("2024-01-01", "10", "30"), obs("2024-03-01", "10", "30")],
        captures={"openai_pricing": ["2024-01-01", "2024-02-01", "2024-03-01"]},
    )

    assert spans(result.intervals) == [("2024-01-01", "2024-02-01", "10", "30"), ("2024-03-01", None, "10", "30")]


def test_absence_from_one_source_does_not_withdraw_a_model_another_source_still_lists() -> None:
    result = build(
        [
            obs("2024-01-01", "10", "30", source="openai_pricing"),
            obs("2024-01-05", "10", "30", source="litellm"),
            obs("2024-03-01", "10", "30", source="openai_pricing"),
        ],
        captures={"openai_pricing": ["2024-01-01", "2024-03-01"], "litellm": ["2024-01-05", "2024-02-05"]},
    )

    assert spans(result.intervals) == [("2024-01-01", None, "10", "30")]
    assert result.intervals["n_captures"].tolist() == [3]


def test_retirement_ends_the_price_and_later_evidence_is_dropped() -> None:
    result = build(
        [obs("2024-01-01", "10", "30"), obs("2024-06-01", "8", "24")],
        retired={"gpt-x": "2024-05-15"},
    )

    assert spans(result.intervals) == [("2024-01-01", "2024-05-15", "10", "30")]


def test_reference_rows_chain_and_respect_a_stated_end() -> None:
    result = build(
        [
            obs("2021-11-18", "60", "60", kind="reference", source="reference"),
            obs("2022-09-01", "20", "20", kind="reference", source="reference"),
            obs("2023-03-01", "2", "2", kind="reference", source="reference", valid_to="2024-01-04"),
        ],
        captures={},
    )

    assert spans(result.intervals) == [
        ("2021-11-18", "2022-09-01", "60", "60"),
        ("2022-09-01", "2023-03-01", "20", "20"),
        ("2023-03-01", "2024-01-04", "2", "2"),
    ]
    assert result.intervals["n_captures"].tolist() == [0, 0, 0]
    assert result.intervals["evidence"].iloc[0] == "https://example.org/2021-11-18"


def test_captures_take_precedence_over_reference_rows_for_the_period_they_cover() -> None:
    result = build(
        [
            obs("2023-01-01", "30", "60", kind="reference", source="reference"),
            obs("2023-06-01", "10", "30", kind="reference", source="reference"),  # inside capture coverage
            obs("2023-04-01", "30", "60"),
            obs("2023-08-01", "12", "30"),  # the page said 12, the reference 10
            obs("2023-09-01", "12", "30"),
            obs("2024-01-01", "5", "15", kind="reference", source="reference"),  # dated after the last capture
        ]
    )

    assert spans(result.intervals) == [
        ("2023-01-01", "2023-04-01", "30", "60"),
        ("2023-04-01", "2023-08-01", "30", "60"),
        ("2023-08-01", "2024-01-01", "12", "30"),
        ("2024-01-01", None, "5", "15"),
    ]
    assert result.intervals["source_id"].tolist() == ["reference", "openai_pricing", "openai_pricing", "reference"]
    [disagreement] = result.disagreements  # one per captured price, not one per capture
    assert disagreement.observed_at == ts("2023-08-01")
    assert (disagreement.capture_input_usd_per_mtok, disagreement.reference_input_usd_per_mtok) == (D("12"), D("10"))
    assert disagreement.reference_evidence == "https://example.org/2023-06-01"
    assert "reference says $10/$30" in disagreement.describe()


def test_agreeing_capture_and_reference_report_no_disagreement() -> None:
    result = build(
        [obs("2023-01-01", "30", "60", kind="reference", source="reference"), obs("2023-04-01", "30.0", "60.00")]
    )

    assert result.disagreements == []


def test_non_standard_tiers_are_left_out_and_free_is_carried() -> None:
    result = build(
        [
            obs("2024-01-01", "5", "15", tier="batch"),
            obs("2024-01-01", "0", "0", model="free-x", is_free=True),
        ]
    )

    assert result.intervals["model_id"].tolist() == ["free-x"]
    assert result.intervals["is_free"].tolist() == [True]


def test_providers_are_kept_apart() -> None:
    result = build(
        [
            obs("2024-01-01", "1", "1", provider="together", source="together_pricing"),
            obs("2024-01-01", "2", "2", provider="groq", source="groq_pricing"),
        ]
    )

    assert result.intervals["provider"].tolist() == ["groq", "together"]
    assert spans(result.intervals) == [("2024-01-01", None, "2", "2"), ("2024-01-01", None, "1", "1")]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (obs("2024-01-01", "-1", "2"), "negative input_usd_per_mtok for gpt-x at openai"),
        (obs("2024-01-01", "1", "2", kind="guess"), "kind must be 'capture' or 'reference'"),
        (obs("2024-02-01", "1", "2", kind="reference", valid_to="2024-01-01"), "ends"),
    ],
)
def test_bad_observations_are_errors_that_say_what_is_wrong(row: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build([row], captures={})


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValueError, match=r"lack columns \['kind'\]"):
        price_intervals(
            pd.DataFrame([obs("2024-01-01", "1", "1")]).drop(columns="kind"),
            pd.DataFrame(columns=["model_id", "retired_date"]),
            pd.DataFrame(columns=["source_id", "observed_at"]),
        )


def test_the_optional_columns_may_be_absent() -> None:
    observations = pd.DataFrame([obs("2024-01-01", "1", "2"), obs("2024-02-01", "1", "3")])[
        ["model_id", "provider", "observed_at", "input_usd_per_mtok", "output_usd_per_mtok", "source_id", "evidence", "kind"]
    ]

    result = price_intervals(
        observations,
        pd.DataFrame(columns=["model_id", "retired_date"]),
        pd.DataFrame({"source_id": ["openai_pricing"] * 2, "observed_at": [ts("2024-01-01"), ts("2024-02-01")]}),
    )

    assert spans(result.intervals) == [("2024-01-01", "2024-02-01", "1", "2"), ("2024-02-01", None, "1", "3")]
    assert result.intervals["is_free"].tolist() == [False, False]


# --- evidence has an age: an uncontradicted price holds until its last evidence plus the horizon ---


def _aged(rows: list[dict[str, object]], as_of: str, horizon_days: int = 90) -> pd.DataFrame:
    observations = pd.DataFrame(rows)
    captures = pd.DataFrame([{"source_id": r["source_id"], "observed_at": r["observed_at"]} for r in rows
                             if r["kind"] == "capture"], columns=["source_id", "observed_at"])
    models = pd.DataFrame(columns=["model_id", "retired_date"])
    return price_intervals(observations, models, captures, evidence_horizon=pd.Timedelta(days=horizon_days),
                           as_of=ts(as_of)).intervals


def test_an_open_reference_price_ends_a_horizon_after_its_last_confirmation() -> None:
    row = {**obs("2025-08-30", "0.01", "0.005", kind="reference", source="reference"), "last_confirmed": ts("2025-09-15")}
    table = _aged([row], as_of="2026-12-02")
    assert spans(table) == [("2025-08-30", "2025-12-14", "0.01", "0.005")]  # 2025-09-15 + 90 days
    assert table["last_seen"].iloc[0] == ts("2025-09-15")
    # without a last_confirmed the row is its only evidence: valid_from + 90 days
    bare = obs("2025-08-30", "0.01", "0.005", kind="reference", source="reference")
    assert spans(_aged([bare], as_of="2026-12-02")) == [("2025-08-30", "2025-11-28", "0.01", "0.005")]


def test_an_open_capture_price_ends_a_horizon_after_its_last_capture_and_stays_open_while_fresh() -> None:
    rows = [obs("2026-01-01", "1", "2"), obs("2026-03-01", "1", "2")]
    assert spans(_aged(rows, as_of="2026-12-02")) == [("2026-01-01", "2026-05-30", "1", "2")]
    assert spans(_aged(rows, as_of="2026-04-01")) == [("2026-01-01", None, "1", "2")]  # the end is still ahead


def test_a_contradicted_price_keeps_the_end_its_contradiction_gives() -> None:
    """The horizon cuts only what nothing ended: a price replaced a year later held until then."""
    rows = [obs("2024-01-01", "1", "2", kind="reference", source="reference"),
            obs("2025-01-01", "0.5", "1", kind="reference", source="reference")]
    assert spans(_aged(rows, as_of="2026-12-02")) == [("2024-01-01", "2025-01-01", "1", "2"),
                                                      ("2025-01-01", "2025-04-01", "0.5", "1")]


def test_two_sources_changing_at_the_same_second_give_one_interval_decided_by_precedence() -> None:
    """litellm and genai_prices both show a new price at the same instant: one interval starts
    there (no duplicate key), and the source first in the registry (litellm) states its price,
    whichever order the rows arrive in."""
    rows = [
        obs("2025-01-01", "2", "8", source="genai_prices"),
        obs("2025-01-01", "2", "8", source="litellm"),
        obs("2025-02-01 03:00:00", "1.5", "6", source="genai_prices"),
        obs("2025-02-01 03:00:00", "1", "4", source="litellm"),
    ]
    for ordered in (rows, rows[::-1]):
        table = build(ordered).intervals
        assert not table.duplicated(["model_id", "provider", "valid_from"]).any()
        assert spans(table) == [("2025-01-01", "2025-02-01", "2", "8"), ("2025-02-01", None, "1", "4")]
        assert table["source_id"].tolist() == ["litellm", "litellm"]
        assert table["n_captures"].tolist() == [2, 1]


def test_same_instant_in_one_source_takes_the_lower_price_then_the_listing_name() -> None:
    """Two OpenRouter endpoints lists (two listings of one source) at one instant: the lower price wins."""
    rows = [
        {**obs("2025-03-01", "3", "3", source="openrouter"), "listing": "openrouter b"},
        {**obs("2025-03-01", "2", "5", source="openrouter"), "listing": "openrouter a"},
        {**obs("2025-03-01", "2", "4", source="openrouter"), "listing": "openrouter c"},
    ]
    table = build(rows).intervals
    assert spans(table) == [("2025-03-01", None, "2", "4")]
    assert table["n_captures"].tolist() == [1]
