"""Failures carry a kind: a broken check, a scenario that could not be set up, a refused object."""
import json

import pytest
from kubernetes import client

from clusters.lookup import parse_nodes
from helpers.checks.failure import Behaviour, CheckFailed, PreconditionFailed, precondition
from helpers.kube import timeouts
from helpers.kube.namespace import refused_creation
from helpers.kube.timeouts import Timeout
from helpers.kube.waits import HoldBroken, WaitTimeout, holds_for, wait_until

DEMO = Behaviour("demo")
QUICK = Timeout("quick", 0.2, poll=0.05)


def test_a_failed_requirement_names_behaviour_check_awaited_and_seen():
    with pytest.raises(CheckFailed) as failed:
        DEMO.require(False, DEMO.check("answers"), "HTTP 200", "HTTP 502")
    assert (failed.value.behaviour, failed.value.check, failed.value.awaited, failed.value.seen) == (
        "demo", "answers", "HTTP 200", "HTTP 502")
    assert str(failed.value) == "answers broken [demo]: expected HTTP 200; saw HTTP 502"


def test_a_wait_that_runs_out_inside_a_check_is_that_check_failing():
    with pytest.raises(CheckFailed) as failed, DEMO.waiting(DEMO.check("ships")):
        wait_until("the last line", lambda: "line 1", lambda text: text == "line 9", QUICK)
    assert failed.value.check == "ships" and failed.value.seen == "'line 1'"
    assert failed.value.awaited.startswith("the last line within 0.2s [quick]")
    assert isinstance(failed.value.__cause__, WaitTimeout)


def test_a_broken_hold_inside_a_check_is_that_check_failing():
    with pytest.raises(CheckFailed) as failed, DEMO.waiting(DEMO.check("held open")):
        holds_for("the job incomplete", lambda: "Complete", lambda state: state != "Complete", QUICK)
    assert failed.value.seen == "'Complete'" and isinstance(failed.value.__cause__, HoldBroken)


def test_a_precondition_is_not_a_check_failure():
    with pytest.raises(PreconditionFailed, match="precondition not met: main exited 0") as failed:
        precondition(False, "main exited 0")
    assert not isinstance(failed.value, CheckFailed)


def test_admission_refusal_is_one_line_with_the_servers_message():
    exc = client.ApiException(status=403, reason="Forbidden")
    exc.body = json.dumps({"kind": "Status", "message": 'pods "proxy-demo" is forbidden: no shareProcessNamespace'})
    refused = refused_creation({"kind": "Pod", "metadata": {"name": "proxy-demo"}}, exc)
    assert str(refused).splitlines()[0].startswith(
        'creating Pod proxy-demo refused (HTTP 403): pods "proxy-demo" is forbidden: no shareProcessNamespace')


def test_timeouts_scale():
    try:
        timeouts.set_scale(2.5)
        assert Timeout("t", 10).seconds == 25
    finally:
        timeouts.set_scale(1)
    with pytest.raises(ValueError, match="must be greater than 0"):
        timeouts.set_scale(0)


def test_a_kind_cluster_with_a_stopped_node_is_not_reused():
    listing = "c1-control-plane\trunning\nc1-worker\texited\n"
    nodes = parse_nodes("c1", listing)
    assert nodes.exist and nodes.stopped and nodes.running == {"c1-control-plane": True, "c1-worker": False}
    assert not parse_nodes("c1", "").exist and not parse_nodes("c1", "").stopped
    assert not parse_nodes("c1", "c1-control-plane\trunning\n").stopped
