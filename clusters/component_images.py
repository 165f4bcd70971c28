"""The images a kubeadm node runs (control plane, etcd, CoreDNS, kube-proxy, pause, CNI),
tagged exactly as `kubeadm config images list` and the containerd sandbox setting name them.
The versions of etcd, CoreDNS and pause are read from those tags: nothing to pin by hand.
"""
from __future__ import annotations

import re
from pathlib import Path

from helpers.pins import pin

from . import binaries
from .local_images import build_local_image
from .steps import StepFailed, output_of

CONTROL_PLANE = ("kube-apiserver", "kube-controller-manager", "kube-scheduler")
CNI_IMAGE = "localhost/sidecar-conformance/ptp-cni:v1"


def kubeadm_images(kubeadm: Path) -> list[str]:
    """Images kubeadm needs for KUBERNETES_VERSION, as the built kubeadm prints them."""
    out = output_of([str(kubeadm), "config", "images", "list", "--kubernetes-version",
                     pin("KUBERNETES_VERSION")], timeout=60)
    return out.split()


def sandbox_image(containerd_config: Path) -> str:
    """The sandbox (pause) image named in kind's containerd config."""
    match = re.search(r'^\s*sandbox_image\s*=\s*"([^"]+)"', containerd_config.read_text(), re.M)
    if not match:
        raise StepFailed(f"no sandbox_image in {containerd_config}")
    return match.group(1)


def required_images(kubeadm: Path, containerd_config: Path) -> list[str]:
    """kubeadm's list with its pause replaced by containerd's sandbox image (as kind does)."""
    images = [i for i in kubeadm_images(kubeadm) if "/pause:" not in i]
    return [*images, sandbox_image(containerd_config)]


def image_tag(image: str) -> str:
    """The tag of an image reference: registry.k8s.io/etcd:3.6.5-0 -> 3.6.5-0."""
    return image.rsplit("/", 1)[1].partition(":")[2].split("@")[0]


def etcd_version(image: str) -> str:
    """The etcd release an etcd image tag names: 3.5.12-0 -> v3.5.12 (the -0 is the image's revision)."""
    return "v" + image_tag(image).split("-")[0]


def build_component_image(image: str, k8s_bin: Path) -> str:
    """Build the one image `image` names, from the matching locally built binary."""
    name = image.rsplit("/", 1)[1].split(":")[0]
    if name in CONTROL_PLANE:
        return build_local_image("control-plane", image, files={name: k8s_bin / name}, build_args={"BINARY": name})
    if name == "kube-proxy":
        return build_local_image("kube-proxy", image, files={"kube-proxy": k8s_bin / "kube-proxy"})
    if name == "etcd":
        return build_local_image("control-plane", image, files={"etcd": binaries.etcd_binary(etcd_version(image))},
                                 build_args={"BINARY": "etcd"})
    if name == "coredns":
        return build_local_image("coredns", image, files={"coredns": binaries.coredns_binary(image_tag(image))})
    if name == "pause":
        return build_local_image("pause", image, files={"pause": binaries.pause_binary(image_tag(image))})
    raise StepFailed(f"no local recipe for image {image}")


def build_component_images(k8s_bin: Path, containerd_config: Path) -> list[str]:
    """Every image the node must hold before kubeadm init, including the CNI's."""
    images = [build_component_image(i, k8s_bin) for i in required_images(k8s_bin / "kubeadm", containerd_config)]
    return [*images, build_local_image("ptp-cni", CNI_IMAGE)]
