"""Scenario 4: a watcher sidecar reloads nginx when its ConfigMap changes."""
import secrets
import time

import pytest

from helpers.kubelet import config_reload_timeout
from helpers.pods import all_statuses
from helpers.waits import wait_until

pytestmark = pytest.mark.reload

CONFIG_MAP = "reload-nginx"
KEY = "default.conf"
FIRST_VERSION = "config version 1"


@pytest.fixture
def pod(namespace, sidecar_style):
    namespace.deploy("reload.yaml", sidecar_style)
    return namespace.pod("reload-demo").wait_ready()


def edit_config(namespace) -> str:
    """Change the text nginx returns, as `kubectl edit configmap` would; return the new text."""
    config = namespace.config_map_data(CONFIG_MAP)[KEY]
    assert FIRST_VERSION in config
    new_version = f"config version 2 ({secrets.token_hex(4)})"
    namespace.update_config_map(CONFIG_MAP, {KEY: config.replace(FIRST_VERSION, new_version)})
    return new_version


def containers_by_id(pod) -> dict:
    """Each container's runtime id and restart count: both change when it restarts."""
    return {s.name: (s.container_id, s.restart_count) for s in all_statuses(pod.read())}


def nginx_master_pid(pod) -> int:
    return int(pod.exec("web", ["cat", "/run/nginx.pid"]).stdout)


def test_edit_is_served_after_a_reload_not_a_restart(namespace, pod, record_delay):
    timeout = config_reload_timeout(namespace.cluster.core, pod.read().spec.node_name)
    with pod.http(80) as http:
        assert http.get("/").text == f"{FIRST_VERSION}\n"
        master_before, containers_before = nginx_master_pid(pod), containers_by_id(pod)

        new_version = edit_config(namespace)
        edited_at = time.monotonic()
        wait_until("nginx to serve the edited ConfigMap", lambda: http.get("/").text,
                   lambda body: body == f"{new_version}\n", timeout, pod.report)
        record_delay("ConfigMap edit -> new body served", time.monotonic() - edited_at)

    assert nginx_master_pid(pod) == master_before, "nginx was restarted, not reloaded"
    assert containers_by_id(pod) == containers_before, "a container restarted"
    signals = [line.text for line in pod.log("reloader") if "sent SIGHUP" in line.text]
    assert signals and all(s.endswith(f"nginx master {master_before}") for s in signals), signals


def test_subpath_mount_keeps_the_old_content(namespace, pod):
    timeout = config_reload_timeout(namespace.cluster.core, pod.read().spec.node_name)
    new_version = edit_config(namespace)
    wait_until("the ConfigMap volume to show the edit",
               lambda: pod.exec("reloader", ["cat", "/config/default.conf"]).stdout,
               lambda text: new_version in text, timeout, pod.report)

    pinned = pod.exec("reloader", ["cat", "/pinned/default.conf"]).stdout
    assert FIRST_VERSION in pinned and new_version not in pinned, pinned
