"""Opening and closing the run's cluster session (used by conftest.py on the controller).

Two modes: attach to an existing cluster through a kubeconfig, or create (or reuse) a
kind cluster from the recipe of the project's cluster build.
"""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kubernetes import client, config
from kubernetes.config.config_exception import ConfigException

from helpers.cluster import ClusterTarget, api_client
from helpers.namespace import RUN_LABEL
from clusterbuild.pins import REPO_ROOT
from helpers.timeouts import API_REACHABLE, DOCKER_QUERY, NAMESPACE_SWEEP
from helpers.waits import wait_until

KIND_CLUSTER_LABEL = "io.x-k8s.kind.cluster"


class SessionError(Exception):
    """A one-line reason why the run cannot get its cluster."""


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


def check_reachable(target: ClusterTarget) -> None:
    """Fail with one line unless the target's API server answers."""
    where = f"{target.kubeconfig}" + (f" (context {target.context})" if target.context else "")
    try:
        with api_client(target) as api:
            client.VersionApi(api).get_code(_request_timeout=API_REACHABLE)
    except Exception as exc:  # config, TLS, connection and HTTP errors share no base class
        first_line = f"{type(exc).__name__}: {exc}".splitlines()[0]
        raise SessionError(f"cluster of {where} is not reachable: {first_line}") from None


def attach(kubeconfig: str | None, context: str | None, kubectl: str | None, run_id: str) -> ClusterTarget:
    """An existing cluster, checked: the file exists, the context is in it, it answers."""
    path = kubeconfig or default_kubeconfig()
    if not Path(path).is_file():
        raise SessionError(f"kubeconfig {path}: no such file")
    if context is not None:
        try:
            contexts, _ = config.list_kube_config_contexts(config_file=path)
        except ConfigException as exc:
            raise SessionError(f"kubeconfig {path}: {exc}") from None
        names = [c["name"] for c in contexts]
        if context not in names:
            raise SessionError(f"--context {context}: not in {path} (has: {', '.join(names) or 'none'})")
    target = ClusterTarget(str(Path(path).resolve()), context, find_kubectl(kubectl), run_id)
    check_reachable(target)
    return target


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
    from clusterbuild.provision import create_cluster  # only this mode needs the cluster build
    from clusterbuild.steps import StepFailed

    existed = kind_cluster_exists(options.name)
    kubeconfig = (REPO_ROOT / ".pytest-kind" / options.name / "kubeconfig").resolve()
    try:
        cluster, recipe = create_cluster(options.name, kubeconfig, options.image)
    except StepFailed as exc:
        raise SessionError(f"kind cluster {options.name}: {exc}".splitlines()[0]) from None
    kubectl = options.kubectl_bin or str(cluster.kubectl_path)
    target = ClusterTarget(str(kubeconfig), None, kubectl, run_id, kind_name=options.name,
                           kind_bin=str(recipe.kind_bin), delete_at_end=not (options.keep or existed))
    check_reachable(target)
    return target


def delete_kind(target: ClusterTarget) -> None:
    """Delete the kind cluster this run created."""
    from pytest_kind import KindCluster

    KindCluster(target.kind_name, Path(target.kubeconfig), kind_path=Path(target.kind_bin)).delete()


def sweep_namespaces(target: ClusterTarget) -> list[str]:
    """Delete every namespace labelled with this run and wait until they are gone."""
    with api_client(target) as api:
        core = client.CoreV1Api(api)
        selector = f"{RUN_LABEL}={target.run_id}"

        def remaining() -> list[str]:
            return [ns.metadata.name for ns in core.list_namespace(label_selector=selector).items]

        leftovers = remaining()
        for name in leftovers:
            try:
                core.delete_namespace(name)
            except client.ApiException as exc:
                if exc.status != 404:
                    raise
        wait_until(f"namespaces labelled {selector} to be gone", remaining, lambda names: not names,
                   NAMESPACE_SWEEP)
        return leftovers
