"""The native sidecar lifecycle as KEP-753 and upstream's node e2e tests define it: start
order gated by startupProbes, reverse stop order after main, restarts whatever the Pod's
restartPolicy, prompt deletion while starting, preStop after main, a grace period that
bounds the whole Pod, a Pod IP kept until completion."""
from collections.abc import Callable
from datetime import timedelta

from kubernetes import client

from helpers.checks.events import Timeline, before, parse
from helpers.checks.failure import Behaviour, precondition
from helpers.checks.gate import container_started, held_gates, hold_shut
from helpers.kube.kubelet import KubeletRestart
from helpers.kube.pods import all_statuses, has_started, is_ready, is_running, status_in
from helpers.kube.timeouts import GATE_HELD, GRACE_TOLERANCE, LET_IN, POD_READY, Timeout
from helpers.kube.waits import WaitTimeout, wait_until

# its timeouts and tolerances (generic ones: helpers/kube/timeouts.py)
# The kubelet learns of a deletion through its watch and starts stopping the Pod at once:
# measured 0-4 s under the suites' own -n 14 on 2 cores (API server and kubelet clocks, 1 s
# resolution each), a load that stretches it; a kubelet waiting for a resync or a grace period
# (upstream's deletion bugs waited out 30 s) is still far past this.
KILLING_AFTER_DELETE = 10.0
# In-Pod clock (sub-second): a container printing a line every 0.2 s stops when SIGKILLed; its
# last line may come this much before the kill (a loop stretched by load) ...
KILLED_LAST_LINE_EARLY = 1.0
# ... and the runtime's SIGKILL this much after its grace period ran out, from its SIGTERM.
KILLED_LATE = 1.0
# The native sidecar lifecycle
# A container exited; the kubelet notices at its next relist (every second) and SIGTERMs the
# next sidecar in reverse order. Measured here under -n 10 on 2 cores: see the suite's delays.
NEXT_SIGTERM_AFTER_EXIT = 5.0
SIDECAR_RESTARTED = Timeout("sidecar restarted and the Pod Ready again", 45)
MAIN_RESTARTED = Timeout("main restarted and the Pod Ready again", 45)  # one restart: the first back-off is 10 s
# Three sidecars' preStop hooks (each waits 5 s at most for the others), then SIGTERM one by one.
PRESTOPS_COMPLETED = Timeout("pod ran to completion (main told to exit, three preStop hooks, grace period 15 s)", 30)
# A line a container printed reaches its log a moment after the kubelet reports what followed it
# (the container running, its probe passed); longer on a loaded node.
EVENTS_LOGGED = Timeout("the event lines the Pod's state implies, in the containers' logs", 10, poll=0.5)
# The gate opened, the sidecar's startupProbe (every second) passes at its next run; main then starts.
MAIN_AFTER_GATE = Timeout("main started and the Pod Ready once the sidecar's startupProbe can pass", 20)
POD_COMPLETED = Timeout("pod ran to completion (main exits after 3 s, then its sidecars are stopped)", 20)
# Watched from before it is created: scheduled, its containers started, then run to completion.
POD_CREATED_TO_COMPLETED = Timeout("pod created, started and run to completion (main exits after 3 s)",
                                   POD_READY.base_seconds + POD_COMPLETED.base_seconds)
POD_GONE_MARGIN = 5.0  # after its containers are killed, for the kubelet and API server to remove a Pod

