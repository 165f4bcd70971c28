"""Negative controls: each deploys a Pod broken in one behaviour and runs the suite's own
check on it, which must fail with a message naming that behaviour.

`broken(match)` wraps the check; the caught message is kept in the report and listed in
a "negative controls" section at the end. A control whose check passes fails.
"""
from contextlib import contextmanager

import pytest

CONTROL_PROPERTY = "control failure"


@pytest.fixture
def broken(request: pytest.FixtureRequest):
    """broken(match): the block must raise AssertionError whose message matches `match`."""
    @contextmanager
    def expect(match: str):
        with pytest.raises(AssertionError, match=match) as caught:
            yield
        first_line = str(caught.value).strip().splitlines()[0]
        request.node.user_properties.append((CONTROL_PROPERTY, first_line))

    return expect


def pytest_terminal_summary(terminalreporter) -> None:
    rows = [(report.nodeid, value) for reports in terminalreporter.stats.values() for report in reports
            if getattr(report, "when", None) == "call"
            for key, value in getattr(report, "user_properties", []) if key == CONTROL_PROPERTY]
    if rows:
        terminalreporter.section("negative controls: how each broken Pod failed")
        for nodeid, message in sorted(rows):
            terminalreporter.line(f"{nodeid.split('::')[-1]}: {message}")
