"""What Kubernetes spends on this cluster per Pod, per container, per namespace, per exec and per
log read, and what a run made of each: together, how much of a run's cluster CPU is Kubernetes'
own cost of the objects and requests the run asked for.

Batches one after another, each measured as node CPU above the idle rate (bench.meter), in all
and by part of the node: BATCH Pods of one container that does nothing
(manifests/bench/bare-1.yaml), the same with three containers (bare-3.yaml), REQUESTS execs of
`true` and REQUESTS reads of a container's log (one bare Pod), BATCH empty namespaces. Pods are
created, made Ready, deleted and waited for until gone; so are namespaces. A run's Pods and
containers are the kubelets' own counters (kubelet_started_pods_total,
kubelet_started_containers_total); its namespaces, execs, log reads and port-forwards the API
server's (apiserver_request_total): kubectl's requests count as much as the client's.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from kubernetes import client

from helpers.kube import children, execs
from helpers.kube.diagnostics import container_logs
from helpers.kube.manifests import MANIFEST_DIR, load
from helpers.kube.namespace import delete_namespace, wait_default_service_account
from helpers.kube.pods import is_ready
from helpers.kube.timeouts import Timeout
from helpers.kube.waits import wait_until

from .meter import Cost, Meter, combine

BATCH = 10
REQUESTS = 20
CALIBRATION = Timeout("calibration batch Ready, or gone", 180, poll=0.5)
NAMESPACE_PREFIX = "bench-calibration"
METRICS_TIMEOUT = 30.0


def _server_count(verb: str, resource: str, subresource: str = "", code: str = "") -> re.Pattern:
    """apiserver_request_total samples of one verb on one (sub)resource, of any code or of `code`."""
    wanted = [f'verb="{verb}"', f'resource="{resource}"', f'subresource="{subresource}"'] + (
        [f'code="{code}"'] if code else [])
    return re.compile(r"^apiserver_request_total\{" + "".join(f"(?=[^}}]*{w})" for w in wanted) + r"[^}]*\} (\S+)$",
                      re.M)


KUBELET_COUNTERS = {  # what a run made: metric line pattern (last group: the value)
    "pods": re.compile(r"^kubelet_started_pods_total(\{[^}]*\})? (\S+)$", re.M),
    "containers": re.compile(r"^kubelet_started_containers_total\{[^}]*\} (\S+)$", re.M),
}
SERVER_COUNTERS = {
    "namespaces": _server_count("POST", "namespaces", code="201"),
    "execs": _server_count("CONNECT", "pods", "exec"),
    "log reads": _server_count("CONNECT", "pods", "log"),
    "port-forwards": _server_count("CONNECT", "pods", "portforward"),
}


@dataclass(frozen=True)
class PerObject:
    """Node CPU above idle Kubernetes spends on one Pod of one container, one more container, one
    namespace, one exec, one log read."""

    pod: Cost
    container: Cost
    namespace: Cost
    exec: Cost
    log_read: Cost

    def floor(self, made: dict[str, float]) -> Cost:
        """What the Pods, containers and namespaces a run made cost Kubernetes, at least."""
        return combine([(made["pods"], self.pod), (made["containers"] - made["pods"], self.container),
                        (made["namespaces"], self.namespace)])

    def requests(self, made: dict[str, float]) -> Cost:
        """What the execs and log reads a run made cost, at the price of the simplest of each."""
        return combine([(made["execs"], self.exec), (made["log reads"], self.log_read)])


def total(pattern: re.Pattern, text: str) -> float:
    """The sum of the metric samples `pattern` finds (its last group is the value)."""
    return sum(float(match.groups()[-1]) for match in pattern.finditer(text))


def made_so_far(core: client.CoreV1Api, kubectl: list[str]) -> dict[str, float]:
    """The cluster's counters of Pods and containers started, namespaces created, execs, log
    reads and port-forwards (`kubectl` is the command line that reaches the cluster)."""
    def metrics(path: str) -> str:
        return children.run([*kubectl, "get", "--raw", path], capture_output=True, text=True, check=True,
                            timeout=METRICS_TIMEOUT).stdout

    kubelets = "".join(metrics(f"/api/v1/nodes/{node.metadata.name}/proxy/metrics") for node in core.list_node().items)
    server = metrics("/metrics")
    return {**{what: total(pattern, kubelets) for what, pattern in KUBELET_COUNTERS.items()},
            **{what: total(pattern, server) for what, pattern in SERVER_COUNTERS.items()}}


def made_between(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {what: after[what] - before[what] for what in after}


def per_one(meter: Meter, count: int, action: Callable[[], None]) -> Cost:
    """What `action`, which makes or asks `count` of something, costs per one of them above idle."""
    return combine([(1 / count, meter.above_idle(action))])


def _listed(core: client.CoreV1Api, namespace: str) -> Callable[[], list[client.V1Pod]]:
    return lambda: core.list_namespaced_pod(namespace).items


def _ready(core: client.CoreV1Api, namespace: str, manifest: str, count: int) -> list[client.V1Pod]:
    """Create `count` Pods of a bench manifest and wait until all are Ready."""
    body = load(manifest, MANIFEST_DIR / "bench")[0]
    for _ in range(count):
        core.create_namespaced_pod(namespace, body)
    return wait_until(f"{count} Pods of {manifest} Ready", _listed(core, namespace),
                      lambda pods: sum(map(is_ready, pods)) == count, CALIBRATION,
                      show=lambda pods: f"{sum(map(is_ready, pods))} of {len(pods)} Ready")


def _gone_pods(core: client.CoreV1Api, namespace: str) -> None:
    core.delete_collection_namespaced_pod(namespace)
    wait_until(f"Pods of {namespace} gone", _listed(core, namespace), lambda pods: not pods, CALIBRATION,
               show=lambda pods: f"{len(pods)} left")


def _pods(core: client.CoreV1Api, namespace: str, manifest: str) -> None:
    _ready(core, namespace, manifest, BATCH)
    _gone_pods(core, namespace)


def _gone(core: client.CoreV1Api, names: list[str]) -> None:
    """Wait until none of namespaces `names` is left (bounded by CALIBRATION)."""
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


def _requests(core: client.CoreV1Api, meter: Meter, namespace: str) -> tuple[Cost, Cost]:
    """Per exec of `true`, and per read of a container's log, in one bare Pod."""
    pod = _ready(core, namespace, "bare-1.yaml", 1)[0].metadata.name

    def ask_execs() -> None:
        for _ in range(REQUESTS):
            execs.run(core.api_client, namespace, pod, "c1", ["true"])

    def read_logs() -> None:
        for _ in range(REQUESTS):
            container_logs(core, namespace, pod, "c1")

    costs = per_one(meter, REQUESTS, ask_execs), per_one(meter, REQUESTS, read_logs)
    _gone_pods(core, namespace)
    return costs


def calibrate(core: client.CoreV1Api, meter: Meter) -> PerObject:
    """Measure the batches; their namespace is deleted at the end, whatever happened."""
    home = f"{NAMESPACE_PREFIX}-pods"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=home)))
    try:
        wait_default_service_account(core, home)
        one = per_one(meter, BATCH, lambda: _pods(core, home, "bare-1.yaml"))
        three = per_one(meter, BATCH, lambda: _pods(core, home, "bare-3.yaml"))
        exec_, log_read = _requests(core, meter, home)
    finally:
        delete_namespace(core, home)
    _gone(core, [home])
    namespace = per_one(meter, BATCH, lambda: _namespaces(core))
    return PerObject(pod=one, container=combine([(0.5, three), (-0.5, one)]), namespace=namespace, exec=exec_,
                     log_read=log_read)
