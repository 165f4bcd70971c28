"""What a test leaves in its Allure result about the Pods of its namespace.

After every test that ran: each Pod's final status and its containers' logs. The Pods a
class shares are read once for their logs, when the class ends (`record_shared`): a passing
test of the class carries their statuses only, and the logs in its teardown. After a
failure also: the namespace's events, `kubectl describe pods`, the logs of restarted
containers' previous instances, and the kubelet and containerd journal lines that name
the test's namespace, Pods or containers on their kind nodes. The short part also goes
to the terminal with the failure.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from kubernetes import client

from helpers.kube import children, diagnostics
from helpers.kube.namespace import TestNamespace
from helpers.kube.pods import all_statuses
from helpers.kube.timeouts import KUBECTL_DESCRIBE
from helpers.reporting import evidence, kindnodes

EVIDENCE_LOG_LINES = 1000  # per container, in the Allure result
NODE_UNITS = ("kubelet", "containerd")


@dataclass(frozen=True)
class Exhibit:
    """One attachment; the terminal shows the last `terminal_tail` lines of it (None: all)."""

    title: str
    text: str
    terminal_tail: int | None = None

    def for_terminal(self) -> str:
        """The part of the text the terminal's failure section shows ("" for none)."""
        if self.terminal_tail == 0:
            return ""
        lines = self.text.rstrip().splitlines()
        shown = lines[-self.terminal_tail:] if self.terminal_tail else lines
        return "\n".join([f"--- {self.title} ---", *shown])


def safely(collect: Callable[..., str], *args, **kwargs) -> str:
    """What `collect(*args, **kwargs)` returns, or why it could not (the cluster may be what failed)."""
    try:
        return collect(*args, **kwargs)
    except Exception as exc:
        return f"(could not collect: {type(exc).__name__}: {exc})"


NO_KUBECTL = "not collected: this run has no kubectl (in-cluster); each Pod's final status above is the API's"
NO_NODE_RUNTIME = ("not collected: this run runs in a Pod of the cluster, without the nodes' container runtime"
                   " (kubelet and containerd logs need a run from a machine that reaches the kind nodes)")


def describe_pods(namespace: TestNamespace) -> str:
    """`kubectl describe pods` of the namespace (or why not, without kubectl)."""
    target = namespace.cluster.target
    if target.kubectl is None:
        return NO_KUBECTL
    done = children.run([target.kubectl, *target.kubectl_flags(), "describe", "pods", "--namespace", namespace.name],
                        capture_output=True, text=True, timeout=KUBECTL_DESCRIBE)
    return done.stdout + done.stderr


SHARED_LOGS = ("these Pods are shared by the test's class: their containers' logs are read once, when the class"
               " ends, and attached to the teardown of `shared_namespace`")


def pods_exhibits(core: client.CoreV1Api, pods: list[client.V1Pod], with_logs: bool = True) -> list[Exhibit]:
    """Each Pod's final status and (`with_logs`) the logs of each of its containers."""
    found = []
    for pod in pods:
        name, namespace = pod.metadata.name, pod.metadata.namespace
        found.append(Exhibit(f"{name}: final status", diagnostics.pod_state(pod)))
        if not with_logs:
            continue
        for status in all_statuses(pod):
            logs = safely(diagnostics.container_logs, core, namespace, name, status.name, EVIDENCE_LOG_LINES)
            found.append(Exhibit(f"{name}/{status.name}: log", logs or "(nothing printed)",
                                 diagnostics.LOG_TAIL_LINES))
    return found


def previous_logs(core: client.CoreV1Api, pods: list[client.V1Pod]) -> list[Exhibit]:
    """Logs of the previous instance of every container that restarted."""
    return [Exhibit(f"{pod.metadata.name}/{status.name}: previous log ({status.restart_count} restarts)",
                    safely(diagnostics.container_logs, core, pod.metadata.namespace, pod.metadata.name, status.name,
                           EVIDENCE_LOG_LINES, previous=True), diagnostics.LOG_TAIL_LINES)
            for pod in pods for status in all_statuses(pod) if status.restart_count]


