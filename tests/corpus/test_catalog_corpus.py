"""The nightly catalog on the corpus' newest model lists, through the build itself.

The newest models.dev api.json, OpenRouter model list (as served) and genai-prices database go
into a raw store as captures of their registry URLs, dated as the files are; ``build`` parses
them, builds the catalog and matches every price, and its ``catalog`` report section is what is
measured. Goal (issue 11): at least 90% of OpenRouter's priced text models matched, and at least
90% of those it first listed in 2026.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from llmflation.build import build
from llmflation.catalog import build_catalog, newest_model_records
from llmflation.config import load_settings
from llmflation.fetch.rawstore import RawStore
from llmflation.report import RunReport
from llmflation.sources import get_source

pytestmark = pytest.mark.corpus

#: (source id, corpus folder, file name pattern): the newest file of each is captured.
LISTS = (
    ("models_dev", "catalog/models-dev", "*.json"),
    ("openrouter", "prices/openrouter-api-raw", "*.json"),
    ("genai_prices", "prices/genai-prices", "data_*.json"),
)
_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")


def _newest(folder: Path, pattern: str) -> tuple[Path, datetime]:
    dated = [(datetime.fromisoformat(m[1]).replace(tzinfo=UTC), p) for p in folder.glob(pattern)
             if p.is_file() and (m := _DAY.search(p.name))]
    assert dated, f"no dated file matching {pattern} in {folder}"
    day, path = max(dated)
    return path, day


@pytest.fixture(scope="module")
def built(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch_module):
    data = tmp_path_factory.mktemp("data")
    (data / "reference").symlink_to(Path(__file__).resolve().parents[2] / "data" / "reference", target_is_directory=True)
    monkeypatch_module.setenv("LLMFLATION_DATA_DIR", str(data))
    monkeypatch_module.delenv("LLMFLATION_CONFIG", raising=False)
    settings = load_settings()
    store = RawStore(settings.raw_dir)
    for source_id, folder, pattern in LISTS:
        path, day = _newest(corpus_dir / folder, pattern)
        store.put(path.read_bytes(), source_id=source_id, url=get_source(source_id).live_url, observed_at=day,
                  via="live", status=200, content_type="application/json")
    report = RunReport(run_id="corpus-catalog")
    result = build(settings, report)
    return result, report


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _share(report: RunReport, source_id: str, year: str) -> dict[str, object]:
    rows = [r for r in report.sections["catalog"]["matched_share"] if r["source_id"] == source_id and r["year"] == year]
    assert len(rows) == 1, (source_id, year, report.sections["catalog"]["matched_share"])
    return rows[0]


def test_openrouter_priced_text_models_are_matched_at_the_goal(built) -> None:
    _, report = built
    every = _share(report, "openrouter", "all")
    assert every["n_models"] >= 250, every
    assert every["share_matched"] >= 0.90, every
    new = _share(report, "openrouter", "2026")
    assert new["n_models"] >= 40, new
    assert new["share_matched"] >= 0.90, new


def test_every_price_source_is_measured_per_year(built) -> None:
    _, report = built
    sources = {r["source_id"] for r in report.sections["catalog"]["matched_share"]}
    assert sources == {"models_dev", "openrouter", "genai_prices"}
    coverage = report.sections["catalog"]["scores_at_default_levels"]
    assert coverage["n_matched_models"] > 100
    assert 0 < coverage["share_with_score_on_a_level_benchmark"] <= 1


def test_curated_ids_are_kept_and_every_made_row_cites_its_capture(built) -> None:
    result, _ = built
    models = result.tables["models"]
    curated = result.reference.models
    assert set(curated["model_id"]) <= set(models["model_id"])
    made = models[models["origin"] == "sources"]
    assert len(made) > 200
    assert made["model_id"].str.match(r"^[a-z0-9-]+/[a-z0-9._-]+$").all()
    stored = {m.sha256: m for m in RawStore(load_settings().raw_dir).captures()}
    assert made["capture_sha256"].isin(list(stored)).all()
    assert (made["capture_url"] == [stored[s].url for s in made["capture_sha256"]]).all()
    for fact in ("name", "release_date", "first_listed_at"):
        stated = made[made[fact].notna()]
        assert stated[f"{fact}_source"].str.split(":").str[1].isin(list(stored)).all(), fact
    # a curated fact is never replaced by a source's
    merged = models.set_index("model_id").loc[curated["model_id"]]
    assert (merged["name"].tolist() == curated["name"].tolist()) and (merged["name_source"] == "reference").all()


def test_undated_names_stay_unmatched_and_listed(built) -> None:
    result, _ = built
    prices = result.tables["prices"]
    gpt4o = prices[(prices["source_id"] == "openrouter") & (prices["model_key"] == "openai/gpt-4o")]
    assert len(gpt4o) and gpt4o["model_id"].isna().all()
    assert "names no snapshot" in gpt4o["match_reason"].iloc[0]
    unmatched = result.tables["unmatched_models"]
    assert ((unmatched["name"] == "openai/gpt-4o") & (unmatched["source_id"] == "openrouter")).any()
    # OpenRouter's canonical slug says which snapshot its undated id is: that one matches
    gpt41 = prices[(prices["source_id"] == "openrouter") & (prices["model_key"] == "openai/gpt-4.1")]
    assert set(gpt41["model_id"]) == {"gpt-4.1-2025-04-14"}


def test_no_record_is_dropped_and_ids_do_not_depend_on_order(built) -> None:
    result, _ = built
    records = newest_model_records(result.parsed)
    first = build_catalog(result.reference, records)
    shuffled = list(records)
    random.Random(11).shuffle(shuffled)
    again = build_catalog(result.reference, shuffled)
    assert sorted(first.models["model_id"]) == sorted(again.models["model_id"])
    assert first.record_models == again.record_models
    decided = set(first.record_models)
    listed = set(zip(first.unresolved["source_id"], first.unresolved["model_key"]))
    every = {(r.capture.source_id, r.record.model_key) for r in records}
    assert every == decided | listed
