"""Unit tests of the bench's view of a JUnit file and its goal arithmetic."""
from __future__ import annotations

import pytest

from bench.results import Goal, read_junit

JUNIT = """<testsuites><testsuite>
<testcase classname="suites.test_shutdown" name="test_grace[native]" time="40.0"><properties>
<property name="delay:SIGKILL after grace" value="30.0"/><property name="delay:log line seen" value="1.5"/>
<property name="inherent:pod start" value="3.0"/></properties></testcase>
<testcase classname="suites.test_proxy" name="test_body[native]" time="8.0"><failure message="boom"/></testcase>
</testsuite></testsuites>"""


def test_bench_names_cases_by_module_and_counts_only_inherent_waits(tmp_path):
    path = tmp_path / "junit.xml"
    path.write_text(JUNIT)
    grace, proxy = read_junit(path)
    assert (grace.name, grace.seconds, grace.outcome) == ("test_shutdown::test_grace[native]", 40.0, "passed")
    assert grace.delays == {"SIGKILL after grace": 30.0, "log line seen": 1.5, "pod start": 3.0}
    assert grace.inherent == pytest.approx(33.0)  # a log line is the suite's own time, not Kubernetes'
    assert (proxy.outcome, proxy.inherent) == ("failure", 0)  # bench.json's outcome name, as before


def test_goal_is_met_at_or_under_target():
    assert Goal("g", 10.0, 10.0).met
    assert not Goal("g", 10.1, 10.0).met
    assert "MISSED" in Goal("g", 10.1, 10.0).line()
