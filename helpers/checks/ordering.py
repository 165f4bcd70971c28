"""Ordering: init containers finish first; native sidecars start first; Jobs complete."""
from dataclasses import dataclass

from kubernetes import client

from helpers.checks.events import Timeline, before, parse
from helpers.checks.failure import Behaviour, precondition
from helpers.checks.gate import HeldGate, container_started, held_gates
from helpers.kube.pods import all_statuses, is_running, terminal_state
from helpers.kube.timeouts import GATE_HELD, Timeout
from helpers.kube.waits import holds_for, wait_until

# its timeouts and tolerances (generic ones: helpers/kube/timeouts.py)
# Jobs
JOB_POD = Timeout("job's pod created", 60)
JOB_COMPLETE = Timeout("job complete", 120)
CLASSIC_JOB_HOLD = Timeout("job with a classic sidecar stays incomplete", 10)
# Negative control only: a native-sidecar Job completes within 11 s of main's exit (median
# 5 s, 10 soak runs; main exits ~5 s after creation), so a classic one incomplete at 30 s never will.
CONTROL_JOB_COMPLETE = Timeout("job complete (negative control)", 30)

ORDERING = Behaviour("ordering")
# its checks, each named once: the check raises with it, its negative controls expect it
INIT_CONTAINER_FINISHES_FIRST = ORDERING.check("init container finishes first")
JOB_WITH_A_CLASSIC_SIDECAR_IS_HELD_OPEN = ORDERING.check("Job with a classic sidecar is held open")
JOB_WITH_A_NATIVE_SIDECAR_COMPLETES = ORDERING.check("Job with a native sidecar completes")
NATIVE_SIDECAR_KEEPS_RUNNING = ORDERING.check("native sidecar keeps running")
NATIVE_SIDECAR_STOPPED_AFTER_MAIN = ORDERING.check("native sidecar stopped after main")
STARTUPPROBE_GATES_MAIN = ORDERING.check("startupProbe gates main")
JOB = "sidecar-job"
GATE = "/marks/gate"  # ordering.yaml: helper's startupProbe passes once this exists


def start_behind_gate(namespace, style: str, overlay: str | None = None):
    """ordering-demo with helper running and its gate (its startupProbe) held shut for GATE_HELD,
    then opened; return the Pod, Ready, and what happened at the gate."""
    namespace.deploy("ordering/ordering.yaml", style, overlay)
    pod = namespace.pod("ordering-demo")
    pod.wait_for("helper running (its gate shut)", lambda current: is_running(current, "helper"))
    [gate] = held_gates([pod], "helper", GATE, container_started("main"), GATE_HELD)
    return pod.wait_ready(), gate


def main_saw(pod) -> list[str]:
    return [line.text for line in pod.log("main") if line.text.startswith("main: ")]


def assert_init_finished_before_main(pod) -> None:
    """"setup" exited 0 before "main" started, and main found its mark."""
    setup = pod.status("setup").state.terminated
    main = pod.status("main").state.running
    ORDERING.require(setup is not None and setup.exit_code == 0 and main is not None
                     and setup.finished_at <= main.started_at and "main: found setup-done" in main_saw(pod),
                     INIT_CONTAINER_FINISHES_FIRST, "setup to exit 0 before main starts, and main to find its mark",
                     f"setup {setup and setup.finished_at} (exit {setup and setup.exit_code}),"
                     f" main started {main and main.started_at}; main saw {main_saw(pod)}")


def assert_sidecar_started_before_main(pod, gate: HeldGate) -> None:
    """"main" did not start while helper's startupProbe could not pass (the gate held shut
    for GATE_HELD), and started after the gate opened (node clock); helper keeps running.
    """
    events = Timeline(parse(line.text for container in ("helper", "main") for line in pod.log(container)))
    ORDERING.require(gate.while_shut is None and before(gate.opened_at, events.at("main", "started"))
                     and "main: found gate" in main_saw(pod),
                     STARTUPPROBE_GATES_MAIN, "main not started while helper's startupProbe failed (gate shut"
                     f" {gate.held.seconds:g}s), started after it passed (gate opened), finding the gate",
                     f"{gate}; {events}; main saw {main_saw(pod)}")
    helper = pod.status("helper")
    ORDERING.require(helper.started and helper.restart_count == 0, NATIVE_SIDECAR_KEEPS_RUNNING,
                     "helper started, never restarted", f"started {helper.started}, restarts {helper.restart_count}")


@dataclass(frozen=True)
class JobState:
    """The Job's conditions, its Pod and that Pod's container states, in one look."""

    conditions: dict
    pod: client.V1Pod

    @property
    def phase(self) -> str:
        return self.pod.status.phase

    @property
    def containers(self) -> dict:
        return {s.name: s.state for s in all_statuses(self.pod)}

    def __repr__(self) -> str:
        return f"job {self.conditions}, pod {self.phase}, containers {self.containers}"


def deploy_job_until_main_exits(namespace, style: str):
    """Create the Job (sidecar in `style`) and wait for main to exit 0; return the Job's Pod."""
    namespace.deploy("ordering/job.yaml", style)
    pod = wait_until(f"job {JOB}'s pod", lambda: namespace.job_pod(JOB), bool, JOB_POD, namespace.evidence)
    main = pod.wait_terminated("main")
    precondition(main.exit_code == 0, f"the Job's main exited 0 (exit {main.exit_code})")
    return pod


def job_state(namespace) -> JobState:
    job = namespace.read_job(JOB)
    return JobState({c.type: c.status for c in job.status.conditions or []}, namespace.job_pod(JOB).read())


def _job_cannot_complete(state: JobState) -> str | None:
    if state.conditions.get("Failed") == "True":
        return f"job {JOB} Failed"
    return None if state.phase == "Succeeded" else terminal_state(state.pod)


def wait_job_complete(namespace, timeout=JOB_COMPLETE) -> JobState:
    """Wait for the Job's Complete condition; return its state."""
    with ORDERING.waiting(JOB_WITH_A_NATIVE_SIDECAR_COMPLETES):
        return wait_until(f"job {JOB} to complete", lambda: job_state(namespace),
                          lambda state: state.conditions.get("Complete") == "True", timeout,
                          lambda: namespace.job_pod(JOB).report(), terminal=_job_cannot_complete)


def assert_sidecar_stopped_after_main(state: JobState) -> None:
    """The Job's main exited 0 and its sidecar was stopped after it."""
    main, helper = state.containers["main"].terminated, state.containers["helper"].terminated
    ORDERING.require(state.phase == "Succeeded" and main is not None and main.exit_code == 0
                     and helper is not None and helper.finished_at >= main.finished_at,
                     NATIVE_SIDECAR_STOPPED_AFTER_MAIN, "pod Succeeded, main exit 0, helper stopped after main",
                     state)


def assert_job_stays_incomplete(namespace, pod) -> None:
    """For CLASSIC_JOB_HOLD the Job is incomplete, its Pod Running, the sidecar running."""
    with ORDERING.waiting(JOB_WITH_A_CLASSIC_SIDECAR_IS_HELD_OPEN):
        holds_for("the job to stay incomplete with its pod Running and the sidecar running",
                  lambda: job_state(namespace),
                  lambda state: "Complete" not in state.conditions and state.phase == "Running"
                  and state.containers["helper"].running is not None,
                  CLASSIC_JOB_HOLD, pod.report)
