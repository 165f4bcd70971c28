"""A throwaway in-memory OCI registry (go-containerregistry's pkg/registry, tools/rehearsal/oci-registry/main.go):
on 127.0.0.1 for the host's Docker, and on the Docker bridge's gateway for kind nodes."""
from __future__ import annotations

import hashlib
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from clusters.paths import STATE_DIR
from clusters.steps import StepFailed, output_of, run_step
from helpers.kube import children
from helpers.pins import REPO_ROOT

SOURCE = REPO_ROOT / "tools" / "rehearsal" / "oci-registry"
BUILD_TIMEOUT = 600
START_TIMEOUT = 10
PUSH_TIMEOUT = 900


def registry_binary() -> Path:
    """The registry command, built with `go build` in a copy of its source (cached by the source's digest).
    Its dependencies' checksums come from Go's checksum database at build time, as for every other build here."""
    sources = [SOURCE / "main.go", SOURCE / "go.mod"]
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()[:12]
    binary = STATE_DIR / "tools" / f"rehearsal-registry-{digest}"
    if not binary.is_file():
        binary.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="rehearsal-registry-") as build_dir:
            for path in sources:
                shutil.copy2(path, build_dir)
            run_step("rehearsal registry go build", ["go", "build", "-o", str(binary), "."], cwd=Path(build_dir),
                     env={"CGO_ENABLED": "0", "GOFLAGS": "-mod=mod"}, timeout=BUILD_TIMEOUT)
    return binary


def docker_bridge_gateway() -> str:
    """The host's address on Docker's default bridge: a kind node reaches the host there.

    Docker names it as the bridge network's gateway, except a freshly started daemon that
    lists the subnet alone (Debian's docker.io 20.10): then it is the bridge interface's own
    IPv4 address, read from the interface Docker names."""
    fields = output_of(["docker", "network", "inspect", "bridge", "-f",
                        '{{range .IPAM.Config}}{{.Gateway}} {{end}}|{{index .Options "com.docker.network.bridge.name"}}'],
                       timeout=30)
    gateways, _, interface = fields.strip().partition("|")
    if gateways.split():
        return gateways.split()[0]
    address = interface_address(interface.strip() or "docker0")
    if address is None:
        raise StepFailed(f"Docker's bridge network names no gateway and its interface {interface or 'docker0'}"
                         " has no IPv4 address: kind nodes could not reach the registry")
    return address


def interface_address(interface: str) -> str | None:
    """The first IPv4 address of a network interface (`ip -4 -o addr show`), or None."""
    for line in output_of(["ip", "-4", "-o", "addr", "show", "dev", interface], timeout=10).splitlines():
        words = line.split()
        if "inet" in words:
            return words[words.index("inet") + 1].split("/")[0]
    return None


class Registry:
    """`with Registry(gateway) as registry:` serves on 127.0.0.1:<port> and <gateway>:<port>."""

    def __init__(self, gateway: str):
        self.gateway = gateway
        self.port = 0
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> Registry:
        self._process = children.popen([str(registry_binary()), "-port", "0", "-also", self.gateway],
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        deadline = time.monotonic() + START_TIMEOUT
        while not self.port:
            ready, _, _ = select.select([self._process.stdout], [], [], max(0.0, deadline - time.monotonic()))
            line = self._process.stdout.readline() if ready else ""
            if not line:
                self.__exit__()
                raise StepFailed(f"the rehearsal registry did not start listening within {START_TIMEOUT}s")
            if line.startswith("listening on 127.0.0.1:"):
                self.port = int(line.rsplit(":", 1)[1])
        return self

    def __exit__(self, *_exc) -> None:
        if self._process:
            children.stop(self._process)

    @property
    def local(self) -> str:
        """host:port for the host's Docker."""
        return f"127.0.0.1:{self.port}"

    @property
    def for_nodes(self) -> str:
        """host:port for kind nodes."""
        return f"{self.gateway}:{self.port}"

    def push(self, image: str, path: str) -> str:
        """Push local `image` as <local>/<path>; return <local>/<path-without-tag>@<digest>. The
        pushed names are removed from the local engine afterwards, so that a pull has to ask the registry."""
        remote = f"{self.local}/{path}"
        output_of(["docker", "tag", image, remote], timeout=30)
        run_step(f"docker push {path}", ["docker", "push", remote], timeout=PUSH_TIMEOUT)
        repository = remote.rsplit(":", 1)[0]
        digests = output_of(["docker", "image", "inspect", "-f", "{{range .RepoDigests}}{{.}} {{end}}", remote],
                            timeout=30).split()
        pinned = next((d for d in digests if d.startswith(repository + "@")), None)
        if pinned is None:
            raise StepFailed(f"docker push {remote}: no digest recorded for {repository}")
        children.run(["docker", "rmi", remote, pinned], capture_output=True, timeout=60)
        return pinned
