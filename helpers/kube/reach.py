"""How a test reaches a Pod's port: through `kubectl port-forward` from outside the cluster, or
from a Pod of the cluster (an in-cluster run) straight to the Pod's IP, or, for a port the Pod
listens on only on its loopback, from one of the Pod's own containers."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from kubernetes import client

from helpers.kube import observers
from helpers.kube.cluster import ClusterTarget
from helpers.kube.execport import ExecTransport
from helpers.kube.portforward import port_forward


@dataclass(frozen=True)
class DirectPort:
    """A Pod's port at its IP, or on its loopback through `transport`: nothing in between that
    could end."""

    url: str
    transport: httpx.BaseTransport | None = None

    def ended(self) -> str | None:
        """Never ended: there is no forward to lose."""
        return None


def pod_url(ip: str, port: int) -> str:
    """http://<ip>:<port>, brackets around an IPv6 address."""
    host = f"[{ip}]" if ":" in ip else ip
    return f"http://{host}:{port}"


@contextmanager
def reach(target: ClusterTarget, api: client.ApiClient, namespace: str, pod: str, pod_ip: Callable[[], str | None],
          port: int, context: Callable[[], str], loopback_via: str | None = None):
    """For the block: something with `url` (the port's base URL), `transport` (the httpx transport
    to use, None for the default) and `ended()` (why it no longer works, or None), by the run's
    reach (ClusterTarget.reach). `loopback_via`: the container to ask from, in an in-cluster run,
    when the port listens only on the Pod's loopback."""
    if not target.in_cluster:
        with port_forward(target, namespace, pod, port, context) as forward:
            yield forward
        return
    if loopback_via:
        observers.tell(observers.POD_IP, namespace, pod=pod, port=port, ip=f"127.0.0.1 via {loopback_via}")
        yield DirectPort(pod_url("127.0.0.1", port), ExecTransport(api, namespace, pod, loopback_via, port))
        return
    ip = pod_ip()
    if not ip:
        raise AssertionError(f"{namespace}/{pod} has no IP to reach port {port} at\n{context()}")
    observers.tell(observers.POD_IP, namespace, pod=pod, port=port, ip=ip)
    yield DirectPort(pod_url(ip, port))
