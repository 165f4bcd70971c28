"""Unit tests of the bench's result reading and goal arithmetic."""
from __future__ import annotations

import pytest

from bench.results import Goal, percentile, read_junit, spread

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="3">
<testcase classname="suites.test_reload" name="test_edit[classic]" time="21.5">
  <properties><property name="delay:ConfigMap edit -&gt; new body served" value="6.25"/>
  <property name="inherent:pod start" value="3.0"/><property name="other" value="x"/></properties>
</testcase>
<testcase classname="suites.test_proxy" name="test_body[native]" time="8.0"><failure message="boom"/></testcase>
<testcase classname="suites.test_ordering" name="test_job[classic]" time="0.1"><skipped message="n/a"/></testcase>
</testsuite></testsuites>
"""


def test_junit_cases_carry_time_outcome_and_inherent_waits(tmp_path):
    path = tmp_path / "junit.xml"
    path.write_text(JUNIT)
    reload_case, proxy_case, job_case = read_junit(path)
    assert reload_case.name == "test_reload::test_edit[classic]"
    assert reload_case.delays == {"ConfigMap edit -> new body served": 6.25, "pod start": 3.0}
    assert reload_case.inherent == pytest.approx(9.25)
    assert (proxy_case.outcome, job_case.outcome) == ("failure", "skipped")
    assert proxy_case.inherent == 0


def test_percentile_is_nearest_rank():
    values = list(range(1, 21))  # 1..20
    assert percentile(values, 0.95) == 19
    assert percentile(values, 0.5) == 10
    assert percentile([7.0], 0.95) == 7.0
    assert spread([3.0, 1.0, 2.0]) == {"min": 1.0, "median": 2.0, "p95": 3.0, "max": 3.0}


def test_goal_is_met_at_or_under_target():
    assert Goal("g", 10.0, 10.0).met
    assert not Goal("g", 10.1, 10.0).met
    assert "MISSED" in Goal("g", 10.1, 10.0).line()
