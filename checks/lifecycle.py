"""The native sidecar lifecycle as KEP-753 and upstream's node e2e tests define it: start
order gated by startupProbes, reverse stop order after main, restarts whatever the Pod's
restartPolicy, prompt deletion while starting, preStop after main, a grace period that
bounds the whole Pod, a Pod IP kept until completion."""
from datetime import timedelta

from kubernetes import client

from checks.events import Timeline, before, parse
from checks.failure import Behaviour
from kube.pods import all_statuses, is_ready, is_running, status_in
from kube.timeouts import GRACE_TOLERANCE, POD_COMPLETED, POD_GONE_MARGIN, PROMPT_DELETION, SIDECAR_RESTARTED

LIFECYCLE = Behaviour("lifecycle")
ORDER = ["sc-1", "sc-2", "sc-3"]  # lifecycle-order.yaml's sidecars, in start order
ORDER_POD = ["main", *ORDER]  # every container of lifecycle-order.yaml


def timeline_of(pod, containers) -> Timeline:
    """The in-Pod events of `containers` of a running Pod."""
    return Timeline(event for container in containers for event in parse(line.text for line in pod.log(container)))


def deletion_timeline(deletion) -> Timeline:
    """The in-Pod events of the containers a deletion followed."""
    return Timeline(event for follower in deletion.logs.values() for event in parse(follower.texts()))


def assert_started_one_after_another(events: Timeline) -> None:
    """Each sidecar started only after the one before it was ready (its startupProbe
    passed); main only after the last one was ready."""
    steps = list(zip(ORDER, [*ORDER[1:], "main"]))
    LIFECYCLE.require(all(before(events.at(first, "ready"), events.at(then, "started")) for first, then in steps),
                      "sidecars start one after another",
                      "sc-2 to start after sc-1 was ready, sc-3 after sc-2, main after sc-3", events)


def assert_stopped_in_reverse_order(events: Timeline) -> None:
    """main exited before any sidecar got SIGTERM; then sc-3, sc-2, sc-1, each after the
    one after it had exited."""
    steps = [("main", "sc-3"), ("sc-3", "sc-2"), ("sc-2", "sc-1")]
    LIFECYCLE.require(all(before(events.at(gone, "exiting"), events.at(then, "SIGTERM")) for gone, then in steps),
                      "sidecars stop in reverse order after main",
                      "SIGTERM to sc-3 after main exited, to sc-2 after sc-3 exited, to sc-1 after sc-2", events)


def wait_stuck_starting(namespace):
    """lifecycle-stuck with both sidecars running, sc-2 never started (probe failing)."""
    pod = namespace.pod("lifecycle-stuck")
    pod.wait_for("sc-1 and sc-2 running",
                 lambda current: is_running(current, "sc-1") and is_running(current, "sc-2"))
    return pod


def assert_deleted_promptly(deletion, sidecars) -> None:
    """The Pod, deleted while starting, was gone within PROMPT_DELETION; each running
    sidecar got SIGTERM and exited 0 (none was SIGKILLed at the end of the grace period)."""
    events = deletion_timeline(deletion)
    ends = {name: deletion.terminated(name) for name in sidecars}
    took = (deletion.gone_at - deletion.requested_at).total_seconds()
    LIFECYCLE.require(took <= PROMPT_DELETION and all(end.exit_code == 0 for end in ends.values())
                      and all(events.at(name, "SIGTERM") is not None for name in sidecars),
                      "deletion while starting is prompt",
                      f"the Pod gone within {PROMPT_DELETION:g}s (grace {deletion.grace_seconds}s), every running"
                      f" sidecar given SIGTERM and exited 0", f"gone after {took:.1f}s; {events};"
                      f" exits { {name: end.exit_code for name, end in ends.items()} }")


def _dead_for_good(pod: client.V1Pod, container: str) -> bool:
    """`container` terminated and nothing will restart it (its own restartPolicy, else the Pod's)."""
    spec = next(c for c in [*(pod.spec.init_containers or []), *pod.spec.containers] if c.name == container)
    policy = spec.restart_policy or pod.spec.restart_policy
    status = status_in(pod, container)
    return policy == "Never" and status is not None and status.state.terminated is not None


