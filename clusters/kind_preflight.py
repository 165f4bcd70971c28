"""Quick host checks before pytest makes a kind cluster: each failure is one line, within seconds.

pytest never installs or starts anything on the host: a missing or stopped Docker engine is
reported here. `python -m tools.conformance run` (make e2e) makes Docker answer first
(installing Debian's docker.io and starting dockerd when needed, see docker_engine.py) and hands
its version to the run, which then does not ask again.
"""
from __future__ import annotations

import re
import shutil
import tempfile

from helpers.pins import pin

from .binaries import kind_binary_path
from .paths import versioned
from .registry import PROBE_TIMEOUT, registry_reachable
from .steps import StepFailed, output_of, succeeds

QUERY_TIMEOUT = 10
RELEASE = re.compile(r"v\d+\.\d+\.\d+")


def check_docker() -> str:
    """The docker CLI is installed and its engine answers: its version."""
    if shutil.which("docker") is None:
        raise StepFailed("docker is not installed (no `docker` on PATH); kind needs a Docker engine"
                         " (`make e2e` installs Debian's docker.io)")
    try:
        return output_of(["docker", "info", "--format", "{{.ServerVersion}}"], timeout=QUERY_TIMEOUT).strip()
    except StepFailed as err:
        reason = str(err).strip().splitlines()[-1]
        raise StepFailed(f"the Docker engine does not answer ({reason}); start it (`make e2e` starts dockerd)") from None


def check_kind(offline: bool) -> None:
    """Offline, kind is built with go: it must be built already, or go must be there."""
    if offline and not kind_binary_path().is_file() and shutil.which("go") is None:
        raise StepFailed(f"kind {pin('KIND_VERSION')} is missing (not built at {kind_binary_path()})"
                         " and `go` is not on PATH to build it")


def check_kubernetes_version(offline: bool) -> None:
    """KUBERNETES_VERSION is a release; offline and not built yet, the Go module proxy has it."""
    version = pin("KUBERNETES_VERSION")
    if not RELEASE.fullmatch(version):
        raise StepFailed(f"Kubernetes version {version!r}: expected vMAJOR.MINOR.PATCH")
    if not offline or (versioned("kubernetes", version) / "bin" / "kubectl").is_file():
        return
    if shutil.which("go") is None:
        raise StepFailed(f"Kubernetes {version} is not built yet and `go` is not on PATH to build it")
    with tempfile.TemporaryDirectory() as outside_any_module:
        try:
            output_of(["go", "list", "-m", f"k8s.io/kubernetes@{version}"], timeout=QUERY_TIMEOUT, cwd=outside_any_module)
        except StepFailed:
            raise StepFailed(f"Kubernetes version {version}: no such k8s.io/kubernetes release on the Go module proxy") from None


def check_node_image(image: str, online: bool) -> None:
    """`--kind-image`: present locally, or (online) known to its registry."""
    if succeeds(["docker", "image", "inspect", image], timeout=QUERY_TIMEOUT):
        return
    if not online:
        raise StepFailed(f"--kind-image {image}: not among the local Docker images, and no registry is reachable")
    if not succeeds(["docker", "manifest", "inspect", image], timeout=PROBE_TIMEOUT):
        raise StepFailed(f"--kind-image {image}: neither a local Docker image nor in its registry")


def preflight(node_image: str | None, docker: str | None = None) -> str:
    """Every check, cheapest first; StepFailed with one line on the first that fails. The
    Docker engine's version (the run's one question to Docker about itself; `docker` when the
    caller asked it already)."""
    docker = docker or check_docker()
    online = registry_reachable()
    check_kind(not online)
    check_kubernetes_version(not online)
    if node_image:
        check_node_image(node_image, online)
    return docker
