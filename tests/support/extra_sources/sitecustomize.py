"""Test-only: add the sources in ``$LLMFLATION_TEST_EXTRA_SOURCES`` to the registry of every Python process.

Put this folder on ``PYTHONPATH`` of a subprocess (the CLI, and through it the Scrapy crawl it
starts) and Python imports this module at start-up, before any of llmflation's own imports
read the registry. Each entry is ``{"id", "kind", "url", "parser"}`` plus optional
``needs_api_key_env`` and ``api_key_header``; the fault-injection suite uses it to point one
source at each fault its loopback server plays.
"""

import json
import os

_spec = os.environ.get("LLMFLATION_TEST_EXTRA_SOURCES")
if _spec:
    from llmflation import sources as _sources

    _rows = tuple(
        _sources.Source(
            id=row["id"],
            kind=row["kind"],
            provider=row.get("provider", "test"),
            urls=(_sources.SourceURL(row["url"], since=int(row.get("since", 2023))),),
            parser=row["parser"],
            politeness=_sources.Politeness(download_delay_s=0.0),
            needs_api_key_env=row.get("needs_api_key_env"),
            api_key_header=row.get("api_key_header", "x-api-key"),
        )
        for row in json.loads(_spec)
    )
    _sources.SOURCES = _sources.SOURCES + _rows