LIFECYCLE = Behaviour("lifecycle")
# its checks, each named once: the check raises with it, its negative controls expect it
CRASHED_SIDECAR_RESTARTED = LIFECYCLE.check("crashed sidecar restarted")
DELETION_WHILE_STARTING_IS_PROMPT = LIFECYCLE.check("deletion while starting is prompt")
FLAPPING_SIDECAR_DOES_NOT_FAIL_THE_POD = LIFECYCLE.check("flapping sidecar does not fail the Pod")
GRACE_PERIOD_BOUNDS_THE_POD = LIFECYCLE.check("grace period bounds the Pod")
INIT_CONTAINERS_AND_SIDECARS_START_IN_ORDER = LIFECYCLE.check("init containers and sidecars start in order")
POD_IP_KEPT_UNTIL_COMPLETION = LIFECYCLE.check("Pod IP kept until completion")
POD_WITH_SIDECARS_COMPLETES = LIFECYCLE.check("Pod with sidecars completes")
PROBES_RUN_ON_A_RESTARTED_SIDECAR = LIFECYCLE.check("probes run on a restarted sidecar")
SIDECARS_PRESTOP_HOOKS_RUN_TOGETHER_THEN_REVERSE_STOP = LIFECYCLE.check("sidecars' preStop hooks run together, then reverse stop")
SIDECARS_START_ONE_AFTER_ANOTHER = LIFECYCLE.check("sidecars start one after another")
SIDECARS_STOP_IN_REVERSE_ORDER_AFTER_MAIN = LIFECYCLE.check("sidecars stop in reverse order after main")
SIDECAR_EXITING_BEFORE_ITS_FIRST_PROBE_LETS_MAIN_START = LIFECYCLE.check("sidecar exiting before its first probe lets main start")
SIDECAR_KEEPS_RUNNING_WHILE_MAIN_RESTARTS = LIFECYCLE.check("sidecar keeps running while main restarts")
SIDECAR_PRESTOP_AFTER_MAIN = LIFECYCLE.check("sidecar preStop after main")
ORDER = ["sc-1", "sc-2", "sc-3"]  # lifecycle-order.yaml's sidecars, in start order (tests/test_registry.py: equal)
ORDER_POD = ["main", *ORDER]  # every container of lifecycle-order.yaml
ORDER_SAID = [*((name, "ready") for name in ORDER), *((name, "started") for name in ORDER_POD)]  # once the Pod is Ready


def timeline_of(pod, containers, awaited=()) -> Timeline:
    """The in-Pod events of `containers` of a running Pod; first, for at most EVENTS_LOGGED,
    until each (container, what) of `awaited`, which the Pod's state says were printed, is in
    the logs (one still missing then is for the check to name)."""
    def read() -> Timeline:
        return Timeline(event for container in containers for event in parse(line.text for line in pod.log(container)))

    if not awaited:
        return read()
    try:
        return wait_until(f"{pod.name}: {', '.join(' '.join(pair) for pair in awaited)} in the logs", read,
                          lambda events: all(events.at(*pair) is not None for pair in awaited), EVENTS_LOGGED, show=str)
    except WaitTimeout:
        return read()


def deletion_timeline(deletion) -> Timeline:
    """The in-Pod events of the containers a deletion followed."""
    return Timeline(event for follower in deletion.logs.values() for event in parse(follower.texts()))


def assert_started_one_after_another(events: Timeline) -> None:
    """Each sidecar started only after the one before it was ready (its startupProbe
    passed); main only after the last one was ready."""
    steps = list(zip(ORDER, [*ORDER[1:], "main"], strict=True))
    LIFECYCLE.require(all(before(events.at(first, "ready"), events.at(then, "started")) for first, then in steps),
                      SIDECARS_START_ONE_AFTER_ANOTHER,
                      "sc-2 to start after sc-1 was ready, sc-3 after sc-2, main after sc-3", events)


STOP_STEPS = [("main", "sc-3"), ("sc-3", "sc-2"), ("sc-2", "sc-1")]  # who exits, whose SIGTERM follows


def stop_gaps(events: Timeline) -> list[float | None]:
    """For each of STOP_STEPS, seconds from the first one exiting to the next one's SIGTERM."""
    gaps = []
    for gone, then in STOP_STEPS:
        exited, signalled = events.at(gone, "exiting"), events.at(then, "SIGTERM")
        gaps.append(None if exited is None or signalled is None else signalled - exited)
    return gaps


def assert_stopped_in_reverse_order(events: Timeline) -> None:
    """main exited before any sidecar got SIGTERM; then sc-3, sc-2, sc-1, each after the one
    after it had exited, and within NEXT_SIGTERM_AFTER_EXIT of it (one in-Pod clock)."""
    gaps = stop_gaps(events)
    LIFECYCLE.require(all(gap is not None and 0 < gap <= NEXT_SIGTERM_AFTER_EXIT for gap in gaps),
                      SIDECARS_STOP_IN_REVERSE_ORDER_AFTER_MAIN,
                      f"SIGTERM to sc-3 after main exited, to sc-2 after sc-3 exited, to sc-1 after sc-2, each"
                      f" within {NEXT_SIGTERM_AFTER_EXIT:g}s of that exit",
                      f"{events}; gaps {[None if gap is None else round(gap, 2) for gap in gaps]}")


STUCK_RUNNING = ["sc-1", "sc-2"]  # lifecycle-stuck.yaml: running, sc-2's startupProbe never passing
STUCK_NEVER_STARTED = ["sc-3", "main"]  # lifecycle-stuck.yaml: behind sc-2, never started


