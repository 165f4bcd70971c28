"""Negative controls of the native sidecar lifecycle: classic sidecars (which have none of
it), a sidecar that ignores SIGTERM, and real observations judged against a stricter
bound than the cluster met."""
import copy
import dataclasses
from datetime import timedelta

import pytest
from kubernetes import client

from helpers.checks import lifecycle
from helpers.checks.events import Timeline
from helpers.checks.lifecycle import KILLING_AFTER_DELETE, NEXT_SIGTERM_AFTER_EXIT, POD_CREATED_TO_COMPLETED
from helpers.kube.deletion import delete_observed
from helpers.kube.podhistory import PodHistory
from helpers.kube.pods import all_statuses
from helpers.kube.timeouts import GRACE_TOLERANCE

ORDER_POD = lifecycle.ORDER_POD
SHORTER_BY = int(2 * GRACE_TOLERANCE)  # seconds: beyond the grace bound's tolerance


@pytest.mark.sidecar_styles("classic")
def test_classic_sidecars_start_and_stop_together(namespace, broken, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-order.yaml", sidecar_style)
    pod = namespace.pod("lifecycle-order").wait_ready()
    with broken(lifecycle.SIDECARS_START_ONE_AFTER_ANOTHER):
        lifecycle.assert_started_one_after_another(lifecycle.timeline_of(pod, ORDER_POD, lifecycle.ORDER_SAID))
    deletion = delete_observed(pod, follow=ORDER_POD)
    with broken(lifecycle.SIDECARS_STOP_IN_REVERSE_ORDER_AFTER_MAIN):
        lifecycle.assert_stopped_in_reverse_order(lifecycle.deletion_timeline(deletion))


@pytest.mark.sidecar_styles("native")
def test_sidecar_ignoring_sigterm_holds_a_starting_pod(namespace, broken, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-stuck.yaml", sidecar_style,
                     "lifecycle/controls/lifecycle-stuck-sidecar-without-trap.yaml")
    deletion = delete_observed(lifecycle.wait_stuck_starting(namespace), follow=["sc-1", "sc-2"])
    with broken(lifecycle.DELETION_WHILE_STARTING_IS_PROMPT):
        lifecycle.assert_deleted_promptly(deletion, ["sc-1", "sc-2"])


@pytest.mark.sidecar_styles("classic")
@pytest.mark.parametrize("manifest, pod_name", [
    ("lifecycle/lifecycle-restart.yaml", "lifecycle-restart"),
    ("lifecycle/lifecycle-probe-retry.yaml", "lifecycle-probe-retry"),
], ids=["crash", "startup-probe-failure"])
def test_classic_sidecar_is_not_restarted_with_restart_policy_never(namespace, broken, sidecar_style,
                                                                     manifest, pod_name):
    namespace.deploy(manifest, sidecar_style)
    with broken(lifecycle.CRASHED_SIDECAR_RESTARTED):
        lifecycle.assert_restarted_and_ready(namespace.pod(pod_name), "sc")


@pytest.mark.sidecar_styles("classic")
def test_classic_sidecar_keeps_a_finished_pod_running(namespace, broken, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-completion.yaml", sidecar_style)
    with broken(lifecycle.POD_WITH_SIDECARS_COMPLETES):
        lifecycle.wait_completed(namespace.pod("lifecycle-completion"))


def test_a_pod_outside_its_grace_period_is_caught(namespace, broken, sidecar_style):
    """The real deletion, judged against a grace period SHORTER_BY shorter (as a kubelet that
    let the Pod overrun its grace period would look) and SHORTER_BY longer (as one that
    killed main before the grace period ended would look); and with its Killing event moved
    before the delete, or KILLING_AFTER_DELETE + 1 s after it (a kubelet slow to begin)."""
    namespace.deploy("lifecycle/lifecycle-overrun.yaml", sidecar_style)
    deletion = delete_observed(namespace.pod("lifecycle-overrun").wait_ready(), follow=["main"])
    lifecycle.assert_gone_by_the_deadline(deletion, ["main", "sc"])
    for judged_by in (deletion.grace_seconds - SHORTER_BY, deletion.grace_seconds + SHORTER_BY):
        with broken(lifecycle.GRACE_PERIOD_BOUNDS_THE_POD):
            lifecycle.assert_gone_by_the_deadline(dataclasses.replace(deletion, grace_seconds=judged_by),
                                                  ["main", "sc"])
    lifecycle.assert_stopping_began_at_once(deletion)
    for shift in (-GRACE_TOLERANCE, KILLING_AFTER_DELETE + 1):  # before the delete; too long after it
        moved = deletion.accepted_at + timedelta(seconds=shift)
        with broken(lifecycle.STOPPED_AT_ONCE):
            lifecycle.assert_stopping_began_at_once(dataclasses.replace(deletion, kill_started=moved))


@pytest.mark.sidecar_styles("native")
def test_a_state_without_the_pod_ip_is_caught(namespace, broken, sidecar_style):
    """The real states of a completed Pod, with the IP taken out of one in the middle; and with
    a later state of the finished Pod that lost it (kubernetes/kubernetes#125404's symptom)."""
    history = PodHistory(namespace.cluster.core, namespace.name, "lifecycle-completion", POD_CREATED_TO_COMPLETED)
    namespace.deploy("lifecycle/lifecycle-completion.yaml", sidecar_style)
    states = history.wait_finished()
    lifecycle.assert_pod_ip_kept(states)
    with_ip = [i for i, state in enumerate(states) if state.status.pod_ip]
    middle = copy.deepcopy(states)
    middle[with_ip[len(with_ip) // 2]].status.pod_ip = None
    after = copy.deepcopy(states[-1])
    after.status.pod_ip, after.status.pod_ips = None, None
    for broken_states in (middle, [*states, after]):
        with broken(lifecycle.POD_IP_KEPT_UNTIL_COMPLETION):
            lifecycle.assert_pod_ip_kept(broken_states)


@pytest.mark.sidecar_styles("native")
def test_sidecar_whose_probe_never_passes_again_keeps_main_from_starting(namespace, broken, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-early-exit.yaml", sidecar_style,
                     "lifecycle/controls/lifecycle-early-exit-probe-never-passes.yaml")
    started = lifecycle.start_after_early_exit(namespace)
    with broken(lifecycle.SIDECAR_EXITING_BEFORE_ITS_FIRST_PROBE_LETS_MAIN_START):
        lifecycle.assert_main_starts_once_the_sidecar_probe_passes(started)


@pytest.mark.sidecar_styles("classic")
def test_classic_sidecar_exiting_fails_a_restart_policy_never_pod(namespace, broken, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-flapping.yaml", sidecar_style)
    pod = lifecycle.finish_while_flapping(namespace)
    with broken(lifecycle.FLAPPING_SIDECAR_DOES_NOT_FAIL_THE_POD):
        lifecycle.assert_completed_whatever_the_sidecar_did(pod)


def test_sidecar_going_down_with_main_is_caught(namespace, broken, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-main-crash.yaml", sidecar_style,
                     "lifecycle/controls/lifecycle-main-crash-takes-the-sidecar.yaml")
    crashed = lifecycle.crash_main(namespace)
    with broken(lifecycle.SIDECAR_KEEPS_RUNNING_WHILE_MAIN_RESTARTS):
        lifecycle.assert_sidecar_kept_running_while_main_restarted(*crashed)


@pytest.mark.sidecar_styles("native")
def test_init_container_not_held_by_a_sidecar_without_probe_is_caught(namespace, broken, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-interleaved.yaml", sidecar_style,
                     "lifecycle/controls/lifecycle-interleaved-sidecar-without-probe.yaml")
    started = lifecycle.start_interleaved(namespace)
    with broken(lifecycle.INIT_CONTAINERS_AND_SIDECARS_START_IN_ORDER):
        lifecycle.assert_interleaved_in_order(*started)


@pytest.mark.sidecar_styles("classic")
def test_classic_sidecar_with_probes_is_not_restarted_with_restart_policy_never(namespace, broken, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-probed-crash.yaml", sidecar_style)
    with broken(lifecycle.PROBES_RUN_ON_A_RESTARTED_SIDECAR):
        lifecycle.assert_probes_run_on_the_restarted_sidecar(namespace)


@pytest.mark.sidecar_styles("native")
def test_prestop_hooks_one_after_another_are_caught(namespace, broken, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-prestop.yaml", sidecar_style,
                     "lifecycle/controls/lifecycle-prestop-one-after-another.yaml")
    pod = lifecycle.complete_with_prestops(namespace)
    with broken(lifecycle.SIDECARS_PRESTOP_HOOKS_RUN_TOGETHER_THEN_REVERSE_STOP):
        lifecycle.assert_prestops_together_then_reverse_stop(pod)


def _never_restarted(doc: dict) -> None:
    """lifecycle-main-crash with restartPolicy Never: main's crash is not followed by a restart."""
    if doc.get("kind") == "Pod":
        doc["spec"]["restartPolicy"] = "Never"


@pytest.mark.disruptive
@pytest.mark.pod_security("privileged")
def test_main_not_restarted_after_a_kubelet_restart_is_caught(namespace, broken, sidecar_style, restart_kubelet_of):
    """lifecycle-main-crash with restartPolicy Never: main stays down after its crash, as on a
    kubelet with kubernetes/kubernetes#137146 (restartCount 0 for good)."""
    namespace.deploy("lifecycle/lifecycle-main-crash.yaml", sidecar_style, edit=_never_restarted)
    with broken(lifecycle.MAIN_RESTARTED_AFTER_KUBELET):
        lifecycle.crash_main_after_a_kubelet_restart(namespace, restart_kubelet_of)


@pytest.mark.disruptive
@pytest.mark.pod_security("privileged")
def test_a_container_replaced_across_a_kubelet_restart_is_caught(namespace, broken, sidecar_style, restart_kubelet_of):
    """The real states around a kubelet restart and main's crash, with one container changed as
    a kubelet that re-ran or replaced it would leave it: init run again, sc restarted, main's
    crashed container not the one from before the restart, main restarted twice."""
    namespace.deploy("lifecycle/lifecycle-main-crash.yaml", sidecar_style)
    _, before, after = lifecycle.crash_main_after_a_kubelet_restart(namespace, restart_kubelet_of)
    lifecycle.assert_only_main_restarted(before, after)

    def edited(container: str, change) -> client.V1Pod:
        state = copy.deepcopy(after)
        change(next(status for status in all_statuses(state) if status.name == container))
        return state

    def crashed_elsewhere(status: client.V1ContainerStatus) -> None:
        status.last_state = client.V1ContainerState(terminated=client.V1ContainerStateTerminated(
            exit_code=1, container_id="containerd://replaced-by-the-kubelet-restart"))

    for state in (edited("init", lambda status: setattr(status, "container_id", "containerd://run-again")),
                  edited("sc", lambda status: setattr(status, "restart_count", 1)),
                  edited("main", crashed_elsewhere),
                  edited("main", lambda status: setattr(status, "restart_count", 2))):
        with broken(lifecycle.KUBELET_RESTART_KEPT):
            lifecycle.assert_only_main_restarted(before, state)


@pytest.mark.sidecar_styles("classic")
def test_classic_sidecar_without_its_image_does_not_hold_main_back(namespace, broken, sidecar_style):
    namespace.deploy("lifecycle/lifecycle-bad-image.yaml", sidecar_style)
    _, while_held = lifecycle.hold_with_a_sidecar_without_image(namespace)
    with broken(lifecycle.HELD_BY_A_SIDECAR_WITHOUT_IMAGE):
        lifecycle.assert_main_held_back(while_held)


@pytest.mark.sidecar_styles("native")
def test_a_sidecar_signalled_long_after_the_one_before_it_exited_is_caught(namespace, broken, sidecar_style):
    """The real reverse stop of lifecycle-order, with sc-2's SIGTERM and all after it moved
    NEXT_SIGTERM_AFTER_EXIT later, as a kubelet that took that long to go on would look."""
    namespace.deploy("lifecycle/lifecycle-order.yaml", sidecar_style)
    events = lifecycle.deletion_timeline(delete_observed(namespace.pod("lifecycle-order").wait_ready(),
                                                         follow=ORDER_POD))
    lifecycle.assert_stopped_in_reverse_order(events)
    moved_from = events.at("sc-2", "SIGTERM")
    late = Timeline(dataclasses.replace(event, uptime=event.uptime + NEXT_SIGTERM_AFTER_EXIT)
                    if event.uptime >= moved_from else event for event in events.events)
    with broken(lifecycle.SIDECARS_STOP_IN_REVERSE_ORDER_AFTER_MAIN):
        lifecycle.assert_stopped_in_reverse_order(late)


@pytest.mark.sidecar_styles("native")
def test_main_started_before_the_restarted_sidecar_was_ready_is_caught(namespace, broken, sidecar_style):
    """The real lifecycle-probe-retry, judged with main's start moved to just before sc's
    second start was ready, as a kubelet that let main in on the first start (or on the
    second before its probe passed) would look."""
    namespace.deploy("lifecycle/lifecycle-probe-retry.yaml", sidecar_style)
    pod = namespace.pod("lifecycle-probe-retry")
    lifecycle.assert_restarted_and_ready(pod, "sc")
    events = lifecycle.timeline_of(pod, ["main", "sc"], lifecycle.PROBE_RETRY_SAID)
    lifecycle.assert_main_started_after_the_second_start_was_ready(events)
    early = events.at("sc", "ready") - 0.01
    moved = Timeline(dataclasses.replace(event, uptime=early) if (event.container, event.what) == ("main", "started")
                     else event for event in events.events)
    with broken(lifecycle.MAIN_AFTER_THE_SECOND_START):
        lifecycle.assert_main_started_after_the_second_start_was_ready(moved)


@pytest.mark.disruptive
@pytest.mark.pod_security("privileged")
@pytest.mark.sidecar_styles("native")
def test_a_gate_opened_after_a_kubelet_restart_is_caught(namespace, broken, sidecar_style, restart_kubelet_of):
    """lifecycle-stuck after the kubelet restart, with sc-2's startupProbe then made to pass (the
    file it looks for created): sc-3 and main start, as they would behind a restarted kubelet
    that took sc-2 for started."""
    namespace.deploy("lifecycle/lifecycle-stuck.yaml", sidecar_style)
    pod = lifecycle.restart_while_stuck(namespace, restart_kubelet_of)
    pod.exec("sc-2", ["touch", "/never"])
    with broken(lifecycle.GATE_KEPT_ACROSS_A_KUBELET_RESTART):
        lifecycle.assert_gate_kept_shut(lifecycle.hold_behind_the_stuck_sidecar(pod))
