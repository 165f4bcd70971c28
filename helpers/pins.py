"""The pinned versions of versions.env and where the repository is: shared by the cluster build and the suites."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VERSIONS_FILE = REPO_ROOT / "clusters" / "versions.env"
OVERRIDE_PREFIX = "SIDECAR_CONFORMANCE_"


def parse_env_file(text: str) -> dict[str, str]:
    """Parse KEY=value lines; blank lines and # comments are skipped."""
    pins = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"versions.env line {number}: expected KEY=value, got {raw!r}")
        pins[key.strip()] = value.strip()
    return pins


@lru_cache(maxsize=1)
def pins() -> dict[str, str]:
    """All pins of versions.env; SIDECAR_CONFORMANCE_<KEY> in the environment overrides a pin
    (the nightly matrix picks KIND_VERSION, KUBERNETES_VERSION and ONLINE_NODE_IMAGE so)."""
    pinned = parse_env_file(VERSIONS_FILE.read_text())
    return {key: os.environ.get(OVERRIDE_PREFIX + key) or value for key, value in pinned.items()}


def pin(key: str) -> str:
    """One pin; a missing key is a clear error naming the file."""
    try:
        return pins()[key]
    except KeyError:
        raise KeyError(f"{key} is not set in {VERSIONS_FILE}") from None


def suite_images() -> list[str]:
    """The images the manifests name (every *_IMAGE pin except the node images)."""
    return [v for k, v in pins().items() if k.endswith("_IMAGE") and "NODE" not in k]
