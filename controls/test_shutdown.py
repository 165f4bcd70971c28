"""Negative controls of graceful shutdown: the suite's checks of helpers/checks/shutdown.py, run on
Pods broken in exactly one way, in both sidecar styles unless the check exists in one style only."""
import dataclasses
from datetime import timedelta

import pytest

from helpers.checks import shutdown
from helpers.checks.shutdown import KILL_LATENESS
from helpers.kube.deletion import delete_observed

LATE_BY = timedelta(seconds=KILL_LATENESS + 3)  # beyond the SIGKILL check's upper tolerance


@pytest.mark.parametrize("overlay, check", [
    ("shutdown/controls/shutdown-shipper-without-trap.yaml", shutdown.FLUSH_ON_SIGTERM),
    ("shutdown/controls/shutdown-slow-flush.yaml", shutdown.FLUSH_PROMPTLY),
], ids=["without-trap", "slow-flush"])
def test_broken_flush_on_sigterm(namespace, broken, sidecar_style, overlay, check):
    pod = shutdown.deploy_with_buffered_lines(namespace, sidecar_style, overlay)
    deletion = delete_observed(pod, follow=shutdown.FOLLOWED)
    with broken(check):
        shutdown.assert_flushed_promptly(deletion)


@pytest.mark.sidecar_styles("classic")
def test_classic_sidecar_does_not_outlive_the_app(namespace, broken, sidecar_style):
    pod = shutdown.deploy_with_buffered_lines(namespace, sidecar_style)
    deletion = delete_observed(pod, follow=shutdown.FOLLOWED)
    with broken(shutdown.SIDECAR_OUTLIVES_THE_APP):
        shutdown.assert_sidecar_outlived_the_app(deletion)


@pytest.mark.parametrize("overlay, container, check", [
    ("shutdown/controls/shutdown-untrapped-stubborn-with-trap.yaml", "stubborn", shutdown.assert_killed_at_the_deadline),
    ("shutdown/controls/shutdown-untrapped-app-without-trap.yaml", "app", shutdown.assert_exited_on_sigterm),
], ids=["stubborn-with-trap", "app-without-trap"])
def test_broken_sigterm_handling(namespace, broken, sidecar_style, overlay, container, check):
    namespace.deploy("shutdown/shutdown-untrapped.yaml", sidecar_style, overlay)
    deletion = delete_observed(namespace.pod("shutdown-untrapped").wait_ready(), follow=[container])
    failing = (shutdown.SIGKILL_AT_THE_END_OF_THE_GRACE_PERIOD if check is shutdown.assert_killed_at_the_deadline
               else shutdown.SIGTERM_DELIVERED_TO_EVERY_CONTAINER)
    with broken(failing):
        check(deletion, container)


def test_a_kill_long_after_the_deadline_is_late(namespace, broken, sidecar_style):
    """The upper bound of the SIGKILL check: the real kill, judged against a grace period
    that ended LATE_BY earlier than the Pod's (as a kubelet killing that late would look)."""
    namespace.deploy("shutdown/shutdown-untrapped.yaml", sidecar_style)
    deletion = delete_observed(namespace.pod("shutdown-untrapped").wait_ready(), follow=["stubborn"])
    shutdown.assert_killed_at_the_deadline(deletion, "stubborn")
    late = dataclasses.replace(deletion, kill_started=deletion.kill_started - LATE_BY)
    with broken(shutdown.SIGKILL_AT_THE_END_OF_THE_GRACE_PERIOD):
        shutdown.assert_killed_at_the_deadline(late, "stubborn")
