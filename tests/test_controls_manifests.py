"""Negative-control overlays: each replaces documents of its scenario (or adds some), pinned images only."""
import pytest

from helpers.behaviours import BEHAVIOURS
from helpers.kube import manifests
from helpers.kube.images import pinned_images
from helpers.pins import pins

CONTROLS = sorted(f"{behaviour}/controls/{path.name}" for behaviour in BEHAVIOURS
                  for path in (manifests.MANIFEST_DIR / behaviour / "controls").glob("*.yaml"))
PINNED = pinned_images(pins())


def key(doc):
    return doc["kind"], doc["metadata"]["name"]


def test_overlay_replaces_documents_of_the_same_kind_and_name_and_appends_the_rest():
    docs = [{"kind": "Pod", "metadata": {"name": "a"}, "v": 1}, {"kind": "ConfigMap", "metadata": {"name": "a"}}]
    replacements = [{"kind": "Pod", "metadata": {"name": "a"}, "v": 2}, {"kind": "Pod", "metadata": {"name": "b"}}]
    merged = manifests.overlay(docs, replacements)
    assert [(key(d), d.get("v")) for d in merged] == [
        (("Pod", "a"), 2), (("ConfigMap", "a"), None), (("Pod", "b"), None)]


def overlaid_scenario(control: str) -> str:
    """The scenario a control (<behaviour>/controls/<name>) overlays: the longest manifest name of
    its behaviour's folder its name starts with."""
    behaviour, _, name = control.split("/")
    stems = [path.stem for path in (manifests.MANIFEST_DIR / behaviour).glob("*.yaml") if name.startswith(path.stem + "-")]
    assert stems, f"{control} names no scenario of manifests/{behaviour}/"
    return f"{behaviour}/{max(stems, key=len)}.yaml"


@pytest.mark.parametrize("name", CONTROLS)
def test_control_overlays_its_scenario(name):
    scenario = overlaid_scenario(name)
    base = {key(doc) for doc in manifests.load(scenario)}
    docs = manifests.load(name)
    assert any(key(doc) in base for doc in docs), f"{name} replaces nothing of {scenario}"
    images = {c["image"] for doc in docs if manifests.pod_template(doc)
              for c in manifests.containers(manifests.pod_template(doc))}
    assert images <= set(PINNED.values()), images - set(PINNED.values())
