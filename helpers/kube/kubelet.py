"""The kubelet of a node: what it is configured with (read through the API server), and
restarting it (a privileged Pod on its node)."""
from __future__ import annotations

import json
import warnings
from dataclasses import dataclass

from kubernetes import client
from kubernetes.utils.duration import parse_duration

from helpers.kube.manifests import only_on_node
from helpers.kube.pods import terminal_state
from helpers.kube.timeouts import DEFAULT_SYNC_FREQUENCY, KUBELET_RESTARTED, Timeout, config_reload


def sync_frequency_from_configz(document: dict) -> float | None:
    """`kubeletconfig.syncFrequency` of a /configz document, in seconds."""
    value = (document.get("kubeletconfig") or {}).get("syncFrequency")
    return parse_duration(value).total_seconds() if value else None


def read_configz(core: client.CoreV1Api, node: str) -> dict:
    """GET /api/v1/nodes/<node>/proxy/configz (needs nodes/proxy permission)."""
    response = core.connect_get_node_proxy_with_path(node, "configz", _preload_content=False)
    return json.loads(response.data)


def config_reload_timeout(core: client.CoreV1Api, node: str) -> Timeout:
    """The bound for a ConfigMap edit to reach a Pod on `node`, from its syncFrequency.

    Falls back to the kubelet default when the node's configuration cannot be read.
    """
    try:
        seconds = sync_frequency_from_configz(read_configz(core, node))
    except client.ApiException as exc:
        warnings.warn(f"kubelet /configz of node {node}: HTTP {exc.status} {exc.reason} (no `get` on nodes/proxy?);"
                      f" reload waits assume the default syncFrequency {DEFAULT_SYNC_FREQUENCY:g}s", stacklevel=2)
        return config_reload(DEFAULT_SYNC_FREQUENCY, f"the default; configz: HTTP {exc.status} {exc.reason}")
    except ValueError as exc:
        return config_reload(DEFAULT_SYNC_FREQUENCY, f"the default; configz unreadable: {exc}")
    if seconds is None:
        return config_reload(DEFAULT_SYNC_FREQUENCY, "the default; configz has none")
    return config_reload(seconds, f"node {node} configz")


@dataclass(frozen=True)
class KubeletRestart:
    """A kubelet restarted by RESTARTER: its node and its process ids before and after."""

    node: str
    pid_before: str
    pid_after: str

    @property
    def happened(self) -> bool:
        """Both process ids known and different: a new kubelet process runs."""
        return self.pid_before not in ("", "0") and self.pid_after not in ("", "0", self.pid_before)


RESTARTER = "lifecycle/lifecycle-kubelet-restart.yaml"  # the Pod "kubelet-restart", privileged, hostPID


def pid_lines(lines: list[str]) -> tuple[str, str]:
    """The kubelet's process ids the restarter printed ("kubelet pid before|after N"); "" if missing."""
    found = dict(line.split()[2:4] for line in lines if line.startswith("kubelet pid ") and len(line.split()) == 4)
    return found.get("before", ""), found.get("after", "")


def restart_kubelet(namespace, node: str) -> KubeletRestart:
    """Restart the kubelet of `node` with the RESTARTER Pod in `namespace` (a TestNamespace whose
    Pod Security is privileged), and wait until the new kubelet reported it done. CannotHappen
    (one line) when the node does not let it: not systemd, no kubelet unit, not privileged."""
    namespace.deploy(RESTARTER, "classic", edit=only_on_node(node))
    restarter = namespace.pod("kubelet-restart")
    done = restarter.wait_for("the kubelet restarted and the restarter reported Succeeded by it",
                              lambda pod: pod.status.phase == "Succeeded", KUBELET_RESTARTED, terminal=_restarter_failed)
    before, after = pid_lines([line.text for line in restarter.log("restart")])
    return KubeletRestart(done.spec.node_name, before, after)


RESTARTER_EXITS = {2: "no kubelet unit of systemd on the node (systemctl show kubelet failed)",
                   3: "systemctl restart kubelet failed on the node"}


def _restarter_failed(pod: client.V1Pod) -> str | None:
    """Why the restarter will not succeed: it failed (its exit code says where), or it cannot
    start (a privileged, hostPID Pod refused, its image not pulled)."""
    if pod.status.phase == "Succeeded":
        return None
    if pod.status.phase == "Failed":
        ended = [s.state.terminated.exit_code for s in pod.status.container_statuses or []
                 if s.state and s.state.terminated]
        why = RESTARTER_EXITS.get(ended[0], f"the restarter exited {ended[0]}") if ended else "the restarter Pod failed"
        return f"cannot restart the kubelet of node {pod.spec.node_name}: {why}"
    return terminal_state(pod)
