"""Fixtures for end-to-end runs: the real CLI in a subprocess, with its own data folder and config."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.faultlog import FAULTS


@pytest.fixture(scope="session")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Prefect home for the session: its SQLite database is created once (~20 s), then reused."""
    return tmp_path_factory.mktemp("prefect-home")


@pytest.fixture
def run_cli(data_dir: Path, prefect_home: Path, tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``llmflation ARGS`` as a user would, with LLMFLATION_CONFIG = tmp_path/llmflation.toml if written."""

    def run(*args: str, config: str | None = None, timeout: float = 300, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env.update({
            "LLMFLATION_DATA_DIR": str(data_dir),
            "PREFECT_HOME": str(prefect_home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        })
        env.pop("LLMFLATION_CONFIG", None)
        if config is not None:
            path = tmp_path / "llmflation.toml"
            path.write_text(config)
            env["LLMFLATION_CONFIG"] = str(path)
        env.update(extra_env or {})
        return subprocess.run([sys.executable, "-m", "llmflation.cli", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=timeout, check=False)

    return run


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The fault-injection suite's totals, at the end of the session (and so in CI output)."""
    if not FAULTS.faults_injected:
        return
    terminalreporter.section("fault injection")
    terminalreporter.write_line(FAULTS.summary())
    for problem in FAULTS.problems[:20]:
        terminalreporter.write_line(f"  {problem}")
