"""What Kubernetes spends on this cluster per Pod, per container and per namespace, and what a
run made of each: together, the part of a run's cluster CPU that is Kubernetes' own.

Three batches of BATCH, one after another, each measured as node CPU above the idle rate:
Pods of one container that does nothing (manifests/bench/bare-1.yaml), the same with three
containers (bare-3.yaml), empty namespaces. Each is created, made Ready (Pods) and deleted,
and waited for until gone. A run's Pods and containers are the kubelets' own counters
(kubelet_started_pods_total, kubelet_started_containers_total), its namespaces the API
server's count of namespaces created (apiserver_request_total).
"""
from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

from kubernetes import client

from kube.manifests import MANIFEST_DIR, load
from kube.namespace import delete_namespace, wait_default_service_account
from kube.pods import is_ready
from kube.timeouts import Timeout
from kube.waits import wait_until

from .nodecpu import NodeCpu

BATCH = 10
CALIBRATION = Timeout("calibration batch Ready, or gone", 180, poll=0.5)
NAMESPACE_PREFIX = "bench-calibration"
METRICS_TIMEOUT = 30.0
COUNTERS = {  # what a run made: metric line prefix -> count
    "pods": re.compile(r"^kubelet_started_pods_total(\{[^}]*\})? (\S+)$", re.M),
    "containers": re.compile(r"^kubelet_started_containers_total\{[^}]*\} (\S+)$", re.M),
    "namespaces": re.compile(r'^apiserver_request_total\{(?=[^}]*code="201")(?=[^}]*resource="namespaces")'
                             r'(?=[^}]*verb="POST")[^}]*\} (\S+)$', re.M),
}


@dataclass(frozen=True)
class PerObject:
    """Node CPU seconds above idle Kubernetes spends on one Pod, one more container, one namespace."""

    pod_s: float
    container_s: float
    namespace_s: float

    def floor(self, made: dict[str, float]) -> float:
        """What a run that made these Pods, containers and namespaces costs Kubernetes, at least."""
        return (made["pods"] * (self.pod_s - self.container_s) + made["containers"] * self.container_s
                + made["namespaces"] * self.namespace_s)


def total(pattern: re.Pattern, text: str) -> float:
    """The sum of the metric samples `pattern` finds (its last group is the value)."""
    return sum(float(match.groups()[-1]) for match in pattern.finditer(text))


def made_so_far(core: client.CoreV1Api, kubectl: list[str]) -> dict[str, float]:
    """The cluster's counters of Pods and containers started and namespaces created
    (`kubectl` is the command line that reaches the cluster)."""
    def metrics(path: str) -> str:
        return subprocess.run([*kubectl, "get", "--raw", path], capture_output=True, text=True, check=True,
                              timeout=METRICS_TIMEOUT).stdout

    kubelets = "".join(metrics(f"/api/v1/nodes/{node.metadata.name}/proxy/metrics") for node in core.list_node().items)
    server = metrics("/metrics")
    return {"pods": total(COUNTERS["pods"], kubelets), "containers": total(COUNTERS["containers"], kubelets),
            "namespaces": total(COUNTERS["namespaces"], server)}


def made_between(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {what: after[what] - before[what] for what in after}


def _cost(nodes: NodeCpu, idle_per_s: float, action: Callable[[], None]) -> float:
    """Node CPU above idle of `action`, per object of its batch."""
    before, started = nodes.seconds(), time.monotonic()
    action()
    return (nodes.seconds() - before - idle_per_s * (time.monotonic() - started)) / BATCH


def _pods(core: client.CoreV1Api, namespace: str, manifest: str) -> None:
    body = load(manifest, MANIFEST_DIR / "bench")[0]
    for _ in range(BATCH):
        core.create_namespaced_pod(namespace, body)

    def listed() -> list[client.V1Pod]:
        return core.list_namespaced_pod(namespace).items

    wait_until(f"{BATCH} Pods of {manifest} Ready", listed, lambda pods: sum(map(is_ready, pods)) == BATCH,
               CALIBRATION, show=lambda pods: f"{sum(map(is_ready, pods))} of {len(pods)} Ready")
    core.delete_collection_namespaced_pod(namespace)
    wait_until(f"Pods of {manifest} gone", listed, lambda pods: not pods, CALIBRATION,
               show=lambda pods: f"{len(pods)} left")


def _gone(core: client.CoreV1Api, names: list[str]) -> None:
    def left() -> list[str]:
        return [ns.metadata.name for ns in core.list_namespace().items if ns.metadata.name in names]

    wait_until(f"namespaces {', '.join(names)} gone", left, lambda found: not found, CALIBRATION, show=str)


def _namespaces(core: client.CoreV1Api) -> None:
    names = [f"{NAMESPACE_PREFIX}-ns-{i}" for i in range(BATCH)]
    for name in names:
        core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    for name in names:
        core.delete_namespace(name)
    _gone(core, names)


def calibrate(core: client.CoreV1Api, nodes: NodeCpu, idle_per_s: float) -> PerObject:
    """Measure the three batches; their namespace is deleted at the end, whatever happened."""
    home = f"{NAMESPACE_PREFIX}-pods"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=home)))
    try:
        wait_default_service_account(core, home)
        one = _cost(nodes, idle_per_s, lambda: _pods(core, home, "bare-1.yaml"))
        three = _cost(nodes, idle_per_s, lambda: _pods(core, home, "bare-3.yaml"))
    finally:
        delete_namespace(core, home)
    _gone(core, [home])
    namespace = _cost(nodes, idle_per_s, lambda: _namespaces(core))
    return PerObject(pod_s=one, container_s=(three - one) / 2, namespace_s=namespace)
