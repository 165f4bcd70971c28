"""A run again as Kubernetes saw it, from its journal (reporting.journal): the same namespaces, objects,
ConfigMap edits and deletions, each at its moment of the run, and nobody looking: no exec, log
read, port-forward, watch or read. What the node spends on that is Kubernetes' own price of the
scenarios as they ran; what the run spent above it is the suite's looking.

What tests do inside containers (execs that touch a file) is looking, and is not replayed.
One thread per namespace acts on its lines in order, each at its moment; the first failure
stops them all. Replayed namespaces are named REPLAY_PREFIX<n> and labelled REPLAY_LABEL.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kubernetes import client, utils

from helpers.kube import observers
from helpers.kube.apierrors import api_message
from helpers.kube.namespace import PSA_ENFORCE, delete_with_pods, wait_default_service_account

REPLAY_PREFIX = "bench-replay-"
REPLAY_LABEL = "sidecar-conformance/bench-replay"


class ReplayFailed(RuntimeError):
    """A replayed request was refused; the message is one line."""


def read(directory: Path) -> list[dict]:
    """The journal lines of every process of a run, oldest first."""
    lines = [json.loads(line) for path in sorted(directory.glob("*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line]
    if not lines:
        raise ReplayFailed(f"no journal in {directory}: the run made nothing")
    return sorted(lines, key=lambda line: line["t"])


def timeline(lines: list[dict], started: float, ended: float) -> dict[str, float]:
    """A run's wall seconds (it ran from `started` to `ended`, wall-clock) in three: until a test
    first made an object (the session opened, the workers started and collected), from then to
    its last request, and after that (waiting for its namespaces to be gone, the reports)."""
    first = min(line["t"] for line in lines if line["what"] == observers.CREATE)
    last = lines[-1]["t"]
    return {"until the first object": first - started, "first object to last request": last - first,
            "after the last request": ended - last}


class ClusterActions:
    """The requests a journal line stands for, in the replayed namespace `namespace`."""

    def __init__(self, api: client.ApiClient):
        self.api, self.core = api, client.CoreV1Api(api)

    def act(self, line: dict, namespace: str) -> None:
        what = line["what"]
        if what == observers.NAMESPACE:
            self.core.create_namespace({"metadata": {"name": namespace, "labels": {
                REPLAY_LABEL: "true", PSA_ENFORCE: line["pod_security"]}}})
            wait_default_service_account(self.core, namespace)
        elif what == observers.CREATE:
            try:
                utils.create_from_dict(self.api, line["doc"], namespace=namespace)
            except utils.FailToCreateError as exc:
                raise exc.api_exceptions[0] from None
        elif what == observers.PATCH_CONFIG_MAP:
            self.core.patch_namespaced_config_map(line["name"], namespace, {"data": line["data"]})
        elif what == observers.DELETE_POD:
            self.core.delete_namespaced_pod(line["name"], namespace)
        elif what == observers.DELETE_NAMESPACE:
            delete_with_pods(self.core, namespace)
        else:
            raise ReplayFailed(f"journal line of unknown kind {what!r}")


def by_namespace(lines: list[dict]) -> dict[str, list[dict]]:
    """The lines of each namespace of the run, in order, under the replayed namespace's name."""
    names: dict[str, str] = {}
    grouped: dict[str, list[dict]] = {}
    for line in lines:
        name = names.setdefault(line["namespace"], f"{REPLAY_PREFIX}{len(names)}")
        grouped.setdefault(name, []).append(line)
    return grouped


def replay(lines: list[dict], act: Callable[[dict, str], None]) -> list[str]:
    """Act on every line at its moment (its offset from the first line); the replayed namespaces.
    The first failure stops every thread at its next line and is raised as ReplayFailed."""
    start, first = time.monotonic(), lines[0]["t"]
    stop = threading.Event()
    failures: list[str] = []

    def play(namespace: str, own: list[dict]) -> None:
        for line in own:
            if stop.wait(max(0.0, line["t"] - first - (time.monotonic() - start))):
                return
            try:
                act(line, namespace)
            except Exception as exc:  # every failure ends the replay, with its one-line reason
                reason = (f"HTTP {exc.status}: {api_message(exc)}" if isinstance(exc, client.ApiException)
                          else (str(exc).splitlines() or [type(exc).__name__])[0])
                failures.append(f"{line['what']} in {namespace} (the run's {line['namespace']}): {reason}")
                stop.set()
                return

    grouped = by_namespace(lines)
    threads = [threading.Thread(target=play, args=item, daemon=True) for item in grouped.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise ReplayFailed(failures[0])
    return list(grouped)

