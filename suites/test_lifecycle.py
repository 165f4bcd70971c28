"""Scenario 7: the native sidecar lifecycle, as KEP-753 and upstream's node e2e tests
(test/e2e_node/container_lifecycle_test.go) define it."""
import pytest

from helpers.checks.lifecycle import (
    ORDER_POD,
    ORDER_SAID,
    POD_CREATED_TO_COMPLETED,
    PROBE_RETRY_SAID,
    assert_completed_whatever_the_sidecar_did,
    assert_deleted_promptly,
    assert_gate_kept_shut,
    assert_gone_by_the_deadline,
    assert_interleaved_in_order,
    assert_main_held_back,
    assert_main_started_after_the_second_start_was_ready,
    assert_main_starts_once_the_sidecar_probe_passes,
    assert_only_main_restarted,
    assert_pod_ip_kept,
    assert_prestop_after_main,
    assert_prestops_together_then_reverse_stop,
    assert_probes_run_on_the_restarted_sidecar,
    assert_restarted_and_ready,
    assert_sidecar_kept_running_while_main_restarted,
    assert_started_one_after_another,
    assert_stopped_in_reverse_order,
    assert_stopping_began_at_once,
    complete_with_prestops,
    crash_main,
    crash_main_after_a_kubelet_restart,
    deletion_timeline,
    finish_while_flapping,
    hold_behind_the_stuck_sidecar,
    hold_with_a_sidecar_without_image,
    restart_while_stuck,
    start_after_early_exit,
    start_interleaved,
    stop_gaps,
    timeline_of,
    wait_completed,
    wait_stuck_starting,
)
from helpers.kube.deletion import delete_observed
from helpers.kube.podhistory import PodHistory

pytestmark = pytest.mark.lifecycle


@pytest.fixture(scope="class")
def order_pod(shared_namespace, sidecar_style):
    shared_namespace.deploy("lifecycle/lifecycle-order.yaml", sidecar_style)
    return shared_namespace.pod("lifecycle-order").wait_ready()


@pytest.mark.sidecar_styles("native")
class TestLifecycleOrder:
    """One lifecycle-order Pod: how its sidecars started, then, by deleting it, how they stop."""

    def test_several_sidecars_start_one_after_another_each_gated_by_its_startup_probe(self, order_pod):
        assert_started_one_after_another(timeline_of(order_pod, ORDER_POD, ORDER_SAID))

    def test_several_sidecars_stop_in_reverse_order_after_main_exited(self, order_pod, record_delay):
        deletion = delete_observed(order_pod, follow=ORDER_POD)
        events = deletion_timeline(deletion)
        record_delay("a container exited -> the next sidecar's SIGTERM, longest of 3 (in-Pod clock)",
                     max((gap for gap in stop_gaps(events) if gap is not None), default=0.0))
        assert_stopped_in_reverse_order(events)


