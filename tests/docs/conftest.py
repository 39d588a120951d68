"""Reports how many documentation blocks ran and how many are marked as not runnable."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not any(
        "tests/docs/" in report.nodeid
        for reports in terminalreporter.stats.values()
        for report in reports
        if hasattr(report, "nodeid")
    ):
        return
    from tests.docs.test_examples import summary

    terminalreporter.write_line(summary())
