"""Prints the fault-injection suite's summary at the end of the test session (and so in CI output)."""

from __future__ import annotations

import pytest

from tests.integration.faultlog import FAULTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FAULTS.faults_injected:
        return
    terminalreporter.section("fault injection")
    terminalreporter.write_line(FAULTS.summary())
    for problem in FAULTS.problems[:20]:
        terminalreporter.write_line(f"  {problem}")
