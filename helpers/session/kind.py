"""A kind cluster for the run, from the recipe of the project's cluster build.

The only module of the suites' side (suites, controls, helpers, conftest.py) that imports
clusters/. Docker is asked once (the host checks: its version) and the cluster looked up
once (its node containers); creation reuses both. A cluster is deleted at the end only when
this run created it (no node of that name before, and no --keep-cluster).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from clusters.docker_engine import ANSWERED_ENV
from clusters.kind_preflight import preflight as kind_preflight
from clusters.lookup import KindNodes, look_up
from clusters.paths import kubeconfig_of
from clusters.provision import create_cluster, kind_delete, prepare_kind
from clusters.recipe import KindRecipe
from clusters.steps import StepFailed
from helpers.kube.cluster import ClusterTarget
from helpers.session.attach import find_kubectl
from helpers.session.leftovers import run_owner
from helpers.session.preflight import SessionError


@dataclass(frozen=True)
class KindOptions:
    """What the command line says about the kind cluster."""

    name: str
    image: str | None
    kubectl_bin: str | None
    keep: bool


@dataclass(frozen=True)
class KindPlan:
    """A kind cluster ready to be made: Docker's version, the nodes it had before this run, how to make it."""

    docker_version: str
    nodes: KindNodes
    recipe: KindRecipe


def plan_kind(options: KindOptions) -> KindPlan:
    """Before a kind cluster is made: the quick host checks (kubectl, Docker, kind, node image),
    the one look at the cluster's nodes, and the cluster build (up to date in seconds; built,
    with progress, on a cold cache)."""
    if options.kubectl_bin:
        find_kubectl(options.kubectl_bin)  # a wrong path fails now, not after the cluster build
    try:
        docker = kind_preflight(options.image, os.environ.get(ANSWERED_ENV))
        nodes = look_up(options.name)
        return KindPlan(docker, nodes, prepare_kind(docker_checked=True))
    except StepFailed as exc:
        raise SessionError(f"kind cluster {options.name}: {exc}".splitlines()[0]) from None


def create_kind(options: KindOptions, plan: KindPlan, run_id: str) -> ClusterTarget:
    """Create the kind cluster of `plan`, or reuse the one of that name."""
    kubeconfig = kubeconfig_of(options.name)
    try:
        recipe = create_cluster(options.name, kubeconfig, options.image, plan.recipe, plan.nodes)
    except StepFailed as exc:
        raise SessionError(f"kind cluster {options.name}: {exc}".splitlines()[0]) from None
    created = not plan.nodes.exist
    return ClusterTarget(str(kubeconfig), None, options.kubectl_bin or str(recipe.kubectl_bin), run_id,
                         kind_name=options.name, kind_bin=str(recipe.kind_bin),
                         delete_at_end=created and not options.keep, owner=run_owner())


def delete_kind(target: ClusterTarget) -> None:
    """Delete the kind cluster this run created (bounded; frozen cgroups in its nodes thawed)."""
    try:
        kind_delete(Path(target.kind_bin), target.kind_name, Path(target.kubeconfig))
    except StepFailed as exc:
        raise SessionError(f"kind cluster {target.kind_name} not deleted: {exc}".splitlines()[0]) from None
