import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from llmflation.publish import latest_release, publish, read_latest_table
from llmflation.schema import PRICES


def price_rows(n: int = 2) -> pd.DataFrame:
    return pd.DataFrame([
        {
            "observed_at": datetime(2025, 12, 29, tzinfo=UTC), "last_observed_at": datetime(2025, 12, 29, tzinfo=UTC),
            "n_captures": 1, "first_capture_number": 1, "source_id": "openrouter", "provider": "openrouter",
            "model_key": f"vendor/model-{i}", "input_usd_per_mtok": Decimal("0.075"), "output_usd_per_mtok": Decimal("0.3"),
            "tier": "standard", "unit_on_page": "per_token", "is_free": False, "is_deprecated": False,
            "converted_from_characters": False, "capture_url": "https://openrouter.ai/api/v1/models",
            "capture_id": "c1", "capture_sha256": "ab" * 32, "via": "live", "parser": "llmflation.parsers.openrouter@1",
        }
        for i in range(n)
    ])


def test_a_release_is_complete_and_latest_points_at_it(tmp_path: Path) -> None:
    result = publish(tmp_path, "20260101T000000Z", {"prices": price_rows()}, {"run_id": "r"})
    assert result.published
    assert latest_release(tmp_path) == tmp_path / "20260101T000000Z"
    latest = tmp_path / "latest"
    assert sorted(p.name for p in latest.iterdir()) == ["datapackage.json", "index.html", "prices.parquet", "release.json", "run_report.json"]
    frame = pd.read_parquet(latest / "prices.parquet")
    assert list(frame.columns) == PRICES.column_names
    assert frame["input_usd_per_mtok"].iloc[0] == Decimal("0.075")
    assert str(frame["observed_at"].dtype) == "datetime64[us, UTC]"
    schema = pq.read_schema(latest / "prices.parquet")
    assert schema.field("input_usd_per_mtok").metadata[b"unit"] == b"USD per 1,000,000 tokens"


def test_the_drift_baseline_is_the_latest_release_of_the_same_major_schema(tmp_path: Path) -> None:
    """A release of another major schema version has rows that mean something else (2.x: one per version of a
    listing): its counts are no baseline for this build's."""
    assert read_latest_table(tmp_path, "prices") is None
    publish(tmp_path, "v1", {"prices": price_rows(3)}, {})
    assert len(read_latest_table(tmp_path, "prices")) == 3
    manifest = tmp_path / "latest" / "release.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "schema_version": "2.0.0"}))
    assert read_latest_table(tmp_path, "prices") is None


def test_datapackage_describes_every_column_with_units(tmp_path: Path) -> None:
    publish(tmp_path, "v1", {"prices": price_rows()}, {})
    package = json.loads((tmp_path / "latest" / "datapackage.json").read_text())
    (resource,) = package["resources"]
    names = [f["name"] for f in resource["schema"]["fields"]]
    assert names == PRICES.column_names
    assert all(f["description"] for f in resource["schema"]["fields"])
    units = {f["name"]: f.get("unit") for f in resource["schema"]["fields"]}
    assert units["output_usd_per_mtok"] == "USD per 1,000,000 tokens"
    assert package["content_digest"]


def test_identical_content_is_not_published_again(tmp_path: Path) -> None:
    first = publish(tmp_path, "v1", {"prices": price_rows()}, {"run": 1})
    second = publish(tmp_path, "v2", {"prices": price_rows()}, {"run": 2})
    assert not second.published and "unchanged" in second.reason
    assert second.content_digest == first.content_digest
    assert not (tmp_path / "v2").exists()
    third = publish(tmp_path, "v3", {"prices": price_rows(3)}, {"run": 3})
    assert third.published and latest_release(tmp_path) == tmp_path / "v3"
    assert (tmp_path / "v1").exists()  # old releases stay


def test_a_failed_publish_leaves_latest_on_the_previous_release(tmp_path: Path) -> None:
    publish(tmp_path, "v1", {"prices": price_rows()}, {})

    def broken_chart(path: Path) -> None:
        raise RuntimeError("chart failed")

    with pytest.raises(RuntimeError, match="chart failed"):
        publish(tmp_path, "v2", {"prices": price_rows(3)}, {}, extra_files={"llmflation.png": broken_chart})
    assert latest_release(tmp_path) == tmp_path / "v1"
    assert not (tmp_path / "v2").exists()
    assert not list(tmp_path.glob(".staging-*"))


def test_a_staging_folder_left_by_a_killed_publish_is_cleaned(tmp_path: Path) -> None:
    (tmp_path / ".staging-v0").mkdir(parents=True)
    (tmp_path / ".staging-v0" / "prices.parquet").write_bytes(b"half")
    publish(tmp_path, "v1", {"prices": price_rows()}, {})
    assert not (tmp_path / ".staging-v0").exists()


def test_the_release_can_be_copied_to_an_fsspec_target(tmp_path: Path) -> None:
    target = tmp_path / "bucket"
    publish(tmp_path / "pub", "v1", {"prices": price_rows()}, {}, target=f"file://{target}")
    assert (target / "LATEST").read_text().strip() == "v1"
    assert pd.read_parquet(target / "v1" / "prices.parquet").shape[0] == 2


def test_float_noise_beyond_18_decimals_is_rounded_and_real_digits_are_kept(tmp_path: Path) -> None:
    rows = price_rows(2)
    rows.loc[0, "input_usd_per_mtok"] = Decimal("2.9999900000000002")  # litellm's 2.99999e-06 as a float
    rows.loc[1, "input_usd_per_mtok"] = Decimal("0.0000000000000000012345")  # finer than 1e-18
    publish(tmp_path, "v1", {"prices": rows}, {})
    frame = pd.read_parquet(tmp_path / "latest" / "prices.parquet")
    assert frame["input_usd_per_mtok"].iloc[0] == Decimal("2.9999900000000002")
    assert frame["input_usd_per_mtok"].iloc[1] == Decimal("0.000000000000000001")
