"""A crawl that cannot start at all is an error the caller sees (so the flow's retries fire), with every
selected source marked failed in the run report: `llmflation capture` exits 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmflation import cli
from llmflation.fetch import capture

pytestmark = pytest.mark.integration


def test_a_crawl_that_cannot_start_fails_the_capture_and_names_why(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The real `scrapy crawl` subprocess, given a settings module that does not exist: it exits non-zero
    # before any request.
    monkeypatch.setattr(capture, "SCRAPY_SETTINGS_MODULE", "llmflation_no_such_settings")
    assert cli.main(["capture", "--sources", "litellm,openrouter"]) == 1
    [report_path] = (data_dir / "state" / "runs").glob("*/run_report.json")
    sources = json.loads(report_path.read_text())["sources"]
    for source_id in ("litellm", "openrouter"):
        assert sources[source_id]["capture"]["status"] == "failed"
        assert "crawl did not run" in sources[source_id]["capture"]["summary"]
    assert not (data_dir / "raw").exists() or not any((data_dir / "raw").rglob("*.json"))
