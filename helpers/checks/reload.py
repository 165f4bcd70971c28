"""Config reload: a ConfigMap edit reaches the volume, the watcher reloads nginx without a
restart; a subPath copy stays as it was."""
import re
import secrets
from dataclasses import dataclass

from helpers.checks.failure import Behaviour, precondition
from helpers.kube.pods import all_statuses
from helpers.kube.timeouts import Timeout
from helpers.kube.waits import wait_until

# its timeouts and tolerances (generic ones: helpers/kube/timeouts.py)
# The volume shows the edit: the reloader (polling every second) signals nginx.
RELOAD_AFTER_SWAP = Timeout("nginx serving the edit once the volume shows it", 10, poll=0.5)


RELOAD = Behaviour("reload")
# its checks, each named once: the check raises with it, its negative controls expect it
CONFIGMAP_VOLUME_UPDATED = RELOAD.check("ConfigMap volume updated")
NGINX_RELOADED_ON_THE_CHANGE = RELOAD.check("nginx reloaded on the change")
RELOAD_WITHOUT_A_RESTART = RELOAD.check("reload without a restart")
SUBPATH_SNAPSHOT = RELOAD.check("subPath snapshot")
CONFIG_MAP = "reload-nginx"
KEY = "default.conf"
FIRST_VERSION = "config version 1"  # as created; a subPath copy keeps it
VERSION = re.compile(r"config version \w+")


def version_in(config: str) -> str:
    """The text an nginx config returns: FIRST_VERSION, or what the last edit put there."""
    found = VERSION.search(config)
    precondition(found is not None, f"ConfigMap {CONFIG_MAP} holds a {VERSION.pattern!r}")
    return found.group()


def current_version(namespace) -> str:
    """The text the ConfigMap configures nginx to return now."""
    return version_in(namespace.config_map_data(CONFIG_MAP)[KEY])


def edit_config(namespace) -> str:
    """Change the text nginx returns, as `kubectl edit configmap` would; return the new text."""
    config = namespace.config_map_data(CONFIG_MAP)[KEY]
    new_version = f"config version {secrets.token_hex(4)}"
    namespace.update_config_map(CONFIG_MAP, {KEY: config.replace(version_in(config), new_version)})
    return new_version


def wait_volume_shows(pod, new_version: str, sync_timeout) -> None:
    """Wait for the kubelet to swap the ConfigMap volume (as the reloader sees it)."""
    with RELOAD.waiting(CONFIGMAP_VOLUME_UPDATED):
        pod.wait_file_contains("reloader", "the ConfigMap volume to show the edit", f"/config/{KEY}", new_version,
                               sync_timeout)


def wait_served(pod, http, new_version: str, sync_timeout) -> None:
    """Wait for the volume to show the edit, then for nginx to serve it (RELOAD_AFTER_SWAP)."""
    wait_volume_shows(pod, new_version, sync_timeout)
    with RELOAD.waiting(NGINX_RELOADED_ON_THE_CHANGE):
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
    RELOAD.require(now == before, RELOAD_WITHOUT_A_RESTART, f"nginx master {before.master_pid} and"
                   f" containers {before.containers} unchanged", now)
    assert_signalled(sighups(pod), before)


def sighups(pod) -> list[str]:
    """The reloader's lines saying it sent SIGHUP, and to which nginx master."""
    return [line.text for line in pod.log("reloader") if "sent SIGHUP" in line.text]


def assert_signalled(signals: list[str], before: Incarnation) -> None:
    """The reloader sent SIGHUP, each time to the master that was there before the edit."""
    RELOAD.require(signals and all(s.endswith(f"nginx master {before.master_pid}") for s in signals),
                   RELOAD_WITHOUT_A_RESTART, f"the reloader to SIGHUP nginx master {before.master_pid}", signals)


def assert_subpath_keeps_old_content(pod, new_version: str) -> None:
    """The subPath copy /pinned/default.conf still has the first version."""
    pinned = pod.exec("reloader", ["cat", f"/pinned/{KEY}"]).stdout
    RELOAD.require(FIRST_VERSION in pinned and new_version not in pinned, SUBPATH_SNAPSHOT,
                   f"/pinned/{KEY} to keep {FIRST_VERSION!r}", repr(pinned))
