"""CPU time of a kind cluster's node containers (API server, etcd, kubelet, containerd and
every Pod run inside them), from the Docker Engine API: cumulative, in seconds.
"""
from __future__ import annotations

import os

import httpx

from clusters.lookup import KIND_CLUSTER_LABEL

DOCKER_API_TIMEOUT = 10.0


def docker_socket() -> str:
    """The Docker daemon's unix socket: DOCKER_HOST when it names one, else the default."""
    host = os.environ.get("DOCKER_HOST", "")
    return host.removeprefix("unix://") if host.startswith("unix://") else "/var/run/docker.sock"


class NodeCpu:
    """Reads the summed CPU seconds of the node containers of one kind cluster."""

    def __init__(self, cluster: str):
        self.http = httpx.Client(transport=httpx.HTTPTransport(uds=docker_socket()), base_url="http://docker",
                                 timeout=DOCKER_API_TIMEOUT)
        label = f'{{"label":["{KIND_CLUSTER_LABEL}={cluster}"]}}'
        self.containers = [c["Id"] for c in self._get("/containers/json", filters=label)]
        if not self.containers:
            raise RuntimeError(f"no running node container of kind cluster {cluster!r}")

    def _get(self, path: str, **params: str):
        response = self.http.get(path, params=params)
        if response.status_code != 200:
            raise RuntimeError(f"Docker API GET {path}: HTTP {response.status_code} {response.text.strip()}")
        return response.json()

    def seconds(self) -> float:
        """CPU seconds the node containers have used since they started."""
        return sum(self._get(f"/containers/{c}/stats", stream="false", **{"one-shot": "true"})
                   ["cpu_stats"]["cpu_usage"]["total_usage"] for c in self.containers) / 1e9

    def close(self) -> None:
        self.http.close()
