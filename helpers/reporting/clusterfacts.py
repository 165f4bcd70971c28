"""What a run's report says about the cluster: versions, nodes and the kind node image."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from kubernetes import client

from helpers.reporting import kindnodes

IN_CLUSTER_ROW = ("a Pod of this cluster: Pods' ports reached at their IPs; failure evidence without"
                  " `kubectl describe` and node runtime logs (the API's events, statuses and logs only)")


@dataclass(frozen=True)
class NodeFacts:
    """One node, as its status reports it (and, for kind, the image of its container)."""

    name: str
    kubelet: str
    runtime: str
    os_image: str
    kind_image: str | None = None

    def describe(self) -> str:
        """One line: name, kubelet, container runtime, OS."""
        return f"{self.name} (kubelet {self.kubelet}, {self.runtime}, {self.os_image})"


@dataclass(frozen=True)
class ClusterFacts:
    """The server version, the tools the run used, and the nodes."""

    server: str
    tools: dict[str, str]
    context: str | None = None
    nodes: list[NodeFacts] = field(default_factory=list)
    note: str = ""  # why the nodes or their images are not known
    native_sidecars: str = "not asked"  # "supported", or why the native style is skipped
    in_cluster: bool = False  # the run's tests ran in a Pod of this cluster


    def kind_images(self) -> list[str]:
        """The distinct images of kind node containers."""
        return sorted({node.kind_image for node in self.nodes if node.kind_image})

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs for the report's cluster table."""
        rows = [("Kubernetes server", self.server)]
        if self.context:
            rows.append(("Context", self.context))
        images = self.kind_images()
        rows.append(("kind node image", ", ".join(images) if images else
                     "not read (an in-cluster run has no Docker)" if self.in_cluster else "none (not a kind cluster)"))
        nodes = "; ".join(node.describe() for node in self.nodes)
        rows.append((f"Nodes ({len(self.nodes)})", nodes or "unknown"))
        rows.append(("Tools", ", ".join(f"{tool} {version}" for tool, version in self.tools.items())))
        rows.append(("Native sidecars", self.native_sidecars))
        if self.in_cluster:
            rows.append(("Run from", IN_CLUSTER_ROW))
        if self.note:
            rows.append(("Note", self.note))
        return rows

    def to_dict(self) -> dict:
        """Plain data for summary.json."""
        return asdict(self)


def node_facts(node: client.V1Node, in_cluster: bool = False) -> tuple[NodeFacts, str]:
    """Facts of one node, and why its kind image is unknown (or ""); an in-cluster run has no
    Docker to ask for it."""
    info = node.status.node_info
    container = kindnodes.container_of(node.spec.provider_id)
    image, note = None, ""
    if container and not in_cluster:
        try:
            image = kindnodes.node_image(container)
        except RuntimeError as exc:
            note = f"kind node {container}: image unknown ({exc})"
    return NodeFacts(node.metadata.name, info.kubelet_version, info.container_runtime_version,
                     info.os_image, image), note


def read_facts(core: client.CoreV1Api, server: str, tools: dict[str, str], context: str | None,
               in_cluster: bool = False) -> ClusterFacts:
    """The cluster's facts; nodes the run may not list are a note, not an error."""
    try:
        items = core.list_node().items
    except client.ApiException as exc:
        return ClusterFacts(server, tools, context, note=f"nodes not listed: {exc.status} {exc.reason}",
                            in_cluster=in_cluster)
    found = [node_facts(node, in_cluster) for node in items]
    notes = "; ".join(note for _, note in found if note)
    return ClusterFacts(server, tools, context, [facts for facts, _ in found], notes, in_cluster=in_cluster)
