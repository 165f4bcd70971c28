"""A kind cluster for the run, from the recipe of the project's cluster build.

The only module of the suites' side (suites, checks, controls, kube, session, reporting,
conftest.py) that imports clusters/. A cluster is deleted at the end only
when this run proved it created it: Docker answered that no node of that name existed
before, and none of --keep-cluster.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from clusters.recipe import KindRecipe
from helpers.kube.cluster import ClusterTarget
from helpers.kube.timeouts import DOCKER_QUERY
from helpers.pins import REPO_ROOT
from helpers.session.attach import find_kubectl
from helpers.session.leftovers import run_owner
from helpers.session.preflight import SessionError

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


@dataclass(frozen=True)
class KindPlan:
    """A kind cluster ready to be made: whether it existed before this run, how to make it."""

    existed: bool | None  # None: Docker did not answer
    recipe: KindRecipe


def plan_kind(options: KindOptions) -> KindPlan:
    """Before a kind cluster is made: the quick host checks (kubectl, Docker, kind, node image)
    and the cluster build (up to date in seconds; built, with progress, on a cold cache)."""
    from clusters.kind_preflight import preflight as kind_preflight
    from clusters.provision import prepare_kind
    from clusters.steps import StepFailed

    if options.kubectl_bin:
        find_kubectl(options.kubectl_bin)  # a wrong path fails now, not after the cluster build
    existed = kind_cluster_exists(options.name)
    try:
        kind_preflight(options.image)
        return KindPlan(existed, prepare_kind())
    except StepFailed as exc:
        raise SessionError(f"kind cluster {options.name}: {exc}".splitlines()[0]) from None


def create_kind(options: KindOptions, plan: KindPlan, run_id: str) -> ClusterTarget:
    """Create the kind cluster of `plan`, or reuse one of that name."""
    from clusters.provision import create_cluster
    from clusters.steps import StepFailed

    kubeconfig = (REPO_ROOT / ".pytest-kind" / options.name / "kubeconfig").resolve()
    try:
        cluster, recipe = create_cluster(options.name, kubeconfig, options.image, plan.recipe)
    except StepFailed as exc:
        raise SessionError(f"kind cluster {options.name}: {exc}".splitlines()[0]) from None
    kubectl = options.kubectl_bin or str(cluster.kubectl_path)
    created = plan.existed is False  # unknown (Docker did not answer) is not proof: keep the cluster
    return ClusterTarget(str(kubeconfig), None, kubectl, run_id, kind_name=options.name,
                         kind_bin=str(recipe.kind_bin), delete_at_end=created and not options.keep,
                         owner=run_owner())


def delete_kind(target: ClusterTarget) -> None:
    """Delete the kind cluster this run created (bounded; frozen cgroups in its nodes thawed)."""
    from clusters.provision import kind_delete
    from clusters.steps import StepFailed

    try:
        kind_delete(Path(target.kind_bin), target.kind_name, Path(target.kubeconfig))
    except StepFailed as exc:
        raise SessionError(f"kind cluster {target.kind_name} not deleted: {exc}".splitlines()[0]) from None
