"""The kind node image, assembled locally the way kind's own recipe does it.

1. clusters/offline/node/Dockerfile on the Debian base: systemd, containerd, runc, CNI
   plugins, kind's base files (from the pinned kind module), kubeadm/kubelet/kubectl.
2. In a container of that image, containerd imports every component image and the
   suite's test images (`ctr images import --no-unpack`, pinned), then `docker commit`
   makes the node image. With the test images already on the node, `kind load` finds
   them present and skips them, so a new cluster starts without copying images.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from helpers.kube import children
from helpers.pins import VERSIONS_FILE, pin

from . import binaries
from .component_images import CNI_IMAGE, build_component_images
from .debian_base import ensure_base_image
from .images import docker_build, image_label, save_images
from .local_images import INPUTS_LABEL, inputs_digest
from .paths import OFFLINE_DIR, versioned
from .steps import StepFailed, output_of, run_step, say

IMPORT_TIMEOUT = 600
CONTAINERD_READY_TIMEOUT = 60
ENTRYPOINT = '["/usr/local/bin/entrypoint", "/sbin/init"]'


def _image_ids(tags: list[str]) -> str:
    return output_of(["docker", "image", "inspect", "-f", "{{.Id}}", *tags], timeout=60)


def _prepare_context(context: Path, k8s_bin: Path, base_files: Path) -> None:
    shutil.copytree(OFFLINE_DIR / "node", context, dirs_exist_ok=True)
    shutil.copytree(base_files / "files", context / "files")
    (context / "bin").mkdir()
    for name in ("kubeadm", "kubelet", "kubectl"):
        shutil.copy2(k8s_bin / name, context / "bin" / name)
    shutil.copy2(binaries.crictl_binary(), context / "bin" / "crictl")
    shutil.copy2(OFFLINE_DIR / "runc-nocap", context / "runc-nocap")
    cni = (OFFLINE_DIR / "images" / "ptp-cni" / "default-cni.yaml").read_text()
    (context / "default-cni.yaml").write_text(cni.replace("image: IMAGE", f"image: {CNI_IMAGE}"))
    (context / "version").write_text(pin("KUBERNETES_VERSION") + "\n")


def _import_images(container: str, archive: Path, images: list[str]) -> None:
    """Start containerd in the build container, import the archive, check every tag landed."""
    script = f"""set -eu
nohup containerd >/var/log/build-containerd.log 2>&1 &
for i in $(seq {CONTAINERD_READY_TIMEOUT}); do ctr version >/dev/null 2>&1 && break; sleep 1; done
ctr --namespace=k8s.io images import --label=io.cri-containerd.pinned=pinned --all-platforms --no-unpack --digests - </dev/stdin
ctr --namespace=k8s.io images list -q
"""
    run_step("node image: import images",
             ["docker", "exec", "-i", container, "bash", "-c", script], timeout=IMPORT_TIMEOUT, stdin_path=archive)
    listed = output_of(["docker", "exec", container, "ctr", "--namespace=k8s.io", "images", "list", "-q"], timeout=60)
    missing = sorted(set(images) - set(listed.split()))
    children.run(["docker", "exec", container, "pkill", "containerd"], timeout=30)
    if missing:
        raise StepFailed(f"node image: containerd lacks {', '.join(missing)} after import")


def ensure_node_image(preload: list[str], variant: str = "") -> str:
    """Build (or reuse) the local node image holding the component images and `preload`; return its tag
    (<LOCAL_NODE_REPOSITORY>:<KUBERNETES_VERSION><variant>, variant e.g. "-bare" for one without test images)."""
    tag = f"{pin('LOCAL_NODE_REPOSITORY')}:{pin('KUBERNETES_VERSION')}{variant}"
    k8s_bin = binaries.kubernetes_binaries()
    base_files = binaries.kind_base_files()
    components = build_component_images(k8s_bin, base_files / "files" / "etc" / "containerd" / "config.toml")
    images = [*components, *preload]
    digest = inputs_digest([OFFLINE_DIR / "node", OFFLINE_DIR / "runc-nocap", VERSIONS_FILE,
                            OFFLINE_DIR / "images" / "ptp-cni"], {"images": _image_ids(images)})
    if image_label(tag, INPUTS_LABEL) == digest:
        say(f"{tag}: up to date")
        return tag
    stage = tag.replace("/node:", "/node-stage:")
    with tempfile.TemporaryDirectory(prefix="node-context-") as tmp:
        _prepare_context(Path(tmp), k8s_bin, base_files)
        docker_build(stage, Path(tmp), build_args={"BASE": ensure_base_image()})
    archive = versioned("node-image", pin("KUBERNETES_VERSION")) / "preloaded-images.tar"
    say(f"saving {len(images)} images to preload to {archive}")
    save_images(images, archive)
    container = output_of(["docker", "run", "-d", "--privileged", "--entrypoint", "sleep", stage, "infinity"],
                          timeout=120).strip()
    try:
        _import_images(container, archive, images)
        run_step("node image: docker commit", [
            "docker", "commit", "--change", f"ENTRYPOINT {ENTRYPOINT}", "--change", f"LABEL {INPUTS_LABEL}={digest}",
            container, tag], timeout=600)
    finally:
        children.run(["docker", "rm", "-f", "-v", container], capture_output=True, timeout=120)
    archive.unlink()
    return tag
