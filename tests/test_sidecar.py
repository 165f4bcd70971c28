"""The one classic -> native conversion."""
import pytest

from helpers.kube.sidecar import SIDECARS_ANNOTATION, sidecar_names, to_native


def pod(sidecars="shipper", init=None):
    return {
        "metadata": {"name": "p", "annotations": {SIDECARS_ANNOTATION: sidecars}},
        "spec": {
            **({"initContainers": init} if init else {}),
            "containers": [
                {"name": "app", "image": "a"},
                {"name": "shipper", "image": "s"},
                {"name": "proxy", "image": "n"},
            ],
        },
    }


def test_sidecar_moves_to_init_containers_with_restart_policy_always():
    native = to_native(pod())
    assert [c["name"] for c in native["spec"]["containers"]] == ["app", "proxy"]
    assert native["spec"]["initContainers"] == [{"name": "shipper", "image": "s", "restartPolicy": "Always"}]


def test_sidecars_go_after_existing_init_containers_in_container_order():
    native = to_native(pod("proxy, shipper", init=[{"name": "setup", "image": "b"}]))
    assert [c["name"] for c in native["spec"]["initContainers"]] == ["setup", "shipper", "proxy"]
    assert "restartPolicy" not in native["spec"]["initContainers"][0]


def test_the_input_is_left_untouched():
    original = pod()
    to_native(original)
    assert original == pod()


@pytest.mark.parametrize("sidecars, error", [
    ("", "no sidecar-conformance/sidecars annotation"),
    ("nosuch", "not among the Pod's containers"),
    ("app,shipper,proxy", "at least one container"),
])
def test_bad_annotations_are_refused(sidecars, error):
    with pytest.raises(ValueError, match=error):
        to_native(pod(sidecars))


def test_annotation_lists_names_separated_by_commas():
    assert sidecar_names(pod(" a, b ,,c")) == ["a", "b", "c"]
    assert sidecar_names({"metadata": {}}) == []
