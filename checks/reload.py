"""Config reload: a ConfigMap edit reaches the volume, the watcher reloads nginx without a
restart; a subPath copy stays as it was."""
import secrets
from dataclasses import dataclass

from checks.failure import Behaviour, precondition
from kube.pods import all_statuses
from kube.timeouts import RELOAD_AFTER_SWAP
from kube.waits import wait_until

RELOAD = Behaviour("reload")
CONFIG_MAP = "reload-nginx"
KEY = "default.conf"
FIRST_VERSION = "config version 1"


def edit_config(namespace) -> str:
    """Change the text nginx returns, as `kubectl edit configmap` would; return the new text."""
    config = namespace.config_map_data(CONFIG_MAP)[KEY]
    precondition(FIRST_VERSION in config, f"ConfigMap {CONFIG_MAP} holds {FIRST_VERSION!r}")
    new_version = f"config version 2 ({secrets.token_hex(4)})"
    namespace.update_config_map(CONFIG_MAP, {KEY: config.replace(FIRST_VERSION, new_version)})
    return new_version


def wait_volume_shows(pod, new_version: str, sync_timeout) -> None:
    """Wait for the kubelet to swap the ConfigMap volume (as the reloader sees it)."""
    with RELOAD.waiting("ConfigMap volume updated"):
        wait_until("the ConfigMap volume to show the edit",
                   lambda: pod.exec("reloader", ["cat", f"/config/{KEY}"]).stdout,
                   lambda text: new_version in text, sync_timeout, pod.report)


def wait_served(pod, http, new_version: str, sync_timeout) -> None:
    """Wait for the volume to show the edit, then for nginx to serve it (RELOAD_AFTER_SWAP)."""
    wait_volume_shows(pod, new_version, sync_timeout)
    with RELOAD.waiting("nginx reloaded on the change"):
        wait_until("nginx to serve the edit the volume shows", lambda: http.get("/").text,
                   lambda body: body == f"{new_version}\n", RELOAD_AFTER_SWAP, pod.report)


@dataclass(frozen=True)
class Incarnation:
    """What changes when nginx restarts instead of reloading: its master's pid, and each
    container's runtime id and restart count."""

    master_pid: int
    containers: dict

    @classmethod
    def of(cls, pod) -> "Incarnation":
        containers = {s.name: (s.container_id, s.restart_count) for s in all_statuses(pod.read())}
        return cls(int(pod.exec("web", ["cat", "/run/nginx.pid"]).stdout), containers)


def assert_reloaded_not_restarted(pod, before: Incarnation) -> None:
    """nginx serves the edit from the same master process, in the same containers, and the
    reloader says it sent SIGHUP to that master."""
    now = Incarnation.of(pod)
    RELOAD.require(now == before, "reload without a restart", f"nginx master {before.master_pid} and"
                   f" containers {before.containers} unchanged", now)
    signals = [line.text for line in pod.log("reloader") if "sent SIGHUP" in line.text]
    RELOAD.require(signals and all(s.endswith(f"nginx master {before.master_pid}") for s in signals),
                   "reload without a restart", f"the reloader to SIGHUP nginx master {before.master_pid}", signals)


def assert_subpath_keeps_old_content(pod, new_version: str) -> None:
    """The subPath copy /pinned/default.conf still has the first version."""
    pinned = pod.exec("reloader", ["cat", f"/pinned/{KEY}"]).stdout
    RELOAD.require(FIRST_VERSION in pinned and new_version not in pinned, "subPath snapshot",
                   f"/pinned/{KEY} to keep {FIRST_VERSION!r}", repr(pinned))
