"""Namespaces of dead runs: a run killed outright (SIGKILL, a lost machine) cannot clean up,
so the next run deletes them.

A namespace belongs to a dead run when its owner (annotation "host/pid") is this host and
that process is gone, or, for runs of other hosts, when it is older than MAX_RUN_AGE.
Namespaces of live runs (a concurrent run, on this host or another) are left alone.
"""
from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime

from kubernetes import client

from helpers.kube.cluster import ClusterTarget, api_client
from helpers.kube.namespace import OWNER_ANNOTATION, RUN_LABEL, delete_namespace
from helpers.kube.timeouts import MAX_RUN_AGE


def run_owner() -> str:
    """host/pid of this process, for the namespaces of its run."""
    return f"{socket.gethostname()}/{os.getpid()}"


def process_alive(pid: int) -> bool:
    """Whether process `pid` exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def of_dead_run(namespace: client.V1Namespace, run_id: str, host: str, now: datetime,
                alive: Callable[[int], bool] = process_alive) -> bool:
    """Whether `namespace` (labelled with some run id) belongs to a run that is over."""
    if namespace.metadata.labels.get(RUN_LABEL) == run_id or namespace.metadata.deletion_timestamp:
        return False
    owner = (namespace.metadata.annotations or {}).get(OWNER_ANNOTATION, "")
    owner_host, _, pid = owner.rpartition("/")
    if owner_host == host and pid.isdigit():
        return not alive(int(pid))
    return (now - namespace.metadata.creation_timestamp).total_seconds() > MAX_RUN_AGE


def sweep_dead_runs(target: ClusterTarget) -> list[str]:
    """Delete (without waiting) the namespaces of dead runs; return their names."""
    host, now = socket.gethostname(), datetime.now(UTC)
    with api_client(target) as api:
        core = client.CoreV1Api(api)
        dead = [ns.metadata.name for ns in core.list_namespace(label_selector=RUN_LABEL).items
                if of_dead_run(ns, target.run_id, host, now)]
        for name in dead:
            delete_namespace(core, name)
    return dead
