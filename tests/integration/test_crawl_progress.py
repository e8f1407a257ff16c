"""A long crawl run without a terminal (as under Prefect) logs periodic progress lines: done / total, rate, time left."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from llmflation.cli import main
from tests.integration.test_backfill import litellm_archive
from tests.support.fake_wayback import FakeWayback

pytestmark = [pytest.mark.integration, pytest.mark.corpus]


def test_a_non_terminal_backfill_logs_progress_lines(corpus_dir: Path, data_dir: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeWayback(litellm_archive(corpus_dir))
    fake.start()
    try:
        config = tmp_path / "llmflation.toml"
        # 240 requests a minute: the 23 versions take about 6 s, and a progress line is due every second.
        config.write_text(f'[wayback]\nurl = "{fake.url}"\nrequests_per_minute = 240\nstrategy = "every_version"\n'
                              '[progress]\ninterval_s = 1\n')
        monkeypatch.setenv("LLMFLATION_CONFIG", str(config))
        with caplog.at_level(logging.INFO, logger="llmflation.progress"):
            assert main(["backfill", "--sources", "litellm", "--since", "2024-01-01"]) == 0
    finally:
        fake.stop()
    lines = [r.getMessage() for r in caplog.records if r.name == "llmflation.progress"]
    pattern = re.compile(r"progress wayback crawl: (\d+)/23 versions \(\d+\.\d/min, (\d+[hms]\S* left|time left unknown|\S+ elapsed)\)")
    assert all(pattern.fullmatch(line) for line in lines), lines
    assert len(lines) >= 3, lines  # periodic, not only the last
    done = [int(pattern.fullmatch(line)[1]) for line in lines]  # type: ignore[index]
    assert done == sorted(done) and done[-1] == 23
    assert any(0 < d < 23 for d in done), lines  # seen part-way, from the crawl's own stats
