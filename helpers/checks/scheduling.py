"""Scheduling and quotas: a Pod's effective request counts its sidecars as KEP-753 says, and
the scheduler counts a sidecar's hostPort.

Reference: KEP-753 "Resources calculation for scheduling and pod admission"
(k8s.io/component-helpers resource.PodRequests); kubernetes/kubernetes#132037 (hostPorts of
native sidecars), fixed by #132040.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from kubernetes import client
from kubernetes.utils import parse_quantity

from helpers.checks.failure import Behaviour, precondition
from helpers.kube.manifests import containers, only_on_node, pod_template
from helpers.kube.pods import is_ready, terminal_state
from helpers.kube.timeouts import Timeout
from helpers.kube.waits import wait_until

# its timeouts and tolerances (generic ones: helpers/kube/timeouts.py)
# A new quota is counted by the quota controller at once (its first sync).
QUOTA_COUNTED = Timeout("ResourceQuota status counts the namespace's Pods", 20, poll=0.5)
# Each test asks for host ports of its own (checks.scheduling); one left held by an earlier
# run's Pod is waited for: the scheduler places a Pod as soon as it is freed.
HOST_PORT_FREE = Timeout("hostport-demo scheduled and Ready (its hostPort free on the node)", 120)
# The scheduler decides about a Pod within a scheduling cycle; a port held by another test's
# Pod is waited out.
CONTENDER_DECIDED = Timeout("the scheduler places the second Pod, or says only hostport-demo holds the port", 120,
                            poll=0.5)


SCHEDULING = Behaviour("scheduling")
# its checks, each named once: the check raises with it, its negative controls expect it
QUOTA_COUNTS_EFFECTIVE_REQUESTS = SCHEDULING.check("quota counts effective requests")
SIDECAR_HOSTPORT_BLOCKS_ANOTHER_POD = SCHEDULING.check("sidecar hostPort blocks another Pod")
QUOTA = "sidecar-quota"
REQUESTS_POD = "requests-demo"
HOSTPORT_POD, CONTENDER = "hostport-demo", "hostport-contender"
MANIFEST_PORT = 19080  # the hostPort manifests/scheduling/scheduling.yaml and scheduling-contender.yaml ask for
# Each test asks for ports of its own (a Pod of another test holding the port would decide
# its contest): the manifests' ports are moved to these bases, by the test's kind and style.
SUITE_PORTS = {"classic": 19080, "native": 19082}
CONTROL_PORTS = {"classic": 19084, "native": 19086}
FREE_PORTS = "free ports"  # the NodePorts plugin: "node(s) didn't have free ports for the requested pod ports"
QUOTA_RESOURCES = ("cpu", "memory")


Requests = dict[str, Decimal]


# --- effective requests (KEP-753) ---------------------------------------------------------
def container_requests(container: Mapping) -> Requests:
    """A container's resource requests as numbers (cores, bytes...)."""
    requests = ((container.get("resources") or {}).get("requests")) or {}
    return {name: parse_quantity(value) for name, value in requests.items()}


def _add(total: Requests, more: Requests) -> Requests:
    return {name: total.get(name, Decimal(0)) + more.get(name, Decimal(0)) for name in {*total, *more}}


def _max(first: Requests, second: Requests) -> Requests:
    return {name: max(first.get(name, Decimal(0)), second.get(name, Decimal(0))) for name in {*first, *second}}


def _total(containers: Iterable[Mapping]) -> Requests:
    total: Requests = {}
    for container in containers:
        total = _add(total, container_requests(container))
    return total


def _overhead(spec: Mapping) -> Requests:
    """The Pod's overhead (set from its RuntimeClass at admission)."""
    return {name: parse_quantity(value) for name, value in (spec.get("overhead") or {}).items()}


def is_sidecar(container: Mapping) -> bool:
    """An init container with restartPolicy Always: a native sidecar."""
    return container.get("restartPolicy") == "Always"


def effective_requests(spec: Mapping) -> Requests:
    """The Pod's effective requests as KEP-753 defines them (a Pod spec, API field names):

    max( max over init containers i that are not sidecars of (i + the sidecars before i),
         sum(sidecars) + sum(containers) ) + overhead.

    A classic sidecar is one of `containers`: then it is max(max(init), sum(containers)).
    """
    running = _total(spec.get("containers") or [])
    sidecars: Requests = {}
    init_peak: Requests = {}
    for container in spec.get("initContainers") or []:
        if is_sidecar(container):
            sidecars = _add(sidecars, container_requests(container))
            running = _add(running, container_requests(container))
            init_peak = _max(init_peak, sidecars)
        else:
            init_peak = _max(init_peak, _add(container_requests(container), sidecars))
    return _add(_max(running, init_peak), _overhead(spec))


