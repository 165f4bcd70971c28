"""Negative controls: each deploys a Pod broken in one behaviour and runs the suite's own
check on it, which must fail with exactly that check's CheckFailed.

`broken(check)` (a Check constant of helpers/checks/<behaviour>.py) wraps the check; anything else it raises (a Pod that cannot
start, a failed precondition) propagates and the control errors. The caught failure is
kept in the report and listed in a "negative controls" section at the end. A control whose
check passes fails.
"""
from contextlib import contextmanager

import pytest

from helpers.checks.failure import Check, CheckFailed

CONTROL_PROPERTY = "control failure"


@pytest.fixture
def broken(request: pytest.FixtureRequest):
    """broken(check): the block must raise CheckFailed of that check (and its behaviour)."""
    @contextmanager
    def expect(check: Check):
        try:
            yield
        except CheckFailed as failure:
            if (failure.behaviour, failure.check) != (check.behaviour, check.name):
                raise AssertionError(f"expected {check.name!r} [{check.behaviour}] to fail, but another check"
                                     f" failed: {failure}") from failure
            request.node.user_properties.append((CONTROL_PROPERTY, str(failure).splitlines()[0]))
        else:
            pytest.fail(f"negative control passed: {check.name!r} [{check.behaviour}] did not fail on a Pod"
                        " broken in it")

    return expect


def pytest_terminal_summary(terminalreporter) -> None:
    rows = [(report.nodeid, value) for reports in terminalreporter.stats.values() for report in reports
            if getattr(report, "when", None) == "call"
            for key, value in getattr(report, "user_properties", []) if key == CONTROL_PROPERTY]
    if rows:
        terminalreporter.section("negative controls: how each broken Pod failed")
        for nodeid, message in sorted(rows):
            terminalreporter.line(f"{nodeid.split('::')[-1]}: {message}")
