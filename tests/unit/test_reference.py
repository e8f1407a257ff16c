"""The curated reference data loads, holds the facts the series rests on, and every check fires on bad data."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from llmflation.reference import (
    ReferenceDataError,
    load_aliases,
    load_models,
    load_prices,
    load_reference,
    load_scores,
)

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"


@pytest.fixture(scope="module")
def reference():
    return load_reference(REFERENCE)


# --- the real files ----------------------------------------------------------------------------


def test_real_files_load_with_their_types(reference) -> None:
    assert len(reference.models) >= 100
    assert str(reference.models["release_date"].dtype) == "datetime64[us, UTC]"
    assert str(reference.prices["valid_from"].dtype) == "datetime64[us, UTC]"
    assert all(isinstance(v, Decimal) for v in reference.prices["input_usd_per_mtok"])
    assert reference.models["open_weights"].dtype == bool
    assert set(reference.aliases["model_id"]) == set(reference.models["model_id"]), "every model has an alias"
    assert set(reference.prices["model_id"]) <= set(reference.models["model_id"])


def _price(reference, model_id: str, on: str) -> tuple[Decimal, Decimal]:
    rows = reference.prices[
        (reference.prices["model_id"] == model_id) & (reference.prices["valid_from"] == pd.Timestamp(on, tz="UTC"))
    ]
    assert len(rows) == 1, f"expected one {model_id} price from {on}"
    return rows.iloc[0]["input_usd_per_mtok"], rows.iloc[0]["output_usd_per_mtok"]


def test_spot_prices(reference) -> None:
    assert _price(reference, "davinci", "2021-11-18") == (Decimal(60), Decimal(60))
    assert _price(reference, "davinci", "2022-09-01") == (Decimal(20), Decimal(20))
    assert _price(reference, "gpt-4-0314", "2023-03-14") == (Decimal(30), Decimal(60))
    assert _price(reference, "gpt-3.5-turbo-0301", "2023-03-01") == (Decimal(2), Decimal(2))
    assert _price(reference, "gpt-4o-mini-2024-07-18", "2024-07-18") == (Decimal("0.15"), Decimal("0.6"))


def test_spot_scores_and_catalog(reference) -> None:
    scores = reference.scores
    davinci = scores[(scores["model_id"] == "davinci") & (scores["benchmark"] == "mmlu")]
    assert 43.9 in set(davinci["score"])
    models = reference.models.set_index("model_id")
    assert models.loc["davinci", "parameters_b"] == 175
    assert models.loc["o1-2024-12-17", "reasoning"] and not models.loc["gpt-4o-2024-05-13", "reasoning"]
    assert models.loc["llama-3.2-3b-instruct", "open_weights"]


def _cheapest(reference, threshold: float, on: str) -> Decimal:
    """Cheapest 1:1 blend in force on ``on`` among models with a 5-shot MMLU >= threshold (a coverage check)."""
    scores = reference.scores
    mmlu = scores[(scores["benchmark"] == "mmlu") & scores["setting"].str.startswith("5-shot")]
    good = set(mmlu.groupby("model_id")["score"].max().loc[lambda s: s >= threshold].index)
    day = pd.Timestamp(on, tz="UTC")
    prices = reference.prices.sort_values("valid_from")
    best = None
    for _, group in prices[prices["model_id"].isin(good)].groupby(["model_id", "provider", "model_key"]):
        current = group[group["valid_from"] <= day]
        if current.empty:
            continue
        row = current.iloc[-1]
        if pd.notna(row["valid_to"]) and row["valid_to"] <= day:
            continue
        blend = (row["input_usd_per_mtok"] + row["output_usd_per_mtok"]) / 2
        best = blend if best is None else min(best, blend)
    assert best is not None, f"no priced model at MMLU >= {threshold} on {on}"
    return best


def test_coverage_reaches_back_to_gpt3_and_reproduces_the_declines(reference) -> None:
    assert _cheapest(reference, 42, "2021-11-30") == Decimal(60)
    assert 900 <= _cheapest(reference, 42, "2021-11-30") / _cheapest(reference, 42, "2024-11-30") <= 1600
    assert _cheapest(reference, 83, "2023-03-31") == Decimal(45)
    assert 50 <= _cheapest(reference, 83, "2023-03-31") / _cheapest(reference, 83, "2024-11-30") <= 80


# --- every check fires on a small bad file ----------------------------------------------------------

MODELS = (
    "model_id,name,creator,release_date,open_weights,parameters_b,retired_date,reasoning,source_url,retired_source_url\n"
    "m-1,Model One,acme,2023-01-01,true,7,,false,https://example.org/m1,\n"
    "m-2,Model Two,acme,2024-01-01,false,,2025-01-01,true,https://example.org/m2,https://example.org/retired\n"
)
ALIASES = "alias,model_id,seen_in,source_url\nacme/m-1,m-1,openrouter,https://example.org/or\nM-Two,m-2,litellm,https://example.org/l\n"
SCORES = (
    "model_id,benchmark,score,setting,self_reported,source_name,source_url,reported_at\n"
    "m-1,mmlu,45.3,5-shot,true,card,https://example.org/card,2023-01-02\n"
    "m-2,arena_elo,1250,,false,arena,https://example.org/arena,2024-02-01\n"
).replace(",,false,arena", ",as is,false,arena")
PRICES = (
    "model_id,provider,model_key,valid_from,valid_to,input_usd_per_mtok,output_usd_per_mtok,"
    "cached_input_usd_per_mtok,is_free,source_url,note,last_confirmed\n"
    "m-1,host,acme/m-1,2023-02-01,,0.2,0.2,,,https://example.org/p1,first price,2023-03-01\n"
    "m-1,host,acme/m-1,2023-06-01,2023-09-01,0.1,0.1,0.05,false,https://example.org/p2,promotion,\n"
    "m-2,acme,m-2,2024-01-01,,1.5,2,,,https://example.org/p3,launch\n"
)


def _write(folder: Path, **overrides: str) -> Path:
    files = {"models.csv": MODELS, "model_aliases.csv": ALIASES, "scores.csv": SCORES, "prices.csv": PRICES}
    for name, text in files.items():
        (folder / name).write_text(overrides.get(name.split(".")[0], text), encoding="utf-8")
    return folder


def test_small_valid_files_load(tmp_path: Path) -> None:
    reference = load_reference(_write(tmp_path))
    assert list(reference.prices["input_usd_per_mtok"]) == [Decimal("0.2"), Decimal("0.1"), Decimal("1.5")]
    # last confirmed as stated, else (blank, or a row written before the column existed) on valid_from
    assert [d.date().isoformat() for d in reference.prices["last_confirmed"]] == ["2023-03-01", "2023-06-01", "2024-01-01"]
    assert reference.scores.set_index("benchmark").loc["arena_elo", "score"] == 1250
    assert pd.isna(reference.models.set_index("model_id").loc["m-1", "retired_date"])


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


BAD = [
    ("models", _replace(MODELS, "reasoning,", ""), r"models.csv line 1: missing column\(s\) reasoning"),
    ("models", _replace(MODELS, ",https://example.org/m1,", ",,"), r"models.csv line 2: source_url is empty: every row must cite"),
    ("models", _replace(MODELS, "https://example.org/m1", "example.org/m1"), r"line 2: source_url .* is not an http\(s\) URL"),
    ("models", MODELS + "m-1,Again,acme,2023-01-01,true,7,,false,https://example.org/x,\n", r"line 4: duplicate model_id 'm-1' \(first on line 2\)"),
    ("models", _replace(MODELS, "2023-01-01", "2023-02-30"), r"line 2: release_date '2023-02-30' is not a real date"),
    ("models", _replace(MODELS, "2023-01-01", "01/01/2023"), r"line 2: release_date '01/01/2023' is not a date \(YYYY-MM-DD\)"),
    ("models", _replace(MODELS, ",true,7,", ",yes,7,"), r"line 2: open_weights must be true or false, got 'yes'"),
    ("models", _replace(MODELS, "m-1,Model", "M 1,Model"), r"line 2: model_id 'M 1' is not a model_id"),
    ("models", _replace(MODELS, "2025-01-01", "2023-06-01"), r"line 3: retired_date 2023-06-01 is before release_date"),
    ("models", _replace(MODELS, ",https://example.org/retired", ","), r"line 3: retired_source_url is empty"),
    ("models", _replace(MODELS, ",true,7,", ",true,-7,"), r"line 2: parameters_b must be > 0"),
    ("models", MODELS.splitlines()[0] + "\n", r"models.csv: no rows"),
    ("model_aliases", ALIASES + "other,m-9,litellm,https://example.org/x\n", r"model_aliases.csv line 4: model_id 'm-9' is not in models.csv"),
    ("model_aliases", ALIASES + "acme/M-1,m-1,openrouter,https://example.org/x\n", r"line 4: duplicate alias 'acme/M-1' for 'openrouter'"),
    ("model_aliases", ALIASES + "m-two,m-1,together,https://example.org/x\n", r"line 4: alias 'm-two' maps to 'm-1' here but to 'm-2' on line 3"),
    ("model_aliases", _replace(ALIASES, ",https://example.org/or", ","), r"line 2: source_url is empty"),
    ("scores", _replace(SCORES, "45.3", "145.3"), r"scores.csv line 2: mmlu score must be on a 0-100 scale"),
    ("scores", _replace(SCORES, "45.3", "n/a"), r"line 2: score 'n/a' is not a number"),
    ("scores", _replace(SCORES, "m-1,mmlu", "m-3,mmlu"), r"line 2: model_id 'm-3' is not in models.csv"),
    ("scores", SCORES + "m-1,mmlu,46,5-shot,false,card,https://example.org/card,2023-01-05\n", r"line 4: duplicate score for m-1 mmlu \(5-shot\) from 'card'"),
    ("scores", _replace(SCORES, ",true,card", ",maybe,card"), r"line 2: self_reported must be true or false"),
    ("scores", _replace(SCORES, ",https://example.org/card,", ",,"), r"line 2: source_url is empty"),
    ("prices", _replace(PRICES, "2023-02-01,,0.2,0.2", "2023-02-01,,0,0.2"), r"prices.csv line 2: input_usd_per_mtok must be > 0 \(or is_free=true\)"),
    ("prices", _replace(PRICES, "2023-06-01,2023-09-01", "2023-06-01,2023-05-01"), r"line 3: valid_to 2023-05-01 must be after valid_from 2023-06-01"),
    ("prices", _replace(PRICES, "m-2,acme,m-2,2024-01-01", "m-2,acme,m-2,2023-12-01"), r"line 4: valid_from 2023-12-01 is before m-2's release_date 2024-01-01"),
    ("prices", PRICES + "m-1,host,acme/m-1,2023-02-01,,0.3,0.3,,,https://example.org/p9,again\n", r"line 5: duplicate price for m-1/host/acme/m-1 from 2023-02-01"),
    ("prices", _replace(PRICES, "m-2,acme,m-2", "m-7,acme,m-2"), r"line 4: model_id 'm-7' is not in models.csv"),
    ("prices", _replace(PRICES, ",https://example.org/p3,", ",,"), r"line 4: source_url is empty"),
    ("prices", _replace(PRICES, ",0.1,0.1,0.05,false,", ",0.1,0.1,0.05,free,"), r"line 3: is_free must be true or false"),
    ("prices", _replace(PRICES, "model_id,provider", "model_id,seller"), r"missing column\(s\) provider"),
    ("prices", _replace(PRICES, "first price,2023-03-01", "first price,2023-01-15"), r"line 2: last_confirmed 2023-01-15 must be within \[valid_from, valid_to\)"),
    ("prices", _replace(PRICES, "promotion,", "promotion,2023-09-01"), r"line 3: last_confirmed 2023-09-01 must be within"),
    ("prices", _replace(PRICES, "first price,2023-03-01", "first price,2999-01-01"), r"line 2: last_confirmed 2999-01-01 is in the future"),
]


@pytest.mark.parametrize(("file", "text", "message"), BAD, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(BAD)])
def test_each_check_fires(tmp_path: Path, file: str, text: str, message: str) -> None:
    _write(tmp_path, **{file: text})
    with pytest.raises(ReferenceDataError, match=message):
        load_reference(tmp_path)


def test_overlapping_prices_are_refused(tmp_path: Path) -> None:
    bad = PRICES + (
        "m-1,host,acme/m-1,2023-08-01,,0.3,0.3,,,https://example.org/p9,later\n"
    )
    _write(tmp_path, prices=bad)
    with pytest.raises(ReferenceDataError, match=r"from 2023-08-01 overlaps the row on line 3, valid to 2023-09-01"):
        load_prices(tmp_path)


def test_free_rows_may_be_zero(tmp_path: Path) -> None:
    free = PRICES + "m-2,host,m-2:free,2024-02-01,,0,0,,true,https://example.org/free,free variant\n"
    _write(tmp_path, prices=free)
    prices = load_prices(tmp_path)
    assert prices["is_free"].tolist() == [False, False, False, True]


def test_loaders_accept_a_preloaded_catalog(tmp_path: Path) -> None:
    _write(tmp_path)
    models = load_models(tmp_path)
    assert len(load_aliases(tmp_path, models)) == 2
    assert len(load_scores(tmp_path, models)) == 2


def test_missing_file_is_named(tmp_path: Path) -> None:
    _write(tmp_path)
    (tmp_path / "scores.csv").unlink()
    with pytest.raises(ReferenceDataError, match=r"scores.csv: file not found"):
        load_reference(tmp_path)


def test_default_folder_is_the_configured_data_dir(data_dir: Path) -> None:
    reference = load_reference()
    assert "davinci" in set(reference.models["model_id"])


DATED = "alias,model_id,seen_in,source_url,valid_from,valid_to\n"


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ("m,m-1,x,https://e.org/a,2024-01-01,2024-06-01\nm,m-2,y,https://e.org/b,2024-05-01,\n", r"line 3: alias 'm' maps to 'm-2' here but to 'm-1' on line 2 over overlapping dates"),
        ("m,m-1,x,https://e.org/a,,\nm,m-2,y,https://e.org/b,2024-05-01,\n", r"line 3: alias 'm' maps to 'm-2' here but to 'm-1' on line 2 over overlapping dates"),
        ("m,m-1,x,https://e.org/a,2024-06-01,2024-06-01\n", r"line 2: valid_to 2024-06-01 must be after valid_from 2024-06-01"),
        ("m,m-1,x,https://e.org/a,June 2024,\n", r"line 2: valid_from 'June 2024' is not a date"),
    ],
)
def test_dated_aliases_must_not_overlap_for_two_models(tmp_path: Path, rows: str, error: str) -> None:
    _write(tmp_path, model_aliases=DATED + rows)
    with pytest.raises(ReferenceDataError, match=error):
        load_aliases(tmp_path)


def test_an_alias_may_name_two_models_over_ranges_that_meet(tmp_path: Path) -> None:
    _write(tmp_path, model_aliases=DATED + "m,m-1,x,https://e.org/a,2024-01-01,2024-06-01\nm,m-2,x,https://e.org/b,2024-06-01,\n")
    aliases = load_aliases(tmp_path)
    assert aliases["valid_from"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2024-06-01"]
    assert aliases["valid_to"].isna().tolist() == [False, True]
