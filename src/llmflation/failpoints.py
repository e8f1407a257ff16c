"""Named pause points, for the tests that kill a run with ``kill -9`` at a chosen moment.

With ``LLMFLATION_FAILPOINTS=name1,name2`` set, a process reaching ``failpoint("name1")``
writes ``<LLMFLATION_FAILPOINT_DIR>/name1`` and then waits forever, so a test can kill it
exactly there instead of guessing with timers. Unset (always, outside those tests), a
failpoint is one dictionary lookup and nothing else.

Points in the code: ``rawstore.put`` (blob written, manifest entry not yet),
``write_atomic`` (temporary file written, not yet renamed), ``publish.staged`` (the whole
release in staging, not yet renamed), ``publish.renamed`` (release in place, ``latest`` not
yet switched).
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)

ENV_NAMES = "LLMFLATION_FAILPOINTS"
ENV_DIR = "LLMFLATION_FAILPOINT_DIR"


def failpoint(name: str) -> None:
    """Pause here forever when ``name`` is listed in ``$LLMFLATION_FAILPOINTS``; otherwise return."""
    names = os.environ.get(ENV_NAMES)
    if not names or name not in names.split(","):
        return
    folder = Path(os.environ.get(ENV_DIR) or ".")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(str(os.getpid()), encoding="utf-8")
    log.warning("failpoint %s reached in pid %s: waiting to be killed", name, os.getpid())
    while True:
        time.sleep(60)
