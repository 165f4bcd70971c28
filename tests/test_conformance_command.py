"""The operator's command without a cluster: images, version, and one-line errors."""
from __future__ import annotations

from helpers.kube.images import pinned_images
from helpers.pins import pin, pins
from tools.conformance.__main__ import main


def test_images_are_the_pinned_test_images(capsys):
    assert main(["images"]) == 0
    assert capsys.readouterr().out.split() == sorted(pinned_images(pins()).values())


def test_images_as_a_mirror_rewrites_them(capsys):
    busybox = pinned_images(pins())["BUSYBOX_IMAGE"]
    assert main(["images", "--image-registry", "mirror:5000", "--image-map", "BUSYBOX_IMAGE=my/busybox:1"]) == 0
    listed = capsys.readouterr().out.split()
    assert "my/busybox:1" in listed and busybox not in listed
    assert all(image == "my/busybox:1" or image.startswith("mirror:5000/") for image in listed)


def test_a_bad_option_is_one_line_and_exit_1(capsys):
    assert main(["images", "--image-map", "nonsense"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "expected FROM=TO" in err


def test_cleanup_without_a_cluster_is_one_line(tmp_path, capsys):
    assert main(["cleanup", "--kubeconfig", str(tmp_path / "absent")]) == 1
    assert capsys.readouterr().err.count("\n") == 1


def test_version_names_the_suite_and_its_pins(capsys):
    assert main(["version"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("sidecar-conformance ") and pin("KUBERNETES_VERSION") in out
