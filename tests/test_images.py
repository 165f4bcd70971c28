"""Image defaults come from versions.env; mirrors are mapped in one place."""
import pytest

from helpers.kube.images import ImageMap, parse_image_map, pinned_images, with_registry
from helpers.pins import VERSIONS_FILE, pins

PINNED = {"BUSYBOX_IMAGE": "docker.io/library/busybox:1.36.1", "NGINX_IMAGE": "docker.io/library/nginx:1.27.5"}


def test_defaults_are_the_lines_of_versions_env():
    lines = VERSIONS_FILE.read_text().splitlines()
    for key, ref in pinned_images(pins()).items():
        assert f"{key}={ref}" in lines


def test_missing_test_image_key_is_an_error():
    with pytest.raises(ValueError, match="CURL_IMAGE"):
        pinned_images({"BUSYBOX_IMAGE": "b", "NGINX_IMAGE": "n", "PYTHON_IMAGE": "p"})


@pytest.mark.parametrize("ref, expected", [
    ("docker.io/library/busybox:1.36.1", "mirror.local:5000/library/busybox:1.36.1"),
    ("docker.io/curlimages/curl:8.10.1", "mirror.local:5000/curlimages/curl:8.10.1"),
    ("localhost/x/y:1", "mirror.local:5000/x/y:1"),
    ("busybox:1", "mirror.local:5000/library/busybox:1"),
    ("curlimages/curl:8", "mirror.local:5000/curlimages/curl:8"),
])
def test_registry_prefix_replaces_the_registry_host(ref, expected):
    assert with_registry(ref, "mirror.local:5000/") == expected


def test_image_map_accepts_keys_and_references():
    mapping = parse_image_map(["BUSYBOX_IMAGE=my/busybox:1", "docker.io/library/nginx:1.27.5=my/nginx:2"], PINNED)
    assert mapping == {PINNED["BUSYBOX_IMAGE"]: "my/busybox:1", PINNED["NGINX_IMAGE"]: "my/nginx:2"}


@pytest.mark.parametrize("entry, error", [("BUSYBOX_IMAGE", "FROM=TO"), ("nginx=x", "not a pinned test image")])
def test_image_map_refuses_bad_entries(entry, error):
    with pytest.raises(ValueError, match=error):
        parse_image_map([entry], PINNED)


def test_resolve_prefers_overrides_then_registry_and_refuses_unpinned():
    images = ImageMap(PINNED, "mirror", {PINNED["NGINX_IMAGE"]: "my/nginx:2"})
    assert images.resolve(PINNED["NGINX_IMAGE"]) == "my/nginx:2"
    assert images.resolve(PINNED["BUSYBOX_IMAGE"]) == "mirror/library/busybox:1.36.1"
    assert ImageMap(PINNED).resolve(PINNED["BUSYBOX_IMAGE"]) == PINNED["BUSYBOX_IMAGE"]
    with pytest.raises(ValueError, match="not pinned"):
        images.resolve("docker.io/library/busybox:latest")
