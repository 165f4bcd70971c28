"""Pod Security Admission: the one transform that makes a Pod admissible under "restricted".

The manifests are written for the "baseline" level (root, the runtime's default
capabilities). Under "restricted" every Pod runs as nobody with the RuntimeDefault seccomp
profile, no privilege escalation and no capabilities; a scenario that needs more fails.
"""
from __future__ import annotations

import copy

RESTRICTED_POD = {"runAsNonRoot": True, "runAsUser": 65534, "runAsGroup": 65534,
                  "seccompProfile": {"type": "RuntimeDefault"}}
RESTRICTED_CONTAINER = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}


def restricted(template: dict) -> dict:
    """A copy of a Pod or pod template with the restricted level's security contexts added."""
    result = copy.deepcopy(template)
    spec = result["spec"]
    spec["securityContext"] = {**RESTRICTED_POD, **(spec.get("securityContext") or {})}
    for container in list(spec.get("initContainers") or []) + list(spec["containers"]):
        container["securityContext"] = {**RESTRICTED_CONTAINER, **(container.get("securityContext") or {})}
    return result
