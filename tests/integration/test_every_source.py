"""End to end with a loopback server playing every registered source.

Price APIs and leaderboards serve real corpus files; pricing pages serve our fixture pages of
their newest layout. Then some sources are broken (404, 500, a page whose layout changed) and
the others must still publish, each failure one line, the broken page's bytes kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest

from llmflation.fetch.rawstore import RawStore
from llmflation.records import as_decimal
from llmflation.sources import SOURCES
from tests.support.leaderboards import arena_dataset_table, zip_folder, zip_members
from tests.support.loopback import Route, serve

pytestmark = [pytest.mark.integration, pytest.mark.corpus]

FIXTURES = Path(__file__).resolve().parents[1] / "parsers" / "fixtures"
MILLION = Decimal(1_000_000)
FAKE_KEY = "test-key-3f9a7c2e-never-logged"
LITELLM_FILE = "litellm_2026-07-24_8442b939.json"
GENAI_FILE = "data_2026-08-21.json"
OPENROUTER_FILE = "openrouter_models_2025-12-29_95e496d4.json"


def newest_fixture(source_id: str) -> Path:
    pages = sorted((FIXTURES / source_id).glob("*.html"), key=lambda p: p.stem.rsplit("_", 1)[-1])
    assert pages, f"no fixture page for {source_id}"
    return pages[-1]


def _newest(folder: Path) -> Path:
    files = sorted(p for p in folder.iterdir() if p.is_file())
    assert files, f"no file in {folder}"
    return files[-1]


def _prices(corpus: Path) -> Path:
    return corpus / "prices"


def _scores(corpus: Path) -> Path:
    return corpus / "scores"


#: What the loopback server answers for each source that is not a pricing page (those serve their
#: newest fixture page): bytes and content type, from the corpus. A registered source missing here
#: and without fixture pages fails ``tests/parsers/test_registry_coverage.py``.
SERVED: dict[str, Callable[[Path], tuple[bytes, str]]] = {
    "openrouter": lambda c: ((_prices(c) / "openrouter-api" / OPENROUTER_FILE).read_bytes(), "application/json"),
    "litellm": lambda c: ((_prices(c) / "litellm" / LITELLM_FILE).read_bytes(), "application/json"),
    "genai_prices": lambda c: ((_prices(c) / "genai-prices" / GENAI_FILE).read_bytes(), "application/json"),
    "open_llm_leaderboard_v1": lambda c: ((_scores(c) / "open-llm-leaderboard" / "open_llm_leaderboard_v1_final.csv").read_bytes(),
                                          "text/csv"),
    "open_llm_leaderboard_v2": lambda c: ((_scores(c) / "open-llm-leaderboard" / "open_llm_leaderboard_v2_final.csv").read_bytes(),
                                          "text/csv"),
    "lmarena": lambda c: ((_scores(c) / "lmarena" / "lmarena_text_2025-08-04.csv").read_bytes(), "text/csv"),
    "lmarena_vision": lambda c: ((_scores(c) / "lmarena" / "lmarena_vision_2025-08-04.csv").read_bytes(), "text/csv"),
    "llm_stats": lambda c: (zip_folder(_scores(c) / "llm-stats" / "data", "llm-leaderboard-main/data/"), "application/zip"),
    "artificial_analysis": lambda c: (aa_pages(c)[0], "application/json"),
    "artificial_analysis_leaderboard": lambda c: (next((_scores(c) / "artificial-analysis").glob("aa-leaderboard-page-payload_*"))
                                                  .read_bytes(), "application/json"),
    "epoch_benchmarks": lambda c: (zip_members({p.name: p.read_text("utf-8-sig") for p in sorted((_scores(c) / "epoch").glob("*.csv"))}),
                                   "application/zip"),
    "lmarena_dataset": lambda c: (arena_dataset_table(next((_scores(c) / "lmarena").glob("lmarena-text-scrape_*.json"))),
                                  "application/octet-stream"),
    "models_dev": lambda c: (_newest(c / "catalog" / "models-dev").read_bytes(), "application/json"),
}


AA_PAGES = 3


def aa_pages(corpus: Path) -> list[bytes]:
    """The corpus' page of Artificial Analysis' model list re-cut into ``AA_PAGES`` pages as the API pages
    it (the same models and fields, ``pagination`` rewritten): the capture of page 1 leads to the others."""
    doc = json.loads(next((_scores(corpus) / "artificial-analysis").glob("aa-api-v2-*")).read_bytes())
    models, size = doc["data"], -(-len(doc["data"]) // AA_PAGES)
    return [json.dumps({**doc, "data": models[(page - 1) * size:page * size],
                        "pagination": {"page": page, "page_size": size, "total_pages": AA_PAGES, "has_more": page < AA_PAGES}})
            .encode() for page in range(1, AA_PAGES + 1)]


def bodies(corpus: Path) -> dict[str, tuple[bytes, str]]:
    """What the loopback server answers for each source: bytes and content type."""
    out = {}
    for source in SOURCES:
        if source.id in SERVED:
            out[source.id] = SERVED[source.id](corpus)
        else:
            assert source.kind == "pricing_page", f"no test body for {source.id}: add one to SERVED"
            out[source.id] = (newest_fixture(source.id).read_bytes(), "text/html; charset=utf-8")
    return out


def setup(corpus: Path, broken: dict[str, Route] | None = None) -> tuple[dict[str, Route], str]:
    """Routes for every source at /<id>/<its live path>, and the config pointing the registry at them."""
    routes: dict[str, Route] = {}
    config = ["[capture]", "download_delay_s = 0", "retries = 0", ""]
    for source_id, (body, content_type) in bodies(corpus).items():
        source = next(s for s in SOURCES if s.id == source_id)
        path = f"/{source_id}{urlsplit(source.live_url).path or '/'}"
        routes[path] = (broken or {}).get(source_id) or Route(200, body, {"Content-Type": content_type})
        config += [f"[sources.{source_id}]", f'url = "{{base}}{path}"', ""]
        if source_id == "artificial_analysis" and source_id not in (broken or {}):
            for page, later in enumerate(aa_pages(corpus)[1:], start=2):
                routes[f"{path}?page={page}"] = Route(200, later, {"Content-Type": content_type})
    return routes, "\n".join(config)


@pytest.fixture(scope="module")
def good_run(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """One full run with every source answering; the data folder and what the server saw."""
    import os
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("every-source")
    data = folder / "data"
    routes, config = setup(corpus_dir)
    with serve(routes) as server:
        (folder / "llmflation.toml").write_text(config.replace("{base}", server.url))
        env = dict(os.environ, LLMFLATION_DATA_DIR=str(data), LLMFLATION_CONFIG=str(folder / "llmflation.toml"),
                   PREFECT_HOME=str(folder / "prefect"), ARTIFICIAL_ANALYSIS_API_KEY=FAKE_KEY,
                   PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120")
        done = subprocess.run([sys.executable, "-m", "llmflation.cli", "run", "--skip-history"], env=env, cwd=folder,
                              capture_output=True, text=True, timeout=900, check=False)
        requests = list(server.requests)
    assert done.returncode == 0, done.stderr[-4000:]
    return data, done, requests


def test_every_source_is_captured_and_parsed(good_run) -> None:
    data, done, _ = good_run
    report = json.loads((data / "published" / "latest" / "run_report.json").read_text())
    for source in SOURCES:
        entry = report["sources"][source.id]
        assert entry["capture"]["status"] == "ok", (source.id, entry["capture"])
        if source.js_rendered:
            # Its served HTML holds no prices (the registry says so): the capture is kept for the
            # record, the parse error names the era, and that provider's prices come from the APIs.
            (error,) = entry["parse"]["errors"]
            assert "drawn by JavaScript" in json.dumps(error), error
            continue
        assert entry["parse"]["errors"] == [], (source.id, entry["parse"]["errors"])
        rows = entry["parse"]["price_rows"] if source.kind != "leaderboard" else entry["parse"]["score_rows"]
        assert rows > 0, source.id
    prices = pd.read_parquet(data / "published" / "latest" / "prices.parquet")
    price_sources = {s.id for s in SOURCES if s.kind != "leaderboard" and not s.js_rendered}
    assert set(prices["source_id"]) == price_sources
    scores = pd.read_parquet(data / "published" / "latest" / "scores.parquet")
    assert {"reference", "open_llm_leaderboard_v1", "lmarena", "llm_stats"} <= set(scores["source_id"])


def test_the_release_credits_the_sources_whose_terms_require_it(good_run) -> None:
    data, _, _ = good_run
    package = json.loads((data / "published" / "latest" / "datapackage.json").read_text())
    sources = {entry["title"]: entry for entry in package["sources"]}
    assert set(sources) == {s.id for s in SOURCES}
    assert "artificialanalysis.ai" in sources["artificial_analysis"]["attribution"]
    assert "attribution" not in sources["litellm"]


def test_the_api_key_is_sent_and_never_written_anywhere(good_run) -> None:
    data, done, requests = good_run
    aa = [r for r in requests if r.path.startswith("/artificial_analysis/")]
    assert sorted(urlsplit(r.path).query for r in aa) == ["", "page=2", "page=3"]  # page 1 led to the others
    assert all(r.headers.get("x-api-key") == FAKE_KEY for r in aa)
    assert FAKE_KEY not in done.stdout + done.stderr
    for path in data.rglob("*"):
        if path.is_file():
            assert FAKE_KEY.encode() not in path.read_bytes(), path


@pytest.mark.parametrize(("source_id", "name"), [("litellm", LITELLM_FILE), ("openrouter", OPENROUTER_FILE)])
def test_published_prices_equal_the_files_per_token_prices(good_run, corpus_dir: Path, source_id: str, name: str) -> None:
    data, _, _ = good_run
    prices = pd.read_parquet(data / "published" / "latest" / "prices.parquet")
    standard = prices[(prices["source_id"] == source_id) & (prices["tier"] == "standard")]
    folder = "litellm" if source_id == "litellm" else "openrouter-api"
    doc = json.loads((corpus_dir / "prices" / folder / name).read_bytes())
    if source_id == "litellm":
        expected = {k: (e["input_cost_per_token"], e["output_cost_per_token"]) for k, e in doc.items()
                    if k != "sample_spec" and isinstance(e, dict) and e.get("mode") in {"chat", "completion", "responses"}
                    and isinstance(e.get("input_cost_per_token"), (int, float)) and isinstance(e.get("output_cost_per_token"), (int, float))}
    else:
        standard = standard[standard["provider"] == "openrouter"]
        expected = {m["id"]: (m["pricing"]["prompt"], m["pricing"]["completion"]) for m in doc["data"]
                    if Decimal(m["pricing"]["prompt"]) >= 0}
    published = {k: (i, o) for k, i, o in zip(standard["model_key"], standard["input_usd_per_mtok"], standard["output_usd_per_mtok"])}
    exact = [k for k, (i, o) in expected.items()
             if published.get(k) == (as_decimal(i) * MILLION, as_decimal(o) * MILLION)]
    assert len(expected) > 300
    assert len(exact) >= 0.95 * len(expected), f"{len(exact)} of {len(expected)}"


def test_genai_prices_published_at_the_files_per_million_prices(good_run, corpus_dir: Path) -> None:
    data, _, _ = good_run
    prices = pd.read_parquet(data / "published" / "latest" / "prices.parquet")
    standard = prices[(prices["source_id"] == "genai_prices") & (prices["tier"] == "standard")]
    published = {(p, k): (i, o) for p, k, i, o in zip(standard["provider"], standard["model_key"],
                                                        standard["input_usd_per_mtok"], standard["output_usd_per_mtok"])}
    plain = {}
    for provider in json.loads((corpus_dir / "prices" / "genai-prices" / GENAI_FILE).read_bytes()):
        for model in provider["models"]:
            if isinstance(model["prices"], dict) and isinstance(model["prices"].get("input_mtok"), (int, float)) \
                    and isinstance(model["prices"].get("output_mtok"), (int, float)):
                plain[(provider["id"], model["id"])] = (model["prices"]["input_mtok"], model["prices"]["output_mtok"])
    exact = [k for k, (i, o) in plain.items() if published.get(k) == (as_decimal(i), as_decimal(o))]
    assert len(plain) > 500
    assert len(exact) >= 0.95 * len(plain), f"{len(exact)} of {len(plain)}"


def test_broken_sources_are_one_line_each_and_the_others_publish(corpus_dir: Path, data_dir: Path, run_cli) -> None:
    changed_layout = b"<html><body><h1>Pricing</h1><p>Contact sales for our new plans.</p></body></html>"
    broken = {
        "litellm": Route(404, b"Not Found", {"Content-Type": "text/plain"}),
        "genai_prices": Route(500, b"upstream error", {"Content-Type": "text/plain"}),
        "groq": Route(200, changed_layout, {"Content-Type": "text/html"}),
    }
    routes, config = setup(corpus_dir, broken)
    with serve(routes) as server:
        done = run_cli("run", "--skip-history", config=config.replace("{base}", server.url),
                       extra_env={"ARTIFICIAL_ANALYSIS_API_KEY": FAKE_KEY}, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    lines = {line.split(":", 1)[0]: line for line in done.stdout.splitlines() if ":" in line}
    assert "capture failed" in lines["litellm"] and "HTTP 404" in lines["litellm"]
    assert "capture failed" in lines["genai_prices"] and "HTTP 500" in lines["genai_prices"]
    assert "unreadable capture" in lines["groq"]
    assert "Traceback" not in done.stdout + done.stderr

    prices = pd.read_parquet(data_dir / "published" / "latest" / "prices.parquet")
    assert not {"litellm", "genai_prices", "groq"} & set(prices["source_id"])
    assert {"openrouter", "together", "fireworks", "deepinfra"} <= set(prices["source_id"])
    report = json.loads((data_dir / "published" / "latest" / "run_report.json").read_text())
    (error,) = report["sources"]["groq"]["parse"]["errors"]
    digest = hashlib.sha256(changed_layout).hexdigest()
    assert error["sha256"] == digest
    assert (data_dir / "raw" / "blobs" / digest[:2] / digest).read_bytes() == changed_layout


def test_each_page_of_a_paged_list_is_its_own_capture_and_parses(good_run) -> None:
    data, _, _ = good_run
    pages = {m.url.rsplit("/", 1)[-1]: m for m in RawStore(data / "raw").captures() if m.source_id == "artificial_analysis"}
    assert sorted(pages) == ["models", "models?page=2", "models?page=3"]
    report = json.loads((data / "published" / "latest" / "run_report.json").read_text())
    assert report["sources"]["artificial_analysis"]["parse"]["errors"] == []
