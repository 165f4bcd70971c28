"""Whether a cluster can run native sidecars, asked of the cluster itself, not its version.

Two things must hold: the API server keeps `restartPolicy: Always` on an init container
(with the SidecarContainers feature gate off it silently drops the field; a server dry-run
shows it), and every schedulable node runs a kubelet of at least 1.29 (an older kubelet
would run the sidecar as an ordinary init container that never finishes).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from kubernetes import client

from helpers.kube.apierrors import api_message
from helpers.kube.cluster import Cluster
from helpers.kube.namespace import TestNamespace
from helpers.kube.podsecurity import restricted

NATIVE_KUBELET = (1, 29)  # beta and on by default since 1.29 (KEP-753)


@dataclass(frozen=True)
class NativeSupport:
    """Whether the cluster runs native sidecars: None, or why not; and whether its API server's
    version promises them (>= 1.29: the native checks then fail instead of skipping)."""

    problem: str | None = None
    promised: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> NativeSupport:
        return cls(**data)


def _kubelet_version(text: str) -> tuple[int, int] | None:
    match = re.match(r"v(\d+)\.(\d+)", text or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def probe_pod(image: str) -> dict:
    """The smallest Pod with a native sidecar, admissible under every Pod Security level."""
    container = {"name": "probe", "image": image, "command": ["true"]}
    return restricted({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "native-sidecar-probe"},
                       "spec": {"initContainers": [dict(container, name="sidecar", restartPolicy="Always")],
                                "containers": [container]}})


def api_problem(core: client.CoreV1Api, namespace: str, image: str) -> str | None:
    """Why the API server would not create a native sidecar as written, or None."""
    try:
        created = core.create_namespaced_pod(namespace, probe_pod(image), dry_run="All")
    except client.ApiException as exc:
        if exc.status in (400, 422):
            return f"the API server refuses an init container with restartPolicy Always: {api_message(exc)}"
        raise
    if created.spec.init_containers[0].restart_policy != "Always":
        return ("the API server drops restartPolicy from init containers (feature gate SidecarContainers"
                " off): native sidecars would run as ordinary init containers")
    return None


def kubelet_problem(nodes: list[client.V1Node]) -> str | None:
    """Why some schedulable node's kubelet cannot run native sidecars, or None."""
    old = [f"{node.metadata.name} (kubelet {node.status.node_info.kubelet_version})" for node in nodes
           if not node.spec.unschedulable
           and (_kubelet_version(node.status.node_info.kubelet_version) or NATIVE_KUBELET) < NATIVE_KUBELET]
    if old:
        return (f"native sidecars need kubelet >= {NATIVE_KUBELET[0]}.{NATIVE_KUBELET[1]};"
                f" these nodes run older ones: {', '.join(old)}")
    return None


def nodes_problem(core: client.CoreV1Api) -> str | None:
    """Why some node of this cluster cannot run native sidecars, or None (nodes that may not be
    listed are not held against it)."""
    try:
        nodes = core.list_node().items
    except client.ApiException as exc:
        if exc.status == 403:
            return None
        raise
    return kubelet_problem(nodes)


def support(problem: str | None, api_refused: bool, server: str) -> NativeSupport:
    """NativeSupport of a cluster whose `server` version is given: an API server of 1.29 or later
    that refuses or drops a native sidecar breaks a promise (a kubelet older than the server, a
    skew Kubernetes allows, does not)."""
    promised = api_refused and (_kubelet_version(server) or (0, 0)) >= NATIVE_KUBELET
    return NativeSupport(problem, promised)


def ask_cluster(cluster: Cluster, server: str) -> NativeSupport:
    """Whether the cluster of API server version `server` runs native sidecars, asked once for a
    whole run in a namespace of its own (deleted after)."""
    probe = TestNamespace(cluster, "native-sidecar-gate")
    try:
        probe.wait_default_service_account()
        image = cluster.images.image("BUSYBOX_IMAGE")
        refused = api_problem(cluster.core, probe.name, image)
        return support(refused or nodes_problem(cluster.core), refused is not None, server)
    finally:
        probe.delete()
