"""What a caller needs to create the project's kind cluster (filled in by the build)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class KindRecipe:
    """Everything `kind create cluster` needs, already built or downloaded.

    kind_bin / kubectl_bin: executables to use (never pytest-kind's own download).
    node_image: image for `kind create cluster --image`.
    config_file: kind cluster config (host-specific patches already applied).
    images_to_load: test images to `kind load docker-image` after creation
        (empty when the cluster can pull them itself).
    offline: True when everything was built locally (no registry reachable).
    """

    kind_bin: Path
    kubectl_bin: Path
    node_image: str
    config_file: Path
    images_to_load: list[str] = field(default_factory=list)
    offline: bool = False