def wait_stuck_starting(namespace):
    """lifecycle-stuck with sc-1 and sc-2 running (sc-2's probe failing), sc-3 and main never started."""
    pod = namespace.pod("lifecycle-stuck")
    current = pod.wait_for("sc-1 and sc-2 running",
                           lambda now: all(is_running(now, name) for name in STUCK_RUNNING))
    started = [name for name in STUCK_NEVER_STARTED if has_started(current, name)]
    precondition(not started, f"sc-3 and main never started before the deletion (started: {started})")
    return pod


GATE_KEPT_ACROSS_A_KUBELET_RESTART = LIFECYCLE.check("kubelet restart keeps a starting sidecar's gate shut")


def restart_while_stuck(namespace, restart: Callable[[str], KubeletRestart]):
    """lifecycle-stuck starting (sc-2's startupProbe failing, sc-3 and main never started), then
    the kubelet of its node restarted by `restart(node)`: the Pod."""
    pod = wait_stuck_starting(namespace)
    _kubelet_restarted(restart(pod.read().spec.node_name))
    return pod


def _kubelet_restarted(restarted: KubeletRestart) -> None:
    precondition(restarted.happened, f"the kubelet of node {restarted.node} restarted"
                                     f" (pid before {restarted.pid_before or '?'}, after {restarted.pid_after or '?'})")


def hold_behind_the_stuck_sidecar(pod) -> str | None:
    """Watch lifecycle-stuck for GATE_HELD: what of sc-3 and main started meanwhile, or None."""
    behind = [container_started(name) for name in STUCK_NEVER_STARTED]
    return hold_shut([pod], lambda state: next((what for started in behind if (what := started(state))), None),
                     GATE_HELD)


def assert_gate_kept_shut(while_held: str | None) -> None:
    """Nothing behind sc-2 started while its startupProbe kept failing, after the kubelet restart
    (kubernetes/kubernetes#142305: a restarted kubelet counted a container in its startup
    period as started)."""
    LIFECYCLE.require(while_held is None, GATE_KEPT_ACROSS_A_KUBELET_RESTART,
                      f"sc-3 and main not started for {GATE_HELD.seconds:g}s after the kubelet restart, sc-2's"
                      f" startupProbe still failing", while_held)


NO_IMAGE = ("ErrImageNeverPull", "ErrImagePull", "ImagePullBackOff")  # the kubelet's words for it
HELD_BY_A_SIDECAR_WITHOUT_IMAGE = LIFECYCLE.check("sidecar that cannot start holds main back")


def _waiting_for_image(pod: client.V1Pod, container: str) -> bool:
    status = status_in(pod, container)
    return bool(status and status.state.waiting and status.state.waiting.reason in NO_IMAGE)


def hold_with_a_sidecar_without_image(namespace) -> tuple:
    """lifecycle-bad-image with sc-1 running and sc-2 reported without its image, then watched
    for GATE_HELD: (the Pod, what of main started meanwhile or None)."""
    pod = namespace.pod("lifecycle-bad-image")
    pod.wait_for("sc-1 running, sc-2 waiting for an image no node has",
                 lambda now: is_running(now, "sc-1") and _waiting_for_image(now, "sc-2"), terminal=_finished)
    return pod, hold_shut([pod], container_started("main"), GATE_HELD)


def assert_main_held_back(while_held: str | None) -> None:
    """main never started while sc-2 could not (for GATE_HELD after the kubelet said so)."""
    LIFECYCLE.require(while_held is None, HELD_BY_A_SIDECAR_WITHOUT_IMAGE,
                      f"main not started for {GATE_HELD.seconds:g}s while sc-2 has no image", while_held)


def assert_deleted_promptly(deletion, sidecars) -> None:
    """The Pod, deleted while starting, was gone GRACE_TOLERANCE before its grace period could
    have ended; each running sidecar got SIGTERM and exited 0 (none SIGKILLed at its end)."""
    events = deletion_timeline(deletion)
    ends = {name: deletion.terminated(name) for name in sidecars}
    took = (deletion.gone_at - deletion.requested_at).total_seconds()
    bound = deletion.grace_seconds - GRACE_TOLERANCE
    LIFECYCLE.require(took < bound and all(end.exit_code == 0 for end in ends.values())
                      and all(events.at(name, "SIGTERM") is not None for name in sidecars),
                      DELETION_WHILE_STARTING_IS_PROMPT,
                      f"the Pod gone before its grace period of {deletion.grace_seconds}s could end (within"
                      f" {bound:g}s), every running sidecar given SIGTERM and exited 0",
                      f"gone after {took:.1f}s; {events}; exits { {name: end.exit_code for name, end in ends.items()} }")


