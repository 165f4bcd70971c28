"""What the kubelet of a node is configured with, read through the API server."""
from __future__ import annotations

import json
import warnings

from kubernetes import client
from kubernetes.utils.duration import parse_duration

from kube.timeouts import DEFAULT_SYNC_FREQUENCY, Timeout, config_reload


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
