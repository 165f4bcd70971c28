"""Opening and closing the run's cluster session (used by conftest.py on the controller).

Two modes: attach to an existing cluster through a kubeconfig, or create (or reuse) a
kind cluster from the recipe of the project's cluster build.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml
from kubernetes import client

from helpers.cluster import ClusterTarget, api_client
from helpers.leftovers import run_owner
from helpers.namespace import RUN_LABEL, delete_namespace
from clusterbuild.pins import REPO_ROOT
from helpers.preflight import SessionError
from helpers.timeouts import DOCKER_QUERY, NAMESPACE_SWEEP
from helpers.waits import wait_until

KIND_CLUSTER_LABEL = "io.x-k8s.kind.cluster"


@dataclass(frozen=True)
class KindOptions:
    """What the command line says about the kind cluster."""

    name: str
    image: str | None
    kubectl_bin: str | None
    keep: bool


def new_run_id() -> str:
    """A label-safe id, unique per run: UTC time and a random suffix."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def default_kubeconfig() -> str:
    """Where kubectl looks by default: the first path in $KUBECONFIG, else ~/.kube/config."""
    paths = [p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    return paths[0] if paths else str(Path.home() / ".kube" / "config")


def find_kubectl(explicit: str | None) -> str:
    """The kubectl to run port-forwards with: the given one, else the one on PATH."""
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise SessionError(f"--kind-kubectl-bin {explicit}: not an executable file")
        return explicit
    found = shutil.which("kubectl")
    if not found:
        raise SessionError("no kubectl on PATH (needed for port-forward); pass --kind-kubectl-bin PATH")
    return found


def context_names(path: str) -> list[str]:
    """The context names of kubeconfig `path`; SessionError when it cannot be read as one."""
    try:
        loaded = yaml.safe_load(Path(path).read_text())
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = str(exc).strip().splitlines()[0]
        raise SessionError(f"kubeconfig {path}: unreadable ({type(exc).__name__}: {reason})") from None
    if not isinstance(loaded, dict) or not isinstance(loaded.get("contexts"), list):
        raise SessionError(f"kubeconfig {path}: not a kubeconfig (no list of contexts)")
    return [c.get("name") for c in loaded["contexts"] if isinstance(c, dict)]


def attach(kubeconfig: str | None, context: str | None, kubectl: str | None, run_id: str) -> ClusterTarget:
    """An existing cluster: the file exists, the context is in it (preflight checks the rest)."""
    path = kubeconfig or default_kubeconfig()
    if not Path(path).is_file():
        raise SessionError(f"kubeconfig {path}: no such file")
    names = context_names(path)
    if context is not None:
        if context not in names:
            raise SessionError(f"--context {context}: not in {path} (has: {', '.join(names) or 'none'})")
    return ClusterTarget(str(Path(path).resolve()), context, find_kubectl(kubectl), run_id, owner=run_owner())


def _interrupt(signum, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


def interrupt_on_sigterm() -> None:
    """Make SIGTERM end the run like Ctrl-C does: tests stop, then this run's namespaces
    are swept (pytest_sessionfinish) and a kind cluster it made is deleted."""
    signal.signal(signal.SIGTERM, _interrupt)


def kind_cluster_exists(name: str) -> bool:
    """Whether docker runs node containers of kind cluster `name` (no kind binary needed)."""
    try:
        found = subprocess.run(["docker", "ps", "-aq", "--filter", f"label={KIND_CLUSTER_LABEL}={name}"],
                               capture_output=True, text=True, timeout=DOCKER_QUERY)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return found.returncode == 0 and bool(found.stdout.strip())


def create_kind(options: KindOptions, run_id: str) -> ClusterTarget:
    """Create the kind cluster the cluster build describes, or reuse one of that name.

    Only a cluster this run created is deleted at the end (and not with --keep-cluster).
    """
    from clusterbuild.kind_preflight import preflight as kind_preflight
    from clusterbuild.provision import create_cluster  # only this mode needs the cluster build
    from clusterbuild.steps import StepFailed

    if options.kubectl_bin:
        find_kubectl(options.kubectl_bin)  # a wrong path fails now, not after the cluster build
    existed = kind_cluster_exists(options.name)
    kubeconfig = (REPO_ROOT / ".pytest-kind" / options.name / "kubeconfig").resolve()
    try:
        kind_preflight(options.image)
        cluster, recipe = create_cluster(options.name, kubeconfig, options.image)
    except StepFailed as exc:
        raise SessionError(f"kind cluster {options.name}: {exc}".splitlines()[0]) from None
    kubectl = options.kubectl_bin or str(cluster.kubectl_path)
    return ClusterTarget(str(kubeconfig), None, kubectl, run_id, kind_name=options.name,
                         kind_bin=str(recipe.kind_bin), delete_at_end=not (options.keep or existed),
                         owner=run_owner())


def delete_kind(target: ClusterTarget) -> None:
    """Delete the kind cluster this run created."""
    from pytest_kind import KindCluster

    KindCluster(target.kind_name, Path(target.kubeconfig), kind_path=Path(target.kind_bin)).delete()


def sweep_namespaces(target: ClusterTarget) -> list[str]:
    """Delete every namespace labelled with this run and wait until they are gone."""
    with api_client(target) as api:
        core = client.CoreV1Api(api)
        selector = f"{RUN_LABEL}={target.run_id}"

        swept: set[str] = set()

        def remaining() -> list[str]:
            """This run's namespaces; deletes those not deleting yet (a worker may add one late)."""
            found = core.list_namespace(label_selector=selector).items
            swept.update(ns.metadata.name for ns in found)
            for ns in found:
                if ns.metadata.deletion_timestamp is None:
                    delete_namespace(core, ns.metadata.name)
            return [ns.metadata.name for ns in found]

        wait_until(f"namespaces labelled {selector} to be gone", remaining, lambda names: not names,
                   NAMESPACE_SWEEP)
        return sorted(swept)
