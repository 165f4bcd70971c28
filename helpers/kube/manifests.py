"""Scenario manifests: plain YAML in manifests/, prepared for one test."""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml

from helpers.kube.images import ImageMap
from helpers.kube.podsecurity import restricted
from helpers.kube.sidecar import STYLES, sidecar_names, to_native

MANIFEST_DIR = Path(__file__).resolve().parents[2] / "manifests"  # the repository's manifests/
WORKLOAD_KINDS = ("Job", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")


def load(name: str, directory: Path = MANIFEST_DIR) -> list[dict]:
    """All documents of manifests/<name>."""
    with (directory / name).open() as stream:
        return [doc for doc in yaml.safe_load_all(stream) if doc]


def overlay(docs: list[dict], replacements: list[dict]) -> list[dict]:
    """`docs` with each replacement in place of the document of its kind and name (or appended)."""
    def key(doc: dict) -> tuple[str, str]:
        return doc.get("kind"), doc["metadata"]["name"]

    pending = {key(doc): doc for doc in replacements}
    return [pending.pop(key(doc), doc) for doc in docs] + list(pending.values())


def pod_template(doc: dict) -> dict | None:
    """The Pod itself, a workload's pod template, or None for other kinds."""
    if doc.get("kind") == "Pod":
        return doc
    if doc.get("kind") in WORKLOAD_KINDS:
        return doc["spec"]["template"]
    return None


def _replace_template(doc: dict, change: Callable[[dict], dict]) -> dict:
    if doc.get("kind") == "Pod":
        return change(doc)
    doc["spec"]["template"] = change(doc["spec"]["template"])
    return doc


def containers(template: dict) -> Iterator[dict]:
    """Every container of a Pod or pod template, init containers first."""
    spec = template["spec"]
    yield from spec.get("initContainers") or []
    yield from spec.get("containers") or []


def only_on_node(node: str) -> Callable[[dict], None]:
    """An edit for TestNamespace.deploy: every Pod may be scheduled to `node` only (required
    node affinity on its name; the scheduler still decides)."""
    def edit(doc: dict) -> None:
        template = pod_template(doc)
        if template is not None:
            template["spec"]["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}}}

    return edit


def written_native(template: dict) -> list[str]:
    """The init containers of a Pod or pod template written as native sidecars (restartPolicy Always)."""
    return [c["name"] for c in template["spec"].get("initContainers") or [] if c.get("restartPolicy") == "Always"]


def prepare(docs: list[dict], style: str, images: ImageMap, pod_security: str = "baseline") -> list[dict]:
    """Copies of `docs` with images resolved, sidecars in the given style and, for the
    "restricted" Pod Security level, the security contexts it demands."""
    if style not in STYLES:
        raise ValueError(f"unknown sidecar style {style!r}; expected one of {STYLES}")
    prepared = []
    for doc in copy.deepcopy(docs):
        template = pod_template(doc)
        if template is not None:
            for container in containers(template):
                container["image"] = images.resolve(container["image"])
            if style == "classic" and written_native(template):
                raise ValueError(f"{doc['metadata']['name']} is written with native sidecars"
                                 f" {written_native(template)}: it has no classic form")
            if style == "native" and sidecar_names(template):
                doc = _replace_template(doc, to_native)
            if pod_security == "restricted":
                doc = _replace_template(doc, restricted)
        prepared.append(doc)
    return prepared


def env_value(docs: list[dict], pod: str, container: str, variable: str) -> str:
    """The literal value of env `variable` of `container` in the Pod named `pod`."""
    for doc in docs:
        template = pod_template(doc)
        if template is None or doc["metadata"]["name"] != pod:
            continue
        for candidate in containers(template):
            if candidate["name"] != container:
                continue
            for env in candidate.get("env") or []:
                if env["name"] == variable:
                    return env["value"]
    raise KeyError(f"{pod}/{container} has no env {variable}")
