"""Ordering: init containers finish first; native sidecars start first; Jobs complete."""
from kube.pods import all_statuses
from kube.timeouts import CLASSIC_JOB_HOLD, JOB_COMPLETE
from kube.waits import holds_for, wait_until

JOB = "sidecar-job"


def main_saw(pod) -> list[str]:
    return [line.text for line in pod.log("main") if line.text.startswith("main: ")]


def assert_init_finished_before_main(pod) -> None:
    """"setup" exited 0 before "main" started, and main found its mark."""
    setup = pod.status("setup").state.terminated
    main = pod.status("main").state.running
    assert (setup is not None and setup.exit_code == 0 and setup.finished_at <= main.started_at
            and "main: found setup-done" in main_saw(pod)), (
        f"init ordering broken: setup finished {setup and setup.finished_at} (exit {setup and setup.exit_code}),"
        f" main started {main.started_at}; main saw {main_saw(pod)}")


def assert_sidecar_started_before_main(pod) -> None:
    """"helper" started (probe passed) before "main", and keeps running."""
    helper, main = pod.status("helper"), pod.status("main")
    assert ("main: found helper-started" in main_saw(pod)
            and helper.state.running.started_at <= main.state.running.started_at), (
        f"native sidecar start order broken: helper started {helper.state.running.started_at}, main"
        f" {main.state.running.started_at}; main saw {main_saw(pod)}")
    assert helper.started and helper.restart_count == 0, helper


def job_state(namespace):
    """The Job's conditions and its Pod's phase and container states, in one look."""
    job = namespace.read_job(JOB)
    pod = namespace.job_pod(JOB).read()
    conditions = {c.type: c.status for c in job.status.conditions or []}
    containers = {s.name: s.state for s in all_statuses(pod)}
    return conditions, pod.status.phase, containers


def wait_job_complete(namespace, timeout=JOB_COMPLETE):
    """Wait for the Job's Complete condition; return job_state."""
    return wait_until(f"job completion: {JOB} to complete", lambda: job_state(namespace),
                      lambda state: state[0].get("Complete") == "True", timeout,
                      lambda: namespace.job_pod(JOB).report())


def assert_job_stays_incomplete(namespace, pod) -> None:
    """For CLASSIC_JOB_HOLD the Job is incomplete, its Pod Running, the sidecar running."""
    holds_for("job held open by its sidecar: the job to stay incomplete with its pod Running and the sidecar running",
              lambda: job_state(namespace),
              lambda state: "Complete" not in state[0] and state[1] == "Running"
              and state[2]["helper"].running is not None,
              CLASSIC_JOB_HOLD, pod.report)