def restarts(pod: client.V1Pod, container: str = "sc") -> int:
    """How often `container` was restarted (0 before it has a status)."""
    status = status_in(pod, container)
    return status.restart_count if status else 0


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

    with LIFECYCLE.waiting(CRASHED_SIDECAR_RESTARTED):
        current = pod.wait_for(f"{container} restarted and the Pod Ready, or {container} dead for good",
                               lambda now: restarted(now) or _dead_for_good(now, container), SIDECAR_RESTARTED)
    mains = {s.name: s.restart_count for s in current.status.container_statuses or []}
    states = ", ".join(f"{s.name}: restarts {s.restart_count}, state {s.state.to_dict()}" for s in all_statuses(current))
    LIFECYCLE.require(restarted(current) and not any(mains.values()), CRASHED_SIDECAR_RESTARTED,
                      f"{container} running again with restartCount >= 1, the Pod Ready, main never restarted",
                      f"{states}; Ready {is_ready(current)}")


MAIN_AFTER_THE_SECOND_START = LIFECYCLE.check("main waits for the restarted sidecar's startupProbe")


PROBE_RETRY_SAID = [("sc", "started-again"), ("sc", "ready"), ("main", "started")]  # once the Pod is Ready


def assert_main_started_after_the_second_start_was_ready(events: Timeline) -> None:
    """main started after sc, started again, was ready (the first start never is): main waited
    for the second start's startupProbe (lifecycle-probe-retry's events)."""
    LIFECYCLE.require(before(events.at("sc", "started-again"), events.at("sc", "ready"))
                      and before(events.at("sc", "ready"), events.at("main", "started")),
                      MAIN_AFTER_THE_SECOND_START, "main started after sc's second start was ready", events)


def wait_completed(pod, timeout=POD_COMPLETED) -> client.V1Pod:
    """Wait for the Pod to run to completion (Succeeded); a Pod that does not is the
    lifecycle broken (its sidecars were never stopped)."""
    with LIFECYCLE.waiting(POD_WITH_SIDECARS_COMPLETES):
        return pod.wait_for("Succeeded", lambda current: current.status.phase == "Succeeded", timeout)


def assert_prestop_after_main(pod, sidecar: str) -> None:
    """In a Pod that completed, `sidecar`'s preStop hook ran after main had exited, then the
    sidecar got SIGTERM and exited 0."""
    events = timeline_of(pod, ["main", sidecar])
    end = pod.status(sidecar).state.terminated
    LIFECYCLE.require(before(events.at("main", "exiting"), events.at(sidecar, "preStop"))
                      and before(events.at(sidecar, "preStop"), events.at(sidecar, "SIGTERM"))
                      and end is not None and end.exit_code == 0,
                      SIDECAR_PRESTOP_AFTER_MAIN, f"{sidecar}'s preStop after main exited, then its SIGTERM, exit 0",
                      f"{events}; {sidecar} ended {end}")


def assert_gone_by_the_deadline(deletion, containers) -> float:
    """Though main ignored SIGTERM, the Pod lasted its grace period and no longer: its last
    container ended at the end of the kubelet's grace period (GRACE_TOLERANCE either way, 1 s
    status times), none later, and the Pod was gone POD_GONE_MARGIN after that; on main's own
    clock, SIGKILL came the grace period after its SIGTERM (KILLED_LAST_LINE_EARLY before,
    KILLED_LATE after, at most). Sidecars do not extend it. Returns main's SIGTERM -> SIGKILL."""
    tolerance = timedelta(seconds=GRACE_TOLERANCE)
    ends = {name: deletion.terminated(name).finished_at for name in containers}
    last = max(ends.values())
    gone_by = deletion.grace_ends + tolerance + timedelta(seconds=POD_GONE_MARGIN)
    LIFECYCLE.require(deletion.grace_ends - tolerance <= last <= deletion.grace_ends + tolerance
                      and deletion.gone_at <= gone_by,
                      GRACE_PERIOD_BOUNDS_THE_POD,
                      f"the last container ended at the end of the grace period ({deletion.grace_ends}: the kubelet's"
                      f" Killing event {deletion.kill_started} + {deletion.grace_seconds}s) ± {GRACE_TOLERANCE:g}s"
                      f" and the Pod gone by {gone_by}", f"ended {ends}; gone at {deletion.gone_at}"
                      f" ({deletion.seconds_after_request(deletion.gone_at):.1f}s after the delete request)")
    events = deletion_timeline(deletion)
    term, killed = events.at("main", "SIGTERM"), events.last("main", "alive")
    lasted = None if term is None or killed is None else killed - term
    LIFECYCLE.require(lasted is not None and deletion.grace_seconds - KILLED_LAST_LINE_EARLY <= lasted
                      <= deletion.grace_seconds + KILLED_LATE, GRACE_PERIOD_BOUNDS_THE_POD,
                      f"main's last line {deletion.grace_seconds}s after its SIGTERM (-{KILLED_LAST_LINE_EARLY:g}s,"
                      f" +{KILLED_LATE:g}s), on its own clock", f"SIGTERM @{term}, last line @{killed}"
                      + (f": {lasted:.2f}s" if lasted is not None else ""))
    return lasted