def requests_before_sidecars(spec: Mapping) -> Requests:
    """What a cluster unaware of sidecars would count (before KEP-753): every init container,
    native sidecars included, alone: max(max(init), sum(containers)). Negative controls only."""
    init_peak: Requests = {}
    for container in spec.get("initContainers") or []:
        init_peak = _max(init_peak, container_requests(container))
    return _add(_max(_total(spec.get("containers") or []), init_peak), _overhead(spec))


def requests_summed(spec: Mapping) -> Requests:
    """Every container's requests added up, init containers included (a wrong count). Negative
    controls only."""
    return _total([*(spec.get("initContainers") or []), *(spec.get("containers") or [])])


def pod_spec(namespace, name: str) -> dict:
    """Pod `name`'s spec as the API stored it (defaults and admission included), API field names."""
    return namespace.cluster.api.sanitize_for_serialization(namespace.pod(name).read())["spec"]


def sent_spec(namespace, docs: list[dict], name: str) -> dict:
    """Pod `name`'s spec as the test sent it (`docs`, from TestNamespace.deploy), with the overhead
    the API set from its RuntimeClass: what to expect is computed from what was asked for, not
    from the cluster's own copy (a cluster that dropped a sidecar's restartPolicy would agree
    with itself)."""
    spec = next(doc["spec"] for doc in docs if doc.get("kind") == "Pod" and doc["metadata"]["name"] == name)
    overhead = pod_spec(namespace, name).get("overhead")
    return {**spec, "overhead": overhead} if overhead else spec


def show(requests: Requests) -> str:
    """{"cpu": Decimal("0.25"), "memory": ...} -> "cpu 250m, memory 96Mi"."""
    def quantity(name: str, value: Decimal) -> str:
        if name == "cpu":
            return f"{(value * 1000).normalize():f}m"
        if name == "memory" and value % (1 << 20) == 0:
            return f"{(value / (1 << 20)).normalize():f}Mi"
        return f"{value.normalize():f}"

    return ", ".join(f"{name} {quantity(name, requests[name])}" for name in sorted(requests))


# --- the quota ----------------------------------------------------------------------------
def quota_usage(namespace) -> client.V1ResourceQuota:
    return namespace.cluster.core.read_namespaced_resource_quota(QUOTA, namespace.name)


def quota_counted(quota: client.V1ResourceQuota) -> bool:
    """The quota's controller has filled in its use of every resource the scenario asks about."""
    used = quota.status and quota.status.used or {}
    return all(f"requests.{name}" in used for name in QUOTA_RESOURCES) and "pods" in used


def remake_quota(namespace, quota: client.V1ResourceQuota) -> None:
    """Delete the quota and create it again (a ResourceQuota has no finalizer: gone at once)."""
    core = namespace.cluster.core
    core.delete_namespaced_resource_quota(QUOTA, namespace.name)
    core.create_namespaced_resource_quota(namespace.name, client.V1ResourceQuota(
        metadata=client.V1ObjectMeta(name=QUOTA, labels=quota.metadata.labels), spec=quota.spec))


def wait_quota_counted(namespace) -> client.V1ResourceQuota:
    """The quota once its controller has counted the namespace's Pod.

    The first count of a new quota reads the controller's cache of Pods, which can lack a Pod
    created a moment before (seen under load: "pods: 0"); that Pod is then counted only at the
    next full recount, 5 min by default, because a Pod's creation is charged by quota admission,
    not replenished. Such a quota is made again, for a new first count, within QUOTA_COUNTED.
    """
    def look() -> client.V1ResourceQuota:
        quota = quota_usage(namespace)
        if quota_counted(quota) and quota.status.used["pods"] == "0":
            remake_quota(namespace, quota)
        return quota

    return wait_until(f"ResourceQuota {QUOTA} to count the Pod of {namespace.name}", look,
                      lambda quota: quota_counted(quota) and quota.status.used["pods"] != "0", QUOTA_COUNTED,
                      namespace.evidence, show=lambda quota: repr(quota.status))


def assert_quota_counts_effective_requests(quota: client.V1ResourceQuota, expected: Requests) -> None:
    """The quota's `used` requests are `expected` (the Pod's effective requests)."""
    used = quota.status.used
    precondition(used.get("pods") == "1", f"ResourceQuota {QUOTA} counts {REQUESTS_POD}, the namespace's one Pod"
                 f" (used pods: {used.get('pods')}; a Pod created during the quota's first count is only counted"
                 " at its next full recount)")
    counted = {name: parse_quantity(used[f"requests.{name}"]) for name in QUOTA_RESOURCES}
    wanted = {name: expected.get(name, Decimal(0)) for name in QUOTA_RESOURCES}
    SCHEDULING.require(counted == wanted, QUOTA_COUNTS_EFFECTIVE_REQUESTS,
                       f"ResourceQuota {QUOTA} to count {REQUESTS_POD}'s effective requests: {show(wanted)}",
                       f"used {show(counted)}")


