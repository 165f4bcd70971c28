"""One look at a kind cluster's node containers: asked of Docker once per run."""
from __future__ import annotations

from dataclasses import dataclass

from .steps import output_of

KIND_CLUSTER_LABEL = "io.x-k8s.kind.cluster"
LOOKUP_TIMEOUT = 20


@dataclass(frozen=True)
class KindNodes:
    """The node containers Docker has for kind cluster `name`: container name -> running."""

    name: str
    running: dict[str, bool]

    @property
    def exist(self) -> bool:
        return bool(self.running)

    @property
    def stopped(self) -> bool:
        """Some node is not running: the host or dockerd restarted, the cluster cannot be reused."""
        return self.exist and not all(self.running.values())


def parse_nodes(name: str, listing: str) -> KindNodes:
    """KindNodes from `docker ps --format '{{.Names}}\\t{{.State}}'` output."""
    rows = (line.split("\t") for line in listing.splitlines() if line.strip())
    return KindNodes(name, {row[0]: row[-1].strip() == "running" for row in rows})


def look_up(name: str) -> KindNodes:
    """The node containers of kind cluster `name` (StepFailed when Docker does not answer)."""
    listing = output_of(["docker", "ps", "-a", "--filter", f"label={KIND_CLUSTER_LABEL}={name}",
                         "--format", "{{.Names}}\t{{.State}}"], timeout=LOOKUP_TIMEOUT)
    return parse_nodes(name, listing)
