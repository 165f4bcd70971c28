"""Config reload: a ConfigMap edit reaches the volume, the watcher reloads nginx; subPath stays."""
import secrets

from kube.pods import all_statuses
from kube.timeouts import RELOAD_AFTER_SWAP
from kube.waits import wait_until

CONFIG_MAP = "reload-nginx"
KEY = "default.conf"
FIRST_VERSION = "config version 1"


def edit_config(namespace) -> str:
    """Change the text nginx returns, as `kubectl edit configmap` would; return the new text."""
    config = namespace.config_map_data(CONFIG_MAP)[KEY]
    assert FIRST_VERSION in config
    new_version = f"config version 2 ({secrets.token_hex(4)})"
    namespace.update_config_map(CONFIG_MAP, {KEY: config.replace(FIRST_VERSION, new_version)})
    return new_version


def wait_volume_shows(pod, new_version: str, sync_timeout) -> None:
    """Wait for the kubelet to swap the ConfigMap volume (as the reloader sees it)."""
    wait_until("the ConfigMap volume to show the edit",
               lambda: pod.exec("reloader", ["cat", f"/config/{KEY}"]).stdout,
               lambda text: new_version in text, sync_timeout, pod.report)


def wait_served(pod, http, new_version: str, sync_timeout) -> None:
    """Wait for the volume to show the edit, then for nginx to serve it (RELOAD_AFTER_SWAP)."""
    wait_volume_shows(pod, new_version, sync_timeout)
    wait_until("config reload: nginx to serve the edit the volume shows", lambda: http.get("/").text,
               lambda body: body == f"{new_version}\n", RELOAD_AFTER_SWAP, pod.report)


def containers_by_id(pod) -> dict:
    """Each container's runtime id and restart count: both change when it restarts."""
    return {s.name: (s.container_id, s.restart_count) for s in all_statuses(pod.read())}


def nginx_master_pid(pod) -> int:
    return int(pod.exec("web", ["cat", "/run/nginx.pid"]).stdout)


def assert_subpath_keeps_old_content(pod, new_version: str) -> None:
    """The subPath copy /pinned/default.conf still has the first version."""
    pinned = pod.exec("reloader", ["cat", f"/pinned/{KEY}"]).stdout
    assert FIRST_VERSION in pinned and new_version not in pinned, (
        f"subPath snapshot broken: /pinned/{KEY} changed with the ConfigMap: {pinned!r}")