# --- the hostPort -------------------------------------------------------------------------
def scheduled(pod: client.V1Pod) -> bool:
    return bool(pod.spec.node_name)


def unschedulable_message(pod: client.V1Pod) -> str | None:
    """The scheduler's message when it found no node for the Pod, else None."""
    for condition in pod.status.conditions or []:
        if condition.type == "PodScheduled" and condition.status == "False" and condition.reason == "Unschedulable":
            return condition.message or ""
    return None


def waits_for_a_port(pod: client.V1Pod) -> str | None:
    """terminal_state, except that a Pod waiting for a host port is not given up on."""
    message = unschedulable_message(pod)
    return None if message is not None and FREE_PORTS in message else terminal_state(pod)


def declared_host_ports(pod: client.V1Pod) -> set[int]:
    """Host ports of the Pod's regular containers and native sidecars."""
    containers = list(pod.spec.containers) + [c for c in pod.spec.init_containers or [] if c.restart_policy == "Always"]
    return {port.host_port for c in containers for port in c.ports or [] if port.host_port}


def ports_of_this_test(base: int, node: str | None = None):
    """An edit for TestNamespace.deploy: each hostPort moved from MANIFEST_PORT + k to `base` + k;
    with `node`, the Pod may be scheduled to that node only (the scheduler still decides)."""
    def edit(doc: dict) -> None:
        template = pod_template(doc)
        if template is None:
            return
        for container in containers(template):
            for port in container.get("ports") or []:
                if port.get("hostPort"):
                    port["hostPort"] = base + port["hostPort"] - MANIFEST_PORT
        if node:
            only_on_node(node)(doc)

    return edit


@dataclass(frozen=True)
class Contest:
    """The second Pod as the scheduler left it, and who holds the host port on the node."""

    contender: client.V1Pod
    port: int
    holders: tuple[str, ...]  # namespace/name of the Pods on the node that declare the port

    @property
    def message(self) -> str | None:
        return unschedulable_message(self.contender)

    def __repr__(self) -> str:
        where = f"scheduled to {self.contender.spec.node_name}" if scheduled(self.contender) else \
            f"Pending: {self.message!r}"
        return f"{CONTENDER} {where}; hostPort {self.port} held by {list(self.holders) or 'nobody'}"


def deploy_port_holder(namespace, style: str, base: int, overlay: str | None = None):
    """hostport-demo with its host ports moved to `base`, Ready (so its sidecar holds the host
    port); return it and its node."""
    namespace.deploy("scheduling/scheduling.yaml", style, overlay, edit=ports_of_this_test(base))
    pod = namespace.pod(HOSTPORT_POD)
    ready = pod.wait_for("scheduled and Ready", is_ready, HOST_PORT_FREE, terminal=waits_for_a_port)
    return pod, ready.spec.node_name


def contest(namespace, node: str, port: int) -> Contest:
    contender = namespace.pod(CONTENDER).read()  # first: once scheduled, it is among the holders
    pods = namespace.cluster.core.list_pod_for_all_namespaces(field_selector=f"spec.nodeName={node}").items
    holders = tuple(sorted(f"{p.metadata.namespace}/{p.metadata.name}" for p in pods
                           if p.status.phase not in ("Succeeded", "Failed") and port in declared_host_ports(p)))
    return Contest(contender, port, holders)


def wait_contest_decided(namespace, style: str, node: str, base: int) -> Contest:
    """Create the second Pod, asking for host port `base` on `node` only; wait until it is
    scheduled, or Unschedulable for want of a free port while hostport-demo alone holds that
    port on the node (a Pod of another test holding it is waited out: it says nothing about
    this Pod's sidecar)."""
    namespace.deploy("scheduling/scheduling-contender.yaml", style, edit=ports_of_this_test(base, node))
    ours = f"{namespace.name}/{HOSTPORT_POD}"

    def decided(look: Contest) -> bool:
        return scheduled(look.contender) or (FREE_PORTS in (look.message or "") and look.holders == (ours,))

    with SCHEDULING.waiting(SIDECAR_HOSTPORT_BLOCKS_ANOTHER_POD):
        return wait_until(f"the scheduler's decision about {CONTENDER}", lambda: contest(namespace, node, base),
                          decided, CONTENDER_DECIDED, namespace.evidence,
                          terminal=lambda look: waits_for_a_port(look.contender))


def assert_port_blocks_contender(look: Contest) -> None:
    """The second Pod stays Pending: the scheduler says the node has no free port for it."""
    SCHEDULING.require(not scheduled(look.contender) and FREE_PORTS in (look.message or ""),
                       SIDECAR_HOSTPORT_BLOCKS_ANOTHER_POD,
                       f"{CONTENDER} Unschedulable, the node's hostPort {look.port} held by {HOSTPORT_POD}'s"
                       " sidecar (scheduler: \"didn't have free ports\")", look)
