"""Scenario 6: init containers, native sidecars and Jobs - who starts and stops when."""
import pytest

from helpers.checks.ordering import (
    JOB,
    assert_init_finished_before_main,
    assert_job_stays_incomplete,
    assert_sidecar_started_before_main,
    assert_sidecar_stopped_after_main,
    deploy_job_until_main_exits,
    start_behind_gate,
    wait_job_complete,
)

pytestmark = pytest.mark.ordering


@pytest.fixture(scope="class")
def ordering_demo(shared_namespace, sidecar_style):
    """ordering-demo started behind its held gate: (the Pod, what happened at the gate)."""
    return start_behind_gate(shared_namespace, sidecar_style)


class TestOrderingDemo:
    """The checks of one ordering-demo, per sidecar style: each only reads its statuses and logs."""

    def test_init_container_finishes_before_main_starts(self, ordering_demo):
        pod, _ = ordering_demo
        assert_init_finished_before_main(pod)

    @pytest.mark.sidecar_styles("native")
    def test_native_sidecar_starts_before_main_and_keeps_running(self, ordering_demo):
        assert_sidecar_started_before_main(*ordering_demo)


@pytest.mark.sidecar_styles("native")
def test_job_with_native_sidecar_completes_when_main_exits(namespace, sidecar_style, record_delay):
    namespace.deploy("ordering/job.yaml", sidecar_style)
    state = wait_job_complete(namespace)

    assert_sidecar_stopped_after_main(state)
    completed = namespace.read_job(JOB).status.completion_time
    main_exited = state.containers["main"].terminated.finished_at
    record_delay("job: main exited -> job complete", (completed - main_exited).total_seconds())


@pytest.mark.sidecar_styles("classic")
def test_job_with_classic_sidecar_does_not_complete_while_the_sidecar_runs(namespace, sidecar_style):
    pod = deploy_job_until_main_exits(namespace, sidecar_style)
    assert_job_stays_incomplete(namespace, pod)
