"""Unit tests of the bench's view of a JUnit file, its costs and its goal arithmetic."""
from __future__ import annotations

import pytest

from bench.__main__ import parse_args
from bench.results import Goal, goals, headline, read_costs, totals

JUNIT = """<testsuites><testsuite>
<testcase classname="suites.test_shutdown" name="test_grace[native]" time="40.0"><properties>
<property name="delay:SIGKILL after grace" value="30.0"/><property name="delay:log line seen" value="1.5"/>
<property name="inherent:pod start" value="3.0"/><property name="cost:pods" value="1"/>
<property name="cost:execs" value="4"/><property name="cost:port-forwards" value="0"/>
<property name="cost:harness cpu s" value="0.8"/><property name="cost:cluster cpu s" value="6.0"/>
</properties></testcase>
<testcase classname="suites.test_proxy" name="test_body[native]" time="8.0"><failure message="boom"/></testcase>
</testsuite></testsuites>"""


def test_costs_name_cases_by_module_count_only_inherent_waits_and_subtract_idle(tmp_path):
    path = tmp_path / "junit.xml"
    path.write_text(JUNIT)
    grace, proxy = read_costs(path, idle_per_s=0.1)
    assert (grace.name, grace.seconds, grace.outcome) == ("test_shutdown::test_grace[native]", 40.0, "passed")
    assert grace.inherent_s == pytest.approx(33.0)  # a log line is the suite's own time, not Kubernetes'
    assert grace.cluster_cpu_above_idle_s == pytest.approx(2.0)  # 6 CPU-s less 40 s at 0.1 per s
    assert (grace.counts, grace.harness_cpu_s) == ({"pods": 1, "execs": 4, "port-forwards": 0}, 0.8)
    assert (proxy.outcome, proxy.inherent_s, proxy.cluster_cpu_above_idle_s) == ("failed", 0, None)
    assert totals([grace, proxy])["execs"] == 4


def test_headline_and_goals_say_not_measured_for_skipped_phases(tmp_path):
    result = {"workers": 4, "tests": [], "curve": {4: {"wall_s": 60.0, "cluster_cpu_above_idle_s": 40.0}}}
    top = headline(result)
    assert top == {"suite_wall_s": 60.0, "longest_test_s": None, "cluster_cpu_above_idle_s": 40.0,
                   "e2e_warm_wall_s": None}
    wall, cpu, e2e, create = goals(top, {"ours": 31.0, "bare_kind_create_wait": 25.0})
    assert (wall.met, cpu.met, e2e.met, create.met) == (None, True, None, False)
    assert "not measured" in wall.line()


def test_goal_is_met_at_or_under_target():
    assert Goal("g", 10.0, 10.0).met
    assert not Goal("g", 10.1, 10.0).met
    assert "MISSED" in Goal("g", 10.1, 10.0).line()


def test_curve_always_holds_the_default_worker_count():
    args = parse_args(["-n", "5", "--curve", "2,4", "--skip", "e2e"])
    assert (args.curve, args.skip) == ([2, 4, 5], {"e2e"})
    with pytest.raises(SystemExit):
        parse_args(["--skip", "everything"])
