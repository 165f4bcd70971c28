"""The cluster a run talks to: where it is (ClusterTarget) and a client for it (Cluster)."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import cached_property

from kubernetes import client, config

from helpers.kube.images import ImageMap

PORT_FORWARD = "port-forward"  # from outside the cluster: kubectl port-forward to a Pod's port
POD_IP = "pod-ip"  # from a Pod of the cluster (an in-cluster run): the Pod's IP directly
REACHES = (PORT_FORWARD, POD_IP)


@dataclass(frozen=True)
class ClusterTarget:
    """How to reach the run's cluster; passed from the xdist controller to its workers."""

    kubeconfig: str
    context: str | None
    kubectl: str | None  # None: a run without kubectl (in-cluster): no port-forward, no `kubectl describe`
    run_id: str
    kind_name: str | None = None  # a kind cluster this run created or reused
    kind_bin: str | None = None
    delete_at_end: bool = False  # this run created the kind cluster and must delete it
    owner: str = ""  # "host/pid" of the process that opened the session (tells dead runs from live ones)
    reach: str = PORT_FORWARD  # how the tests reach a Pod's port (REACHES)

    @property
    def in_cluster(self) -> bool:
        """The run's tests run in a Pod of the cluster they test (no node runtime, no kubectl)."""
        return self.reach == POD_IP

    def to_dict(self) -> dict:
        """Plain data for `workerinput`."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ClusterTarget:
        """The inverse of to_dict."""
        return cls(**data)

    def kubectl_flags(self) -> list[str]:
        """kubectl flags selecting this cluster."""
        return ["--kubeconfig", self.kubeconfig] + (["--context", self.context] if self.context else [])


def api_client(target: ClusterTarget) -> client.ApiClient:
    """A new API client for the target's kubeconfig and context."""
    return config.new_client_from_config(target.kubeconfig, target.context, persist_config=False)


def parse_git_version(text: str) -> tuple[int, int]:
    """(major, minor) of a version like "v1.34.11" (or "v1.34.11-gke.1")."""
    match = re.match(r"v(\d+)\.(\d+)", text or "")
    if not match:
        raise ValueError(f"cannot read a version from {text!r}")
    return int(match.group(1)), int(match.group(2))


def parse_version(info: client.VersionInfo) -> tuple[int, int]:
    """(major, minor) of a server version; tolerates minors like "29+"."""
    minor = re.match(r"\d+", info.minor or "")
    if info.major and minor:
        return int(info.major), int(minor.group())
    return parse_git_version(info.git_version)


class Cluster:
    """One process's view of the run's cluster: clients, version, images, run id."""

    def __init__(self, target: ClusterTarget, images: ImageMap):
        self.target = target
        self.images = images
        self.api = api_client(target)
        self.core = client.CoreV1Api(self.api)
        self.batch = client.BatchV1Api(self.api)

    @cached_property
    def version_info(self) -> client.VersionInfo:
        """The server's version as it reports it."""
        return client.VersionApi(self.api).get_code()

    @property
    def version(self) -> tuple[int, int]:
        """(major, minor) of the server."""
        return parse_version(self.version_info)