STOPPED_AT_ONCE = LIFECYCLE.check("deleted Pod stopped at once")


def assert_stopping_began_at_once(deletion) -> float:
    """The kubelet's first Killing event came after the API server took the delete (1 s
    resolution each: GRACE_TOLERANCE / 2 before it at most) and within KILLING_AFTER_DELETE;
    returns the seconds between them."""
    after = (deletion.kill_started - deletion.accepted_at).total_seconds()
    LIFECYCLE.require(-GRACE_TOLERANCE / 2 <= after <= KILLING_AFTER_DELETE, STOPPED_AT_ONCE,
                      f"the kubelet's Killing event within {KILLING_AFTER_DELETE:g}s of the API server taking the"
                      f" delete, not before it", f"Killing at {deletion.kill_started}, {after:.1f}s after the delete"
                      f" was taken ({deletion.accepted_at})")
    return after


def assert_pod_ip_kept(states: list[client.V1Pod]) -> None:
    """Once set, status.podIP and status.podIPs are in every later state, unchanged, until the
    Pod finished and after (the states reported once it was Succeeded included)."""
    ips = [(pod.status.phase, pod.status.pod_ip, tuple(ip.ip for ip in pod.status.pod_ips or []))
           for pod in states if pod.status]
    first = next((i for i, (_, ip, _) in enumerate(ips) if ip), None)
    LIFECYCLE.require(first is not None and len({(ip, all_ips) for _, ip, all_ips in ips[first:]}) == 1
                      and ips[first][2] and ips[-1][0] == "Succeeded", POD_IP_KEPT_UNTIL_COMPLETION,
                      "one podIP (and the same podIPs) in every state from the first with an IP to Succeeded"
                      " and after", [(phase, ip, list(all_ips)) for phase, ip, all_ips in ips])


# --- a sidecar exiting by itself before its first startupProbe (lifecycle-early-exit.yaml) ---
EARLY_EXIT_PODS = ["lifecycle-early-exit-never", "lifecycle-early-exit-always", "lifecycle-early-exit-bare"]
EARLY_EXIT_GATE = "/marks/gate"  # sc's startupProbe passes once this exists
EARLY_EXIT_PROBES = "/marks/probes"  # a line (node uptime) per run of sc's startupProbe


def exited_on_its_own_and_runs_again(pod: client.V1Pod, container: str = "sc") -> bool:
    """`container` was restarted and runs again; its last run, where the kubelet still reports
    it (under load it may not), ended by itself with exit 1 (its startupProbe's 600 failures
    could not have killed it yet)."""
    status = status_in(pod, container)
    last = status and status.last_state and status.last_state.terminated
    return bool(status and status.restart_count >= 1 and is_running(pod, container)
                and (last is None or last.exit_code == 1))


def start_after_early_exit(namespace, names=EARLY_EXIT_PODS) -> list:
    """The Pods with sc restarted after it exited on its own, main held behind sc's shut gate
    for GATE_HELD, then the gates opened: [(Pod, HeldGate)]."""
    pods = [namespace.pod(name) for name in names]
    for pod in pods:
        pod.wait_for("sc exited by itself and runs again", exited_on_its_own_and_runs_again, SIDECAR_RESTARTED)
        said = timeline_of(pod, ["sc"], [("sc", "started-again")])
        precondition(said.at("sc", "started-again") is not None,
                     f"{pod.name}: sc runs again after its first run left its mark and exited ({said})")
    return list(zip(pods, held_gates(pods, "sc", EARLY_EXIT_GATE, container_started("main"), GATE_HELD), strict=True))


