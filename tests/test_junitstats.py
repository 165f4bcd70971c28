"""The JUnit reader and the statistics tools/bench/ and tools/soak/ share."""
from __future__ import annotations

import pytest

from helpers.reporting.evidence import DELAY_PREFIX
from helpers.reporting.junitstats import percentile, read_cases, spread

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="5">
<testcase classname="suites.test_reload" name="test_edit[classic]" time="21.5">
  <properties><property name="delay:edit -&gt; served" value="6.25"/>
  <property name="inherent:pod start" value="3.0"/><property name="sidecar styles" value="classic"/></properties>
</testcase>
<testcase classname="suites.test_proxy" name="test_body[native]" time="8.0"><failure message="boom"/></testcase>
<testcase classname="suites.test_proxy" name="test_head[native]" time="0.5"><error message="fixture"/></testcase>
<testcase classname="suites.test_ordering" name="test_job[classic]" time="0.1"><skipped message="n/a"/></testcase>
<testcase classname="suites.test_ordering" name="test_init[native]" time="0.2">
  <skipped message="n/a"/><error message="teardown"/></testcase>
</testsuite></testsuites>
"""


@pytest.fixture
def cases(tmp_path):
    path = tmp_path / "junit.xml"
    path.write_text(JUNIT)
    return read_cases(path)


def test_cases_carry_name_time_and_outcome_in_file_order(cases):
    assert [(c.classname, c.name, c.seconds, c.outcome) for c in cases] == [
        ("suites.test_reload", "test_edit[classic]", 21.5, "passed"),
        ("suites.test_proxy", "test_body[native]", 8.0, "failed"),
        ("suites.test_proxy", "test_head[native]", 0.5, "error"),
        ("suites.test_ordering", "test_job[classic]", 0.1, "skipped"),
        ("suites.test_ordering", "test_init[native]", 0.2, "error"),  # an error is never a skip
    ]


def test_only_delay_properties_are_read_and_named_without_prefix(cases):
    edit = cases[0]
    assert edit.properties == {"delay:edit -> served": 6.25, "inherent:pod start": 3.0}
    assert edit.delays() == {"edit -> served": 6.25, "pod start": 3.0}
    assert edit.delays((DELAY_PREFIX,)) == {"edit -> served": 6.25}
    assert cases[1].delays() == {}


def test_percentile_is_nearest_rank():
    values = list(range(1, 21))  # 1..20
    assert percentile(values, 0.95) == 19
    assert percentile(values, 0.5) == 10
    assert percentile([7.0], 0.95) == 7.0


def test_spread_is_min_median_p95_max_rounded_to_ms():
    assert spread([3.0, 1.0, 2.0]) == {"min": 1.0, "median": 2.0, "p95": 3.0, "max": 3.0}
    assert spread([1.0001, 2.0004]) == {"min": 1.0, "median": 1.5, "p95": 2.0, "max": 2.0}
