"""Scenario 4: a watcher sidecar reloads nginx when its ConfigMap changes."""
import time

import pytest

from checks.failure import precondition
from checks.reload import (
    FIRST_VERSION,
    Incarnation,
    assert_reloaded_not_restarted,
    assert_subpath_keeps_old_content,
    edit_config,
    wait_served,
    wait_volume_shows,
)
from kube.kubelet import config_reload_timeout

pytestmark = pytest.mark.reload


@pytest.fixture
def pod(namespace, sidecar_style):
    namespace.deploy("reload.yaml", sidecar_style)
    return namespace.pod("reload-demo").wait_ready()


def test_edit_is_served_after_a_reload_not_a_restart(namespace, pod, record_delay):
    timeout = config_reload_timeout(namespace.cluster.core, pod.read().spec.node_name)
    with pod.http(80) as http:
        precondition(http.get("/").text == f"{FIRST_VERSION}\n", f"nginx serves {FIRST_VERSION!r} at first")
        before = Incarnation.of(pod)

        new_version = edit_config(namespace)
        edited_at = time.monotonic()
        wait_served(pod, http, new_version, timeout)
        record_delay("ConfigMap edit -> new body served", time.monotonic() - edited_at)

    assert_reloaded_not_restarted(pod, before)


def test_subpath_mount_keeps_the_old_content(namespace, pod):
    timeout = config_reload_timeout(namespace.cluster.core, pod.read().spec.node_name)
    new_version = edit_config(namespace)
    wait_volume_shows(pod, new_version, timeout)
    assert_subpath_keeps_old_content(pod, new_version)