def node_exhibits(core: client.CoreV1Api, namespace: str, pods: list[client.V1Pod],
                  in_cluster: bool = False) -> list[Exhibit]:
    """kubelet and containerd lines about this namespace's Pods, from each kind node they ran on
    (or why not, in an in-cluster run)."""
    if in_cluster:
        return [Exhibit("node logs", NO_NODE_RUNTIME, 0)]
    since = core.read_namespace(namespace).metadata.creation_timestamp
    terms = [namespace] + [pod.metadata.uid for pod in pods] + [
        (status.container_id or "").partition("://")[2] for pod in pods for status in all_statuses(pod)]
    nodes = sorted({pod.spec.node_name for pod in pods if pod.spec.node_name}) or [
        node.metadata.name for node in core.list_node().items]
    found = []
    for node in nodes:
        container = kindnodes.container_of(core.read_node(node).spec.provider_id)
        if container is None:
            found.append(Exhibit(f"node {node}: logs", "not a kind node: kubelet and containerd logs not collected", 0))
            continue
        found.extend(Exhibit(f"node {node}: {unit} log", safely(kindnodes.journal, container, unit, since, terms), 0)
                     for unit in NODE_UNITS)
    return found


def failure_exhibits(namespace: TestNamespace, pods: list[client.V1Pod]) -> list[Exhibit]:
    """What a failure adds: events, describe, previous logs, node logs."""
    core = namespace.cluster.core
    found = [Exhibit(f"namespace {namespace.name}: events", safely(diagnostics.events, core, namespace.name)),
             Exhibit("kubectl describe pods", safely(describe_pods, namespace), 0)]
    found.extend(previous_logs(core, pods))
    try:
        found.extend(node_exhibits(core, namespace.name, pods, namespace.cluster.target.in_cluster))
    except Exception as exc:  # nodes may not be readable (RBAC), or the cluster may be what failed
        found.append(Exhibit("node logs", f"(not collected: {type(exc).__name__}: {exc})", 0))
    return found


def _pods(namespace: TestNamespace) -> tuple[list[client.V1Pod], list[Exhibit]]:
    """The namespace's Pods, or none and an exhibit saying why they could not be listed."""
    try:
        return namespace.cluster.core.list_namespaced_pod(namespace.name).items, []
    except Exception as exc:  # the cluster may be what failed
        return [], [Exhibit(f"namespace {namespace.name}", f"(could not list Pods: {type(exc).__name__}: {exc})")]


def record(report: pytest.TestReport, namespace: TestNamespace, shared: bool = False) -> None:
    """Attach the evidence this report calls for: after a test's call, or a failed setup.
    A passing test's `shared` Pods are attached without their logs (see record_shared)."""
    failed = report.failed and report.when in ("setup", "call")
    if not (failed or (report.when == "call" and not report.skipped)):
        return
    pods, exhibits = _pods(namespace)
    if pods:
        exhibits = pods_exhibits(namespace.cluster.core, pods, with_logs=failed or not shared)
        if shared and not failed:
            exhibits.append(Exhibit("container logs", SHARED_LOGS))
        if failed:
            exhibits += failure_exhibits(namespace, pods)
    for exhibit in exhibits:
        evidence.attach_text(exhibit.title, exhibit.text)
    if failed:
        shown = "\n".join(text for text in (exhibit.for_terminal() for exhibit in exhibits) if text)
        report.sections.append((f"cluster evidence: namespace {namespace.name}", shown))


def record_shared(namespace: TestNamespace) -> None:
    """When a class ends: its shared Pods' statuses and containers' logs, read once, attached
    to the teardown of the fixture that made the namespace."""
    pods, exhibits = _pods(namespace)
    for exhibit in exhibits + pods_exhibits(namespace.cluster.core, pods):
        evidence.attach_text(exhibit.title, exhibit.text)
