"""Negative controls of ordering (init containers, startup gates, Jobs): the suite's checks of helpers/checks/ordering.py, run on
Pods broken in exactly one way, in both sidecar styles unless the check exists in one style only."""
import copy
import dataclasses
from datetime import timedelta

import pytest

from helpers.checks import ordering
from helpers.checks.ordering import CONTROL_JOB_COMPLETE
from helpers.kube.pods import is_running, status_in


def test_setup_as_a_regular_container_does_not_finish_first(namespace, broken, sidecar_style):
    namespace.deploy("ordering/ordering.yaml", sidecar_style, "ordering/controls/ordering-setup-not-init.yaml")
    pod = namespace.pod("ordering-demo")
    pod.wait_terminated("setup")
    pod.wait_for("main running", lambda current: is_running(current, "main"))
    with broken(ordering.INIT_CONTAINER_FINISHES_FIRST):
        ordering.assert_init_finished_before_main(pod)


def test_main_not_gated_by_the_helpers_startup_probe(namespace, broken, sidecar_style):
    """Classic: nothing gates main. Native: a helper without its startupProbe (what a kubelet
    ignoring startupProbes does) lets main start while the gate is shut."""
    overlay = "ordering/controls/ordering-helper-without-probe.yaml" if sidecar_style == "native" else None
    pod, gate = ordering.start_behind_gate(namespace, sidecar_style, overlay)
    with broken(ordering.STARTUPPROBE_GATES_MAIN):
        ordering.assert_sidecar_started_before_main(pod, gate)


@pytest.mark.sidecar_styles("classic")
def test_job_with_classic_sidecar_does_not_complete(namespace, broken, sidecar_style):
    ordering.deploy_job_until_main_exits(namespace, sidecar_style)
    with broken(ordering.JOB_WITH_A_NATIVE_SIDECAR_COMPLETES):
        ordering.wait_job_complete(namespace, CONTROL_JOB_COMPLETE)


@pytest.mark.sidecar_styles("native")
def test_job_with_native_sidecar_is_not_held_open(namespace, broken, sidecar_style):
    pod = ordering.deploy_job_until_main_exits(namespace, sidecar_style)
    with broken(ordering.JOB_WITH_A_CLASSIC_SIDECAR_IS_HELD_OPEN):
        ordering.assert_job_stays_incomplete(namespace, pod)


@pytest.mark.sidecar_styles("native")
def test_a_sidecar_stopped_before_main_is_caught(namespace, broken, sidecar_style):
    """The real completed Job, with its sidecar's end moved to 2 s before main's (as a kubelet
    that stopped the sidecar first would show it)."""
    namespace.deploy("ordering/job.yaml", sidecar_style)
    state = ordering.wait_job_complete(namespace)
    ordering.assert_sidecar_stopped_after_main(state)
    early = copy.deepcopy(state.pod)
    helper = status_in(early, "helper").state.terminated
    helper.finished_at = status_in(early, "main").state.terminated.finished_at - timedelta(seconds=2)
    with broken(ordering.NATIVE_SIDECAR_STOPPED_AFTER_MAIN):
        ordering.assert_sidecar_stopped_after_main(dataclasses.replace(state, pod=early))


@pytest.mark.sidecar_styles("native")
def test_native_sidecar_restarted_once_is_caught(namespace, broken, sidecar_style):
    pod, gate = ordering.start_behind_gate(namespace, sidecar_style, "ordering/controls/ordering-helper-exits-once.yaml")
    pod.wait_for("helper restarted once", lambda now: status_in(now, "helper").restart_count >= 1
                 and is_running(now, "helper"))
    with broken(ordering.NATIVE_SIDECAR_KEEPS_RUNNING):
        ordering.assert_sidecar_started_before_main(pod, gate)
