"""Prefect settings the project sets for itself, before Prefect is imported.

Prefect reads its settings from the environment when it is imported, so this runs first
(``pipelines/__init__.py`` calls it). Values a user already exported win.

- ``PREFECT_HOME`` under ``<data_dir>/state/prefect``: its SQLite database stays with the data.
- Analytics off (``PREFECT_SERVER_ANALYTICS_ENABLED=false``, ``DO_NOT_TRACK=1``): nothing leaves
  the machine but requests to the sources.
- A 90 s start-up limit for the temporary local server: its first start creates the database
  and can take ~20 s, Prefect's own default limit.
"""

from __future__ import annotations

import os

from llmflation.config import Settings, load_settings


def configure_prefect(settings: Settings | None = None) -> None:
    settings = settings or load_settings()
    home = settings.state_dir / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    defaults = {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
        "PREFECT_LOGGING_LOG_PRINTS": "false",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
