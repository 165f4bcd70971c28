"""Unit tests of the bench's view of a JUnit file, its costs and its goal arithmetic."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

from tools.bench import calibrate, meter, nodeparts
from tools.bench.__main__ import accounting, parse_args
from tools.bench.meter import Cost, combine
from tools.bench.results import Goal, goals, headline, read_costs, totals

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


NODE_SNAPSHOT = """cg node 110000000000
cg pods 60000000000
cg pod:1111 20000000000
cg pod:2222 5000000000
cg pod:3333 1000000000
cg pod:4444 2000000000
proc kubelet 500 300 0 0
proc containerd 700 500 200 100
proc systemd 150 50 4400 600
crictl {"items": [
 {"metadata": {"name": "kube-apiserver-n", "namespace": "kube-system", "uid": "1111"}},
 {"metadata": {"name": "etcd-n", "namespace": "kube-system", "uid": "2222"}},
 {"metadata": {"name": "kube-proxy-x", "namespace": "kube-system", "uid": "3333"}},
 {"metadata": {"name": "app", "namespace": "t-1", "uid": "4444"}}]}"""


def test_node_parts_split_the_node_and_take_test_pods_out_of_what_systemd_reaped():
    parts = nodeparts.parse(NODE_SNAPSHOT.replace("\n ", " "))
    assert parts["API server"] == 20 and parts["etcd"] == 5 and parts["kube-proxy, CNI, CoreDNS, storage"] == 1
    assert parts[nodeparts.TEST_PODS] == 34  # every Pod's 60 less the system Pods' 26 (deleted Pods included)
    assert (parts[nodeparts.KUBELET], parts[nodeparts.CONTAINERD], parts[nodeparts.SYSTEMD]) == (8, 15, 2)
    assert parts[nodeparts.RUNC] == 16  # systemd reaped 50: shims with their runc calls and the test Pods' 34
    assert parts[nodeparts.REST] == 9
    assert sum(parts.values()) == pytest.approx(110)  # the node's whole time, once
    assert nodeparts.parse("cgroup v2\n") is None


def test_pods_line_keeps_escaped_line_breaks_in_json_strings(tmp_path):
    pods = {"items": [{"annotations": {"last-applied": '{"kind":"Pod"}\n'}}]}  # as kubectl apply leaves it
    (tmp_path / "pods.json").write_text(json.dumps(pods, indent=2))  # crictl prints JSON over many lines
    crictl = tmp_path / "crictl"
    crictl.write_text(f"#!/bin/sh\ncat {tmp_path / 'pods.json'}\n")
    crictl.chmod(0o755)
    done = subprocess.run(["sh", "-c", nodeparts.PODS_LINE], capture_output=True, text=True, check=True,
                          env={**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"})
    kind, _, line = done.stdout.rstrip("\n").partition(" ")
    assert kind == "crictl" and json.loads(line) == pods


def test_a_runs_objects_and_requests_come_from_the_kubelet_and_api_server_counters():
    kubelet = ('kubelet_started_pods_total 12\nkubelet_started_containers_total{container_type="container"} 20\n'
               'kubelet_started_containers_total{container_type="init_container"} 5\n')

    def server(verb: str, resource: str, subresource: str, code: str, value: int) -> str:
        return (f'apiserver_request_total{{code="{code}",component="apiserver",group="",resource="{resource}",'
                f'scope="resource",subresource="{subresource}",verb="{verb}",version="v1"}} {value}\n')

    text = (server("POST", "namespaces", "", "201", 7) + server("POST", "namespaces", "", "409", 2)
            + server("POST", "pods", "", "201", 40) + server("CONNECT", "pods", "exec", "0", 30)
            + server("CONNECT", "pods", "log", "200", 100) + server("CONNECT", "pods", "log", "400", 3)
            + server("CONNECT", "pods", "portforward", "0", 8))
    assert calibrate.total(calibrate.KUBELET_COUNTERS["pods"], kubelet) == 12
    assert calibrate.total(calibrate.KUBELET_COUNTERS["containers"], kubelet) == 25
    counted = {what: calibrate.total(pattern, text) for what, pattern in calibrate.SERVER_COUNTERS.items()}
    assert counted == {"namespaces": 7, "execs": 30, "log reads": 103, "port-forwards": 8}


def test_kubernetes_own_cost_adds_up_in_all_and_part_by_part():
    def cost(api: float, kubelet: float) -> Cost:
        return Cost(api + kubelet, {"API server": api, "kubelet": kubelet})

    per = calibrate.PerObject(pod=cost(0.5, 0.3), container=cost(0.1, 0.1), namespace=cost(0.25, 0.0),
                              exec=cost(0.01, 0.02), log_read=cost(0.01, 0.0))
    made = {"pods": 10, "containers": 20, "namespaces": 4, "execs": 100, "log reads": 50}
    # 10 Pods of 2 containers: 10 x 0.8 + 10 more containers x 0.2; 4 namespaces x 0.25
    floor = per.floor(made)
    assert floor.total == pytest.approx(11.0)
    assert floor.parts == pytest.approx({"API server": 7.0, "kubelet": 4.0})
    assert per.requests(made).total == pytest.approx(3.5)  # 100 x 0.03 + 50 x 0.01
    split = accounting(per, made, idle=cost(2.0, 1.0), run_parts={"API server": 12.0, "kubelet": 8.0},
                       replayed={"API server": 8.5, "kubelet": 6.0})
    assert split["cluster_cpu_split_s"]["API server"] == pytest.approx(
        {"run": 12.0, "idle": 2.0, "objects": 7.0, "requests": 1.5, "rest": 1.5, "replay": 8.5, "looking": 1.5})
    assert split["cluster_cpu_split_s"]["kubelet"]["looking"] == pytest.approx(1.0)
    assert (split["kubernetes_floor_s"], split["requests_s"]) == (pytest.approx(11.0), pytest.approx(3.5))
    assert "cluster_cpu_split_s" not in accounting(per, made, idle=Cost(3.0), run_parts=None, replayed=None)
    assert combine([(1.0, per.pod), (2.0, Cost(1.0))]) == Cost(pytest.approx(2.8))  # no parts: total only


class FakeNode:
    """A node whose CPU and clock move only when told: 0.1 CPU-s/s idle, all in the API server."""

    def __init__(self):
        self.containers, self.cpu, self.clock = ["node"], 0.0, 0.0

    def seconds(self) -> float:
        return self.cpu

    def run(self, wall: float, extra_cpu: float = 0.0) -> None:
        self.clock += wall
        self.cpu += 0.1 * wall + extra_cpu


def test_meter_subtracts_the_quietest_idle_in_all_and_by_part(monkeypatch):
    node = FakeNode()

    def snapshot(containers):
        node.run(0.5)  # a snapshot takes time: the parts' window is longer than the total's
        return {"API server": node.cpu}

    monkeypatch.setattr(meter.nodeparts, "snapshot", snapshot)
    monkeypatch.setattr(meter.time, "monotonic", lambda: node.clock)
    monkeypatch.setattr(meter.time, "sleep", node.run)
    meter_ = meter.Meter(node)
    assert meter_.measure_idle() == pytest.approx(0.1) and meter_.idle_parts == pytest.approx({"API server": 0.1})
    cost = meter_.above_idle(lambda: node.run(10.0, extra_cpu=2.0))
    assert cost.total == pytest.approx(2.0) and cost.parts == pytest.approx({"API server": 2.0})
