"""Progress of long crawls: periodic log lines when not on a terminal, one rewritten line on a terminal."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from llmflation.progress import ProgressReporter, crawl_progress


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_non_terminal_run_logs_a_progress_line_every_interval(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    reporter = ProgressReporter("wayback crawl", 500, "versions", stream=io.StringIO(), interval_s=30, clock=clock)
    assert not reporter.terminal
    with caplog.at_level(logging.INFO, logger="llmflation.progress"):
        for second in range(1, 121):  # one version every 4 s for two minutes
            clock.now += 1
            reporter.update(second // 4)
        reporter.finish(30)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 5  # at 30, 60, 90 and 120 s, and the last
    assert lines[0] == "progress wayback crawl: 7/500 versions (14.0/min, 35m13s left)"
    assert lines[-1].startswith("progress wayback crawl: 30/500 versions (15.0/min, 31m20s left)")


def test_a_terminal_gets_one_line_rewritten_in_place() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    clock, stream = Clock(), Tty()
    reporter = ProgressReporter("live crawl", None, "fetches", stream=stream, clock=clock)
    for done in range(1, 5):
        clock.now += 1
        reporter.update(done)
    reporter.finish(4)
    out = stream.getvalue()
    assert out.count("\r\033[K") == 5 and out.endswith("\n") and out.count("\n") == 1
    assert "live crawl: 4 fetches (60.0/min, 4s elapsed)" in out


def test_progress_is_read_from_scrapys_stats_lines(tmp_path: Path) -> None:
    clock = Clock()
    reporter = ProgressReporter("wayback crawl", 10, "versions", stream=io.StringIO(), interval_s=30, clock=clock)
    log_file = tmp_path / "wayback.log"
    poll = crawl_progress(log_file, reporter)
    poll()  # no log yet
    log_file.write_bytes(b"2026-12-02 04:00:00 [scrapy.extensions.logstats] INFO: Crawled 3 pages (at 3 pages/min), "
                         b"scraped 2 items (at 2 items/min)\n2026-12-02 04:00:01 [x] INFO: Crawled 9 pa")
    poll()
    assert reporter.done == 2
    with log_file.open("ab") as handle:
        handle.write(b"ges (at 6 pages/min), scraped 7 items (at 5 items/min)\n")
    poll()
    assert reporter.done == 7
