"""Is a container registry reachable? Decided explicitly and within seconds."""
from __future__ import annotations

import functools
import os

from helpers.pins import pin

from .steps import succeeds

PROBE_TIMEOUT = 15
OVERRIDE = "SIDECAR_CONFORMANCE_OFFLINE"  # "1": build locally, "0": use stock kind images


@functools.cache  # asked by the host checks and by prepare_kind: the probe takes ~1 s when offline
def registry_reachable() -> bool:
    """True when the pinned stock node image's manifest can be read (or OVERRIDE=0 says so).

    `docker manifest inspect` asks the registry for one small manifest with docker's own
    configuration (proxies, mirrors, credentials); with no route it fails at once.
    """
    forced = os.environ.get(OVERRIDE, "").strip()
    if forced in ("0", "1"):
        return forced == "0"
    return succeeds(["docker", "manifest", "inspect", pin("ONLINE_NODE_IMAGE")], timeout=PROBE_TIMEOUT)
