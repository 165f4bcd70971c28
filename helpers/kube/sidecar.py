"""Sidecar styles. Manifests are written classic; `to_native` is the only conversion."""
from __future__ import annotations

import copy

SIDECARS_ANNOTATION = "sidecar-conformance/sidecars"
STYLES = ("classic", "native")


def sidecar_names(template: dict) -> list[str]:
    """Names listed (comma-separated) in the sidecars annotation of a Pod or pod template."""
    annotations = (template.get("metadata") or {}).get("annotations") or {}
    value = annotations.get(SIDECARS_ANNOTATION, "")
    return [name.strip() for name in value.split(",") if name.strip()]


def to_native(template: dict) -> dict:
    """Return a copy of a Pod or pod template whose annotated sidecars are native.

    Each sidecar container moves from `containers` to the end of `initContainers` (so
    after any ordinary init container) with `restartPolicy: Always`.
    """
    result = copy.deepcopy(template)
    names = sidecar_names(result)
    if not names:
        raise ValueError(f"no {SIDECARS_ANNOTATION} annotation to make native")
    spec = result["spec"]
    containers = spec["containers"]
    unknown = set(names) - {c["name"] for c in containers}
    if unknown:
        raise ValueError(f"sidecars {sorted(unknown)} are not among the Pod's containers")
    spec["containers"] = [c for c in containers if c["name"] not in names]
    if not spec["containers"]:
        raise ValueError("a Pod needs at least one container that is not a sidecar")
    moved = [dict(c, restartPolicy="Always") for c in containers if c["name"] in names]
    spec["initContainers"] = list(spec.get("initContainers") or []) + moved
    return result
