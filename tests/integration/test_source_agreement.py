"""End to end: a pricing page misread by 2x, two price APIs that agree, one ``llmflation build``.

The raw store is filled with captures as the nightly run leaves them: OpenAI's pricing page (the
docs-table fixture, with gpt-5-mini's standard prices replaced by half of them, as a parser that
read the Batch table as Standard would report), and litellm and genai-prices tables within two
days of it. The release must hold the page's row out, list it with both APIs' evidence, and
publish ``source_agreement`` with every comparison.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from llmflation.fetch.rawstore import RawStore
from tests.conftest import REPO_ROOT
from tests.support.cli import cli_env, run_cli

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "parsers" / "fixtures"
PAGE_URL = "https://platform.openai.com/docs/pricing"
LITELLM_URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
GENAI_URL = "https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/data.json"

STANDARD_GPT5_MINI = b"<tr><td>gpt-5-mini</td><td>$0.25</td><td>$0.025</td><td>$2.00</td></tr>"
HALVED_GPT5_MINI = b"<tr><td>gpt-5-mini</td><td>$0.125</td><td>$0.0125</td><td>$1.00</td></tr>"


def misread_page() -> bytes:
    page = (FIXTURES / "openai" / "docs-per-1m_2025-08-15.html").read_bytes()
    assert page.count(STANDARD_GPT5_MINI) == 1
    return page.replace(STANDARD_GPT5_MINI, HALVED_GPT5_MINI)


def litellm_table() -> bytes:
    def entry(inp: float, out: float, provider: str = "openai") -> dict:
        return {"input_cost_per_token": inp, "output_cost_per_token": out, "litellm_provider": provider, "mode": "chat"}

    return json.dumps({
        "gpt-5": entry(1.25e-06, 1e-05), "gpt-5-mini": entry(2.5e-07, 2e-06), "gpt-4.1": entry(2e-06, 8e-06),
        "azure/gpt-5-mini": entry(1.25e-07, 1e-06, "azure"),  # another provider's price: never the page's witness
    }).encode()


def genai_table() -> bytes:
    models = [{"id": key, "name": key, "prices": {"input_mtok": inp, "output_mtok": out}}
              for key, inp, out in (("gpt-5", 1.25, 10), ("gpt-5-mini", 0.25, 2), ("gpt-5-nano", 0.05, 0.4))]
    return json.dumps([{"id": "openai", "name": "OpenAI", "models": models}]).encode()


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One build of the store, shared by the tests of this module: (the release folder, the printed output)."""
    data_dir = tmp_path_factory.mktemp("agreement") / "data"
    data_dir.mkdir()
    (data_dir / "reference").symlink_to(REPO_ROOT / "data" / "reference", target_is_directory=True)
    store = RawStore(data_dir / "raw")
    for body, source_id, url, day, kind in ((misread_page(), "openai", PAGE_URL, 15, "text/html"),
                                            (litellm_table(), "litellm", LITELLM_URL, 17, "application/json"),
                                            (genai_table(), "genai_prices", GENAI_URL, 14, "application/json")):
        store.put(body, source_id=source_id, url=url, observed_at=datetime(2025, 8, day, 6, tzinfo=UTC), via="live",
                  status=200, content_type=kind)
    env = cli_env(data_dir)
    env.pop("LLMFLATION_CONFIG", None)
    done = run_cli(["build"], env)
    assert done.returncode == 0, done.stderr[-3000:]
    return data_dir / "published" / "latest", done.stdout + done.stderr


def test_the_misread_page_row_is_held_out_and_the_rest_published(release: tuple[Path, str]) -> None:
    folder, _ = release
    prices = pd.read_parquet(folder / "prices.parquet")
    page = prices[prices["source_id"] == "openai"]
    assert sorted(page.loc[page["tier"] == "standard", "model_key"]) == ["gpt-4.1", "gpt-5", "gpt-5-nano", "o3-pro"]
    assert "gpt-5-mini" in set(page.loc[page["tier"] == "batch", "model_key"])  # other tiers are not compared
    assert set(prices.loc[prices["source_id"] == "litellm", "model_key"]) >= {"gpt-5-mini", "azure/gpt-5-mini"}


def test_source_agreement_is_published_with_both_captures(release: tuple[Path, str]) -> None:
    folder, _ = release
    table = pd.read_parquet(folder / "source_agreement.parquet")
    pairs = {(r.model_key, r.api_source_id): (r.verdict, r.api_agrees) for r in table.itertuples()}
    assert pairs == {
        ("gpt-4.1", "litellm"): ("agree", True),
        ("gpt-5", "genai_prices"): ("agree", True), ("gpt-5", "litellm"): ("agree", True),
        ("gpt-5-mini", "genai_prices"): ("differ", False), ("gpt-5-mini", "litellm"): ("differ", False),
        ("gpt-5-nano", "genai_prices"): ("agree", True),
    }
    mini = table[table["model_key"] == "gpt-5-mini"]
    assert set(mini["input_ratio"]) == {0.5} and set(mini["output_ratio"]) == {0.5}
    assert set(mini["api_provider"]) == {"openai"}
    prices = pd.read_parquet(folder / "prices.parquet")
    assert set(table["api_capture_sha256"]) <= set(prices["capture_sha256"])  # the APIs' evidence is published
    package = json.loads((folder / "datapackage.json").read_text())
    resource = next(r for r in package["resources"] if r["name"] == "source_agreement")
    assert {f["name"] for f in resource["schema"]["fields"]} >= {"page_input_usd_per_mtok", "api_capture_sha256", "verdict"}


def test_the_report_lists_the_evidence_and_the_per_source_summary(release: tuple[Path, str]) -> None:
    folder, output = release
    report = json.loads((folder / "run_report.json").read_text())
    openai = report["source_agreement"]["pages"]["openai"]
    assert (openai["standard_rows"], openai["rows_compared"], openai["agreeing"], openai["differing"]) == (5, 4, 3, 1)
    assert openai["share_agreeing"] == 0.75
    assert report["source_agreement"]["apis"]["litellm"]["rows_compared"] == 3
    (held,) = [f for f in report["validation"]["findings"] if f["check"] == "source_agreement" and f["severity"] == "held_out"]
    (row,) = held["rows"]
    assert row["model_key"] == "gpt-5-mini" and row["input_usd_per_mtok"] == "0.125"
    assert {(a["source_id"], a["input_usd_per_mtok"], a["output_usd_per_mtok"]) for a in row["apis"]} == {
        ("litellm", "0.25", "2"), ("genai_prices", "0.25", "2")}
    assert all(len(a["capture_sha256"]) == 64 for a in row["apis"])
    assert "3 of 4 page prices compared agree with the price APIs (75.0%)" in output