@pytest.mark.sidecar_styles("native")
def test_pod_deleted_while_starting_stops_its_sidecars_promptly(namespace, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-stuck.yaml", sidecar_style)
    deletion = delete_observed(wait_stuck_starting(namespace), follow=["sc-1", "sc-2"])
    assert_deleted_promptly(deletion, ["sc-1", "sc-2"])


@pytest.mark.sidecar_styles("native")
def test_sidecar_without_its_image_holds_main_back_and_the_pod_still_deletes_promptly(namespace, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-bad-image.yaml", sidecar_style)
    pod, while_held = hold_with_a_sidecar_without_image(namespace)
    assert_main_held_back(while_held)
    assert_deleted_promptly(delete_observed(pod, follow=["sc-1"]), ["sc-1"])


@pytest.mark.disruptive
@pytest.mark.pod_security("privileged")  # the Pod that restarts the kubelet
@pytest.mark.sidecar_styles("native")
def test_kubelet_restart_keeps_a_sidecar_in_its_startup_period_from_letting_main_start(namespace, sidecar_style,
                                                                                      restart_kubelet_of):
    namespace.deploy("lifecycle/lifecycle-stuck.yaml", sidecar_style)
    assert_gate_kept_shut(hold_behind_the_stuck_sidecar(restart_while_stuck(namespace, restart_kubelet_of)))


@pytest.mark.sidecar_styles("native")
def test_crashed_sidecar_is_restarted_even_with_restart_policy_never(namespace, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-restart.yaml", sidecar_style)
    assert_restarted_and_ready(namespace.pod("lifecycle-restart"), "sc")


@pytest.mark.sidecar_styles("native")
def test_probes_of_a_crashed_sidecar_run_on_its_new_container(namespace, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-probed-crash.yaml", sidecar_style)
    assert_probes_run_on_the_restarted_sidecar(namespace)


@pytest.mark.sidecar_styles("native")
def test_sidecar_failing_its_first_startup_probe_still_lets_main_start(namespace, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-probe-retry.yaml", sidecar_style)
    pod = namespace.pod("lifecycle-probe-retry")
    assert_restarted_and_ready(pod, "sc")
    assert_main_started_after_the_second_start_was_ready(timeline_of(pod, ["main", "sc"], PROBE_RETRY_SAID))


@pytest.mark.sidecar_styles("native")
def test_sidecar_exiting_before_its_first_startup_probe_still_lets_main_start(namespace, sidecar_style):
    """kubernetes/kubernetes#132826's trigger, with restartPolicy Never and Always, main probed or not."""
    namespace.deploy("lifecycle/lifecycle-early-exit.yaml", sidecar_style)
    assert_main_starts_once_the_sidecar_probe_passes(start_after_early_exit(namespace))


@pytest.mark.sidecar_styles("native")
def test_init_containers_and_sidecars_start_in_order_when_interleaved(namespace, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-interleaved.yaml", sidecar_style)
    assert_interleaved_in_order(*start_interleaved(namespace))


@pytest.mark.sidecar_styles("native")
def test_pod_completes_while_its_sidecar_keeps_exiting(namespace, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-flapping.yaml", sidecar_style)
    assert_completed_whatever_the_sidecar_did(finish_while_flapping(namespace))


def test_main_crashing_and_restarting_leaves_its_sidecar_running(namespace, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-main-crash.yaml", sidecar_style)
    assert_sidecar_kept_running_while_main_restarted(*crash_main(namespace))


@pytest.mark.disruptive
@pytest.mark.pod_security("privileged")  # the Pod that restarts the kubelet
def test_main_crashing_after_a_kubelet_restart_is_restarted_and_nothing_else_is(namespace, sidecar_style,
                                                                               restart_kubelet_of):
    namespace.deploy("lifecycle/lifecycle-main-crash.yaml", sidecar_style)
    pod, before, after = crash_main_after_a_kubelet_restart(namespace, restart_kubelet_of)
    assert_only_main_restarted(before, after)
    assert_sidecar_kept_running_while_main_restarted(pod, before, after)


@pytest.mark.sidecar_styles("native")
def test_sidecars_prestop_hooks_run_together_then_they_stop_in_reverse_order(namespace, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-prestop.yaml", sidecar_style)
    assert_prestops_together_then_reverse_stop(complete_with_prestops(namespace))


@pytest.fixture(scope="class")
def completion(shared_namespace, sidecar_style):
    """lifecycle-completion, every state of it watched from before it was created."""
    history = PodHistory(shared_namespace.cluster.core, shared_namespace.name, "lifecycle-completion", POD_CREATED_TO_COMPLETED)
    shared_namespace.deploy("lifecycle/lifecycle-completion.yaml", sidecar_style)
    return shared_namespace.pod("lifecycle-completion"), history


@pytest.mark.sidecar_styles("native")
class TestLifecycleCompletion:
    """One lifecycle-completion Pod running to completion: its sidecar's preStop, its Pod IP."""

    def test_sidecar_prestop_hook_runs_after_main_exited(self, completion):
        pod, _ = completion
        wait_completed(pod)
        assert_prestop_after_main(pod, "sc")

    def test_pod_ip_stays_while_the_pod_runs_to_completion(self, completion):
        _, history = completion
        assert_pod_ip_kept(history.wait_finished())


def test_main_overrunning_the_grace_period_does_not_keep_the_pod(namespace, sidecar_style, record_delay):
    namespace.deploy("lifecycle/lifecycle-overrun.yaml", sidecar_style)
    deletion = delete_observed(namespace.pod("lifecycle-overrun").wait_ready(), follow=["main"])
    record_delay("delete -> the kubelet starts stopping the Pod (Killing event, 1s resolution)",
                 assert_stopping_began_at_once(deletion))
    record_delay("main ignoring SIGTERM: SIGTERM -> SIGKILL (grace 4 s, in-Pod clock, 0.2 s steps)",
                 assert_gone_by_the_deadline(deletion, ["main", "sc"]))
