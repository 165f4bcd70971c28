"""The lifecycle checks that judge pure observations: event order, Pod IP history, the end
of a deletion."""
from datetime import UTC, datetime, timedelta

import pytest
from kubernetes import client

from helpers.checks import lifecycle
from helpers.checks.events import Event, Timeline
from helpers.checks.failure import CheckFailed
from helpers.checks.lifecycle import (
    NEXT_SIGTERM_AFTER_EXIT,
    assert_gone_by_the_deadline,
    assert_pod_ip_kept,
    assert_started_one_after_another,
    assert_stopped_in_reverse_order,
    timeline_of,
)
from helpers.kube.deletion import Deletion
from helpers.kube.logs import LogLine
from helpers.kube.timeouts import Timeout


def timeline(*events):
    return Timeline(Event(t, container, what) for t, container, what in events)


def test_start_order_needs_each_sidecar_ready_before_the_next_starts():
    ordered = timeline((1, "sc-1", "started"), (2, "sc-1", "ready"), (2.5, "sc-2", "started"), (3.5, "sc-2", "ready"),
                       (4, "sc-3", "started"), (5, "sc-3", "ready"), (5.5, "main", "started"))
    assert_started_one_after_another(ordered)
    together = timeline(*[(1, name, "started") for name in ("sc-1", "sc-2", "sc-3", "main")],
                        *[(2, name, "ready") for name in ("sc-1", "sc-2", "sc-3")])
    with pytest.raises(CheckFailed, match="sidecars start one after another"):
        assert_started_one_after_another(together)


def test_stop_order_is_main_then_the_sidecars_in_reverse():
    reverse = timeline((1, "main", "SIGTERM"), (1.5, "main", "exiting"), (1.6, "sc-3", "SIGTERM"),
                       (2.1, "sc-3", "exiting"), (2.2, "sc-2", "SIGTERM"), (2.7, "sc-2", "exiting"),
                       (2.8, "sc-1", "SIGTERM"), (3.3, "sc-1", "exiting"))
    assert_stopped_in_reverse_order(reverse)
    with pytest.raises(CheckFailed, match="sidecars stop in reverse order after main"):
        assert_stopped_in_reverse_order(timeline((1, "main", "SIGTERM"), (1, "sc-1", "SIGTERM"),
                                                 (1.5, "main", "exiting"), (1.5, "sc-1", "exiting")))
    late = NEXT_SIGTERM_AFTER_EXIT + 0.1  # sc-2's SIGTERM this long after sc-3 exited
    with pytest.raises(CheckFailed, match=r"gaps \[0.1, 5.1, 0.1\]"):
        assert_stopped_in_reverse_order(timeline(
            (1, "main", "SIGTERM"), (1.5, "main", "exiting"), (1.6, "sc-3", "SIGTERM"), (2.1, "sc-3", "exiting"),
            (2.1 + late, "sc-2", "SIGTERM"), (2.6 + late, "sc-2", "exiting"), (2.7 + late, "sc-1", "SIGTERM"),
            (3.2 + late, "sc-1", "exiting")))


def state(phase, ip, ips=None):
    listed = [client.V1PodIP(ip=each) for each in ([ip] if ips is None and ip else ips or [])]
    return client.V1Pod(status=client.V1PodStatus(phase=phase, pod_ip=ip, pod_ips=listed))


def test_the_pod_ip_must_stay_until_succeeded_and_after():
    assert_pod_ip_kept([state("Pending", None), state("Running", "10.0.0.5"), state("Succeeded", "10.0.0.5")])
    with pytest.raises(CheckFailed, match="Pod IP kept until completion"):
        assert_pod_ip_kept([state("Running", "10.0.0.5"), state("Running", None), state("Succeeded", "10.0.0.5")])
    with pytest.raises(CheckFailed):
        assert_pod_ip_kept([state("Running", "10.0.0.5"), state("Failed", "10.0.0.5")])
    with pytest.raises(CheckFailed):  # kubernetes/kubernetes#125404: a finished Pod's later state without it
        assert_pod_ip_kept([state("Running", "10.0.0.5"), state("Succeeded", None), state("Succeeded", "10.0.0.5")])
    with pytest.raises(CheckFailed):  # podIPs lost while podIP stays
        assert_pod_ip_kept([state("Running", "10.0.0.5"), state("Succeeded", "10.0.0.5", ips=[])])


