"""Prepare and create the project's kind cluster on this host, online or offline."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from helpers.pins import pin

from . import binaries
from .docker_engine import ensure_docker
from .downloads import stock_tools
from .frozen import thaw_nodes
from .images import image_exists, image_label
from .kind_config import RUNC_NOCAP_IN_NODE, kind_config
from .kindcreate import create_bounded
from .lookup import KindNodes, look_up
from .paths import CACHE_ROOT, STATE_DIR
from .recipe import KindRecipe
from .registry import OVERRIDE, registry_reachable
from .steps import StepFailed, run_step, say

STOCK_TOOLS_DIR = CACHE_ROOT / "stock-tools"  # kind and kubectl downloaded for the online path, by version
RUNC_NOCAP_LABEL = "io.github.sidecar-conformance.runc-nocap"  # set by clusters/offline/node/Dockerfile
LOAD_TIMEOUT = 300
PULL_TIMEOUT = 1200
NODE_READY_TIMEOUT = 180
DELETE_TIMEOUT = 180


def _containerd_hosts_dir() -> Path | None:
    """CONTAINERD_HOSTS_DIR (versions.env or SIDECAR_CONFORMANCE_CONTAINERD_HOSTS_DIR): mirrors for the node."""
    setting = pin("CONTAINERD_HOSTS_DIR")
    if not setting:
        return None
    path = Path(setting)
    if not path.is_dir():
        raise StepFailed(f"CONTAINERD_HOSTS_DIR={setting} is not a folder (expected <registry>/hosts.toml files)")
    return path


def _write_config(node_image: str) -> Path:
    """The kind config for `node_image` (present locally: its labels say what it carries)."""
    minor = int(pin("KUBERNETES_VERSION").lstrip("v").split(".")[1])
    STATE_DIR.mkdir(exist_ok=True)
    path = STATE_DIR / "kind-config.yaml"
    path.write_text(kind_config(kubernetes_minor=minor,
                                node_has_runc_nocap=image_label(node_image, RUNC_NOCAP_LABEL) == RUNC_NOCAP_IN_NODE,
                                containerd_hosts_dir=_containerd_hosts_dir()))
    return path


def _pull(image: str) -> None:
    """`docker pull` the node image unless present (kind would pull it too, without a bound)."""
    if not image_exists(image):
        run_step(f"docker pull {image.split('@')[0]}", ["docker", "pull", image], timeout=PULL_TIMEOUT)


def prepare_kind(docker_checked: bool = False) -> KindRecipe:
    """Docker running (unless the caller checked it), then kind, kubectl and a node image: stock
    ones online, built ones offline."""
    if not docker_checked:
        ensure_docker()
    if registry_reachable():
        say("container registry reachable: using stock kind and the pinned kindest/node image")
        kind, kubectl = stock_tools(STOCK_TOOLS_DIR)
        node_image = pin("ONLINE_NODE_IMAGE")
        _pull(node_image)
        return KindRecipe(kind_bin=kind, kubectl_bin=kubectl, node_image=node_image,
                          config_file=_write_config(node_image))
    say(f"no container registry reachable: building kind, Kubernetes and images locally "
        f"(cached; set {OVERRIDE}=0 to force the stock path)")
    from .node_image import ensure_node_image
    from .suite_images import build_suite_images

    kind = binaries.kind_binary()
    kubectl = binaries.kubernetes_binaries() / "kubectl"
    suite_images = build_suite_images()
    node_image = ensure_node_image(preload=suite_images)
    return KindRecipe(kind_bin=kind, kubectl_bin=kubectl, node_image=node_image,
                      config_file=_write_config(node_image), images_to_load=suite_images, offline=True)


def create_cluster(name: str, kubeconfig: Path, node_image: str | None = None,
                   recipe: KindRecipe | None = None, nodes: KindNodes | None = None) -> KindRecipe:
    """Create (or reuse) kind cluster `name`, load the test images, wait for Ready nodes; the
    recipe it was made with.

    node_image replaces the recipe's node image (another Kubernetes version, say); recipe is
    prepare_kind()'s and nodes look_up()'s, when the caller has them already.
    """
    recipe = recipe or prepare_kind()
    nodes = nodes or look_up(name)
    if node_image:
        _pull(node_image)
        recipe = replace(recipe, node_image=node_image, config_file=_write_config(node_image))
    kubeconfig.parent.mkdir(parents=True, exist_ok=True)
    if nodes.stopped:
        say(f"kind cluster {name!r} exists but its nodes are stopped: recreating it")
        kind_delete(recipe.kind_bin, name)
    if nodes.exist and not nodes.stopped:
        say(f"reusing kind cluster {name!r}")
        run_step(f"kind export kubeconfig {name}", [str(recipe.kind_bin), "export", "kubeconfig", "--name", name,
                                                   "--kubeconfig", str(kubeconfig)], timeout=60)
    else:
        say(f"creating kind cluster {name!r} from {recipe.node_image}")
        create_bounded(name, kubeconfig, recipe)
    if recipe.images_to_load:
        run_step("kind load test images", [str(recipe.kind_bin), "load", "docker-image", "--name", name,
                                           *recipe.images_to_load], timeout=LOAD_TIMEOUT)
    run_step("wait for Ready nodes", [str(recipe.kubectl_bin), "--kubeconfig", str(kubeconfig), "wait",
                                      "--for=condition=Ready", "nodes", "--all", f"--timeout={NODE_READY_TIMEOUT}s"],
             timeout=NODE_READY_TIMEOUT + 30)
    return recipe


def delete_cluster(name: str) -> None:
    """Delete kind cluster `name` if it exists (a no-op otherwise)."""
    if not ensure_docker(install=False):
        say("Docker is not installed: no kind cluster to delete")
        return
    kind = _any_kind_binary()
    if kind is None:
        say("no kind binary built or downloaded yet: nothing to delete")
        return
    if not look_up(name).exist:
        say(f"no kind cluster named {name!r}")
        return
    kind_delete(kind, name)


def kind_delete(kind: Path, name: str, kubeconfig: Path | None = None) -> None:
    """`kind delete cluster` (and its context from `kubeconfig`); when that fails, thaw the frozen
    cgroups in the nodes that stop it (clusters.frozen) and delete once more."""
    step = f"kind delete cluster {name}"
    cmd = [str(kind), "delete", "cluster", "--name", name, *([f"--kubeconfig={kubeconfig}"] if kubeconfig else [])]
    try:
        run_step(step, cmd, timeout=DELETE_TIMEOUT)
    except StepFailed:
        thawed = thaw_nodes(list(look_up(name).running))
        if not thawed:
            raise
        say(f"{step}: thawed {len(thawed)} frozen cgroups in its nodes (container starts cut short); deleting again")
        run_step(step, cmd, timeout=DELETE_TIMEOUT)


def _any_kind_binary() -> Path | None:
    candidates = [binaries.kind_binary_path(), STOCK_TOOLS_DIR / f"kind-{pin('KIND_VERSION')}"]
    return next((c for c in candidates if c.is_file()), None)
