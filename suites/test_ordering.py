"""Scenario 6: init containers, native sidecars and Jobs - who starts and stops when."""
import pytest

from helpers.pods import all_statuses
from helpers.timeouts import CLASSIC_JOB_HOLD, JOB_COMPLETE, JOB_POD
from helpers.waits import holds_for, wait_until

pytestmark = pytest.mark.ordering


@pytest.fixture
def ordering_pod(namespace, sidecar_style):
    namespace.deploy("ordering.yaml", sidecar_style)
    return namespace.pod("ordering-demo").wait_ready()


def main_saw(pod) -> list[str]:
    return [line.text for line in pod.log("main") if line.text.startswith("main: ")]


def test_init_container_finishes_before_main_starts(ordering_pod):
    setup = ordering_pod.status("setup").state.terminated
    main = ordering_pod.status("main").state.running
    assert setup is not None and setup.exit_code == 0, setup
    assert setup.finished_at <= main.started_at, (setup, main)
    assert "main: found setup-done" in main_saw(ordering_pod)


@pytest.mark.sidecar_styles("native")
def test_native_sidecar_starts_before_main_and_keeps_running(ordering_pod):
    helper, main = ordering_pod.status("helper"), ordering_pod.status("main")
    assert "main: found helper-started" in main_saw(ordering_pod)
    assert helper.state.running.started_at <= main.state.running.started_at, (helper, main)
    assert helper.started and helper.restart_count == 0, helper


def job_state(namespace):
    """The Job's conditions and its Pod's phase and container states, in one look."""
    job = namespace.read_job("sidecar-job")
    pod = namespace.job_pod("sidecar-job").read()
    conditions = {c.type: c.status for c in job.status.conditions or []}
    containers = {s.name: s.state for s in all_statuses(pod)}
    return conditions, pod.status.phase, containers


@pytest.mark.sidecar_styles("native")
def test_job_with_native_sidecar_completes_when_main_exits(namespace, sidecar_style, record_delay):
    namespace.deploy("job.yaml", sidecar_style)
    conditions, phase, containers = wait_until(
        "job sidecar-job to complete", lambda: job_state(namespace),
        lambda state: state[0].get("Complete") == "True", JOB_COMPLETE,
        lambda: namespace.job_pod("sidecar-job").report())

    assert phase == "Succeeded"
    main, helper = containers["main"].terminated, containers["helper"].terminated
    assert main is not None and main.exit_code == 0, containers
    assert helper is not None and helper.finished_at >= main.finished_at, containers
    completed = namespace.read_job("sidecar-job").status.completion_time
    record_delay("job: main exited -> job complete", (completed - main.finished_at).total_seconds())


@pytest.mark.sidecar_styles("classic")
def test_job_with_classic_sidecar_does_not_complete_while_the_sidecar_runs(namespace, sidecar_style):
    namespace.deploy("job.yaml", sidecar_style)
    pod = wait_until("job sidecar-job's pod", lambda: namespace.job_pod("sidecar-job"), bool, JOB_POD,
                     namespace.evidence)
    main = pod.wait_terminated("main")
    assert main.exit_code == 0, main

    holds_for("the job to stay incomplete with its pod Running and the sidecar running",
              lambda: job_state(namespace),
              lambda state: "Complete" not in state[0] and state[1] == "Running"
              and state[2]["helper"].running is not None,
              CLASSIC_JOB_HOLD, pod.report)