KILLING = datetime(2026, 11, 28, 21, 31, 49, tzinfo=UTC)  # the kubelet's first Killing event


class Lines:
    """A followed log, as far as deletion_timeline reads it."""

    def __init__(self, texts: list[str]):
        self.lines = texts

    def texts(self) -> list[str]:
        return self.lines


def main_killed_after(seconds: float) -> dict[str, Lines]:
    """main's followed log: SIGTERM at uptime 100, a line every 0.2 s, the last `seconds` later."""
    alive = [f"event {100 + step / 5:.2f} main alive" for step in range(int(seconds * 5) + 1)]
    return {"main": Lines(["event 100.00 main SIGTERM", *alive])}


def deleted(requested_after_killing: float, ends: dict[str, float], gone: float, killed_after: float = 4.0) -> Deletion:
    """A deletion with a 4 s grace period; times in seconds after the Killing event; main's
    last line `killed_after` seconds after its SIGTERM (its own clock)."""
    def at(seconds):
        return KILLING + timedelta(seconds=seconds)

    statuses = [client.V1ContainerStatus(name=name, image="", image_id="", ready=False, restart_count=0,
                                         state=client.V1ContainerState(terminated=client.V1ContainerStateTerminated(
                                             exit_code=137, finished_at=at(end))))
                for name, end in ends.items()]
    final = client.V1Pod(status=client.V1PodStatus(container_statuses=statuses))
    return Deletion(at(requested_after_killing), KILLING, 4, final, main_killed_after(killed_after), at(gone),
                    at(requested_after_killing))


def test_the_grace_period_counts_from_the_kubelets_killing_event():
    # Seen in CI under load: the kubelet began 2 s after the request, main was killed 5 s after
    # its Killing event (1 s resolution on both).
    assert_gone_by_the_deadline(deleted(-2.5, {"main": 5, "sc": 1}, gone=6.2), ["main", "sc"])


@pytest.mark.parametrize("ends, gone", [
    ({"main": 7, "sc": 1}, 8),  # main killed 3 s after the grace period: overran it
    ({"main": 4, "sc": 7}, 8),  # a sidecar outlived the grace period
    ({"main": 1, "sc": 1}, 2),  # main killed 3 s early: the grace period not given
    ({"main": 4, "sc": 1}, 12),  # the Pod stayed 8 s after its containers ended
], ids=["main-late", "sidecar-late", "main-early", "pod-stays"])
def test_a_pod_outside_its_grace_period_fails(ends, gone):
    with pytest.raises(CheckFailed, match="grace period bounds the Pod"):
        assert_gone_by_the_deadline(deleted(-0.5, ends, gone), ["main", "sc"])


@pytest.mark.parametrize("killed_after", [2.8, 5.2], ids=["killed-early", "killed-late"])
def test_main_killed_off_its_grace_period_on_its_own_clock_fails(killed_after):
    with pytest.raises(CheckFailed, match=r"main's last line 4s after its SIGTERM"):
        assert_gone_by_the_deadline(deleted(-0.5, {"main": 4, "sc": 1}, 5, killed_after), ["main", "sc"])


class LateLogs:
    """A Pod whose containers' lines reach their logs a few reads after they were printed."""

    name = "p"

    def __init__(self, lines: dict[str, list[str]], late_by: int):
        self.lines, self.reads, self.late_by = lines, 0, late_by

    def log(self, container: str) -> list[LogLine]:
        self.reads += 1
        shown = self.lines[container] if self.reads > self.late_by else self.lines[container][:-1]
        return [LogLine(datetime.now(UTC), text) for text in shown]


def test_a_timeline_waits_for_the_lines_the_pods_state_implies(monkeypatch):
    monkeypatch.setattr(lifecycle, "EVENTS_LOGGED", Timeout("lines logged", 2, poll=0.01))
    pod = LateLogs({"sc": ["event 1.00 sc exiting-on-its-own", "event 2.00 sc started-again"]}, late_by=3)
    assert timeline_of(pod, ["sc"]).at("sc", "started-again") is None  # nothing awaited: read once
    assert timeline_of(pod, ["sc"], [("sc", "started-again")]).at("sc", "started-again") == 2.0
    never = LateLogs({"sc": ["event 1.00 sc exiting-on-its-own", "no event"]}, late_by=0)
    assert timeline_of(never, ["sc"], [("sc", "started-again")]).at("sc", "exiting-on-its-own") == 1.0  # for the check
