"""Progress of long crawls (a first backfill takes hours): done / total, rate, time left.

On a terminal, one line rewritten in place (at most twice a second); otherwise (nightly runs
under Prefect, output to a file) a plain log line every ``interval_s`` seconds, and one at the
end. Crawls run as ``scrapy crawl`` subprocesses: :func:`crawl_progress` reads how many items
(fetch outcomes: one per version fetched or failed) the crawl has written from Scrapy's own
periodic stats line (the LogStats extension, every ``LOGSTATS_INTERVAL`` seconds) in its log file.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from llmflation.config import ProgressSettings

log = logging.getLogger(__name__)

#: Seconds between progress log lines when the output is not a terminal.
DEFAULT_INTERVAL_S = ProgressSettings.interval_s
_TERMINAL_REFRESH_S = 0.5
_SCRAPED = re.compile(rb"scraped (\d+) items")


class ProgressReporter:
    """Reports ``done`` of ``total`` (None when unknown) units of ``what`` for a task called ``label``."""

    def __init__(self, label: str, total: int | None, what: str = "items", stream: TextIO | None = None,
                 interval_s: float = DEFAULT_INTERVAL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.label, self.total, self.what = label, total, what
        self.stream = stream if stream is not None else sys.stderr
        self.terminal = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval_s = interval_s
        self.clock = clock
        self.started = clock()
        self.done = 0
        self._last_report = self.started

    def update(self, done: int) -> None:
        """Record ``done`` units finished so far; reports when it is time to."""
        self.done = max(self.done, done)
        now = self.clock()
        if now - self._last_report >= (_TERMINAL_REFRESH_S if self.terminal else self.interval_s):
            self._last_report = now
            self._emit(final=False)

    def finish(self, done: int | None = None) -> None:
        """The last report, always made."""
        if done is not None:
            self.done = done
        self._emit(final=True)

    def text(self) -> str:
        """``backfill: 120/500 versions (30.0/min, 12m40s left)``."""
        elapsed = max(self.clock() - self.started, 1e-9)
        rate = self.done / elapsed * 60
        count = f"{self.done}/{self.total}" if self.total is not None else f"{self.done}"
        parts = [f"{rate:.1f}/min"]
        if self.total is not None and self.done < self.total:
            parts.append(f"{_duration((self.total - self.done) / (rate / 60))} left" if rate > 0 else "time left unknown")
        else:
            parts.append(f"{_duration(elapsed)} elapsed")
        return f"{self.label}: {count} {self.what} ({', '.join(parts)})"

    def _emit(self, final: bool) -> None:
        if self.terminal:
            self.stream.write("\r\033[K" + self.text() + ("\n" if final else ""))
            self.stream.flush()
        else:
            log.info("progress %s", self.text())


def crawl_progress(log_file: Path, reporter: ProgressReporter) -> Callable[[], None]:
    """A function that, called now and then while the crawl runs, feeds ``reporter`` from the crawl's log."""
    offset = 0

    def poll() -> None:
        nonlocal offset
        try:
            with log_file.open("rb") as handle:
                handle.seek(offset)
                chunk = handle.read()
        except FileNotFoundError:
            return
        last_newline = chunk.rfind(b"\n")
        if last_newline < 0:
            return
        offset += last_newline + 1
        counts = _SCRAPED.findall(chunk[: last_newline + 1])
        if counts:
            reporter.update(int(counts[-1]))
        else:
            reporter.update(reporter.done)  # time passes: a slow crawl still reports

    return poll


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"