def assert_restarted_and_ready(pod, container: str) -> None:
    """`container` crashed (or failed its startupProbe) and was restarted: it runs with
    restartCount >= 1, the Pod is Ready again and no main container restarted."""
    def restarted(current: client.V1Pod) -> bool:
        status = status_in(current, container)
        return status is not None and status.restart_count >= 1 and is_ready(current)

    current = pod.wait_for(f"{container} restarted and the Pod Ready, or {container} dead for good",
                           lambda now: restarted(now) or _dead_for_good(now, container), SIDECAR_RESTARTED)
    mains = {s.name: s.restart_count for s in current.status.container_statuses or []}
    LIFECYCLE.require(restarted(current) and not any(mains.values()), "crashed sidecar restarted",
                      f"{container} running again with restartCount >= 1, the Pod Ready, main never restarted",
                      f"{', '.join(f'{s.name}: restarts {s.restart_count}, state {s.state.to_dict()}' for s in all_statuses(current))};"
                      f" Ready {is_ready(current)}")


def wait_completed(pod) -> client.V1Pod:
    """Wait for the Pod to run to completion (Succeeded); a Pod that does not is the
    lifecycle broken (its sidecars were never stopped)."""
    with LIFECYCLE.waiting("Pod with sidecars completes"):
        return pod.wait_for("Succeeded", lambda current: current.status.phase == "Succeeded", POD_COMPLETED)


def assert_prestop_after_main(pod, sidecar: str) -> None:
    """In a Pod that completed, `sidecar`'s preStop hook ran after main had exited, then the
    sidecar got SIGTERM and exited 0."""
    events = timeline_of(pod, ["main", sidecar])
    end = pod.status(sidecar).state.terminated
    LIFECYCLE.require(before(events.at("main", "exiting"), events.at(sidecar, "preStop"))
                      and before(events.at(sidecar, "preStop"), events.at(sidecar, "SIGTERM"))
                      and end is not None and end.exit_code == 0,
                      "sidecar preStop after main", f"{sidecar}'s preStop after main exited, then its SIGTERM, exit 0",
                      f"{events}; {sidecar} ended {end}")


def assert_gone_by_the_deadline(deletion, containers) -> None:
    """Though main ignored SIGTERM, the Pod lasted its grace period and no longer: its last
    container ended at the end of the kubelet's grace period (GRACE_TOLERANCE either way),
    none later, and the Pod was gone POD_GONE_MARGIN after that. Sidecars do not extend it."""
    tolerance = timedelta(seconds=GRACE_TOLERANCE)
    ends = {name: deletion.terminated(name).finished_at for name in containers}
    last = max(ends.values())
    gone_by = deletion.grace_ends + tolerance + timedelta(seconds=POD_GONE_MARGIN)
    LIFECYCLE.require(deletion.grace_ends - tolerance <= last <= deletion.grace_ends + tolerance
                      and deletion.gone_at <= gone_by,
                      "grace period bounds the Pod",
                      f"the last container ended at the end of the grace period ({deletion.grace_ends}: the kubelet's"
                      f" Killing event {deletion.kill_started} + {deletion.grace_seconds}s) ± {GRACE_TOLERANCE:g}s"
                      f" and the Pod gone by {gone_by}", f"ended {ends}; gone at {deletion.gone_at}"
                      f" ({deletion.seconds_after_request(deletion.gone_at):.1f}s after the delete request)")


def assert_pod_ip_kept(states: list[client.V1Pod]) -> None:
    """Once set, status.podIP is in every later state, unchanged, until the Pod finished."""
    ips = [(pod.status.phase, pod.status.pod_ip) for pod in states if pod.status]
    first = next((i for i, (_, ip) in enumerate(ips) if ip), None)
    LIFECYCLE.require(first is not None and len({ip for _, ip in ips[first:]}) == 1
                      and ips[-1][0] == "Succeeded", "Pod IP kept until completion",
                      "one podIP in every state from the first with an IP to Succeeded", ips)