def probes_of(pod, container: str = "sc") -> list[float]:
    """When (node uptime) the kubelet ran `container`'s startupProbe, as the probe wrote it down."""
    return [float(word) for word in pod.exec(container, ["cat", EARLY_EXIT_PROBES], check=False).stdout.split()]


def assert_main_starts_once_the_sidecar_probe_passes(started: list) -> None:
    """For each (Pod, HeldGate): main did not start while sc's gate was shut, and started after
    it opened, within MAIN_AFTER_GATE, the Pod Ready; else how often the kubelet probed sc."""
    for pod, gate in started:
        try:
            pod.wait_for("main started and the Pod Ready", lambda now: has_started(now, "main") and is_ready(now),
                         MAIN_AFTER_GATE)
        except WaitTimeout as exc:
            after = [when for when in probes_of(pod) if when >= gate.opened_at]
            LIFECYCLE.require(False, SIDECAR_EXITING_BEFORE_ITS_FIRST_PROBE_LETS_MAIN_START,
                              f"{pod.name}: main started once sc's startupProbe could pass (gate opened"
                              f" @{gate.opened_at:.2f}) within {MAIN_AFTER_GATE.seconds:g}s",
                              f"sc's startupProbe ran {len(after)} times after the gate opened;"
                              f" {' '.join(exc.last_seen.split())}")
        events = timeline_of(pod, ["main", "sc"], [("main", "started")])
        LIFECYCLE.require(gate.while_shut is None and before(gate.opened_at, events.at("main", "started")),
                          SIDECAR_EXITING_BEFORE_ITS_FIRST_PROBE_LETS_MAIN_START,
                          f"{pod.name}: main not started while sc's gate was shut, started after it opened",
                          f"{gate}; {events}")


# --- a Pod running to completion while its sidecar keeps exiting (lifecycle-flapping.yaml) ---
def _finished(pod: client.V1Pod) -> str | None:
    """The Pod's phase once it is final (Succeeded, Failed), else None: a crash-looping sidecar
    is what this scenario is made of, not a state to give up on."""
    return f"Pod {pod.metadata.name} {pod.status.phase}" if pod.status.phase in ("Succeeded", "Failed") else None


def finish_while_flapping(namespace) -> client.V1Pod:
    """lifecycle-flapping once main runs and sc exited (and, native, was restarted), main told to
    exit 0: the Pod in its final phase (POD_COMPLETED after main was told)."""
    pod = namespace.pod("lifecycle-flapping")
    pod.wait_for("main running, sc exited and restarted (or dead for good)",
                 lambda now: is_running(now, "main") and (restarts(now) >= 1 or _dead_for_good(now, "sc")),
                 SIDECAR_RESTARTED, terminal=_finished)
    pod.exec("main", ["touch", "/marks/done"])
    return pod.wait_for("Succeeded or Failed", lambda now: _finished(now) is not None, POD_COMPLETED,
                        terminal=lambda now: None)


def assert_completed_whatever_the_sidecar_did(pod: client.V1Pod) -> None:
    """The Pod Succeeded: main exited 0, and how its sidecar last exited does not count."""
    main = status_in(pod, "main")
    LIFECYCLE.require(pod.status.phase == "Succeeded" and main.state.terminated is not None
                      and main.state.terminated.exit_code == 0, FLAPPING_SIDECAR_DOES_NOT_FAIL_THE_POD,
                      "phase Succeeded once main exited 0, the sidecar restarting meanwhile",
                      f"phase {pod.status.phase}; " + ", ".join(f"{s.name}: restarts {s.restart_count}, state"
                                                                f" {s.state.to_dict()}" for s in all_statuses(pod)))


# --- main crashing beside a running sidecar (lifecycle-main-crash.yaml) ---


def crash_main(namespace) -> tuple:
    """lifecycle-main-crash Ready, main made to crash once, Ready again: (Pod, its state before
    the crash, its state after)."""
    pod = namespace.pod("lifecycle-main-crash").wait_ready()
    before_crash = pod.read()
    return pod, before_crash, _crash_and_wait_restarted(pod)


def _crash_and_wait_restarted(pod) -> client.V1Pod:
    """main told to crash; the Pod once main runs again and the Pod is Ready."""
    pod.exec("sc", ["touch", "/marks/crash"])
    return pod.wait_for("main restarted and the Pod Ready again",
                        lambda now: status_in(now, "main").restart_count >= 1 and is_running(now, "main")
                        and is_ready(now), MAIN_RESTARTED, terminal=_main_not_coming_back)


