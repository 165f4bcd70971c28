"""python -m tools.rehearsal [pytest options]: the online path run end to end on this machine.

1. The offline build supplies what the internet would: kind, kubectl, a node image without
   the test images (tag suffix -bare) and the test images.
2. Stand-ins: a registry on 127.0.0.1 holds the node image (as kindest/node) and the test
   images; a file server holds kind and kubectl with their sha256 files; a folder of containerd
   hosts.toml files names the registry as the mirror of the test images' registry.
3. `pytest suites` runs the way `make e2e` runs online (SIDECAR_CONFORMANCE_OFFLINE=0) with
   only the settings a user behind a mirror changes: the download URLs, the node image by
   digest, CONTAINERD_HOSTS_DIR. It keeps its cluster for the smoke check (with the downloaded
   kubectl); the cluster is deleted at the end, whatever happened.
Reports: reports/online-rehearsal/. Exit code 0 only when the suites and the smoke check pass.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from clusters import binaries
from clusters.docker_engine import ensure_docker
from clusters.downloads import architecture
from clusters.node_image import ensure_node_image
from clusters.paths import kubeconfig_of
from clusters.provision import STOCK_TOOLS_DIR
from clusters.steps import exit_code_of, run_shown, say
from clusters.suite_images import build_suite_images
from helpers.pins import OVERRIDE_PREFIX, REPO_ROOT, pin
from tools.rehearsal.fileserver import FileServer
from tools.rehearsal.registry import Registry, docker_bridge_gateway

SCENARIOS = "proxy or network"  # two full scenarios, both sidecar styles
CLUSTER = "sc-online-rehearsal"
REPORTS = REPO_ROOT / "reports" / "online-rehearsal"
SUITES_TIMEOUT = 1800  # cluster creation, image pulls through the mirror, the scenarios
CHECK_TIMEOUT = 300


def _mirror_hosts(root: Path, images: list[str], mirror: str) -> Path:
    """<registry>/hosts.toml for each registry the images name, pointing at `mirror` (plain HTTP)."""
    for registry in {image.split("/", 1)[0] for image in images}:
        (root / registry).mkdir(parents=True, exist_ok=True)
        (root / registry / "hosts.toml").write_text(f'[host."http://{mirror}"]\n  capabilities = ["pull", "resolve"]\n')
    return root


def _stand_ins(registry: Registry, files: FileServer, hosts_root: Path) -> dict[str, str]:
    """Fill the stand-ins; return the settings a user behind such mirrors would make."""
    kubernetes, kind_version = pin("KUBERNETES_VERSION"), pin("KIND_VERSION")
    arch = architecture()
    images = build_suite_images()
    node = ensure_node_image(preload=[], variant="-bare")
    stock_repository = pin("ONLINE_NODE_IMAGE").split("@")[0].rsplit(":", 1)[0]
    node_by_digest = registry.push(node, f"{stock_repository}:{kubernetes}")
    for image in images:
        registry.push(image, image.split("/", 1)[1])
    files.publish(f"kind/{kind_version}/kind-linux-{arch}", binaries.kind_binary(), pin("KIND_CHECKSUM_SUFFIX"))
    files.publish(f"kubectl/{kubernetes}/linux/{arch}/kubectl", binaries.kubernetes_binaries() / "kubectl",
                  pin("KUBECTL_CHECKSUM_SUFFIX"))
    return {
        "OFFLINE": "0",
        "ONLINE_NODE_IMAGE": node_by_digest,
        "KIND_DOWNLOAD_URL": files.url + "/kind/{version}/kind-{os}-{arch}",
        "KUBECTL_DOWNLOAD_URL": files.url + "/kubectl/{version}/{os}/{arch}/kubectl",
        "CONTAINERD_HOSTS_DIR": str(_mirror_hosts(hosts_root, images, registry.for_nodes)),
    }


def _run(name: str, cmd: list[str], env: dict[str, str], timeout: float) -> int:
    """A step whose output the user reads (also kept in reports/online-rehearsal/<name>.log); its exit code."""
    log = REPORTS / (name.split(" (")[0].replace(" ", "-") + ".log")
    return run_shown(name, cmd, env=env, timeout=timeout, log=log, cwd=REPO_ROOT).exit


def rehearse(pytest_args: list[str]) -> int:
    """Stand-ins up, the online path through them, the cluster deleted; 0 when all passed."""
    ensure_docker()
    shutil.rmtree(STOCK_TOOLS_DIR, ignore_errors=True)  # the downloads are part of the rehearsal
    REPORTS.mkdir(parents=True, exist_ok=True)
    with Registry(docker_bridge_gateway()) as registry, FileServer() as files, \
            tempfile.TemporaryDirectory(prefix="rehearsal-hosts-") as hosts:
        settings = _stand_ins(registry, files, Path(hosts))
        for key, value in settings.items():
            say(f"  {OVERRIDE_PREFIX}{key}={value}")
        env = {**os.environ, **{OVERRIDE_PREFIX + key: value for key, value in settings.items()}}
        python = sys.executable
        try:
            suites = _run("suites (online path)", [
                python, "-m", "pytest", "suites", "-m", SCENARIOS, "-n", "4", "--cluster-name", CLUSTER,
                "--keep-cluster", "--reports-dir", str(REPORTS.relative_to(REPO_ROOT)),
                "--junitxml", str(REPORTS / "junit.xml"), *pytest_args], env, SUITES_TIMEOUT)
            kubectl = STOCK_TOOLS_DIR / f"kubectl-{pin('KUBERNETES_VERSION')}"
            check = _run("smoke check", [python, "-m", "clusters", "check", "--kubeconfig",
                                         str(kubeconfig_of(CLUSTER)),
                                         "--kubectl", str(kubectl)], env, CHECK_TIMEOUT)
        finally:
            _run("delete the rehearsal cluster", [python, "-m", "clusters", "delete", "--name", CLUSTER],
                 env, CHECK_TIMEOUT)
    verdict = "PASS" if suites == check == 0 else "FAIL"
    say(f"online rehearsal: {verdict} (suites exit {suites}, smoke check exit {check})")
    return 0 if verdict == "PASS" else 1


def main(argv: list[str]) -> int:
    """--help: this docstring; else the rehearsal with `argv` as pytest options."""
    if {"-h", "--help"} & set(argv):
        print(__doc__.strip())
        return 0
    return exit_code_of(lambda: rehearse(argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
