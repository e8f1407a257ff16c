from decimal import Decimal

from llmflation.validate import validate
from tests.unit.test_publish import price_rows


def test_clean_prices_pass_untouched() -> None:
    result = validate({"prices": price_rows()})
    assert result.ok and not result.findings
    assert len(result.tables["prices"]) == 2


def test_out_of_range_prices_are_held_out_and_listed() -> None:
    rows = price_rows(4)
    rows.loc[0, "output_usd_per_mtok"] = Decimal("60000")  # a per-1K price read as per-1M
    rows.loc[1, "input_usd_per_mtok"] = Decimal("0")  # zero but not flagged free
    rows.loc[2, "is_free"] = True  # flagged free but priced
    result = validate({"prices": rows})
    assert result.ok  # rows held out, the release still publishes
    assert list(result.tables["prices"]["model_key"]) == ["vendor/model-3"]
    (finding,) = result.findings
    assert finding.check == "price_range" and finding.severity == "held_out" and len(finding.rows) == 3


def test_a_free_row_at_zero_is_kept() -> None:
    rows = price_rows(1)
    rows.loc[0, ["input_usd_per_mtok", "output_usd_per_mtok", "is_free"]] = [Decimal(0), Decimal(0), True]
    assert len(validate({"prices": rows}).tables["prices"]) == 1


def test_missing_provenance_refuses_the_release() -> None:
    rows = price_rows()
    rows.loc[1, "capture_sha256"] = None
    result = validate({"prices": rows})
    assert not result.ok
    assert any(f.check == "schema" and "capture_sha256" in f.message for f in result.findings)


def test_duplicate_keys_refuse_the_release() -> None:
    rows = price_rows(2)
    rows.loc[1, "model_key"] = rows.loc[0, "model_key"]
    result = validate({"prices": rows})
    assert not result.ok
    assert [f.check for f in result.findings] == ["unique_key"]


def test_an_unknown_table_refuses_the_release() -> None:
    assert not validate({"mystery": price_rows()}).ok