def _main_not_coming_back(pod: client.V1Pod) -> str | None:
    """The Pod finished, or main terminated with nothing to restart it."""
    return _finished(pod) or ("main terminated, restartPolicy Never" if _dead_for_good(pod, "main") else None)


MAIN_RESTARTED_AFTER_KUBELET = LIFECYCLE.check("main restarted after a kubelet restart")
KUBELET_RESTART_KEPT = LIFECYCLE.check("kubelet restart leaves every container running")


def crash_main_after_a_kubelet_restart(namespace, restart: Callable[[str], KubeletRestart]) -> tuple:
    """lifecycle-main-crash Ready (sc's startupProbe passed), the kubelet of its node restarted by
    `restart(node)`, then main made to crash once (#137146's trigger): (Pod, its state before
    the kubelet restart, its state once main ran again)."""
    pod = namespace.pod("lifecycle-main-crash").wait_ready()
    before = pod.read()
    precondition(status_in(before, "sc").started, "sc's startupProbe passed before the kubelet restart")
    _kubelet_restarted(restart(before.spec.node_name))
    with LIFECYCLE.waiting(MAIN_RESTARTED_AFTER_KUBELET):
        after = _crash_and_wait_restarted(pod)
    return pod, before, after


def assert_only_main_restarted(before: client.V1Pod, after: client.V1Pod) -> None:
    """Across the kubelet restart and main's crash, every container but main is the one it was
    (same container id, same restartCount: init did not run again), and main was restarted
    once, from the container that ran before (its last state, where the kubelet reports one)."""
    changed = []
    for old in all_statuses(before):
        new = status_in(after, old.name)
        if old.name == "main":
            last = new.last_state and new.last_state.terminated
            if new.restart_count != old.restart_count + 1 or (last and last.container_id != old.container_id):
                changed.append(f"main restarts {old.restart_count} -> {new.restart_count}, crashed container"
                               f" {last.container_id if last else '?'} (before: {old.container_id})")
        elif (new.container_id, new.restart_count) != (old.container_id, old.restart_count):
            changed.append(f"{old.name} {old.container_id} restarts {old.restart_count} -> {new.container_id}"
                           f" restarts {new.restart_count}")
    LIFECYCLE.require(not changed, KUBELET_RESTART_KEPT,
                      "init, sc and main the containers they were before the kubelet restart, main restarted"
                      " once by its crash", "; ".join(changed))


def assert_sidecar_kept_running_while_main_restarted(pod, before_crash: client.V1Pod, after: client.V1Pod) -> None:
    """sc is the same container as before main crashed (its id, restartCount 0) and never got
    SIGTERM; the Pod is Ready again with main restarted."""
    before, now = status_in(before_crash, "sc"), status_in(after, "sc")
    events = timeline_of(pod, ["main", "sc"])
    LIFECYCLE.require(now.container_id == before.container_id and now.restart_count == 0
                      and events.at("sc", "SIGTERM") is None and is_ready(after),
                      SIDECAR_KEEPS_RUNNING_WHILE_MAIN_RESTARTS,
                      "sc the same container as before main crashed (restartCount 0, no SIGTERM), the Pod Ready again",
                      f"sc {before.container_id} -> {now.container_id}, restarts {now.restart_count}; {events}")


# --- init containers interleaved with sidecars (lifecycle-interleaved.yaml) ---
INTERLEAVED = ["init-1", "sc-1", "init-2", "sc-2", "main"]  # in start order
INTERLEAVED_SAID = [("init-1", "done"), ("sc-1", "started"), ("init-2", "started"), ("init-2", "done"),
                    ("sc-2", "started"), ("main", "started")]  # once the Pod is Ready


def start_interleaved(namespace) -> tuple:
    """lifecycle-interleaved with sc-1 running, its gate held shut for GATE_HELD (init-2 must not
    start), then opened; the Pod once Ready, and the HeldGate."""
    pod = namespace.pod("lifecycle-interleaved")
    pod.wait_for("sc-1 running (its gate shut)", lambda now: is_running(now, "sc-1"))
    [gate] = held_gates([pod], "sc-1", "/marks/gate", container_started("init-2"), GATE_HELD)
    return pod.wait_ready(), gate


