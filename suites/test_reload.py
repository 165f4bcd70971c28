"""Scenario 4: a watcher sidecar reloads nginx when its ConfigMap changes."""
import time

import pytest

from helpers.checks.failure import precondition
from helpers.checks.reload import (
    Incarnation,
    assert_reloaded_not_restarted,
    assert_subpath_keeps_old_content,
    current_version,
    edit_config,
    wait_served,
    wait_volume_shows,
)
from helpers.kube.kubelet import config_reload_timeout

pytestmark = pytest.mark.reload


@pytest.fixture(scope="class")
def pod(shared_namespace, sidecar_style):
    shared_namespace.deploy("reload/reload.yaml", sidecar_style)
    return shared_namespace.pod("reload-demo").wait_ready()


class TestReloadDemo:
    """One reload-demo per sidecar style; each check makes an edit of its own."""

    def test_edit_is_served_after_a_reload_not_a_restart(self, shared_namespace, pod, record_delay):
        timeout = config_reload_timeout(shared_namespace.cluster.core, pod.read().spec.node_name)
        with pod.http(80, keep_alive=False) as http:
            served = current_version(shared_namespace)
            precondition(http.get("/").text == f"{served}\n", f"nginx serves {served!r} at first")
            before = Incarnation.of(pod)

            new_version = edit_config(shared_namespace)
            edited_at = time.monotonic()
            wait_served(pod, http, new_version, timeout)
            record_delay("ConfigMap edit -> new body served", time.monotonic() - edited_at)

        assert_reloaded_not_restarted(pod, before)

    def test_subpath_mount_keeps_the_old_content(self, shared_namespace, pod):
        timeout = config_reload_timeout(shared_namespace.cluster.core, pod.read().spec.node_name)
        new_version = edit_config(shared_namespace)
        wait_volume_shows(pod, new_version, timeout)
        assert_subpath_keeps_old_content(pod, new_version)
