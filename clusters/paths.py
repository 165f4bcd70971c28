"""Where the build keeps its artifacts: a cache keyed by version, outside the work tree."""
from __future__ import annotations

import os
from pathlib import Path

from helpers.pins import REPO_ROOT, pin

CACHE_ROOT = Path(os.environ.get("SIDECAR_CONFORMANCE_CACHE", Path.home() / ".cache" / "sidecar-conformance"))
LOG_DIR = CACHE_ROOT / "logs"
# What `make cluster` hands to users: the kubeconfig and the tools it was made with.
STATE_DIR = REPO_ROOT / ".cluster"
KUBECONFIG = STATE_DIR / "kubeconfig"
OFFLINE_DIR = REPO_ROOT / "clusters" / "offline"


def versioned(kind: str, version: str) -> Path:
    """Cache folder for one artifact family at one version, e.g. versioned('kubernetes', 'v1.34.11')."""
    path = CACHE_ROOT / f"{kind}-{version}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def kubeconfig_of(cluster: str) -> Path:
    """The kubeconfig of kind cluster `cluster`, in `.cluster/` (KUBECONFIG for the pinned name)."""
    return KUBECONFIG if cluster == pin("CLUSTER_NAME") else STATE_DIR / f"kubeconfig-{cluster}"
