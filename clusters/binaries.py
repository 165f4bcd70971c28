"""Every binary the local cluster needs, built from the Go module proxy and Debian's gcc.

Each family lands in a cache folder keyed by its version and is built only once.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from helpers.kube import children
from helpers.pins import pin

from .gomodule import GoModule, build_commands
from .paths import versioned
from .steps import run_step

KUBERNETES_COMMANDS = ["kubeadm", "kubelet", "kubectl", "kube-apiserver", "kube-controller-manager",
                       "kube-scheduler", "kube-proxy"]
VERSION_PACKAGES = ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]
PAUSE_BUILD_TIMEOUT = 120


def _complete(out_dir: Path, names: list[str]) -> bool:
    return all((out_dir / name).is_file() for name in names)


def kubernetes_ldflags(version: str, build_date: str) -> str:
    """-X flags that make the binaries report `version` (kubeadm breaks without them)."""
    major, minor = version.lstrip("v").split(".")[:2]
    values = {"gitVersion": version, "gitMajor": major, "gitMinor": minor,
              "gitTreeState": "clean", "buildDate": build_date}
    return " ".join(f"-X {package}.{key}={value}" for package in VERSION_PACKAGES for key, value in values.items())


def kubernetes_build_record(version: str) -> Path:
    """build.json beside a version's binaries: how long its cold build took, and when."""
    return versioned("kubernetes", version) / "build.json"


def kubernetes_binaries() -> Path:
    """kubeadm, kubelet, kubectl and the control-plane commands at KUBERNETES_VERSION."""
    version = pin("KUBERNETES_VERSION")
    out_dir = versioned("kubernetes", version) / "bin"
    if not _complete(out_dir, KUBERNETES_COMMANDS):
        started = time.monotonic()
        staging_version = "v0." + version.lstrip("v").split(".", 1)[1]
        module = GoModule("k8s.io/kubernetes", version, lambda _staging: staging_version)
        build_date = module.release_time()
        build_commands(module, [f"k8s.io/kubernetes/cmd/{c}" for c in KUBERNETES_COMMANDS], out_dir,
                       ldflags=kubernetes_ldflags(version, build_date), step=f"kubernetes {version}")
        kubernetes_build_record(version).write_text(json.dumps({
            "seconds": round(time.monotonic() - started), "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}))
    return out_dir


def etcd_binary(version: str) -> Path:
    """etcd at `version`, e.g. v3.6.5 (its siblings at the versions its go.mod requires)."""
    out_dir = versioned("etcd", version) / "bin"
    if not _complete(out_dir, ["etcd"]):
        module = GoModule("go.etcd.io/etcd/server/v3", version, lambda _sibling: version)
        build_commands(module, ["go.etcd.io/etcd/server/v3"], out_dir, step=f"etcd {version}")
        (out_dir / "server").rename(out_dir / "etcd")
    return out_dir / "etcd"


def _single_command(family: str, module_path: str, version: str, package: str, name: str) -> Path:
    out_dir = versioned(family, version) / "bin"
    if not _complete(out_dir, [name]):
        build_commands(GoModule(module_path, version, lambda _sibling: version), [package], out_dir,
                       step=f"{family} {version}")
    return out_dir / name


def coredns_binary(version: str) -> Path:
    """CoreDNS at `version`, e.g. v1.12.1."""
    return _single_command("coredns", "github.com/coredns/coredns", version, "github.com/coredns/coredns", "coredns")


def crictl_binary() -> Path:
    """crictl at CRICTL_VERSION (kind's node images carry it; `kind export logs` uses it)."""
    version = pin("CRICTL_VERSION")
    return _single_command("crictl", "sigs.k8s.io/cri-tools", version, "sigs.k8s.io/cri-tools/cmd/crictl", "crictl")


def kind_binary_path() -> Path:
    """Where the locally built kind CLI lives (whether built yet or not)."""
    return versioned("kind", pin("KIND_VERSION")) / "bin" / "kind"


def kind_binary() -> Path:
    """The kind CLI at KIND_VERSION, via `go install` (kind's documented way)."""
    path = kind_binary_path()
    if not path.is_file():
        run_step(f"kind {pin('KIND_VERSION')} go install", ["go", "install", f"sigs.k8s.io/kind@{pin('KIND_VERSION')}"],
                 env={"GOBIN": str(path.parent), "CGO_ENABLED": "0"}, timeout=1200)
    return path


def pause_binary(version: str) -> Path:
    """The pause binary reporting `version` (e.g. 3.10.1), from build/pause/linux/pause.c of the
    Kubernetes module (gcc -static)."""
    out = versioned("pause", version) / "pause"
    if not out.is_file():
        source = Path(GoModule("k8s.io/kubernetes", pin("KUBERNETES_VERSION"), str).download()["Dir"])
        run_step(f"pause {version} gcc", ["gcc", "-Os", "-Wall", "-Werror", "-static", f'-DVERSION=v{version}',
                                          "-o", str(out), str(source / "build/pause/linux/pause.c")],
                 timeout=PAUSE_BUILD_TIMEOUT)
        children.run(["strip", str(out)], check=True, timeout=120)
    return out


def kind_base_files() -> Path:
    """kind's images/base folder (entrypoint, containerd config, kubelet units) from the kind module."""
    return Path(GoModule("sigs.k8s.io/kind", pin("KIND_VERSION"), str).download()["Dir"]) / "images" / "base"
