"""A kind cluster for the run, from the recipe of the project's cluster build.

The only module of the suites' side (suites, checks, controls, kube, session, reporting,
conftest.py) that imports clusterbuild/. A cluster is deleted at the end only
when this run proved it created it: Docker answered that no node of that name existed
before, and none of --keep-cluster.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from kube.cluster import ClusterTarget
from kube.timeouts import DOCKER_QUERY
from pins import REPO_ROOT
from session.attach import find_kubectl
from session.leftovers import run_owner
from session.preflight import SessionError

KIND_CLUSTER_LABEL = "io.x-k8s.kind.cluster"


@dataclass(frozen=True)
class KindOptions:
    """What the command line says about the kind cluster."""

    name: str
    image: str | None
    kubectl_bin: str | None
    keep: bool


def kind_cluster_exists(name: str) -> bool | None:
    """Whether docker runs node containers of kind cluster `name`; None when Docker did not answer."""
    try:
        found = subprocess.run(["docker", "ps", "-aq", "--filter", f"label={KIND_CLUSTER_LABEL}={name}"],
                               capture_output=True, text=True, timeout=DOCKER_QUERY)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if found.returncode != 0:
        return None
    return bool(found.stdout.strip())


def check_kind(options: KindOptions) -> bool | None:
    """The quick checks before a kind cluster is made (kubectl, Docker, kind, node image), as
    SessionError; return whether the cluster exists already (None: Docker did not answer)."""
    from clusterbuild.kind_preflight import preflight as kind_preflight
    from clusterbuild.steps import StepFailed

    if options.kubectl_bin:
        find_kubectl(options.kubectl_bin)  # a wrong path fails now, not after the cluster build
    existed = kind_cluster_exists(options.name)
    try:
        kind_preflight(options.image)
    except StepFailed as exc:
        raise SessionError(f"kind cluster {options.name}: {exc}".splitlines()[0]) from None
    return existed


def create_kind(options: KindOptions, existed: bool | None, run_id: str) -> ClusterTarget:
    """Create the kind cluster the cluster build describes, or reuse one of that name (check_kind first)."""
    from clusterbuild.provision import create_cluster
    from clusterbuild.steps import StepFailed

    kubeconfig = (REPO_ROOT / ".pytest-kind" / options.name / "kubeconfig").resolve()
    try:
        cluster, recipe = create_cluster(options.name, kubeconfig, options.image)
    except StepFailed as exc:
        raise SessionError(f"kind cluster {options.name}: {exc}".splitlines()[0]) from None
    kubectl = options.kubectl_bin or str(cluster.kubectl_path)
    created = existed is False  # unknown (Docker did not answer) is not proof: keep the cluster
    return ClusterTarget(str(kubeconfig), None, kubectl, run_id, kind_name=options.name,
                         kind_bin=str(recipe.kind_bin), delete_at_end=created and not options.keep,
                         owner=run_owner())


def delete_kind(target: ClusterTarget) -> None:
    """Delete the kind cluster this run created."""
    from pytest_kind import KindCluster

    KindCluster(target.kind_name, Path(target.kubeconfig), kind_path=Path(target.kind_bin)).delete()
