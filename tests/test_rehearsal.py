"""The online rehearsal's pure parts: the mirror configuration it hands to containerd."""
import tomllib

from rehearsal.__main__ import _mirror_hosts


def test_each_registry_the_images_name_gets_one_plain_http_mirror(tmp_path):
    images = ["docker.io/library/busybox:1.36.1", "docker.io/curlimages/curl:8.10.1", "registry.example/x/y:1"]
    _mirror_hosts(tmp_path, images, "172.17.0.1:5000")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docker.io", "registry.example"]
    hosts = tomllib.loads((tmp_path / "docker.io" / "hosts.toml").read_text())
    assert hosts == {"host": {"http://172.17.0.1:5000": {"capabilities": ["pull", "resolve"]}}}
