"""The scenario manifests: valid, pinned, and prepared the same way for every scenario."""
import pytest

from helpers.behaviours import BEHAVIOURS
from helpers.kube import manifests
from helpers.kube.images import ABSENT_IMAGE, ImageMap, pinned_images
from helpers.kube.sidecar import sidecar_names
from helpers.pins import pins

ALL = sorted(f"{behaviour}/{path.name}" for behaviour in BEHAVIOURS
             for path in (manifests.MANIFEST_DIR / behaviour).glob("*.yaml"))
PINNED = pinned_images(pins())


def pod_templates(docs):
    return [t for t in map(manifests.pod_template, docs) if t is not None]


def test_there_is_a_manifest_per_scenario():
    assert {"network/network.yaml", "logs/logs.yaml", "logs/logs-rotation.yaml", "proxy/proxy.yaml", "reload/reload.yaml",
            "shutdown/shutdown.yaml", "shutdown/shutdown-untrapped.yaml", "ordering/ordering.yaml",
            "ordering/job.yaml"} <= set(ALL)


@pytest.mark.parametrize("name", ALL)
def test_manifest_names_only_pinned_images_and_no_namespace(name):
    """Pinned images only; or the absent one, which is never pulled (imagePullPolicy Never)."""
    docs = manifests.load(name)
    assert docs, name
    for doc in docs:
        assert "namespace" not in doc["metadata"], "kubectl apply -n / the suite choose the namespace"
    containers = [c for t in pod_templates(docs) for c in manifests.containers(t)]
    images = {c["image"] for c in containers if c["image"] != ABSENT_IMAGE}
    assert images and images <= set(PINNED.values()), images - set(PINNED.values())
    assert all(c.get("imagePullPolicy") == "Never" for c in containers if c["image"] == ABSENT_IMAGE)


@pytest.mark.parametrize("name", ALL)
def test_every_annotated_sidecar_is_a_classic_container(name):
    for template in pod_templates(manifests.load(name)):
        names = {c["name"] for c in template["spec"]["containers"]}
        assert set(sidecar_names(template)) <= names


@pytest.mark.parametrize("name", ALL)
def test_native_preparation_leaves_no_annotated_sidecar_among_containers(name):
    written = {name for template in pod_templates(manifests.load(name)) for name in manifests.written_native(template)}
    docs = manifests.prepare(manifests.load(name), "native", ImageMap(PINNED))
    for template in pod_templates(docs):
        sidecars = set(sidecar_names(template))
        assert not sidecars & {c["name"] for c in template["spec"]["containers"]}
        assert set(manifests.written_native(template)) == sidecars | written


def test_a_manifest_written_native_has_no_classic_form():
    with pytest.raises(ValueError, match="lifecycle-interleaved is written with native sidecars"):
        manifests.prepare(manifests.load("lifecycle/lifecycle-interleaved.yaml"), "classic", ImageMap(PINNED))


def test_job_pod_template_is_converted_too():
    docs = manifests.prepare(manifests.load("ordering/job.yaml"), "native", ImageMap(PINNED))
    spec = docs[0]["spec"]["template"]["spec"]
    assert [c["name"] for c in spec["containers"]] == ["main"]
    assert [(c["name"], c["restartPolicy"]) for c in spec["initContainers"]] == [("helper", "Always")]


def test_classic_preparation_only_maps_images():
    original = manifests.load("proxy/proxy.yaml")
    images = ImageMap(PINNED, registry="mirror:5000")
    prepared = manifests.prepare(original, "classic", images)
    pod = manifests.pod_template(prepared[-1])
    assert [c["image"] for c in pod["spec"]["containers"]] == [
        "mirror:5000/library/python:3.11-slim-bookworm", "mirror:5000/library/nginx:1.27.5"]
    assert prepared[:-1] == original[:-1]
    assert manifests.load("proxy/proxy.yaml") == original


def test_unknown_style_is_refused():
    with pytest.raises(ValueError, match="unknown sidecar style"):
        manifests.prepare([], "sidecar", ImageMap(PINNED))


def test_env_value_reads_literal_env():
    docs = manifests.load("logs/logs.yaml")
    assert manifests.env_value(docs, "logs-demo", "app", "LINE_COUNT") == "200"
    with pytest.raises(KeyError):
        manifests.env_value(docs, "logs-demo", "shipper", "LINE_COUNT")


def test_restricted_pod_security_adds_the_contexts_the_level_demands():
    docs = manifests.prepare(manifests.load("ordering/ordering.yaml"), "native", ImageMap(PINNED), "restricted")
    pod = pod_templates(docs)[0]
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    assert pod["spec"]["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    for container in manifests.containers(pod):
        assert container["securityContext"] == {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