def assert_interleaved_in_order(pod, gate) -> None:
    """init-1 done before sc-1 started; init-2 not started while sc-1's startupProbe could not
    pass, started after it could; init-2 done before sc-2 started; main after sc-2 (node clock)."""
    events = timeline_of(pod, INTERLEAVED, INTERLEAVED_SAID)
    steps = [(events.at("init-1", "done"), events.at("sc-1", "started")),
             (gate.opened_at, events.at("init-2", "started")),
             (events.at("init-2", "done"), events.at("sc-2", "started")),
             (events.at("sc-2", "started"), events.at("main", "started"))]
    LIFECYCLE.require(gate.while_shut is None and all(before(first, then) for first, then in steps),
                      INIT_CONTAINERS_AND_SIDECARS_START_IN_ORDER,
                      "init-1 done, then sc-1 started; init-2 held while sc-1's startupProbe failed, started once it"
                      " passed; init-2 done, then sc-2 started; then main", f"{gate}; {events}")


# --- a probed sidecar that crashes (lifecycle-probed-crash.yaml) ---
PROBED = "lifecycle-probed-crash"


def _hopeless(pod: client.V1Pod) -> str | None:
    """The Pod finished, or sc dead for good (nothing restarts it)."""
    return _finished(pod) or ("sc terminated and not restarted" if _dead_for_good(pod, "sc") else None)


def assert_probes_run_on_the_restarted_sidecar(namespace) -> None:
    """sc's readinessProbe decides the Pod's readiness before sc crashes and after it was
    restarted, and its livenessProbe restarts it again when it fails: each step within its
    bound (LET_IN, SIDECAR_RESTARTED)."""
    pod = namespace.pod(PROBED)
    pod.wait_for("main and sc running", lambda now: is_running(now, "main") and is_running(now, "sc"))
    with LIFECYCLE.waiting(PROBES_RUN_ON_A_RESTARTED_SIDECAR):
        pod.exec("sc", ["touch", "/marks/ready"])
        pod.wait_for("Ready (sc's readinessProbe passing)", is_ready, LET_IN, terminal=_hopeless)
        pod.exec("sc", ["rm", "/marks/ready"])
        pod.wait_for("not Ready (sc's readinessProbe failing)", lambda now: not is_ready(now), LET_IN,
                     terminal=_hopeless)
        pod.exec("sc", ["touch", "/marks/crash"])
        pod.wait_for("sc restarted after its crash", lambda now: restarts(now) >= 1 and is_running(now, "sc"),
                     SIDECAR_RESTARTED, terminal=_hopeless)
        pod.exec("sc", ["touch", "/marks/ready"])
        pod.wait_for("Ready again (the readinessProbe of sc's new container passing)", is_ready, LET_IN,
                     terminal=_hopeless)
        pod.exec("sc", ["touch", "/marks/unhealthy"])
        pod.wait_for("sc restarted by its livenessProbe", lambda now: restarts(now) >= 2, SIDECAR_RESTARTED,
                     terminal=_hopeless)


# --- preStop hooks of several sidecars (lifecycle-prestop.yaml) ---
PRESTOP_SIDECARS = ["sc-1", "sc-2", "sc-3"]


def complete_with_prestops(namespace):
    """lifecycle-prestop Ready, main told to exit, the Pod run to completion."""
    pod = namespace.pod("lifecycle-prestop").wait_ready()
    pod.exec("main", ["touch", "/marks/done"])
    wait_completed(pod, PRESTOPS_COMPLETED)
    return pod


def assert_prestops_together_then_reverse_stop(pod) -> None:
    """Every sidecar's preStop hook started after main exited, within the grace period, and saw
    the other two hooks running at the same time (`preStop-together`); then the sidecars
    exited in reverse order."""
    events = timeline_of(pod, ["main", *PRESTOP_SIDECARS])
    starts = [events.at(name, "preStop") for name in PRESTOP_SIDECARS]
    exited = events.at("main", "exiting")
    grace = pod.read().spec.termination_grace_period_seconds
    reverse = [("sc-3", "sc-2"), ("sc-2", "sc-1")]
    LIFECYCLE.require(exited is not None and None not in starts and exited < min(starts) <= max(starts) <= exited + grace
                      and all(events.at(name, "preStop-together") is not None for name in PRESTOP_SIDECARS)
                      and all(before(events.at(first, "exiting"), events.at(then, "exiting")) for first, then in reverse),
                      SIDECARS_PRESTOP_HOOKS_RUN_TOGETHER_THEN_REVERSE_STOP,
                      f"every preStop started after main exited and within {grace}s of it, each running while the"
                      " other two ran (preStop-together); sc-3 exited before sc-2, sc-2 before sc-1", events)
